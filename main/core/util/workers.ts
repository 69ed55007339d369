import { Worker, type WorkerOptions } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/**
 * Starts a worker thread from a module URL. Source checkouts run TypeScript directly, so a `.ts`
 * entry gets tsx's loader (resolved from this package, whatever the working directory). Bundled
 * builds (the desktop app) set WAVEDIFF_WORKER_DIR to the folder of the bundled `*.worker.mjs`
 * entries, and the same URL is mapped there by file name.
 */
export function startWorker(entry: URL, options: WorkerOptions = {}): Worker {
  const bundledDir = process.env.WAVEDIFF_WORKER_DIR;
  if (bundledDir && entry.pathname.endsWith('.ts')) {
    const bundled = pathToFileURL(path.join(bundledDir, path.basename(entry.pathname).replace(/\.ts$/, '.mjs')));
    return new Worker(bundled, options);
  }
  const execArgv = [...(options.execArgv ?? process.execArgv)];
  if (entry.pathname.endsWith('.ts') && !execArgv.some((arg) => arg.includes('tsx'))) {
    const tsxLoader = pathToFileURL(require.resolve('tsx')).href;
    execArgv.push('--import', tsxLoader);
  }
  return new Worker(entry, { ...options, execArgv });
}
