// Bundles the desktop shell with esbuild: the Electron main process (ESM), the sandboxed preload
// (CommonJS, as sandboxed preloads must be) and every worker-thread entry of the core.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'dist', 'electron');
// Kept out of the bundle: native addons, and zstd-wasm, which reads its .wasm file from beside its own module.
const nativeModules = ['electron', 'better-sqlite3', 'onnxruntime-node', '@bokuweb/zstd-wasm'];
const esmBanner = {
  js: "import { createRequire as __wavediffCreateRequire } from 'node:module'; const require = __wavediffCreateRequire(import.meta.url);",
};

function workerEntries(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...workerEntries(full));
    else if (/\.worker\.ts$/.test(entry.name)) found.push(full);
  }
  return found;
}

fs.rmSync(outDir, { recursive: true, force: true });
await build({
  entryPoints: { main: path.join(root, 'main', 'electron', 'main.electron.ts') },
  outdir: outDir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  external: nativeModules,
  banner: esmBanner,
  sourcemap: true,
  logLevel: 'warning',
});
await build({
  entryPoints: [path.join(root, 'preload', 'preload.ts')],
  outfile: path.join(outDir, 'preload.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  external: ['electron'],
  logLevel: 'warning',
});
const workers = workerEntries(path.join(root, 'main', 'core'));
if (workers.length > 0) {
  await build({
    entryPoints: workers,
    outdir: path.join(outDir, 'workers'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    external: nativeModules,
    banner: esmBanner,
    logLevel: 'warning',
  });
}
console.log(`Built the desktop shell into ${path.relative(root, outDir)} (${workers.length} worker entries).`);
