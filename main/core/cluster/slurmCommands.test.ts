/**
 * Slurm's commands as the cluster job uses them, against the real Slurm of scripts/slurm-local.sh
 * where it runs: a task that fails twice fails the run naming the task and its log, sbatch's own
 * refusal is shown, a missing sbatch is named, and the command prefix reaches the same Slurm.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClusterShell, shellQuote } from './clusterShell.ts';
import { sbatch, taskIndicesOf } from './slurmCommands.ts';
import { arrayScript, resolveClusterFolder, trainScript } from './sbatchScript.ts';
import { followClusterRun, taskSummary, type ClusterRunState } from './clusterRun.ts';
import { defaultClusterSettings, type ClusterSettings } from '../contract/parameters.ts';
import { missing } from '../util/testing/requirement.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-slurm-commands-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('squeue ids and shell words', () => {
  it('reads the task indices of array ids, pending ranges included', () => {
    expect(taskIndicesOf('12_3')).toEqual([3]);
    expect(taskIndicesOf('12_[0-2,5]')).toEqual([0, 1, 2, 5]);
    expect(taskIndicesOf('12_[4-6%2]')).toEqual([4, 5, 6]);
    expect(taskIndicesOf('12')).toBeNull();
  });

  it('quotes words so that a shell reads them back unchanged', () => {
    const words = ['plain', 'two words', "it's", '$HOME', 'a"b', ''];
    const echoed = spawnSync('bash', ['-c', `printf '%s\\n' ${words.map(shellQuote).join(' ')}`], { encoding: 'utf8' });
    expect(echoed.stdout.split('\n').slice(0, -1)).toEqual(words);
  });

  it('places a relative result folder under the shared folder, and refuses one without it', () => {
    expect(resolveClusterFolder('/scratch/me/run1/', '')).toBe('/scratch/me/run1/');
    expect(resolveClusterFolder('run1', '/scratch/me/wavediff')).toBe('/scratch/me/wavediff/run1');
    expect(() => resolveClusterFolder('run1', '')).toThrow(/Shared folder/);
  });

  it('trains on the GPUs the settings ask for, on the CPU where they ask for none', () => {
    const spec = { work: 'train' as const, args: ['stage1', '--data', '/d'], shards: 1, out: '/scratch/t' };
    const onGpu = trainScript(spec, { ...defaultClusterSettings, gpus: 1 }, false);
    expect(onGpu).toContain('#SBATCH --gpus=1\n');
    expect(onGpu).toMatch(/stage1 --data \/d --device cuda --out \/scratch\/t\/run >> \/scratch\/t\/progress\.jsonl\n$/);
    const onCpu = trainScript(spec, { ...defaultClusterSettings, gpus: 0 }, true);
    expect(onCpu).not.toContain('--gpus');
    expect(onCpu).toContain('--device cpu --out /scratch/t/run --resume >> /scratch/t/progress.jsonl');
  });

  it('names a missing sbatch', async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = dir;
    try {
      await expect(sbatch(new ClusterShell(''), '#!/bin/bash\ntrue\n')).rejects.toThrow(/'sbatch' was not found on this machine/);
    } finally {
      process.env.PATH = savedPath;
    }
  });
});

const slurmAnswers = spawnSync('scontrol', ['ping'], { encoding: 'utf8' }).stdout?.includes('UP') ?? false;

describe.skipIf(missing('a running Slurm (bash scripts/slurm-local.sh start)', slurmAnswers))('with a real Slurm', () => {
  const settings: ClusterSettings = { ...defaultClusterSettings, cpusPerTask: 1, memory: '100M', timeLimit: '5:00', pollSeconds: 0.2 };

  it("shows sbatch's own refusal", async () => {
    const script = arrayScript({ work: 'synth', args: [], shards: 2, out: path.join(dir, 'refused') }, { ...settings, partition: 'no-such-partition' });
    await expect(sbatch(new ClusterShell(''), script)).rejects.toThrow(/sbatch refused the script: .*invalid partition/i);
  });

  it('runs training as one job whose standard output (the JSON-lines progress) lands in a fresh OUT/progress.jsonl', async () => {
    const out = path.join(dir, 'train');
    // An earlier training's progress in the same folder is not this one's.
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'progress.jsonl'), '{"type":"done","kind":"stage1","step":9,"model_dir":"/elsewhere"}\n');
    // 'echo' stands for the trainer: it prints the arguments the job gives it (no GPUs asked: --device cpu).
    const result = await followClusterRun({ work: 'train', args: ['stage1', '--data', '/data/pairs'], shards: 1, out }, { ...settings, gpus: 0, trainerCommand: 'echo' }, undefined, {
      shell: new ClusterShell(''),
      signal: new AbortController().signal,
      checkpoint: () => undefined,
      log: () => undefined,
      progress: () => undefined,
      leavesJobsRunning: () => false,
    });
    expect(result.slurmJobIds).toHaveLength(1);
    expect(result.trainerDone).toBeNull();
    expect(fs.readFileSync(path.join(out, 'progress.jsonl'), 'utf8')).toBe(`stage1 --data /data/pairs --device cpu --out ${out}/run\n`);
    expect(fs.existsSync(path.join(out, 'logs', `train.job-${result.slurmJobIds[0]}.log`))).toBe(true);
  });

  it('resubmits a failed task alone, and fails the run naming the task and its log when it fails again (through a command prefix)', async () => {
    const out = path.join(dir, 'failing');
    const logs: string[] = [];
    let state: ClusterRunState | undefined;
    // 'false' stands for a studio command that exits 1 on the cluster; 'bash -c' for 'ssh user@login'.
    const run = followClusterRun({ work: 'synth', args: ['--family', 'flatvel-a'], shards: 2, out }, { ...settings, studioCommand: 'false' }, undefined, {
      shell: new ClusterShell('bash -c'),
      signal: new AbortController().signal,
      checkpoint: (s) => (state = structuredClone(s)),
      log: (message) => logs.push(message),
      progress: () => undefined,
      leavesJobsRunning: () => false,
    });
    const error = await run.then(() => null, (e: Error) => e);
    expect(error?.message).toMatch(/^task [01] \(Slurm \d+_[01]\) failed twice \(FAILED\); its log: .*\/logs\/shard-[01]\.job-\d+\.log\./);
    const log = /its log: (\S+)\./.exec(error!.message)![1];
    expect(fs.readFileSync(log, 'utf8')).toMatch(/wavediff synth: shard [01]\/2/);
    expect(logs.filter((m) => /ended FAILED .* resubmitted alone as Slurm job \d+/.test(m)).length).toBeGreaterThanOrEqual(1);
    const failedTwice = state!.tasks.find((t) => t.failures === 2)!;
    expect(failedTwice.jobIds).toHaveLength(2);
  });
});

describe('the Jobs view line', () => {
  it('lists a few tasks one by one and counts many by state', () => {
    const task = (index: number, state: string, tries = 1) => ({ index, state, jobIds: Array.from({ length: tries }, (_, i) => String(10 + i)), failures: tries - 1 });
    expect(taskSummary({ tasks: [task(0, 'COMPLETED'), task(1, 'RUNNING', 2), task(2, 'PENDING')], merge: null })).toBe('0 COMPLETED · 1 RUNNING (try 2) · 2 PENDING');
    const many = Array.from({ length: 20 }, (_, i) => task(i, i < 15 ? 'COMPLETED' : 'RUNNING', i === 3 ? 2 : 1));
    expect(taskSummary({ tasks: many, merge: { index: -1, jobIds: ['99'], state: 'PENDING', failures: 0 } })).toBe('15 COMPLETED · 5 RUNNING · resubmitted: 3 · merge PENDING');
  });
});
