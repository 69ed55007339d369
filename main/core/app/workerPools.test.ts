/**
 * The studio's worker pools follow the worker-thread setting without pulling a pool from under the
 * work that uses it: a job keeps the pool it started with, new work gets the new size, and the
 * replaced pool closes when its last job is done.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Studio } from './studio.ts';
import { studioJobKinds } from './jobKinds.ts';
import { dispatch } from '../api/handlers.ts';
import { readNpy } from '../io/npy.ts';
import { tinyGeometry } from '../physics/testing/tinyGeometry.ts';
import type { DatasetDetail, JobInfo } from '../contract/contract.ts';
import { concatenated } from '../util/typedArrays.ts';

let dir: string;
let studio: Studio;
const call = (method: string, args: unknown): Promise<any> => dispatch(studio, method, args);

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-worker-pools-'));
  studio = new Studio({ dataDir: path.join(dir, 'data'), shell: 'cli', jobKinds: studioJobKinds() });
  await studio.createProject(path.join(dir, 'project'), 'pools');
  await call('settings.update', { workerThreads: 2, maxConcurrentJobs: 2 });
  await call('project.setGeometry', { geometry: tinyGeometry() });
});

afterEach(async () => {
  await studio.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The dataset's seismic, all parts joined. */
async function seismicOf(datasetId: number): Promise<Float32Array> {
  const detail = (await call('dataset.get', { datasetId })) as DatasetDetail;
  const parts = detail.parts.map((p) => readNpy(path.join(studio.requireProject().arraysDir, p.seismicFile!)).data);
  return concatenated(parts, Float32Array);
}

describe('worker-thread setting', () => {
  it('changing it while a job runs leaves that job its pool; the next job gets the new size; the old pool closes after the job', async () => {
    const params = { family: 'flatvel-b', count: 16, seed: 11, samplesPerFile: 4 };
    const twoThreads = studio.fdPool();
    expect(twoThreads.size).toBe(2);

    // Inside the first job's first progress update (it has work left and its shots are on the pool),
    // the user sets one thread and starts a second job, which starts at once and takes its pool.
    let second: JobInfo | undefined;
    const off = studio.onEvent((event, payload) => {
      const update = payload as JobInfo;
      if (event !== 'job.updated' || update.status !== 'running' || update.progress.total <= 0 || update.progress.done >= update.progress.total) return;
      off();
      studio.user.updateSettings({ workerThreads: 1 });
      second = studio.jobs.start('physics.synthesize', { ...params, name: 'on one thread' });
    });
    const first = (await call('physics.synthesize', { ...params, name: 'on two threads' })) as JobInfo;

    const firstDone = await studio.jobs.waitFor(first.id);
    expect(firstDone).toMatchObject({ status: 'done', error: null });
    expect(second?.kind).toBe('physics.synthesize');
    expect(await studio.jobs.waitFor(second!.id)).toMatchObject({ status: 'done', error: null });

    const oneThread = studio.fdPool();
    expect(oneThread).not.toBe(twoThreads);
    expect(oneThread.size).toBe(1);
    // the replaced pool closed once the first job was done with it
    await vi.waitFor(() => expect(twoThreads.forwardModel(new Float32Array(16 * 16).fill(2000), { n: 1, nz: 16, nx: 16 }, tinyGeometry())).rejects.toMatchObject({ code: 'conflict' }));

    // Results do not depend on the pool size: both datasets hold the same seismic.
    const datasets = ((await call('dataset.list', {})) as DatasetDetail[]).sort((a, b) => a.name.localeCompare(b.name));
    expect(datasets.map((d) => [d.name, d.nSamples])).toEqual([
      ['on one thread', 16],
      ['on two threads', 16],
    ]);
    const [fromOne, fromTwo] = await Promise.all(datasets.map((d) => seismicOf(d.id)));
    expect(fromTwo.length).toBe(16 * 2 * 60 * 16);
    expect(Buffer.from(fromOne.buffer).equals(Buffer.from(fromTwo.buffer))).toBe(true);
  });
});
