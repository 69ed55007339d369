import os from 'node:os';
import { setMaxListeners } from 'node:events';
import type { WorkOptions } from '../util/progress.ts';
import { throwIfCancelled } from '../util/abort.ts';
import { WorkerPool } from '../workers/workerPool.ts';
import type { FdTask, FdTaskResult, FdTaskUpdate } from './fd.worker.ts';
import { recordedSamples, type VelocityShape } from './acquisition.ts';
import { type AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';
import type { KernelChoice } from './kernels.ts';
import { prepareForwardRun } from './shots.ts';

export interface FdWorkerPoolOptions {
  /** Worker threads: the cores the user allows. Default os.availableParallelism(). */
  size?: number;
  /** Kernel the workers use unless a run names one. Default 'auto'. */
  kernel?: KernelChoice;
}

/** A job's access to the studio's FD worker pool (created on first use, sized by the user's settings). */
export interface FdPoolService {
  fdPool(): FdWorkerPool;
}

type ShotResult = { seismic: Float32Array; snapshots: Float32Array };

/**
 * Worker threads that forward-model whole shots (or whole samples) per task: one grid is never
 * split across workers. A batch of several samples is spread by sample, a single sample by shot.
 * Velocity slices and results are transferred, not copied. Results do not depend on the pool size.
 * Cancelling a run rejects it at once; its workers stop after the shot they are on.
 */
export class FdWorkerPool {
  private readonly workers: WorkerPool<FdTask, FdTaskResult, FdTaskUpdate>;
  private readonly kernel: KernelChoice;
  /** Kernel fallbacks go to every run in progress (a worker reports one once). */
  private readonly noticeListeners = new Set<(message: string) => void>();

  constructor(options: FdWorkerPoolOptions = {}) {
    this.workers = new WorkerPool({
      entry: new URL('./fd.worker.ts', import.meta.url),
      size: options.size ?? os.availableParallelism(),
      name: 'FD worker pool',
      terminateMidTask: true,
    });
    this.kernel = options.kernel ?? 'auto';
  }

  get size(): number {
    return this.workers.size;
  }

  /**
   * Same contract as `forwardModel` (solver.ts): velocity [N, nz, nx] m/s → seismic
   * [N, sources, time, receivers]; progress in shots.
   */
  async forwardModel(
    velocityMps: Float32Array,
    shape: VelocityShape,
    geometry: AcquisitionGeometry,
    options: WorkOptions & { kernel?: KernelChoice } = {},
  ): Promise<Float32Array> {
    const { geometry: g } = prepareForwardRun(velocityMps, shape, geometry);
    const { n, nz, nx } = shape;
    const shots = g.sources.length;
    const shotLength = recordedSamples(g) * g.receivers.length;
    const seismic = new Float32Array(n * shots * shotLength);
    // Whole samples per task when there are enough to keep every worker busy, else single shots.
    const bySample = n >= 2 * this.size;
    const shotIndices = Array.from({ length: shots }, (_, i) => i);
    const tasks: Array<{ sample: number; shots: number[] }> = [];
    for (let sample = 0; sample < n; sample += 1) {
      for (const group of bySample ? [shotIndices] : shotIndices.map((shot) => [shot])) tasks.push({ sample, shots: group });
    }
    await this.run(velocityMps, nz, nx, g, tasks, 0, options, (sample, shot, result) => {
      seismic.set(result.seismic, (sample * shots + shot) * shotLength);
    });
    return seismic;
  }

  /**
   * One shot of one velocity model [nz, nx] on a worker, with wavefield snapshots every
   * `snapshotEverySteps` steps (modelWavefield in solver.ts validates and wraps it).
   */
  async modelShot(
    velocityMps: Float32Array,
    nz: number,
    nx: number,
    geometry: AcquisitionGeometry,
    shot: number,
    snapshotEverySteps: number,
    options: WorkOptions & { kernel?: KernelChoice } = {},
  ): Promise<ShotResult> {
    let result: ShotResult | undefined;
    await this.run(velocityMps, nz, nx, geometry, [{ sample: 0, shots: [shot] }], snapshotEverySteps, options, (_, __, shotResult) => {
      result = shotResult;
    });
    return result!;
  }

  /** Resolves once no run is queued or in progress. */
  whenIdle(): Promise<void> {
    return this.workers.whenIdle();
  }

  /** Terminates the workers; runs still going are rejected with 'cancelled'. */
  close(): Promise<void> {
    return this.workers.close();
  }

  /** Runs the tasks of one run and settles when all are done, one fails, or it is cancelled. */
  private async run(
    velocityMps: Float32Array,
    nz: number,
    nx: number,
    geometry: AcquisitionGeometry,
    tasks: Array<{ sample: number; shots: number[] }>,
    snapshotEverySteps: number,
    options: WorkOptions & { kernel?: KernelChoice },
    onShot: (sample: number, shot: number, result: ShotResult) => void,
  ): Promise<void> {
    throwIfCancelled(options.signal);
    const kernel = options.kernel ?? this.kernel;
    // One failed or cancelled task stops the others of its run.
    const run = new AbortController();
    setMaxListeners(0, run.signal); // one listener per task of the run
    const onAbort = (): void => run.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const onNotice = options.onNotice;
    if (onNotice) this.noticeListeners.add(onNotice);
    const total = tasks.reduce((sum, task) => sum + task.shots.length, 0);
    let done = 0;
    options.onProgress?.({ done, total, unit: 'shots' });
    try {
      await Promise.all(
        tasks.map(async (task) => {
          const velocity = velocityMps.slice(task.sample * nz * nx, (task.sample + 1) * nz * nx);
          const message: FdTask = { velocityMps: velocity, nz, nx, geometry, shots: task.shots, kernel, snapshotEverySteps };
          try {
            await this.workers.run(message, {
              transfer: [velocity.buffer],
              signal: run.signal,
              onUpdate: (update) => {
                if (update.kind === 'notice') {
                  for (const listener of this.noticeListeners) listener(update.message);
                  return;
                }
                onShot(task.sample, update.shot, update);
                done += 1;
                options.onProgress?.({ done, total, unit: 'shots' });
              },
            });
          } catch (error) {
            run.abort();
            throw error;
          }
        }),
      );
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      if (onNotice) this.noticeListeners.delete(onNotice);
    }
  }
}
