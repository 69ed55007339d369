/**
 * InversionNet's velocity error against the decoded velocity, as OpenFWI reports it
 * (native-models/wavediff_models/metrics.py):
 *   v_norm = 2 (v − 1500)/(4500 − 1500) − 1                         (m/s → [−1, 1])
 *   MAE  = mean |v̂_inv − v̂|,  RMSE = √(mean (v̂_inv − v̂)²)           on v_norm
 *   SSIM = mean over pixels of ((2 μx μy + C1)(2 σxy + C2)) / ((μx² + μy² + C1)(σx² + σy² + C2))
 * on x = (v_norm + 1)/2 ∈ [0, 1], local moments from an 11 × 11 Gaussian window (σ = 1.5) applied
 * as a zero-padded "same" convolution, C1 = 0.01², C2 = 0.03². Sums in float64.
 */
import { StudioError } from '../contract/errors.ts';
import { OPENFWI_VELOCITY_RANGE_MPS } from '../contract/parameters.ts';

export const SSIM_WINDOW = 11;
export const SSIM_SIGMA = 1.5;
const C1 = 0.01 ** 2;
const C2 = 0.03 ** 2;

export interface VelocityRange {
  minMps: number;
  maxMps: number;
}

/** OpenFWI's normalisation range. */
export const OPENFWI_VELOCITY_RANGE: VelocityRange = { minMps: OPENFWI_VELOCITY_RANGE_MPS.min, maxMps: OPENFWI_VELOCITY_RANGE_MPS.max };

export interface VelocityError {
  inv_mae: number;
  inv_rmse: number;
  inv_ssim: number;
}

/** 1-D normalised Gaussian g_i ∝ exp(−(i − ⌊n/2⌋)² / (2σ²)); the 2-D window is its outer product. */
function gaussian1d(size: number, sigma: number): Float64Array {
  const g = new Float64Array(size);
  let sum = 0;
  for (let i = 0; i < size; i += 1) {
    g[i] = Math.exp(-((i - Math.floor(size / 2)) ** 2) / (2 * sigma * sigma));
    sum += g[i];
  }
  for (let i = 0; i < size; i += 1) g[i] /= sum;
  return g;
}

const WINDOW = gaussian1d(SSIM_WINDOW, SSIM_SIGMA);

/** Zero-padded "same" separable convolution of one [height, width] plane with WINDOW (rows, then columns). */
function blur(plane: Float64Array, height: number, width: number, scratch: Float64Array): Float64Array {
  const out = new Float64Array(height * width);
  const half = Math.floor(SSIM_WINDOW / 2);
  for (let z = 0; z < height; z += 1) {
    for (let x = 0; x < width; x += 1) {
      let sum = 0;
      for (let k = -half; k <= half; k += 1) {
        const xx = x + k;
        if (xx >= 0 && xx < width) sum += WINDOW[k + half] * plane[z * width + xx];
      }
      scratch[z * width + x] = sum;
    }
  }
  for (let z = 0; z < height; z += 1) {
    for (let x = 0; x < width; x += 1) {
      let sum = 0;
      for (let k = -half; k <= half; k += 1) {
        const zz = z + k;
        if (zz >= 0 && zz < height) sum += WINDOW[k + half] * scratch[zz * width + x];
      }
      out[z * width + x] = sum;
    }
  }
  return out;
}

/** Mean SSIM of two [height, width] images with values in [0, 1]. */
export function ssim(a: ArrayLike<number>, b: ArrayLike<number>, height: number, width: number): number {
  const n = height * width;
  if (a.length !== n || b.length !== n) throw new StudioError('bad_input', `SSIM needs two [${height}, ${width}] images; got ${a.length} and ${b.length} values.`);
  const x = Float64Array.from(a);
  const y = Float64Array.from(b);
  const xx = new Float64Array(n);
  const yy = new Float64Array(n);
  const xy = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    xx[i] = x[i] * x[i];
    yy[i] = y[i] * y[i];
    xy[i] = x[i] * y[i];
  }
  const scratch = new Float64Array(n);
  const muX = blur(x, height, width, scratch);
  const muY = blur(y, height, width, scratch);
  const eXX = blur(xx, height, width, scratch);
  const eYY = blur(yy, height, width, scratch);
  const eXY = blur(xy, height, width, scratch);
  let total = 0;
  for (let i = 0; i < n; i += 1) {
    const mx = muX[i];
    const my = muY[i];
    const sxx = eXX[i] - mx * mx;
    const syy = eYY[i] - my * my;
    const sxy = eXY[i] - mx * my;
    total += ((2 * mx * my + C1) * (2 * sxy + C2)) / ((mx * mx + my * my + C1) * (sxx + syy + C2));
  }
  return total / n;
}

/**
 * Error of `predictedMps` against `referenceMps`, both one velocity model [depth, width] in m/s:
 * MAE and RMSE on the [−1, 1] scale, SSIM on [0, 1].
 */
export function velocityError(predictedMps: ArrayLike<number>, referenceMps: ArrayLike<number>, depth: number, width: number, range: VelocityRange = OPENFWI_VELOCITY_RANGE): VelocityError {
  const n = depth * width;
  if (predictedMps.length !== n || referenceMps.length !== n) {
    throw new StudioError('bad_input', `Velocity error needs two [${depth}, ${width}] models; got ${predictedMps.length} and ${referenceMps.length} values.`);
  }
  const span = range.maxMps - range.minMps;
  const p01 = new Float64Array(n);
  const r01 = new Float64Array(n);
  let abs = 0;
  let sq = 0;
  for (let i = 0; i < n; i += 1) {
    // [−1, 1] scale: 2(v − min)/span − 1; the [0, 1] image is (v − min)/span.
    const p = (2 * (predictedMps[i] - range.minMps)) / span - 1;
    const r = (2 * (referenceMps[i] - range.minMps)) / span - 1;
    const d = p - r;
    abs += Math.abs(d);
    sq += d * d;
    p01[i] = (p + 1) / 2;
    r01[i] = (r + 1) / 2;
  }
  return { inv_mae: abs / n, inv_rmse: Math.sqrt(sq / n), inv_ssim: ssim(p01, r01, depth, width) };
}
