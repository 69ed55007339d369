import { describe, expect, it } from 'vitest';
import { absPercentile, agc, dbToFactor, displayClip, finiteRange, PERCENTILE_SAMPLE_LIMIT } from './amplitude.ts';

describe('amplitude scaling', () => {
  it('converts decibels to amplitude factors', () => {
    expect(dbToFactor(0)).toBe(1);
    expect(dbToFactor(20)).toBeCloseTo(10, 12);
    expect(dbToFactor(-6)).toBeCloseTo(0.501187, 5);
  });

  it('computes percentiles of |x| by interpolating order statistics', () => {
    const values = new Float32Array([-4, 1, -2, 3, 0]); // |x| sorted: 0 1 2 3 4
    expect(absPercentile(values, 0)).toBe(0);
    expect(absPercentile(values, 100)).toBe(4);
    expect(absPercentile(values, 50)).toBe(2);
    expect(absPercentile(values, 87.5)).toBeCloseTo(3.5, 6);
  });

  it('ignores non-finite values and handles empty arrays', () => {
    expect(absPercentile(new Float32Array([Number.NaN, 2, Number.POSITIVE_INFINITY]), 100)).toBe(2);
    expect(absPercentile(new Float32Array(0), 99)).toBe(0);
    expect(finiteRange(new Float32Array([Number.NaN, -3, 5]))).toEqual([-3, 5]);
    expect(finiteRange(new Float32Array([Number.NaN]))).toEqual([0, 0]);
  });

  it('samples large arrays and stays close to the exact percentile', () => {
    const n = PERCENTILE_SAMPLE_LIMIT * 4 + 17;
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = ((i * 7919) % n) / n; // a permutation of a uniform ramp
    expect(absPercentile(values, 99)).toBeCloseTo(0.99, 2);
  });

  it('leaves padded traces out of the percentile clip', () => {
    // [time 4, receivers 3]: receivers 0 and 1 recorded (|x| = 1..8), receiver 2 zero padding.
    const gather = new Float32Array([1, 2, 0, 3, 4, 0, 5, 6, 0, 7, 8, 0]);
    const padded = { nReceivers: 3, receivers: [2] };
    // Counted, the four zeros make the median 2.5; the median of the data is 4.5.
    expect(absPercentile(gather, 50)).toBeCloseTo(2.5, 6);
    expect(absPercentile(gather, 50, padded)).toBeCloseTo(4.5, 6);
    expect(absPercentile(gather, 0, padded)).toBe(1);
    expect(displayClip(gather, { kind: 'percentile', percent: 50 }, 0, padded)).toBeCloseTo(4.5, 6);
    expect(absPercentile(gather, 50, { nReceivers: 3, receivers: [] })).toBeCloseTo(2.5, 6);
  });

  it('divides the clip by the gain factor', () => {
    const values = new Float32Array([1, -2, 3, -4]);
    expect(displayClip(values, { kind: 'absolute', amplitude: 2 }, 0)).toBe(2);
    expect(displayClip(values, { kind: 'absolute', amplitude: 2 }, 20)).toBeCloseTo(0.2, 10);
    expect(displayClip(values, { kind: 'percentile', percent: 100 }, 0)).toBe(4);
    expect(displayClip(new Float32Array(4), { kind: 'percentile', percent: 99 }, 0)).toBeGreaterThan(0);
  });

  it('AGC normalises each trace by its windowed RMS', () => {
    // [time 4, receivers 2]: receiver 0 constant 2, receiver 1 alternating ±10.
    const values = new Float32Array([2, 10, 2, -10, 2, 10, 2, -10]);
    const out = agc(values, 4, 2, 3);
    for (let t = 0; t < 4; t++) {
      expect(out[t * 2]).toBeCloseTo(1, 6);
      expect(Math.abs(out[t * 2 + 1])).toBeCloseTo(1, 6);
      expect(Math.sign(out[t * 2 + 1])).toBe(Math.sign(values[t * 2 + 1]));
    }
  });

  it('AGC evens out a decaying trace and keeps silent windows at zero', () => {
    const nTime = 200;
    const values = new Float32Array(nTime * 2);
    for (let t = 0; t < nTime; t++) values[t * 2] = Math.exp(-t / 20) * Math.sin(t);
    const out = agc(values, nTime, 2, 21);
    const rms = (from: number, to: number) => {
      let s = 0;
      for (let t = from; t < to; t++) s += out[t * 2] ** 2;
      return Math.sqrt(s / (to - from));
    };
    expect(rms(20, 60) / rms(140, 180)).toBeLessThan(1.5);
    for (let t = 0; t < nTime; t++) expect(out[t * 2 + 1]).toBe(0);
  });

  it('AGC refuses a shape that does not fit', () => {
    expect(() => agc(new Float32Array(5), 2, 2, 3)).toThrow(/\[2 time, 2 receivers\]/);
  });
});
