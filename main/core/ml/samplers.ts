/**
 * Samplers over an ε-prediction denoiser: the loop around the network, in TypeScript.
 *
 * Notation (schedule.ts): at timestep index t, ᾱ = ᾱ_t, α = √ᾱ (signal scale), σ = √(1 − ᾱ) (noise
 * scale), λ = ln(α/σ). The model predicts ε̂ = ε_θ(x_t, t); the data prediction is
 * x̂₀ = (x_t − σ ε̂)/α. "Clean" is the level after index 0: ᾱ = 1, σ = 0.
 *
 * - 'ddpm'  ancestral sampling over the full chain t = T−1 … 0 (Ho et al. 2020):
 *     x_{t−1} = (x_t − β_t/σ_t · ε̂)/√α_t + s_t z,  z ~ N(0, I),
 *     s_t² = β̃_t = β_t (1 − ᾱ_{t−1})/(1 − ᾱ_t) ('posterior', default) or β_t ('beta'); no noise at t = 0.
 * - 'ddim'  over a grid t_0 > t_1 > … > t_{n−1}, then clean (Song et al. 2021):
 *     x' = α' x̂₀ + √(1 − ᾱ' − s²) ε̂ + s z,  s = η √((1 − ᾱ')/(1 − ᾱ)) √(1 − ᾱ/ᾱ').
 *   η = 0 is the first-order solver of the probability-flow ODE; η = 1 on the full grid is DDPM.
 * - 'ab'    exponential Adams–Bashforth multistep of the probability-flow ODE in data-prediction
 *   form (the DPM-Solver++ multistep family; order 3 by default). Exactly,
 *     x(λ') = (σ'/σ) x(λ) + σ' ∫_λ^λ' e^μ x̂₀(μ) dμ.
 *   Step i → i+1 (h = λ_{i+1} − λ_i) replaces x̂₀(μ) by the polynomial P through the last k data
 *   predictions (λ_{i−j}, D_{i−j}), j = 0 … k−1, and integrates e^μ P(μ) exactly:
 *     x_{i+1} = (σ_{i+1}/σ_i) x_i + α_{i+1} Σ_j w_j D_{i−j},
 *     w_j = ∫_0^h e^{u−h} ℓ_j(u) du,  ℓ_j the Lagrange basis on the nodes u_j = λ_{i−j} − λ_i.
 *   k = min(order, i + 1): the first step is first order (= DDIM η = 0), the second second order;
 *   from the third on, third order — except that a step more than MAX_MULTISTEP_RATIO (2) times
 *   longer in λ than the previous one is taken at first order (variable-step stability). The last evaluation is at the grid's final index and the step to
 *   clean is x = D_{n−1} (first order: a polynomial in λ cannot be extrapolated to λ = ∞), as in DDIM.
 *
 * The grid for 'ddim' and 'ab' runs T−1 … 0 (both included): evenly spaced in t ('time', DDIM's
 * default, as in native-models' preview sampler) or in λ ('logsnr', the default of 'ab': evenly
 * spaced in t, the method's schedule puts a last step λ 1.1 → 3.25 that is 4–5 times longer than the
 * others, which costs every few-step solver accuracy), unless `timesteps` is given. One model evaluation per grid point; 'ddpm' evaluates all T.
 *
 * Reproducibility: sample b draws its initial noise x_T and then each step's noise, in order, from its
 * own generator `new Random(mixSeed(seeds[b], NOISE_STREAM))`; every update is element-wise in
 * float64. The same seed, model and settings therefore give bit-identical samples, and the batch a
 * sample is run in does not change it (provided the model's output for a sample does not depend on
 * the other samples in its batch).
 */
import { throwIfCancelled } from '../util/abort.ts';
import { StudioError } from '../contract/errors.ts';
import type { WorkOptions } from '../util/progress.ts';
import { Random, mixSeed } from '../util/random.ts';
import { evenlySpacedTimesteps, logSnrSpacedTimesteps, noiseLevel, type NoiseSchedule } from './schedule.ts';

/**
 * The denoiser: x_t [B, ...sampleShape] float32 and one timestep index per batch item → ε̂ with the
 * same layout. It receives its own copy of x_t each call and may transfer or keep it.
 */
export type EpsilonModel = (xT: Float32Array, timesteps: number[]) => Promise<Float32Array>;

export type SamplerSpec =
  | { kind: 'ddpm'; variance?: 'posterior' | 'beta' }
  | { kind: 'ddim'; steps: number; eta?: number; spacing?: GridSpacing }
  | { kind: 'ab'; steps: number; order?: 1 | 2 | 3; spacing?: GridSpacing };

