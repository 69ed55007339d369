/**
 * The per-pixel means of the default models' training data, for the model card's trivial
 * predictors (predict the mean seismic / the mean velocity whatever the input). The training data is
 * synthesised, so the means are computed from a deterministic synthesis of the same families with
 * the training seed: its first samples are exactly the first training pairs of each family. The
 * synthesis is kept in a cache folder and resumed or reused on the next run.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FdWorkerPool } from '../../main/core/physics/pool.ts';
import { synthesizeDataset } from '../../main/core/physics/synthesis.ts';
import { openfwiGeometry } from '../../main/core/physics/acquisition.ts';
import { type AcquisitionGeometry } from '../../main/core/contract/acquisitionGeometry.ts';
import type { ModelShape, VelocityFamily } from '../../main/core/physics/families.ts';
import { readNpy } from '../../main/core/io/npy.ts';
import type { WorkOptions } from '../../main/core/util/progress.ts';

export interface TrainingMeanSet {
  families: VelocityFamily[];
  seed: number;
  perFamily: number;
}

/** The default models' training families and seed (scripts/train-default-models.sh), 64 pairs of each. */
export const TRAINING_MEAN_SET: TrainingMeanSet = {
  families: ['flatvel-a', 'curvevel-a', 'flatfault-a', 'curvefault-a'],
  seed: 11,
  perFamily: 64,
};

export interface TrainingMeans {
  /** Per-pixel mean seismic, one sample [sources, time, receivers], physical units. */
  seismic: Float32Array;
  /** Per-pixel mean velocity, one sample [1, depth, width], m/s. */
  velocityMps: Float32Array;
  samples: number;
  set: TrainingMeanSet;
}

/** Synthesises (or reuses) `set` under `cacheDir` and averages it pixel by pixel (float64 sums). */
export async function trainingMeans(
  set: TrainingMeanSet,
  cacheDir: string,
  pool: FdWorkerPool,
  options: WorkOptions & { geometry?: AcquisitionGeometry; shape?: ModelShape } = {},
): Promise<TrainingMeans> {
  const geometry = options.geometry ?? openfwiGeometry();
  let seismicSum: Float64Array | null = null;
  let velocitySum: Float64Array | null = null;
  let samples = 0;
  const add = (sum: Float64Array, values: Float32Array, n: number): void => {
    const size = sum.length;
    for (let i = 0; i < n; i += 1) for (let j = 0; j < size; j += 1) sum[j] += values[i * size + j];
  };
  for (const family of set.families) {
    const destDir = path.join(cacheDir, `${family}-seed${set.seed}-n${set.perFamily}`);
    fs.mkdirSync(destDir, { recursive: true });
    const { state } = await synthesizeDataset(
      { family, count: set.perFamily, seed: set.seed, geometry, destDir, shape: options.shape },
      { pool, writeRecord: true, signal: options.signal, onProgress: (p) => options.onProgress?.({ ...p, message: `training means: ${family}` }) },
    );
    for (const file of state.files) {
      const seismic = readNpy(path.join(destDir, file.data));
      const velocity = readNpy(path.join(destDir, file.model));
      seismicSum ??= new Float64Array(seismic.shape.slice(1).reduce((a, b) => a * b, 1));
      velocitySum ??= new Float64Array(velocity.shape.slice(1).reduce((a, b) => a * b, 1));
      add(seismicSum, seismic.data, file.samples);
      add(velocitySum, velocity.data, file.samples);
      samples += file.samples;
    }
  }
  if (!seismicSum || !velocitySum) throw new Error('trainingMeans: the set names no family');
  return {
    seismic: Float32Array.from(seismicSum, (s) => s / samples),
    velocityMps: Float32Array.from(velocitySum, (s) => s / samples),
    samples,
    set,
  };
}
