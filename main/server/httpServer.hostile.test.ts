/**
 * Hostile input on the browser shell's sockets: each bad request or WebSocket frame is refused on its
 * own connection, logged, and the next client is still served. Raw TCP (node:net) with hand-built
 * HTTP requests and WebSocket frames (RFC 6455 §5.2) against a real server on 127.0.0.1.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { Studio } from '../core/app/studio.ts';
import { startStudioServer, type StudioServer } from './httpServer.ts';
import { studioJobKinds } from '../core/app/jobKinds.ts';
import { maxApiJsonDepth, maxApiMessageBytes } from '../core/contract/wire.ts';
import { parseServerFrame } from './testing/wsFrames.ts';

let dir: string;
let studio: Studio;
let server: StudioServer;
let logLines: string[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-server-hostile-'));
  const rendererDir = path.join(dir, 'renderer');
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>studio</title>');
  studio = new Studio({ dataDir: path.join(dir, 'data'), shell: 'browser', jobKinds: studioJobKinds() });
  server = await startStudioServer({ studio, rendererDir, onLog: (line) => logLines.push(line) });
});

afterAll(async () => {
  await server.close();
  await studio.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  logLines = [];
});

/** A raw TCP connection that collects everything the server sends until it closes the connection. */
class RawConnection {
  readonly socket: net.Socket;
  private received = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  readonly closed: Promise<void>;
  /** A reset from the server (it may drop the connection while we still send) is an outcome, not a test failure. */
  socketError: Error | null = null;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake();
    });
    socket.on('error', (error) => {
      this.socketError = error;
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => this.wake());
  }

  static open(): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port: server.port }, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  get bytes(): Buffer {
    return this.received;
  }

  /** Resolves when `ready(bytes)` holds for what has arrived, or rejects when the connection closes first. */
  async until<T>(ready: (bytes: Buffer) => T | null): Promise<T> {
    let isClosed = false;
    void this.closed.then(() => (isClosed = true));
    for (;;) {
      const result = ready(this.received);
      if (result !== null) return result;
      if (isClosed || this.socket.destroyed) throw new Error(`connection closed; received ${JSON.stringify(this.received.toString('latin1').slice(0, 300))}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Sends bytes and waits until the server has closed the connection; returns everything received. */
  async sendUntilClosed(bytes: Buffer | string): Promise<Buffer> {
    this.socket.write(bytes);
    await this.closed;
    return this.received;
  }
}

const host = (): string => `127.0.0.1:${server.port}`;

function statusLine(response: Buffer): string {
  return response.toString('latin1').split('\r\n')[0] ?? '';
}

/** A good client after each bad one: the page loads and an API call is answered on a new socket. */
async function expectStillServing(): Promise<void> {
  const page = await RawConnection.open();
  const response = await page.sendUntilClosed(`GET /?token=${server.token} HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`);
  expect(statusLine(response)).toBe('HTTP/1.1 200 OK');
  expect(response.toString('utf8')).toContain('<title>studio</title>');
  const ws = await openApiSocket();
  ws.socket.write(clientFrame({ opcode: 0x1, payload: JSON.stringify({ type: 'call', id: 1, method: 'project.current', args: {} }) }));
  expect(JSON.parse((await nextServerFrame(ws)).payload.toString('utf8'))).toEqual({ type: 'result', id: 1, ok: true, result: null });
  ws.socket.destroy();
}

// ---------------------------------------------------------------------------------------------
// WebSocket frames (RFC 6455 §5.2)

interface FrameOptions {
  fin?: boolean;
  opcode: number;
  payload?: Buffer | string;
  /** Declared payload length when it differs from the bytes sent (a header that promises more). */
  declaredLength?: number;
  /** Clients must mask; `false` builds a frame a server has to refuse. */
  masked?: boolean;
}

/** A client frame. The mask key is zero, so the masked payload equals the plain one (no XOR pass over megabytes). */
function clientFrame({ fin = true, opcode, payload = Buffer.alloc(0), declaredLength, masked = true }: FrameOptions): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const length = declaredLength ?? body.length;
  const maskBit = masked ? 0x80 : 0;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([(fin ? 0x80 : 0) | opcode, maskBit | length]);
  } else if (length < 65536) {
    header = Buffer.alloc(4);
    header[0] = (fin ? 0x80 : 0) | opcode;
    header[1] = maskBit | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = (fin ? 0x80 : 0) | opcode;
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, masked ? Buffer.alloc(4) : Buffer.alloc(0), body]);
}

interface ApiSocket {
  socket: net.Socket;
  connection: RawConnection;
  /** Bytes of server frames already consumed. */
  consumed: number;
}

async function openApiSocket(): Promise<ApiSocket> {
  const connection = await RawConnection.open();
  const key = randomBytes(16).toString('base64');
  connection.socket.write(
    `GET /api?token=${server.token} HTTP/1.1\r\nHost: ${host()}\r\nOrigin: http://${host()}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const headerEnd = await connection.until((bytes) => {
    const end = bytes.indexOf('\r\n\r\n');
    return end < 0 ? null : end + 4;
  });
  expect(statusLine(connection.bytes)).toBe('HTTP/1.1 101 Switching Protocols');
  return { socket: connection.socket, connection, consumed: headerEnd };
}

