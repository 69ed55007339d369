// `npm run serve`: builds the renderer when it is missing or older than its sources, then starts
// the browser shell (main/server) through tsx. Extra arguments go to the server (--port, --project).
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const builtIndex = path.join(root, 'dist', 'renderer', 'index.html');

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

export function ensureRendererBuilt() {
  const sources = Math.max(newestSource(path.join(root, 'renderer')), fs.statSync(path.join(root, 'main', 'core', 'api', 'contract.ts')).mtimeMs);
  if (fs.existsSync(builtIndex) && fs.statSync(builtIndex).mtimeMs >= sources) return;
  console.log('Building the renderer (npm run build:renderer)…');
  const result = spawnSync('npm', ['run', '--silent', 'build:renderer'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureRendererBuilt();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'main', 'server', 'index.ts'), ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}
