/**
 * Follows work on a Slurm cluster from submission to its merged result: submits the array (or the
 * training job), polls each task's state, resubmits a failed task alone — a task that fails twice
 * fails the run, naming the task and its log — and when every task is done submits the merge as a
 * job of its own. Everything needed to re-attach (Slurm job ids per task and attempt) is in
 * `ClusterRunState`, checkpointed after each change, so a studio that stopped resumes by polling
 * the same jobs instead of submitting again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { StudioError } from '../contract/errors.ts';
import type { ClusterSettings } from '../contract/parameters.ts';
import type { Progress } from '../util/progress.ts';
import type { ClusterShell } from './clusterShell.ts';
import { parseTrainerLine, type TrainerMessage } from '../training/trainerProcess.ts';
import { arrayScript, logsFolder, mergeLog, mergeScript, taskLog, trainLog, trainProgressFile, trainScript, type ClusterWorkSpec } from './sbatchScript.ts';
import { isFailed, isFinished, sbatch, scancel, scontrolState, squeueStates, type SlurmState } from './slurmCommands.ts';

/** One array task, the merge, or the training job: the Slurm jobs that ran it, oldest first, and what it last was. */
export interface ClusterTaskState {
  /** Array task index; -1 for a job that is not an array task (merge, training). */
  index: number;
  jobIds: string[];
  state: SlurmState;
  /** Failed attempts in this run (a resume by the user after a run failed starts again from 0). */
  failures: number;
}

export interface ClusterRunState {
  tasks: ClusterTaskState[];
  merge: ClusterTaskState | null;
  /** Training: how far OUT/progress.jsonl has been read, the last step reported, and the trainer's 'done' message once read. */
  trainer?: TrainerProgress;
}

export interface TrainerProgress {
  /** Complete lines of OUT/progress.jsonl already passed on (a resubmission appends to the same file). */
  lines: number;
  step: number;
  total: number | null;
  done: TrainerMessage | null;
}

export interface ClusterRunResult {
  out: string;
  work: ClusterWorkSpec['work'];
  shards: number;
  /** The Slurm jobs of the run: the array (or training) job first, then resubmissions, then the merge. */
  slurmJobIds: string[];
  /** Training: the trainer's last message, 'done' with its model_dir (a path on the cluster) when it finished. */
  trainerDone?: TrainerMessage | null;
}

export interface ClusterRunHooks {
  shell: ClusterShell;
  signal: AbortSignal;
  checkpoint(state: ClusterRunState): void;
  log(message: string, level?: 'info' | 'warn' | 'error'): void;
  progress(progress: Progress): void;
  /** Whether an abort leaves the cluster jobs running (the studio closes; a resume re-attaches) instead of cancelling them. */
  leavesJobsRunning(reason: unknown): boolean;
  /** Training: each message of the trainer's JSON-lines progress, once, in order, as the job writes them to OUT/progress.jsonl. */
  trainerMessage?(message: TrainerMessage): void;
}

/** A gone task: squeue and scontrol both no longer know it (purged after MinJobAge before we saw it end). */
const vanished = 'UNKNOWN';
/** Failed attempts after which a task fails the run. */
const attemptsPerTask = 2;

const slurmIdOf = (task: ClusterTaskState): string => {
  const jobId = task.jobIds[task.jobIds.length - 1];
  return task.index < 0 ? jobId : `${jobId}_${task.index}`;
};

function logOf(spec: ClusterWorkSpec, task: ClusterTaskState, isMerge: boolean): string {
  const jobId = task.jobIds[task.jobIds.length - 1];
  if (isMerge) return mergeLog(spec.out, jobId);
  return spec.work === 'train' ? trainLog(spec.out, jobId) : taskLog(spec.out, task.index, jobId);
}

function describe(task: ClusterTaskState, isMerge: boolean, spec: ClusterWorkSpec): string {
  if (isMerge) return `the merge (Slurm job ${slurmIdOf(task)})`;
  return spec.work === 'train' ? `the training job (Slurm job ${slurmIdOf(task)})` : `task ${task.index} (Slurm ${slurmIdOf(task)})`;
}

