/**
 * Discrete noise schedules of the variance-preserving diffusion the denoisers were trained with
 * (native-models/wavediff_models/stage2.py, NoiseSchedule):
 *
 *   x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε,   ε ~ N(0, I),   t = 0 … T−1,
 *   'linear'         β_t = β_start + (β_end − β_start) · t / (T − 1)
 *   'scaled_linear'  β_t = (√β_start + (√β_end − √β_start) · t / (T − 1))²
 *   α_t = 1 − β_t,   ᾱ_t = ∏_{s ≤ t} α_s.
 *
 * The method's setting (OPENFWI.md): T = 1000, linear β from 0.0015 to 0.0155, ε-prediction. The
 * denoiser's `timestep` input is the integer index t (as float32). Values are kept in float64.
 */
import { StudioError } from '../contract/errors.ts';

export type BetaScheduleKind = 'linear' | 'scaled_linear';

export interface NoiseScheduleSpec {
  kind: BetaScheduleKind;
  betaStart: number;
  betaEnd: number;
  /** T: the number of training timesteps; the model's timestep index runs over 0 … T−1. */
  numTrainTimesteps: number;
}

/** The seed paper's stage-2 schedule: 1000 steps, linear β 0.0015 → 0.0155. */
export const METHOD_NOISE_SCHEDULE: Readonly<NoiseScheduleSpec> = Object.freeze({
  kind: 'linear',
  betaStart: 0.0015,
  betaEnd: 0.0155,
  numTrainTimesteps: 1000,
});

export interface NoiseSchedule {
  readonly spec: Readonly<NoiseScheduleSpec>;
  /** T */
  readonly numTrainTimesteps: number;
  /** β_t, t = 0 … T−1 */
  readonly betas: Float64Array;
  /** α_t = 1 − β_t */
  readonly alphas: Float64Array;
  /** ᾱ_t = ∏_{s ≤ t} α_s */
  readonly alphasCumprod: Float64Array;
}

/** Builds β, α and ᾱ for a schedule; bad parameters are a 'bad_input' error naming the parameter. */
export function makeNoiseSchedule(spec: NoiseScheduleSpec = METHOD_NOISE_SCHEDULE): NoiseSchedule {
  const { kind, betaStart, betaEnd, numTrainTimesteps: T } = spec;
  if (kind !== 'linear' && kind !== 'scaled_linear') {
    throw new StudioError('bad_input', `Noise schedule kind '${String(kind)}' is not supported: use 'linear' or 'scaled_linear'.`);
  }
  if (!Number.isInteger(T) || T < 2) {
    throw new StudioError('bad_input', `Noise schedule numTrainTimesteps = ${T} must be a whole number ≥ 2.`);
  }
  for (const [name, beta] of [['betaStart', betaStart], ['betaEnd', betaEnd]] as const) {
    if (!(beta > 0 && beta < 1)) {
      throw new StudioError('bad_input', `Noise schedule ${name} = ${beta} must lie strictly between 0 and 1.`);
    }
  }
  const betas = new Float64Array(T);
  const alphas = new Float64Array(T);
  const alphasCumprod = new Float64Array(T);
  let product = 1;
  for (let t = 0; t < T; t += 1) {
    const fraction = t / (T - 1);
    const beta =
      kind === 'linear'
        ? betaStart + (betaEnd - betaStart) * fraction
        : (Math.sqrt(betaStart) + (Math.sqrt(betaEnd) - Math.sqrt(betaStart)) * fraction) ** 2;
    betas[t] = beta;
    alphas[t] = 1 - beta;
    product *= 1 - beta;
    alphasCumprod[t] = product;
  }
  return { spec: Object.freeze({ ...spec }), numTrainTimesteps: T, betas, alphas, alphasCumprod };
}

/**
 * Reads the `schedule` object of a stage-2 manifest.json (native-models export):
 * `{ type, beta_start, beta_end, num_train_timesteps, prediction }`. Only ε-prediction is accepted,
 * since every sampler here takes an ε-model.
 */
