/**
 * One generation step in physical units, shared by the generation job, the trajectory probe and the
 * benchmark: latent sampling → x₀/latentScale → quantise → decode ŝ [B, sources, time, receivers]
 * and v̂ [B, 1, depth, width] (m/s) → f(v̂) with the FD pool → PDE deviation → InversionNet(ŝ) and
 * its velocity error against v̂.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { OnnxRunResult, OnnxSessionPool } from '../ml/onnxPool.ts';
import { InversionNetwork, Stage1Network, Stage2Network, type RunObserver } from '../ml/networks.ts';
import { sampleDiffusion, type SamplerSpec, type TrajectoryProbe } from '../ml/samplers.ts';
import { resolveModel, shippedModelsDir, type ModelEntry, type NetworkKind, type ProjectModelSource } from '../ml/modelRegistry.ts';
import type { FdWorkerPool } from '../physics/pool.ts';
import { recordedSamples } from '../physics/acquisition.ts';
import { type AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';
import { compareSeismic, type PdeDeviation } from '../physics/deviation.ts';
import { StudioError } from '../contract/errors.ts';
import type { GenerationSampler } from '../contract/parameters.ts';
import { velocityError, type VelocityError } from './metrics.ts';

export type { GenerationSampler };

export interface ModelRefs {
  stage1: string;
  stage2: string;
  inversionnet: string;
}

export function samplerSpecOf(sampler: GenerationSampler): SamplerSpec {
  switch (sampler.kind) {
    case 'ddpm':
      return { kind: 'ddpm' };
    case 'ddim':
      return { kind: 'ddim', steps: sampler.steps, eta: sampler.eta };
    case 'ab3':
      return { kind: 'ab', steps: sampler.steps, order: 3 };
  }
}

/** Model evaluations per sample of a sampler with a schedule of `numTrainTimesteps`. */
export function samplerSteps(sampler: GenerationSampler, numTrainTimesteps: number): number {
  return sampler.kind === 'ddpm' ? numTrainTimesteps : sampler.steps;
}

/**
 * Resolves a model reference with a message that says what to do: a missing shipped default names
 * native-models/default/<kind>/.
 */
export function resolveGenerationModel(ref: string, kind: NetworkKind, project: ProjectModelSource | null): ModelEntry {
  if (ref === 'default' || ref === `default:${kind}`) {
    const folder = path.join(shippedModelsDir(), kind);
    if (!fs.existsSync(path.join(folder, 'manifest.json'))) {
      throw new StudioError(
        'not_found',
        `The shipped default ${kind} model is missing: ${path.join(folder, 'manifest.json')} does not exist (native-models/default/ holds the default stage1, stage2 and inversionnet models). ` +
          'Install them with `npm run models:train-defaults`, or name a model folder or a project model (project:<id>) instead of default.',
      );
    }
  }
  return resolveModel(ref, kind, project);
}

/** The three networks of a generation, loaded in one ONNX pool and checked against each other. */
export interface GenerationModels {
  stage1: Stage1Network;
  stage2: Stage2Network;
  inversion: InversionNetwork;
  refs: ModelRefs;
}

/** Reads the three manifests without loading graphs (for checks before a job starts). */
export function resolveGenerationModels(refs: ModelRefs, project: ProjectModelSource | null): Record<NetworkKind, ModelEntry> {
  return {
    stage1: resolveGenerationModel(refs.stage1, 'stage1', project),
    stage2: resolveGenerationModel(refs.stage2, 'stage2', project),
    inversionnet: resolveGenerationModel(refs.inversionnet, 'inversionnet', project),
  };
}

/** The number of training timesteps a stage-2 manifest declares (1000 when it does not say). */
export function scheduleLength(stage2: ModelEntry): number {
  const schedule = stage2.manifest.schedule as { num_train_timesteps?: unknown } | undefined;
  return typeof schedule?.num_train_timesteps === 'number' ? schedule.num_train_timesteps : 1000;
}

