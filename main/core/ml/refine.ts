/**
 * Diffusion-refined inversion (the method's §3.3) and its oscillation baseline, in the stage-1
 * latent space. For seismic s [sources, time, receivers]:
 *   z₀ = encoder(s) (continuous), x = latentScale · z₀ in the denoiser's space;
 *   x_{K−1} = √ᾱ_{K−1} x + √(1 − ᾱ_{K−1}) ε  (noised to the start of the last K denoising steps);
 *   for t = K−1 … 0: ε̂ = ε_θ(x_t, t), μ = (x_t − β_t/√(1 − ᾱ_t) · ε̂)/√(1 − β_t) (the DDPM mean),
 *     M candidates x⁽ᵐ⁾ = μ + √β_t · z⁽ᵐ⁾ (DDPM's σ_t² = β_t, which is > 0 at every step, t = 0 included),
 *     each decoded (÷ latentScale → quantiser → seismic decoder), and the one whose seismic is
 *     closest to s in L2 is kept as x_{t−1}.
 * The velocity is decoded from the last kept latent; the K kept latents (one per step) are the
 * refined ensemble. The oscillation baseline draws M latents z₀ ⊙ (1 + δ·u), u ~ U(−1, 1) per
 * element (δ = 0.05: within 5 %), and keeps the one whose decoded seismic is closest to s.
 */
import type { Stage1Network, Stage2Network } from './networks.ts';
import { Random, mixSeed } from '../util/random.ts';
import { throwIfCancelled } from '../util/abort.ts';
import type { WorkOptions } from '../util/progress.ts';

export interface RefineSettings {
  /** K: the last denoising steps run from the encoded latent. */
  steps: number;
  /** M: candidate latents per step. */
  candidates: number;
  /** Sample b draws its noise from Random(mixSeed(seed, b, stream)). */
  seed: number;
}

export interface RefinedInversion {
  /** [1, depth, width] m/s, decoded from the last kept latent. */
  velocityMps: Float32Array;
  /** [K, 1, depth, width] m/s: the velocity of the latent kept at each step (the refined ensemble). */
  ensembleMps: Float32Array;
  /** L2 misfit ‖decoded seismic − s‖₂ of the latent kept at each step. */
  misfits: number[];
}

/** Candidates decoded per ONNX run (bounds memory: one decoded seismic is 350,000 values). */
const CANDIDATE_BATCH = 20;
const REFINE_STREAM = 0x2ef1_0003;
const OSCILLATION_STREAM = 0x05c1_0005;

function l2Distance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return Math.sqrt(sum);
}

/**
 * Of `count` encoder-space latents [count, C, H, W], the index whose decoded seismic is closest
 * to `seismic` (L2), and that distance.
 */
export async function closestBySeismic(stage1: Stage1Network, latents: Float32Array, count: number, seismic: Float32Array, signal?: AbortSignal): Promise<{ index: number; misfit: number }> {
  const latentSize = latents.length / count;
  const perSample = seismic.length;
  let best = { index: 0, misfit: Infinity };
  for (let start = 0; start < count; start += CANDIDATE_BATCH) {
    throwIfCancelled(signal);
    const batch = Math.min(CANDIDATE_BATCH, count - start);
    const quantized = await stage1.quantize(latents.slice(start * latentSize, (start + batch) * latentSize), batch);
    const decoded = await stage1.decodeSeismic(quantized, batch);
    for (let b = 0; b < batch; b += 1) {
      const misfit = l2Distance(decoded.subarray(b * perSample, (b + 1) * perSample), seismic);
      if (misfit < best.misfit) best = { index: start + b, misfit };
    }
  }
  return best;
}

async function velocityOf(stage1: Stage1Network, latent: Float32Array): Promise<Float32Array> {
  return stage1.decodeVelocity(await stage1.quantize(latent, 1), 1);
}

