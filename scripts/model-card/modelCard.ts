/**
 * The shipped default models' evaluation: metrics on a fixed held-out set of synthetic pairs (the
 * families and seed of the training run's held-out split) and on real OpenFWI velocity models
 * (modelled with OpenFWI's geometry; test data only), optionally beside the trivial per-pixel-mean
 * predictors of the training data. `npm run models:card` writes the result to
 * native-models/default/card.json and MODEL_CARD.md; a test recomputes it and compares.
 */
import type { OnnxSessionPool } from '../../main/core/ml/onnxPool.ts';
import type { FdWorkerPool } from '../../main/core/physics/pool.ts';
import { InversionNetwork, Stage1Network } from '../../main/core/ml/networks.ts';
import { resolveModel } from '../../main/core/ml/modelRegistry.ts';
import { generateVelocityModels, type VelocityFamily } from '../../main/core/physics/families.ts';
import { forwardModel } from '../../main/core/physics/solver.ts';
import { openfwiGeometry } from '../../main/core/physics/acquisition.ts';
import { compareSeismic } from '../../main/core/physics/deviation.ts';
import { readOpenfwiVelocity, OPENFWI_VELOCITY_ZIPS } from '../../main/core/physics/testing/openfwiModels.ts';
import type { ProgressListener } from '../../main/core/util/progress.ts';
import { averageVelocityMetrics, mean, relativeL2PerSample, repeatSample, velocityMetrics, type VelocityMetrics } from './cardMetrics.ts';
import type { TrainingMeans } from './trainingMeans.ts';

export type { VelocityMetrics } from './cardMetrics.ts';

/** The held-out set: the first samples of each family's held-out synthesis (seed 97, as trained). */
export const HELD_OUT_SET = {
  families: ['flatvel-a', 'curvevel-a', 'flatfault-a', 'curvefault-a'] as VelocityFamily[],
  seed: 97,
  perFamily: 16,
};
/** Real OpenFWI models: the first of vmodel11.npy in each shared zip. */
export const REAL_OPENFWI_SET = { perFamily: 16, file: 'vmodel11.npy' as const };

/** The trivial predictors on one set: the training data's per-pixel mean seismic and mean velocity, whatever the input. */
export interface SetBaselines {
  mean_seismic_relative_l2: number;
  mean_velocity: VelocityMetrics;
}

export interface SetMetrics {
  inversionnet: VelocityMetrics;
  /** Stage 1 as an inversion: seismic → encoder → quantiser → velocity decoder. */
  stage1_inversion: VelocityMetrics;
  /** ‖ŝ − s‖₂ / ‖s‖₂ of stage 1's reconstructed seismic, physical units, native grid, mean over samples. */
  seismic_relative_l2: number;
  baselines?: SetBaselines;
}

export interface CardMetrics {
  heldOut: SetMetrics & {
    samples: number;
    /** PDE deviation of held-out reconstructions: ‖ŝ − f(v̂)‖₂ / ‖f(v̂)‖₂, mean over samples. */
    reconstruction_pde_rel_l2: number;
    perFamily: Record<string, SetMetrics & { reconstruction_pde_rel_l2: number }>;
  };
  realOpenfwi: Record<string, SetMetrics & { samples: number }>;
}

interface SetResult extends SetMetrics {
  seismicRelL2: number[];
  pde: number[];
  baselineSeismic: number[];
}

