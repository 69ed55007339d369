import { StudioError } from '../contract/errors.ts';
import { checkStability, velocityRange, type StabilityReport } from './stability.ts';
import { recordedSamples, validateGeometry, type VelocityShape } from './acquisition.ts';
import type { AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';
import type { FdKernel } from './kernels.ts';
import { padModel, shotSetup, type ShotResult } from './paddedGrid.ts';

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

