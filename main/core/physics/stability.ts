import { StudioError } from '../contract/errors.ts';
import type { AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';
import { spongeDamping, spongeSpec } from './paddedGrid.ts';

/** Fourth-order central second derivative: (−1/12, 4/3, −5/2, 4/3, −1/12) / dx². */
export const LAPLACIAN_CENTRE = -5 / 2;
export const LAPLACIAN_NEAR = 4 / 3;
export const LAPLACIAN_FAR = -1 / 12;

/**
 * Largest Courant number v·dt/dx for which leapfrog time stepping with this Laplacian is stable.
 * Von Neumann: the update is stable while (v·dt)²·λmax ≤ 4, λmax the largest eigenvalue of −∇²_h.
 * The 1D stencil's symbol at the Nyquist wavenumber (θ = π) is
 *   −(c0 + 2·c1·cos π + 2·c2·cos 2π) = 5/2 + 8/3 + 1/6 = 16/3 (per dx²),
 * and in `dimensions` dimensions λmax = dimensions·16/3/dx², so C ≤ 2 / sqrt(dimensions·16/3):
 * sqrt(3/8) ≈ 0.612 in 2D.
 */
export function courantLimit(dimensions = 2): number {
  const nyquistSymbol = -(LAPLACIAN_CENTRE + 2 * LAPLACIAN_NEAR * Math.cos(Math.PI) + 2 * LAPLACIAN_FAR * Math.cos(2 * Math.PI));
  return 2 / Math.sqrt(dimensions * nyquistSymbol);
}

/**
 * The highest frequency the run must carry: 2.5 × the Ricker peak, where the Ricker amplitude
 * spectrum (f/fp)²·exp(1 − (f/fp)²) has fallen to 3% (−30 dB) of its maximum.
 */
export const MAX_FREQUENCY_PER_PEAK = 2.5;

/**
 * Fewest grid points per shortest wavelength, v_min / (f_max·dx), accepted before a run.
 * Four points at f_max = 2.5 × peak (about ten at the peak) keeps the fourth-order stencil's
 * phase error near 1% at f_max. It is not five because OpenFWI itself sits exactly at four:
 * 1500 m/s / (37.5 Hz × 10 m).
 */
export const MIN_POINTS_PER_WAVELENGTH = 4;

/**
 * The limit with damping: p_next = (2 − κ)·p − (1 − κ)·p_prev + α·L has amplification factors g
 * with g² − (2 − κ − C²·λ̂)·g + (1 − κ) = 0 (λ̂ = λ·dx²), bounded by 1 while C²·λ̂ ≤ 4 − 2κ:
 * the undamped limit times sqrt(1 − κ/2). The sponge's outermost cell has the largest κ.
 */
export function dampedCourantLimit(kappa: number, dimensions = 2): number {
  return courantLimit(dimensions) * Math.sqrt(Math.max(0, 1 - kappa / 2));
}

export interface StabilityReport {
  /** v_max·dt/dx. */
  courantNumber: number;
  /** The limit where the sponge damps most (the undamped limit is courantLimit(2)). */
  courantLimit: number;
  /** Largest damping·dt of the sponge. */
  maxKappa: number;
  /** v_min / (f_max·dx). */
  pointsPerWavelength: number;
  minPointsPerWavelength: number;
  maxFrequencyHz: number;
}

/**
 * Checks CFL stability and numerical dispersion for a velocity range before a run; throws
 * StudioError('bad_input') naming the offending value, the limit and what to change.
 */
export function checkStability(
  geometry: AcquisitionGeometry,
  velocityRange: { minMps: number; maxMps: number },
): StabilityReport {
  const { minMps, maxMps } = velocityRange;
  if (!(minMps > 0) || !Number.isFinite(maxMps)) {
    throw new StudioError(
      'bad_input',
      `Velocity model holds values from ${minMps} to ${maxMps} m/s; every velocity must be a finite number above 0 m/s.`,
    );
  }
  const dx = geometry.spacingMeters;
  const dt = geometry.timeStepSeconds;
  const { widthCells, reflection } = spongeSpec(geometry);
  const maxKappa = spongeDamping(widthCells, dx, minMps, reflection)[widthCells - 1] * dt;
  const limit = dampedCourantLimit(maxKappa, 2);
  const courantNumber = (maxMps * dt) / dx;
  if (courantNumber > limit || maxKappa >= 1) {
    const damped = maxKappa > 0 ? ` (${courantLimit(2).toFixed(4)} without damping; the sponge's damping·dt reaches ${maxKappa.toFixed(3)})` : '';
    throw new StudioError(
      'bad_input',
      `Unstable time step: Courant number v_max·dt/dx = ${maxMps} m/s × ${dt} s / ${dx} m = ${courantNumber.toFixed(4)} ` +
        `exceeds this scheme's limit ${limit.toFixed(4)}${damped}; use a smaller dt, about ${((0.95 * limit * dx) / maxMps).toExponential(3)} s.`,
    );
  }
  const maxFrequencyHz = MAX_FREQUENCY_PER_PEAK * geometry.wavelet.peakFrequencyHz;
  const pointsPerWavelength = minMps / (maxFrequencyHz * dx);
  // Velocities are float32: decoded or resampled models at OpenFWI's own limit (1500 m/s, exactly
  // 4 points) come out a few float32 ulps low, so the limit allows one part in a million.
  if (pointsPerWavelength < MIN_POINTS_PER_WAVELENGTH * (1 - 1e-6)) {
    throw new StudioError(
      'bad_input',
      `Grid too coarse for the wavelet: v_min / (f_max·dx) = ${minMps} m/s / (${maxFrequencyHz} Hz × ${dx} m) = ` +
        `${pointsPerWavelength.toFixed(3)} points per shortest wavelength, below ${MIN_POINTS_PER_WAVELENGTH} ` +
        `(f_max = ${MAX_FREQUENCY_PER_PEAK} × the ${geometry.wavelet.peakFrequencyHz} Hz peak); ` +
        `use dx ≤ ${(minMps / (maxFrequencyHz * MIN_POINTS_PER_WAVELENGTH)).toFixed(3)} m or a lower peak frequency.`,
    );
  }
  return { courantNumber, courantLimit: limit, maxKappa, pointsPerWavelength, minPointsPerWavelength: MIN_POINTS_PER_WAVELENGTH, maxFrequencyHz };
}

/** Smallest and largest value of a velocity array, rejecting NaN. */
export function velocityRange(velocityMps: Float32Array, offset = 0, length = velocityMps.length - offset): { minMps: number; maxMps: number } {
  let minMps = Infinity;
  let maxMps = -Infinity;
  for (let i = offset; i < offset + length; i += 1) {
    const v = velocityMps[i];
    if (!(v >= minMps)) {
      if (Number.isNaN(v)) {
        throw new StudioError('bad_input', `Velocity model holds NaN at flat index ${i}; every velocity must be a number in m/s.`);
      }
      minMps = v;
    }
    if (v > maxMps) maxMps = v;
  }
  return { minMps, maxMps };
}
