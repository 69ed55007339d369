import type { ReactNode } from 'react';
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, Stack } from '@mui/material';
import { ErrorAlert } from './common.tsx';

export interface FormDialogProps {
  open: boolean;
  onClose: () => void;
  /**
   * Names the parts: `data-testid` `<idPrefix>-dialog`, `-error`, `-cancel` and `-start`; element ids
   * `<idPrefix>-title` and `<idPrefix>-form`.
   */
  idPrefix: string;
  title: ReactNode;
  maxWidth?: 'sm' | 'md';
  /** The action's error, shown above the fields. */
  error: Error | null | undefined;
  submitLabel: string;
  submitDisabled: boolean;
  /** Called by the submit button and by Enter in a field, unless submitDisabled. */
  onSubmit: () => void;
  children: ReactNode;
}

/** A dialog holding one form: its fields, then Cancel and a submit button. */
export function FormDialog({ open, onClose, idPrefix, title, maxWidth = 'sm', error, submitLabel, submitDisabled, onSubmit, children }: FormDialogProps) {
  return (
    <Dialog open={open} onClose={onClose} maxWidth={maxWidth} fullWidth data-testid={`${idPrefix}-dialog`} aria-labelledby={`${idPrefix}-title`}>
      <DialogTitle id={`${idPrefix}-title`}>{title}</DialogTitle>
      <DialogContent dividers>
        <Stack
          spacing={2}
          component="form"
          id={`${idPrefix}-form`}
          onSubmit={(e) => {
            e.preventDefault();
            // React bubbles a submit through portals: the path picker's own form, opened from a field of
            // this one, must not start this dialog's action.
            if (e.target === e.currentTarget && !submitDisabled) onSubmit();
          }}
        >
          <ErrorAlert error={error} testId={`${idPrefix}-error`} />
          {children}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} data-testid={`${idPrefix}-cancel`}>
          Cancel
        </Button>
        <Button type="submit" form={`${idPrefix}-form`} variant="contained" disabled={submitDisabled} data-testid={`${idPrefix}-start`}>
          {submitLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
