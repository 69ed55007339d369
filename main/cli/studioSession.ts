import path from 'node:path';
import { Studio } from '../core/app/studio.ts';
import { defaultDataDir } from '../core/app/userStore.ts';
import { studioJobKinds } from '../core/app/jobKinds.ts';
import { dispatch } from '../core/api/handlers.ts';
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
export async function withProject<T>(projectFolder: string, io: CliIo, work: (studio: Studio) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
  const studio = new Studio({ dataDir: defaultDataDir(), shell: 'cli', jobKinds: studioJobKinds() });
  const off = printNotices(studio, io);
  try {
    await studio.openProject(projectFolder, { readOnly: options.readOnly });
    return await work(studio);
  } finally {
    off();
    await studio.shutdown();
  }
}

export function call<M extends MethodName>(studio: Studio, method: M, args: MethodArgs<M>): Promise<any> {
  return dispatch(studio, method, args);
}

/**
 * Follows a job on the terminal: progress bar, warnings and errors from its log, Ctrl-C cancels it
 * (it can be resumed later with `wavediff jobs resume`). Returns the exit status.
 */
export async function followJob(studio: Studio, started: JobInfo, io: CliIo): Promise<number> {
  const bar = new ProgressBar(io, started.title);
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
    const events = studio.requireProject().catalogue.jobEvents(started.id);
    // The error that failed the job is its last log line too: print it once, with the job's title.
    for (const e of events) if (e.level !== 'info' && !(e.level === 'error' && e.message === final.error)) io.stderr.write(`${e.level}: ${e.message}\n`);
    if (final.status === 'done') {
      io.stderr.write(`${final.title}: done.\n`);
      return 0;
    }
    if (final.status === 'cancelled') {
      io.stderr.write(`${final.title}: cancelled. Resume it with: wavediff jobs resume ${final.id} --project ${studio.requireProject().folder}\n`);
      return 130;
    }
    io.stderr.write(`${final.title}: ${final.status}${final.error ? `: ${final.error}` : ''}\n`);
    return 1;
  } finally {
    off();
    cliAbortSignal.removeEventListener('abort', cancel);
  }
}