/** How a few-step grid is spread over T−1 … 0: evenly in the index t, or evenly in λ (log-SNR). */
export type GridSpacing = 'time' | 'logsnr';

/** Default grid spacing of each few-step sampler. */
export const DEFAULT_SPACING: Readonly<Record<'ddim' | 'ab', GridSpacing>> = Object.freeze({ ddim: 'time', ab: 'logsnr' });

/** A point of the trajectory probe: the state when the model was evaluated at grid step `step`. */
export interface TrajectoryPoint {
  /** Index into the grid, 0 … steps−1. */
  step: number;
  steps: number;
  /** Timestep index t the model saw. */
  t: number;
  /** x_t [B, ...sampleShape] (a copy the listener may keep). */
  xT: Float32Array;
  /** x̂₀ = (x_t − σ_t ε̂)/α_t [B, ...sampleShape] (a copy). */
  x0Pred: Float32Array;
}

export interface TrajectoryProbe {
  /** Grid steps (0-based) at which to report, or 'all'. */
  steps: readonly number[] | 'all';
  onPoint: (point: TrajectoryPoint) => void | Promise<void>;
}

export interface SampleRequest {
  schedule: NoiseSchedule;
  model: EpsilonModel;
  sampler: SamplerSpec;
  /** Shape of one sample without the batch axis, e.g. a latent [C, H, W]. */
  sampleShape: readonly number[];
  /** One seed per sample (safe integers); the batch size is seeds.length. */
  seeds: readonly number[];
  /** Descending timestep indices in 0 … T−1 for 'ddim' and 'ab' instead of the evenly spaced grid. */
  timesteps?: readonly number[];
  trajectory?: TrajectoryProbe;
}

export interface SampleResult {
  /** x₀ [B, ...sampleShape], float32. */
  samples: Float32Array;
  shape: number[];
  /** The grid of timestep indices the model was evaluated at, in order. */
  timesteps: number[];
  modelEvaluations: number;
  /** What to record with each generated sample. */
  sampler: SamplerRecord;
}

/** A plain-JSON description of a sampler run, for the catalogue and the UI. */
export interface SamplerRecord {
  kind: SamplerSpec['kind'];
  label: string;
  steps: number;
  eta?: number;
  order?: number;
  variance?: 'posterior' | 'beta';
  noiseStream: number;
}

/** Stream key mixed with each sample's seed, so sampler noise differs from other uses of that seed. */
export const NOISE_STREAM = 0x5eed_d1ff;

export function samplerLabel(spec: SamplerSpec): string {
  switch (spec.kind) {
    case 'ddpm':
      return `DDPM ancestral (${spec.variance ?? 'posterior'} variance, full chain)`;
    case 'ddim':
      return `DDIM η=${spec.eta ?? 0}, ${spec.steps} steps`;
    case 'ab':
      return `Adams–Bashforth order ${spec.order ?? 3} (data prediction), ${spec.steps} steps`;
  }
}

/** Runs one sampler for a batch of seeds; progress counts model evaluations ('steps'). */
export async function sampleDiffusion(request: SampleRequest, options: WorkOptions = {}): Promise<SampleResult> {
  const { schedule, sampler } = request;
  const sampleSize = checkShape(request.sampleShape);
  const seeds = checkSeeds(request.seeds);
  const batch = seeds.length;
  const grid = samplingGrid(schedule, sampler, request.timesteps);
  const probeSteps = request.trajectory ? probeSet(request.trajectory.steps, grid.length) : new Set<number>();

  const rngs = seeds.map((seed) => new Random(mixSeed(seed, NOISE_STREAM)));
  const elements = batch * sampleSize;
  const x = new Float64Array(elements);
  drawNormals(rngs, sampleSize, x, 1);

  const context: StepContext = {
    request,
    options,
    grid,
    probeSteps,
    batch,
    sampleSize,
    evaluations: 0,
  };
  let samples: Float64Array;
  switch (sampler.kind) {
    case 'ddpm':
      samples = await runDdpm(context, x, rngs, sampler.variance ?? 'posterior');
      break;
    case 'ddim': {
      const eta = sampler.eta ?? 0;
      samples = await runDdim(context, x, rngs, eta);
      break;
    }
    case 'ab':
      samples = await runAdamsBashforth(context, x, sampler.order ?? 3);
      break;
  }
  return {
    samples: Float32Array.from(samples),
    shape: [batch, ...request.sampleShape],
    timesteps: grid,
    modelEvaluations: context.evaluations,
    sampler: samplerRecord(sampler, grid.length),
  };
}

