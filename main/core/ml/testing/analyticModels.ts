/**
 * Exact ε-predictions for data whose noised marginals are closed form, used as the independent truth
 * for the samplers. With x_t = α x₀ + σ ε (α = √ᾱ_t, σ = √(1 − ᾱ_t)) the ideal denoiser is the
 * posterior mean ε*(x_t) = E[ε | x_t] = −σ ∇ log p_t(x_t).
 *
 * Gaussian x₀ ~ N(μ, s²) per element: x_t ~ N(αμ, v), v = α²s² + σ², Cov(ε, x_t) = σ, so
 *   ε*(x_t) = σ (x_t − αμ)/v = √(1 − ᾱ)(x_t − √ᾱ μ)/(ᾱ s² + 1 − ᾱ).
 * Its probability-flow ODE is linear, and x_T maps to
 *   x₀ = μ + s (x_T − α_T μ)/√v_T   (the exact ODE endpoint).
 *
 * Mixture x₀ ~ Σ_k w_k N(m_k, s_k²): x_t ~ Σ_k w_k N(α m_k, v_k), v_k = α² s_k² + σ²; with the
 * responsibilities r_k(x_t) ∝ w_k N(x_t; α m_k, v_k),
 *   ε*(x_t) = σ Σ_k r_k(x_t) (x_t − α m_k)/v_k.
 * s_k = 0 gives point masses (a two-point target); fine as long as σ > 0, which every model
 * evaluation has.
 */
import type { EpsilonModel } from '../samplers.ts';
import type { NoiseSchedule } from '../schedule.ts';

export interface GaussianTarget {
  mean: number;
  std: number;
}

export interface MixtureComponent {
  weight: number;
  mean: number;
  std: number;
}

export function gaussianEpsilonModel(schedule: NoiseSchedule, target: GaussianTarget): EpsilonModel {
  return async (xT, timesteps) => {
    const sampleSize = xT.length / timesteps.length;
    const eps = new Float32Array(xT.length);
    for (let b = 0; b < timesteps.length; b += 1) {
      const alphaBar = schedule.alphasCumprod[timesteps[b]];
      const alpha = Math.sqrt(alphaBar);
      const sigma = Math.sqrt(1 - alphaBar);
      const variance = alphaBar * target.std * target.std + 1 - alphaBar;
      for (let i = b * sampleSize; i < (b + 1) * sampleSize; i += 1) {
        eps[i] = (sigma * (xT[i] - alpha * target.mean)) / variance;
      }
    }
    return eps;
  };
}

/**
 * What an exact solver of the probability-flow ODE returns for x_T at index tStart (Gaussian target):
 * the flow is linear, x_t = α_t μ + √v_t (x_T − α_T μ)/√v_T, carried to tEnd; then, as every sampler
 * here finishes, the step to clean x̂₀ = μ + (α s²/v)(x_t − α μ) at tEnd. tEnd = −1 means the
 * flow all the way to clean, x₀ = μ + s (x_T − α_T μ)/√v_T.
 */
export function gaussianFlowEndpoint(
  schedule: NoiseSchedule,
  target: GaussianTarget,
  xT: Float64Array | Float32Array,
  tStart: number,
  tEnd = 0,
): Float64Array {
  const level = (t: number): { alpha: number; variance: number } => {
    const alphaBar = t < 0 ? 1 : schedule.alphasCumprod[t];
    return { alpha: Math.sqrt(alphaBar), variance: alphaBar * target.std * target.std + 1 - alphaBar };
  };
  const start = level(tStart);
  const end = level(tEnd);
  const denoise = (end.alpha * target.std * target.std) / end.variance;
  const out = new Float64Array(xT.length);
  for (let i = 0; i < xT.length; i += 1) {
    const atEnd = end.alpha * target.mean + (Math.sqrt(end.variance) * (xT[i] - start.alpha * target.mean)) / Math.sqrt(start.variance);
    out[i] = target.mean + denoise * (atEnd - end.alpha * target.mean);
  }
  return out;
}

export function mixtureEpsilonModel(schedule: NoiseSchedule, components: readonly MixtureComponent[]): EpsilonModel {
  const totalWeight = components.reduce((sum, c) => sum + c.weight, 0);
  return async (xT, timesteps) => {
    const sampleSize = xT.length / timesteps.length;
    const eps = new Float32Array(xT.length);
    const logTerms = new Float64Array(components.length);
    for (let b = 0; b < timesteps.length; b += 1) {
      const alphaBar = schedule.alphasCumprod[timesteps[b]];
      const alpha = Math.sqrt(alphaBar);
      const sigma = Math.sqrt(1 - alphaBar);
      const variances = components.map((c) => alphaBar * c.std * c.std + 1 - alphaBar);
      const logNormalisers = components.map((c, k) => Math.log(c.weight / totalWeight) - 0.5 * Math.log(variances[k]));
      for (let i = b * sampleSize; i < (b + 1) * sampleSize; i += 1) {
        const x = xT[i];
        let maxLog = -Infinity;
        for (let k = 0; k < components.length; k += 1) {
          const d = x - alpha * components[k].mean;
          logTerms[k] = logNormalisers[k] - (d * d) / (2 * variances[k]);
          if (logTerms[k] > maxLog) maxLog = logTerms[k];
        }
        let normaliser = 0;
        let weighted = 0;
        for (let k = 0; k < components.length; k += 1) {
          const r = Math.exp(logTerms[k] - maxLog);
          normaliser += r;
          weighted += (r * (x - alpha * components[k].mean)) / variances[k];
        }
        eps[i] = (sigma * weighted) / normaliser;
      }
    }
    return eps;
  };
}

export function meanAndVariance(values: ArrayLike<number>): { mean: number; variance: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i += 1) sum += values[i];
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i += 1) squares += (values[i] - mean) ** 2;
  return { mean, variance: squares / (values.length - 1) };
}

export function rmsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum / a.length);
}