/** Up to this many tasks are listed one by one; more are counted by state. */
const tasksListed = 16;

/**
 * The tasks' states for the Jobs view: "0 COMPLETED · 1 RUNNING (try 2) · 2 PENDING", or for a large
 * array "180 COMPLETED · 12 RUNNING · 8 PENDING · resubmitted: 3, 17".
 */
export function taskSummary(state: ClusterRunState): string {
  const merge = state.merge ? [`merge ${state.merge.state}`] : [];
  if (state.tasks.length <= tasksListed) {
    const tasks = state.tasks.map((t) => `${t.index < 0 ? 'job' : t.index} ${t.state}${t.jobIds.length > 1 ? ` (try ${t.jobIds.length})` : ''}`);
    return [...tasks, ...merge].join(' · ');
  }
  const counts = new Map<string, number>();
  for (const t of state.tasks) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  const retried = state.tasks.filter((t) => t.jobIds.length > 1).map((t) => t.index);
  return [...[...counts].map(([s, n]) => `${n} ${s}`), ...(retried.length > 0 ? [`resubmitted: ${retried.join(', ')}`] : []), ...merge].join(' · ');
}

async function submitTask(spec: ClusterWorkSpec, settings: ClusterSettings, hooks: ClusterRunHooks, task: ClusterTaskState | null, isMerge: boolean): Promise<string> {
  if (isMerge) return sbatch(hooks.shell, mergeScript(spec, settings), { signal: hooks.signal });
  if (spec.work === 'train') return sbatch(hooks.shell, trainScript(spec, settings, task !== null), { signal: hooks.signal });
  return sbatch(hooks.shell, arrayScript(spec, settings), { array: task ? String(task.index) : undefined, signal: hooks.signal });
}

async function firstSubmission(spec: ClusterWorkSpec, settings: ClusterSettings, hooks: ClusterRunHooks): Promise<ClusterRunState> {
  const made = await hooks.shell.run(['mkdir', '-p', logsFolder(spec.out)], { signal: hooks.signal });
  if (made.code !== 0) throw new StudioError('io', `Could not make ${logsFolder(spec.out)} on the cluster: ${made.stderr.trim()}. Choose a result folder the cluster's user can write.`);
  // A new training's curves start empty: lines an earlier submission into the same folder left are not this job's (a resubmission appends).
  if (spec.work === 'train') await hooks.shell.run(['rm', '-f', trainProgressFile(spec.out)], { signal: hooks.signal });
  const jobId = await submitTask(spec, settings, hooks, null, false);
  const indices = spec.work === 'train' ? [-1] : Array.from({ length: spec.shards }, (_, i) => i);
  hooks.log(spec.work === 'train' ? `Submitted the training job as Slurm job ${jobId}.` : `Submitted ${spec.shards} tasks as Slurm array ${jobId}; logs in ${logsFolder(spec.out)}.`);
  return { tasks: indices.map((index) => ({ index, jobIds: [jobId], state: 'PENDING', failures: 0 })), merge: null };
}

