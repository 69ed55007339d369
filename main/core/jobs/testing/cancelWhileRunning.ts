import type { Studio } from '../../app/studio.ts';
import type { JobInfo } from '../../contract/contract.ts';

/**
 * For tests of resumable jobs: cancels the next job of `kind` from inside its first progress update
 * that leaves work to do. The update is published synchronously from the running job, so the cancel
 * always lands while it runs, however fast the machine. Subscribe before starting the job.
 */
export function cancelWhileRunning(studio: Studio, kind: string): Promise<number> {
  return new Promise((resolve) => {
    const off = studio.onEvent((event, payload) => {
      const update = payload as JobInfo;
      if (event !== 'job.updated' || update.kind !== kind || update.status !== 'running') return;
      if (update.progress.total <= 0 || update.progress.done >= update.progress.total) return;
      off();
      studio.jobs.cancel(update.id);
      resolve(update.id);
    });
  });
}
