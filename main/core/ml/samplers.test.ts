import { describe, expect, test } from 'vitest';
import { StudioError } from '../contract/errors.ts';
import { Random, mixSeed } from '../util/random.ts';
import {
  MAX_MULTISTEP_RATIO,
  NOISE_STREAM,
  exponentialAdamsWeights,
  exponentialMoments,
  sampleDiffusion,
  samplingGrid,
  type EpsilonModel,
  type SamplerSpec,
  type TrajectoryPoint,
} from './samplers.ts';
import { logSnrSpacedTimesteps, makeNoiseSchedule, noiseLevel } from './schedule.ts';
import { gaussianEpsilonModel, meanAndVariance, mixtureEpsilonModel, rmsDifference, type MixtureComponent } from './testing/analyticModels.ts';

const schedule = makeNoiseSchedule();

/** Simpson's rule with n (even) intervals: the reference for the exponential integrals. */
function simpson(f: (u: number) => number, a: number, b: number, n = 20000): number {
  const h = (b - a) / n;
  let sum = f(a) + f(b);
  for (let i = 1; i < n; i += 1) sum += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (sum * h) / 3;
}

describe('exponential Adams–Bashforth coefficients', () => {
  test('moments ∫_0^h e^{u−h} u^m du match quadrature on both sides of the series/closed-form switch', () => {
    for (const h of [1e-4, 0.05, 0.39, 0.999, 1, 1.7, 4]) {
      const moments = exponentialMoments(h, 3);
      for (let m = 0; m <= 3; m += 1) {
        const reference = simpson((u) => Math.exp(u - h) * u ** m, 0, h);
        expect(Math.abs(moments[m] - reference)).toBeLessThan(1e-12 * Math.max(1, h ** (m + 1)));
      }
    }
  });

  test('weights integrate polynomials of degree < order exactly; order 1 is 1 − e^{−h} (DDIM)', () => {
    const h = 0.4;
    expect(exponentialAdamsWeights([0], h)[0]).toBeCloseTo(-Math.expm1(-h), 15);
    const nodes = [0, -0.35, -0.8];
    const weights = exponentialAdamsWeights(nodes, h);
    for (const p of [(u: number) => 1, (u: number) => 2 - 3 * u, (u: number) => 0.5 + u - 4 * u * u]) {
      const quadrature = weights.reduce((sum, w, j) => sum + w * p(nodes[j]), 0);
      expect(quadrature).toBeCloseTo(simpson((u) => Math.exp(u - h) * p(u), 0, h), 12);
    }
  });
});

const mixture: MixtureComponent[] = [
  { weight: 0.3, mean: -1, std: 0.2 },
  { weight: 0.7, mean: 1.2, std: 0.3 },
];
const SAMPLE_SIZE = 4096;
const SEEDS = [201, 202, 203, 204];

/** Fraction above the midpoint 0.1 (the components' own tails across it are ≈ 1e-4) and each side's moments. */
function modes(samples: Float32Array) {
  const low = samples.filter((v) => v <= 0.1);
  const high = samples.filter((v) => v > 0.1);
  return { highFraction: high.length / samples.length, low: meanAndVariance(low), high: meanAndVariance(high) };
}

