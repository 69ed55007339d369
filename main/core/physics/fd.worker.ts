// Worker thread of FdWorkerPool: runs whole shots on its own kernel instance.
import { parentPort } from 'node:worker_threads';
import { toWireError } from '../contract/errors.ts';
import type { AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';
import { resolveKernel, type KernelChoice } from './kernels.ts';
import { runSampleShots } from './shots.ts';

/** A task: some shots of one velocity sample [nz, nx]. */
export interface FdTaskMessage {
  taskId: number;
  velocityMps: Float32Array;
  nz: number;
  nx: number;
  geometry: AcquisitionGeometry;
  shots: number[];
  kernel: KernelChoice;
  /** Int32Array over a SharedArrayBuffer: [0] becomes 1 when the run is cancelled. */
  cancelFlag: Int32Array;
  /** Keep wavefield snapshots every this many steps (0: none). */
  snapshotEverySteps: number;
}

export type FdWorkerReply =
  | { kind: 'shot'; taskId: number; shot: number; seismic: Float32Array; snapshots: Float32Array }
  | { kind: 'done'; taskId: number; stopped: boolean }
  | { kind: 'error'; taskId: number; code: string; message: string }
  | { kind: 'notice'; message: string };

const port = parentPort;
if (!port) throw new Error('fd.worker.ts must run in a worker thread (FdWorkerPool starts it).');

let noticeSent = false;

port.on('message', (task: FdTaskMessage) => {
  try {
    const kernel = resolveKernel(task.kernel, (message) => {
      if (!noticeSent) port.postMessage({ kind: 'notice', message } satisfies FdWorkerReply);
      noticeSent = true;
    });
    const stop = (): boolean => Atomics.load(task.cancelFlag, 0) !== 0;
    runSampleShots(
      kernel,
      task.velocityMps,
      task.nz,
      task.nx,
      task.geometry,
      task.shots,
      (shot, { seismic, snapshots }) => {
        port.postMessage({ kind: 'shot', taskId: task.taskId, shot, seismic, snapshots } satisfies FdWorkerReply, [
          seismic.buffer as ArrayBuffer,
          snapshots.buffer as ArrayBuffer,
        ]);
      },
      stop,
      task.snapshotEverySteps,
    );
    port.postMessage({ kind: 'done', taskId: task.taskId, stopped: stop() } satisfies FdWorkerReply);
  } catch (error) {
    const wire = toWireError(error);
    port.postMessage({ kind: 'error', taskId: task.taskId, code: wire.code, message: wire.message } satisfies FdWorkerReply);
  }
});
