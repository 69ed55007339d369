import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { JobManager } from './jobManager.ts';
import type { JobKind } from './jobKind.ts';
import { Project, jobStagingDir } from '../store/project.ts';
import { throwIfCancelled } from '../util/abort.ts';
import { writeFileAtomic } from '../util/atomicFile.ts';
import { type JobInfo } from '../contract/contract.ts';
import { defaultClusterSettings } from '../contract/parameters.ts';
import { OPENFWI_VELOCITY_RANGE_MPS } from '../contract/velocityRange.ts';
import { StudioError } from '../contract/errors.ts';

/**
 * A real job for exercising the manager: it writes `count` numbered files into its staging folder,
 * one per step, checkpointing after each file is complete, and yields to the event loop between
 * steps like every studio job does.
 */
const writeFilesKind: JobKind<{ count: number; stepMs: number }, { written: number }, { files: number }> = {
  kind: 'test.writeFiles',
  paramsSchema: z.object({ count: z.number().int().min(1), stepMs: z.number().min(0) }),
  title: (p) => `Write ${p.count} files`,
  async run(ctx, params) {
    const staging = jobStagingDir(ctx.projectDir, ctx.jobId);
    fs.mkdirSync(staging, { recursive: true });
    for (let i = ctx.resumeState?.written ?? 0; i < params.count; i += 1) {
      throwIfCancelled(ctx.signal);
      await new Promise((resolve) => setTimeout(resolve, params.stepMs));
      writeFileAtomic(path.join(staging, `file-${i}.txt`), `${i}`);
      ctx.checkpoint({ written: i + 1 });
      ctx.progress({ done: i + 1, total: params.count, unit: 'files' });
    }
    return { files: fs.readdirSync(staging).length };
  },
};

/** The clock of the manager in the throttle test; the job below advances it instead of sleeping. */
let clockMs = 0;
const clockedStepsKind: JobKind<{ steps: number; stepMs: number }, unknown, null> = {
  kind: 'test.clockedSteps',
  paramsSchema: z.object({ steps: z.number().int().min(1), stepMs: z.number().min(0) }),
  title: (p) => `${p.steps} steps`,
  async run(ctx, params) {
    for (let i = 0; i < params.steps; i += 1) {
      await Promise.resolve();
      clockMs += params.stepMs;
      ctx.progress({ done: i + 1, total: params.steps, unit: 'steps' });
    }
    return null;
  },
};

/** Fails at once: with a StudioError of `code`, or a plain Error (what a crashed library throws). */
const failKind: JobKind<{ code: string | null }, never, never> = {
  kind: 'test.fail',
  paramsSchema: z.object({ code: z.string().nullable() }),
  title: () => 'Fail',
  async run(_ctx, params) {
    if (params.code) throw new StudioError(params.code as 'bad_input', `refused (${params.code})`);
    throw new Error('the disk is full');
  },
};

const services = {
  fdPool: () => {
    throw new Error('these jobs use no solver');
  },
  settings: () => ({ pythonPath: null, workerThreads: 1, maxConcurrentJobs: 1, velocityDisplayRangeMps: { ...OPENFWI_VELOCITY_RANGE_MPS }, cluster: { ...defaultClusterSettings } }),
  notice: () => undefined,
};

let dir: string;
let project: Project;
let manager: JobManager;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-jobs-'));
  project = Project.create(path.join(dir, 'p'), 'p');
  manager = new JobManager({ maxConcurrent: 1, services });
  manager.register(writeFilesKind);
  manager.register(failKind);
  manager.attach(project);
});

afterEach(async () => {
  await manager.detach();
  project.close();
});

function waitForStatus(jobId: number, predicate: (job: JobInfo) => boolean): Promise<JobInfo> {
  return new Promise((resolve) => {
    const off = manager.onUpdate((job) => {
      if (job.id === jobId && predicate(job)) {
        off();
        resolve(job);
      }
    });
  });
}

