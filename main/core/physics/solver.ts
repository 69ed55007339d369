import { StudioError } from '../util/errors.ts';
import { throwIfCancelled } from '../util/abort.ts';
import type { WorkOptions } from '../util/progress.ts';
import { checkStability, velocityRange, type StabilityReport } from './checks.ts';
import { recordedSamples, validateGeometry, type AcquisitionGeometry, type VelocityShape } from './geometry.ts';
import { resolveKernel, type FdKernel, type KernelChoice } from './kernels.ts';
import { padModel, shotSetup, type ShotResult } from './model.ts';
import type { FdWorkerPool } from './pool.ts';

export interface ForwardOptions extends WorkOptions {
  /** Runs the shots on this pool's worker threads; without one they run on the calling thread. */
  pool?: FdWorkerPool;
  kernel?: KernelChoice;
}

/** Size of one sample's seismic: sources × time × receivers. */
export function seismicSampleLength(geometry: AcquisitionGeometry): number {
  return geometry.sources.length * recordedSamples(geometry) * geometry.receivers.length;
}

/**
 * Validates the inputs of a forward-modelling run: shape against the array, geometry against
 * the shape, CFL and dispersion against the batch's velocity range.
 */
export function prepareForwardRun(
  velocityMps: Float32Array,
  shape: VelocityShape,
  geometry: unknown,
): { geometry: AcquisitionGeometry; stability: StabilityReport } {
  const { n, nz, nx } = shape;
  if (![n, nz, nx].every((d) => Number.isInteger(d) && d > 0)) {
    throw new StudioError('bad_input', `Velocity shape {n: ${n}, nz: ${nz}, nx: ${nx}} must hold positive whole numbers.`);
  }
  if (velocityMps.length !== n * nz * nx) {
    throw new StudioError(
      'bad_input',
      `Velocity array holds ${velocityMps.length} values but shape [${n}, ${nz}, ${nx}] needs ${n * nz * nx}.`,
    );
  }
  const valid = validateGeometry(geometry, { nz, nx });
  const stability = checkStability(valid, velocityRange(velocityMps));
  return { geometry: valid, stability };
}

/**
 * Runs the given shots of one velocity sample [nz, nx] with `kernel`, handing each shot's
 * result ([time, receivers] seismic, optional snapshots) to `onShotDone`. Used in workers.
 */
export function runSampleShots(
  kernel: FdKernel,
  velocityMps: Float32Array,
  nz: number,
  nx: number,
  geometry: AcquisitionGeometry,
  shots: readonly number[],
  onShotDone: (shot: number, result: ShotResult) => void,
  shouldStop: () => boolean = () => false,
  snapshotEverySteps = 0,
): void {
  const model = padModel(velocityMps, nz, nx, geometry);
  for (const shot of shots) {
    if (shouldStop()) return;
    onShotDone(shot, kernel.runShot(shotSetup(model, geometry, shot, snapshotEverySteps)));
  }
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
