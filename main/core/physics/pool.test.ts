import { afterAll, describe, expect, test } from 'vitest';
import { isCancelled } from '../contract/errors.ts';
import type { Progress } from '../util/progress.ts';
import type { AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';
import { FdWorkerPool } from './pool.ts';
import { forwardModel, modelWavefield } from './solver.ts';

const nz = 24;
const nx = 32;

function geometry(steps = 150): AcquisitionGeometry {
  return {
    spacingMeters: 10,
    timeStepSeconds: 0.001,
    steps,
    recordEverySteps: 2,
    wavelet: { kind: 'ricker', peakFrequencyHz: 15, delaySeconds: 0.04 },
    sources: [
      { x: 2, z: 1 },
      { x: 16, z: 1 },
      { x: 29, z: 3 },
    ],
    receivers: Array.from({ length: 16 }, (_, i) => ({ x: 2 * i, z: 1 })),
    boundary: { kind: 'sponge', widthCells: 20 },
    topSurface: 'absorbing',
  };
}

/** n different velocity models [n, nz, nx]. */
function batch(n: number): Float32Array {
  const velocity = new Float32Array(n * nz * nx);
  for (let s = 0; s < n; s += 1) {
    for (let z = 0; z < nz; z += 1) {
      for (let x = 0; x < nx; x += 1) velocity[(s * nz + z) * nx + x] = z > 8 + s ? 2500 + 100 * s : 1800 + 20 * x;
    }
  }
  return velocity;
}

const pools: FdWorkerPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
});
function pool(size: number): FdWorkerPool {
  const created = new FdWorkerPool({ size, kernel: 'wasm' });
  pools.push(created);
  return created;
}

describe('FdWorkerPool', () => {
  test('results are identical in-thread and on 1 or 2 workers, by shot and by sample', async () => {
    const g = geometry();
    for (const n of [1, 5]) {
      const velocity = batch(n);
      const copy = velocity.slice();
      const inThread = await forwardModel(velocity, { n, nz, nx }, g, { kernel: 'wasm' });
      expect(inThread.length).toBe(n * 3 * 75 * 16);
      const progress: Progress[] = [];
      const one = await forwardModel(velocity, { n, nz, nx }, g, { pool: pool(1) });
      const two = await pool(2).forwardModel(velocity, { n, nz, nx }, g, { onProgress: (p) => progress.push(p) });
      expect(one).toEqual(inThread);
      expect(two).toEqual(inThread);
      expect(velocity).toEqual(copy); // the caller's array is neither detached nor changed
      expect(progress[0]).toEqual({ done: 0, total: 3 * n, unit: 'shots' });
      expect(progress.at(-1)).toEqual({ done: 3 * n, total: 3 * n, unit: 'shots' });
      expect(progress.map((p) => p.done)).toEqual(Array.from({ length: 3 * n + 1 }, (_, i) => i));
    }
  });

  test('wavefield snapshots on a worker equal those on the calling thread', async () => {
    const velocity = batch(1);
    const inThread = await modelWavefield(velocity, nz, nx, geometry(), { shot: 1, everySteps: 15, kernel: 'wasm' });
    const progress: Progress[] = [];
    const onWorker = await modelWavefield(velocity, nz, nx, geometry(), { shot: 1, everySteps: 15, pool: pool(2), onProgress: (p) => progress.push(p) });
    expect(onWorker.frames).toBe(10);
    expect(onWorker.snapshots).toEqual(inThread.snapshots);
    expect(onWorker.seismic).toEqual(inThread.seismic);
    expect(progress.at(-1)).toEqual({ done: 1, total: 1, unit: 'shots' });
  });

  test('cancelling stops the run at once and leaves the workers usable', async () => {
    const workers = pool(2);
    const controller = new AbortController();
    const n = 12;
    let shotsDone = 0;
    const run = workers.forwardModel(batch(n), { n, nz, nx }, geometry(1500), {
      signal: controller.signal,
      onProgress: (p) => {
        shotsDone = p.done;
        if (p.done === 2) controller.abort();
      },
    });
    const error = await run.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isCancelled(error)).toBe(true);
    expect(shotsDone).toBeLessThan(3 * n);
    // The next run on the same pool completes and matches the in-thread result.
    const velocity = batch(2);
    const again = await workers.forwardModel(velocity, { n: 2, nz, nx }, geometry());
    expect(again).toEqual(await forwardModel(velocity, { n: 2, nz, nx }, geometry(), { kernel: 'wasm' }));
  });

  test('an aborted signal rejects before any work; the in-thread path cancels too', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(pool(1).forwardModel(batch(1), { n: 1, nz, nx }, geometry(), { signal: controller.signal })).rejects.toMatchObject({ code: 'cancelled' });
    await expect(forwardModel(batch(1), { n: 1, nz, nx }, geometry(), { signal: controller.signal, kernel: 'wasm' })).rejects.toMatchObject({ code: 'cancelled' });
  });

  test('close() rejects runs still going and refuses new ones', async () => {
    const workers = new FdWorkerPool({ size: 1, kernel: 'wasm' });
    const run = workers.forwardModel(batch(4), { n: 4, nz, nx }, geometry(1000));
    const closing = workers.close();
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    await closing;
    await expect(workers.forwardModel(batch(1), { n: 1, nz, nx }, geometry())).rejects.toMatchObject({ code: 'conflict' });
  });
});
