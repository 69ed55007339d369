import fs from 'node:fs';
import type { JobInfo } from '../contract/contract.ts';
import type { JobKind, JobContext, JobServices, LentServices } from './jobKind.ts';
import type { JobRow } from '../store/catalogue.ts';
import type { Project } from '../store/project.ts';
import { StudioError, isCancelled, toWireError, type StudioErrorCode } from '../contract/errors.ts';
import type { Progress } from '../util/progress.ts';

export type JobUpdateListener = (job: JobInfo) => void;

interface RunningJob {
  controller: AbortController;
  startedAtMs: number;
  startDone: number;
  lastProgress: Progress;
  lastPersistMs: number;
  finished: Promise<void>;
}

const progressIntervalMs = 100;

/**
 * Failures that running the job again cannot mend: it was refused for its parameters or its data,
 * which a resume passes again unchanged. Others (a full disk, a trainer that crashed, a missing
 * interpreter the user can install) may pass on a second try.
 */
const refusalCodes: ReadonlySet<StudioErrorCode> = new Set(['bad_input', 'bad_file', 'unsupported']);

export function canResume(status: JobInfo['status'], errorCode: string | null): boolean {
  if (status === 'interrupted' || status === 'cancelled') return true;
  return status === 'failed' && !refusalCodes.has(errorCode as StudioErrorCode);
}

const projectClosingMessage = 'The studio is closing the project.';

/** Whether a job's abort reason is the project closing (the job is interrupted, to resume later) rather than the user's cancel. */
export function isProjectClosing(reason: unknown): boolean {
  return reason instanceof StudioError && reason.message === projectClosingMessage;
}

const secondsBetween = (fromIso: string | null, toIso: string): number => (fromIso ? Math.max(0, (Date.parse(toIso) - Date.parse(fromIso)) / 1000) : 0);
const orphanedJobError = 'The process running this job (the studio or a wavediff command) stopped before it finished.';

/**
 * How a read-only opener shows a job the catalogue calls running or queued while no process writes
 * the project: interrupted, as the next writer will mark it, without writing that itself.
 */
function asSeenWithoutWriter(job: JobRow): JobRow {
  return job.status === 'running' || job.status === 'queued' ? { ...job, status: 'interrupted', error: orphanedJobError } : job;
}

/**
 * Runs jobs of registered kinds for the open project: persists them in the catalogue, throttles and
 * broadcasts progress, cancels between units of work, and marks work that a crash or shutdown cut
 * short as interrupted so the user can resume or discard it.
 *
 * Jobs change state only in the process that writes the project (it holds the project's write
 * lock). On a project opened read-only the manager lists jobs and changes nothing.
 */
export class JobManager<Services extends JobServices = JobServices> {
  private readonly kinds = new Map<string, JobKind<any, any, any, Services>>();
  private readonly running = new Map<number, RunningJob>();
  private readonly listeners = new Set<JobUpdateListener>();
  private project: Project | null = null;
  private readonly lendServices: () => LentServices<Services>;
  maxConcurrent: number;
  /** Milliseconds since the epoch for progress throttling and ETAs. */
  private readonly now: () => number;

  /**
   * `services`: the same for every job, or lent to each run and given back when it ends.
   * `now` defaults to Date.now; tests pass a clock they advance themselves.
   */
  constructor(options: { maxConcurrent?: number; services: Services | (() => LentServices<Services>); now?: () => number }) {
    this.maxConcurrent = options.maxConcurrent ?? 2;
    const services = options.services;
    this.lendServices = typeof services === 'function' ? (services as () => LentServices<Services>) : () => ({ services, release: () => undefined });
    this.now = options.now ?? Date.now;
  }

  register(kind: JobKind<any, any, any, Services>): void {
    if (this.kinds.has(kind.kind)) throw new Error(`Job kind ${kind.kind} registered twice.`);
    this.kinds.set(kind.kind, kind);
  }

