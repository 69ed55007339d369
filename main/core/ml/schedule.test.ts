import { describe, expect, test } from 'vitest';
import { StudioError } from '../contract/errors.ts';
import {
  METHOD_NOISE_SCHEDULE,
  evenlySpacedTimesteps,
  logSnrSpacedTimesteps,
  makeNoiseSchedule,
  noiseLevel,
  scheduleSpecFromManifest,
} from './schedule.ts';

/**
 * ln Γ(z) for large z by Stirling's series, z ≥ 1000 here, where the first omitted term
 * (691/(360360 z¹¹)) is far below double precision.
 */
function logGamma(z: number): number {
  const inverse = 1 / z;
  const inverse2 = inverse * inverse;
  const series = inverse * (1 / 12 - inverse2 * (1 / 360 - inverse2 * (1 / 1260 - inverse2 * (1 / 1680))));
  return (z - 0.5) * Math.log(z) - z + 0.5 * Math.log(2 * Math.PI) + series;
}

/**
 * Closed form of ᾱ_t for a schedule with 1 − β_s affine in s: with 1 − β_s = d·(a − s),
 * ∏_{s=0}^{t} d (a − s) = d^{t+1} Γ(a + 1)/Γ(a − t).
 */
function logAffineProduct(d: number, a: number, t: number): number {
  return (t + 1) * Math.log(d) + logGamma(a + 1) - logGamma(a - t);
}

describe('linear β schedule', () => {
  const schedule = makeNoiseSchedule(METHOD_NOISE_SCHEDULE);

  test('β is linear from β_start to β_end over T = 1000 steps', () => {
    expect(schedule.numTrainTimesteps).toBe(1000);
    expect(schedule.betas[0]).toBe(0.0015);
    expect(schedule.betas[999]).toBeCloseTo(0.0155, 15);
    expect(schedule.betas[333]).toBeCloseTo(0.0015 + (0.014 * 333) / 999, 15);
    for (let t = 0; t < 1000; t += 1) expect(schedule.alphas[t]).toBe(1 - schedule.betas[t]);
  });

  test('ᾱ_t equals the Gamma-function closed form d^{t+1} Γ(a+1)/Γ(a−t)', () => {
    // 1 − β_s = (1 − β_start) − δ s = δ (a − s), δ = (β_end − β_start)/(T − 1), a = (1 − β_start)/δ.
    const delta = 0.014 / 999;
    const a = (1 - 0.0015) / delta;
    for (const t of [0, 1, 10, 99, 500, 998, 999]) {
      const expected = Math.exp(logAffineProduct(delta, a, t));
      expect(Math.abs(schedule.alphasCumprod[t] / expected - 1)).toBeLessThan(1e-9);
    }
    // and numpy's cumprod for the same schedule (printed by numpy 1.24)
    expect(schedule.alphasCumprod[999]).toBeCloseTo(0.00019458235439259242, 15);
    expect(schedule.alphasCumprod[499]).toBeCloseTo(0.08163121634990256, 14);
  });

  test('the DDPM paper schedule (1e-4 → 0.02) gives its well-known ᾱ_T ≈ 4.036e-5', () => {
    const ddpm = makeNoiseSchedule({ kind: 'linear', betaStart: 1e-4, betaEnd: 0.02, numTrainTimesteps: 1000 });
    const delta = (0.02 - 1e-4) / 999;
    const closedForm = Math.exp(logAffineProduct(delta, (1 - 1e-4) / delta, 999));
    expect(Math.abs(ddpm.alphasCumprod[999] / closedForm - 1)).toBeLessThan(1e-9);
    expect(ddpm.alphasCumprod[999]).toBeCloseTo(4.035829765375676e-5, 15);
  });

  test('scaled_linear: 1 − β_s = (1 − √β_s)(1 + √β_s) gives a product of two Gamma ratios', () => {
    const spec = { kind: 'scaled_linear' as const, betaStart: 0.00085, betaEnd: 0.012, numTrainTimesteps: 1000 };
    const scaled = makeNoiseSchedule(spec);
    const b0 = Math.sqrt(spec.betaStart);
    const c = (Math.sqrt(spec.betaEnd) - b0) / 999;
    expect(scaled.betas[999]).toBeCloseTo(0.012, 15);
    expect(scaled.betas[400]).toBeCloseTo((b0 + 400 * c) ** 2, 15);
    // ∏ (1 − b0 − c s) = c^{t+1} Γ(p+1)/Γ(p−t), p = (1 − b0)/c; ∏ (1 + b0 + c s) = c^{t+1} Γ(q+t+1)/Γ(q), q = (1 + b0)/c
    const p = (1 - b0) / c;
    const q = (1 + b0) / c;
    for (const t of [0, 250, 999]) {
      const logExpected = logAffineProduct(c, p, t) + (t + 1) * Math.log(c) + logGamma(q + t + 1) - logGamma(q);
      expect(Math.abs(scaled.alphasCumprod[t] / Math.exp(logExpected) - 1)).toBeLessThan(1e-9);
    }
  });

  test('noise levels: α² + σ² = 1 and λ = ln(α/σ)', () => {
    for (const t of [0, 500, 999]) {
      const { alpha, sigma, lambda } = noiseLevel(schedule.alphasCumprod[t]);
      expect(alpha * alpha + sigma * sigma).toBeCloseTo(1, 14);
      expect(lambda).toBeCloseTo(0.5 * Math.log(schedule.alphasCumprod[t] / (1 - schedule.alphasCumprod[t])), 12);
    }
  });

  test('bad parameters are refused with the parameter named', () => {
    const bad = (spec: Partial<typeof METHOD_NOISE_SCHEDULE>) => () => makeNoiseSchedule({ ...METHOD_NOISE_SCHEDULE, ...spec });
    expect(bad({ betaEnd: 1.2 })).toThrow(/betaEnd = 1.2/);
    expect(bad({ numTrainTimesteps: 1 })).toThrow(/numTrainTimesteps = 1/);
    expect(bad({ kind: 'cosine' as never })).toThrow(/'cosine' is not supported/);
  });
});

