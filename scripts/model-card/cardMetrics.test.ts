/**
 * The card's pooled velocity metrics and the MAE's standard error, on models whose per-sample errors
 * are known by hand: a constant 3000 m/s truth and predictions off by a constant per sample, so each
 * sample's MAE on OpenFWI's [−1, 1] scale (1500–4500 m/s) is 2·offset / 3000.
 */
import { describe, it, expect } from 'vitest';
import { averageVelocityMetrics, standardError, velocityMetrics } from './cardMetrics.ts';

const CELLS = 70 * 70;

function constantModels(velocitiesMps: number[]): Float32Array {
  const out = new Float32Array(velocitiesMps.length * CELLS);
  velocitiesMps.forEach((v, i) => out.fill(v, i * CELLS, (i + 1) * CELLS));
  return out;
}

describe('card velocity metrics', () => {
  it('give the mean MAE and its standard error over samples', () => {
    // Offsets 30, 60 and 150 m/s: MAEs 0.02, 0.04 and 0.1; mean 0.16/3; sample variance
    // ((0.02−m)² + (0.04−m)² + (0.1−m)²)/2 = 0.0034667/2; standard error √(0.0017333/3) = 0.0240370.
    const truth = constantModels([3000, 3000, 3000]);
    const predicted = constantModels([3030, 2940, 3150]);
    const m = velocityMetrics(predicted, truth, 3);
    expect(m.velocity_mae).toBeCloseTo(0.16 / 3, 6);
    expect(m.velocity_mae_sem).toBeCloseTo(0.024037, 5);
    expect(m.velocity_rmse).toBeCloseTo(Math.sqrt((0.02 ** 2 + 0.04 ** 2 + 0.1 ** 2) / 3), 6);
  });

  it('pool equal-sized sets: the mean of means, the standard error of a mean of independent means', () => {
    const truth = constantModels([3000, 3000]);
    const a = velocityMetrics(constantModels([3030, 3060]), truth, 2); // MAEs 0.02, 0.04: sem 0.01
    const b = velocityMetrics(constantModels([3000, 3090]), truth, 2); // MAEs 0, 0.06: sem 0.03
    expect(a.velocity_mae_sem).toBeCloseTo(0.01, 6);
    expect(b.velocity_mae_sem).toBeCloseTo(0.03, 6);
    const pooled = averageVelocityMetrics([a, b]);
    expect(pooled.velocity_mae).toBeCloseTo(0.03, 6);
    expect(pooled.velocity_mae_sem).toBeCloseTo(Math.sqrt(0.01 ** 2 + 0.03 ** 2) / 2, 6);
  });

  it('have no standard error for fewer than two samples', () => {
    expect(standardError([0.5])).toBeNaN();
    expect(standardError([])).toBeNaN();
    expect(standardError([1, 3])).toBeCloseTo(1, 12);
  });
});
