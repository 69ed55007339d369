import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Studio } from '../core/app/studio.ts';
import { defaultDataDir } from '../core/app/userStore.ts';
import { studioJobKinds } from '../core/app/jobKinds.ts';
import { dispatch } from '../core/api/handlers.ts';
import { catalogueFileName } from '../core/store/project.ts';
import type { KernelChoice } from '../core/physics/kernels.ts';
import type { JobInfo, MethodArgs, MethodName } from '../core/contract/contract.ts';
import { StudioError } from '../core/contract/errors.ts';
import type { CliIo, ParsedArgs } from './command.ts';
import { ProgressBar } from './progressBar.ts';
import { cliAbortSignal } from './interrupt.ts';

/** The project folder a command works on: --project, else $WAVEDIFF_PROJECT. */
export function projectFolderFrom(args: ParsedArgs): string {
  const given = (args.values.project as string | undefined) ?? process.env.WAVEDIFF_PROJECT;
  if (!given) throw new StudioError('bad_input', 'Name the project folder with --project DIR (or set WAVEDIFF_PROJECT).');
  return path.resolve(given);
}

/** The studio's notices (a takeover from a killed process, a fallback taken) on stderr. */
export function printNotices(studio: Studio, io: CliIo): () => void {
  return studio.onEvent((event, payload) => {
    if (event !== 'notice') return;
    const { level, message } = payload as { level: string; message: string };
    io.stderr.write(`wavediff: ${level === 'info' ? 'note' : level}: ${message}\n`);
  });
}

/**
 * Runs `work` with a headless Studio that has `projectFolder` open, and always closes it. Commands
 * that change the project open it for writing (refused, naming the holder, while another process
 * writes it); listings pass `readOnly` and change nothing.
 */
export async function withProject<T>(projectFolder: string, io: CliIo, work: (studio: Studio) => Promise<T>, options: { readOnly?: boolean } & CliCompute = {}): Promise<T> {
  const studio = new Studio({ dataDir: defaultDataDir(), shell: 'cli', jobKinds: studioJobKinds(), workerThreads: options.threads, kernel: options.kernel });
  const off = printNotices(studio, io);
  try {
    await studio.openProject(projectFolder, { readOnly: options.readOnly, remember: false });
    return await work(studio);
  } finally {
    off();
    await studio.shutdown();
  }
}

export function call<M extends MethodName>(studio: Studio, method: M, args: MethodArgs<M>): Promise<any> {
  return dispatch(studio, method, args);
}

export interface JobFollowing {
  /** The progress bar's label (default: the job's title). */
  label?: string;
  /** What to tell the user after Ctrl-C (default: the `wavediff jobs resume` command). */
  resumeHint?: string;
  /** The last log entry of a resumed job's earlier runs: only what this run adds is reported. */
  loggedBefore?: number;
}

/**
 * Follows a job on the terminal until it ends: progress bar, warnings and errors from its log, Ctrl-C
 * cancels it. Returns the finished job; throws StudioError('cancelled') (exit status 130) when it was
 * cancelled and a StudioError with the job's error when it failed, so the error is printed once.
 */
export async function awaitJob(studio: Studio, started: JobInfo, io: CliIo, following: JobFollowing = {}): Promise<JobInfo> {
  const bar = new ProgressBar(io, following.label ?? started.title);
  const catalogue = studio.requireProject().catalogue;
  const off = studio.onEvent((event, payload) => {
    if (event !== 'job.updated') return;
    const job = payload as JobInfo;
    if (job.id === started.id && job.status === 'running') bar.update(job.progress);
  });
  const cancel = (): void => {
    try {
      studio.jobs.cancel(started.id);
    } catch {
      // already finished
    }
  };
  cliAbortSignal.addEventListener('abort', cancel);
  try {
    const final = await studio.jobs.waitFor(started.id);
    bar.finish();
    const events = catalogue.jobEvents(started.id, following.loggedBefore ?? 0);
    // The failure itself is the error thrown below; print the rest of the log's warnings and errors.
    for (const e of events) if (e.level !== 'info' && !(final.status === 'failed' && e.message === final.error)) io.stderr.write(`${e.level}: ${e.message}\n`);
    if (final.status === 'done') return final;
    if (final.status === 'cancelled') {
      const hint = following.resumeHint ?? `Resume it with: wavediff jobs resume ${final.id} --project ${studio.requireProject().folder}`;
      throw new StudioError('cancelled', `${final.title}: cancelled. ${hint}`);
    }
    throw new StudioError('internal', `${final.title}: ${final.status}${final.error ? `: ${final.error}` : ''}`);
  } finally {
    off();
    cliAbortSignal.removeEventListener('abort', cancel);
  }
}

/** `awaitJob` for commands that report in exit statuses: 0 done, 130 cancelled, 1 failed (each said once on stderr). */
export async function followJob(studio: Studio, started: JobInfo, io: CliIo): Promise<number> {
  try {
    const final = await awaitJob(studio, started, io);
    io.stderr.write(`${final.title}: done.\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof StudioError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return error.code === 'cancelled' ? 130 : 1;
  }
}

/** Compute this command may use: --threads and --kernel override the user's settings for this process. */
export interface CliCompute {
  threads?: number;
  kernel?: KernelChoice;
}

/**
 * Where a command that writes outside any project keeps the jobs it runs for `target` (an output
 * folder or file): a project of its own in the user's data folder, named by the target's path, so
 * running the same command again finds its interrupted job. Never inside the user's output folder.
 */
export function scratchProjectFolder(target: string, dataDir = defaultDataDir()): string {
  const key = createHash('sha256').update(path.resolve(target)).digest('hex').slice(0, 16);
  return path.join(dataDir, 'command-line-jobs', key);
}

/**
 * Runs `work` with a headless Studio whose open project is a scratch project: the one kept for
 * `target` (created on first use; see scratchProjectFolder), or with `target` null a temporary one
 * removed afterwards. A scratch project is never added to the recent projects, so the GUI neither
 * lists nor reopens it.
 */
export async function withScratchProject<T>(target: string | null, label: string, io: CliIo, compute: CliCompute, work: (studio: Studio) => Promise<T>): Promise<T> {
  const studio = new Studio({ dataDir: defaultDataDir(), shell: 'cli', jobKinds: studioJobKinds(), workerThreads: compute.threads, kernel: compute.kernel });
  const off = printNotices(studio, io);
  const folder = target === null ? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-command-')), 'project') : scratchProjectFolder(target);
  try {
    if (fs.existsSync(path.join(folder, catalogueFileName))) await studio.openProject(folder, { remember: false });
    else await studio.createProject(folder, target === null ? label : `${label} → ${path.resolve(target)}`, { remember: false });
    return await work(studio);
  } finally {
    off();
    await studio.shutdown();
    if (target === null) fs.rmSync(path.dirname(folder), { recursive: true, force: true });
  }
}

/** The job of `kind` in the open project whose recorded parameters are `params` (as the contract parses them), newest first. */
export function jobsWithParams(studio: Studio, kind: string, params: unknown): JobInfo[] {
  const catalogue = studio.requireProject().catalogue;
  const wanted = JSON.stringify(params);
  return studio.jobs.list().filter((j) => j.kind === kind && JSON.stringify(catalogue.getJob(j.id).params) === wanted);
}