/** Polls the tasks of one stage: updates their states; true when any changed. */
async function poll(spec: ClusterWorkSpec, settings: ClusterSettings, tasks: ClusterTaskState[], hooks: ClusterRunHooks): Promise<boolean> {
  let changed = false;
  const open = tasks.filter((t) => t.state !== 'COMPLETED' && !(isFailed(t.state) && t.failures >= attemptsPerTask));
  const byJob = new Map<string, ClusterTaskState[]>();
  for (const task of open) {
    const jobId = task.jobIds[task.jobIds.length - 1];
    byJob.set(jobId, [...(byJob.get(jobId) ?? []), task]);
  }
  for (const [jobId, jobTasks] of byJob) {
    const states = await squeueStates(hooks.shell, jobId, hooks.signal);
    for (const task of jobTasks) {
      const seen = states.get(task.index);
      if (seen?.impossible) {
        const s = settings;
        throw new StudioError(
          'bad_input',
          `Slurm cannot start ${describe(task, false, spec)} as asked (${seen.impossible}): the request exceeds what the partition offers. Check Settings → Cluster: partition '${s.partition || 'default'}', ${s.cpusPerTask} CPUs per task, memory ${s.memory}, time limit ${s.timeLimit}${spec.work === 'train' ? `, ${s.gpus} GPUs` : ''}.`,
        );
      }
      const state = seen?.state ?? (await scontrolState(hooks.shell, slurmIdOf(task), hooks.signal)) ?? vanished;
      if (state !== task.state) {
        task.state = state;
        changed = true;
      }
    }
  }
  return changed;
}

/**
 * Passes on the lines the trainer appended to OUT/progress.jsonl since the last read (the same parser
 * as a run on this machine: trainerProcess.ts), read through the cluster's shell; a line still being
 * written waits for the next poll. True when any was read.
 */
async function readTrainerProgress(spec: ClusterWorkSpec, state: ClusterRunState, hooks: ClusterRunHooks): Promise<boolean> {
  const trainer = (state.trainer ??= { lines: 0, step: 0, total: null, done: null });
  const result = await hooks.shell.run(['tail', '-n', `+${trainer.lines + 1}`, trainProgressFile(spec.out)], { signal: hooks.signal });
  // No file yet: the job has not started the trainer.
  if (result.code !== 0) return false;
  const lines = result.stdout.slice(0, result.stdout.lastIndexOf('\n') + 1).split('\n').slice(0, -1);
  for (const line of lines) {
    trainer.lines += 1;
    const message = parseTrainerLine(line);
    if (!message) continue;
    if (typeof message.step === 'number') trainer.step = message.step;
    if (typeof message.total_steps === 'number') trainer.total = message.total_steps;
    if (message.type === 'done') trainer.done = message;
    hooks.trainerMessage?.(message);
  }
  return lines.length > 0;
}

function progressOf(spec: ClusterWorkSpec, state: ClusterRunState): Progress {
  const message = taskSummary(state);
  if (spec.work === 'train') {
    const total = state.trainer?.total;
    if (total) return { done: Math.min(state.trainer?.step ?? 0, total), total, unit: 'steps', message };
    return { done: state.tasks[0].state === 'COMPLETED' ? 1 : 0, total: 1, unit: 'jobs', message };
  }
  const done = state.tasks.filter((t) => t.state === 'COMPLETED').length + (state.merge?.state === 'COMPLETED' ? 1 : 0);
  return { done, total: spec.shards + 1, unit: 'tasks', message };
}

/** Resubmits failed tasks that have a try left; throws when one has failed `attemptsPerTask` times. */
async function resubmitFailed(spec: ClusterWorkSpec, settings: ClusterSettings, state: ClusterRunState, tasks: ClusterTaskState[], isMerge: boolean, hooks: ClusterRunHooks): Promise<boolean> {
  let changed = false;
  for (const task of tasks) {
    if (!isFailed(task.state) && task.state !== vanished) continue;
    task.failures += 1;
    const log = logOf(spec, task, isMerge);
    if (task.failures >= attemptsPerTask) {
      hooks.checkpoint(state);
      throw new StudioError('io', `${describe(task, isMerge, spec)} failed twice (${task.state}); its log: ${log}. Read it, mend the cause, then resume this job to try the task again.`);
    }
    const jobId = await submitTask(spec, settings, hooks, task, isMerge);
    hooks.log(`${describe(task, isMerge, spec)} ended ${task.state} (log: ${log}); resubmitted alone as Slurm job ${jobId}.`, 'warn');
    task.jobIds.push(jobId);
    task.state = 'PENDING';
    changed = true;
  }
  return changed;
}

