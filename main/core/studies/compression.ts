/**
 * The compression lab: how well seismic [N, sources, time, receivers] (physical units) survives
 * each way of storing it smaller, and how much smaller.
 *   latent   stage 1's continuous latent (the encoder's output, before the quantiser), float32,
 *            decoded by the seismic decoder as it is (the decoder graph takes any latent)
 *   codes    the quantiser's codebook indices, ⌈log2 K⌉ bits each for K codewords, decoded through
 *            the codebook (the quantiser graph) and the seismic decoder; the codebook itself is part
 *            of the model and not counted
 *   quantB   uniform quantisation to B bits per gather (compressionCodecs.ts)
 *   zstd, deflate   lossless (compressionCodecs.ts)
 * ratio = original bytes (float32) / stored bytes; size_pct = 100 / ratio. Scores: compressionMetrics.ts.
 */
import { StudioError } from '../contract/errors.ts';
import type { Stage1Network } from '../ml/networks.ts';
import { forEachBatch } from '../ml/batches.ts';
import type { WorkOptions } from '../util/progress.ts';
import {
  OriginalSpectrum,
  ReconstructionScorer,
  referenceBatch,
  spectrumFrequenciesHz,
  type GatherShape,
  type ReconstructionScores,
} from './compressionMetrics.ts';
import { DEFLATE_LEVEL, QUANTISATION_BITS, ZSTD_LEVEL, losslessCodecs, quantiseUniform, quantisedGatherBytes, roundTrip } from './compressionCodecs.ts';

export const COMPRESSION_METHODS = ['latent', 'codes', 'quant4', 'quant6', 'quant8', 'quant12', 'quant16', 'zstd', 'deflate'] as const;
export type CompressionMethodName = (typeof COMPRESSION_METHODS)[number];

export interface CompressionMethodResult extends ReconstructionScores {
  ratio: number;
  size_pct: number;
  /** Stored bytes for the whole array. */
  bytes: number;
}

export interface CompressionStudyResult {
  methods: Record<CompressionMethodName, CompressionMethodResult>;
  samples: number;
  /** Per-sample shape [sources, time, receivers]. */
  shape: [number, number, number];
  original_bytes: number;
  /** Average amplitude spectra |S(f)| over every trace (physical amplitude units × samples). */
  spectra: { frequency_hz: number[]; original: number[]; methods: Record<CompressionMethodName, number[]> };
  settings: {
    model: string;
    sample_interval_s: number;
    latent_shape: number[];
    codebook_size: number;
    code_bits: number;
    zstd_level: number;
    deflate_level: number;
  };
}

export interface CompressionStudyInput {
  stage1: Stage1Network;
  /** Reads seismic samples [start, start + count) as float32 [count, sources, time, receivers], physical units. */
  readSeismic: (start: number, count: number) => Float32Array;
  samples: number;
  /** Time step of the seismic, for the spectra's frequency axis (OpenFWI: 0.001 s). */
  sampleIntervalSeconds: number;
}

/** K, the stage-1 codebook's size, from its manifest. */
export function codebookSize(stage1: Stage1Network): number {
  const manifest = stage1.entry.manifest as { latent?: { codebook_size?: unknown }; architecture?: { codebook_size?: unknown } };
  const size = Number(manifest.latent?.codebook_size ?? manifest.architecture?.codebook_size);
  if (!Number.isInteger(size) || size < 2) {
    throw new StudioError('bad_file', `The stage-1 model ${stage1.entry.ref} declares no codebook size (manifest latent.codebook_size), which the compression lab needs to size its codes.`);
  }
  return size;
}

export async function runCompressionStudy(input: CompressionStudyInput, options: WorkOptions & { batchSize?: number } = {}): Promise<CompressionStudyResult> {
  const { stage1, readSeismic, samples, sampleIntervalSeconds } = input;
  if (!Number.isInteger(samples) || samples < 1) throw new StudioError('bad_input', `The compression lab needs at least one seismic sample; got ${samples}.`);
  const [sources, time, receivers] = stage1.seismicShape;
  const shape: GatherShape = { sources, time, receivers };
  const valuesPerSample = sources * time * receivers;
  const [channels, height, width] = stage1.latentShape;
  const codebook = codebookSize(stage1);
  const codeBits = Math.ceil(Math.log2(codebook));
  const storedPerSample: Record<CompressionMethodName, number> = {
    latent: channels * height * width * 4,
    codes: Math.ceil((height * width * codeBits) / 8),
    quant4: 0,
    quant6: 0,
    quant8: 0,
    quant12: 0,
    quant16: 0,
    zstd: 0,
    deflate: 0,
  };
  for (const bits of QUANTISATION_BITS) storedPerSample[`quant${bits}`] = sources * quantisedGatherBytes(shape, bits);
  const storedBytes = Object.fromEntries(COMPRESSION_METHODS.map((m) => [m, 0])) as Record<CompressionMethodName, number>;
  const scorers = Object.fromEntries(COMPRESSION_METHODS.map((m) => [m, new ReconstructionScorer(shape)])) as Record<CompressionMethodName, ReconstructionScorer>;
  const originalSpectrum = new OriginalSpectrum(shape);
  const codecs = await losslessCodecs();

  await forEachBatch(
    samples,
    async (start, count) => {
      const seismic = readSeismic(start, count);
      const reference = referenceBatch(seismic, count, shape);
      originalSpectrum.add(reference);
      const latent = await stage1.encode(seismic, count);
      scorers.latent.add(reference, await stage1.decodeSeismic(latent, count));
      scorers.codes.add(reference, await stage1.decodeSeismic(await stage1.quantize(latent, count), count));
      for (const bits of QUANTISATION_BITS) scorers[`quant${bits}`].add(reference, quantiseUniform(seismic, shape, bits));
      for (const method of ['latent', 'codes', ...QUANTISATION_BITS.map((b) => `quant${b}` as const)] as const) storedBytes[method] += count * storedPerSample[method];
      for (const codec of codecs) {
        const decoded = new Float32Array(seismic.length);
        for (let i = 0; i < count; i++) {
          const one = roundTrip(codec, seismic.subarray(i * valuesPerSample, (i + 1) * valuesPerSample));
          storedBytes[codec.name] += one.bytes;
          decoded.set(one.decoded, i * valuesPerSample);
        }
        scorers[codec.name].add(reference, decoded);
      }
    },
    { ...options, batchSize: options.batchSize ?? 4 },
  );

  const originalBytes = samples * valuesPerSample * 4;
  const methods = Object.fromEntries(
    COMPRESSION_METHODS.map((m) => {
      const ratio = originalBytes / storedBytes[m];
      return [m, { ratio, size_pct: 100 / ratio, bytes: storedBytes[m], ...scorers[m].scores() }];
    }),
  ) as Record<CompressionMethodName, CompressionMethodResult>;
  return {
    methods,
    samples,
    shape: [sources, time, receivers],
    original_bytes: originalBytes,
    spectra: {
      frequency_hz: spectrumFrequenciesHz(time, sampleIntervalSeconds),
      original: originalSpectrum.mean(),
      methods: Object.fromEntries(COMPRESSION_METHODS.map((m) => [m, scorers[m].meanAmplitudeSpectrum()])) as Record<CompressionMethodName, number[]>,
    },
    settings: {
      model: stage1.entry.ref,
      sample_interval_s: sampleIntervalSeconds,
      latent_shape: [channels, height, width],
      codebook_size: codebook,
      code_bits: codeBits,
      zstd_level: ZSTD_LEVEL,
      deflate_level: DEFLATE_LEVEL,
    },
  };
}
