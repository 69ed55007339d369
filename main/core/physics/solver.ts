import { StudioError } from '../contract/errors.ts';
import { throwIfCancelled } from '../util/abort.ts';
import type { WorkOptions } from '../util/progress.ts';
import { recordedSamples, type VelocityShape } from './acquisition.ts';
import { type AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';
import { resolveKernel, type KernelChoice } from './kernels.ts';
import { padModel, shotSetup, type ShotResult } from './paddedGrid.ts';
import type { FdWorkerPool } from './pool.ts';
import { prepareForwardRun, seismicSampleLength } from './shots.ts';

export interface ForwardOptions extends WorkOptions {
  /** Runs the shots on this pool's worker threads; without one they run on the calling thread. */
  pool?: FdWorkerPool;
  kernel?: KernelChoice;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Forward-models a batch of velocity models with the geometry's shots.
 * @param velocityMps [N, nz, nx] in m/s (OpenFWI's [N, 1, nz, nx] is the same memory).
 * @returns seismic [N, sources, time, receivers], time = ceil(steps / recordEverySteps).
 * Progress counts shots. Cancelling stops after the running shot(s) and rejects with 'cancelled'.
 */
export async function forwardModel(
  velocityMps: Float32Array,
  shape: VelocityShape,
  geometry: AcquisitionGeometry,
  options: ForwardOptions = {},
): Promise<Float32Array> {
  const run = prepareForwardRun(velocityMps, shape, geometry);
  if (options.pool) return options.pool.forwardModel(velocityMps, shape, run.geometry, options);

  const { n, nz, nx } = shape;
  const g = run.geometry;
  const kernel = resolveKernel(options.kernel ?? 'auto', options.onNotice);
  const shotLength = recordedSamples(g) * g.receivers.length;
  const sampleLength = seismicSampleLength(g);
  const seismic = new Float32Array(n * sampleLength);
  const total = n * g.sources.length;
  let done = 0;
  options.onProgress?.({ done, total, unit: 'shots' });
  for (let sample = 0; sample < n; sample += 1) {
    const velocity = velocityMps.subarray(sample * nz * nx, (sample + 1) * nz * nx);
    const model = padModel(velocity, nz, nx, g);
    for (let shot = 0; shot < g.sources.length; shot += 1) {
      await yieldToEventLoop();
      throwIfCancelled(options.signal);
      const result = kernel.runShot(shotSetup(model, g, shot));
      seismic.set(result.seismic, sample * sampleLength + shot * shotLength);
      done += 1;
      options.onProgress?.({ done, total, unit: 'shots' });
    }
  }
  return seismic;
}

/** Largest snapshot volume modelWavefield returns (1 GiB of float32). */
export const MAX_SNAPSHOT_BYTES = 2 ** 30;

export interface WavefieldOptions extends WorkOptions {
  /** Index of the source (shot) to model. */
  shot: number;
  /** A snapshot after updates 0, k, 2k, …: ceil(steps / k) frames. */
  everySteps: number;
  kernel?: KernelChoice;
  /** Runs the shot on one of this pool's workers; without one it runs on the calling thread. */
  pool?: FdWorkerPool;
}

export interface Wavefield {
  /** [frames, nz, nx] pressure of the unpadded model, frames = ceil(steps / everySteps). */
  snapshots: Float32Array;
  frames: number;
  /** Time between frames. */
  frameIntervalSeconds: number;
  /** This shot's [time, receivers]. */
  seismic: Float32Array;
}

/**
 * Models one shot on one velocity model [nz, nx] (m/s) and keeps wavefield snapshots of the
 * interior every `everySteps` steps, for an x–z–t view. Runs on a worker of `options.pool`, else
 * on the calling thread.
 */
export async function modelWavefield(
  velocityMps: Float32Array,
  nz: number,
  nx: number,
  geometry: AcquisitionGeometry,
  options: WavefieldOptions,
): Promise<Wavefield> {
  const { geometry: g } = prepareForwardRun(velocityMps, { n: 1, nz, nx }, geometry);
  const { shot, everySteps } = options;
  if (!Number.isInteger(shot) || shot < 0 || shot >= g.sources.length) {
    throw new StudioError('bad_input', `Wavefield shot = ${shot} is not a source of the geometry; use 0 … ${g.sources.length - 1}.`);
  }
  if (!Number.isInteger(everySteps) || everySteps < 1) {
    throw new StudioError('bad_input', `Wavefield everySteps = ${everySteps} must be a whole number ≥ 1.`);
  }
  const snapshotBytes = Math.ceil(g.steps / everySteps) * nz * nx * 4;
  if (snapshotBytes > MAX_SNAPSHOT_BYTES) {
    throw new StudioError(
      'bad_input',
      `Wavefield snapshots every ${everySteps} steps would take ${(snapshotBytes / 2 ** 30).toFixed(1)} GiB ` +
        `(${Math.ceil(g.steps / everySteps)} frames of ${nz} × ${nx}); use everySteps ≥ ${Math.ceil((g.steps * nz * nx * 4) / MAX_SNAPSHOT_BYTES)}.`,
    );
  }
  throwIfCancelled(options.signal);
  let result: ShotResult;
  if (options.pool) {
    result = await options.pool.modelShot(velocityMps, nz, nx, g, shot, everySteps, options);
  } else {
    const kernel = resolveKernel(options.kernel ?? 'auto', options.onNotice);
    const model = padModel(velocityMps, nz, nx, g);
    options.onProgress?.({ done: 0, total: 1, unit: 'shots' });
    result = kernel.runShot(shotSetup(model, g, shot, everySteps));
    options.onProgress?.({ done: 1, total: 1, unit: 'shots' });
  }
  const frames = Math.ceil(g.steps / everySteps);
  return { snapshots: result.snapshots, frames, frameIntervalSeconds: everySteps * g.timeStepSeconds, seismic: result.seismic };
}