/** The Slurm ids of tasks that may still run, for scancel. */
function unfinished(state: ClusterRunState): string[] {
  return [...state.tasks, ...(state.merge ? [state.merge] : [])].filter((t) => !isFinished(t.state) && t.state !== vanished).map(slurmIdOf);
}

/**
 * Submits `spec` (when `resumed` is undefined) or re-attaches to the jobs `resumed` records, and
 * follows them to the merged result. On an abort it cancels the run's jobs with scancel, unless
 * `hooks.leavesJobsRunning` says the studio is only closing.
 */
export async function followClusterRun(spec: ClusterWorkSpec, settings: ClusterSettings, resumed: ClusterRunState | undefined, hooks: ClusterRunHooks): Promise<ClusterRunResult> {
  let state = resumed ? structuredClone(resumed) : null;
  try {
    if (!state) {
      state = await firstSubmission(spec, settings, hooks);
      hooks.checkpoint(state);
    } else {
      hooks.log(`Re-attached to Slurm job${state.tasks.length > 1 ? 's' : ''} ${[...new Set([...state.tasks, ...(state.merge ? [state.merge] : [])].flatMap((t) => t.jobIds))].join(', ')}.`);
      // The user resumed a run that had failed: each failed task gets its tries again.
      for (const task of [...state.tasks, ...(state.merge ? [state.merge] : [])]) if (task.failures >= attemptsPerTask) task.failures = 0;
    }
    const current = state;
    let reported = '';
    for (;;) {
      const stage = current.merge ? [current.merge] : current.tasks;
      const isMerge = current.merge !== null;
      let changed = await poll(spec, settings, stage, hooks);
      if (spec.work === 'train' && current.tasks[0].state !== 'PENDING') changed = (await readTrainerProgress(spec, current, hooks)) || changed;
      changed = (await resubmitFailed(spec, settings, current, stage, isMerge, hooks)) || changed;
      if (!isMerge && spec.work !== 'train' && current.tasks.every((t) => t.state === 'COMPLETED')) {
        const jobId = await submitTask(spec, settings, hooks, null, true);
        hooks.log(`Every task is done; submitted the merge into ${spec.out} as Slurm job ${jobId}.`);
        current.merge = { index: -1, jobIds: [jobId], state: 'PENDING', failures: 0 };
        changed = true;
      }
      if (changed) hooks.checkpoint(current);
      const progress = progressOf(spec, current);
      if (JSON.stringify(progress) !== reported) hooks.progress(progress);
      reported = JSON.stringify(progress);
      const finalStage = spec.work === 'train' ? current.tasks : current.merge ? [current.merge] : [];
      if (finalStage.length > 0 && finalStage.every((t) => t.state === 'COMPLETED')) {
        const all = [...current.tasks, ...(current.merge ? [current.merge] : [])].flatMap((t) => t.jobIds);
        return { out: spec.out, work: spec.work, shards: spec.shards, slurmJobIds: [...new Set(all)], ...(spec.work === 'train' ? { trainerDone: current.trainer?.done ?? null } : {}) };
      }
      await sleep(settings.pollSeconds * 1000, undefined, { signal: hooks.signal });
    }
  } catch (error) {
    // A failed run and a cancel stop what still runs on the cluster; a closing studio leaves it to re-attach.
    const ids = state && !(hooks.signal.aborted && hooks.leavesJobsRunning(hooks.signal.reason)) ? unfinished(state) : [];
    if (ids.length > 0) {
      try {
        await scancel(hooks.shell, ids);
        hooks.log(`Cancelled Slurm ${ids.join(' ')} (scancel).`, 'warn');
      } catch (cancelError) {
        if (hooks.signal.aborted) throw cancelError;
        hooks.log(`Could not cancel Slurm ${ids.join(' ')}: ${(cancelError as Error).message}`, 'warn');
      }
    }
    if (hooks.signal.aborted) throw new StudioError('cancelled', 'Cancelled by the user.');
    throw error;
  }
}
