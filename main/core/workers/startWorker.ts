import { Worker, type WorkerOptions } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/**
 * Starts a worker thread from a module URL.
 * - Bundled builds (the desktop app) set WAVEDIFF_WORKER_DIR to the folder of the bundled
 *   `*.worker.mjs` entries; a `.ts` URL is mapped there by file name.
 * - Source checkouts run TypeScript directly. Loader flags in a worker's execArgv do not reach it
 *   (module hooks are per thread in Node 20), so a `.ts` entry starts from a tiny bootstrap that
 *   registers tsx's hooks inside the worker and then imports the entry.
 */
export function startWorker(entry: URL, options: WorkerOptions = {}): Worker {
  const bundledDir = process.env.WAVEDIFF_WORKER_DIR;
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  if (bundledDir) {
    return new Worker(pathToFileURL(path.join(bundledDir, path.basename(entry.pathname).replace(/\.ts$/, '.mjs'))), options);
  }
  const tsxApi = new URL('dist/esm/api/index.mjs', pathToFileURL(require.resolve('tsx/package.json'))).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
