/** Axis ticks at "nice" steps (1, 2, 2.5 or 5 × 10^k). */

export function niceStep(span: number, maxTicks: number): number {
  if (!(span > 0) || !(maxTicks >= 1)) return 1;
  const raw = span / maxTicks;
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const multiple of [1, 2, 2.5, 5, 10]) {
    const step = multiple * magnitude;
    if (step >= raw * (1 - 1e-9)) return step;
  }
  return 10 * magnitude;
}

/** Tick values within [min, max] (inclusive), at most about maxTicks of them. */
export function niceTicks(min: number, max: number, maxTicks: number): number[] {
  const lo = Math.min(min, max);
  const hi = Math.max(min, max);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  // A span at float64's resolution of the values (a constant series with rounding noise) is one value:
  // its step would be so small that k·step could not count from lo to hi.
  if (hi - lo <= Math.max(Math.abs(lo), Math.abs(hi)) * 1e-12) return [lo];
  const step = niceStep(hi - lo, maxTicks);
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(roundToStep(k * step, step));
  return ticks;
}

/** Removes floating-point noise (0.30000000000000004 → 0.3) at the step's precision. */
function roundToStep(value: number, step: number): number {
  return Number(value.toFixed(Math.min(12, stepDecimals(step) + 1)));
}

/** A tick label with no more decimals than the step needs. */
export function formatTick(value: number, step: number): string {
  return value.toFixed(stepDecimals(step));
}

/** Decimals needed to write every multiple of `step` exactly (2.5 → 1, 0.05 → 2, 100 → 0). */
export function stepDecimals(step: number): number {
  if (!(step > 0)) return 0;
  for (let d = 0; d < 8; d++) {
    const scaled = step * Math.pow(10, d);
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return d;
  }
  return 8;
}
