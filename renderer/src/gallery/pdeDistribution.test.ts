import { describe, expect, it } from 'vitest';
import { ceilSignificant, describeDistribution, distributionOffsets, nothingBelowMessage, quantileOffset, suggestedThreshold, summarise } from './pdeDistribution.ts';

// 200 deviations 0.5, 0.505, …, 1.495: what a young model's pairs look like.
const sorted = Array.from({ length: 200 }, (_, i) => 0.5 + i * 0.005);

describe('PDE deviation distribution', () => {
  it('reads its quantiles and the K-th smallest from a few offsets', () => {
    expect(quantileOffset(200, 0.5)).toBe(99);
    expect(quantileOffset(1, 0.9)).toBe(0);
    expect(distributionOffsets(200, 20)).toEqual([19, 49, 99, 149, 179]);
    expect(distributionOffsets(3, 20)).toEqual([0, 1, 2]);
    const d = summarise(200, 20, (i) => sorted[i]);
    expect(d.quantiles.map((x) => x.value)).toEqual([sorted[19], sorted[49], sorted[99], sorted[149], sorted[179]]);
    expect(d.kth).toBe(sorted[19]);
    expect(describeDistribution(d)).toBe('PDE deviation of 200 samples: 10 % ≤ 0.59, 25 % ≤ 0.74, median 0.99, 75 % ≤ 1.25, 90 % ≤ 1.40.');
  });

  it('suggests a threshold that admits at least K samples and half of them', () => {
    expect(ceilSignificant(0.01234)).toBe(0.013);
    expect(ceilSignificant(0.99)).toBe(0.99);
    const d = summarise(200, 20, (i) => sorted[i]);
    // The median (0.995) is above the 20th smallest (0.595): half the samples qualify.
    expect(suggestedThreshold(d)).toBe(1);
    expect(sorted.filter((v) => v <= suggestedThreshold(d)!).length).toBeGreaterThanOrEqual(100);
    // K beyond the median: the K-th smallest decides.
    expect(suggestedThreshold(summarise(200, 180, (i) => sorted[i]))).toBe(1.4);
    expect(nothingBelowMessage(0.1, d)).toBe('No sample has a PDE deviation ≤ 0.10, so nothing was tagged (10 % of the samples are at or below 0.59). Try 1.');
  });

  it('says when no sample was checked by the physics', () => {
    const none = summarise(0, 20, () => NaN);
    expect(suggestedThreshold(none)).toBeNull();
    expect(nothingBelowMessage(0.1, none)).toMatch(/generated without the physics check/);
  });
});
