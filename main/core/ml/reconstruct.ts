/**
 * Stage 1 as an autoencoder: seismic → encoder → quantiser → both decoders, in physical units
 * (seismic in OpenFWI's amplitude units, velocity in m/s) at the model's native shapes.
 */
import type { OnnxSessionPool } from './onnxPool.ts';
import { Stage1Network } from './networks.ts';
import { resolveModel } from './modelRegistry.ts';
import type { Project } from '../store/project.ts';
import type { WorkOptions } from '../util/progress.ts';
import { forEachBatch } from './batches.ts';

export interface Stage1Reconstruction {
  /** float32 [count, sources, time, receivers], physical units. */
  seismic: Float32Array;
  /** float32 [count, 1, depth, width], m/s. */
  velocityMps: Float32Array;
}

/** The stage-1 model behind a model reference ('default', 'project:ID' or a model folder). */
export async function loadStage1(pool: OnnxSessionPool, modelRef: string, project: Project | null): Promise<Stage1Network> {
  return Stage1Network.load(pool, resolveModel(modelRef, 'stage1', project));
}

/** Reconstructs seismic [N, sources, time, receivers] batch by batch; `write` receives each batch in order. */
export async function reconstructThroughStage1(
  stage1: Stage1Network,
  readSeismic: (start: number, count: number) => Float32Array,
  samples: number,
  write: (batch: Stage1Reconstruction) => void,
  options: WorkOptions & { batchSize?: number } = {},
): Promise<void> {
  await forEachBatch(
    samples,
    async (start, count) => {
      const { seismic, velocityMps } = await stage1.reconstruct(readSeismic(start, count), count);
      write({ seismic, velocityMps });
    },
    options,
  );
}
