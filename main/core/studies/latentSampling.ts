/**
 * Study 1, latent sampling (the paper's Table 5 and Fig. 5): the PDE deviation
 * pde_rel_l2 = ‖ŝ − f(v̂)‖₂/‖f(v̂)‖₂ (OpenFWI geometry) of pairs decoded from
 *   (a) random latents z ~ N(μ_c, σ_c²), μ_c and σ_c per latent channel of the stage-1 encoder's
 *       continuous latents of training pairs (encoded here; see below);
 *   (b) interpolations z = (1 − w) z_A + w z_B between the latents of two encoded training pairs,
 *       w = 0.1, 0.3, 0.5, 0.7, 0.9;
 *   (c) diffusion samples (the generation pipeline's sampler), and the decoded x̂₀ along its steps;
 *   (d) stage-1 reconstructions of held-out pairs (as the trajectory probe makes them).
 * Training pairs: the stage-1 manifest does not ship its training arrays, so they are synthesised
 * again from the families it records with its training synthesis seed (trainingSynthesisSeed).
 * Every decoded pair goes through the same quantiser, decoders and FD check as a generated one.
 */
import { openfwiGeometry } from '../physics/acquisition.ts';
import { interpolationWeights, samplerShortName, type StudyParams } from '../contract/parameters.ts';
import { throwIfCancelled } from '../util/abort.ts';
import { Random, mixSeed } from '../util/random.ts';
import { samplingGrid, type TrajectoryPoint } from '../ml/samplers.ts';
import { checkGeometryFits, loadGenerationModels, sampleLatents, samplerSpecOf, type GenerationModels } from '../generation/pipeline.ts';
import { deviationStats, deviationsOf, holdoutSeedFor, synthesizeFamilyPairs, trainingFamilies, trainingSynthesisSeed, type DeviationStats } from '../generation/probe.ts';
import type { StudyContext, StudyKind, StudyOutcome } from './studyKind.ts';

type Params = StudyParams<'latent-sampling'>;

/** Latents decoded and checked per batch (bounds memory: a decoded pair is 350,000 seismic values). */
const BATCH = 16;
const RANDOM_STREAM = 0x1a7e_0001;

/** A set's deviations; the contract's JSON shows mean and median. */
const meanMedian = (s: DeviationStats): { mean: number; median: number } => ({ mean: s.mean, median: s.median });

/** Per-channel mean and standard deviation of latents [N, C, H, W] (population std over N·H·W). */
export function channelStatistics(latents: Float32Array, n: number, shape: number[]): { mean: number[]; std: number[] } {
  const [channels, h, w] = shape;
  const plane = h * w;
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < channels; c += 1) {
    let sum = 0;
    let sq = 0;
    for (let b = 0; b < n; b += 1) {
      const offset = (b * channels + c) * plane;
      for (let i = 0; i < plane; i += 1) {
        const v = latents[offset + i];
        sum += v;
        sq += v * v;
      }
    }
    const count = n * plane;
    const m = sum / count;
    mean.push(m);
    std.push(Math.sqrt(Math.max(0, sq / count - m * m)));
  }
  return { mean, std };
}

/** Evenly spaced sampler grid steps, `points` of them (fewer on a shorter grid), the last included. */
export function curveStepsFor(gridLength: number, points: number): number[] {
  const n = Math.min(points, gridLength);
  return [...new Set(Array.from({ length: n }, (_, i) => Math.round((i * (gridLength - 1)) / Math.max(1, n - 1))))];
}

interface Checker {
  /** pde_rel_l2 of pairs decoded from encoder-space latents [count, C, H, W], in batches. */
  latents(latents: Float32Array, count: number, what: string): Promise<number[]>;
}