export async function loadGenerationModels(pool: OnnxSessionPool, refs: ModelRefs, project: ProjectModelSource | null): Promise<GenerationModels> {
  const entries = resolveGenerationModels(refs, project);
  const stage1 = await Stage1Network.load(pool, entries.stage1);
  const stage2 = await Stage2Network.load(pool, entries.stage2);
  const inversion = await InversionNetwork.load(pool, entries.inversionnet);
  stage2.checkPairedWith(stage1);
  const same = (a: number[], b: number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
  if (!same(stage2.latentShape, stage1.latentShape)) {
    throw new StudioError(
      'bad_input',
      `Stage-2 model ${entries.stage2.folder} denoises latents [${stage2.latentShape.join(', ')}] but stage-1 model ${entries.stage1.folder} encodes [${stage1.latentShape.join(', ')}]; pick the matching pair.`,
    );
  }
  if (!same(inversion.seismicShape, stage1.seismicShape)) {
    throw new StudioError(
      'bad_input',
      `InversionNet ${entries.inversionnet.folder} reads seismic [${inversion.seismicShape.join(', ')}] but stage 1 ${entries.stage1.folder} decodes [${stage1.seismicShape.join(', ')}].`,
    );
  }
  return { stage1, stage2, inversion, refs: { stage1: entries.stage1.ref, stage2: entries.stage2.ref, inversionnet: entries.inversionnet.ref } };
}

/** Checks that the geometry records the seismic shape the decoder produces. */
export function checkGeometryFits(models: GenerationModels, geometry: AcquisitionGeometry): void {
  const [sources, time, receivers] = models.stage1.seismicShape;
  const [, depth, width] = models.stage1.velocityShape;
  const fits = geometry.sources.length === sources && recordedSamples(geometry) === time && geometry.receivers.length === receivers;
  const inside = [...geometry.sources, ...geometry.receivers].every((c) => c.x < width && c.z < depth);
  if (!fits || !inside) {
    throw new StudioError(
      'bad_input',
      `The acquisition geometry records [${geometry.sources.length}, ${recordedSamples(geometry)}, ${geometry.receivers.length}] (sources, time, receivers) on the model grid, but stage 1 ${models.refs.stage1} decodes seismic [${models.stage1.seismicShape.join(', ')}] on velocity [${models.stage1.velocityShape.join(', ')}]; use OpenFWI's geometry (project.setGeometry null) for the physics check.`,
    );
  }
}

/** Wall-clock milliseconds spent in each stage. */
export interface StageTimes {
  denoiser: number;
  decoders: number;
  fd: number;
  inversion: number;
}

export const emptyStageTimes = (): StageTimes => ({ denoiser: 0, decoders: 0, fd: 0, inversion: 0 });

export interface DecodedPairs {
  batch: number;
  /** [B, sources, time, receivers] physical amplitude */
  seismic: Float32Array;
  /** [B, 1, depth, width] m/s */
  velocityMps: Float32Array;
}

/** Tracks which execution providers ran the graphs (for the record). */
export class ProviderLog implements RunObserver {
  readonly providers = new Set<string>();
  onRun = (result: OnnxRunResult): void => {
    this.providers.add(result.provider);
  };
  get label(): string {
    return [...this.providers].sort().join('+') || 'cpu';
  }
}

/** Generated x₀ [B, C, H, W] → quantised → decoded pairs in physical units. */
export async function decodeLatents(models: GenerationModels, x0: Float32Array, batch: number, observer: RunObserver = {}): Promise<DecodedPairs> {
  const scale = models.stage2.latentScale;
  const latent = new Float32Array(x0.length);
  for (let i = 0; i < x0.length; i += 1) latent[i] = x0[i] / scale;
  const quantized = await models.stage1.quantize(latent, batch, observer);
  const seismic = await models.stage1.decodeSeismic(quantized, batch, observer);
  const velocityMps = await models.stage1.decodeVelocity(quantized, batch, observer);
  return { batch, seismic, velocityMps };
}

export interface SampledLatents {
  /** x₀ [B, C, H, W] in the denoiser's (scaled) latent space */
  x0: Float32Array;
  modelEvaluations: number;
}

/** Runs the sampler for one seed per sample. */
export async function sampleLatents(
  models: GenerationModels,
  sampler: GenerationSampler,
  seeds: readonly number[],
  options: { signal?: AbortSignal; observer?: RunObserver; trajectory?: TrajectoryProbe } = {},
): Promise<SampledLatents> {
  const result = await sampleDiffusion(
    {
      schedule: models.stage2.schedule,
      model: models.stage2.epsilonModel({ signal: options.signal, onRun: options.observer?.onRun }),
      sampler: samplerSpecOf(sampler),
      sampleShape: models.stage2.latentShape,
      seeds,
      trajectory: options.trajectory,
    },
    { signal: options.signal },
  );
  return { x0: result.samples, modelEvaluations: result.modelEvaluations };
}

/** PDE deviation of each decoded pair: ŝ against f(v̂) on `geometry`, with the FD pool. */
export async function physicsCheck(fdPool: FdWorkerPool, pairs: DecodedPairs, velocityShape: number[], geometry: AcquisitionGeometry, signal?: AbortSignal): Promise<{ deviations: PdeDeviation[]; modelled: Float32Array }> {
  const [, nz, nx] = velocityShape;
  const modelled = await fdPool.forwardModel(pairs.velocityMps, { n: pairs.batch, nz, nx }, geometry, { signal });
  const report = compareSeismic(pairs.seismic, modelled, { n: pairs.batch, sources: geometry.sources.length, time: recordedSamples(geometry), receivers: geometry.receivers.length });
  return { deviations: report.samples, modelled };
}

/** InversionNet's velocity for each ŝ and its error against v̂. */
export async function inversionCheck(models: GenerationModels, pairs: DecodedPairs, observer: RunObserver = {}): Promise<{ invertedMps: Float32Array; errors: VelocityError[] }> {
  const invertedMps = await models.inversion.invert(pairs.seismic, pairs.batch, observer);
  const [, depth, width] = models.stage1.velocityShape;
  const plane = depth * width;
  const errors: VelocityError[] = [];
  for (let b = 0; b < pairs.batch; b += 1) {
    errors.push(velocityError(invertedMps.subarray(b * plane, (b + 1) * plane), pairs.velocityMps.subarray(b * plane, (b + 1) * plane), depth, width));
  }
  return { invertedMps, errors };
}

export interface GeneratedBatch extends DecodedPairs {
  invertedMps: Float32Array;
  deviations: PdeDeviation[] | null;
  errors: VelocityError[];
}

/** The whole per-sample pipeline for one batch of seeds; adds each stage's wall time to `times`. */
export async function generateBatch(
  models: GenerationModels,
  request: { sampler: GenerationSampler; seeds: readonly number[]; fdPool: FdWorkerPool | null; geometry: AcquisitionGeometry },
  options: { signal?: AbortSignal; observer?: RunObserver; times?: StageTimes } = {},
): Promise<GeneratedBatch> {
  const times = options.times ?? emptyStageTimes();
  const batch = request.seeds.length;
  let started = performance.now();
  const { x0 } = await sampleLatents(models, request.sampler, request.seeds, options);
  times.denoiser += performance.now() - started;
  started = performance.now();
  const pairs = await decodeLatents(models, x0, batch, options.observer);
  times.decoders += performance.now() - started;
  let deviations: PdeDeviation[] | null = null;
  if (request.fdPool) {
    started = performance.now();
    deviations = (await physicsCheck(request.fdPool, pairs, models.stage1.velocityShape, request.geometry, options.signal)).deviations;
    times.fd += performance.now() - started;
  }
  started = performance.now();
  const { invertedMps, errors } = await inversionCheck(models, pairs, options.observer);
  times.inversion += performance.now() - started;
  return { ...pairs, invertedMps, deviations, errors };
}
