import { describe, it, expect } from 'vitest';
import { Random } from '../util/random.ts';
import { SpreadSkillAccumulator } from './spreadSkill.ts';

describe('spread–skill ratio', () => {
  it('is exact on a two-member ensemble', () => {
    // Members a − d and a + d, truth a + e: mean a, RMSE |e|, spread √2·|d|, ratio √(3/2)·√2·d/e = √3·d/e.
    const acc = new SpreadSkillAccumulator(2);
    acc.add([1 - 0.3, 2 - 0.3, 1 + 0.3, 2 + 0.3], [1 + 0.2, 2 - 0.2]);
    const r = acc.result();
    expect(r.rmse).toBeCloseTo(0.2, 14);
    expect(r.spread).toBeCloseTo(Math.sqrt(2) * 0.3, 14);
    expect(r.ratio).toBeCloseTo((Math.sqrt(3) * 0.3) / 0.2, 13);
  });

  it('is 1 for an ensemble whose truth is one more Gaussian member, and the exact value for a too-wide one', () => {
    // Truth y ~ N(0, 1); members ~ N(0, σ²) independently. E[RMSE²] = 1 + σ²/n, E[S²] = σ²:
    // ratio → √((n+1)/n)·σ/√(1 + σ²/n), which is 1 at σ = 1.
    const n = 10;
    const points = 20_000;
    for (const sigma of [1, 2]) {
      const rng = new Random(42 + sigma);
      const acc = new SpreadSkillAccumulator(n);
      const truth = Float64Array.from({ length: points }, () => rng.normal());
      const members = Float64Array.from({ length: n * points }, () => sigma * rng.normal());
      acc.add(members, truth);
      const expected = (Math.sqrt((n + 1) / n) * sigma) / Math.sqrt(1 + (sigma * sigma) / n);
      // Statistical error of a ratio of means over 20,000 points: about 0.5 %.
      expect(Math.abs(acc.result().ratio / expected - 1)).toBeLessThan(0.015);
    }
  });

  it('refuses a one-member ensemble and a mismatched shape', () => {
    expect(() => new SpreadSkillAccumulator(1)).toThrow(/at least 2/);
    expect(() => new SpreadSkillAccumulator(2).add([1, 2, 3], [1, 2])).toThrow(/has 4 values/);
  });
});
