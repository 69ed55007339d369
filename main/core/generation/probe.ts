/**
 * The trajectory probe: how physically consistent decoded pairs are
 *   (a) from random latents without denoising: x ~ N(0, I)/latentScale → quantise → decode;
 *   (b) at chosen steps of the sampler (its x̂₀ prediction, decoded), ending with the denoised samples;
 *   (c) reconstructions through stage 1 of held-out pairs synthesised from the model's training
 *       families with a seed its training did not use.
 * Each is measured by pde_rel_l2 = ‖ŝ − f(v̂)‖₂/‖f(v̂)‖₂ with OpenFWI's geometry (the geometry the
 * models were trained on). The curve of (b) against the step shows denoising moving latents toward
 * physically valid pairs; the method reports (a) ≈ 0.013, (c) ≈ 0.0016 and the end of (b) ≈ 0.002.
 */
import type { OnnxSessionPool } from '../ml/onnxPool.ts';
import type { FdWorkerPool } from '../physics/pool.ts';
import type { Project } from '../store/project.ts';
import { openfwiGeometry } from '../physics/acquisition.ts';
import { type AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';
import { generateVelocityModels, isVelocityFamily, type VelocityFamily } from '../physics/families.ts';
import { Random, mixSeed } from '../util/random.ts';
import { throwIfCancelled } from '../util/abort.ts';
import { StudioError } from '../contract/errors.ts';
import type { WorkOptions } from '../util/progress.ts';
import { sampleDiffusion, samplingGrid, type TrajectoryPoint } from '../ml/samplers.ts';
import { checkGeometryFits, decodeLatents, loadGenerationModels, physicsCheck, samplerSpecOf, type GenerationModels, type GenerationSampler, type ModelRefs } from './pipeline.ts';
import { defaultSampler } from '../contract/parameters.ts';

/** What the held-out and training-pair helpers read: the stage-1 model (its manifest and shapes). */
export type Stage1Models = Pick<GenerationModels, 'stage1'>;

export interface DeviationStats {
  mean: number;
  median: number;
  min: number;
  max: number;
  values: number[];
}

export interface ProbeCurvePoint {
  /** 0-based grid step of the sampler and the timestep index the denoiser saw there. */
  step: number;
  t: number;
  mean: number;
  median: number;
}

export interface ProbeReport {
  random: DeviationStats;
  denoised: DeviationStats;
  reconstruction: DeviationStats;
  curve: ProbeCurvePoint[];
  /** mean(random) / mean(denoised): the method claims ≥ 3. */
  random_over_denoised: number;
  count: number;
  seed: number;
  sampler: GenerationSampler;
  models: ModelRefs;
  holdout: { families: VelocityFamily[]; seed: number };
  geometry: 'openfwi';
}

export interface ProbeOptions extends WorkOptions {
  count: number;
  seed?: number;
  sampler?: GenerationSampler;
  /** Grid steps (0-based) for the curve; default about six, evenly spaced, the last included. */
  curveSteps?: number[];
  /** Seed of the held-out synthesis; default one the stage-1 manifest does not record. */
  holdoutSeed?: number;
}

export function deviationStats(values: number[]): DeviationStats {
  if (values.length === 0) return { mean: NaN, median: NaN, min: NaN, max: NaN, values };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, median, min: sorted[0], max: sorted[sorted.length - 1], values };
}

/** The velocity families the stage-1 model was trained on, as its manifest records them. */
export function trainingFamilies(models: Stage1Models): VelocityFamily[] {
  const training = (models.stage1.manifest.training ?? {}) as { families?: unknown; data?: { families?: unknown; synthesis?: { family?: unknown } } };
  const listed = [training.families, training.data?.families, training.data?.synthesis?.family ? [training.data.synthesis.family] : undefined].find((f) => Array.isArray(f) && f.length > 0) as unknown[] | undefined;
  const families = (listed ?? []).map((f) => String(f).toLowerCase()).filter(isVelocityFamily);
  return families.length ? [...new Set(families)] : ['curvevel-a'];
}

/** Seeds the stage-1 manifest records for its training and validation synthesis. */
function recordedSeeds(models: Stage1Models): Set<number> {
  const training = (models.stage1.manifest.training ?? {}) as { data?: { synthesis?: { seed?: unknown } }; val_data?: { synthesis?: { seed?: unknown } } };
  return new Set([training.data?.synthesis?.seed, training.val_data?.synthesis?.seed].filter((s): s is number => typeof s === 'number'));
}

/** The default held-out seed: 1 000 003, or the next one the manifest does not record (the default models used 11 and 97). */
export function holdoutSeedFor(models: Stage1Models): number {
  const used = new Set([...recordedSeeds(models), 11, 97]);
  let seed = 1_000_003;
  while (used.has(seed)) seed += 1;
  return seed;
}

/** pde_rel_l2 of the pairs decoded from denoiser-space latents x₀ [B, C, H, W]. */
export async function deviationsOf(models: GenerationModels, fdPool: FdWorkerPool, geometry: AcquisitionGeometry, latentScaled: Float32Array, batch: number, signal?: AbortSignal): Promise<number[]> {
  const pairs = await decodeLatents(models, latentScaled, batch);
  const { deviations } = await physicsCheck(fdPool, pairs, models.stage1.velocityShape, geometry, signal);
  return deviations.map((d) => d.pde_rel_l2);
}

/**
 * Seismic–velocity pairs of the model's training families: pair i is family i mod F, the
 * ⌊i/F⌋-th model that `seed` synthesises for it, with its FD seismic on `geometry`.
 * velocity [count, 1, depth, width] m/s, seismic [count, sources, time, receivers].
 */
