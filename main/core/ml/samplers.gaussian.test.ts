/**
 * Samplers against a Gaussian target x₀ ~ N(μ, s²) per element, whose exact ε-model is closed form
 * (testing/analyticModels.ts). Every chain is then linear-Gaussian, so each sampler's exact output
 * distribution (its own discretisation error included) follows from a moment recursion written
 * here from the papers' update rules; the samples must match those moments within statistical
 * tolerance, and the moments must lie near the target (the discretisation allowance is stated).
 */
import { describe, expect, test } from 'vitest';
import { sampleDiffusion, type SamplerSpec } from './samplers.ts';
import { evenlySpacedTimesteps, makeNoiseSchedule } from './schedule.ts';
import { gaussianEpsilonModel, gaussianFlowEndpoint, meanAndVariance, rmsDifference } from './testing/analyticModels.ts';
import { Random, mixSeed } from '../util/random.ts';
import { NOISE_STREAM } from './samplers.ts';

const schedule = makeNoiseSchedule();
const target = { mean: 0.7, std: 0.4 };
const model = gaussianEpsilonModel(schedule, target);
const SAMPLE_SIZE = 4096;
const SEEDS = [101, 102, 103, 104];
const N = SAMPLE_SIZE * SEEDS.length;

/**
 * Mean and variance of a DDIM(η) or DDPM chain's output, started from x_T ~ N(0, 1). With the exact
 * ε* = c (x − α μ), c = σ/v, every step is x' = A x + B + s z, so m' = A m + B and V' = A² V + s².
 */
function chainMoments(grid: number[], rule: { eta: number } | { ddpm: 'posterior' | 'beta' }): { mean: number; variance: number } {
  let mean = 0;
  let variance = 1;
  const mu = target.mean;
  const s2 = target.std ** 2;
  for (let i = 0; i < grid.length; i += 1) {
    const t = grid[i];
    const abar = schedule.alphasCumprod[t];
    const alpha = Math.sqrt(abar);
    const sigma = Math.sqrt(1 - abar);
    const c = sigma / (abar * s2 + 1 - abar);
    // ε = c x − c α μ;  x̂₀ = (x − σ ε)/α
    const [epsA, epsB] = [c, -c * alpha * mu];
    const [x0A, x0B] = [(1 - sigma * epsA) / alpha, (-sigma * epsB) / alpha];
    let A: number;
    let B: number;
    let noiseVariance: number;
    if ('eta' in rule) {
      // DDIM (Song et al. 2021, eq. 12): x' = √ᾱ' x̂₀ + √(1 − ᾱ' − s²) ε + s z
      const abarNext = i + 1 < grid.length ? schedule.alphasCumprod[grid[i + 1]] : 1;
      const s = rule.eta * Math.sqrt(((1 - abarNext) / (1 - abar)) * (1 - abar / abarNext));
      const e = Math.sqrt(1 - abarNext - s * s);
      A = Math.sqrt(abarNext) * x0A + e * epsA;
      B = Math.sqrt(abarNext) * x0B + e * epsB;
      noiseVariance = s * s;
    } else {
      // DDPM (Ho et al. 2020, Algorithm 2): x' = (x − β/√(1 − ᾱ) ε)/√α_t + s z
      const beta = schedule.betas[t];
      const k = 1 / Math.sqrt(1 - beta);
      const e = beta / Math.sqrt(1 - abar);
      A = k * (1 - e * epsA);
      B = -k * e * epsB;
      const abarPrev = t > 0 ? schedule.alphasCumprod[t - 1] : 1;
      noiseVariance = t === 0 ? 0 : rule.ddpm === 'beta' ? beta : (beta * (1 - abarPrev)) / (1 - abar);
    }
    mean = A * mean + B;
    variance = A * A * variance + noiseVariance;
  }
  return { mean, variance };
}

/** 5 standard errors of the sample mean and the sample variance of N values with variance V. */
function tolerances(variance: number): { mean: number; variance: number } {
  return { mean: 5 * Math.sqrt(variance / N), variance: 5 * variance * Math.sqrt(2 / (N - 1)) };
}

const figures: string[] = [];