function makeChecker(ctx: StudyContext, models: GenerationModels, total: number): Checker {
  const geometry = openfwiGeometry();
  const latentSize = models.stage1.latentShape.reduce((a, b) => a * b, 1);
  const scale = models.stage2.latentScale;
  let done = 0;
  return {
    async latents(latents, count, what) {
      const values: number[] = [];
      for (let start = 0; start < count; start += BATCH) {
        throwIfCancelled(ctx.signal);
        const batch = Math.min(BATCH, count - start);
        // decodeLatents takes the denoiser's space x₀ = latentScale · z.
        const x0 = latents.slice(start * latentSize, (start + batch) * latentSize).map((v) => v * scale);
        values.push(...(await deviationsOf(models, ctx.services.fdPool(), geometry, x0, batch, ctx.signal)));
        done += batch;
        ctx.progress({ done, total, unit: 'pairs', message: what });
      }
      return values;
    },
  };
}

async function encodeInBatches(models: GenerationModels, seismic: Float32Array, count: number, signal: AbortSignal): Promise<Float32Array> {
  const perSample = models.stage1.seismicShape.reduce((a, b) => a * b, 1);
  const latentSize = models.stage1.latentShape.reduce((a, b) => a * b, 1);
  const latents = new Float32Array(count * latentSize);
  for (let start = 0; start < count; start += BATCH) {
    throwIfCancelled(signal);
    const batch = Math.min(BATCH, count - start);
    latents.set(await models.stage1.encode(seismic.subarray(start * perSample, (start + batch) * perSample), batch), start * latentSize);
  }
  return latents;
}

const weightKey = (w: number): string => String(w);

