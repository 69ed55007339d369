/** Which job changes the user is told about outside the Jobs view, and in what words. */
import type { JobInfo, JobStatus } from '../../../main/core/contract/contract.ts';
import { formatCount } from '../app/humanReadable.ts';

/**
 * The notice for a job that failed while this window watched it (it was queued or running before):
 * its title and error, and whether running it again can help. Null for every other update.
 */
export function failureNotice(previous: JobStatus | undefined, job: JobInfo): string | null {
  if (job.status !== 'failed' || (previous !== 'running' && previous !== 'queued')) return null;
  const again = job.resumable ? ' You can resume it from the Jobs view.' : '';
  return `${job.title} failed: ${job.error ?? 'no reason was given.'}${again}`;
}

/** At start-up or on opening a project: the jobs left interrupted that can resume, or null when there are none. */
export function interruptedNotice(jobs: readonly JobInfo[]): string | null {
  const waiting = jobs.filter((j) => j.status === 'interrupted');
  if (waiting.length === 0) return null;
  const named = waiting.slice(0, 3).map((j) => `“${j.title}”`).join(', ') + (waiting.length > 3 ? `, and ${waiting.length - 3} more` : '');
  return `${formatCount(waiting.length, 'job was', 'jobs were')} interrupted before finishing (${named}). Resume or discard ${waiting.length === 1 ? 'it' : 'them'} in the Jobs view.`;
}