async function evaluateSet(
  velocityMps: Float32Array,
  samples: number,
  networks: { inversion: InversionNetwork; stage1: Stage1Network },
  fdPool: FdWorkerPool,
  options: { withPde: boolean; means?: TrainingMeans },
): Promise<SetResult> {
  const geometry = openfwiGeometry();
  const seismic = await forwardModel(velocityMps, { n: samples, nz: 70, nx: 70 }, geometry, { pool: fdPool });
  const inverted = await networks.inversion.invert(seismic, samples);
  const reconstruction = await networks.stage1.reconstruct(seismic, samples);
  const seismicRelL2 = relativeL2PerSample(reconstruction.seismic, seismic, samples);
  const pde: number[] = [];
  if (options.withPde) {
    const modelled = await forwardModel(reconstruction.velocityMps, { n: samples, nz: 70, nx: 70 }, geometry, { pool: fdPool });
    const report = compareSeismic(reconstruction.seismic, modelled, { n: samples, sources: 5, time: 1000, receivers: 70 });
    for (const s of report.samples) pde.push(s.pde_rel_l2);
  }
  const baselineSeismic = options.means ? relativeL2PerSample(options.means.seismic, seismic, samples) : [];
  return {
    inversionnet: velocityMetrics(inverted, velocityMps, samples),
    stage1_inversion: velocityMetrics(reconstruction.velocityMps, velocityMps, samples),
    seismic_relative_l2: mean(seismicRelL2),
    ...(options.means
      ? { baselines: { mean_seismic_relative_l2: mean(baselineSeismic), mean_velocity: velocityMetrics(repeatSample(options.means.velocityMps, samples), velocityMps, samples) } }
      : {}),
    seismicRelL2,
    pde,
    baselineSeismic,
  };
}

const setMetrics = (r: SetResult): SetMetrics => ({
  inversionnet: r.inversionnet,
  stage1_inversion: r.stage1_inversion,
  seismic_relative_l2: r.seismic_relative_l2,
  ...(r.baselines ? { baselines: r.baselines } : {}),
});

/**
 * Evaluates the shipped default models (native-models/default). With `means` (the training data's
 * per-pixel means), every set also gets the trivial predictors' figures.
 */
export async function evaluateShippedModels(onnx: OnnxSessionPool, fdPool: FdWorkerPool, options: { means?: TrainingMeans; onProgress?: ProgressListener } = {}): Promise<CardMetrics> {
  const networks = {
    inversion: await InversionNetwork.load(onnx, resolveModel('default', 'inversionnet', null)),
    stage1: await Stage1Network.load(onnx, resolveModel('default', 'stage1', null)),
  };
  const total = HELD_OUT_SET.families.length + Object.keys(OPENFWI_VELOCITY_ZIPS).length;
  let done = 0;
  const perFamily: CardMetrics['heldOut']['perFamily'] = {};
  const results: SetResult[] = [];
  for (const family of HELD_OUT_SET.families) {
    const velocity = generateVelocityModels(family, HELD_OUT_SET.seed, HELD_OUT_SET.perFamily);
    const result = await evaluateSet(velocity, HELD_OUT_SET.perFamily, networks, fdPool, { withPde: true, means: options.means });
    perFamily[family] = { ...setMetrics(result), reconstruction_pde_rel_l2: mean(result.pde) };
    results.push(result);
    options.onProgress?.({ done: (done += 1), total, unit: 'sets', message: family });
  }
  const realOpenfwi: CardMetrics['realOpenfwi'] = {};
  for (const family of Object.keys(OPENFWI_VELOCITY_ZIPS) as (keyof typeof OPENFWI_VELOCITY_ZIPS)[]) {
    const velocity = readOpenfwiVelocity(family, 0, REAL_OPENFWI_SET.perFamily, REAL_OPENFWI_SET.file);
    const result = await evaluateSet(velocity, REAL_OPENFWI_SET.perFamily, networks, fdPool, { withPde: false, means: options.means });
    realOpenfwi[family] = { samples: REAL_OPENFWI_SET.perFamily, ...setMetrics(result) };
    options.onProgress?.({ done: (done += 1), total, unit: 'sets', message: family });
  }
  const all = <T>(pick: (r: SetResult) => T[]): T[] => results.flatMap(pick);
  return {
    heldOut: {
      samples: HELD_OUT_SET.families.length * HELD_OUT_SET.perFamily,
      inversionnet: averageVelocityMetrics(results.map((r) => r.inversionnet)),
      stage1_inversion: averageVelocityMetrics(results.map((r) => r.stage1_inversion)),
      seismic_relative_l2: mean(all((r) => r.seismicRelL2)),
      ...(options.means
        ? {
            baselines: {
              mean_seismic_relative_l2: mean(all((r) => r.baselineSeismic)),
              mean_velocity: averageVelocityMetrics(results.map((r) => r.baselines!.mean_velocity)),
            },
          }
        : {}),
      reconstruction_pde_rel_l2: mean(all((r) => r.pde)),
      perFamily,
    },
    realOpenfwi,
  };
}
