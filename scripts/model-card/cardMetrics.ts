/**
 * The figures of the model card, pooled over a set of samples as OpenFWI and native-models'
 * metrics.py pool them:
 *   velocity MAE and MSE over all pixels on the [−1, 1] scale (equal-sized samples: the mean of
 *   per-sample means), RMSE = √MSE; SSIM on [0, 1], the mean over samples;
 *   seismic relative L2 per sample ‖ŝ − s‖₂ / ‖s‖₂ in physical units, the mean over samples;
 *   beside the MAE its standard error over the set's samples (sample standard deviation / √n): how far
 *   the figure would move with another draw of models from the same family.
 */
import { velocityError } from '../../main/core/generation/metrics.ts';

export interface VelocityMetrics {
  velocity_mae: number;
  velocity_rmse: number;
  velocity_ssim: number;
  /** Standard error of velocity_mae: the per-sample MAEs' sample standard deviation / √samples. */
  velocity_mae_sem: number;
}

export function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

/** Standard error of the mean of `values` (sample standard deviation, n − 1, over √n); NaN for fewer than two. */
export function standardError(values: number[]): number {
  const n = values.length;
  if (n < 2) return Number.NaN;
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (n - 1) / n);
}

/** Metrics of predicted against true velocity, both [samples, 1, depth, width] in m/s. */
export function velocityMetrics(predictedMps: Float32Array, truthMps: Float32Array, samples: number, depth = 70, width = 70): VelocityMetrics {
  const cells = depth * width;
  const errors = Array.from({ length: samples }, (_, i) =>
    velocityError(predictedMps.subarray(i * cells, (i + 1) * cells), truthMps.subarray(i * cells, (i + 1) * cells), depth, width),
  );
  return {
    velocity_mae: mean(errors.map((e) => e.inv_mae)),
    velocity_rmse: Math.sqrt(mean(errors.map((e) => e.inv_rmse ** 2))),
    velocity_ssim: mean(errors.map((e) => e.inv_ssim)),
    velocity_mae_sem: standardError(errors.map((e) => e.inv_mae)),
  };
}

/** Pools the metrics of equal-sized sets (MAE and SSIM averaged, RMSE through the MSE, the MAE's standard error as that of a mean of independent means). */
export function averageVelocityMetrics(list: VelocityMetrics[]): VelocityMetrics {
  return {
    velocity_mae: mean(list.map((m) => m.velocity_mae)),
    velocity_rmse: Math.sqrt(mean(list.map((m) => m.velocity_rmse ** 2))),
    velocity_ssim: mean(list.map((m) => m.velocity_ssim)),
    velocity_mae_sem: Math.sqrt(list.reduce((sum, m) => sum + m.velocity_mae_sem ** 2, 0)) / list.length,
  };
}

/** ‖a − b‖₂ / ‖b‖₂ of one sample. */
export function relativeL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i += 1) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** Per-sample relative L2 of `predicted` against `truth`, [samples, …] each; `predicted` may be one sample used for all. */
export function relativeL2PerSample(predicted: Float32Array, truth: Float32Array, samples: number): number[] {
  const size = truth.length / samples;
  const shared = predicted.length === size;
  return Array.from({ length: samples }, (_, i) =>
    relativeL2(shared ? predicted : predicted.subarray(i * size, (i + 1) * size), truth.subarray(i * size, (i + 1) * size)),
  );
}

/** One sample repeated `samples` times (the per-pixel-mean predictor's output for a whole set). */
export function repeatSample(sample: Float32Array, samples: number): Float32Array {
  const out = new Float32Array(sample.length * samples);
  for (let i = 0; i < samples; i += 1) out.set(sample, i * sample.length);
  return out;
}
