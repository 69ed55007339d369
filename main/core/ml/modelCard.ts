/**
 * The shipped default models' evaluation: metrics on a fixed held-out set of synthetic pairs (the
 * families and seed of the training run's held-out split) and on real OpenFWI velocity models
 * (modelled with OpenFWI's geometry; test data only). `npm run models:card` writes the result to
 * native-models/default/card.json and MODEL_CARD.md; a test recomputes it and compares.
 */
import type { OnnxSessionPool } from './onnxPool.ts';
import type { FdWorkerPool } from '../physics/pool.ts';
import { InversionNetwork, Stage1Network } from './networks.ts';
import { resolveModel } from '../training/modelRegistry.ts';
import { generateVelocityModels, type VelocityFamily } from '../physics/families.ts';
import { forwardModel } from '../physics/solver.ts';
import { openfwiGeometry } from '../physics/geometry.ts';
import { compareSeismic } from '../physics/deviation.ts';
import { velocityError } from '../generation/metrics.ts';
import { readOpenfwiVelocity, OPENFWI_VELOCITY_ZIPS } from '../physics/testing/openfwiModels.ts';
import type { ProgressListener } from '../util/progress.ts';

/** The held-out set: the first samples of each family's held-out synthesis (seed 97, as trained). */
export const HELD_OUT_SET = {
  families: ['flatvel-a', 'curvevel-a', 'flatfault-a', 'curvefault-a'] as VelocityFamily[],
  seed: 97,
  perFamily: 16,
};
/** Real OpenFWI models: the first of vmodel11.npy in each shared zip. */
export const REAL_OPENFWI_SET = { perFamily: 16 };

export interface VelocityMetrics {
  velocity_mae: number;
  velocity_rmse: number;
  velocity_ssim: number;
}