function samplerRecord(spec: SamplerSpec, steps: number): SamplerRecord {
  const record: SamplerRecord = { kind: spec.kind, label: samplerLabel(spec), steps, noiseStream: NOISE_STREAM };
  if (spec.kind === 'ddpm') record.variance = spec.variance ?? 'posterior';
  if (spec.kind === 'ddim') record.eta = spec.eta ?? 0;
  if (spec.kind === 'ab') record.order = spec.order ?? 3;
  return record;
}

interface StepContext {
  request: SampleRequest;
  options: WorkOptions;
  grid: number[];
  probeSteps: Set<number>;
  batch: number;
  sampleSize: number;
  evaluations: number;
}

/** Evaluates the model at grid step `step` and returns ε̂ and x̂₀ (float64); reports the probe point. */
async function evaluate(context: StepContext, step: number, x: Float64Array): Promise<{ eps: Float64Array; x0: Float64Array }> {
  const { request, options, grid, batch } = context;
  throwIfCancelled(options.signal);
  const t = grid[step];
  const input = Float32Array.from(x);
  const output = await request.model(input, new Array<number>(batch).fill(t));
  context.evaluations += 1;
  if (!(output instanceof Float32Array) || output.length !== x.length) {
    throw new StudioError(
      'internal',
      `The denoiser returned ${describeOutput(output)} at step ${step} (t = ${t}); expected ${x.length} float32 values ` +
        `(batch ${batch} × ${request.sampleShape.join('×')}).`,
    );
  }
  const { alpha, sigma } = noiseLevel(request.schedule.alphasCumprod[t]);
  const eps = new Float64Array(x.length);
  const x0 = new Float64Array(x.length);
  for (let i = 0; i < x.length; i += 1) {
    const e = output[i];
    if (!Number.isFinite(e)) {
      throw new StudioError(
        'internal',
        `The denoiser returned ${e} at element ${i} of step ${step} (t = ${t}); the model or its input has diverged.`,
      );
    }
    eps[i] = e;
    x0[i] = (x[i] - sigma * e) / alpha;
  }
  if (context.probeSteps.has(step)) {
    await request.trajectory!.onPoint({ step, steps: grid.length, t, xT: Float32Array.from(x), x0Pred: Float32Array.from(x0) });
  }
  options.onProgress?.({ done: step + 1, total: grid.length, unit: 'steps' });
  return { eps, x0 };
}

async function runDdpm(context: StepContext, x: Float64Array, rngs: Random[], variance: 'posterior' | 'beta'): Promise<Float64Array> {
  const { schedule } = context.request;
  const noise = new Float64Array(x.length);
  for (let step = 0; step < context.grid.length; step += 1) {
    const t = context.grid[step];
    const { eps } = await evaluate(context, step, x);
    const beta = schedule.betas[t];
    const alphaBar = schedule.alphasCumprod[t];
    const alphaBarPrev = t > 0 ? schedule.alphasCumprod[t - 1] : 1;
    // x_{t−1} = (x_t − β_t/σ_t · ε̂)/√α_t + s_t z
    const meanScale = 1 / Math.sqrt(schedule.alphas[t]);
    const epsScale = beta / Math.sqrt(1 - alphaBar);
    const noiseStd = t === 0 ? 0 : Math.sqrt(variance === 'beta' ? beta : (beta * (1 - alphaBarPrev)) / (1 - alphaBar));
    if (noiseStd > 0) drawNormals(rngs, context.sampleSize, noise, noiseStd);
    for (let i = 0; i < x.length; i += 1) {
      x[i] = meanScale * (x[i] - epsScale * eps[i]) + (noiseStd > 0 ? noise[i] : 0);
    }
  }
  return x;
}

async function runDdim(context: StepContext, x: Float64Array, rngs: Random[], eta: number): Promise<Float64Array> {
  const { schedule } = context.request;
  const { grid } = context;
  const noise = new Float64Array(x.length);
  for (let step = 0; step < grid.length; step += 1) {
    const { eps, x0 } = await evaluate(context, step, x);
    const alphaBar = schedule.alphasCumprod[grid[step]];
    const alphaBarNext = step + 1 < grid.length ? schedule.alphasCumprod[grid[step + 1]] : 1;
    // s = η √((1 − ᾱ')/(1 − ᾱ)) √(1 − ᾱ/ᾱ');  x' = α' x̂₀ + √(1 − ᾱ' − s²) ε̂ + s z
    const noiseStd = eta * Math.sqrt((1 - alphaBarNext) / (1 - alphaBar)) * Math.sqrt(1 - alphaBar / alphaBarNext);
    const x0Scale = Math.sqrt(alphaBarNext);
    const epsScale = Math.sqrt(Math.max(0, 1 - alphaBarNext - noiseStd * noiseStd));
    if (noiseStd > 0) drawNormals(rngs, context.sampleSize, noise, noiseStd);
    for (let i = 0; i < x.length; i += 1) {
      x[i] = x0Scale * x0[i] + epsScale * eps[i] + (noiseStd > 0 ? noise[i] : 0);
    }
  }
  return x;
}

