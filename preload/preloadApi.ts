export type CallOutcome = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

export interface PreloadApi {
  call(method: string, args: unknown): Promise<CallOutcome>;
  on(event: string, listener: (payload: unknown) => void): () => void;
}

/**
 * The object preload exposes, built from injected transport functions so its checks can be tested
 * in plain Node: only contract methods and events pass, and listeners never see the IPC event.
 */
export function buildPreloadApi(deps: {
  methodNames: readonly string[];
  eventNames: readonly string[];
  invoke: (method: string, args: unknown) => Promise<CallOutcome>;
  subscribe: (handler: (event: string, payload: unknown) => void) => () => void;
}): PreloadApi {
  const methods = new Set(deps.methodNames);
  const events = new Set(deps.eventNames);
  return Object.freeze({
    call(method: string, args: unknown): Promise<CallOutcome> {
      if (typeof method !== 'string' || !methods.has(method)) {
        return Promise.resolve({ ok: false, error: { code: 'bad_input', message: `Unknown API method ${JSON.stringify(method)}.` } });
      }
      return deps.invoke(method, args);
    },
    on(event: string, listener: (payload: unknown) => void): () => void {
      if (!events.has(event)) throw new Error(`Unknown studio event ${JSON.stringify(event)}.`);
      return deps.subscribe((name, payload) => {
        if (name === event) listener(payload);
      });
    },
  });
}
