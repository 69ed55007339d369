import { describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  apiSocketUrl,
  createElectronClient,
  createWebSocketClient,
  reconnectDelayMs,
  sessionToken,
  type SocketLike,
} from './client.ts';
import type { PreloadStudioBridge } from './global.d.ts';
import { defaultClusterSettings } from '../../../main/core/contract/parameters.ts';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: { type: string; id: number; method: string; args: unknown }[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.drop();
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: '' });
  }
  reply(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

const settings = { pythonPath: null, workerThreads: 0, maxConcurrentJobs: 2, velocityDisplayRangeMps: { min: 1500, max: 4500 }, cluster: defaultClusterSettings };

function setup(validate = true) {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const client = createWebSocketClient({
    url: 'ws://127.0.0.1:9/api',
    validate,
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    backoffMs: (failures) => failures * 1000,
    now: () => 0,
    setTimer: (fn, ms) => {
      timers.push({ fn, ms });
      return timers.length;
    },
    clearTimer: () => {},
  });
  return { client, sockets, timers };
}

describe('WebSocket client', () => {
  it('queues calls until the socket opens, then resolves them by id', async () => {
    const { client, sockets } = setup();
    const answer = client.call('settings.get', {});
    expect(sockets[0].sent).toHaveLength(0);
    sockets[0].open();
    expect(sockets[0].sent).toEqual([{ type: 'call', id: 1, method: 'settings.get', args: {} }]);
    sockets[0].reply({ type: 'result', id: 1, ok: true, result: settings });
    await expect(answer).resolves.toEqual(settings);
  });

  it('rejects with an ApiError carrying the server code', async () => {
    const { client, sockets } = setup();
    sockets[0].open();
    const answer = client.call('dataset.get', { datasetId: 7 });
    sockets[0].reply({ type: 'result', id: 1, ok: false, error: { code: 'not_found', message: 'No dataset 7.' } });
    const error = await answer.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('not_found');
    expect((error as ApiError).message).toBe('No dataset 7.');
  });

  it('checks results against the contract when validating', async () => {
    const { client, sockets } = setup(true);
    sockets[0].open();
    const answer = client.call('settings.get', {});
    sockets[0].reply({ type: 'result', id: 1, ok: true, result: { pythonPath: 3 } });
    await expect(answer).rejects.toMatchObject({ code: 'contract_violation' });
  });

  it('delivers events to listeners and stops after unsubscribe', () => {
    const { client, sockets } = setup();
    sockets[0].open();
    const seen: unknown[] = [];
    const off = client.on('catalogue.changed', (p) => seen.push(p.tables));
    sockets[0].reply({ type: 'event', event: 'catalogue.changed', payload: { tables: ['datasets'] } });
    sockets[0].reply({ type: 'event', event: 'catalogue.changed', payload: { tables: 42 } }); // invalid: dropped
    off();
    sockets[0].reply({ type: 'event', event: 'catalogue.changed', payload: { tables: ['jobs'] } });
    expect(seen).toEqual([['datasets']]);
  });

  it('fails calls in flight on disconnect, reconnects with backoff and sends calls made meanwhile', async () => {
    const { client, sockets, timers } = setup();
    const states: string[] = [];
    client.onConnection((s) => states.push(s.status));
    sockets[0].open();
    const lost = client.call('settings.get', {});
    sockets[0].drop();
    await expect(lost).rejects.toMatchObject({ code: 'disconnected' });
    expect(client.connection()).toMatchObject({ status: 'closed', failures: 1, everConnected: true });
    expect(timers.at(-1)?.ms).toBe(1000);

    const later = client.call('settings.get', {});
    timers.at(-1)!.fn(); // retry fires
    expect(sockets).toHaveLength(2);
    sockets[1].drop(); // the first retry fails too
    expect(timers.at(-1)?.ms).toBe(2000);
    timers.at(-1)!.fn();
    sockets[2].open();
    expect(sockets[2].sent.map((m) => m.method)).toEqual(['settings.get']);
    sockets[2].reply({ type: 'result', id: sockets[2].sent[0].id, ok: true, result: settings });
    await expect(later).resolves.toEqual(settings);
    expect(client.connection()).toMatchObject({ status: 'open', failures: 0 });
    expect(states).toEqual(['open', 'closed', 'connecting', 'closed', 'connecting', 'open']);
  });

  it('reconnects at once when asked', () => {
    const { client, sockets } = setup();
    sockets[0].drop();
    client.reconnectNow();
    expect(sockets).toHaveLength(2);
  });
});

describe('Electron client', () => {
  it('unwraps preload results and errors, and forwards events', async () => {
    const listeners = new Map<string, (p: unknown) => void>();
    const bridge = {
      call: vi.fn(async (method: string) =>
        method === 'settings.get' ? { ok: true, result: settings } : { ok: false, error: { code: 'no_project', message: 'Open a project first.' } },
      ),
      on: vi.fn((event: string, listener: (p: unknown) => void) => {
        listeners.set(event, listener);
        return () => listeners.delete(event);
      }),
    } as unknown as PreloadStudioBridge;
    const client = createElectronClient(bridge, { validate: true });
    await expect(client.call('settings.get', {})).resolves.toEqual(settings);
    await expect(client.call('dataset.list', {})).rejects.toMatchObject({ code: 'no_project', message: 'Open a project first.' });
    const seen: string[] = [];
    client.on('notice', (n) => seen.push(n.message));
    client.on('notice', (n) => seen.push(n.level));
    expect(bridge.on).toHaveBeenCalledTimes(1);
    listeners.get('notice')!({ level: 'warn', message: 'CUDA missing; using the CPU.' });
    expect(seen).toEqual(['CUDA missing; using the CPU.', 'warn']);
  });
});

describe('connection helpers', () => {
  it('builds the socket URL on the same host, with the token as a fallback', () => {
    expect(apiSocketUrl({ protocol: 'http:', host: '127.0.0.1:5123' }, null)).toBe('ws://127.0.0.1:5123/api');
    expect(apiSocketUrl({ protocol: 'https:', host: 'studio.local' }, 'a+b/c')).toBe('wss://studio.local/api?token=a%2Bb%2Fc');
  });

  it('takes the token from the URL and remembers it for the tab', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect(sessionToken('?token=abc', storage)).toBe('abc');
    expect(sessionToken('', storage)).toBe('abc');
    expect(sessionToken('', null)).toBeNull();
  });

  it('backs off exponentially up to 10 s', () => {
    expect(reconnectDelayMs(1, () => 0)).toBe(500);
    expect(reconnectDelayMs(3, () => 0)).toBe(2000);
    expect(reconnectDelayMs(20, () => 0)).toBe(10_000);
    expect(reconnectDelayMs(20, () => 1)).toBe(12_000);
  });
});