describe('samplers on a two-component Gaussian mixture (0.3·N(−1, 0.2²) + 0.7·N(1.2, 0.3²)), exact ε-model', () => {
  const model = mixtureEpsilonModel(schedule, mixture);
  const n = SAMPLE_SIZE * SEEDS.length;
  const fractionTolerance = 5 * Math.sqrt((0.3 * 0.7) / n) + 0.005;
  const figures: string[] = [];

  const cases: { name: string; spec: SamplerSpec }[] = [
    { name: 'DDPM (β̃)', spec: { kind: 'ddpm' } },
    // (DDIM η=1 on the full grid is the DDPM chain; on coarse grids its spread shrinks by over 10%)
    { name: 'DDIM η=0, 100 steps', spec: { kind: 'ddim', steps: 100 } },
    { name: 'AB3, 20 steps', spec: { kind: 'ab', steps: 20 } },
  ];
  for (const { name, spec } of cases) {
    test(`${name}: mode proportions 0.3/0.7 and the components' means and spreads`, async () => {
      const result = await sampleDiffusion({ schedule, model, sampler: spec, sampleShape: [SAMPLE_SIZE], seeds: SEEDS });
      const found = modes(result.samples);
      figures.push(
        `${name}: high-mode fraction ${found.highFraction.toFixed(4)}; low mean ${found.low.mean.toFixed(3)} std ${Math.sqrt(found.low.variance).toFixed(3)}; ` +
          `high mean ${found.high.mean.toFixed(3)} std ${Math.sqrt(found.high.variance).toFixed(3)}`,
      );
      expect(Math.abs(found.highFraction - 0.7)).toBeLessThan(fractionTolerance);
      expect(Math.abs(found.low.mean - -1)).toBeLessThan(0.02);
      expect(Math.abs(found.high.mean - 1.2)).toBeLessThan(0.02);
      expect(Math.abs(Math.sqrt(found.low.variance) / 0.2 - 1)).toBeLessThan(0.1);
      expect(Math.abs(Math.sqrt(found.high.variance) / 0.3 - 1)).toBeLessThan(0.1);
    });
  }

  test('two-point target (masses at −1 and +1, weights 0.25/0.75): samples land on the points in proportion', async () => {
    const twoPoint = mixtureEpsilonModel(schedule, [
      { weight: 0.25, mean: -1, std: 0 },
      { weight: 0.75, mean: 1, std: 0 },
    ]);
    for (const spec of [{ kind: 'ddim', steps: 100 }, { kind: 'ab', steps: 20 }] as SamplerSpec[]) {
      const { samples } = await sampleDiffusion({ schedule, model: twoPoint, sampler: spec, sampleShape: [SAMPLE_SIZE], seeds: SEEDS.slice(0, 2) });
      let plus = 0;
      let worst = 0;
      for (const v of samples) {
        if (v > 0) plus += 1;
        worst = Math.max(worst, Math.abs(Math.abs(v) - 1));
      }
      const fraction = plus / samples.length;
      figures.push(`two-point, ${spec.kind} ${'steps' in spec ? spec.steps : ''}: fraction at +1 ${fraction.toFixed(4)}, farthest from a point ${worst.toExponential(1)}`);
      expect(Math.abs(fraction - 0.75)).toBeLessThan(5 * Math.sqrt((0.25 * 0.75) / samples.length) + 0.005);
      expect(worst).toBeLessThan(1e-3);
    }
  });

  test('AB3 at 20 steps lands closer to the ODE endpoint than DDIM at 20 steps', async () => {
    const seeds = SEEDS.slice(0, 2);
    const run = async (sampler: SamplerSpec) => (await sampleDiffusion({ schedule, model, sampler, sampleShape: [SAMPLE_SIZE], seeds })).samples;
    const ddim1000 = await run({ kind: 'ddim', steps: 1000 });
    const converged = await run({ kind: 'ab', steps: 200 });
    const ab3 = await run({ kind: 'ab', steps: 20 });
    const ddim20 = await run({ kind: 'ddim', steps: 20 });
    const ddim20Lambda = await run({ kind: 'ddim', steps: 20, spacing: 'logsnr' });
    const ab3Time = await run({ kind: 'ab', steps: 20, spacing: 'time' });
    const d = (a: Float32Array, b: Float32Array) => rmsDifference(a, b).toExponential(2);
    figures.push(
      `RMS from DDIM-1000 | from AB3-200 (converged): AB3-20 ${d(ab3, ddim1000)} | ${d(ab3, converged)}; ` +
        `DDIM-20 ${d(ddim20, ddim1000)} | ${d(ddim20, converged)}; DDIM-20 (log-SNR) ${d(ddim20Lambda, ddim1000)} | ${d(ddim20Lambda, converged)}; ` +
        `AB3-20 (time grid) ${d(ab3Time, ddim1000)} | ${d(ab3Time, converged)}; DDIM-1000 itself ${d(ddim1000, converged)}`,
    );
    // measured: AB3-20 1.2e-2 | 9.3e-3, DDIM-20 1.05e-1 | 1.06e-1, DDIM-20 (log-SNR) 1.26e-1, AB3-20 (time) 7.1e-2
    expect(rmsDifference(ab3, ddim1000)).toBeLessThan(rmsDifference(ddim20, ddim1000) / 4);
    expect(rmsDifference(ab3, ddim1000)).toBeLessThan(rmsDifference(ddim20Lambda, ddim1000) / 4);
    expect(rmsDifference(ab3, converged)).toBeLessThan(rmsDifference(ddim20, converged) / 4);
    expect(rmsDifference(ab3Time, converged)).toBeLessThan(rmsDifference(ddim20, converged));
    console.log(['Mixture target figures:', ...figures].join('\n  '));
  });
});

