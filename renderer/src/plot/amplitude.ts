/**
 * Amplitude scaling for seismic display: gain in decibels, clipping, automatic gain control.
 * Arrays are row-major [time, receivers] (one row per time sample), as `dataset.shotGather` returns them.
 */

/** Amplitude factor of a gain in decibels: factor = 10^(dB / 20). */
export function dbToFactor(gainDb: number): number {
  return Math.pow(10, gainDb / 20);
}

/** Finite values examined at most when estimating a percentile; larger arrays are sampled with a fixed stride. */
export const PERCENTILE_SAMPLE_LIMIT = 262_144;

/** Receivers of a [time, receivers] gather that are not data (zero traces padding a shorter gather). */
export interface PaddedTraces {
  nReceivers: number;
  receivers: readonly number[];
}

/**
 * The `percent`-th percentile (0..100) of |x| over the finite values, by linear interpolation between
 * order statistics, leaving out the `padded` traces (their zeros would pull a clip down). Arrays
 * longer than PERCENTILE_SAMPLE_LIMIT are sampled with an even stride, which is plenty for choosing a
 * display clip. Returns 0 for an array with no finite values.
 */
export function absPercentile(values: Float32Array, percent: number, padded?: PaddedTraces): number {
  const skip = padded && padded.receivers.length > 0 ? new Set(padded.receivers) : null;
  const stride = Math.max(1, Math.ceil(values.length / PERCENTILE_SAMPLE_LIMIT));
  const magnitudes = new Float32Array(Math.ceil(values.length / stride));
  let n = 0;
  for (let i = 0; i < values.length; i += stride) {
    if (skip && skip.has(i % padded!.nReceivers)) continue;
    const v = values[i];
    if (Number.isFinite(v)) magnitudes[n++] = Math.abs(v);
  }
  if (n === 0) return 0;
  const sorted = magnitudes.subarray(0, n).sort();
  const p = Math.min(100, Math.max(0, percent)) / 100;
  const rank = p * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/** Minimum and maximum of the finite values; [0, 0] when there are none. */
export function finiteRange(values: Float32Array): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return Number.isFinite(min) && Number.isFinite(max) ? [min, max] : [0, 0];
}

export type ClipMode = { kind: 'percentile'; percent: number } | { kind: 'absolute'; amplitude: number };

/**
 * The displayed amplitude range ±clip after gain: a sample x is shown as x·g where g = 10^(dB/20), and
 * saturates at the clip amplitude c (measured on the ungained data), so the symmetric data window is
 * ±c/g. Never returns 0 (a flat gather would otherwise divide by zero).
 */
export function displayClip(values: Float32Array, clip: ClipMode, gainDb: number, padded?: PaddedTraces): number {
  const raw = clip.kind === 'percentile' ? absPercentile(values, clip.percent, padded) : Math.abs(clip.amplitude);
  const windowHalf = raw / dbToFactor(gainDb);
  return windowHalf > 0 && Number.isFinite(windowHalf) ? windowHalf : 1e-30;
}

/**
 * Automatic gain control: each sample divided by the RMS amplitude of its trace within a centred
 * window of `windowSamples` samples, out[t, r] = x[t, r] / sqrt(mean_{|τ−t| ≤ w/2} x[τ, r]²).
 * Windows are truncated at the trace ends; all-zero windows leave zeros. Uses running sums, O(n).
 */
export function agc(values: Float32Array, nTime: number, nReceivers: number, windowSamples: number): Float32Array {
  if (values.length !== nTime * nReceivers) {
    throw new Error(`AGC: array of ${values.length} values is not [${nTime} time, ${nReceivers} receivers].`);
  }
  const out = new Float32Array(values.length);
  const half = Math.max(0, Math.floor(windowSamples / 2));
  const prefix = new Float64Array(nTime + 1);
  for (let r = 0; r < nReceivers; r++) {
    prefix[0] = 0;
    for (let t = 0; t < nTime; t++) {
      const v = values[t * nReceivers + r];
      prefix[t + 1] = prefix[t] + (Number.isFinite(v) ? v * v : 0);
    }
    for (let t = 0; t < nTime; t++) {
      const from = Math.max(0, t - half);
      const to = Math.min(nTime, t + half + 1);
      const meanSquare = (prefix[to] - prefix[from]) / (to - from);
      const i = t * nReceivers + r;
      out[i] = meanSquare > 0 ? values[i] / Math.sqrt(meanSquare) : 0;
    }
  }
  return out;
}
