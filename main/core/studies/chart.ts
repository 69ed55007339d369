/**
 * Line, scatter and bar charts drawn into an RGB raster and encoded as PNG (no plotting library
 * ships with the studio): axes with "nice" ticks (1, 2, 5 × 10^k; decades on a log axis), axis
 * labels, a title and a legend, in a 5 × 8 bitmap font drawn at twice its size.
 */
import { encodePngRgb } from '../io/png.ts';
import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphColumns } from './bitmapFont.ts';

export interface LineSeries {
  name: string;
  /** [x, y] pairs; y null leaves a gap. */
  points: [number, number | null][];
}

export interface BarSeries {
  name: string;
  /** One value per category; null draws nothing. */
  values: (number | null)[];
}

interface ChartCommon {
  title: string;
  xLabel: string;
  yLabel: string;
  /** A logarithmic y axis (values ≤ 0 are left out). */
  logY?: boolean;
}

export type ChartSpec =
  | (ChartCommon & { kind: 'line' | 'scatter'; series: LineSeries[] })
  | (ChartCommon & { kind: 'bar'; categories: string[]; series: BarSeries[] });

type Rgb = [number, number, number];

/** Tableau's ten colours: series k takes PALETTE[k % 10]. */
export const PALETTE: Rgb[] = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
];
const INK: Rgb = [33, 33, 33];
const GRID: Rgb = [228, 228, 228];
const FONT_SCALE = 2;
const CHAR_W = GLYPH_ADVANCE * FONT_SCALE;
const CHAR_H = GLYPH_HEIGHT * FONT_SCALE;

/** An RGB raster with the few drawing operations the charts need. */
export class Raster {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    this.rgb = new Uint8Array(width * height * 3).fill(255);
  }

  set(x: number, y: number, colour: Rgb): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return;
    const i = (yi * this.width + xi) * 3;
    this.rgb[i] = colour[0];
    this.rgb[i + 1] = colour[1];
    this.rgb[i + 2] = colour[2];
  }

  fillRect(x0: number, y0: number, x1: number, y1: number, colour: Rgb): void {
    for (let y = Math.round(Math.min(y0, y1)); y <= Math.round(Math.max(y0, y1)); y += 1) {
      for (let x = Math.round(Math.min(x0, x1)); x <= Math.round(Math.max(x0, x1)); x += 1) this.set(x, y, colour);
    }
  }

  /** A straight line `thickness` pixels wide (a square brush stepped along the longer axis). */
  line(x0: number, y0: number, x1: number, y1: number, colour: Rgb, thickness = 1): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    const half = (thickness - 1) / 2;
    for (let s = 0; s <= steps; s += 1) {
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      if (thickness <= 1) this.set(x, y, colour);
      else this.fillRect(x - half, y - half, x + half, y + half, colour);
    }
  }

  /** Text with its top-left corner at (x, y); `vertical` turns it 90° anticlockwise (reading bottom to top from (x, y + length)). */
  text(x: number, y: number, text: string, colour: Rgb = INK, vertical = false): void {
    [...text].forEach((char, k) => {
      const columns = glyphColumns(char);
      for (let c = 0; c < GLYPH_WIDTH; c += 1) {
        for (let r = 0; r < GLYPH_HEIGHT; r += 1) {
          if (!((columns[c] >> r) & 1)) continue;
          const along = k * CHAR_W + c * FONT_SCALE;
          const across = r * FONT_SCALE;
          if (vertical) this.fillRect(x + across, y + textWidth(text) - along - FONT_SCALE, x + across + FONT_SCALE - 1, y + textWidth(text) - along - 1, colour);
          else this.fillRect(x + along, y + across, x + along + FONT_SCALE - 1, y + across + FONT_SCALE - 1, colour);
        }
      }
    });
  }

  png(): Buffer {
    return encodePngRgb(this.rgb, this.width, this.height);
  }
}