describe('reproducibility', () => {
  const model = gaussianEpsilonModel(schedule, { mean: 0.3, std: 0.8 });
  const specs: SamplerSpec[] = [{ kind: 'ddpm' }, { kind: 'ddim', steps: 25, eta: 0.5 }, { kind: 'ab', steps: 15 }];

  test('the same seed gives bit-identical samples; another seed does not', async () => {
    for (const sampler of specs) {
      const a = await sampleDiffusion({ schedule, model, sampler, sampleShape: [2, 8, 8], seeds: [42] });
      const b = await sampleDiffusion({ schedule, model, sampler, sampleShape: [2, 8, 8], seeds: [42] });
      const c = await sampleDiffusion({ schedule, model, sampler, sampleShape: [2, 8, 8], seeds: [43] });
      expect(Buffer.from(a.samples.buffer).equals(Buffer.from(b.samples.buffer))).toBe(true);
      expect(rmsDifference(a.samples, c.samples)).toBeGreaterThan(0.1);
      expect(a.shape).toEqual([1, 2, 8, 8]);
    }
  });

  test('a batch of 4 gives each sample bit for bit what a batch of 1 gives it', async () => {
    const seeds = [5, 6, 7, 2 ** 40 + 3];
    const size = 2 * 8 * 8;
    for (const sampler of specs) {
      const batch = await sampleDiffusion({ schedule, model, sampler, sampleShape: [2, 8, 8], seeds });
      for (let b = 0; b < seeds.length; b += 1) {
        const single = await sampleDiffusion({ schedule, model, sampler, sampleShape: [2, 8, 8], seeds: [seeds[b]] });
        const slice = batch.samples.subarray(b * size, (b + 1) * size);
        expect(Buffer.from(single.samples.buffer).equals(Buffer.from(slice.slice().buffer))).toBe(true);
      }
    }
  });
});