export function scheduleSpecFromManifest(schedule: unknown, manifestPath = 'manifest.json'): NoiseScheduleSpec {
  const where = `${manifestPath}: schedule`;
  if (typeof schedule !== 'object' || schedule === null) {
    throw new StudioError('bad_file', `${where} is missing or not an object; re-export the stage-2 model.`);
  }
  const record = schedule as Record<string, unknown>;
  const kind = record.type;
  if (kind !== 'linear' && kind !== 'scaled_linear') {
    throw new StudioError('bad_file', `${where}.type = ${JSON.stringify(kind)} is not 'linear' or 'scaled_linear'.`);
  }
  const prediction = record.prediction ?? 'eps';
  if (prediction !== 'eps') {
    throw new StudioError('unsupported', `${where}.prediction = ${JSON.stringify(prediction)}: the samplers take ε-prediction models only.`);
  }
  const number = (field: string): number => {
    const value = record[field];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new StudioError('bad_file', `${where}.${field} = ${JSON.stringify(value)} is not a number.`);
    }
    return value;
  };
  return {
    kind,
    betaStart: number('beta_start'),
    betaEnd: number('beta_end'),
    numTrainTimesteps: number('num_train_timesteps'),
  };
}

/**
 * `steps` model timesteps spread evenly over T−1 … 0, descending, both ends included:
 * t_i = round((T − 1)·(1 − i/(steps − 1))), i = 0 … steps−1 (one step: [T−1]), rounding halves to
 * even as numpy's `np.linspace(T − 1, 0, steps).round()` does (the native-models preview sampler).
 * steps = T gives every index.
 */
export function evenlySpacedTimesteps(numTrainTimesteps: number, steps: number): number[] {
  if (!Number.isInteger(steps) || steps < 1 || steps > numTrainTimesteps) {
    throw new StudioError(
      'bad_input',
      `Sampler steps = ${steps} must be a whole number from 1 to the model's ${numTrainTimesteps} training timesteps.`,
    );
  }
  if (steps === 1) return [numTrainTimesteps - 1];
  const last = numTrainTimesteps - 1;
  const timesteps: number[] = [];
  for (let i = 0; i < steps; i += 1) timesteps.push(roundHalfToEven((last * (steps - 1 - i)) / (steps - 1)));
  return timesteps;
}

function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** √ᾱ (signal scale α), √(1 − ᾱ) (noise scale σ) and λ = ln(α/σ) (half the log-SNR) of ᾱ. */
export function noiseLevel(alphaCumprod: number): { alpha: number; sigma: number; lambda: number } {
  const alpha = Math.sqrt(alphaCumprod);
  const sigma = Math.sqrt(1 - alphaCumprod);
  return { alpha, sigma, lambda: Math.log(alpha) - Math.log(sigma) };
}

/**
 * `steps` timestep indices T−1 … 0 (both included) as evenly spaced in λ = ln(α/σ) as whole indices
 * allow (DPM-Solver's "logSNR" spacing): t_i is the index whose λ is nearest to
 * λ_{T−1} + (λ_0 − λ_{T−1})·i/(steps − 1), kept strictly decreasing (ties to the larger index) and
 * leaving room for the remaining steps. With this schedule the last index steps are large in λ
 * (λ_0 − λ_1 ≈ 0.35 for the method's schedule), so long grids fall back towards one index per step there.
 */
export function logSnrSpacedTimesteps(schedule: NoiseSchedule, steps: number): number[] {
  const T = schedule.numTrainTimesteps;
  evenlySpacedTimesteps(T, steps); // validates steps
  if (steps === 1) return [T - 1];
  const lambdas = Array.from(schedule.alphasCumprod, (alphaBar) => noiseLevel(alphaBar).lambda);
  const first = lambdas[T - 1];
  const last = lambdas[0];
  const timesteps = [T - 1];
  for (let i = 1; i < steps; i += 1) {
    const target = first + ((last - first) * i) / (steps - 1);
    const upper = timesteps[i - 1] - 1; // strictly below the previous index
    const lower = steps - 1 - i; // room for the steps still to come
    // λ increases as t decreases: find the first index (from upper down) whose λ reaches the target.
    let t = upper;
    while (t > lower && lambdas[t] < target) t -= 1;
    if (t < upper && target - lambdas[t + 1] <= lambdas[t] - target) t += 1;
    timesteps.push(Math.min(upper, Math.max(lower, t)));
  }
  return timesteps;
}
