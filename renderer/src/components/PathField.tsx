import { useState, type ReactNode } from 'react';
import { Button, Stack, TextField } from '@mui/material';
import { PathPickerDialog } from './PathPickerDialog.tsx';

export interface PathFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** `data-testid` of the `<input>`. */
  inputTestId: string;
  /** `data-testid` of the "Browse…" button. */
  browseTestId: string;
  /** Title of the path picker the "Browse…" button opens. */
  pickerTitle: string;
  /** What the picker chooses (default: one folder). */
  pickerMode?: 'folder' | 'file';
  /** Start the picker in the typed folder (default true); false starts in the studio user's home folder. */
  pickerStartsAtValue?: boolean;
  required?: boolean;
  placeholder?: string;
  error?: boolean;
  helperText?: ReactNode;
  /** Leave the browser's spell checking on in the field (default off: paths are not words). */
  spellCheck?: boolean;
  /** The "Browse…" button as a plain text button with this icon, instead of an outlined one. */
  browseIcon?: ReactNode;
  /** Top margin of the row (theme spacing units). */
  mt?: number;
}

/** A path on the studio machine: a text field, a "Browse…" button, and the path picker it opens. */
export function PathField(props: PathFieldProps) {
  const { label, value, onChange, inputTestId, browseTestId, pickerTitle, pickerMode = 'folder', pickerStartsAtValue = true } = props;
  const [picking, setPicking] = useState(false);
  return (
    <>
      <Stack direction="row" spacing={1} sx={{ ...(props.mt !== undefined ? { mt: props.mt } : {}), alignItems: 'flex-start' }}>
        <TextField
          fullWidth
          required={props.required}
          label={label}
          placeholder={props.placeholder}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          error={props.error}
          helperText={props.helperText}
          slotProps={{ htmlInput: { 'data-testid': inputTestId, ...(props.spellCheck ? {} : { spellCheck: false }) } }}
        />
        <Button
          variant={props.browseIcon ? 'text' : 'outlined'}
          startIcon={props.browseIcon}
          onClick={() => setPicking(true)}
          data-testid={browseTestId}
          sx={{ mt: 0.5, flexShrink: 0 }}
        >
          Browse…
        </Button>
      </Stack>
      <PathPickerDialog
        open={picking}
        title={pickerTitle}
        mode={pickerMode}
        initialFolder={pickerStartsAtValue ? value || null : undefined}
        onClose={() => setPicking(false)}
        onSelect={([chosen]) => {
          setPicking(false);
          if (chosen) onChange(chosen);
        }}
      />
    </>
  );
}
