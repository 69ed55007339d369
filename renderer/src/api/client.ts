/**
 * The renderer's implementation of `StudioApi`, over one of two transports:
 * - Electron: `window.studio` from preload (IPC);
 * - browser shell: a WebSocket to `/api` on the page's own host, speaking wire.ts messages.
 *
 * Errors reject with `ApiError` (carrying the contract's `code`). In development builds every result
 * and event payload is checked against the contract's schemas, so a drifting server is caught early.
 * DOM-free apart from the WebSocket/timer globals it is given, so it runs under vitest in node.
 */
import {
  events as eventSchemas,
  methods,
  type EventName,
  type EventPayload,
  type MethodArgs,
  type MethodName,
  type MethodResult,
  type StudioApi,
} from '../../../main/core/contract/contract.ts';
import { apiSocketPath, sessionTokenParam, type ServerMessage } from '../../../main/core/contract/wire.ts';
import type { PreloadStudioBridge } from './global.d.ts';

/** A failed API call: `code` is the contract's machine-readable error code (`not_found`, `bad_input`, …). */
export class ApiError extends Error {
  readonly code: string;
  readonly method: string;

  constructor(code: string, message: string, method: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.method = method;
  }
}

/** Client-side error codes, next to the server's. */
export const clientErrorCodes = {
  disconnected: 'disconnected',
  contractViolation: 'contract_violation',
  protocol: 'protocol',
} as const;

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

export interface ConnectionState {
  status: ConnectionStatus;
  /** When status is 'closed': the time (ms since epoch) of the next attempt; null when none is planned. */
  retryAt: number | null;
  /** Failed attempts since the last successful connection. */
  failures: number;
  /** True once a connection has been open at least once. */
  everConnected: boolean;
}

export interface StudioClient extends StudioApi {
  readonly shell: 'electron' | 'browser';
  connection(): ConnectionState;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Skips the backoff wait and tries to connect now (browser shell). */
  reconnectNow(): void;
  close(): void;
}

// ---------- validation ----------

function checkResult<M extends MethodName>(method: M, result: unknown): MethodResult<M> {
  const parsed = methods[method].result.safeParse(result);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(result)'}: ${i.message}`).join('; ');
    throw new ApiError(clientErrorCodes.contractViolation, `The studio's answer to ${method} does not match the contract: ${issues}`, method);
  }
  return parsed.data as MethodResult<M>;
}

function checkEvent(event: string, payload: unknown): boolean {
  const schema = (eventSchemas as Record<string, { safeParse(v: unknown): { success: boolean; error?: unknown } }>)[event];
  if (!schema) {
    console.warn(`Ignoring unknown studio event "${event}".`);
    return false;
  }
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    console.error(`Event "${event}" does not match the contract`, parsed.error, payload);
    return false;
  }
  return true;
}

// ---------- event fan-out shared by both transports ----------

type AnyListener = (payload: unknown) => void;

class EventHub {
  private readonly listeners = new Map<string, Set<AnyListener>>();

  add(event: string, listener: AnyListener): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  dispatch(event: string, payload: unknown): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        listener(payload);
      } catch (error) {
        console.error(`A listener for "${event}" failed`, error);
      }
    }
  }
}

class ConnectionTracker {
  private state: ConnectionState;
  private readonly listeners = new Set<(state: ConnectionState) => void>();

  constructor(initial: ConnectionState) {
    this.state = initial;
  }

  get(): ConnectionState {
    return this.state;
  }

  set(patch: Partial<ConnectionState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of [...this.listeners]) listener(this.state);
  }

  on(listener: (state: ConnectionState) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}

// ---------- Electron transport ----------

export function createElectronClient(bridge: PreloadStudioBridge, options: { validate: boolean }): StudioClient {
  const hub = new EventHub();
  const tracker = new ConnectionTracker({ status: 'open', retryAt: null, failures: 0, everConnected: true });
  const bridged = new Set<string>();
  const unsubscribers: (() => void)[] = [];

  return {
    shell: 'electron',
    async call<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<MethodResult<M>> {
      const answer = await bridge.call(method, args);
      if (!answer.ok) throw new ApiError(answer.error.code, answer.error.message, method);
      return options.validate ? checkResult(method, answer.result) : answer.result;
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      if (!bridged.has(event)) {
        bridged.add(event);
        unsubscribers.push(
          bridge.on(event, (payload) => {
            if (!options.validate || checkEvent(event, payload)) hub.dispatch(event, payload);
          }),
        );
      }
      return hub.add(event, listener as AnyListener);
    },
    connection: () => tracker.get(),
    onConnection: (listener) => tracker.on(listener),
    reconnectNow: () => {},
    close: () => {
      for (const off of unsubscribers.splice(0)) off();
    },
  };
}

// ---------- WebSocket transport ----------

/** The part of the WebSocket API the client uses (the browser's WebSocket satisfies it; tests pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

const SOCKET_OPEN = 1;

export interface WebSocketClientOptions {
  url: string;
  validate: boolean;
  createSocket: (url: string) => SocketLike;
  /** Delay before reconnect attempt `failures` (1-based). */
  backoffMs?: (failures: number) => number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/** Exponential backoff: 0.5 s, 1 s, 2 s, … capped at 10 s, with up to 20 % jitter so many tabs do not retry in step. */
export function reconnectDelayMs(failures: number, random: () => number = Math.random): number {
  const base = Math.min(10_000, 500 * Math.pow(2, Math.max(0, failures - 1)));
  return Math.round(base * (1 + 0.2 * random()));
}

/**
 * `ws(s)://<host>/api`, with the session token as a query parameter when one is known: the server
 * normally recognises the session cookie set when the page loaded, and the token is the fallback
 * for browsers that did not keep it.
 */
