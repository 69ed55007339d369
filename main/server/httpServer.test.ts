import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import WebSocket from 'ws';
import { Studio } from '../core/app/studio.ts';
import { startStudioServer, type StudioServer } from './httpServer.ts';
import { studioJobKinds } from '../core/app/jobKinds.ts';

let dir: string;
let studio: Studio;
let server: StudioServer;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-server-'));
  const rendererDir = path.join(dir, 'renderer');
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>studio</title>');
  studio = new Studio({ dataDir: path.join(dir, 'data'), shell: 'browser', jobKinds: studioJobKinds() });
  server = await startStudioServer({ studio, rendererDir });
});

afterAll(async () => {
  await server.close();
  await studio.shutdown();
});

function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: server.port, path: pathAndQuery, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

function connect(query: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function call(ws: WebSocket, id: number, method: string, args: unknown): Promise<any> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const message = JSON.parse(String(data));
      if (message.type === 'result' && message.id === id) {
        ws.off('message', onMessage);
        resolve(message);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ type: 'call', id, method, args }));
  });
}

const host = (): string => `127.0.0.1:${server.port}`;

describe('browser shell server', () => {
  it('listens on 127.0.0.1 only and prints a URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses pages without the token and sets an HttpOnly SameSite cookie with it', async () => {
    expect((await get('/')).status).toBe(401);
    const ok = await get(`/?token=${server.token}`);
    expect(ok.status).toBe(200);
    expect(ok.headers['set-cookie']?.[0]).toMatch(/HttpOnly; SameSite=Strict/);
    expect(ok.headers['content-security-policy']).toMatch(/script-src 'self'/);
    const withCookie = await get('/index.html', { Cookie: `wavediff_session=${server.token}` });
    expect(withCookie.status).toBe(200);
    expect((await get('/', { Cookie: 'wavediff_session=wrong' })).status).toBe(401);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get(`/?token=${server.token}`, { Host: 'attacker.example:80' })).status).toBe(421);
  });

  it('does not serve files outside the renderer folder', async () => {
    expect((await get(`/../data/settings.json?token=${server.token}`)).status).toBe(404);
    expect((await get(`/%2e%2e/%2e%2e/etc/passwd?token=${server.token}`)).status).toBe(404);
  });

  it('accepts the API socket only from its own origin with the token', async () => {
    await expect(connect(`?token=${server.token}`, { Origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(connect('?token=nope', { Origin: `http://${host()}` })).rejects.toThrow(/403/);
    await expect(connect('', { Origin: `http://${host()}` })).rejects.toThrow(/403/);
    const ws = await connect('', { Origin: `http://${host()}`, Cookie: `wavediff_session=${server.token}` });
    ws.close();
  });

  it('carries the typed API: validated calls, readable errors, events', async () => {
    const ws = await connect(`?token=${server.token}`, { Origin: `http://localhost:${server.port}` });
    const events: any[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (m.type === 'event') events.push(m);
    });
    expect(await call(ws, 1, 'project.current', {})).toEqual({ type: 'result', id: 1, ok: true, result: null });
    const unknown = await call(ws, 2, 'project.drop', {});
    expect(unknown.ok).toBe(false);
    expect(unknown.error.code).toBe('bad_input');
    const invalid = await call(ws, 3, 'project.create', { folder: '' });
    expect(invalid.error.message).toMatch(/Invalid arguments for project.create: folder/);
    const noProject = await call(ws, 4, 'dataset.list', {});
    expect(noProject.error).toEqual({ code: 'no_project', message: 'Open or create a project first.' });
    const created = await call(ws, 5, 'project.create', { folder: path.join(dir, 'proj'), name: 'Line 7' });
    expect(created.result).toMatchObject({ name: 'Line 7', isDemo: false });
    expect(events.some((e) => e.event === 'project.changed' && e.payload?.name === 'Line 7')).toBe(true);
    const recent = await call(ws, 6, 'project.recent', {});
    expect(recent.result[0]).toMatchObject({ folder: path.join(dir, 'proj'), exists: true });
    ws.close();
  });
});
