// Worker thread of FdWorkerPool: runs whole shots on its own kernel instance.
import type { AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';
import { serveTasks } from '../workers/taskWorker.ts';
import { resolveKernel, type KernelChoice } from './kernels.ts';
import { runSampleShots } from './shots.ts';

/** A task: some shots of one velocity sample [nz, nx]. */
export interface FdTask {
  velocityMps: Float32Array;
  nz: number;
  nx: number;
  geometry: AcquisitionGeometry;
  shots: number[];
  kernel: KernelChoice;
  /** Keep wavefield snapshots every this many steps (0: none). */
  snapshotEverySteps: number;
}

/** Sent while a task runs: each finished shot (seismic [time, receivers]), and a kernel fallback once. */
export type FdTaskUpdate = { kind: 'shot'; shot: number; seismic: Float32Array; snapshots: Float32Array } | { kind: 'notice'; message: string };

/** The task ran all its shots, or stopped early because its run was cancelled. */
export interface FdTaskResult {
  stopped: boolean;
}

let noticeSent = false;

serveTasks<FdTask, FdTaskResult, FdTaskUpdate>('fd.worker.ts', {
  run(task, context) {
    const kernel = resolveKernel(task.kernel, (message) => {
      if (!noticeSent) context.update({ kind: 'notice', message });
      noticeSent = true;
    });
    runSampleShots(
      kernel,
      task.velocityMps,
      task.nz,
      task.nx,
      task.geometry,
      task.shots,
      (shot, { seismic, snapshots }) => context.update({ kind: 'shot', shot, seismic, snapshots }, [seismic.buffer as ArrayBuffer, snapshots.buffer as ArrayBuffer]),
      context.cancelled,
      task.snapshotEverySteps,
    );
    return { result: { stopped: context.cancelled() } };
  },
});
