import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { StudioError, type StudioErrorCode } from '../contract/errors.ts';
import type { WorkOptions } from '../util/progress.ts';
import { startWorker } from '../workers/startWorker.ts';
import type { FdTaskMessage, FdWorkerReply } from './fd.worker.ts';
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

interface PendingTask {
  message: Omit<FdTaskMessage, 'taskId'>;
  run: RunState;
  sample: number;
}

interface RunState {
  /** Places one finished shot of a sample. */
  onShot: (sample: number, shot: number, result: { seismic: Float32Array; snapshots: Float32Array }) => void;
  /** Sample index of each dispatched task, by task id. */
  sampleOf: Map<number, number>;
  done: number;
  total: number;
  remainingTasks: number;
  cancelFlag: Int32Array;
  finished: boolean;
  options: WorkOptions;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  busy: { taskId: number; run: RunState } | null;
}

/**
 * Worker threads that forward-model whole shots (or whole samples) per task: one grid is never
 * split across workers. A batch of several samples is spread by sample, a single sample by shot.
 * Velocity slices and results are transferred, not copied. Results do not depend on the pool size.
 * Cancelling a run rejects it at once; its workers stop after the shot they are on.
 */
/** A job's access to the studio's FD worker pool (created on first use, sized by the user's settings). */
export interface FdPoolService {
  fdPool(): FdWorkerPool;
}

export class FdWorkerPool {
  readonly size: number;
  private readonly kernel: KernelChoice;
  private readonly slots: Slot[] = [];
  private readonly queue: PendingTask[] = [];
  private nextTaskId = 1;
  private closed = false;
  private readonly noticeListeners = new Set<(message: string) => void>();

  constructor(options: FdWorkerPoolOptions = {}) {
    const size = options.size ?? os.availableParallelism();
    if (!Number.isInteger(size) || size < 1) {
      throw new StudioError('bad_input', `FD worker pool size = ${size} must be a whole number ≥ 1.`);
    }
    this.size = size;
    this.kernel = options.kernel ?? 'auto';
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
    if (this.closed) throw new StudioError('conflict', 'The FD worker pool is closed; create a new one.');
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
  ): Promise<{ seismic: Float32Array; snapshots: Float32Array }> {
    if (this.closed) throw new StudioError('conflict', 'The FD worker pool is closed; create a new one.');
    let result: { seismic: Float32Array; snapshots: Float32Array } | undefined;
    await this.run(velocityMps, nz, nx, geometry, [{ sample: 0, shots: [shot] }], snapshotEverySteps, options, (_, __, shotResult) => {
      result = shotResult;
    });
    return result!;
  }

  /** Queues the tasks of one run and settles when all are done, one fails, or it is cancelled. */
  private run(
    velocityMps: Float32Array,
    nz: number,
    nx: number,
    geometry: AcquisitionGeometry,
    tasks: Array<{ sample: number; shots: number[] }>,
    snapshotEverySteps: number,
    options: WorkOptions & { kernel?: KernelChoice },
    onShot: RunState['onShot'],
  ): Promise<void> {
    const kernel = options.kernel ?? this.kernel;
    return new Promise<void>((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new StudioError('cancelled', 'Cancelled by the user.'));
        return;
      }
      const onAbort = (): void => this.finishRun(run, new StudioError('cancelled', 'Cancelled by the user.'));
      const run: RunState = {
        onShot,
        sampleOf: new Map(),
        done: 0,
        total: tasks.reduce((sum, task) => sum + task.shots.length, 0),
        remainingTasks: tasks.length,
        cancelFlag: new Int32Array(new SharedArrayBuffer(4)),
        finished: false,
        options,
        resolve: () => {
          options.signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error) => {
          options.signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.onNotice) this.noticeListeners.add(options.onNotice);
      for (const task of tasks) {
        const velocity = velocityMps.slice(task.sample * nz * nx, (task.sample + 1) * nz * nx);
        this.queue.push({
          message: { velocityMps: velocity, nz, nx, geometry, shots: task.shots, kernel, cancelFlag: run.cancelFlag, snapshotEverySteps },
          run,
          sample: task.sample,
        });
      }
      options.onProgress?.({ done: 0, total: run.total, unit: 'shots' });
      this.dispatch();
    });
  }

  /** Terminates the workers; runs still going are rejected with 'cancelled'. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) this.finishRun(task.run, new StudioError('cancelled', 'The FD worker pool was closed.'));
    const slots = this.slots.splice(0);
    for (const slot of slots) if (slot.busy) this.finishRun(slot.busy.run, new StudioError('cancelled', 'The FD worker pool was closed.'));
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private finishRun(run: RunState, error?: unknown): void {
    if (run.finished) return;
    run.finished = true;
    Atomics.store(run.cancelFlag, 0, 1);
    for (let i = this.queue.length - 1; i >= 0; i -= 1) if (this.queue[i].run === run) this.queue.splice(i, 1);
    if (run.options.onNotice) this.noticeListeners.delete(run.options.onNotice);
    if (error === undefined) run.resolve();
    else run.reject(error);
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.busy === null);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const task = this.queue.shift()!;
      const taskId = this.nextTaskId;
      this.nextTaskId += 1;
      task.run.sampleOf.set(taskId, task.sample);
      slot.busy = { taskId, run: task.run };
      const message: FdTaskMessage = { ...task.message, taskId };
      slot.worker.postMessage(message, [message.velocityMps.buffer as ArrayBuffer]);
    }
  }

  private spawn(): Slot {
    const worker = startWorker(new URL('./fd.worker.ts', import.meta.url));
    const slot: Slot = { worker, busy: null };
    worker.on('message', (reply: FdWorkerReply) => this.onReply(slot, reply));
    worker.on('error', (error) => this.onWorkerLost(slot, error));
    worker.on('exit', (code) => this.onWorkerLost(slot, new Error(`FD worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  private onWorkerLost(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    if (slot.busy) {
      this.finishRun(slot.busy.run, new StudioError('internal', `An FD worker thread failed: ${error.message}`));
    }
    if (!this.closed) this.dispatch();
  }

  private onReply(slot: Slot, reply: FdWorkerReply): void {
    if (reply.kind === 'notice') {
      for (const listener of this.noticeListeners) listener(reply.message);
      return;
    }
    const busy = slot.busy;
    if (!busy || busy.taskId !== reply.taskId) return;
    const run = busy.run;
    if (reply.kind === 'shot') {
      if (run.finished) return;
      run.onShot(run.sampleOf.get(reply.taskId)!, reply.shot, reply);
      run.done += 1;
      run.options.onProgress?.({ done: run.done, total: run.total, unit: 'shots' });
      return;
    }
    slot.busy = null;
    run.sampleOf.delete(reply.taskId);
    run.remainingTasks -= 1;
    if (reply.kind === 'error') {
      this.finishRun(run, new StudioError(reply.code as StudioErrorCode, reply.message));
    } else if (run.remainingTasks === 0 && !run.finished) {
      this.finishRun(run);
    }
    this.dispatch();
  }
}
