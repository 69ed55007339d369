import type { OnnxSessionPool } from './onnxPool.ts';
import { InversionNetwork, Stage1Network, Stage2Network } from './networks.ts';
import { refineInversion, type RefineSettings } from './refine.ts';
import { resolveModel, shippedCard, shippedModelsDir, type ProjectModelSource } from './modelRegistry.ts';
import type { Project } from '../store/project.ts';
import { forEachBatch } from './batches.ts';
import type { WorkOptions } from '../util/progress.ts';

export type InversionChoice = 'inversionnet' | 'stage1' | 'refined' | 'auto';

/**
 * A seismic → velocity map: InversionNet, stage 1's encoder and velocity decoder, or stage 1
 * refined by the last denoising steps of stage 2 (refine.ts).
 */
export interface VelocityPredictor {
  network: 'inversionnet' | 'stage1' | 'refined';
  modelRef: string;
  /** [sources, time, receivers] of one input sample. */
  seismicShape: number[];
  /** [1, depth, width] of one output sample. */
  velocityShape: number[];
  predict(seismic: Float32Array, batch: number): Promise<Float32Array>;
}

/** Held-out velocity MAE of a shipped network as the model card recorded it (lower is better). */
function cardMae(network: 'inversionnet' | 'stage1'): number | null {
  const metrics = (shippedCard() as { heldOut?: Record<string, { velocity_mae?: number }> } | null)?.heldOut;
  const value = metrics?.[network === 'stage1' ? 'stage1_inversion' : 'inversionnet']?.velocity_mae;
  return typeof value === 'number' ? value : null;
}

/**
 * 'auto' picks the more accurate of the two networks for the model reference: for the shipped
 * defaults by the model card's held-out MAE, otherwise InversionNet, the network trained for it.
 */
export async function loadVelocityPredictor(
  pool: OnnxSessionPool,
  modelRef: string,
  choice: InversionChoice,
  project: ProjectModelSource | null,
  refine: RefineSettings = { steps: 10, candidates: 100, seed: 0 },
): Promise<VelocityPredictor> {
  if (choice === 'refined') return loadRefinedPredictor(pool, modelRef, project, refine);
  let network: 'inversionnet' | 'stage1' = choice === 'stage1' ? 'stage1' : 'inversionnet';
  if (choice === 'auto' && modelRef === 'default') {
    const inversion = cardMae('inversionnet');
    const stage1 = cardMae('stage1');
    if (inversion !== null && stage1 !== null && stage1 < inversion) network = 'stage1';
  }
  if (network === 'inversionnet') {
    const model = await InversionNetwork.load(pool, resolveModel(modelRef, 'inversionnet', project));
    return {
      network,
      modelRef: model.entry.ref,
      seismicShape: model.seismicShape,
      velocityShape: model.velocityShape,
      predict: (seismic, batch) => model.invert(seismic, batch),
    };
  }
  const stage1 = await Stage1Network.load(pool, resolveModel(modelRef, 'stage1', project));
  return {
    network,
    modelRef: stage1.entry.ref,
    seismicShape: stage1.seismicShape,
    velocityShape: stage1.velocityShape,
    predict: async (seismic, batch) => {
      const quantized = await stage1.quantize(await stage1.encode(seismic, batch), batch);
      return stage1.decodeVelocity(quantized, batch);
    },
  };
}

/** Predicts velocity [N, 1, depth, width] m/s for seismic [N, sources, time, receivers], batch by batch. */
export async function predictVelocity(
  predictor: VelocityPredictor,
  readSeismic: (start: number, count: number) => Float32Array,
  samples: number,
  writeVelocity: (velocity: Float32Array) => void,
  options: WorkOptions & { batchSize?: number } = {},
): Promise<void> {
  await forEachBatch(samples, async (start, count) => writeVelocity(await predictor.predict(readSeismic(start, count), count)), options);
}

/** Stage 1 refined by stage 2 (both from `modelRef`): each sample's noise stream is its index in the file. */
async function loadRefinedPredictor(pool: OnnxSessionPool, modelRef: string, project: ProjectModelSource | null, refine: RefineSettings): Promise<VelocityPredictor> {
  const stage1 = await Stage1Network.load(pool, resolveModel(modelRef, 'stage1', project));
  const stage2 = await Stage2Network.load(pool, resolveModel(modelRef, 'stage2', project));
  stage2.checkPairedWith(stage1);
  const perSample = stage1.seismicShape.reduce((a, b) => a * b, 1);
  const plane = stage1.velocityShape.reduce((a, b) => a * b, 1);
  let next = 0;
  return {
    network: 'refined',
    modelRef: `${stage1.entry.ref} + ${stage2.entry.ref}`,
    seismicShape: stage1.seismicShape,
    velocityShape: stage1.velocityShape,
    predict: async (seismic, batch) => {
      const velocity = new Float32Array(batch * plane);
      for (let b = 0; b < batch; b += 1) {
        const refined = await refineInversion(stage1, stage2, seismic.subarray(b * perSample, (b + 1) * perSample), next, refine);
        velocity.set(refined.velocityMps, b * plane);
        next += 1;
      }
      return velocity;
    },
  };
}
