/**
 * The browser shell under fuzzing: a real Studio and server on 127.0.0.1 with a fixed session token,
 * and raw TCP exchanges that send an input, half-close, and collect everything until the server closes.
 * Inputs write `$HOST` where the Host and Origin headers name the server (its port changes per run).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Studio } from '../main/core/app/studio.ts';
import { studioJobKinds } from '../main/core/app/jobKinds.ts';
import { startStudioServer, type StudioServer } from '../main/server/httpServer.ts';

export const FUZZ_TOKEN = 'fuzz-token';
export const HOST_PLACEHOLDER = '$HOST';

export interface ServerHarness {
  port: number;
  host: string;
  /** Lines the server logged for refused requests and broken connections. */
  logLines: string[];
  close(): Promise<void>;
}

export async function startServerHarness(dir: string): Promise<ServerHarness> {
  const rendererDir = path.join(dir, 'renderer');
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>studio</title><script src="assets/app.js"></script>');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log("studio");\n');
  const logLines: string[] = [];
  const studio = new Studio({ dataDir: path.join(dir, 'data'), shell: 'browser', jobKinds: studioJobKinds() });
  const server: StudioServer = await startStudioServer({
    studio,
    rendererDir,
    token: FUZZ_TOKEN,
    onLog: (line) => {
      logLines.push(line);
      if (logLines.length > 1000) logLines.splice(0, 500);
    },
  });
  return {
    port: server.port,
    host: `127.0.0.1:${server.port}`,
    logLines,
    close: async () => {
      await server.close();
      await studio.shutdown();
    },
  };
}

/** The input with every `$HOST` replaced by the server's host:port. */
export function withHost(input: Buffer, host: string): Buffer {
  const placeholder = Buffer.from(HOST_PLACEHOLDER);
  const parts: Buffer[] = [];
  let at = 0;
  for (let found = input.indexOf(placeholder); found >= 0; found = input.indexOf(placeholder, at)) {
    parts.push(input.subarray(at, found), Buffer.from(host));
    at = found + placeholder.length;
  }
  parts.push(input.subarray(at));
  return Buffer.concat(parts);
}

/** A raw connection that keeps what the server sends; `closed` resolves when the server has closed it. */
export class RawConnection {
  readonly socket: net.Socket;
  received = Buffer.alloc(0);
  /** A reset while we still send is an outcome of the input, not a harness failure. */
  socketError: string | null = null;
  readonly closed: Promise<void>;
  private waiters: (() => void)[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake();
    });
    socket.on('error', (error) => {
      this.socketError = error.message;
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => this.wake());
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Waits until `ready(received)` returns non-null, or null when the connection closes first. */
  async until<T>(ready: (bytes: Buffer) => T | null): Promise<T | null> {
    let isClosed = false;
    void this.closed.then(() => (isClosed = true));
    for (;;) {
      const result = ready(this.received);
      if (result !== null) return result;
      if (isClosed || this.socket.destroyed) return null;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * Sends `bytes`, half-closes, and waits until the server closes the connection. Node's HTTP server
   * answers a half-closed connection only where it answers synchronously (refusals); a page still being
   * streamed is aborted, which is not a failure.
   */
  async sendAndFinish(bytes: Buffer): Promise<Buffer> {
    this.socket.end(bytes);
    await this.closed;
    return this.received;
  }
}

/** Status codes of every HTTP response in `bytes` (pipelined requests get several). */
export function responseStatuses(bytes: Buffer): number[] {
  return [...bytes.toString('latin1').matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
}

/** A well-formed client after a hostile one: the page loads. Returns a problem, or null. */
export async function stillServing(harness: ServerHarness): Promise<string | null> {
  const connection = await RawConnection.open(harness.port);
  // No half-close here: Node's HTTP server aborts a response still being streamed when the client half-closes.
  connection.socket.write(`GET /?token=${FUZZ_TOKEN} HTTP/1.1\r\nHost: ${harness.host}\r\nConnection: close\r\n\r\n`);
  await connection.closed;
  const response = connection.received;
  const status = responseStatuses(response)[0];
  if (status !== 200 || !response.toString('utf8').includes('<title>studio</title>')) {
    return `the next client's GET / got ${JSON.stringify(response.toString('latin1').slice(0, 120))}`;
  }
  return null;
}

