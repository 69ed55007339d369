import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventName, EventPayload, MethodArgs, MethodName, MethodResult } from '../../../main/core/contract/contract.ts';
import { ApiError } from './client.ts';
import { useStudio } from './context.tsx';

/** Subscribes to a studio event for the component's lifetime; the latest listener is always called. */
export function useApiEvent<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): void {
  const client = useStudio();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => client.on(event, (payload) => latest.current(payload)), [client, event]);
}

/** Calls `onReconnect` each time the connection comes back after having been lost. */
export function useOnReconnect(onReconnect: () => void): void {
  const client = useStudio();
  const latest = useRef(onReconnect);
  latest.current = onReconnect;
  useEffect(() => {
    let wasLost = false;
    return client.onConnection((state) => {
      if (state.status !== 'open' && state.everConnected) wasLost = true;
      if (state.status === 'open' && wasLost) {
        wasLost = false;
        latest.current();
      }
    });
  }, [client]);
}

export interface QueryOptions {
  /** Catalogue tables whose changes (`catalogue.changed`) make this query fetch again. */
  refreshOn?: readonly string[];
  /** Fetch again when a project is opened or closed (default true). */
  refreshOnProjectChange?: boolean;
}

export interface QueryState<T> {
  data: T | undefined;
  error: ApiError | Error | null;
  /** True while a request is under way (data keeps the previous answer meanwhile). */
  loading: boolean;
  refresh: () => void;
}

/** Delay that merges bursts of catalogue changes (an import writes many rows) into one refetch. */
const REFRESH_DEBOUNCE_MS = 150;

/**
 * Calls `method` with `args` (skipped while args is null) and keeps the answer current: it fetches
 * again when the arguments change, when a `catalogue.changed` event names one of `refreshOn`, when a
 * project opens or closes, and when the connection comes back. Stale answers never overwrite newer ones.
 */
export function useApiQuery<M extends MethodName>(
  method: M,
  args: MethodArgs<M> | null,
  options: QueryOptions = {},
): QueryState<MethodResult<M>> {
  const client = useStudio();
  const argsKey = args === null ? null : JSON.stringify(args);
  const [state, setState] = useState<{ key: string | null; data: MethodResult<M> | undefined; error: Error | null; loading: boolean }>(
    () => ({ key: argsKey, data: undefined, error: null, loading: argsKey !== null }),
  );
  const sequence = useRef(0);
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    if (argsKey === null) {
      sequence.current++;
      setState({ key: null, data: undefined, error: null, loading: false });
      return;
    }
    const mine = ++sequence.current;
    setState((s) => ({ ...s, loading: true }));
    client.call(method, JSON.parse(argsKey) as MethodArgs<M>).then(
      (data) => {
        if (mine === sequence.current) setState({ key: argsKey, data, error: null, loading: false });
      },
      (error: unknown) => {
        if (mine !== sequence.current) return;
        const err = error instanceof Error ? error : new Error(String(error));
        // Keep the last good answer only when it belongs to the same arguments.
        setState((s) => ({ key: argsKey, data: s.key === argsKey ? s.data : undefined, error: err, loading: false }));
      },
    );
  }, [client, method, argsKey, tick]);

  const tables = options.refreshOn;
  const tablesKey = tables ? tables.join('\n') : '';
  const debounce = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (debounce.current) clearTimeout(debounce.current);
  }, []);
  useApiEvent('catalogue.changed', (payload) => {
    if (!tablesKey) return;
    const wanted = tablesKey.split('\n');
    if (!payload.tables.some((t) => wanted.includes(t))) return;
    if (debounce.current) clearTimeout(debounce.current);
    debounce.current = setTimeout(() => {
      debounce.current = null;
      refresh();
    }, REFRESH_DEBOUNCE_MS);
  });
  const refreshOnProject = options.refreshOnProjectChange ?? true;
  useApiEvent('project.changed', () => {
    if (refreshOnProject) refresh();
  });
  useOnReconnect(refresh);

  const current = state.key === argsKey;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : null,
    loading: argsKey !== null && (state.loading || !current),
    refresh,
  };
}

/** A call made on a user's action: tracks whether it is running and its last error. */
export function useApiAction<M extends MethodName>(method: M) {
  const client = useStudio();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const run = useCallback(
    async (args: MethodArgs<M>): Promise<MethodResult<M>> => {
      setBusy(true);
      setError(null);
      try {
        return await client.call(method, args);
      } catch (e) {
        setError(e as Error);
        throw e;
      } finally {
        setBusy(false);
      }
    },
    [client, method],
  );
  return { run, busy, error, clearError: useCallback(() => setError(null), []) };
}
