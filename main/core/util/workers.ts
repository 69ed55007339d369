import { Worker, type WorkerOptions } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Starts a worker thread from a module URL. Source checkouts run TypeScript directly, so a
 * `.ts` entry gets tsx's loader (resolved from this package, whatever the working directory);
 * bundled builds point at `.js`/`.cjs` entries and start plainly.
 */
export function startWorker(entry: URL, options: WorkerOptions = {}): Worker {
  const execArgv = [...(options.execArgv ?? process.execArgv)];
  if (entry.pathname.endsWith('.ts') && !execArgv.some((arg) => arg.includes('tsx'))) {
    const tsxLoader = pathToFileURL(require.resolve('tsx')).href;
    execArgv.push('--import', tsxLoader);
  }
  return new Worker(entry, { ...options, execArgv });
}
