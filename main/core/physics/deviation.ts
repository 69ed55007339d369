import { StudioError } from '../contract/errors.ts';
import { recordedSamples, type VelocityShape } from './acquisition.ts';
import { type AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';
import { forwardModel, type ForwardOptions } from './solver.ts';

/**
 * PDE deviation: how far a seismic ŝ is from what the wave equation makes of a velocity v̂,
 *   pde_mse    = mean over (time, receivers) of (ŝ − f(v̂))²
 *   pde_rel_l2 = ‖ŝ − f(v̂)‖₂ / ‖f(v̂)‖₂
 * with f the FD forward model on the given geometry. Reported per source and over all sources of
 * each sample, and pooled over the batch. A relative L2 whose reference is all zeros is Infinity
 * (0 when ŝ is zero too); JSON carries that as null.
 */
export interface PdeDeviation {
  pde_rel_l2: number;
  pde_mse: number;
  /** [sources] */
  pde_rel_l2_per_source: number[];
  /** [sources] */
  pde_mse_per_source: number[];
}

export interface PdeDeviationReport extends PdeDeviation {
  /** One entry per sample, in order. */
  samples: PdeDeviation[];
}

/** Seismic dimensions [N, sources, time, receivers]. */
export interface SeismicShape {
  n: number;
  sources: number;
  time: number;
  receivers: number;
}

export function seismicShapeOf(n: number, geometry: AcquisitionGeometry): SeismicShape {
  return { n, sources: geometry.sources.length, time: recordedSamples(geometry), receivers: geometry.receivers.length };
}

function relativeL2(diffSquares: number, referenceSquares: number): number {
  if (diffSquares === 0) return 0;
  return referenceSquares === 0 ? Infinity : Math.sqrt(diffSquares / referenceSquares);
}

/**
 * Compares seismic ŝ with modelled seismic f(v̂), both float32 [N, sources, time, receivers];
 * sums in float64. The core of `pdeDeviation`, for callers that already hold f(v̂).
 */
export function compareSeismic(observed: Float32Array, modelled: Float32Array, shape: SeismicShape): PdeDeviationReport {
  const { n, sources, time, receivers } = shape;
  const shotLength = time * receivers;
  const expected = n * sources * shotLength;
  if (observed.length !== expected || modelled.length !== expected) {
    throw new StudioError(
      'bad_input',
      `Seismic holds ${observed.length} values and the modelled seismic ${modelled.length}, but [${n}, ${sources}, ${time}, ${receivers}] (N, sources, time, receivers) needs ${expected}.`,
    );
  }
  const batchDiff = new Float64Array(sources);
  const batchRef = new Float64Array(sources);
  const samples: PdeDeviation[] = [];
  for (let i = 0; i < n; i += 1) {
    const diffPerSource = new Float64Array(sources);
    const refPerSource = new Float64Array(sources);
    for (let s = 0; s < sources; s += 1) {
      const base = (i * sources + s) * shotLength;
      let diff = 0;
      let ref = 0;
      for (let k = 0; k < shotLength; k += 1) {
        const m = modelled[base + k];
        const d = observed[base + k] - m;
        diff += d * d;
        ref += m * m;
      }
      diffPerSource[s] = diff;
      refPerSource[s] = ref;
      batchDiff[s] += diff;
      batchRef[s] += ref;
    }
    samples.push(summarise(diffPerSource, refPerSource, shotLength));
  }
  return { ...summarise(batchDiff, batchRef, n * shotLength), samples };
}

/** Deviation from per-source sums of squares; `count` values per source went into each sum. */
function summarise(diffPerSource: Float64Array, refPerSource: Float64Array, count: number): PdeDeviation {
  let diff = 0;
  let ref = 0;
  for (let s = 0; s < diffPerSource.length; s += 1) {
    diff += diffPerSource[s];
    ref += refPerSource[s];
  }
  const sources = diffPerSource.length;
  return {
    pde_rel_l2: relativeL2(diff, ref),
    pde_mse: count * sources === 0 ? 0 : diff / (count * sources),
    pde_rel_l2_per_source: Array.from(diffPerSource, (d, s) => relativeL2(d, refPerSource[s])),
    pde_mse_per_source: Array.from(diffPerSource, (d) => (count === 0 ? 0 : d / count)),
  };
}

/**
 * PDE deviation of pairs (ŝ, v̂): forward-models v̂ with `geometry` (through `options.pool` when
 * given) and compares. `seismic` float32 [N, sources, time, receivers], `velocityMps` float32
 * [N, nz, nx] (OpenFWI's [N, 1, nz, nx] is the same memory). Progress counts shots.
 */
export async function pdeDeviation(
  seismic: Float32Array,
  velocityMps: Float32Array,
  shape: VelocityShape,
  geometry: AcquisitionGeometry,
  options: ForwardOptions = {},
): Promise<PdeDeviationReport> {
  const seismicShape = seismicShapeOf(shape.n, geometry);
  const expected = seismicShape.n * seismicShape.sources * seismicShape.time * seismicShape.receivers;
  if (seismic.length !== expected) {
    throw new StudioError(
      'bad_input',
      `Seismic holds ${seismic.length} values, but ${shape.n} samples on this geometry need [${shape.n}, ${seismicShape.sources}, ${seismicShape.time}, ${seismicShape.receivers}] (N, sources, time, receivers) = ${expected}; check that the seismic, the velocity and the geometry belong together.`,
    );
  }
  const modelled = await forwardModel(velocityMps, shape, geometry, options);
  return compareSeismic(seismic, modelled, seismicShape);
}

/** JSON-safe copy: Infinity (a relative L2 against an all-zero reference) becomes null. */
export function deviationToJson<T>(report: T): T {
  return JSON.parse(JSON.stringify(report, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value))) as T;
}