async function nextServerFrame(ws: ApiSocket): Promise<{ opcode: number; payload: Buffer }> {
  const frame = await ws.connection.until((bytes) => parseServerFrame(bytes.subarray(ws.consumed)));
  ws.consumed += frame.size;
  return frame;
}

/** Waits for the server's close frame and returns its status code (RFC 6455 §7.4). */
async function closeCode(ws: ApiSocket): Promise<number> {
  for (;;) {
    const frame = await nextServerFrame(ws);
    if (frame.opcode === 0x8) return frame.payload.readUInt16BE(0);
  }
}

// ---------------------------------------------------------------------------------------------

describe('malformed HTTP request targets', () => {
  const targets = ['http://[', '//['];
  for (const target of targets) {
    it(`GET ${target} without a token: 400, logged, next client served`, async () => {
      const connection = await RawConnection.open();
      const response = await connection.sendUntilClosed(`GET ${target} HTTP/1.1\r\nHost: ${host()}\r\n\r\n`);
      expect(statusLine(response)).toBe('HTTP/1.1 400 Bad Request');
      expect(logLines.join('\n')).toContain(`GET ${JSON.stringify(target)}`);
      await expectStillServing();
    });

    it(`GET ${target} with Upgrade: websocket: 400, logged, next client served`, async () => {
      const connection = await RawConnection.open();
      const response = await connection.sendUntilClosed(
        `GET ${target} HTTP/1.1\r\nHost: ${host()}\r\nOrigin: http://${host()}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      expect(statusLine(response)).toBe('HTTP/1.1 400 Bad Request');
      expect(logLines.join('\n')).toContain(`GET ${JSON.stringify(target)}`);
      await expectStillServing();
    });
  }

  it('a malformed percent-encoding with the token: 400, logged, next client served', async () => {
    const connection = await RawConnection.open();
    const response = await connection.sendUntilClosed(`GET /%E0%A4%A?token=${server.token} HTTP/1.1\r\nHost: ${host()}\r\n\r\n`);
    expect(statusLine(response)).toBe('HTTP/1.1 400 Bad Request');
    expect(logLines.join('\n')).toMatch(/percent-encoding/);
    await expectStillServing();
  });
});

describe('WebSocket protocol errors close that connection only', () => {
  const cases: { name: string; frames: () => Buffer[]; closeCode: number; logged: RegExp }[] = [
    {
      name: 'one frame over the message cap',
      frames: () => [clientFrame({ opcode: 0x1, declaredLength: maxApiMessageBytes + 1 })],
      closeCode: 1009,
      logged: /WS_ERR_UNSUPPORTED_MESSAGE_LENGTH/,
    },
    {
      name: 'fragments that add up to more than the cap',
      frames: () => [
        clientFrame({ fin: false, opcode: 0x1, payload: Buffer.alloc(maxApiMessageBytes / 2 + 1, 0x20) }),
        clientFrame({ opcode: 0x0, declaredLength: maxApiMessageBytes / 2 + 1 }),
      ],
      closeCode: 1009,
      logged: /WS_ERR_UNSUPPORTED_MESSAGE_LENGTH/,
    },
    {
      name: 'a text frame that is not UTF-8',
      frames: () => [clientFrame({ opcode: 0x1, payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) })],
      closeCode: 1007,
      logged: /WS_ERR_INVALID_UTF8/,
    },
    {
      name: 'a reserved opcode',
      frames: () => [clientFrame({ opcode: 0x3, payload: 'x' })],
      closeCode: 1002,
      logged: /WS_ERR_INVALID_OPCODE/,
    },
    {
      name: 'an unmasked client frame',
      frames: () => [clientFrame({ opcode: 0x1, payload: '{}', masked: false })],
      closeCode: 1002,
      logged: /WS_ERR_EXPECTED_MASK/,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: close ${c.closeCode}, logged, next client served`, async () => {
      const ws = await openApiSocket();
      for (const frame of c.frames()) ws.socket.write(frame);
      expect(await closeCode(ws)).toBe(c.closeCode);
      await ws.connection.closed;
      expect(logLines.join('\n')).toMatch(c.logged);
      await expectStillServing();
    });
  }
});

describe('messages that are not calls', () => {
  const cases: { name: string; payload: string; message: RegExp }[] = [
    { name: 'text that is not JSON', payload: '{"type":"call","id":1,"method":}', message: /is not JSON: at byte 31 \(/ },
    { name: 'JSON that ends too early', payload: '{"type":"call","id":1,', message: /is not JSON: it ends at byte 22 before the JSON is complete/ },
    { name: 'JSON that is not an object', payload: '[1, 2, 3]', message: /is not a call: expected an object with the fields type \('call'\), id, method and args/ },
    { name: 'an object with a bad field', payload: '{"type":"call","id":-3,"method":"project.current","args":{}}', message: /is not a call: field 'id'/ },
  ];
  for (const c of cases) {
    it(`${c.name}: bad_input naming the byte or the field, the socket goes on`, async () => {
      const ws = await openApiSocket();
      ws.socket.write(clientFrame({ opcode: 0x1, payload: c.payload }));
      const answer = JSON.parse((await nextServerFrame(ws)).payload.toString('utf8'));
      expect(answer).toMatchObject({ type: 'result', id: -1, ok: false, error: { code: 'bad_input' } });
      expect(answer.error.message).toMatch(c.message);
      ws.socket.write(clientFrame({ opcode: 0x1, payload: JSON.stringify({ type: 'call', id: 2, method: 'project.current', args: {} }) }));
      expect(JSON.parse((await nextServerFrame(ws)).payload.toString('utf8'))).toEqual({ type: 'result', id: 2, ok: true, result: null });
      ws.socket.destroy();
    });
  }
});

describe('JSON nesting depth is bounded before parsing', () => {
  it('an 8 MB message nested 4 M deep is refused with bad_input naming the byte; the socket and the server go on', async () => {
    const levels = 4 * 1024 * 1024;
    const prefix = '{"type":"call","id":7,"method":"project.current","args":';
    const message = Buffer.concat([Buffer.from(prefix), Buffer.alloc(levels, '['), Buffer.alloc(levels, ']'), Buffer.from('}')]);
    const ws = await openApiSocket();
    ws.socket.write(clientFrame({ opcode: 0x1, payload: message }));
    const answer = JSON.parse((await nextServerFrame(ws)).payload.toString('utf8'));
    // The outer object is level 1, so the first bracket of `args` past the limit sits maxApiJsonDepth - 1 bytes in.
    const offset = prefix.length + maxApiJsonDepth - 1;
    expect(answer).toMatchObject({ type: 'result', id: -1, ok: false, error: { code: 'bad_input' } });
    expect(answer.error.message).toContain(`deeper than ${maxApiJsonDepth} levels at byte ${offset}`);
    expect(logLines.join('\n')).toContain(`byte ${offset}`);
    // The same connection still answers.
    ws.socket.write(clientFrame({ opcode: 0x1, payload: JSON.stringify({ type: 'call', id: 8, method: 'project.current', args: {} }) }));
    expect(JSON.parse((await nextServerFrame(ws)).payload.toString('utf8'))).toEqual({ type: 'result', id: 8, ok: true, result: null });
    ws.socket.destroy();
    await expectStillServing();
  });

  it('brackets inside strings do not count, and nesting up to the limit is parsed', async () => {
    const ws = await openApiSocket();
    // The outer object and `args` are levels 1 and 2; `deep` takes the nesting to exactly the limit.
    const deep = '['.repeat(maxApiJsonDepth - 2) + ']'.repeat(maxApiJsonDepth - 2);
    const call = `{"type":"call","id":9,"method":"project.current","args":{"note":"${'[{'.repeat(500)}","deep":${deep}}}`;
    ws.socket.write(clientFrame({ opcode: 0x1, payload: call }));
    const answer = JSON.parse((await nextServerFrame(ws)).payload.toString('utf8'));
    // Parsed and dispatched: project.current takes no arguments, so its own validation answers.
    expect(answer).toMatchObject({ type: 'result', id: 9, ok: false, error: { code: 'bad_input' } });
    expect(answer.error.message).toMatch(/Invalid arguments for project.current/);
    ws.socket.destroy();
  });
});
