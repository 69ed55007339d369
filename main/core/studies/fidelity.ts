/**
 * Distribution fidelity of a generated set against a real one (the paper's Table 1 and Fig. 6), for
 * velocity and for seismic separately:
 *
 * 1. Fréchet distance (frechet.ts) with its bootstrap spread, in these feature spaces:
 *    - seismic: stage 1's continuous latent (the encoder's output before the quantiser) of each
 *      sample, [C, H, W] average-pooled to [C, H/4, W/4] (8 × 4 × 4 = 128 values for the default
 *      model). It is the representation the studio's own model learned of this kind of seismic, it
 *      exists for every stage-1 model a user trains, and it needs no download (ImageNet Inception
 *      features mean nothing for shot gathers). Pooling keeps the dimension well below the set sizes
 *      a laptop can afford, so the covariances are estimable.
 *    - velocity: the model normalised to [−1, 1] over OpenFWI's 1500–4500 m/s and area-averaged to
 *      10 × 10 cells (100 values). No shipped network encodes velocity (stage 1's encoder reads
 *      seismic; InversionNet's penultimate features are not an output of its ONNX graph), so the
 *      features are the maps themselves at a 70 m (7-cell) resolution: layer depths, velocities and
 *      large structures, without pixel noise.
 * 2. A 2-D UMAP embedding (umap-js) of the real and generated features together, one per domain.
 * 3. Isotropic power spectra (powerSpectrum.ts) of velocity models and of shot gathers, and the RMSE
 *    of the relative spectrum P_generated/P_real − 1 in low, mid and high log-spaced bands.
 */
import { UMAP } from 'umap-js';
import { StudioError } from '../contract/errors.ts';
import { OPENFWI_VELOCITY_RANGE_MPS } from '../contract/velocityRange.ts';
import type { Stage1Network } from '../ml/networks.ts';
import { resizeArea } from '../ml/preprocess.ts';
import { throwIfCancelled } from '../util/abort.ts';
import { Random, mixSeed } from '../util/random.ts';
import { frechetWithBootstrap, type FrechetWithSpread } from './frechet.ts';
import { compareSpectra, isotropicPowerSpectrum, mergeSpectra, type BandComparison, type IsotropicSpectrum } from './powerSpectrum.ts';
import { concatenated } from '../util/typedArrays.ts';

/** Latent pooling factor per spatial axis, and the velocity feature grid. */
export const LATENT_POOL = 4;
export const VELOCITY_FEATURE_GRID = 10;
const ENCODE_BATCH = 8;
const EMBEDDING_STREAM = 0xf1de_0001;
const BOOTSTRAP_STREAM = 0xf1de_0002;

/** A set of pairs: seismic [count, sources, time, receivers] (physical units), velocity [count, 1, depth, width] m/s. */
export interface PairSet {
  count: number;
  seismic: Float32Array;
  velocityMps: Float32Array;
}

export interface FidelityDomainResult {
  /** What the features are, for the report. */
  features: string;
  dimension: number;
  frechet: FrechetWithSpread;
  /** 2-D embedding [x, y] of each real and each generated sample. */
  embedding: { real: [number, number][]; generated: [number, number][] };
  spectrum: { frequency: number[]; real: number[]; generated: number[]; relative: number[]; bands: BandComparison[] };
}

export interface FidelityResult {
  real: number;
  generated: number;
  velocity: FidelityDomainResult;
  seismic: FidelityDomainResult;
}

/** Velocity features: (v − 1500)/(4500 − 1500)·2 − 1, area-averaged to [grid, grid], one row per model. */
export function velocityFeatures(velocityMps: Float32Array, count: number, depth: number, width: number, grid = VELOCITY_FEATURE_GRID): Float64Array {
  const { min, max } = OPENFWI_VELOCITY_RANGE_MPS;
  const normalised = Float32Array.from(velocityMps, (v) => (2 * (v - min)) / (max - min) - 1);
  return Float64Array.from(resizeArea(normalised, count, depth, width, grid, grid));
}

/** Average-pools latents [count, C, H, W] by `pool` on both spatial axes: rows [count, C·(H/pool)·(W/pool)]. */
export function pooledLatentFeatures(latents: Float32Array, count: number, latentShape: number[], pool = LATENT_POOL): Float64Array {
  const [channels, height, width] = latentShape;
  if (height % pool !== 0 || width % pool !== 0) throw new StudioError('bad_input', `A latent of ${height} × ${width} cannot be pooled by ${pool}.`);
  const ph = height / pool;
  const pw = width / pool;
  const out = new Float64Array(count * channels * ph * pw);
  for (let b = 0; b < count; b++) {
    for (let c = 0; c < channels; c++) {
      const plane = (b * channels + c) * height * width;
      for (let y = 0; y < ph; y++) {
        for (let x = 0; x < pw; x++) {
          let sum = 0;
          for (let dy = 0; dy < pool; dy++) for (let dx = 0; dx < pool; dx++) sum += latents[plane + (y * pool + dy) * width + x * pool + dx];
          out[((b * channels + c) * ph + y) * pw + x] = sum / (pool * pool);
        }
      }
    }
  }
  return out;
}

async function seismicFeatures(stage1: Stage1Network, set: PairSet, signal?: AbortSignal): Promise<Float64Array> {
  const perSample = stage1.seismicShape.reduce((a, b) => a * b, 1);
  const pooled: Float64Array[] = [];
  for (let start = 0; start < set.count; start += ENCODE_BATCH) {
    throwIfCancelled(signal);
    const count = Math.min(ENCODE_BATCH, set.count - start);
    const latent = await stage1.encode(set.seismic.subarray(start * perSample, (start + count) * perSample), count);
    pooled.push(pooledLatentFeatures(latent, count, stage1.latentShape));
  }
  return concatenated(pooled, Float64Array);
}

