import { describe, expect, it } from 'vitest';
import { formatTick, niceStep, niceTicks, stepDecimals } from './ticks.ts';

describe('axis ticks', () => {
  it('gives one tick for a span at float64 resolution (a constant series with rounding noise), instead of counting forever', () => {
    const lr = 0.0005;
    expect(niceTicks(lr, lr * (1 + 2 ** -50), 5)).toEqual([lr]);
    expect(niceTicks(1, 1 + 2 ** -52, 5)).toEqual([1]);
  });

  it('picks 1–2–2.5–5 steps', () => {
    expect(niceStep(100, 5)).toBe(20);
    expect(niceStep(1, 4)).toBe(0.25);
    expect(niceStep(7, 10)).toBe(1);
    expect(niceStep(3000, 6)).toBe(500);
  });

  it('lists ticks inside the range without floating-point noise', () => {
    expect(niceTicks(0, 1, 10)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(niceTicks(1487, 4512, 7)).toEqual([1500, 2000, 2500, 3000, 3500, 4000, 4500]);
    expect(niceTicks(5, 5, 5)).toEqual([5]);
    expect(niceTicks(0, Number.NaN, 5)).toEqual([]);
  });

  it('formats labels with the decimals the step needs', () => {
    expect(stepDecimals(2.5)).toBe(1);
    expect(stepDecimals(0.05)).toBe(2);
    expect(stepDecimals(500)).toBe(0);
    expect(formatTick(2.5, 2.5)).toBe('2.5');
    expect(formatTick(1000, 500)).toBe('1000');
    expect(formatTick(0.1, 0.05)).toBe('0.10');
  });
});
