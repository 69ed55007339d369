/**
 * The sbatch scripts the studio submits: an array whose task I makes shard I of a synthesis or
 * generation, the merge of the shards as a job of its own, and one GPU job for training. Every
 * path is the cluster's. A task's log is `OUT/logs/shard-I.job-J.log` (J: the Slurm job that ran
 * it, a resubmission has its own), the merge's `OUT/logs/merge.job-J.log`, training's
 * `OUT/logs/train.job-J.log` beside its JSON-lines progress `OUT/progress.jsonl`.
 */
import path from 'node:path';
import { StudioError } from '../contract/errors.ts';
import type { ClusterSettings, ClusterWork } from '../contract/parameters.ts';
import { settingWords, shellQuote } from './clusterShell.ts';

export interface ClusterWorkSpec {
  work: ClusterWork;
  /** Options of the cluster-side command, without --shard/--out (train: the trainer's, without --out/--device). */
  args: string[];
  /** Array tasks (1 for train). */
  shards: number;
  /** Result folder on the cluster. */
  out: string;
}

/** `sbatch` cannot quote paths in #SBATCH lines: the result folder must be a plain absolute path. */
export function checkClusterFolder(out: string): void {
  if (!path.posix.isAbsolute(out) || !/^[A-Za-z0-9_@%+=:,./-]+$/.test(out)) {
    throw new StudioError('bad_input', `--out ${out}: give an absolute folder on the cluster without spaces, quotes or $ (Slurm's #SBATCH lines cannot quote it), e.g. /scratch/$USER/run1 written out.`);
  }
}

/** The result folder on the cluster: `out` itself when absolute, else under the shared folder (Settings → Cluster). */
export function resolveClusterFolder(out: string, sharedFolder: string): string {
  if (path.posix.isAbsolute(out)) return path.posix.normalize(out);
  if (!sharedFolder) throw new StudioError('bad_input', `${out}: give an absolute folder on the cluster, or set Settings → Cluster → Shared folder for folders relative to it.`);
  return path.posix.join(sharedFolder, out);
}

export const logsFolder = (out: string): string => path.posix.join(out, 'logs');
export const shardFolder = (out: string, index: number): string => path.posix.join(out, `shard-${index}`);
export const taskLog = (out: string, index: number, jobId: string): string => path.posix.join(logsFolder(out), `shard-${index}.job-${jobId}.log`);
export const mergeLog = (out: string, jobId: string): string => path.posix.join(logsFolder(out), `merge.job-${jobId}.log`);
export const trainLog = (out: string, jobId: string): string => path.posix.join(logsFolder(out), `train.job-${jobId}.log`);
export const trainProgressFile = (out: string): string => path.posix.join(out, 'progress.jsonl');
export const trainRunFolder = (out: string): string => path.posix.join(out, 'run');

function header(name: string, settings: ClusterSettings, log: string, extra: string[]): string[] {
  return [
    '#!/bin/bash',
    `#SBATCH --job-name=${name}`,
    `#SBATCH --output=${log}`,
    `#SBATCH --time=${settings.timeLimit}`,
    `#SBATCH --cpus-per-task=${settings.cpusPerTask}`,
    `#SBATCH --mem=${settings.memory}`,
    ...(settings.partition ? [`#SBATCH --partition=${settings.partition}`] : []),
    ...(settings.account ? [`#SBATCH --account=${settings.account}`] : []),
    ...extra.map((line) => `#SBATCH ${line}`),
    'set -euo pipefail',
  ];
}

const commandText = (command: string, args: string[]): string => [...settingWords(command), ...args.map(shellQuote)].join(' ');

/** The array job: task $SLURM_ARRAY_TASK_ID writes shard I of N into OUT/shard-I. */
export function arrayScript(spec: ClusterWorkSpec, settings: ClusterSettings): string {
  if (spec.work === 'train') throw new Error('arrayScript: training is one job, not an array');
  checkClusterFolder(spec.out);
  const lines = header(`wavediff-${spec.work}`, settings, path.posix.join(logsFolder(spec.out), 'shard-%a.job-%A.log'), [`--array=0-${spec.shards - 1}`]);
  lines.push(
    'task=$SLURM_ARRAY_TASK_ID',
    `echo "wavediff ${spec.work}: shard $task/${spec.shards} on $(hostname), job $SLURM_ARRAY_JOB_ID"`,
    `exec ${commandText(settings.studioCommand, [spec.work, ...spec.args])} --shard "$task/${spec.shards}" --out ${shellQuote(spec.out)}/shard-"$task"`,
  );
  return `${lines.join('\n')}\n`;
}

/** The merge: `wavediff merge OUT/shard-0 … --out OUT`, run once every task is done. */
export function mergeScript(spec: ClusterWorkSpec, settings: ClusterSettings): string {
  checkClusterFolder(spec.out);
  const shards = Array.from({ length: spec.shards }, (_, i) => shardFolder(spec.out, i));
  const lines = header(`wavediff-merge`, settings, path.posix.join(logsFolder(spec.out), 'merge.job-%j.log'), []);
  lines.push(`exec ${commandText(settings.studioCommand, ['merge', ...shards, '--out', spec.out])}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Training as one cluster job: the studio's trainer with --device cuda on the job's GPUs (Settings →
 * Cluster → GPUs), or --device cpu where that is 0 (a CPU partition); its JSON-lines progress
 * (stdout) is appended to OUT/progress.jsonl, which the studio reads as it grows, its log (stderr)
 * goes to the job's log. A resubmission continues from the trainer's checkpoint (--resume).
 */
/** The trainer's --device on the cluster: its GPUs, or the CPU where the job asks for none. */
export const trainingDevice = (settings: Pick<ClusterSettings, 'gpus'>): 'cuda' | 'cpu' => (settings.gpus > 0 ? 'cuda' : 'cpu');

export function trainScript(spec: ClusterWorkSpec, settings: ClusterSettings, resume: boolean): string {
  checkClusterFolder(spec.out);
  const lines = header('wavediff-train', settings, path.posix.join(logsFolder(spec.out), 'train.job-%j.log'), settings.gpus > 0 ? [`--gpus=${settings.gpus}`] : []);
  const args = [...spec.args, '--device', trainingDevice(settings), '--out', trainRunFolder(spec.out), ...(resume ? ['--resume'] : [])];
  lines.push(`${commandText(settings.trainerCommand, args)} >> ${shellQuote(trainProgressFile(spec.out))}`);
  return `${lines.join('\n')}\n`;
}