export async function runLatentSampling(ctx: StudyContext, params: Params): Promise<StudyOutcome> {
  const { count, seed } = params;
  const models = await loadGenerationModels(ctx.services.onnxPool(), { stage1: params.stage1, stage2: params.stage2, inversionnet: params.inversionnet }, { folder: ctx.projectDir, catalogue: ctx.catalogue });
  const geometry = openfwiGeometry();
  checkGeometryFits(models, geometry);
  const fdPool = ctx.services.fdPool();
  const latentShape = models.stage1.latentShape;
  const latentSize = latentShape.reduce((a, b) => a * b, 1);
  const grid = samplingGrid(models.stage2.schedule, samplerSpecOf(params.sampler));
  const curveSteps = curveStepsFor(grid.length, params.curvePoints);
  const families = trainingFamilies(models);
  const trainingSeed = trainingSynthesisSeed(models);
  const holdoutSeed = holdoutSeedFor(models);
  const trainingCount = Math.max(params.statsCount, 2 * count);
  const total = count * (1 + interpolationWeights.length + 1 + curveSteps.length + 1);
  const check = makeChecker(ctx, models, total);

  // Training pairs, encoded: their latents give the random set's statistics and the interpolation endpoints.
  ctx.progress({ done: 0, total, unit: 'pairs', message: `synthesising and encoding ${trainingCount} training-family pairs` });
  const training = await synthesizeFamilyPairs(models, fdPool, geometry, { families, seed: trainingSeed, count: trainingCount }, ctx.signal);
  const trainingLatents = await encodeInBatches(models, training.seismic, trainingCount, ctx.signal);
  const statistics = channelStatistics(trainingLatents.subarray(0, params.statsCount * latentSize), params.statsCount, latentShape);

  // (a) random latents matched to the training latents' per-channel mean and std.
  const plane = latentShape[1] * latentShape[2];
  const random = new Float32Array(count * latentSize);
  for (let b = 0; b < count; b += 1) {
    const rng = new Random(mixSeed(seed + b, RANDOM_STREAM));
    for (let i = 0; i < latentSize; i += 1) {
      const c = Math.floor(i / plane);
      random[b * latentSize + i] = statistics.mean[c] + statistics.std[c] * rng.normal();
    }
  }
  const randomStats = deviationStats(await check.latents(random, count, 'random latents'));

  // (b) interpolations between training pairs 2i and 2i + 1.
  const byWeight: Record<string, DeviationStats> = {};
  for (const w of interpolationWeights) {
    const mixed = new Float32Array(count * latentSize);
    for (let b = 0; b < count; b += 1) {
      const a = trainingLatents.subarray(2 * b * latentSize, (2 * b + 1) * latentSize);
      const z = trainingLatents.subarray((2 * b + 1) * latentSize, (2 * b + 2) * latentSize);
      for (let i = 0; i < latentSize; i += 1) mixed[b * latentSize + i] = (1 - w) * a[i] + w * z[i];
    }
    byWeight[weightKey(w)] = deviationStats(await check.latents(mixed, count, `interpolation w = ${w}`));
  }
  const interpolationStats = deviationStats(Object.values(byWeight).flatMap((s) => s.values));

  // (c) diffusion samples, with x̂₀ along the sampler's steps.
  const seeds = Array.from({ length: count }, (_, i) => seed + i);
  const samples = new Float32Array(count * latentSize);
  const pointsByStep = new Map<number, { t: number; x0: Float32Array }>(curveSteps.map((s) => [s, { t: -1, x0: new Float32Array(count * latentSize) }]));
  for (let start = 0; start < count; start += BATCH) {
    ctx.progress({ done: 0, total, unit: 'pairs', message: `sampling ${samplerShortName(params.sampler)}` });
    const batchSeeds = seeds.slice(start, start + BATCH);
    const points: TrajectoryPoint[] = [];
    const { x0 } = await sampleLatents(models, params.sampler, batchSeeds, { signal: ctx.signal, trajectory: { steps: curveSteps, onPoint: (p) => void points.push(p) } });
    // Back to the encoder's space (the checker scales again).
    samples.set(x0.map((v) => v / models.stage2.latentScale), start * latentSize);
    for (const point of points) {
      const entry = pointsByStep.get(point.step)!;
      entry.t = point.t;
      entry.x0.set(point.x0Pred.map((v) => v / models.stage2.latentScale), start * latentSize);
    }
  }
  const curve: { step: number; t: number; mean: number; median: number }[] = [];
  for (const step of curveSteps) {
    const entry = pointsByStep.get(step)!;
    const stats = deviationStats(await check.latents(entry.x0, count, `sampler step ${step}`));
    curve.push({ step, t: entry.t, ...meanMedian(stats) });
  }
  const diffusionStats = deviationStats(await check.latents(samples, count, 'diffusion samples'));

  // (d) stage-1 reconstructions of held-out pairs.
  const heldOut = await synthesizeFamilyPairs(models, fdPool, geometry, { families, seed: holdoutSeed, count }, ctx.signal);
  const heldOutLatents = await encodeInBatches(models, heldOut.seismic, count, ctx.signal);
  const reconstructionStats = deviationStats(await check.latents(heldOutLatents, count, 'reconstructions'));

  return latentSamplingOutcome(params, { models, statistics, randomStats, byWeight, interpolationStats, diffusionStats, reconstructionStats, curve, trainingSeed, holdoutSeed, trainingCount, families });
}

/** The expected ordering random > interpolation > diffusion ≈ reconstruction, on the means; ≈ is within a factor of 2. */
export function orderingVerdict(means: { random: number; interpolation: number; diffusion: number; reconstruction: number }) {
  const ratio = means.diffusion / means.reconstruction;
  const checks = {
    random_above_interpolation: means.random > means.interpolation,
    interpolation_above_diffusion: means.interpolation > means.diffusion,
    diffusion_near_reconstruction: ratio >= 0.5 && ratio <= 2,
  };
  return { holds: Object.values(checks).every(Boolean), ...checks, diffusion_over_reconstruction: ratio };
}