describe('trajectory probe, progress, cancellation and checks', () => {
  const target = { mean: 0.3, std: 0.8 };
  const model = gaussianEpsilonModel(schedule, target);

  test('reports x_t and x̂₀ at the chosen steps; x_T is the seed stream; AB returns the last x̂₀', async () => {
    const points: TrajectoryPoint[] = [];
    const seeds = [9, 10];
    const result = await sampleDiffusion({
      schedule,
      model,
      sampler: { kind: 'ab', steps: 12 },
      sampleShape: [64],
      seeds,
      trajectory: { steps: [0, 5, 11], onPoint: (point) => void points.push(point) },
    });
    expect(points.map((p) => p.step)).toEqual([0, 5, 11]);
    expect(points.map((p) => p.t)).toEqual([0, 5, 11].map((i) => result.timesteps[i]));
    expect(result.timesteps).toEqual(logSnrSpacedTimesteps(schedule, 12));
    const rng = new Random(mixSeed(10, NOISE_STREAM));
    for (let i = 0; i < 64; i += 1) expect(points[0].xT[64 + i]).toBe(Math.fround(rng.normal()));
    for (const point of points) {
      // x̂₀ = (x_t − σ ε*)/α with the exact ε*
      const eps = await model(point.xT.slice(), [point.t, point.t]);
      const { alpha, sigma } = noiseLevel(schedule.alphasCumprod[point.t]);
      // x_t reaches the model (and this check) rounded to float32; x̂₀ divides that rounding by α
      for (let i = 0; i < point.xT.length; i += 1) {
        expect(Math.abs(point.x0Pred[i] - (point.xT[i] - sigma * eps[i]) / alpha)).toBeLessThan(1e-6 / alpha);
      }
    }
    expect(Array.from(result.samples)).toEqual(Array.from(points[2].x0Pred));
  });

  test('progress counts model evaluations; an abort between steps cancels', async () => {
    const progress: number[] = [];
    await sampleDiffusion(
      { schedule, model, sampler: { kind: 'ddim', steps: 10 }, sampleShape: [4], seeds: [1] },
      { onProgress: (p) => progress.push(p.done) },
    );
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const controller = new AbortController();
    const run = sampleDiffusion(
      {
        schedule,
        model,
        sampler: { kind: 'ddim', steps: 10 },
        sampleShape: [4],
        seeds: [1],
        trajectory: { steps: [3], onPoint: () => controller.abort() },
      },
      { signal: controller.signal },
    );
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
  });

  test('the model receives its own copy and one timestep per sample', async () => {
    const seen: { length: number; timesteps: number[] }[] = [];
    const spy: EpsilonModel = async (xT, timesteps) => {
      seen.push({ length: xT.length, timesteps });
      const eps = await model(xT, timesteps);
      structuredClone(xT, { transfer: [xT.buffer] }); // detach it, as the ONNX pool does
      return eps;
    };
    const result = await sampleDiffusion({ schedule, model: spy, sampler: { kind: 'ab', steps: 5 }, sampleShape: [3, 2], seeds: [1, 2, 3] });
    expect(seen).toHaveLength(5);
    expect(seen[0]).toEqual({ length: 18, timesteps: [999, 999, 999] });
    expect(result.samples.every(Number.isFinite)).toBe(true);
  });

  test('bad settings and a misbehaving model give clear errors', async () => {
    const request = { schedule, model, sampleShape: [4], seeds: [1] };
    await expect(sampleDiffusion({ ...request, sampler: { kind: 'ddim', steps: 0 } })).rejects.toThrow(/steps = 0/);
    await expect(sampleDiffusion({ ...request, sampler: { kind: 'ddim', steps: 10, eta: 2 } })).rejects.toThrow(/η = 2/);
    await expect(sampleDiffusion({ ...request, sampler: { kind: 'ab', steps: 10, order: 4 as never } })).rejects.toThrow(/order = 4/);
    await expect(sampleDiffusion({ ...request, sampler: { kind: 'ddim', steps: 3 }, timesteps: [999, 999, 0] })).rejects.toThrow(/strictly decrease/);
    await expect(sampleDiffusion({ ...request, seeds: [1.5], sampler: { kind: 'ddim', steps: 3 } })).rejects.toThrow(/Seed 0 = 1.5/);
    await expect(
      sampleDiffusion({ ...request, sampler: { kind: 'ddim', steps: 3 }, trajectory: { steps: [3], onPoint: () => {} } }),
    ).rejects.toThrow(/probe step 3 is outside/);
    const short: EpsilonModel = async (xT) => new Float32Array(xT.length - 1);
    await expect(sampleDiffusion({ ...request, model: short, sampler: { kind: 'ddim', steps: 3 } })).rejects.toThrow(/returned 3 float32 values at step 0 \(t = 999\)/);
    const nan: EpsilonModel = async (xT) => new Float32Array(xT.length).fill(Number.NaN);
    await expect(sampleDiffusion({ ...request, model: nan, sampler: { kind: 'ddpm' } })).rejects.toBeInstanceOf(StudioError);
  });

  test('a step more than MAX_MULTISTEP_RATIO times longer than the previous one is taken at first order', async () => {
    // With a grid whose last step is long, AB3 must equal AB3 on the same grid up to that step followed
    // by a DDIM step: compare against an order-1 run on the final step by reconstructing it here.
    const grid = [999, 900, 800, 700, 20, 0];
    const lambdas = grid.map((t) => noiseLevel(schedule.alphasCumprod[t]).lambda);
    expect((lambdas[4] - lambdas[3]) / (lambdas[3] - lambdas[2])).toBeGreaterThan(MAX_MULTISTEP_RATIO);
    const points: TrajectoryPoint[] = [];
    await sampleDiffusion({
      schedule,
      model,
      sampler: { kind: 'ab', steps: grid.length },
      timesteps: grid,
      sampleShape: [16],
      seeds: [3],
      trajectory: { steps: [3, 4], onPoint: (p) => void points.push(p) },
    });
    const [before, after] = points;
    const from = noiseLevel(schedule.alphasCumprod[700]);
    const to = noiseLevel(schedule.alphasCumprod[20]);
    for (let i = 0; i < 16; i += 1) {
      // DDIM η=0: x' = (σ'/σ) x + α' (1 − e^{−h}) x̂₀
      const ddim = (to.sigma / from.sigma) * before.xT[i] + to.alpha * -Math.expm1(-(to.lambda - from.lambda)) * before.x0Pred[i];
      expect(after.xT[i]).toBeCloseTo(ddim, 5);
    }
    expect(samplingGrid(schedule, { kind: 'ab', steps: 6 }, grid)).toEqual(grid);
  });
});
