/**
 * The cluster job against a real Slurm (bash scripts/slurm-local.sh start): a 4-task generation
 * array with the shipped default models, one task cancelled while it runs (scancel JOB_TASK) and
 * resubmitted alone, the studio closed and reopened meanwhile (the job re-attaches by polling), the
 * merge as a job of its own, and the merged set byte-identical to one local unsharded run.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Studio } from '../app/studio.ts';
import { studioJobKinds } from '../app/jobKinds.ts';
import { dispatch } from '../api/handlers.ts';
import { appRoot } from '../util/paths.ts';
import { shippedModelsDir } from '../ml/modelRegistry.ts';
import { missing } from '../util/testing/requirement.ts';
import type { JobInfo } from '../contract/contract.ts';
import type { ClusterRunResult, ClusterRunState } from './clusterRun.ts';

const cli = path.join(appRoot(), 'bin', 'wavediff.mjs');
const slurmAnswers = spawnSync('scontrol', ['ping'], { encoding: 'utf8' }).stdout?.includes('UP') ?? false;
const defaultsShipped = ['stage1', 'stage2', 'inversionnet'].every((kind) => fs.existsSync(path.join(shippedModelsDir(), kind, 'manifest.json')));
const skip = missing('a running Slurm (bash scripts/slurm-local.sh start)', slurmAnswers) || missing(`the default models in ${shippedModelsDir()}`, defaultsShipped);

/** A tiny generation: one pair per file, so that each of the 4 tasks (contiguous whole files) makes one. */
const generation = ['--count', '4', '--samples-per-file', '1', '--batch-size', '1', '--sampler', 'ab3', '--steps', '2', '--seed', '11', '--no-physics', '--no-segy'];

let dir: string;
const savedDataDir = process.env.WAVEDIFF_DATA_DIR;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-slurm-'));
  // The array's tasks inherit this environment (sbatch --export=ALL): their scratch projects go here.
  process.env.WAVEDIFF_DATA_DIR = path.join(dir, 'user');
});

afterAll(() => {
  if (savedDataDir === undefined) delete process.env.WAVEDIFF_DATA_DIR;
  else process.env.WAVEDIFF_DATA_DIR = savedDataDir;
  fs.rmSync(dir, { recursive: true, force: true });
});

function npyBytes(folder: string): Record<string, Buffer> {
  return Object.fromEntries(fs.readdirSync(folder).filter((n) => /^(data|model)\d+\.npy$/.test(n)).sort().map((n) => [n, fs.readFileSync(path.join(folder, n))]));
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await sleep(50);
  }
}

describe.skipIf(skip)('a generation on Slurm', () => {
  it('runs 4 tasks, resubmits a cancelled one alone, survives a studio restart, merges, and matches a local run byte for byte', async () => {
    const out = path.join(dir, 'cluster-run');
    const projectDir = path.join(dir, 'project');
    // A window's studio (not a command's): it re-attaches to cluster jobs when it opens the project.
    const studio = new Studio({ dataDir: path.join(dir, 'user'), shell: 'browser', jobKinds: studioJobKinds() });
    try {
      studio.user.updateSettings({
        cluster: { ...studio.user.settings().cluster, studioCommand: `${process.execPath} ${cli}`, cpusPerTask: 1, memory: '1G', timeLimit: '10:00', pollSeconds: 0.3 },
      });
      await studio.createProject(projectDir, 'slurm test', { remember: false });
      const job = (await dispatch(studio, 'cluster.submit', { work: 'generate', args: generation, shards: 4, out })) as JobInfo;
      const runState = (): ClusterRunState | undefined => (studio.requireProject().catalogue.getJob(job.id).resumeState as ClusterRunState | null) ?? undefined;

      // Cancel task 1 while it runs, as a failing node or an operator would.
      const running = await until('task 1 to run', () => runState()?.tasks.find((t) => t.index === 1 && t.state === 'RUNNING'));
      const cancelled = spawnSync('scancel', [`${running.jobIds[0]}_1`], { encoding: 'utf8' });
      expect(cancelled.status, cancelled.stderr).toBe(0);
      const resubmitted = await until('task 1 to be resubmitted', () => runState()?.tasks.find((t) => t.index === 1 && t.jobIds.length === 2));
      expect(resubmitted.jobIds[1]).not.toBe(resubmitted.jobIds[0]);

      // The studio stops while the cluster works; reopened, the job re-attaches to the same Slurm jobs by itself.
      await studio.closeProject();
      await studio.openProject(projectDir, { remember: false });
      expect(['queued', 'running']).toContain(studio.jobs.get(job.id).status);
      const final = await studio.jobs.waitFor(job.id);
      const log = studio.requireProject().catalogue.jobEvents(job.id, 0).map((e) => e.message);
      expect(final.status, `${final.error}\n${log.join('\n')}`).toBe('done');
      expect(log.some((m) => /task 1 .* ended CANCELLED .*resubmitted alone/.test(m))).toBe(true);
      expect(log.some((m) => m.startsWith('Re-attached'))).toBe(true);
      expect(log.some((m) => /submitted the merge/.test(m))).toBe(true);
      const result = final.result as ClusterRunResult;
      expect(result.slurmJobIds).toContain(resubmitted.jobIds[1]);
      expect(final.progress).toMatchObject({ done: 5, total: 5, unit: 'tasks' });
      expect(fs.existsSync(path.join(out, 'logs', `shard-1.job-${resubmitted.jobIds[0]}.log`))).toBe(true);
      expect(fs.existsSync(path.join(out, 'logs', `shard-1.job-${resubmitted.jobIds[1]}.log`))).toBe(true);
    } finally {
      await studio.shutdown();
    }

    const local = path.join(dir, 'local-run');
    const unsharded = spawnSync(process.execPath, [cli, 'generate', ...generation, '--out', local], { encoding: 'utf8' });
    expect(unsharded.status, unsharded.stderr).toBe(0);
    const merged = npyBytes(out);
    const expected = npyBytes(local);
    expect(Object.keys(merged)).toEqual(Object.keys(expected));
    expect(Object.keys(merged).length).toBeGreaterThan(0);
    for (const name of Object.keys(expected)) expect(merged[name].equals(expected[name]), name).toBe(true);
  }, 120_000);
});
