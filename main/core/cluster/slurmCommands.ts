/**
 * Slurm's client commands as the studio uses them: `sbatch --parsable` (script on stdin),
 * `squeue -h -r -t all` and `scontrol show job` for the state of each task — never `sacct`, which
 * needs an accounting database many clusters lack — and `scancel`.
 */
import { StudioError } from '../contract/errors.ts';
import type { ClusterShell } from './clusterShell.ts';

/** A job's or array task's state as squeue's %T and scontrol's JobState= print it (COMPLETED, RUNNING, …). */
export type SlurmState = string;

/** States after which Slurm will not run the task again by itself. */
const finishedStates = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED', 'SPECIAL_EXIT', 'REVOKED']);

export const isFinished = (state: SlurmState): boolean => finishedStates.has(state);
export const isFailed = (state: SlurmState): boolean => isFinished(state) && state !== 'COMPLETED';

/** Submits a script; `array` overrides its #SBATCH --array (a resubmission of some tasks). Returns the job id. */
export async function sbatch(shell: ClusterShell, script: string, options: { array?: string; signal?: AbortSignal } = {}): Promise<string> {
  const argv = ['sbatch', '--parsable', ...(options.array !== undefined ? [`--array=${options.array}`] : [])];
  const result = await shell.run(argv, { stdin: script, signal: options.signal });
  // --parsable prints "JOBID" or "JOBID;CLUSTER".
  const jobId = result.stdout.trim().split(';')[0];
  if (result.code === 127) {
    throw new StudioError('not_found', `sbatch was not found where the command prefix runs it: ${result.stderr.trim()}. Check Settings → Cluster → Command prefix (it must reach a login node with Slurm's commands on its PATH).`);
  }
  if (result.code !== 0 || !/^\d+$/.test(jobId)) {
    const said = (result.stderr.trim() || result.stdout.trim() || `exit status ${result.code}`).slice(0, 2000);
    throw new StudioError('bad_input', `sbatch refused the script: ${said}\nCheck Settings → Cluster (partition, account, time limit, memory) against what the cluster allows.`);
  }
  return jobId;
}

/** "12_[0-3,5]", "12_4" or "12": the array task indices a squeue line names (null: not an array task). */
export function taskIndicesOf(slurmId: string): number[] | null {
  const match = /^\d+_(\d+|\[([0-9,\-%]+)\])$/.exec(slurmId);
  if (!match) return null;
  if (match[2] === undefined) return [Number(match[1])];
  const indices: number[] = [];
  for (const part of match[2].split('%')[0].split(',')) {
    const [from, to] = part.split('-').map(Number);
    for (let i = from; i <= (to ?? from); i++) indices.push(i);
  }
  return indices;
}

/**
 * Reasons squeue gives for a pending job that will never start by itself: the request exceeds what
 * the partition offers (more CPUs, memory or time than its nodes or limits allow).
 */
const impossibleReasons = new Set(['PartitionConfig', 'PartitionTimeLimit', 'PartitionNodeLimit', 'BadConstraints', 'InvalidAccount', 'InvalidQOS']);

export interface TaskState {
  state: SlurmState;
  /** squeue's %r for a pending task that cannot start as asked; undefined otherwise. */
  impossible?: string;
}

/** The state of each task of job `jobId` (key: task index; -1 for a job that is not an array) that squeue still knows. */
export async function squeueStates(shell: ClusterShell, jobId: string, signal?: AbortSignal): Promise<Map<number, TaskState>> {
  const result = await shell.run(['squeue', '-h', '-r', '-t', 'all', '-j', jobId, '-o', '%i %T %r'], { signal });
  const states = new Map<number, TaskState>();
  // A job Slurm has forgotten (older than MinJobAge) is "Invalid job id": no states, not an error.
  if (result.code !== 0) {
    if (/invalid job id/i.test(result.stderr)) return states;
    throw new StudioError('io', `squeue failed on job ${jobId}: ${result.stderr.trim() || `exit status ${result.code}`}`);
  }
  for (const line of result.stdout.split('\n')) {
    const [id, state, reason] = line.trim().split(/\s+/);
    if (!id || !state) continue;
    const indices = id === jobId ? [-1] : taskIndicesOf(id);
    const impossible = state === 'PENDING' && impossibleReasons.has(reason) ? reason : undefined;
    for (const index of indices ?? []) states.set(index, { state, impossible });
  }
  return states;
}

/** `scontrol show job ID` for one task squeue did not list: its JobState, or null when Slurm no longer knows it. */
export async function scontrolState(shell: ClusterShell, slurmId: string, signal?: AbortSignal): Promise<SlurmState | null> {
  const result = await shell.run(['scontrol', '-o', 'show', 'job', slurmId], { signal });
  if (result.code !== 0) return null;
  return /\bJobState=(\S+)/.exec(result.stdout)?.[1] ?? null;
}

/** Cancels jobs or array tasks ("12", "12_3"); those already finished are ignored by scancel. */
export async function scancel(shell: ClusterShell, slurmIds: string[]): Promise<void> {
  if (slurmIds.length === 0) return;
  const result = await shell.run(['scancel', ...slurmIds]);
  if (result.code !== 0) throw new StudioError('io', `scancel ${slurmIds.join(' ')} failed: ${result.stderr.trim() || `exit status ${result.code}`}`);
}
