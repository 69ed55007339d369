import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { Alert, Button, Snackbar } from '@mui/material';
import { useApiEvent } from '../api/hooks.ts';

export type NoticeLevel = 'info' | 'success' | 'warn' | 'error';

export interface Notice {
  id: number;
  level: NoticeLevel;
  message: string;
  action?: { label: string; onClick: () => void };
}

type Notify = (level: NoticeLevel, message: string, action?: Notice['action']) => void;

const NotifyContext = createContext<Notify | null>(null);

/** Shows studio `notice` events and the app's own messages as snackbars, one at a time, in order. */
export function NoticeProvider({ children }: { children: ReactNode }) {
  const [queue, setQueue] = useState<Notice[]>([]);
  const [open, setOpen] = useState(true);
  const nextId = useRef(1);

  const notify = useCallback<Notify>((level, message, action) => {
    setQueue((q) => [...q, { id: nextId.current++, level, message, action }]);
    setOpen(true);
  }, []);

  useApiEvent('notice', (n) => notify(n.level, n.message));

  const current = queue[0];
  const dismiss = () => setOpen(false);
  const severity = current ? (current.level === 'warn' ? 'warning' : current.level) : 'info';
  const value = useMemo(() => notify, [notify]);

  return (
    <NotifyContext.Provider value={value}>
      {children}
      <Snackbar
        key={current?.id}
        open={Boolean(current) && open}
        autoHideDuration={current?.level === 'error' ? 12_000 : current?.level === 'warn' ? 8_000 : 4_000}
        onClose={(_event, reason) => {
          if (reason !== 'clickaway') dismiss();
        }}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'right' }}
        slotProps={{
          transition: {
            onExited: () => {
              setQueue((q) => q.slice(1));
              setOpen(true);
            },
          },
        }}
      >
        {current ? (
          <Alert
            data-testid="notice"
            data-level={current.level}
            severity={severity}
            variant="filled"
            onClose={dismiss}
            action={
              current.action ? (
                <Button
                  color="inherit"
                  size="small"
                  data-testid="notice-action"
                  onClick={() => {
                    current.action?.onClick();
                    dismiss();
                  }}
                >
                  {current.action.label}
                </Button>
              ) : undefined
            }
            sx={{ maxWidth: 560, whiteSpace: 'pre-wrap' }}
          >
            {current.message}
          </Alert>
        ) : undefined}
      </Snackbar>
    </NotifyContext.Provider>
  );
}

export function useNotify(): Notify {
  const notify = useContext(NotifyContext);
  if (!notify) throw new Error('useNotify() needs a <NoticeProvider> above it.');
  return notify;
}