function latentSamplingOutcome(
  params: Params,
  m: {
    models: GenerationModels;
    statistics: { mean: number[]; std: number[] };
    randomStats: DeviationStats;
    byWeight: Record<string, DeviationStats>;
    interpolationStats: DeviationStats;
    diffusionStats: DeviationStats;
    reconstructionStats: DeviationStats;
    curve: { step: number; t: number; mean: number; median: number }[];
    trainingSeed: number;
    holdoutSeed: number;
    trainingCount: number;
    families: string[];
  },
): StudyOutcome {
  const summary = {
    random: meanMedian(m.randomStats),
    interpolation: { ...meanMedian(m.interpolationStats), by_weight: Object.fromEntries(Object.entries(m.byWeight).map(([w, s]) => [w, meanMedian(s)])) },
    diffusion: meanMedian(m.diffusionStats),
    reconstruction: meanMedian(m.reconstructionStats),
  };
  const ordering = orderingVerdict({ random: m.randomStats.mean, interpolation: m.interpolationStats.mean, diffusion: m.diffusionStats.mean, reconstruction: m.reconstructionStats.mean });
  const row = (name: string, s: DeviationStats): (string | number)[] => [name, s.values.length, s.mean, s.median, s.min, s.max];
  const sampler = samplerShortName(params.sampler);
  const yes = (b: boolean): string => (b ? 'yes' : 'no');
  const verdict = ordering.holds
    ? `**The expected ordering holds** for this model: random (${m.randomStats.mean.toPrecision(3)}) > interpolation (${m.interpolationStats.mean.toPrecision(3)}) > diffusion (${m.diffusionStats.mean.toPrecision(3)}) ≈ reconstruction (${m.reconstructionStats.mean.toPrecision(3)}), mean pde_rel_l2.`
    : `**The expected ordering does not hold** for this model (mean pde_rel_l2: random ${m.randomStats.mean.toPrecision(3)}, interpolation ${m.interpolationStats.mean.toPrecision(3)}, diffusion ${m.diffusionStats.mean.toPrecision(3)}, reconstruction ${m.reconstructionStats.mean.toPrecision(3)}).`;
  return {
    summary,
    results: {
      metric: 'pde_rel_l2 = ‖ŝ − f(v̂)‖₂ / ‖f(v̂)‖₂ over all sources, time samples and receivers, OpenFWI geometry',
      models: { ...m.models.refs, stage1_latent_fingerprint: (m.models.stage1.manifest.latent as { fingerprint?: string } | undefined)?.fingerprint ?? null, latent_scale: m.models.stage2.latentScale },
      seeds: {
        random_latents: `seed + i with stream ${RANDOM_STREAM} (i = 0 … count − 1)`,
        sampler: `seed + i (i = 0 … count − 1)`,
        training_pairs: m.trainingSeed,
        held_out_pairs: m.holdoutSeed,
      },
      training_pairs: { families: m.families, seed: m.trainingSeed, count: m.trainingCount, statistics_from: params.statsCount, interpolation_endpoints: 'pairs 2i and 2i + 1' },
      latent_statistics: { basis: "per channel of the stage-1 encoder's continuous latents of the training pairs", ...m.statistics },
      random: m.randomStats,
      interpolation: { ...m.interpolationStats, by_weight: m.byWeight },
      diffusion: { ...m.diffusionStats, sampler: params.sampler },
      reconstruction: { ...m.reconstructionStats, held_out: { families: m.families, seed: m.holdoutSeed } },
      curve: m.curve,
      ordering,
    },
    table: {
      columns: ['set', 'pairs', 'mean pde_rel_l2', 'median', 'min', 'max'],
      rows: [
        row('random latents', m.randomStats),
        row('interpolation (all weights)', m.interpolationStats),
        ...Object.entries(m.byWeight).map(([w, s]) => row(`interpolation w = ${w}`, s)),
        row(`diffusion (${sampler})`, m.diffusionStats),
        row('stage-1 reconstruction', m.reconstructionStats),
      ],
    },
    plots: [
      {
        name: 'sets',
        title: 'PDE deviation by set',
        chart: {
          kind: 'bar',
          title: 'PDE deviation by set (mean and median)',
          xLabel: 'decoded from',
          yLabel: 'pde_rel_l2',
          logY: true,
          categories: ['random', 'interpolation', 'diffusion', 'reconstruction'],
          series: [
            { name: 'mean', values: [m.randomStats.mean, m.interpolationStats.mean, m.diffusionStats.mean, m.reconstructionStats.mean] },
            { name: 'median', values: [m.randomStats.median, m.interpolationStats.median, m.diffusionStats.median, m.reconstructionStats.median] },
          ],
        },
      },
      {
        name: 'interpolation',
        title: 'PDE deviation against the interpolation weight',
        chart: {
          kind: 'line',
          title: 'Interpolation between two training pairs',
          xLabel: 'weight w of the second pair',
          yLabel: 'pde_rel_l2',
          series: [
            { name: 'mean', points: Object.entries(m.byWeight).map(([w, s]) => [Number(w), s.mean]) },
            { name: 'median', points: Object.entries(m.byWeight).map(([w, s]) => [Number(w), s.median]) },
          ],
        },
      },
      {
        name: 'curve',
        title: "PDE deviation along the sampler's steps",
        chart: {
          kind: 'line',
          title: `Decoded x0 along the sampler (${sampler})`,
          xLabel: 'sampler step',
          yLabel: 'pde_rel_l2',
          logY: true,
          series: [
            { name: 'mean', points: m.curve.map((p) => [p.step, p.mean]) },
            { name: 'median', points: m.curve.map((p) => [p.step, p.median]) },
            { name: 'reconstruction mean', points: m.curve.map((p) => [p.step, m.reconstructionStats.mean]) },
          ],
        },
      },
    ],
    sections: [
      { heading: 'Verdict', markdown: verdict },
      {
        heading: 'What was measured',
        markdown: [
          `PDE deviation pde_rel_l2 = ‖ŝ − f(v̂)‖₂ / ‖f(v̂)‖₂ of ${params.count} decoded pair${params.count === 1 ? '' : 's'} per set, f the FD solver with OpenFWI's geometry.`,
          '',
          `- **Random**: latents drawn from a Gaussian with the per-channel mean and standard deviation of the stage-1 encoder's continuous latents of ${params.statsCount} training pairs (${m.families.join(', ')}, synthesised again with the training seed ${m.trainingSeed}, since a model does not ship its training arrays).`,
          `- **Interpolation**: (1 − w)·z_A + w·z_B between the encoded latents of training pairs 2i and 2i + 1, w = ${interpolationWeights.join(', ')}.`,
          `- **Diffusion**: ${sampler} samples of ${m.models.refs.stage2}, ${params.count === 1 ? `seed ${params.seed}` : `seeds ${params.seed} … ${params.seed + params.count - 1}`}; the curve decodes the sampler's x̂₀ prediction at steps ${m.curve.map((p) => p.step).join(', ')}.`,
          `- **Reconstruction**: stage 1 (encode → quantise → decode) of held-out pairs synthesised with seed ${m.holdoutSeed}.`,
          '',
          `Ordering checks (means): random > interpolation: ${yes(ordering.random_above_interpolation)}; interpolation > diffusion: ${yes(ordering.interpolation_above_diffusion)}; diffusion ≈ reconstruction (within a factor of 2; ratio ${ordering.diffusion_over_reconstruction.toPrecision(3)}): ${yes(ordering.diffusion_near_reconstruction)}.`,
        ].join('\n'),
      },
    ],
  };
}

export const latentSamplingStudy: StudyKind<'latent-sampling'> = {
  kind: 'latent-sampling',
  title: (p) => `Latent sampling: ${p.count} pair${p.count === 1 ? '' : 's'} per set, ${samplerShortName(p.sampler)}, seed ${p.seed}`,
  run: runLatentSampling,
};