export function apiSocketUrl(location: { protocol: string; host: string }, token: string | null): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = token ? `?${sessionTokenParam}=${encodeURIComponent(token)}` : '';
  return `${scheme}//${location.host}${apiSocketPath}${query}`;
}

/** The token from the page's query string, else one remembered for this tab; remembers what it finds. */
export function sessionToken(search: string, storage: Pick<Storage, 'getItem' | 'setItem'> | null): string | null {
  const key = 'wavediff.sessionToken';
  const fromUrl = new URLSearchParams(search).get(sessionTokenParam);
  if (fromUrl) {
    try {
      storage?.setItem(key, fromUrl);
    } catch {
      // Storage can be unavailable (privacy modes); the cookie still works.
    }
    return fromUrl;
  }
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

interface PendingCall {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export function createWebSocketClient(options: WebSocketClientOptions): StudioClient {
  const hub = new EventHub();
  const tracker = new ConnectionTracker({ status: 'connecting', retryAt: null, failures: 0, everConnected: false });
  const now = options.now ?? (() => Date.now());
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const backoff = options.backoffMs ?? ((failures: number) => reconnectDelayMs(failures));

  let socket: SocketLike | null = null;
  let retryTimer: unknown = null;
  let closedByUser = false;
  let nextId = 1;
  /** Sent, awaiting a result. */
  const inFlight = new Map<number, PendingCall>();
  /** Made while not connected; sent in order once the socket opens. */
  const queued: { id: number; text: string }[] = [];

  const connect = (): void => {
    if (closedByUser) return;
    if (retryTimer !== null) {
      clearTimer(retryTimer);
      retryTimer = null;
    }
    tracker.set({ status: 'connecting', retryAt: null });
    let ws: SocketLike;
    try {
      ws = options.createSocket(options.url);
    } catch (error) {
      console.error('Cannot open the studio connection', error);
      scheduleRetry();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      tracker.set({ status: 'open', retryAt: null, failures: 0, everConnected: true });
      for (const item of queued.splice(0)) {
        if (inFlight.has(item.id)) ws.send(item.text);
      }
    };
    ws.onmessage = (ev) => {
      if (socket !== ws) return;
      handleMessage(ev.data);
    };
    ws.onerror = () => {
      // A close event always follows; reconnecting is handled there.
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      // Calls already sent cannot be answered on a new connection: fail them so the caller can retry.
      for (const [id, pending] of inFlight) {
        if (queued.some((q) => q.id === id)) continue;
        inFlight.delete(id);
        pending.reject(new ApiError(clientErrorCodes.disconnected, `Lost the connection to the studio during ${pending.method}; try again once it is back.`, pending.method));
      }
      if (!closedByUser) scheduleRetry();
      else tracker.set({ status: 'closed', retryAt: null });
    };
  };

  const scheduleRetry = (): void => {
    const failures = tracker.get().failures + 1;
    const delay = backoff(failures);
    tracker.set({ status: 'closed', failures, retryAt: now() + delay });
    retryTimer = setTimer(() => {
      retryTimer = null;
      connect();
    }, delay);
  };

  const handleMessage = (data: unknown): void => {
    let message: ServerMessage;
    try {
      message = JSON.parse(String(data)) as ServerMessage;
    } catch {
      console.error('The studio sent a message that is not JSON', data);
      return;
    }
    if (message.type === 'result') {
      const pending = inFlight.get(message.id);
      if (!pending) return;
      inFlight.delete(message.id);
      if (message.ok) {
        try {
          pending.resolve(options.validate ? checkResult(pending.method as MethodName, message.result) : message.result);
        } catch (error) {
          pending.reject(error as Error);
        }
      } else {
        const code = typeof message.error?.code === 'string' ? message.error.code : clientErrorCodes.protocol;
        const text = typeof message.error?.message === 'string' ? message.error.message : `${pending.method} failed.`;
        pending.reject(new ApiError(code, text, pending.method));
      }
    } else if (message.type === 'event') {
      if (!options.validate || checkEvent(message.event, message.payload)) hub.dispatch(message.event, message.payload);
    }
  };

  connect();

  return {
    shell: 'browser',
    call<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<MethodResult<M>> {
      return new Promise<MethodResult<M>>((resolve, reject) => {
        if (closedByUser) {
          reject(new ApiError(clientErrorCodes.disconnected, 'The studio connection is closed.', method));
          return;
        }
        const id = nextId++;
        const text = JSON.stringify({ type: 'call', id, method, args: args ?? {} });
        inFlight.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
        if (socket && socket.readyState === SOCKET_OPEN) socket.send(text);
        else queued.push({ id, text });
      });
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      return hub.add(event, listener as AnyListener);
    },
    connection: () => tracker.get(),
    onConnection: (listener) => tracker.on(listener),
    reconnectNow: () => {
      if (tracker.get().status === 'closed' && !closedByUser) connect();
    },
    close: () => {
      closedByUser = true;
      if (retryTimer !== null) clearTimer(retryTimer);
      socket?.close(1000, 'closed by the renderer');
      for (const [, pending] of inFlight) pending.reject(new ApiError(clientErrorCodes.disconnected, 'The studio connection was closed.', pending.method));
      inFlight.clear();
      queued.length = 0;
    },
  };
}

/** Picks the transport: Electron's preload bridge when present, else the browser shell's WebSocket. */
export function createStudioClient(options: { validate: boolean }): StudioClient {
  if (typeof window !== 'undefined' && window.studio) return createElectronClient(window.studio, options);
  let storage: Storage | null = null;
  try {
    storage = window.sessionStorage;
  } catch {
    storage = null;
  }
  const token = sessionToken(window.location.search, storage);
  return createWebSocketClient({
    url: apiSocketUrl(window.location, token),
    validate: options.validate,
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
  });
}
