/**
 * One Content Security Policy everywhere: the browser shell's header, the Electron protocol handler's
 * header and the meta element the renderer build writes into index.html.
 */
import { describe, it, expect, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { build } from 'vite';
import { startStudioServer } from './httpServer.ts';
import { rendererResponseHeaders } from '../electron/security.ts';
import { Studio } from '../core/app/studio.ts';
import { studioJobKinds } from '../core/app/jobKinds.ts';

const repoRoot = path.resolve(__dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-csp-'));
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** index.html as `npm run build:renderer` writes it: a real Vite build with the renderer's config, kept in memory. */
async function builtIndexHtml(): Promise<string> {
  const output = await build({
    configFile: path.join(repoRoot, 'renderer', 'vite.config.ts'),
    logLevel: 'silent',
    build: { write: false, sourcemap: false, emptyOutDir: false, outDir: path.join(dir, 'build') },
  });
  const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => ('output' in o ? o.output : []));
  const page = chunks.find((c) => c.fileName === 'index.html');
  if (!page || page.type !== 'asset') throw new Error('The renderer build wrote no index.html.');
  return String(page.source);
}

function metaPolicies(html: string): string[] {
  return [...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/gi)].map((m) => m[1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
}

function directives(policy: string): Map<string, string> {
  return new Map(policy.split(';').map((d) => d.trim()).filter(Boolean).map((d) => [d.split(/\s+/)[0]!, d] as const));
}

function get(port: number, pathAndQuery: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: pathAndQuery }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

describe('Content Security Policy', () => {
  let built: Promise<string> | null = null;
  const builtPage = (): Promise<string> => (built ??= builtIndexHtml());

  it('is the same in the served header, the Electron header and the built page', async () => {
    const rendererDir = path.join(dir, 'renderer');
    fs.mkdirSync(rendererDir);
    fs.writeFileSync(path.join(rendererDir, 'index.html'), await builtPage());
    const studio = new Studio({ dataDir: path.join(dir, 'data'), shell: 'browser', jobKinds: studioJobKinds() });
    cleanups.push(() => studio.shutdown());
    const server = await startStudioServer({ studio, rendererDir });
    cleanups.push(() => server.close());

    const served = await get(server.port, `/?token=${server.token}`);
    expect(served.status).toBe(200);
    const servedHeader = String(served.headers['content-security-policy']);
    const electronHeader = rendererResponseHeaders('text/html')['Content-Security-Policy'];
    expect(electronHeader).toBe(servedHeader);

    // Exactly one policy in the page, the header's minus what a <meta> policy cannot carry.
    const [pagePolicy, ...others] = metaPolicies(served.body);
    expect(others).toEqual([]);
    const header = directives(servedHeader);
    const page = directives(pagePolicy ?? '');
    expect(header.get('frame-ancestors')).toBe("frame-ancestors 'none'");
    header.delete('frame-ancestors');
    expect(page).toEqual(header);
    // The policy precedes everything else in <head>, so it covers every element that loads something.
    expect(served.body).toMatch(/<head>\s*<meta http-equiv="Content-Security-Policy"/);
  });

  it('is declared only in main/core/contract/security.ts: the source page carries none', async () => {
    const source = fs.readFileSync(path.join(repoRoot, 'renderer', 'index.html'), 'utf8');
    expect(metaPolicies(source)).toEqual([]);
    expect(metaPolicies(await builtPage())).toHaveLength(1);
  });
});