describe('job manager', () => {
  it('runs a job to completion, persisting progress, result and log', async () => {
    const updates: JobInfo[] = [];
    manager.onUpdate((j) => updates.push(j));
    const job = manager.start('test.writeFiles', { count: 5, stepMs: 1 });
    expect(job.status).toBe('queued');
    const final = await manager.waitFor(job.id);
    expect(final.status).toBe('done');
    expect(final.result).toEqual({ files: 5 });
    expect(final.progress).toMatchObject({ done: 5, total: 5, unit: 'files' });
    expect(updates.some((u) => u.status === 'running')).toBe(true);
    expect(project.catalogue.jobEvents(job.id).map((e) => e.message)).toContain('Finished.');
  });

  it('persists and publishes progress at most every 100 ms of its clock, and always the last value', async () => {
    clockMs = 1_000;
    const clocked = new JobManager({ maxConcurrent: 1, services, now: () => clockMs });
    clocked.register(clockedStepsKind);
    await manager.detach();
    clocked.attach(project);
    const published: number[] = [];
    clocked.onUpdate((j) => j.status === 'running' && published.push(j.progress.done));
    // 200 steps of 10 ms on the manager's clock: progress goes out at start, at steps 1, 11, …, 191 and at the end.
    const job = clocked.start('test.clockedSteps', { steps: 200, stepMs: 10 });
    const done = await clocked.waitFor(job.id);
    await clocked.detach();
    expect(done.status).toBe('done');
    expect(published).toEqual([0, ...Array.from({ length: 20 }, (_, k) => 1 + 10 * k), 200]);
    expect(project.catalogue.getJob(job.id).progress.done).toBe(200);
  });

  it('rejects invalid parameters before recording anything', () => {
    expect(() => manager.start('test.writeFiles', { count: -1, stepMs: 0 })).toThrow(/Invalid parameters for test.writeFiles: count/);
    expect(() => manager.start('no.such.kind', {})).toThrow(/no job kind/);
    expect(manager.list()).toHaveLength(0);
  });

  it('cancels a running job between steps and resumes it from its checkpoint without repeating work', async () => {
    const job = manager.start('test.writeFiles', { count: 40, stepMs: 5 });
    await waitForStatus(job.id, (j) => j.progress.done >= 3);
    manager.cancel(job.id);
    const cancelled = await manager.waitFor(job.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.resumable).toBe(true);
    const writtenBefore = (project.catalogue.getJob(job.id).resumeState as { written: number }).written;
    expect(writtenBefore).toBeGreaterThanOrEqual(3);
    expect(writtenBefore).toBeLessThan(40);

    expect(cancelled.etaSeconds).toBeNull();
    expect(cancelled.runSeconds).toBeGreaterThan(0);

    const updates: JobInfo[] = [];
    manager.onUpdate((j) => updates.push(j));
    manager.resume(job.id);
    const done = await manager.waitFor(job.id);
    expect(done.status).toBe('done');
    expect(done.result).toEqual({ files: 40 });
    // Only a running job has an ETA; the time it took is both runs, not the last one alone.
    expect(updates.filter((u) => u.status !== 'running' && u.etaSeconds !== null)).toEqual([]);
    const lastRun = (Date.parse(done.finishedAt!) - Date.parse(done.startedAt!)) / 1000;
    expect(done.runSeconds).toBeGreaterThan(lastRun);
    expect(done.runSeconds).toBeCloseTo(cancelled.runSeconds + lastRun, 1);
  });

  it('offers to resume a failed job only when it did not fail on its parameters or data', async () => {
    for (const code of ['bad_input', 'bad_file', 'unsupported']) {
      const refused = await manager.waitFor(manager.start('test.fail', { code }).id);
      expect(refused).toMatchObject({ status: 'failed', errorCode: code, resumable: false, error: `refused (${code})` });
      expect(() => manager.resume(refused.id)).toThrow(/would fail the same way/);
      expect(manager.discard(refused.id).status).toBe('discarded');
    }
    for (const code of ['io', null]) {
      const failed = await manager.waitFor(manager.start('test.fail', { code }).id);
      expect(failed).toMatchObject({ status: 'failed', errorCode: code ?? 'internal', resumable: true });
      expect(manager.resume(failed.id).status).toBe('queued');
      expect((await manager.waitFor(failed.id)).status).toBe('failed');
    }
  });

  it('marks jobs a crash left running as interrupted when the project is reopened; discard removes their output', async () => {
    const job = manager.start('test.writeFiles', { count: 1000, stepMs: 5 });
    await waitForStatus(job.id, (j) => j.progress.done >= 2);
    await manager.detach();
    project.close();
    // What a crash leaves: the catalogue still says 'running' and the staging folder is half full.
    // (writeLock.test.ts kills a real process; this one rewrites the status under the lock.)
    const crashed = Project.open(path.join(dir, 'p'));
    const lastUpdate = crashed.catalogue.setJobStatus(job.id, 'running').updatedAt;
    crashed.close();
    project = Project.open(path.join(dir, 'p'));
    manager = new JobManager({ services });
    manager.register(writeFilesKind);
    manager.attach(project);
    const interrupted = manager.get(job.id);
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.resumable).toBe(true);
    // It stopped at its last update (not when the next process noticed), and ran until then.
    expect(interrupted.finishedAt).toBe(lastUpdate);
    expect(interrupted.etaSeconds).toBeNull();
    const staging = project.jobStagingDir(job.id);
    expect(fs.existsSync(staging)).toBe(true);
    expect(manager.discard(job.id).status).toBe('discarded');
    expect(fs.existsSync(staging)).toBe(false);
  });

  it('leaves the jobs of a project opened read-only as they are, and refuses to change them', async () => {
    const job = manager.start('test.writeFiles', { count: 1000, stepMs: 5 });
    await waitForStatus(job.id, (j) => j.progress.done >= 1);
    const reader = Project.open(project.folder, { readOnly: true });
    const watcher = new JobManager({ services });
    watcher.register(writeFilesKind);
    watcher.attach(reader);
    // This process writes the project, so the job is running, not interrupted.
    expect(watcher.get(job.id).status).toBe('running');
    expect(() => watcher.discard(job.id)).toThrow(/open read-only/);
    expect(() => watcher.start('test.writeFiles', { count: 1, stepMs: 0 })).toThrow(/open read-only/);
    await watcher.detach();
    reader.close();
    expect(manager.get(job.id).status).toBe('running');
    manager.cancel(job.id);
    expect((await manager.waitFor(job.id)).status).toBe('cancelled');
  });

  it('queues beyond the concurrency limit and runs queued jobs in order', async () => {
    const first = manager.start('test.writeFiles', { count: 3, stepMs: 2 });
    const second = manager.start('test.writeFiles', { count: 2, stepMs: 1 });
    expect(manager.get(second.id).status).toBe('queued');
    await manager.waitFor(second.id);
    const firstJob = project.catalogue.getJob(first.id);
    const secondJob = project.catalogue.getJob(second.id);
    expect(firstJob.status).toBe('done');
    expect(secondJob.startedAt! >= firstJob.finishedAt!).toBe(true);
  });
});