/** UMAP of the rows of `real` and `generated` together (seeded); neighbours fewer than the samples. */
export function embed2d(real: Float64Array, realCount: number, generated: Float64Array, generatedCount: number, dimension: number, seed: number): { real: [number, number][]; generated: [number, number][] } {
  const rows: number[][] = [];
  for (let i = 0; i < realCount; i++) rows.push(Array.from(real.subarray(i * dimension, (i + 1) * dimension)));
  for (let i = 0; i < generatedCount; i++) rows.push(Array.from(generated.subarray(i * dimension, (i + 1) * dimension)));
  const random = new Random(mixSeed(seed, EMBEDDING_STREAM));
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.max(2, Math.min(15, rows.length - 1)), minDist: 0.1, random: () => random.uniform() });
  const points = umap.fit(rows).map((p) => [p[0], p[1]] as [number, number]);
  return { real: points.slice(0, realCount), generated: points.slice(realCount) };
}

function spectraOf(fields: Float32Array, count: number, height: number, width: number): IsotropicSpectrum {
  let merged: IsotropicSpectrum | null = null;
  const size = height * width;
  for (let start = 0; start < count; start += 16) {
    const n = Math.min(16, count - start);
    merged = mergeSpectra(merged, isotropicPowerSpectrum(fields.subarray(start * size, (start + n) * size), n, height, width));
  }
  if (!merged) throw new StudioError('bad_input', 'A power spectrum needs at least one field.');
  return merged;
}

function domainResult(
  features: string,
  realFeatures: Float64Array,
  generatedFeatures: Float64Array,
  counts: { real: number; generated: number },
  dimension: number,
  spectra: { real: IsotropicSpectrum; generated: IsotropicSpectrum },
  options: { bootstrap: number; seed: number },
): FidelityDomainResult {
  const { relative, bands } = compareSpectra(spectra.real, spectra.generated);
  return {
    features,
    dimension,
    frechet: frechetWithBootstrap(realFeatures, counts.real, generatedFeatures, counts.generated, dimension, options.bootstrap, mixSeed(options.seed, BOOTSTRAP_STREAM)),
    embedding: embed2d(realFeatures, counts.real, generatedFeatures, counts.generated, dimension, options.seed),
    spectrum: { frequency: spectra.real.frequency, real: spectra.real.power, generated: spectra.generated.power, relative, bands },
  };
}

/** The fidelity measures of `generated` against `real` (both at the stage-1 model's native shapes). */
export async function measureFidelity(
  stage1: Stage1Network,
  real: PairSet,
  generated: PairSet,
  options: { bootstrap: number; seed: number; signal?: AbortSignal; onProgress?: (message: string) => void },
): Promise<FidelityResult> {
  if (real.count < 2 || generated.count < 2) throw new StudioError('bad_input', `Fidelity needs at least 2 real and 2 generated pairs; got ${real.count} and ${generated.count}.`);
  const [, depth, width] = stage1.velocityShape;
  const [sources, time, receivers] = stage1.seismicShape;
  const counts = { real: real.count, generated: generated.count };
  for (const [name, set] of [['real', real], ['generated', generated]] as const) {
    if (set.velocityMps.length !== set.count * depth * width || set.seismic.length !== set.count * sources * time * receivers) {
      throw new StudioError(
        'bad_input',
        `The ${name} set's pairs are not velocity [${set.count}, 1, ${depth}, ${width}] and seismic [${set.count}, ${sources}, ${time}, ${receivers}] as the stage-1 model ${stage1.entry.ref} makes them; choose a dataset of that shape.`,
      );
    }
  }

  options.onProgress?.('velocity features and spectra');
  const velocity = domainResult(
    `velocity normalised to [−1, 1] over ${OPENFWI_VELOCITY_RANGE_MPS.min}–${OPENFWI_VELOCITY_RANGE_MPS.max} m/s, area-averaged to ${VELOCITY_FEATURE_GRID} × ${VELOCITY_FEATURE_GRID}`,
    velocityFeatures(real.velocityMps, real.count, depth, width),
    velocityFeatures(generated.velocityMps, generated.count, depth, width),
    counts,
    VELOCITY_FEATURE_GRID * VELOCITY_FEATURE_GRID,
    { real: spectraOf(real.velocityMps, real.count, depth, width), generated: spectraOf(generated.velocityMps, generated.count, depth, width) },
    options,
  );
  throwIfCancelled(options.signal);

  options.onProgress?.('seismic features (stage-1 encoder) and spectra');
  const [channels, height, widthLatent] = stage1.latentShape;
  const seismicDimension = channels * (height / LATENT_POOL) * (widthLatent / LATENT_POOL);
  const seismic = domainResult(
    `stage-1 continuous latent [${stage1.latentShape.join(', ')}] of ${stage1.entry.ref}, average-pooled ${LATENT_POOL} × ${LATENT_POOL}`,
    await seismicFeatures(stage1, real, options.signal),
    await seismicFeatures(stage1, generated, options.signal),
    counts,
    seismicDimension,
    {
      real: spectraOf(real.seismic, real.count * sources, time, receivers),
      generated: spectraOf(generated.seismic, generated.count * sources, time, receivers),
    },
    options,
  );
  return { real: real.count, generated: generated.count, velocity, seismic };
}
