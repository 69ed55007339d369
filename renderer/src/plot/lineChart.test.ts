import { describe, expect, it } from 'vitest';
import { chartTicks, displayDomain, formatAxisNumber, linePath, makeScale, nearestIndex, seriesExtent, type ChartSeries } from './lineChart.ts';

const series: ChartSeries[] = [
  { key: 'a', label: 'A', points: [{ x: 0, y: 1 }, { x: 10, y: 0.1 }, { x: 20, y: null }, { x: 30, y: 0.01 }] },
  { key: 'b', label: 'B', points: [{ x: 5, y: -2 }, { x: 40, y: 3 }] },
];

describe('seriesExtent', () => {
  it('spans all drawable points', () => {
    expect(seriesExtent(series, 'linear')).toEqual({ x: { min: 0, max: 40 }, y: { min: -2, max: 3 } });
  });
  it('drops non-positive values on a log scale', () => {
    expect(seriesExtent(series, 'log')).toEqual({ x: { min: 0, max: 40 }, y: { min: 0.01, max: 3 } });
  });
  it('is null without drawable points', () => {
    expect(seriesExtent([{ key: 'c', label: 'C', points: [{ x: 1, y: null }] }], 'linear')).toBeNull();
    expect(seriesExtent([], 'log')).toBeNull();
  });
});

describe('displayDomain', () => {
  it('widens a constant series with rounding noise like a single value, and its ticks end', () => {
    const d = displayDomain({ min: 1, max: 1 + 2 ** -52 }, 'linear');
    expect(d.min).toBeCloseTo(0.9, 12);
    expect(d.max).toBeCloseTo(1.1, 12);
    expect(chartTicks(d, 'linear', 5).length).toBeGreaterThan(1);
    expect(chartTicks({ min: 1, max: 1 + 2 ** -52 }, 'linear', 5)).toHaveLength(1);
  });

  it('pads a linear span and snaps it to nice ticks', () => {
    const d = displayDomain({ min: 0.13, max: 0.87 }, 'linear');
    expect(d.min).toBeLessThanOrEqual(0.13);
    expect(d.max).toBeGreaterThanOrEqual(0.87);
    expect(d).toEqual({ min: 0, max: 1 });
  });
  it('gives a single value a span around it', () => {
    expect(displayDomain({ min: 5, max: 5 }, 'linear')).toEqual({ min: 4.5, max: 5.5 });
    expect(displayDomain({ min: 0, max: 0 }, 'linear')).toEqual({ min: -1, max: 1 });
    const log = displayDomain({ min: 0.2, max: 0.2 }, 'log');
    expect(log.min).toBeLessThan(0.2);
    expect(log.max).toBeGreaterThan(0.2);
  });
  it('snaps a log span out to whole decades', () => {
    expect(displayDomain({ min: 0.02, max: 0.5 }, 'log')).toEqual({ min: 0.01, max: 1 });
  });
});

describe('makeScale', () => {
  it('maps linearly, with an inverted pixel range for y', () => {
    const y = makeScale({ min: 0, max: 10 }, 100, 0, 'linear');
    expect(y(0)).toBe(100);
    expect(y(10)).toBe(0);
    expect(y(2.5)).toBe(75);
  });
  it('maps decades evenly on a log scale', () => {
    const y = makeScale({ min: 0.01, max: 1 }, 200, 0, 'log');
    expect(y(0.01)).toBeCloseTo(200);
    expect(y(0.1)).toBeCloseTo(100);
    expect(y(1)).toBeCloseTo(0);
  });
});

describe('chartTicks', () => {
  it('gives nice linear ticks inside the domain', () => {
    expect(chartTicks({ min: 0, max: 1 }, 'linear', 5).map((t) => t.label)).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1.0']);
  });
  it('keeps whole steps on an integer axis and writes the decimals a step needs', () => {
    expect(chartTicks({ min: 1, max: 2 }, 'linear', 4, true).map((t) => t.label)).toEqual(['1', '2']);
    expect(chartTicks({ min: 1, max: 2 }, 'linear', 4).map((t) => t.label)).toEqual(['1.00', '1.25', '1.50', '1.75', '2.00']);
    expect(chartTicks({ min: 0, max: 1000 }, 'linear', 4, true).map((t) => t.label)).toEqual(['0', '250', '500', '750', '1000']);
  });
  it('gives 1, 2, 5 per decade on a short log span, decades on a long one', () => {
    expect(chartTicks({ min: 0.01, max: 1 }, 'log', 5).map((t) => t.value)).toEqual([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]);
    expect(chartTicks({ min: 1e-5, max: 10 }, 'log', 5).map((t) => t.label)).toEqual(['1e-5', '1e-4', '0.001', '0.01', '0.1', '1', '10']);
  });
});

describe('formatAxisNumber', () => {
  it('writes compact labels', () => {
    expect(formatAxisNumber(0)).toBe('0');
    expect(formatAxisNumber(25_000)).toBe('25k');
    expect(formatAxisNumber(1_500_000)).toBe('1.5M');
    expect(formatAxisNumber(0.00025)).toBe('2.5e-4');
    expect(formatAxisNumber(0.3000000004, 0.1)).toBe('0.3');
    expect(formatAxisNumber(0.25, 0.05)).toBe('0.25');
    expect(formatAxisNumber(200, 50)).toBe('200');
  });
});

describe('linePath', () => {
  const x = (v: number) => v;
  const y = (v: number) => v * 10;
  it('moves, then draws lines, and breaks at gaps', () => {
    const points = [{ x: 0, y: 1 }, { x: 1, y: 2 }, { x: 2, y: null }, { x: 3, y: 3 }, { x: 4, y: 4 }];
    expect(linePath(points, x, y, 'linear')).toBe('M0 10 L1 20 M3 30 L4 40');
  });
  it('skips non-positive values on a log scale', () => {
    expect(linePath([{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 2 }], x, y, 'log')).toBe('M1 10 L2 20');
  });
  it('is empty without points', () => {
    expect(linePath([], x, y, 'linear')).toBe('');
  });
  it('rounds to a tenth of a pixel', () => {
    expect(linePath([{ x: 0.123, y: 0.0456 }], x, y, 'linear')).toBe('M0.1 0.5');
  });
});

describe('nearestIndex', () => {
  const points = [{ x: 0, y: 1 }, { x: 10, y: 1 }, { x: 20, y: 1 }, { x: 40, y: 1 }];
  it('finds the nearest x', () => {
    expect(nearestIndex(points, -5)).toBe(0);
    expect(nearestIndex(points, 4)).toBe(0);
    expect(nearestIndex(points, 6)).toBe(1);
    expect(nearestIndex(points, 31)).toBe(3);
    expect(nearestIndex(points, 100)).toBe(3);
    expect(nearestIndex([], 1)).toBe(-1);
  });
});