export async function synthesizeFamilyPairs(
  models: Stage1Models,
  fdPool: FdWorkerPool,
  geometry: AcquisitionGeometry,
  request: { families: VelocityFamily[]; seed: number; count: number },
  signal?: AbortSignal,
): Promise<{ velocityMps: Float32Array; seismic: Float32Array }> {
  const { families, seed, count } = request;
  const [, nz, nx] = models.stage1.velocityShape;
  const cells = nz * nx;
  const velocityMps = new Float32Array(count * cells);
  for (let i = 0; i < count; i += 1) {
    const family = families[i % families.length];
    velocityMps.set(generateVelocityModels(family, seed, 1, { start: Math.floor(i / families.length), shape: { nz, nx } }), i * cells);
  }
  const seismic = await fdPool.forwardModel(velocityMps, { n: count, nz, nx }, geometry, { signal });
  return { velocityMps, seismic };
}

/**
 * The seed the stage-1 model's training pairs were synthesised with: the one its manifest records,
 * else 11 (the seed of the shipped default models' training synthesis, which their manifests do not record).
 */
export function trainingSynthesisSeed(models: Stage1Models): number {
  const training = (models.stage1.manifest.training ?? {}) as { data?: { synthesis?: { seed?: unknown } } };
  const recorded = training.data?.synthesis?.seed;
  return typeof recorded === 'number' ? recorded : 11;
}

export async function runProbe(onnx: OnnxSessionPool, fdPool: FdWorkerPool, refs: ModelRefs, project: Project | null, options: ProbeOptions): Promise<ProbeReport> {
  const count = options.count;
  if (!Number.isInteger(count) || count < 1 || count > 10_000) throw new StudioError('bad_input', `--count ${count}: use a whole number from 1 to 10000.`);
  const seed = options.seed ?? 0;
  const sampler = options.sampler ?? defaultSampler;
  const models = await loadGenerationModels(onnx, refs, project);
  const geometry = openfwiGeometry();
  checkGeometryFits(models, geometry);
  const latentSize = models.stage2.latentShape.reduce((a, b) => a * b, 1);
  const seeds = Array.from({ length: count }, (_, i) => seed + i);
  const grid = samplingGrid(models.stage2.schedule, samplerSpecOf(sampler));
  const curveSteps = options.curveSteps ?? [...new Set(Array.from({ length: Math.min(6, grid.length) }, (_, i) => Math.round((i * (grid.length - 1)) / Math.max(1, Math.min(6, grid.length) - 1))))];
  for (const step of curveSteps) {
    if (!Number.isInteger(step) || step < 0 || step >= grid.length) throw new StudioError('bad_input', `Curve step ${step} is outside the sampler's grid 0–${grid.length - 1}.`);
  }
  const phases = 3 + curveSteps.length;
  let phase = 0;
  const report = (message: string): void => options.onProgress?.({ done: phase, total: phases, unit: 'phases', message });

  // (a) random latents: x₀ ~ N(0, I) in the denoiser's space (what sampling starts from), decoded without denoising.
  report('random latents');
  const random = new Float32Array(count * latentSize);
  seeds.forEach((s, b) => {
    const rng = new Random(mixSeed(s, 0x7a4d_0a11));
    for (let i = 0; i < latentSize; i += 1) random[b * latentSize + i] = rng.normal();
  });
  const randomDeviations = await deviationsOf(models, fdPool, geometry, random, count, options.signal);
  phase += 1;

  // (b) sampler trajectory and the denoised samples.
  report('sampling');
  const points: TrajectoryPoint[] = [];
  const sampled = await sampleDiffusion(
    {
      schedule: models.stage2.schedule,
      model: models.stage2.epsilonModel({ signal: options.signal }),
      sampler: samplerSpecOf(sampler),
      sampleShape: models.stage2.latentShape,
      seeds,
      trajectory: { steps: curveSteps, onPoint: (p) => void points.push(p) },
    },
    { signal: options.signal },
  );
  const curve: ProbeCurvePoint[] = [];
  for (const point of points.sort((a, b) => a.step - b.step)) {
    throwIfCancelled(options.signal);
    report(`trajectory step ${point.step}`);
    const values = await deviationsOf(models, fdPool, geometry, point.x0Pred, count, options.signal);
    const stats = deviationStats(values);
    curve.push({ step: point.step, t: point.t, mean: stats.mean, median: stats.median });
    phase += 1;
  }
  report('denoised samples');
  const denoisedDeviations = await deviationsOf(models, fdPool, geometry, sampled.samples, count, options.signal);
  phase += 1;

  // (c) reconstructions of held-out pairs.
  report('held-out reconstructions');
  const families = trainingFamilies(models);
  const holdoutSeed = options.holdoutSeed ?? holdoutSeedFor(models);
  const { seismic: heldOutSeismic } = await synthesizeFamilyPairs(models, fdPool, geometry, { families, seed: holdoutSeed, count }, options.signal);
  const reconstruction = await models.stage1.reconstruct(heldOutSeismic, count);
  const reconstructedPairs = { batch: count, seismic: reconstruction.seismic, velocityMps: reconstruction.velocityMps };
  const reconstructionDeviations = (await physicsCheck(fdPool, reconstructedPairs, models.stage1.velocityShape, geometry, options.signal)).deviations.map((d) => d.pde_rel_l2);
  phase += 1;
  report('done');

  const randomStats = deviationStats(randomDeviations);
  const denoisedStats = deviationStats(denoisedDeviations);
  return {
    random: randomStats,
    denoised: denoisedStats,
    reconstruction: deviationStats(reconstructionDeviations),
    curve,
    random_over_denoised: randomStats.mean / denoisedStats.mean,
    count,
    seed,
    sampler,
    models: models.refs,
    holdout: { families, seed: holdoutSeed },
    geometry: 'openfwi',
  };
}
