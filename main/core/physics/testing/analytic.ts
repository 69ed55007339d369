import { rickerValue } from '../wavelet.ts';

/**
 * Independent truth for tests: the pressure of a point source in a homogeneous 2D medium,
 * from the analytic Green's function of p_tt = c²∇²p + q(t)·δ(x):
 *   G(r, t) = H(t − r/c) / (2π·c²·sqrt(t² − r²/c²)),   p = G ∗ q.
 * The solver injects p[source] += (v·dt)²·w[i] after update i. As a finite-difference source
 * that is dt²·s at the previous time level with s = v²·w[i] per cell, i.e. a point source of
 * strength q(t) = v²·dx²·w(t + dt) (a cell value is q/dx²; sample i is the field at t = i·dt).
 * With τ = (r/c)·cosh u the integrable singularity goes away:
 *   p(r, t) = dx²/(2π) · ∫_0^U w(t + dt − (r/c)·cosh u) du,   U = acosh(c·(t + dt)/r).
 * w is the continuous Ricker wavelet, zero outside [0, (length − 1)·dt] like the sampled one.
 */
export function analyticPointSourceTrace(options: {
  distanceMeters: number;
  velocityMps: number;
  spacingMeters: number;
  dtSeconds: number;
  samples: number;
  peakFrequencyHz: number;
  delaySeconds: number;
  waveletLengthSteps: number;
  /** Integration steps in u per sample. */
  quadratureSteps?: number;
}): Float64Array {
  const { distanceMeters: r, velocityMps: c, spacingMeters: dx, dtSeconds: dt } = options;
  const waveletEnd = (options.waveletLengthSteps - 1) * dt;
  const wavelet = (t: number): number => (t < 0 || t > waveletEnd ? 0 : rickerValue(t, options.peakFrequencyHz, options.delaySeconds));
  const steps = options.quadratureSteps ?? 4000;
  const trace = new Float64Array(options.samples);
  for (let i = 0; i < options.samples; i += 1) {
    const t = i * dt + dt;
    if (c * t <= r) continue;
    // Only u where the wavelet is non-zero contributes: t − (r/c)·cosh u ∈ [0, waveletEnd].
    const uMax = Math.acosh((c * t) / r);
    const uMin = t - waveletEnd > r / c ? Math.acosh((c * (t - waveletEnd)) / r) : 0;
    const h = (uMax - uMin) / steps;
    let sum = 0;
    for (let k = 0; k <= steps; k += 1) {
      const u = uMin + k * h;
      const weight = k === 0 || k === steps ? 1 : k % 2 === 1 ? 4 : 2; // Simpson
      sum += weight * wavelet(t - (r / c) * Math.cosh(u));
    }
    trace[i] = ((dx * dx) / (2 * Math.PI)) * ((sum * h) / 3);
  }
  return trace;
}

/** ‖a − b‖ / ‖b‖ over samples [from, to). */
export function relativeL2(a: ArrayLike<number>, b: ArrayLike<number>, from = 0, to = Math.min(a.length, b.length)): number {
  let num = 0;
  let den = 0;
  for (let i = from; i < to; i += 1) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** Column `receiver` of a [time, receivers] shot gather. */
export function traceOf(gather: Float32Array, receivers: number, receiver: number): Float64Array {
  const samples = gather.length / receivers;
  const out = new Float64Array(samples);
  for (let i = 0; i < samples; i += 1) out[i] = gather[i * receivers + receiver];
  return out;
}