export function textWidth(text: string): number {
  return text.length * CHAR_W;
}

/** Evenly spaced ticks at 1, 2 or 5 × 10^k covering [min, max], about `target` of them. */
export function niceTicks(min: number, max: number, target = 6): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, target - 1);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  // Multiples k·step, rounded to 12 digits so that 3 × 0.2 reads 0.6.
  for (let k = Math.ceil(min / step - 1e-9); k <= Math.floor(max / step + 1e-9); k += 1) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** A tick label: short fixed or exponential notation. */
export function tickLabel(value: number): string {
  if (value === 0) return '0';
  const a = Math.abs(value);
  if (a >= 1e-3 && a < 1e5) return String(Number(value.toPrecision(4)));
  const [mantissa, exponent] = value.toExponential(2).split('e');
  return `${String(Number(mantissa))}e${Number(exponent)}`;
}

interface Axis {
  min: number;
  max: number;
  log: boolean;
  ticks: number[];
}

function axisFor(values: number[], log: boolean, includeZero: boolean): Axis {
  const finite = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (finite.length === 0) return { min: log ? 1 : 0, max: log ? 10 : 1, log, ticks: log ? [1, 10] : [0, 1] };
  let min = Math.min(...finite);
  let max = Math.max(...finite);
  if (log) {
    const lo = Math.floor(Math.log10(min));
    const hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));
    const decades = Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
    const ticks = hi - lo <= 2 ? decades.flatMap((d, i) => (i === decades.length - 1 ? [d] : [d, 2 * d, 5 * d])) : decades;
    return { min: 10 ** lo, max: 10 ** hi, log, ticks };
  }
  if (includeZero) min = Math.min(0, min);
  if (max === min) {
    const pad = Math.abs(max) > 0 ? Math.abs(max) * 0.1 : 1;
    min -= pad;
    max += pad;
  } else {
    const pad = (max - min) * 0.05;
    if (!(includeZero && min === 0)) min -= pad;
    max += pad;
  }
  const ticks = niceTicks(min, max);
  return { min: Math.min(min, ticks[0]), max: Math.max(max, ticks[ticks.length - 1]), log, ticks };
}

function position(axis: Axis, value: number, from: number, to: number): number {
  const f = axis.log ? (Math.log10(value) - Math.log10(axis.min)) / (Math.log10(axis.max) - Math.log10(axis.min)) : (value - axis.min) / (axis.max - axis.min);
  return from + f * (to - from);
}

const WIDTH = 900;
const HEIGHT = 540;
const PLOT = { left: 120, right: WIDTH - 24, top: 56, bottom: HEIGHT - 76 };

