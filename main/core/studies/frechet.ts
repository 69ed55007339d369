/**
 * The Fréchet distance between two sets of feature vectors, each summarised as a Gaussian
 * (mean μ, covariance Σ with the unbiased 1/(n − 1) normalisation, as numpy.cov):
 *   FD = ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}
 * (tr (Σ₁Σ₂)^{1/2} written with symmetric matrices: both are the sum of the square roots of the same
 * eigenvalues). Square roots come from symmetric eigendecompositions (cyclic Jacobi), negative
 * round-off eigenvalues clipped to 0. Sums in float64.
 */
import { StudioError } from '../contract/errors.ts';
import { Random } from '../util/random.ts';

export interface GaussianSummary {
  dimension: number;
  mean: Float64Array;
  /** [dimension, dimension] row-major. */
  covariance: Float64Array;
}

/** Mean and unbiased covariance of `count` vectors of `dimension` values, row-major [count, dimension]. */
export function gaussianOf(features: ArrayLike<number>, count: number, dimension: number, rows?: ArrayLike<number>): GaussianSummary {
  const n = rows ? rows.length : count;
  if (n < 2) throw new StudioError('bad_input', `A covariance needs at least 2 feature vectors; got ${n}.`);
  if (features.length !== count * dimension) throw new StudioError('bad_input', `${features.length} feature values are not [${count}, ${dimension}].`);
  const row = (i: number): number => (rows ? rows[i] : i);
  const mean = new Float64Array(dimension);
  for (let i = 0; i < n; i++) {
    const base = row(i) * dimension;
    for (let d = 0; d < dimension; d++) mean[d] += features[base + d];
  }
  for (let d = 0; d < dimension; d++) mean[d] /= n;
  const covariance = new Float64Array(dimension * dimension);
  const centred = new Float64Array(dimension);
  for (let i = 0; i < n; i++) {
    const base = row(i) * dimension;
    for (let d = 0; d < dimension; d++) centred[d] = features[base + d] - mean[d];
    for (let a = 0; a < dimension; a++) {
      const ca = centred[a];
      if (ca === 0) continue;
      for (let b = a; b < dimension; b++) covariance[a * dimension + b] += ca * centred[b];
    }
  }
  for (let a = 0; a < dimension; a++) {
    for (let b = a; b < dimension; b++) {
      const v = covariance[a * dimension + b] / (n - 1);
      covariance[a * dimension + b] = v;
      covariance[b * dimension + a] = v;
    }
  }
  return { dimension, mean, covariance };
}

/**
 * Eigenvalues and eigenvectors of a symmetric matrix [n, n] by cyclic Jacobi rotations.
 * Returns values and vectors with column k (vectors[i * n + k]) the eigenvector of values[k].
 */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale += a[i] * a[i];
  const tolerance = 1e-30 * Math.max(scale, 1e-300);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off <= tolerance) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        // Rotation angle θ with tan 2θ = 2 a_pq / (a_qq − a_pp), zeroing a_pq.
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => a[i * n + i]), vectors: v };
}

/** The symmetric square root V diag(√max(λ, 0)) Vᵀ of a symmetric positive semi-definite matrix. */
export function symmetricSqrt(matrix: ArrayLike<number>, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, n);
  const roots = Float64Array.from(values, (x) => Math.sqrt(Math.max(x, 0)));
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += vectors[i * n + k] * roots[k] * vectors[j * n + k];
      out[i * n + j] = sum;
      out[j * n + i] = sum;
    }
  }
  return out;
}

function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += aik * b[k * n + j];
    }
  }
  return out;
}

/** FD between two Gaussians (formula above). */
export function frechetDistance(x: GaussianSummary, y: GaussianSummary): number {
  const n = x.dimension;
  if (y.dimension !== n) throw new StudioError('bad_input', `Fréchet distance between features of ${n} and ${y.dimension} dimensions.`);
  let meanTerm = 0;
  let traces = 0;
  for (let d = 0; d < n; d++) {
    meanTerm += (x.mean[d] - y.mean[d]) ** 2;
    traces += x.covariance[d * n + d] + y.covariance[d * n + d];
  }
  const root = symmetricSqrt(x.covariance, n);
  const product = multiply(multiply(root, y.covariance, n), root, n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) product[i * n + j] = product[j * n + i] = (product[i * n + j] + product[j * n + i]) / 2;
  const { values } = symmetricEigen(product, n);
  let crossTrace = 0;
  for (const v of values) crossTrace += Math.sqrt(Math.max(v, 0));
  return Math.max(0, meanTerm + traces - 2 * crossTrace);
}

export interface FrechetWithSpread {
  fd: number;
  /** Bootstrap: both sets resampled with replacement `resamples` times. */
  bootstrap: { resamples: number; mean: number; std: number; p05: number; p95: number };
}

/** FD of two feature sets [count, dimension] and its bootstrap spread (seeded). */
export function frechetWithBootstrap(
  real: ArrayLike<number>,
  realCount: number,
  generated: ArrayLike<number>,
  generatedCount: number,
  dimension: number,
  resamples: number,
  seed: number,
): FrechetWithSpread {
  const fd = frechetDistance(gaussianOf(real, realCount, dimension), gaussianOf(generated, generatedCount, dimension));
  const random = new Random(seed);
  const draws: number[] = [];
  const pick = (count: number): Uint32Array => Uint32Array.from({ length: count }, () => Math.min(count - 1, Math.floor(random.uniform() * count)));
  for (let r = 0; r < resamples; r++) {
    draws.push(frechetDistance(gaussianOf(real, realCount, dimension, pick(realCount)), gaussianOf(generated, generatedCount, dimension, pick(generatedCount))));
  }
  const sorted = [...draws].sort((a, b) => a - b);
  const quantile = (q: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : fd);
  const mean = draws.reduce((a, b) => a + b, 0) / Math.max(1, draws.length);
  const std = Math.sqrt(draws.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, draws.length - 1));
  return { fd, bootstrap: { resamples, mean: draws.length ? mean : fd, std: draws.length > 1 ? std : 0, p05: quantile(0.05), p95: quantile(0.95) } };
}