async function runAdamsBashforth(context: StepContext, x: Float64Array, order: number): Promise<Float64Array> {
  const { schedule } = context.request;
  const { grid } = context;
  const levels = grid.map((t) => noiseLevel(schedule.alphasCumprod[t]));
  /** Data predictions D_i, newest first, with their λ. */
  const history: { lambda: number; x0: Float64Array }[] = [];
  let last: Float64Array = x;
  for (let step = 0; step < grid.length; step += 1) {
    const { x0 } = await evaluate(context, step, x);
    history.unshift({ lambda: levels[step].lambda, x0 });
    if (history.length > order) history.pop();
    if (step + 1 === grid.length) {
      last = x0; // the step to clean: x = D_{n−1}
      break;
    }
    const here = levels[step];
    const next = levels[step + 1];
    const h = next.lambda - here.lambda;
    if (!(h > 0)) {
      throw new StudioError('bad_input', `Sampler grid: λ does not increase from t = ${grid[step]} to t = ${grid[step + 1]}.`);
    }
    const previousH = step > 0 ? here.lambda - levels[step - 1].lambda : h;
    const nodes = history.slice(0, stepOrder(history.length, h / previousH)).map((entry) => entry.lambda - here.lambda);
    const weights = exponentialAdamsWeights(nodes, h);
    const xScale = next.sigma / here.sigma;
    for (let i = 0; i < x.length; i += 1) {
      let integral = 0;
      for (let j = 0; j < weights.length; j += 1) integral += weights[j] * history[j].x0[i];
      x[i] = xScale * x[i] + next.alpha * integral;
    }
  }
  return last;
}

/**
 * Variable-step Adams–Bashforth loses stability when a step is much longer than the one before (the
 * polynomial is extrapolated far beyond its nodes): such a step is taken at first order.
 */
export const MAX_MULTISTEP_RATIO = 2;

function stepOrder(available: number, ratio: number): number {
  return ratio > MAX_MULTISTEP_RATIO ? 1 : available;
}

/**
 * w_j = ∫_0^h e^{u−h} ℓ_j(u) du for the Lagrange basis ℓ_j on `nodes` (u_0 = 0 and the older,
 * negative offsets in λ). Exact for any polynomial of degree < nodes.length.
 */
export function exponentialAdamsWeights(nodes: readonly number[], h: number): number[] {
  const k = nodes.length;
  const moments = exponentialMoments(h, k - 1);
  const weights: number[] = [];
  for (let j = 0; j < k; j += 1) {
    // ℓ_j(u) = ∏_{m≠j} (u − u_m)/(u_j − u_m), expanded into monomial coefficients c_0 … c_{k−1}.
    let coefficients = [1];
    let denominator = 1;
    for (let m = 0; m < k; m += 1) {
      if (m === j) continue;
      const product = new Array<number>(coefficients.length + 1).fill(0);
      for (let p = 0; p < coefficients.length; p += 1) {
        product[p + 1] += coefficients[p];
        product[p] -= nodes[m] * coefficients[p];
      }
      coefficients = product;
      denominator *= nodes[j] - nodes[m];
    }
    let weight = 0;
    for (let p = 0; p < coefficients.length; p += 1) weight += coefficients[p] * moments[p];
    weights.push(weight / denominator);
  }
  return weights;
}

/**
 * I_m = ∫_0^h e^{u−h} u^m du for m = 0 … maxPower. For h < 1 by the positive series
 * e^{−h} Σ_k h^{m+k+1}/(k!(m+k+1)) (no cancellation); otherwise by the closed forms
 * I_0 = 1 − e^{−h}, I_1 = h − 1 + e^{−h}, I_m = h^m − m I_{m−1}.
 */
export function exponentialMoments(h: number, maxPower: number): number[] {
  const moments: number[] = [];
  if (h < 1) {
    const decay = Math.exp(-h);
    for (let m = 0; m <= maxPower; m += 1) {
      let term = h ** (m + 1); // h^{m+k+1}/k! for k = 0
      let sum = 0;
      for (let k = 0; k < 60; k += 1) {
        const contribution = term / (m + k + 1);
        sum += contribution;
        if (contribution < 1e-18 * sum) break;
        term *= h / (k + 1);
      }
      moments.push(decay * sum);
    }
    return moments;
  }
  moments.push(-Math.expm1(-h));
  for (let m = 1; m <= maxPower; m += 1) moments.push(h ** m - m * moments[m - 1]);
  return moments;
}