/** Draws a chart and returns its PNG bytes (900 × 540). */
export function renderChart(spec: ChartSpec): Buffer {
  const r = new Raster(WIDTH, HEIGHT);
  const yValues = spec.kind === 'bar' ? spec.series.flatMap((s) => s.values.filter((v): v is number => v !== null)) : spec.series.flatMap((s) => s.points.map(([, y]) => y).filter((v): v is number => v !== null));
  const yAxis = axisFor(yValues, spec.logY ?? false, spec.kind === 'bar');
  const yOf = (v: number): number => position(yAxis, v, PLOT.bottom, PLOT.top);

  let xAxis: Axis | null = null;
  if (spec.kind !== 'bar') xAxis = axisFor(spec.series.flatMap((s) => s.points.map(([x]) => x)), false, false);
  const xOf = (v: number): number => position(xAxis!, v, PLOT.left, PLOT.right);

  // Grid and y ticks.
  for (const t of yAxis.ticks) {
    if (t < yAxis.min || t > yAxis.max) continue;
    const y = yOf(t);
    r.line(PLOT.left, y, PLOT.right, y, GRID);
    r.line(PLOT.left - 6, y, PLOT.left, y, INK);
    const label = tickLabel(t);
    r.text(PLOT.left - 10 - textWidth(label), y - CHAR_H / 2, label);
  }
  if (xAxis) {
    for (const t of xAxis.ticks) {
      if (t < xAxis.min || t > xAxis.max) continue;
      const x = xOf(t);
      r.line(x, PLOT.top, x, PLOT.bottom, GRID);
      r.line(x, PLOT.bottom, x, PLOT.bottom + 6, INK);
      const label = tickLabel(t);
      r.text(x - textWidth(label) / 2, PLOT.bottom + 10, label);
    }
  }

  // Data.
  if (spec.kind === 'bar') {
    const groups = spec.categories.length;
    const groupWidth = (PLOT.right - PLOT.left) / Math.max(1, groups);
    const barWidth = (groupWidth * 0.8) / Math.max(1, spec.series.length);
    const base = yAxis.log ? PLOT.bottom : yOf(Math.max(yAxis.min, 0));
    spec.categories.forEach((category, g) => {
      const centre = PLOT.left + (g + 0.5) * groupWidth;
      const label = category.length * CHAR_W > groupWidth ? category.slice(0, Math.max(1, Math.floor(groupWidth / CHAR_W))) : category;
      r.text(centre - textWidth(label) / 2, PLOT.bottom + 10, label);
      spec.series.forEach((series, s) => {
        const value = series.values[g];
        if (value === null || value === undefined || !Number.isFinite(value) || (yAxis.log && value <= 0)) return;
        const x0 = centre - (groupWidth * 0.8) / 2 + s * barWidth;
        r.fillRect(x0 + 1, yOf(value), x0 + barWidth - 2, base, PALETTE[s % PALETTE.length]);
      });
    });
  } else {
    spec.series.forEach((series, s) => {
      const colour = PALETTE[s % PALETTE.length];
      let previous: [number, number] | null = null;
      for (const [x, y] of series.points) {
        if (y === null || !Number.isFinite(y) || (yAxis.log && y <= 0)) {
          previous = null;
          continue;
        }
        const point: [number, number] = [xOf(x), yOf(y)];
        if (spec.kind === 'line' && previous) r.line(previous[0], previous[1], point[0], point[1], colour, 3);
        r.fillRect(point[0] - 3, point[1] - 3, point[0] + 3, point[1] + 3, colour);
        previous = point;
      }
    });
  }

  // Frame, labels, title, legend.
  r.line(PLOT.left, PLOT.top, PLOT.left, PLOT.bottom, INK, 2);
  r.line(PLOT.left, PLOT.bottom, PLOT.right, PLOT.bottom, INK, 2);
  r.text((WIDTH - textWidth(spec.title)) / 2, 18, spec.title);
  r.text((PLOT.left + PLOT.right - textWidth(spec.xLabel)) / 2, HEIGHT - 30, spec.xLabel);
  r.text(14, (PLOT.top + PLOT.bottom - textWidth(spec.yLabel)) / 2, spec.yLabel, INK, true);
  const names = spec.series.map((s) => s.name);
  if (names.length > 1 || spec.kind === 'bar') {
    const boxWidth = Math.max(...names.map(textWidth)) + 44;
    const x0 = PLOT.right - boxWidth - 8;
    const y0 = PLOT.top + 8;
    r.fillRect(x0, y0, x0 + boxWidth, y0 + names.length * (CHAR_H + 8) + 8, [255, 255, 255]);
    names.forEach((name, k) => {
      const y = y0 + 8 + k * (CHAR_H + 8);
      r.fillRect(x0 + 8, y + 2, x0 + 28, y + CHAR_H - 4, PALETTE[k % PALETTE.length]);
      r.text(x0 + 36, y, name);
    });
    r.line(x0, y0, x0 + boxWidth, y0, GRID);
    r.line(x0, y0 + names.length * (CHAR_H + 8) + 8, x0 + boxWidth, y0 + names.length * (CHAR_H + 8) + 8, GRID);
  }
  return r.png();
}
