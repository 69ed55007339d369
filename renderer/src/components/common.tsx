import type { ReactNode } from 'react';
import { Alert, Box, Paper, Stack, Typography } from '@mui/material';

/** A view's title row with its actions on the right. */
export function ViewHeader({ title, subtitle, actions }: { title: string; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <Stack direction="row" sx={{ alignItems: 'center', mb: 2, gap: 2, flexWrap: 'wrap' }}>
      <Box sx={{ flex: 1, minWidth: 200 }}>
        <Typography variant="h5" component="h1">
          {title}
        </Typography>
        {subtitle && (
          <Typography variant="body2" color="text.secondary">
            {subtitle}
          </Typography>
        )}
      </Box>
      {actions && <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', gap: 1 }}>{actions}</Stack>}
    </Stack>
  );
}

/** An API error as a person should read it, with the code for bug reports. */
export function ErrorAlert({ error, testId, onClose }: { error: Error | null | undefined; testId?: string; onClose?: () => void }) {
  if (!error) return null;
  const code = (error as { code?: string }).code;
  return (
    <Alert severity="error" data-testid={testId ?? 'error'} data-code={code} onClose={onClose} sx={{ mb: 2, whiteSpace: 'pre-wrap' }}>
      {error.message}
      {code ? (
        <Typography component="span" variant="caption" sx={{ ml: 1, opacity: 0.7 }}>
          ({code})
        </Typography>
      ) : null}
    </Alert>
  );
}

/** What a view shows when it has nothing to show yet, and what to do about it. */
export function EmptyState({ title, children, testId }: { title: string; children?: ReactNode; testId: string }) {
  return (
    <Paper variant="outlined" sx={{ p: 4, textAlign: 'center' }} data-testid={testId}>
      <Typography variant="h6" gutterBottom>
        {title}
      </Typography>
      {children && (
        <Box sx={{ color: 'text.secondary', display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 2 }}>{children}</Box>
      )}
    </Paper>
  );
}
