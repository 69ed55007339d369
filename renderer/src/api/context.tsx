import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { ConnectionState, StudioClient } from './client.ts';

const ClientContext = createContext<StudioClient | null>(null);

export function ApiProvider({ client, children }: { client: StudioClient; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

export function useStudio(): StudioClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useStudio() needs an <ApiProvider> above it.');
  return client;
}

export function useConnection(): ConnectionState {
  const client = useStudio();
  const [state, setState] = useState(() => client.connection());
  useEffect(() => {
    setState(client.connection());
    return client.onConnection(setState);
  }, [client]);
  return state;
}