/** The timestep grid a sampler evaluates the model at (validated). */
export function samplingGrid(schedule: NoiseSchedule, sampler: SamplerSpec, timesteps?: readonly number[]): number[] {
  const T = schedule.numTrainTimesteps;
  if (sampler.kind === 'ddpm') {
    if (timesteps) throw new StudioError('bad_input', 'DDPM ancestral sampling runs the full chain; `timesteps` applies to DDIM and Adams–Bashforth only.');
    if (sampler.variance !== undefined && sampler.variance !== 'posterior' && sampler.variance !== 'beta') {
      throw new StudioError('bad_input', `DDPM variance '${String(sampler.variance)}' must be 'posterior' or 'beta'.`);
    }
    return Array.from({ length: T }, (_, i) => T - 1 - i);
  }
  if (sampler.kind === 'ddim') {
    const eta = sampler.eta ?? 0;
    if (!(eta >= 0 && eta <= 1)) throw new StudioError('bad_input', `DDIM η = ${eta} must lie in [0, 1].`);
  } else if (sampler.kind === 'ab') {
    const order = sampler.order ?? 3;
    if (order !== 1 && order !== 2 && order !== 3) throw new StudioError('bad_input', `Adams–Bashforth order = ${order} must be 1, 2 or 3.`);
  } else {
    throw new StudioError('bad_input', `Unknown sampler kind '${String((sampler as { kind: unknown }).kind)}': use 'ddpm', 'ddim' or 'ab'.`);
  }
  const spacing = sampler.spacing ?? DEFAULT_SPACING[sampler.kind];
  if (spacing !== 'time' && spacing !== 'logsnr') {
    throw new StudioError('bad_input', `Sampler spacing '${String(spacing)}' must be 'time' or 'logsnr'.`);
  }
  if (!timesteps) return spacing === 'time' ? evenlySpacedTimesteps(T, sampler.steps) : logSnrSpacedTimesteps(schedule, sampler.steps);
  if (timesteps.length === 0) throw new StudioError('bad_input', 'Sampler timesteps: the list is empty.');
  for (let i = 0; i < timesteps.length; i += 1) {
    const t = timesteps[i];
    if (!Number.isInteger(t) || t < 0 || t >= T) {
      throw new StudioError('bad_input', `Sampler timesteps[${i}] = ${t} is not a whole number in 0 … ${T - 1}.`);
    }
    if (i > 0 && t >= timesteps[i - 1]) {
      throw new StudioError('bad_input', `Sampler timesteps must strictly decrease: timesteps[${i}] = ${t} follows ${timesteps[i - 1]}.`);
    }
  }
  return [...timesteps];
}

function probeSet(steps: readonly number[] | 'all', gridLength: number): Set<number> {
  if (steps === 'all') return new Set(Array.from({ length: gridLength }, (_, i) => i));
  for (const step of steps) {
    if (!Number.isInteger(step) || step < 0 || step >= gridLength) {
      throw new StudioError('bad_input', `Trajectory probe step ${step} is outside the sampler's steps 0 … ${gridLength - 1}.`);
    }
  }
  return new Set(steps);
}

function checkShape(shape: readonly number[]): number {
  if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new StudioError('bad_input', `Sample shape [${shape.join(', ')}] must be a non-empty list of whole numbers ≥ 1.`);
  }
  return shape.reduce((a, b) => a * b, 1);
}

function checkSeeds(seeds: readonly number[]): number[] {
  if (seeds.length === 0) throw new StudioError('bad_input', 'Sampling needs at least one seed (one per sample).');
  seeds.forEach((seed, i) => {
    if (!Number.isSafeInteger(seed)) throw new StudioError('bad_input', `Seed ${i} = ${seed} is not a whole number (a safe integer).`);
  });
  return [...seeds];
}

/** Fills `out` [B, sampleSize] with scale·N(0, 1): sample b from its own generator, in element order. */
function drawNormals(rngs: Random[], sampleSize: number, out: Float64Array, scale: number): void {
  for (let b = 0; b < rngs.length; b += 1) {
    const rng = rngs[b];
    const offset = b * sampleSize;
    for (let i = 0; i < sampleSize; i += 1) out[offset + i] = scale * rng.normal();
  }
}

function describeOutput(output: unknown): string {
  if (output instanceof Float32Array) return `${output.length} float32 values`;
  if (ArrayBuffer.isView(output)) return `a ${output.constructor.name}`;
  return typeof output;
}
