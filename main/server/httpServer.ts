import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Studio } from '../core/app/studio.ts';
import { dispatch } from '../core/api/handlers.ts';
import { StudioError, toWireError } from '../core/contract/errors.ts';
import {
  callMessageSchema,
  apiSocketPath,
  sessionCookieName,
  sessionTokenParam,
  maxApiMessageBytes,
  maxApiJsonDepth,
  jsonDepthExceededAt,
  jsonSyntaxErrorAt,
  type ServerMessage,
} from '../core/contract/wire.ts';
import { contentSecurityPolicy } from '../core/contract/security.ts';

export interface StudioServerOptions {
  studio: Studio;
  /** Folder with the built renderer (index.html and assets). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** A fixed token (tests); a random one otherwise. */
  token?: string;
  /** One line per refused request or broken connection, for the operator's terminal. Default: stderr. */
  onLog?: (line: string) => void;
}

export interface StudioServer {
  /** The address to open, token included. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

function sameSecret(given: string | null | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The request target as a URL, or null when it is not one (`http://[`, `//[`): a client error, not a crash. */
function requestUrl(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

/** An API message as JSON; text that is not JSON is a bad_input naming the byte where it stops being JSON. */
function parseJsonMessage(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    const at = jsonSyntaxErrorAt(bytes);
    const where = at >= bytes.length ? `it ends at byte ${at} before the JSON is complete` : `at byte ${at >= 0 ? at : 0}`;
    throw new StudioError('bad_input', `The API message (${bytes.length} bytes) is not JSON: ${where} (${(error as Error).message}).`);
  }
}

/** How a request names itself in the log: method and target, quoted and cut short. */
function describeRequest(req: http.IncomingMessage): string {
  const target = req.url ?? '';
  return `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'} ${req.method ?? '?'} ${JSON.stringify(target.length > 200 ? `${target.slice(0, 200)}…` : target)}`;
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return null;
}

/**
 * The browser shell: serves the renderer and the studio API over a WebSocket on 127.0.0.1 only.
 * Access needs the random session token printed with the URL (it becomes an HttpOnly, SameSite=Strict
 * cookie); the Host and Origin headers must name this server, which stops DNS rebinding and
 * cross-site WebSocket hijacking.
 */
export async function startStudioServer(options: StudioServerOptions): Promise<StudioServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const rendererDir = path.resolve(options.rendererDir);
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(`The renderer is not built (${rendererDir}/index.html is missing). Run: npm run build:renderer`);
  }
  const log = options.onLog ?? ((line: string) => process.stderr.write(`${line}\n`));
  let port = 0;
  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];

  const authorised = (req: http.IncomingMessage, url: URL): boolean =>
    sameSecret(url.searchParams.get(sessionTokenParam), token) || sameSecret(cookieValue(req.headers.cookie, sessionCookieName), token);

  const badRequest = (res: http.ServerResponse, req: http.IncomingMessage, why: string): void => {
    log(`browser shell: refused ${describeRequest(req)}: ${why}`);
    res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' }).end(`Bad request: ${why}\n`);
  };

  const server = http.createServer((req, res) => {
    const url = requestUrl(req.url);
    if (!url) {
      badRequest(res, req, 'the request target is not a valid URL.');
      return;
    }
    const baseHeaders = {
      'Content-Security-Policy': contentSecurityPolicy,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    };
    if (!allowedHosts().includes(req.headers.host ?? '')) {
      res.writeHead(421, { 'Content-Type': 'text/plain' }).end('Unknown host.');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': 'text/plain', Allow: 'GET' }).end('Method not allowed.');
      return;
    }
    if (!authorised(req, url)) {
      res
        .writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', ...baseHeaders })
        .end('WaveDiffusion Studio: open the address printed by `npm run serve`, which carries the session token.');
      return;
    }
    const headers: Record<string, string> = { ...baseHeaders };
    if (url.searchParams.has(sessionTokenParam)) {
      headers['Set-Cookie'] = `${sessionCookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    } catch {
      badRequest(res, req, 'the path has a malformed percent-encoding (%XX must form UTF-8).');
      return;
    }
    const file = path.resolve(rendererDir, `.${relative}`);
    if (!file.startsWith(rendererDir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain', ...headers }).end('Not found.');
      return;
    }
    res.writeHead(200, { 'Content-Type': mimeTypes[path.extname(file)] ?? 'application/octet-stream', ...headers });
    if (req.method === 'HEAD') res.end();
    else {
      fs.createReadStream(file)
        .on('error', (error) => {
          log(`browser shell: reading ${file} for ${describeRequest(req)} failed: ${error.message}`);
          res.destroy();
        })
        .pipe(res);
    }
  });

  // ws refuses a message over this size from its frame header, before buffering it (close 1009).
  const sockets = new WebSocketServer({ noServer: true, maxPayload: maxApiMessageBytes });
  server.on('upgrade', (req, socket, head) => {
    // Node removes its own listener from an upgraded socket; without one, a reset would crash the server.
    socket.on('error', (error) => log(`browser shell: ${describeRequest(req)}: connection error: ${error.message}`));
    const url = requestUrl(req.url);
    if (!url) {
      log(`browser shell: refused ${describeRequest(req)}: the request target is not a valid URL.`);
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const origin = req.headers.origin ?? '';
    const originOk = allowedHosts().some((h) => origin === `http://${h}`);
    if (url.pathname !== apiSocketPath || !allowedHosts().includes(req.headers.host ?? '') || !originOk || !authorised(req, url)) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws, req));
  });

  const send = (ws: WebSocket, message: ServerMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };

  sockets.on('connection', (ws, req: http.IncomingMessage) => {
    const peer = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    // ws has already sent the close frame that matches the error (1002, 1007, 1009); only this connection ends.
    ws.on('error', (error: Error & { code?: string }) => log(`browser shell: API socket ${peer} closed: ${error.code ?? 'error'}: ${error.message}`));
    ws.on('message', async (data) => {
      let id = -1;
      try {
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
        const tooDeepAt = jsonDepthExceededAt(bytes, maxApiJsonDepth);
        if (tooDeepAt >= 0) {
          log(`browser shell: API socket ${peer}: refused a ${bytes.length}-byte message nested deeper than ${maxApiJsonDepth} levels at byte ${tooDeepAt}.`);
          throw new StudioError(
            'bad_input',
            `The API message (${bytes.length} bytes) nests arrays or objects deeper than ${maxApiJsonDepth} levels at byte ${tooDeepAt}; no API call needs that. Send the call's arguments as they are declared in the contract.`,
          );
        }
        const parsed = callMessageSchema.safeParse(parseJsonMessage(bytes));
        if (!parsed.success) {
          const message = parsed.error.issues[0];
          const field = message && message.path.length > 0 ? `field '${message.path.join('.')}': ${message.message}` : `expected an object with the fields type ('call'), id, method and args`;
          throw new StudioError('bad_input', `The API message (${bytes.length} bytes) is not a call: ${field}. Send {"type": "call", "id": <a non-negative integer>, "method": <a method name>, "args": {…}}.`);
        }
        id = parsed.data.id;
        const result = await dispatch(options.studio, parsed.data.method, parsed.data.args);
        send(ws, { type: 'result', id, ok: true, result });
      } catch (error) {
        send(ws, { type: 'result', id, ok: false, error: toWireError(error) });
      }
    });
  });

  const unsubscribe = options.studio.onEvent((event, payload) => {
    const message = JSON.stringify({ type: 'event', event, payload });
    for (const ws of sockets.clients) if (ws.readyState === ws.OPEN) ws.send(message);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;

  return {
    url: `http://127.0.0.1:${port}/?${sessionTokenParam}=${token}`,
    port,
    token,
    close: async () => {
      unsubscribe();
      for (const ws of sockets.clients) ws.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
