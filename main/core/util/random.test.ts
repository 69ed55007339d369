import { describe, expect, it } from 'vitest';
import { Random, mixSeed } from './random.ts';

describe('Random (xoshiro128**)', () => {
  it('matches the reference sequence from state {1, 2, 3, 4}', () => {
    // Computed with an independent Python transcription of Vigna's xoshiro128starstar.c.
    const rng = Random.fromState([1, 2, 3, 4]);
    expect(Array.from({ length: 6 }, () => rng.nextUint32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const seqA = Array.from({ length: 100 }, () => a.uniform());
    expect(Array.from({ length: 100 }, () => b.uniform())).toEqual(seqA);
    expect(Array.from({ length: 100 }, () => c.uniform())).not.toEqual(seqA);
  });

  it('keeps the stream of a seed fixed (a regression pin: generated datasets must not change between versions)', () => {
    const rng = new Random(2024);
    expect(Array.from({ length: 4 }, () => rng.nextUint32())).toEqual([2053755100, 879648060, 2840086908, 2844357637]);
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
    expect(mixSeed(2 ** 40)).not.toBe(mixSeed(0));
  });

  it('draws uniform numbers in [0, 1) with the right mean and variance, integers in range', () => {
    const rng = new Random(7);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    const counts = new Array(6).fill(0);
    let outside = 0;
    for (let i = 0; i < n; i += 1) {
      const u = rng.uniform();
      if (!(u >= 0 && u < 1)) outside += 1;
      sum += u;
      sumSq += u * u;
      counts[rng.integer(0, 5)] += 1;
    }
    expect(outside).toBe(0);
    // Standard error of the mean of n uniforms: sqrt(1/12/n) ≈ 6.5e-4; 5 sigma bounds.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(sumSq / n - (sum / n) ** 2 - 1 / 12)).toBeLessThan(0.002);
    for (const c of counts) expect(Math.abs(c / n - 1 / 6)).toBeLessThan(0.005);
  });

  it('draws standard normals', () => {
    const rng = new Random(11);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    let beyond2 = 0;
    for (let i = 0; i < n; i += 1) {
      const z = rng.normal();
      sum += z;
      sumSq += z * z;
      if (Math.abs(z) > 2) beyond2 += 1;
    }
    expect(Math.abs(sum / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.02);
    // P(|Z| > 2) = 0.0455
    expect(Math.abs(beyond2 / n - 0.0455)).toBeLessThan(0.004);
  });

  it('picks weighted indices in proportion', () => {
    const rng = new Random(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 60_000; i += 1) counts[rng.weightedIndex([1, 2, 3])] += 1;
    expect(counts[0] / 60_000).toBeCloseTo(1 / 6, 1);
    expect(counts[2] / 60_000).toBeCloseTo(3 / 6, 1);
  });
});
