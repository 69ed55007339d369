import { useEffect, useState } from 'react';
import { Alert, Button, LinearProgress } from '@mui/material';
import { useConnection, useStudio } from '../api/context.tsx';

/** A banner across the top while the browser shell's connection is down, with the time to the next retry. */
export function ConnectionBanner() {
  const client = useStudio();
  const state = useConnection();
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    if (state.status !== 'closed' || state.retryAt === null) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [state.status, state.retryAt]);

  if (state.status === 'open') return null;
  if (state.status === 'connecting' && !state.everConnected && state.failures === 0) {
    return <LinearProgress data-testid="connection-connecting" aria-label="Connecting to the studio" />;
  }
  const seconds = state.retryAt === null ? null : Math.max(0, Math.ceil((state.retryAt - now) / 1000));
  const text =
    state.status === 'connecting'
      ? 'Disconnected from the studio — reconnecting…'
      : `Disconnected from the studio${seconds === null ? '.' : ` — retrying in ${seconds} s.`}`;
  return (
    <Alert
      severity="error"
      variant="filled"
      square
      data-testid="connection-banner"
      role="alert"
      action={
        <Button color="inherit" size="small" data-testid="connection-retry" disabled={state.status === 'connecting'} onClick={() => client.reconnectNow()}>
          Retry now
        </Button>
      }
    >
      {text} {state.everConnected ? 'Changes you make now are sent when the connection is back.' : 'Is `npm run serve` still running?'}
    </Alert>
  );
}