  onUpdate(listener: JobUpdateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Binds the manager to a freshly opened project. When this process writes it, jobs still marked
   * running or queued belong to a process that stopped without finishing them (the lock proves that
   * no other live process runs them): they become interrupted.
   */
  attach(project: Project): void {
    if (this.project) throw new Error('JobManager.attach: detach the previous project first.');
    this.project = project;
    if (project.readOnly) return;
    for (const job of project.catalogue.jobsWithStatus('running', 'queued')) {
      // Its last sign of life was its last update: the run ended there, not now.
      const ran = job.status === 'running';
      project.catalogue.setJobStatus(job.id, 'interrupted', {
        error: orphanedJobError,
        ...(ran ? { finishedAt: job.updatedAt, runSeconds: secondsBetween(job.startedAt, job.updatedAt) } : {}),
      });
      project.catalogue.appendJobEvent(job.id, 'warn', 'Interrupted: the process running it stopped before the job finished. Resume or discard it.');
    }
  }

  /**
   * Resumes the interrupted jobs that follow work running elsewhere (JobKind.followsExternalWork)
   * and had recorded it (a checkpoint): the cluster kept working while no studio watched.
   */
  reattach(): JobInfo[] {
    const project = this.requireWritable('re-attach to cluster jobs');
    return project.catalogue
      .jobsWithStatus('interrupted')
      .filter((job) => this.kinds.get(job.kind)?.followsExternalWork && job.resumeState)
      .map((job) => this.resume(job.id));
  }

  /** Stops running jobs (they become interrupted and can resume later) and unbinds the project. */
  async detach(): Promise<void> {
    const project = this.project;
    if (!project) return;
    const pending = [...this.running.values()];
    for (const run of pending) run.controller.abort(new StudioError('cancelled', projectClosingMessage));
    await Promise.all(pending.map((r) => r.finished));
    if (project.readOnly) {
      this.project = null;
      return;
    }
    for (const job of project.catalogue.jobsWithStatus('queued')) {
      project.catalogue.setJobStatus(job.id, 'interrupted', { error: 'The project was closed before this job started.' });
    }
    this.project = null;
  }

  private requireProject(): Project {
    if (!this.project) throw new StudioError('no_project', 'Open or create a project first.');
    return this.project;
  }

  private kindOf(name: string): JobKind<any, any, any, Services> {
    const kind = this.kinds.get(name);
    if (!kind) throw new StudioError('unsupported', `This studio has no job kind '${name}'.`);
    return kind;
  }

  toInfo(job: JobRow): JobInfo {
    const run = this.running.get(job.id);
    let etaSeconds: number | null = null;
    if (run && job.status === 'running' && job.progress.total > 0) {
      const elapsed = (this.now() - run.startedAtMs) / 1000;
      const doneThisRun = job.progress.done - run.startDone;
      if (elapsed > 0.5 && doneThisRun > 0) etaSeconds = ((job.progress.total - job.progress.done) * elapsed) / doneThisRun;
    }
    return {
      id: job.id,
      kind: job.kind,
      title: job.title,
      status: job.status,
      progress: job.progress,
      etaSeconds,
      error: job.error,
      errorCode: job.status === 'failed' ? job.errorCode : null,
      result: job.result ?? null,
      createdAt: job.createdAt,
      startedAt: job.startedAt,
      finishedAt: job.finishedAt,
      runSeconds: job.runSeconds,
      resumable: canResume(job.status, job.errorCode) && this.kinds.has(job.kind),
      trainsModel: this.kinds.get(job.kind)?.trainsModel?.(job.params as never) ?? false,
    };
  }

  private publish(job: JobRow): JobInfo {
    const info = this.toInfo(job);
    for (const listener of this.listeners) listener(info);
    return info;
  }

  /** The catalogue's jobs as this process should present them (see asSeenWithoutWriter). */
  private seen(project: Project, jobs: JobRow[]): JobRow[] {
    if (!project.readOnly || !jobs.some((j) => j.status === 'running' || j.status === 'queued')) return jobs;
    return project.writer() ? jobs : jobs.map(asSeenWithoutWriter);
  }

  list(): JobInfo[] {
    const project = this.requireProject();
    return this.seen(project, project.catalogue.listJobs()).map((j) => this.toInfo(j));
  }

  get(jobId: number): JobInfo {
    const project = this.requireProject();
    return this.toInfo(this.seen(project, [project.catalogue.getJob(jobId)])[0]);
  }

  /** The project, when this process may change its jobs. */
  private requireWritable(what: string): Project {
    const project = this.requireProject();
    project.requireWritable(what);
    return project;
  }

  /** Validates the parameters, records the job and queues it. */
  start(kindName: string, rawParams: unknown): JobInfo {
    const project = this.requireWritable(`start a ${kindName} job`);
    const kind = this.kindOf(kindName);
    const parsed = kind.paramsSchema.safeParse(rawParams);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new StudioError('bad_input', `Invalid parameters for ${kindName}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
    }
    const job = project.catalogue.createJob(kind.kind, kind.title(parsed.data), parsed.data);
    const info = this.publish(job);
    this.pump();
    return info;
  }

  cancel(jobId: number): JobInfo {
    const project = this.requireWritable(`cancel job ${jobId}`);
    const job = project.catalogue.getJob(jobId);
    const run = this.running.get(jobId);
    if (run) {
      run.controller.abort(new StudioError('cancelled', 'Cancelled by the user.'));
      return this.toInfo(job);
    }
    if (job.status === 'queued') {
      project.catalogue.appendJobEvent(jobId, 'info', 'Cancelled before it started.');
      return this.publish(project.catalogue.setJobStatus(jobId, 'cancelled'));
    }
    throw new StudioError('conflict', `Job ${jobId} is ${job.status}; only queued or running jobs can be cancelled.`);
  }

  resume(jobId: number): JobInfo {
    const project = this.requireWritable(`resume job ${jobId}`);
    const job = project.catalogue.getJob(jobId);
    if (!['interrupted', 'cancelled', 'failed'].includes(job.status)) {
      throw new StudioError('conflict', `Job ${jobId} is ${job.status}; only interrupted, cancelled or failed jobs can be resumed.`);
    }
    if (!canResume(job.status, job.errorCode)) {
      throw new StudioError(
        'conflict',
        `Job ${jobId} failed on its parameters or its data (${job.error ?? job.errorCode}); running it again would fail the same way. Start a new job with what the message asks for, or discard this one.`,
      );
    }
    this.kindOf(job.kind);
    project.catalogue.appendJobEvent(jobId, 'info', job.resumeState ? 'Resuming from the last checkpoint.' : 'Restarting (no checkpoint was saved).');
    const info = this.publish(project.catalogue.setJobStatus(jobId, 'queued', { error: null }));
    this.pump();
    return info;
  }

  discard(jobId: number): JobInfo {
    const project = this.requireWritable(`discard job ${jobId}`);
    const job = project.catalogue.getJob(jobId);
    if (!['interrupted', 'cancelled', 'failed'].includes(job.status)) {
      throw new StudioError('conflict', `Job ${jobId} is ${job.status}; only interrupted, cancelled or failed jobs can be discarded.`);
    }
    const kind = this.kinds.get(job.kind);
    kind?.discard?.({ jobId, projectDir: project.folder, catalogue: project.catalogue, resumeState: job.resumeState }, job.params);
    fs.rmSync(project.jobStagingDir(jobId), { recursive: true, force: true });
    project.catalogue.appendJobEvent(jobId, 'info', 'Discarded; its unfinished output was removed.');
    return this.publish(project.catalogue.setJobStatus(jobId, 'discarded'));
  }

  /** Resolves when no job is running or queued (for the CLI and tests). */
  async idle(): Promise<void> {
    for (;;) {
      const runs = [...this.running.values()];
      if (runs.length === 0) return;
      await Promise.all(runs.map((r) => r.finished));
    }
  }

  /** Resolves with the job's final state once it has stopped running. */
  async waitFor(jobId: number): Promise<JobInfo> {
    for (;;) {
      const run = this.running.get(jobId);
      if (run) {
        await run.finished;
        continue;
      }
      const job = this.get(jobId);
      if (job.status !== 'queued') return job;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private pump(): void {
    const project = this.project;
    if (!project) return;
    for (const job of project.catalogue.jobsWithStatus('queued')) {
      if (this.running.size >= this.maxConcurrent) return;
      if (this.running.has(job.id)) continue;
      this.launch(project, job);
    }
  }

  private launch(project: Project, queued: JobRow): void {
    const kind = this.kindOf(queued.kind);
    const catalogue = project.catalogue;
    const controller = new AbortController();
    const job = catalogue.setJobStatus(queued.id, 'running', { error: null });
    const run: RunningJob = {
      controller,
      startedAtMs: this.now(),
      startDone: job.progress.done,
      lastProgress: job.progress,
      lastPersistMs: 0,
      finished: Promise.resolve(),
    };
    this.running.set(job.id, run);
    this.publish(job);

    const persistProgress = (): void => {
      catalogue.setJobProgress(job.id, run.lastProgress);
      run.lastPersistMs = this.now();
      this.publish(catalogue.getJob(job.id));
    };
    const lent = this.lendServices();
    const context: JobContext<unknown, Services> = {
      jobId: job.id,
      projectDir: project.folder,
      catalogue,
      services: lent.services,
      signal: controller.signal,
      progress: (progress) => {
        run.lastProgress = progress;
        if (this.now() - run.lastPersistMs >= progressIntervalMs) persistProgress();
      },
      log: (message, level = 'info') => catalogue.appendJobEvent(job.id, level, message),
      resumeState: job.resumeState ?? undefined,
      checkpoint: (state) => catalogue.setJobResumeState(job.id, state),
    };

    const runSeconds = (): number => (this.now() - run.startedAtMs) / 1000;
    run.finished = (async () => {
      try {
        const result = await kind.run(context, queued.params);
        persistProgress();
        catalogue.appendJobEvent(job.id, 'info', 'Finished.');
        this.publish(catalogue.setJobStatus(job.id, 'done', { result: result ?? null, runSeconds: runSeconds() }));
      } catch (error) {
        persistProgress();
        const reason = controller.signal.reason;
        if (controller.signal.aborted && (isCancelled(error) || error === reason)) {
          const closing = isProjectClosing(reason);
          catalogue.appendJobEvent(job.id, 'warn', closing ? 'Interrupted: the project was closed.' : 'Cancelled by the user.');
          this.publish(catalogue.setJobStatus(job.id, closing ? 'interrupted' : 'cancelled', { error: null, runSeconds: runSeconds() }));
        } else {
          const { code, message } = toWireError(error);
          catalogue.appendJobEvent(job.id, 'error', message);
          this.publish(catalogue.setJobStatus(job.id, 'failed', { error: message, errorCode: code, runSeconds: runSeconds() }));
        }
      } finally {
        lent.release();
        this.running.delete(job.id);
        queueMicrotask(() => this.pump());
      }
    })();
  }
}