export interface CardMetrics {
  heldOut: {
    samples: number;
    inversionnet: VelocityMetrics;
    /** Stage 1 as an inversion: seismic → encoder → quantiser → velocity decoder. */
    stage1_inversion: VelocityMetrics;
    /** ‖ŝ − s‖₂ / ‖s‖₂ of stage 1's reconstructed seismic, physical units, mean over samples. */
    seismic_relative_l2: number;
    /** PDE deviation of held-out reconstructions: ‖ŝ − f(v̂)‖₂ / ‖f(v̂)‖₂, mean over samples. */
    reconstruction_pde_rel_l2: number;
    perFamily: Record<string, { inversionnet: VelocityMetrics; stage1_inversion: VelocityMetrics; reconstruction_pde_rel_l2: number }>;
  };
  realOpenfwi: Record<string, { samples: number; inversionnet: VelocityMetrics; stage1_inversion: VelocityMetrics }>;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

function velocityMetrics(predicted: Float32Array, truth: Float32Array, samples: number): VelocityMetrics {
  const cells = 70 * 70;
  const errors = Array.from({ length: samples }, (_, i) =>
    velocityError(predicted.subarray(i * cells, (i + 1) * cells), truth.subarray(i * cells, (i + 1) * cells), 70, 70),
  );
  // MAE and MSE pool over all pixels (equal-sized samples: mean of per-sample means); RMSE = √MSE.
  return {
    velocity_mae: mean(errors.map((e) => e.inv_mae)),
    velocity_rmse: Math.sqrt(mean(errors.map((e) => e.inv_rmse ** 2))),
    velocity_ssim: mean(errors.map((e) => e.inv_ssim)),
  };
}

function relativeL2(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i += 1) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

async function evaluateSet(
  velocityMps: Float32Array,
  samples: number,
  networks: { inversion: InversionNetwork; stage1: Stage1Network },
  fdPool: FdWorkerPool,
  withReconstruction: boolean,
): Promise<{ inversionnet: VelocityMetrics; stage1_inversion: VelocityMetrics; seismicRelL2: number[]; pde: number[] }> {
  const geometry = openfwiGeometry();
  const seismic = await forwardModel(velocityMps, { n: samples, nz: 70, nx: 70 }, geometry, { pool: fdPool });
  const inverted = await networks.inversion.invert(seismic, samples);
  const reconstruction = await networks.stage1.reconstruct(seismic, samples);
  const seismicRelL2: number[] = [];
  const pde: number[] = [];
  if (withReconstruction) {
    const perSample = 5 * 1000 * 70;
    const modelled = await forwardModel(reconstruction.velocityMps, { n: samples, nz: 70, nx: 70 }, geometry, { pool: fdPool });
    for (let i = 0; i < samples; i += 1) {
      const decoded = reconstruction.seismic.subarray(i * perSample, (i + 1) * perSample);
      seismicRelL2.push(relativeL2(decoded, seismic.subarray(i * perSample, (i + 1) * perSample)));
    }
    const report = compareSeismic(reconstruction.seismic, modelled, { n: samples, sources: 5, time: 1000, receivers: 70 });
    for (const s of report.samples) pde.push(s.pde_rel_l2);
  }
  return {
    inversionnet: velocityMetrics(inverted, velocityMps, samples),
    stage1_inversion: velocityMetrics(reconstruction.velocityMps, velocityMps, samples),
    seismicRelL2,
    pde,
  };
}

/** Evaluates the shipped default models (native-models/default). */
export async function evaluateShippedModels(onnx: OnnxSessionPool, fdPool: FdWorkerPool, onProgress?: ProgressListener): Promise<CardMetrics> {
  const networks = {
    inversion: await InversionNetwork.load(onnx, resolveModel('default', 'inversionnet', null)),
    stage1: await Stage1Network.load(onnx, resolveModel('default', 'stage1', null)),
  };
  const total = HELD_OUT_SET.families.length + Object.keys(OPENFWI_VELOCITY_ZIPS).length;
  let done = 0;
  const perFamily: CardMetrics['heldOut']['perFamily'] = {};
  const all = { inversion: [] as VelocityMetrics[], stage1: [] as VelocityMetrics[], seismic: [] as number[], pde: [] as number[] };
  for (const family of HELD_OUT_SET.families) {
    const velocity = generateVelocityModels(family, HELD_OUT_SET.seed, HELD_OUT_SET.perFamily);
    const result = await evaluateSet(velocity, HELD_OUT_SET.perFamily, networks, fdPool, true);
    perFamily[family] = { inversionnet: result.inversionnet, stage1_inversion: result.stage1_inversion, reconstruction_pde_rel_l2: mean(result.pde) };
    all.inversion.push(result.inversionnet);
    all.stage1.push(result.stage1_inversion);
    all.seismic.push(...result.seismicRelL2);
    all.pde.push(...result.pde);
    onProgress?.({ done: (done += 1), total, unit: 'sets', message: family });
  }
  const average = (list: VelocityMetrics[]): VelocityMetrics => ({
    velocity_mae: mean(list.map((m) => m.velocity_mae)),
    velocity_rmse: Math.sqrt(mean(list.map((m) => m.velocity_rmse ** 2))),
    velocity_ssim: mean(list.map((m) => m.velocity_ssim)),
  });
  const realOpenfwi: CardMetrics['realOpenfwi'] = {};
  for (const family of Object.keys(OPENFWI_VELOCITY_ZIPS) as (keyof typeof OPENFWI_VELOCITY_ZIPS)[]) {
    const velocity = readOpenfwiVelocity(family, 0, REAL_OPENFWI_SET.perFamily);
    const result = await evaluateSet(velocity, REAL_OPENFWI_SET.perFamily, networks, fdPool, false);
    realOpenfwi[family] = { samples: REAL_OPENFWI_SET.perFamily, inversionnet: result.inversionnet, stage1_inversion: result.stage1_inversion };
    onProgress?.({ done: (done += 1), total, unit: 'sets', message: family });
  }
  return {
    heldOut: {
      samples: HELD_OUT_SET.families.length * HELD_OUT_SET.perFamily,
      inversionnet: average(all.inversion),
      stage1_inversion: average(all.stage1),
      seismic_relative_l2: mean(all.seismic),
      reconstruction_pde_rel_l2: mean(all.pde),
      perFamily,
    },
    realOpenfwi,
  };
}
