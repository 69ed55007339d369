import type { AcquisitionGeometry, BoundarySpec } from '../../contract/acquisitionGeometry.ts';
import type { KernelChoice } from '../kernels.ts';
import { forwardModel } from '../solver.ts';

/** Side of the square model the boundary is measured on (cells of 10 m). */
export const REFLECTION_MODEL_CELLS = 60;

/** How much an absorbing boundary sends back, in dB (0 dB: as strong as the wave it receives). */
export interface BoundaryReflection {
  /** 20·log10(max |p − p_ref| / max |p_ref|) over all receivers and the whole record. */
  peakDb: number;
  /** 10·log10(Σ (p − p_ref)² / Σ p_ref²) over the same traces. */
  energyDb: number;
}

/**
 * The reflection of a boundary, measured with the real solver. A 60 × 60 model (dx = 10 m,
 * dt = 1 ms, 15 Hz Ricker, `steps` ms, 0.5 s unless given) with the source in the middle,
 * receivers along row 3 (below the top boundary) and column 56 (beside the right one), runs once
 * with `boundary`, and once embedded in a model at least 1.5 km larger on every side (edge
 * velocities replicated outwards, the free surface kept where it is) and wide enough that nothing
 * comes back from the larger model's own boundary within the record: p_ref is the wave without
 * reflection and p − p_ref is what the boundary sent back. What leaves the boundary after the
 * record ends (e.g. a wave wrapping around a wide sponge) is not counted.
 */
export async function measureBoundaryReflection(
  velocityMps: Float32Array,
  boundary: BoundarySpec,
  topSurface: AcquisitionGeometry['topSurface'],
  options: { kernel?: KernelChoice; steps?: number } = {},
): Promise<BoundaryReflection> {
  const n = REFLECTION_MODEL_CELLS;
  const steps = options.steps ?? 500;
  const kernel = options.kernel ?? 'wasm';
  const spacingMeters = 10;
  const timeStepSeconds = 0.001;
  // The reference's boundary echo travels ≥ 2·margin + 33 cells (source 30 cells from the edge,
  // receivers 3): keep that beyond the fastest wave's reach within the record.
  const maxVelocityMps = velocityMps.reduce((a, b) => Math.max(a, b), 0);
  const reachCells = (maxVelocityMps * steps * timeStepSeconds) / spacingMeters;
  const margin = Math.max(150, Math.ceil((reachCells - 33) / 2) + 10);
  const geometry: AcquisitionGeometry = {
    spacingMeters,
    timeStepSeconds,
    steps,
    recordEverySteps: 1,
    wavelet: { kind: 'ricker', peakFrequencyHz: 15, delaySeconds: 0.073, lengthSteps: 147 },
    sources: [{ x: 30, z: 30 }],
    receivers: [...Array.from({ length: n }, (_, x) => ({ x, z: 3 })), ...Array.from({ length: n }, (_, z) => ({ x: 56, z }))],
    boundary,
    topSurface,
  };
  const small = await forwardModel(velocityMps, { n: 1, nz: n, nx: n }, geometry, { kernel });
  const top = topSurface === 'free' ? 0 : margin;
  const shifted: AcquisitionGeometry = {
    ...geometry,
    sources: geometry.sources.map((c) => ({ x: c.x + margin, z: c.z + top })),
    receivers: geometry.receivers.map((c) => ({ x: c.x + margin, z: c.z + top })),
  };
  const reference = await forwardModel(embed(velocityMps, n, top, margin), { n: 1, nz: n + top + margin, nx: n + 2 * margin }, shifted, { kernel });
  let reflectedEnergy = 0;
  let directEnergy = 0;
  let reflectedPeak = 0;
  let directPeak = 0;
  for (let i = 0; i < small.length; i += 1) {
    const reflected = small[i] - reference[i];
    reflectedEnergy += reflected ** 2;
    directEnergy += reference[i] ** 2;
    reflectedPeak = Math.max(reflectedPeak, Math.abs(reflected));
    directPeak = Math.max(directPeak, Math.abs(reference[i]));
  }
  return { peakDb: 20 * Math.log10(reflectedPeak / directPeak), energyDb: 10 * Math.log10(reflectedEnergy / directEnergy) };
}

/** The n × n model [nz, nx] embedded in a larger one, `top` rows above and `margin` cells on the other sides, edges replicated outwards. */
function embed(velocityMps: Float32Array, n: number, top: number, margin: number): Float32Array {
  const nzBig = n + top + margin;
  const nxBig = n + 2 * margin;
  const big = new Float32Array(nzBig * nxBig);
  for (let z = 0; z < nzBig; z += 1) {
    for (let x = 0; x < nxBig; x += 1) {
      const zz = Math.min(Math.max(z - top, 0), n - 1);
      const xx = Math.min(Math.max(x - margin, 0), n - 1);
      big[z * nxBig + x] = velocityMps[zz * n + xx];
    }
  }
  return big;
}
