import { describe, expect, it } from 'vitest';
import { columnProfile, velocityDifference } from './velocityCompare.ts';

describe('velocity comparison', () => {
  it('subtracts cell by cell and reports the largest |Δv|', () => {
    const a = new Float32Array([1500, 2000, 3000, 4500]);
    const b = new Float32Array([1500, 2500, 2000, 4400]);
    const { differenceMps, maxAbsMps } = velocityDifference(a, b);
    expect(Array.from(differenceMps)).toEqual([0, -500, 1000, 100]);
    expect(maxAbsMps).toBe(1000);
    expect(() => velocityDifference(a, new Float32Array(3))).toThrow(/differ in size/);
  });

  it('reads one column top to bottom from a row-major [depth, width] grid', () => {
    // 3 rows × 2 columns: row z holds [1000 z + 1, 1000 z + 2].
    const grid = new Float32Array([1, 2, 1001, 1002, 2001, 2002]);
    expect(Array.from(columnProfile(grid, 3, 2, 1))).toEqual([2, 1002, 2002]);
    expect(() => columnProfile(grid, 3, 2, 2)).toThrow(/outside/);
  });
});
