/**
 * Line charts of series over steps (training curves, throughput, held-out metrics): data → scales,
 * ticks and SVG path strings. Pure: no DOM, so the tests run in node.
 */
import { niceStep, niceTicks, stepDecimals } from './ticks.ts';

export type ScaleKind = 'linear' | 'log';

/** One value of a series at an x position (a training step); null marks a gap (a non-finite value sent as null). */
export interface ChartPoint {
  x: number;
  y: number | null;
}

export interface ChartSeries {
  key: string;
  label: string;
  points: readonly ChartPoint[];
  /** A CSS colour; by default the series' place in SERIES_COLOURS. */
  colour?: string;
  /** Drawn faintly behind its smoothed twin, without a legend entry or readout (TensorBoard's raw curve). */
  faded?: boolean;
}

export interface Domain {
  min: number;
  max: number;
}

/** Whether y can be drawn on a scale: finite, and positive on a log scale. */
export function isDrawable(y: number | null | undefined, kind: ScaleKind): y is number {
  return typeof y === 'number' && Number.isFinite(y) && (kind === 'linear' || y > 0);
}

/** The x and y spans of all drawable points, or null when there are none. */
export function seriesExtent(series: readonly ChartSeries[], yKind: ScaleKind): { x: Domain; y: Domain } | null {
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const s of series) {
    for (const p of s.points) {
      if (!Number.isFinite(p.x) || !isDrawable(p.y, yKind)) continue;
      if (p.x < xMin) xMin = p.x;
      if (p.x > xMax) xMax = p.x;
      if (p.y < yMin) yMin = p.y;
      if (p.y > yMax) yMax = p.y;
    }
  }
  if (!Number.isFinite(xMin) || !Number.isFinite(yMin)) return null;
  return { x: { min: xMin, max: xMax }, y: { min: yMin, max: yMax } };
}

/**
 * Widens a data span for display: a single value gets a span around it; a linear span gets 5 % of
 * headroom on both sides and then snaps to its nice ticks; a log span snaps out to whole decades
 * when that is at most one decade more, else it keeps 5 % (in log space) of headroom.
 */
export function displayDomain(domain: Domain, kind: ScaleKind): Domain {
  let { min, max } = domain;
  if (kind === 'log') {
    if (!(min > 0) || !(max > 0)) return { min: 0.1, max: 1 };
    if (min === max) return { min: min / Math.SQRT2 / Math.SQRT2, max: max * 2 };
    const lo = Math.log10(min);
    const hi = Math.log10(max);
    const flo = Math.floor(lo);
    const chi = Math.ceil(hi);
    if (chi - flo <= hi - lo + 1) return { min: Math.pow(10, flo), max: Math.pow(10, chi) };
    const pad = (hi - lo) * 0.05;
    return { min: Math.pow(10, lo - pad), max: Math.pow(10, hi + pad) };
  }
  if (max - min <= Math.abs(max) * 1e-12) {
    const half = min === 0 ? 1 : Math.abs(min) * 0.1;
    return { min: min - half, max: max + half };
  }
  const pad = (max - min) * 0.05;
  min -= pad;
  max += pad;
  const step = niceStep(max - min, 5);
  return { min: Math.floor(min / step) * step, max: Math.ceil(max / step) * step };
}

/** Maps a value of `domain` onto pixels [r0, r1] (r0 may exceed r1, as for a y axis that grows upward). */
export function makeScale(domain: Domain, r0: number, r1: number, kind: ScaleKind): (value: number) => number {
  if (kind === 'log') {
    const d0 = Math.log10(domain.min);
    const d1 = Math.log10(domain.max);
    const span = d1 - d0 || 1;
    return (v) => r0 + ((Math.log10(v) - d0) / span) * (r1 - r0);
  }
  const span = domain.max - domain.min || 1;
  return (v) => r0 + ((v - domain.min) / span) * (r1 - r0);
}

export interface ChartTick {
  value: number;
  label: string;
}

/**
 * Ticks for an axis: nice linear steps, or on a log scale 1·10^k (adding 2 and 5·10^k when the span
 * is under three decades; falling back to linear ticks inside a single decade).
 */
export function chartTicks(domain: Domain, kind: ScaleKind, maxTicks: number, integer = false): ChartTick[] {
  if (kind === 'log' && domain.min > 0 && domain.max > domain.min) {
    const lo = Math.floor(Math.log10(domain.min) + 1e-9);
    const hi = Math.ceil(Math.log10(domain.max) - 1e-9);
    const multiples = hi - lo < 3 ? [1, 2, 5] : [1];
    const ticks: ChartTick[] = [];
    for (let k = lo; k <= hi; k++) {
      for (const m of multiples) {
        const value = m * Math.pow(10, k);
        if (value >= domain.min * (1 - 1e-9) && value <= domain.max * (1 + 1e-9)) ticks.push({ value, label: formatAxisNumber(value) });
      }
    }
    if (ticks.length >= 2) return ticks;
  }
  const step = niceStep(domain.max - domain.min, maxTicks);
  if (integer && step < 1) {
    // Whole steps only (a training step axis over a short run).
    const ticks: ChartTick[] = [];
    for (let v = Math.ceil(domain.min); v <= Math.floor(domain.max); v++) ticks.push({ value: v, label: String(v) });
    return ticks;
  }
  return niceTicks(domain.min, domain.max, maxTicks).map((value) => ({ value, label: formatAxisNumber(value, step) }));
}

/** Compact axis labels: 0.001 → "1e-3", 25000 → "25k", 0.25 → "0.25". */
export function formatAxisNumber(value: number, step?: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${trimZeros((value / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${trimZeros((value / 1e3).toPrecision(3))}k`;
  if (abs < 1e-3) {
    const [mantissa, exponent] = value.toExponential(1).split('e');
    return `${trimZeros(mantissa)}e${Number(exponent)}`;
  }
  if (step !== undefined && step > 0) {
    return value.toFixed(Math.min(8, stepDecimals(step)));
  }
  return trimZeros(value.toPrecision(3));
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/**
 * The SVG path of a series: "M x y L x y …", starting a new sub-path after every gap (a null,
 * non-finite or, on a log scale, non-positive value). Coordinates are rounded to 0.1 px.
 */
export function linePath(points: readonly ChartPoint[], xScale: (v: number) => number, yScale: (v: number) => number, yKind: ScaleKind): string {
  const parts: string[] = [];
  let pen = false;
  for (const p of points) {
    if (!Number.isFinite(p.x) || !isDrawable(p.y, yKind)) {
      pen = false;
      continue;
    }
    parts.push(`${pen ? 'L' : 'M'}${round1(xScale(p.x))} ${round1(yScale(p.y))}`);
    pen = true;
  }
  return parts.join(' ');
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Index of the point whose x is nearest to `x` in points sorted by x (binary search); -1 for none. */
export function nearestIndex(points: readonly ChartPoint[], x: number): number {
  if (points.length === 0) return -1;
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid].x <= x) lo = mid;
    else hi = mid;
  }
  return Math.abs(points[lo].x - x) <= Math.abs(points[hi].x - x) ? lo : hi;
}
