import { describe, expect, it } from 'vitest';
import { formatMetric, formatParameters, trainingSummary } from './format.ts';

describe('formatParameters', () => {
  it('uses M and k', () => {
    expect(formatParameters(2_812_345)).toBe('2.81 M');
    expect(formatParameters(412_000)).toBe('412 k');
    expect(formatParameters(950)).toBe('950');
    expect(formatParameters(null)).toBe('—');
  });
});

describe('formatMetric', () => {
  it('keeps four significant digits without trailing zeros', () => {
    expect(formatMetric(0.123456)).toBe('0.1235');
    expect(formatMetric(0.5)).toBe('0.5');
    expect(formatMetric(12)).toBe('12');
    expect(formatMetric(0.0000123)).toBe('1.230e-5');
    expect(formatMetric(0)).toBe('0');
    expect(formatMetric(null)).toBe('—');
    expect(formatMetric(Number.NaN)).toBe('—');
  });
});

describe('trainingSummary', () => {
  it('reads the manifest training record', () => {
    expect(trainingSummary({ data: { name: 'flatvel', N: 2000 }, steps: 5000, training_time_s: 3725, device: 'cpu' })).toEqual({
      data: 'flatvel (2,000)',
      steps: '5,000',
      time: '1 h 02 min',
      device: 'cpu',
    });
    expect(trainingSummary(null).data).toBe('—');
    expect(trainingSummary({ data: { N: 4 } }).data).toBe('4 samples');
  });
});