describe('samplers on a Gaussian target N(0.7, 0.4²), exact ε-model', () => {
  const cases: { name: string; spec: SamplerSpec; rule: { eta: number } | { ddpm: 'posterior' | 'beta' }; allowance: number }[] = [
    // allowance: the chain's own discretisation bias of the variance, relative to s² (its exact value is printed)
    { name: 'DDPM, posterior variance β̃', spec: { kind: 'ddpm' }, rule: { ddpm: 'posterior' }, allowance: 0.05 },
    { name: 'DDPM, variance β', spec: { kind: 'ddpm', variance: 'beta' }, rule: { ddpm: 'beta' }, allowance: 0.01 },
    { name: 'DDIM η=0, 1000 steps', spec: { kind: 'ddim', steps: 1000, eta: 0 }, rule: { eta: 0 }, allowance: 0.03 },
    { name: 'DDIM η=1, 1000 steps', spec: { kind: 'ddim', steps: 1000, eta: 1 }, rule: { eta: 1 }, allowance: 0.05 },
  ];

  for (const { name, spec, rule, allowance } of cases) {
    test(`${name}: samples match the chain's exact moments, which lie near μ and s²`, async () => {
      const result = await sampleDiffusion({ schedule, model, sampler: spec, sampleShape: [SAMPLE_SIZE], seeds: SEEDS });
      const grid = spec.kind === 'ddpm' ? evenlySpacedTimesteps(1000, 1000) : evenlySpacedTimesteps(1000, spec.steps);
      expect(result.timesteps).toEqual(grid);
      expect(result.modelEvaluations).toBe(grid.length);
      const exact = chainMoments(grid, rule);
      const measured = meanAndVariance(result.samples);
      const tol = tolerances(exact.variance);
      figures.push(
        `${name}: sample mean ${measured.mean.toFixed(4)} var ${measured.variance.toFixed(4)}; ` +
          `chain exact mean ${exact.mean.toFixed(4)} var ${exact.variance.toFixed(4)}; target 0.7000 / 0.1600`,
      );
      expect(Math.abs(measured.mean - exact.mean)).toBeLessThan(tol.mean);
      expect(Math.abs(measured.variance - exact.variance)).toBeLessThan(tol.variance);
      // the chain's own bias: the mean is off by at most the x_T ~ N(0, 1) mismatch √ᾱ_T μ s ≈ 0.004
      expect(Math.abs(exact.mean - target.mean)).toBeLessThan(0.005);
      expect(Math.abs(exact.variance / target.std ** 2 - 1)).toBeLessThan(allowance);
    });
  }

  test('DDIM η=1, 100 steps matches its exact moments (its variance is biased low by coarse steps)', async () => {
    const result = await sampleDiffusion({ schedule, model, sampler: { kind: 'ddim', steps: 100, eta: 1 }, sampleShape: [SAMPLE_SIZE], seeds: SEEDS });
    const exact = chainMoments(evenlySpacedTimesteps(1000, 100), { eta: 1 });
    const measured = meanAndVariance(result.samples);
    const tol = tolerances(exact.variance);
    figures.push(`DDIM η=1, 100 steps: sample var ${measured.variance.toFixed(4)}, chain exact ${exact.variance.toFixed(4)}`);
    expect(Math.abs(measured.mean - exact.mean)).toBeLessThan(tol.mean);
    expect(Math.abs(measured.variance - exact.variance)).toBeLessThan(tol.variance);
  });

  test('DDIM η=1 on the full grid is DDPM with posterior variance (same seeds, same noise draws)', async () => {
    const seeds = [7, 8];
    const ddpm = await sampleDiffusion({ schedule, model, sampler: { kind: 'ddpm' }, sampleShape: [256], seeds });
    const ddim = await sampleDiffusion({ schedule, model, sampler: { kind: 'ddim', steps: 1000, eta: 1 }, sampleShape: [256], seeds });
    expect(rmsDifference(ddpm.samples, ddim.samples)).toBeLessThan(1e-5);
  });

  test('ODE solvers against the exact probability-flow endpoint: AB3 (20, log-SNR) beats DDIM η=0 at 20 and at 1000 steps', async () => {
    const seeds = SEEDS.slice(0, 2);
    const noise = new Float64Array(seeds.length * SAMPLE_SIZE);
    seeds.forEach((seed, b) => {
      const rng = new Random(mixSeed(seed, NOISE_STREAM));
      for (let i = 0; i < SAMPLE_SIZE; i += 1) noise[b * SAMPLE_SIZE + i] = rng.normal();
    });
    // exact flow T−1 → 0 from the same x_T, then x̂₀ at t = 0 (the step to clean every sampler takes)
    const exact = gaussianFlowEndpoint(schedule, target, noise, 999, 0);
    const run = async (sampler: SamplerSpec) =>
      rmsDifference((await sampleDiffusion({ schedule, model, sampler, sampleShape: [SAMPLE_SIZE], seeds })).samples, exact);
    const ab3 = await run({ kind: 'ab', steps: 20 });
    const ab3Time = await run({ kind: 'ab', steps: 20, spacing: 'time' });
    const ab2 = await run({ kind: 'ab', steps: 20, order: 2 });
    const ddim20 = await run({ kind: 'ddim', steps: 20 });
    const ddim20Lambda = await run({ kind: 'ddim', steps: 20, spacing: 'logsnr' });
    const ddim1000 = await run({ kind: 'ddim', steps: 1000 });
    const ab3at50 = await run({ kind: 'ab', steps: 50 });
    figures.push(
      `RMS from the exact flow endpoint: AB3-20 (log-SNR) ${ab3.toExponential(2)}, AB3-50 ${ab3at50.toExponential(2)}, ` +
        `AB3-20 (time grid) ${ab3Time.toExponential(2)}, AB2-20 ${ab2.toExponential(2)}, DDIM-20 ${ddim20.toExponential(2)}, ` +
        `DDIM-20 (log-SNR) ${ddim20Lambda.toExponential(2)}, DDIM-1000 ${ddim1000.toExponential(2)}`,
    );
    // measured ≈ 9e-4, 2e-5, 6.7e-2, 6.6e-3, 8.5e-2, 3.8e-2, 2.2e-3: each ordering holds by a wide margin
    expect(ab3).toBeLessThan(ddim20 / 10);
    expect(ab3).toBeLessThan(ddim20Lambda / 10);
    expect(ab3).toBeLessThan(ddim1000);
    expect(ab3).toBeLessThan(ab2);
    expect(ab3at50).toBeLessThan(ab3 / 5);
    expect(ab3Time).toBeLessThan(ddim20);

    // and the sample statistics of AB3-20 themselves
    const samples = (await sampleDiffusion({ schedule, model, sampler: { kind: 'ab', steps: 20 }, sampleShape: [SAMPLE_SIZE], seeds: SEEDS })).samples;
    const measured = meanAndVariance(samples);
    const tol = tolerances(target.std ** 2);
    figures.push(`AB3-20: sample mean ${measured.mean.toFixed(4)} var ${measured.variance.toFixed(4)}`);
    expect(Math.abs(measured.mean - target.mean)).toBeLessThan(tol.mean + 0.005);
    expect(Math.abs(measured.variance / target.std ** 2 - 1)).toBeLessThan(tol.variance / target.std ** 2 + 0.03);
    console.log(['Gaussian target figures:', ...figures].join('\n  '));
  });
});