describe('timestep grids', () => {
  test('evenly spaced grids equal numpy linspace(T−1, 0, n).round() (halves to even)', () => {
    expect(evenlySpacedTimesteps(1000, 20)).toEqual([
      999, 946, 894, 841, 789, 736, 684, 631, 578, 526, 473, 421, 368, 315, 263, 210, 158, 105, 53, 0,
    ]);
    expect(evenlySpacedTimesteps(1000, 5)).toEqual([999, 749, 500, 250, 0]);
    expect(evenlySpacedTimesteps(10, 3)).toEqual([9, 4, 0]);
    expect(evenlySpacedTimesteps(1000, 7)).toEqual([999, 832, 666, 500, 333, 166, 0]);
    expect(evenlySpacedTimesteps(1000, 1)).toEqual([999]);
    expect(evenlySpacedTimesteps(1000, 1000)).toEqual(Array.from({ length: 1000 }, (_, i) => 999 - i));
    expect(() => evenlySpacedTimesteps(1000, 0)).toThrow(StudioError);
    expect(() => evenlySpacedTimesteps(1000, 1001)).toThrow(/1 to the model's 1000/);
  });

  test('log-SNR grids are strictly decreasing, span T−1 … 0 and follow λ evenly where indices allow', () => {
    const schedule = makeNoiseSchedule();
    const lambdaOf = (t: number) => noiseLevel(schedule.alphasCumprod[t]).lambda;
    for (const steps of [2, 10, 20, 50, 200, 1000]) {
      const grid = logSnrSpacedTimesteps(schedule, steps);
      expect(grid.length).toBe(steps);
      expect(grid[0]).toBe(999);
      expect(grid[steps - 1]).toBe(0);
      for (let i = 1; i < steps; i += 1) expect(grid[i]).toBeLessThan(grid[i - 1]);
    }
    // 20 steps: Δλ = 7.5/19 ≈ 0.39 exceeds every index step of λ, so each point is the nearest index.
    const grid = logSnrSpacedTimesteps(schedule, 20);
    const first = lambdaOf(999);
    const span = lambdaOf(0) - first;
    for (let i = 0; i < 20; i += 1) {
      const target = first + (span * i) / 19;
      const t = grid[i];
      const neighbours = [t - 1, t + 1].filter((n) => n >= 0 && n < 1000);
      for (const n of neighbours) expect(Math.abs(lambdaOf(t) - target)).toBeLessThanOrEqual(Math.abs(lambdaOf(n) - target));
    }
  });
});

describe('manifest schedule', () => {
  test('reads native-models stage-2 manifest fields', () => {
    const spec = scheduleSpecFromManifest({
      type: 'linear',
      beta_start: 0.0015,
      beta_end: 0.0155,
      num_train_timesteps: 1000,
      prediction: 'eps',
      timestep_input: 'float32 [B], integer step index 0..num_train_timesteps-1',
    });
    expect(spec).toEqual(METHOD_NOISE_SCHEDULE);
  });

  test('refuses what the samplers cannot use, naming the field', () => {
    expect(() => scheduleSpecFromManifest({ type: 'linear', beta_start: 0.1, beta_end: 0.2, num_train_timesteps: 10, prediction: 'v' }, '/m/manifest.json')).toThrow(
      /\/m\/manifest.json: schedule.prediction = "v"/,
    );
    expect(() => scheduleSpecFromManifest({ type: 'linear', beta_start: '0.1' }, 'x.json')).toThrow(/schedule.beta_start = "0.1" is not a number/);
    expect(() => scheduleSpecFromManifest(undefined, 'x.json')).toThrow(/x.json: schedule is missing/);
  });
});
