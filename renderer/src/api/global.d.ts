/**
 * What the Electron preload exposes on `window.studio` (contextBridge): exactly the contract's
 * `call` and `on`, with failures returned as values because Error objects lose their fields when
 * they cross the context bridge.
 */
import type { EventName, EventPayload, MethodArgs, MethodName, MethodResult, WireErrorPayload } from '../../../main/core/contract/contract.ts';

export type PreloadCallResult<M extends MethodName> =
  | { ok: true; result: MethodResult<M> }
  | { ok: false; error: WireErrorPayload };

export interface PreloadStudioBridge {
  call<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<PreloadCallResult<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

declare global {
  interface Window {
    /** Present in the Electron shell only; the browser shell talks over a WebSocket instead. */
    studio?: PreloadStudioBridge;
  }
}