/** Refines the inversion of one seismic sample [sources, time, receivers]; `sampleIndex` picks its noise stream. */
export async function refineInversion(
  stage1: Stage1Network,
  stage2: Stage2Network,
  seismic: Float32Array,
  sampleIndex: number,
  settings: RefineSettings,
  options: WorkOptions & { encoded?: Float32Array } = {},
): Promise<RefinedInversion> {
  const { steps: K, candidates: M } = settings;
  const schedule = stage2.schedule;
  if (K > schedule.numTrainTimesteps) throw new RangeError(`refineInversion: ${K} steps exceed the schedule's ${schedule.numTrainTimesteps}.`);
  const scale = stage2.latentScale;
  const z0 = options.encoded ?? (await stage1.encode(seismic, 1));
  const size = z0.length;
  const rng = new Random(mixSeed(settings.seed, sampleIndex, REFINE_STREAM));
  const epsilon = stage2.epsilonModel({ signal: options.signal });

  const start = K - 1;
  const alphaBarStart = schedule.alphasCumprod[start];
  let x = new Float64Array(size);
  for (let i = 0; i < size; i += 1) x[i] = Math.sqrt(alphaBarStart) * scale * z0[i] + Math.sqrt(1 - alphaBarStart) * rng.normal();

  const kept: Float32Array[] = [];
  const misfits: number[] = [];
  for (let t = start; t >= 0; t -= 1) {
    throwIfCancelled(options.signal);
    const beta = schedule.betas[t];
    const alphaBar = schedule.alphasCumprod[t];
    const eps = await epsilon(Float32Array.from(x), [t]);
    const mean = new Float64Array(size);
    for (let i = 0; i < size; i += 1) mean[i] = (x[i] - (beta / Math.sqrt(1 - alphaBar)) * eps[i]) / Math.sqrt(1 - beta);
    const sigma = Math.sqrt(beta);
    // Candidates in the encoder's space (÷ latentScale), as the decoders take them.
    const candidates = new Float32Array(M * size);
    const drawn = new Float64Array(M * size);
    for (let m = 0; m < M; m += 1) {
      for (let i = 0; i < size; i += 1) {
        drawn[m * size + i] = mean[i] + sigma * rng.normal();
        candidates[m * size + i] = drawn[m * size + i] / scale;
      }
    }
    const best = await closestBySeismic(stage1, candidates, M, seismic, options.signal);
    x = drawn.slice(best.index * size, (best.index + 1) * size);
    kept.push(candidates.slice(best.index * size, (best.index + 1) * size));
    misfits.push(best.misfit);
    options.onProgress?.({ done: K - t, total: K, unit: 'steps' });
  }

  const velocities = await Promise.all(kept.map((latent) => velocityOf(stage1, latent)));
  const plane = velocities[0].length;
  const ensembleMps = new Float32Array(K * plane);
  velocities.forEach((v, k) => ensembleMps.set(v, k * plane));
  return { velocityMps: velocities[K - 1], ensembleMps, misfits };
}

/** The oscillation baseline for one sample: M latents within ±δ (relative) of the encoded one, best by seismic L2. */
export async function oscillationInversion(
  stage1: Stage1Network,
  seismic: Float32Array,
  sampleIndex: number,
  settings: { candidates: number; relativeWidth: number; seed: number },
  options: WorkOptions & { encoded?: Float32Array } = {},
): Promise<{ velocityMps: Float32Array; misfit: number }> {
  const z0 = options.encoded ?? (await stage1.encode(seismic, 1));
  const size = z0.length;
  const rng = new Random(mixSeed(settings.seed, sampleIndex, OSCILLATION_STREAM));
  const candidates = new Float32Array(settings.candidates * size);
  for (let m = 0; m < settings.candidates; m += 1) {
    for (let i = 0; i < size; i += 1) candidates[m * size + i] = z0[i] * (1 + settings.relativeWidth * rng.uniformIn(-1, 1));
  }
  const best = await closestBySeismic(stage1, candidates, settings.candidates, seismic, options.signal);
  return { velocityMps: await velocityOf(stage1, candidates.slice(best.index * size, (best.index + 1) * size)), misfit: best.misfit };
}
