import type { z } from 'zod';
import type { Progress } from '../util/progress.ts';
import type { Catalogue } from '../store/catalogue.ts';
import type { Settings } from '../contract/contract.ts';

/**
 * What the studio lends every job. A job kind that needs more (a domain's worker pool) names it in
 * its `Services` type (e.g. `JobServices & FdPoolService`); the studio provides the union of all.
 */
export interface JobServices {
  /** The user's current settings (Python interpreter, worker threads). */
  settings(): Settings;
  /** Sends a notice to every client (a fallback taken, a conversion made). */
  notice(level: 'info' | 'warn' | 'error', message: string): void;
}

/**
 * Services lent to one run of a job and given back when it ends, whatever the outcome: what the job
 * borrowed (a worker pool) stays its own until then, even if the settings change meanwhile.
 */
export interface LentServices<Services extends JobServices> {
  services: Services;
  release(): void;
}

export type JobLogLevel = 'info' | 'warn' | 'error';

/** What a running job may use. Everything a job needs to survive a crash goes through `checkpoint`. */
export interface JobContext<State, Services extends JobServices = JobServices> {
  jobId: number;
  /** The open project's folder and catalogue. */
  projectDir: string;
  catalogue: Catalogue;
  services: Services;
  /** Fires when the user cancels or the studio shuts down; stop between units of work. */
  signal: AbortSignal;
  /** Throttled (about 10/s) and persisted; the last value survives a crash. */
  progress(progress: Progress): void;
  log(message: string, level?: JobLogLevel): void;
  /** The last checkpoint, when this run resumes an interrupted one; undefined on a first run. */
  resumeState: State | undefined;
  /**
   * Persists the job's resumable state in the catalogue. Call it only after the files and rows the
   * state refers to are complete (renamed into place, committed), so a crash never points at half-made work.
   */
  checkpoint(state: State): void;
}

/**
 * A kind of long-running work (import, synthesis, training, generation, export). Registered once with
 * the job manager; `run` must be idempotent with respect to `resumeState`: a resumed job continues
 * from its checkpoint without losing or duplicating work.
 */
export interface JobKind<Params, State = unknown, Result = unknown, Services extends JobServices = JobServices> {
  kind: string;
  paramsSchema: z.ZodType<Params>;
  title(params: Params): string;
  run(ctx: JobContext<State, Services>, params: Params): Promise<Result>;
  /**
   * The work runs elsewhere (a Slurm cluster) and the job only follows it: a studio window that
   * opens the project re-attaches to it at once (see JobManager.reattach) instead of leaving it interrupted.
   */
  followsExternalWork?: boolean;
  /** Whether a job of these parameters trains a model and reports its curves as training events (JobInfo.trainsModel). */
  trainsModel?(params: Params): boolean;
  /** Removes whatever an abandoned run left (temporary files, a half-made dataset) when the user discards it. */
  discard?(ctx: { jobId: number; projectDir: string; catalogue: Catalogue; resumeState: State | undefined }, params: Params): void;
}
