/**
 * TensorBoard's scalar smoothing and axis choice for training curves. Pure: no DOM.
 */
import type { ChartPoint, ScaleKind } from './lineChart.ts';

/**
 * Exponential moving average with TensorBoard's debiasing: with weight w ∈ [0, 1),
 *   m_k = w·m_{k−1} + (1 − w)·y_k,  m_0 = 0,   smoothed_k = m_k / (1 − w^k)
 * where k counts the finite values so far, so the first value is kept as it is rather than pulled
 * towards zero. Gaps (null or non-finite) stay gaps and do not advance the average.
 */
export function emaSmooth(points: readonly ChartPoint[], weight: number): ChartPoint[] {
  if (!(weight > 0)) return points.slice();
  const w = Math.min(weight, 0.999);
  let last = 0;
  let count = 0;
  return points.map((p) => {
    if (typeof p.y !== 'number' || !Number.isFinite(p.y)) return { x: p.x, y: null };
    last = last * w + (1 - w) * p.y;
    count++;
    return { x: p.x, y: last / (1 - Math.pow(w, count)) };
  });
}

/** Decades a positive series must span before its axis becomes logarithmic. */
export const LOG_AXIS_DECADES = 1.5;

/**
 * The y scale a metric reads best on: logarithmic when every finite value is positive and they span
 * at least LOG_AXIS_DECADES decades (a loss falling from 1 to 0.01), linear otherwise.
 */
export function autoScale(points: readonly (readonly ChartPoint[])[]): ScaleKind {
  let min = Infinity;
  let max = -Infinity;
  for (const series of points) {
    for (const p of series) {
      if (typeof p.y !== 'number' || !Number.isFinite(p.y)) continue;
      if (p.y <= 0) return 'linear';
      if (p.y < min) min = p.y;
      if (p.y > max) max = p.y;
    }
  }
  return max > 0 && Math.log10(max / min) >= LOG_AXIS_DECADES ? 'log' : 'linear';
}
