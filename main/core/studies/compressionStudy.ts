/**
 * Study 5, the compression lab, as a study kind: the input (a .npy file, a project dataset or
 * held-out synthesis), runCompressionStudy (compression.ts), and its report: the table, the
 * ratio-versus-metric trade-offs and the average amplitude spectra.
 */
import type { StudyParams } from '../contract/parameters.ts';
import { Stage1Network } from '../ml/networks.ts';
import { resolveModel } from '../ml/modelRegistry.ts';
import { COMPRESSION_METHODS, runCompressionStudy, type CompressionMethodName, type CompressionStudyResult } from './compression.ts';
import { datasetInput, heldOutInput, seismicFileInput, type SeismicInput } from './studyInputs.ts';
import type { StudyContext, StudyKind, StudyOutcome, StudyPlot } from './studyKind.ts';
import type { ChartSpec } from './chart.ts';

type Params = StudyParams<'compression'>;

const HELD_OUT_DEFAULT = 8;
const heldOutPairs = (n: number): string => `${n} held-out pair${n === 1 ? '' : 's'}`;
const LOSSLESS: CompressionMethodName[] = ['zstd', 'deflate'];

export const compressionMethodLabels: Record<CompressionMethodName, string> = {
  latent: 'stage-1 latent (continuous)',
  codes: 'stage-1 codes (discrete)',
  quant4: 'uniform 4 bit',
  quant6: 'uniform 6 bit',
  quant8: 'uniform 8 bit',
  quant12: 'uniform 12 bit',
  quant16: 'uniform 16 bit',
  zstd: 'zstd (lossless)',
  deflate: 'deflate (lossless)',
};

async function inputOf(ctx: StudyContext, params: Params, stage1: Stage1Network): Promise<SeismicInput> {
  if (params.seismicFile) return seismicFileInput(params.seismicFile, stage1, params.count);
  if (params.datasetId !== undefined) return datasetInput(ctx, params.datasetId, stage1, params.count);
  ctx.progress({ done: 0, total: 0, unit: 'samples', message: 'synthesising held-out pairs' });
  return heldOutInput(ctx, stage1, params.count ?? HELD_OUT_DEFAULT);
}

function tradeOff(result: CompressionStudyResult, metric: 'snr_db' | 'ssim' | 'nrms' | 'amp' | 'phase', title: string, yLabel: string, logY = false): StudyPlot {
  const chart: ChartSpec = {
    kind: 'scatter',
    title,
    xLabel: 'log10 compression ratio',
    yLabel,
    logY,
    series: COMPRESSION_METHODS.map((m) => ({ name: m, points: [[Math.log10(result.methods[m].ratio), result.methods[m][metric]]] as [number, number | null][] })),
  };
  return { name: `tradeoff-${metric.replace('_db', '')}`, title, chart };
}

/** The frequency up to which the spectra are drawn: 25 % past the last bin within 60 dB of the original's peak. */
function spectrumBandLimit(frequencyHz: number[], original: number[]): number {
  const peak = Math.max(...original);
  let last = 0;
  original.forEach((a, m) => {
    if (a >= peak * 1e-3) last = m;
  });
  return Math.min(frequencyHz[frequencyHz.length - 1], frequencyHz[Math.max(last, 4)] * 1.25);
}

export function compressionOutcome(result: CompressionStudyResult, source: string, extra: Record<string, unknown> = {}): StudyOutcome {
  const summary = { methods: result.methods };
  const { spectra } = result;
  const limit = spectrumBandLimit(spectra.frequency_hz, spectra.original);
  const spectrumSeries = (name: string, values: number[]) => ({ name, points: spectra.frequency_hz.flatMap((f, m) => (f <= limit ? [[f, values[m]] as [number, number]] : [])) });
  const lossy = COMPRESSION_METHODS.filter((m) => !LOSSLESS.includes(m));
  const best = (key: 'snr_db' | 'ssim', among: CompressionMethodName[]) => among.reduce((a, b) => ((result.methods[b][key] ?? -Infinity) > (result.methods[a][key] ?? -Infinity) ? b : a));
  const learned = result.methods.codes;
  const comparable = lossy.filter((m) => m.startsWith('quant')).filter((m) => (result.methods[m].snr_db ?? Infinity) <= (learned.snr_db ?? Infinity));
  const fmt = (x: number | null, digits = 3): string => (x === null ? '∞' : x.toPrecision(digits));
  const verdict = [
    `Stage 1 stores a sample in ${result.methods.latent.bytes / result.samples} bytes as a float32 latent (ratio ${fmt(result.methods.latent.ratio)}) and in ${result.methods.codes.bytes / result.samples} bytes as codes (ratio ${fmt(result.methods.codes.ratio)}), reconstructing it at an SNR of ${fmt(result.methods.latent.snr_db)} dB and ${fmt(result.methods.codes.snr_db)} dB (SSIM ${fmt(result.methods.latent.ssim)} and ${fmt(result.methods.codes.ssim)}).`,
    comparable.length
      ? `Uniform quantisation reaches no more than that SNR at ${comparable.map((m) => m.slice(5)).join(', ')} bits, ratios ${comparable.map((m) => fmt(result.methods[m].ratio)).join(', ')}: the codes compress ${fmt(learned.ratio / Math.max(...comparable.map((m) => result.methods[m].ratio)))}× further at a similar or better fidelity.`
      : `Every uniform quantiser tried (4–16 bits, ratios ${fmt(result.methods.quant16.ratio)}–${fmt(result.methods.quant4.ratio)}) reconstructs better than the codes, at ${fmt(learned.ratio / result.methods.quant4.ratio)}× less compression than the codes.`,
    `Lossless codecs keep every bit at ratios ${fmt(result.methods.zstd.ratio)} (zstd) and ${fmt(result.methods.deflate.ratio)} (deflate). Best SNR among lossy methods: ${compressionMethodLabels[best('snr_db', lossy)]}.`,
  ].join(' ');
  return {
    summary,
    results: {
      input: source,
      samples: result.samples,
      shape_per_sample: result.shape,
      original_bytes: result.original_bytes,
      settings: result.settings,
      methods: result.methods,
      spectra: result.spectra,
      definitions: {
        ratio: 'original float32 bytes / stored bytes; size_pct = 100 / ratio',
        snr_db: '10 log10(Σ s² / Σ (s − ŝ)²) over the whole array; null = infinite (exact)',
        psnr_db: '10 log10((max s − min s)² / mean (s − ŝ)²); null = infinite',
        ssim: 'mean over shot gathers of the 11 × 11 Gaussian-window SSIM (σ 1.5, C1 = 0.01², C2 = 0.03²) on both gathers mapped by the original gather\'s min and max to [0, 1]',
        corr: 'Pearson correlation of all values',
        nrms: '‖s − ŝ‖₂ / ‖s‖₂',
        mae: 'mean |s − ŝ| in the data\'s amplitude units',
        amp: 'Σ w_m ||Ŝ_m| − |S_m|| / Σ w_m |S_m| over traces and rfft bins m ≥ 1 (time zero-padded to a power of two), w_m = 1/m',
        phase: 'Σ w_m |S_m| |arg(Ŝ_m S_m*)| / Σ w_m |S_m|, radians, w_m = 1/m',
        latent: "the encoder's continuous latent (before the quantiser), float32, decoded by the seismic decoder as it is",
        codes: '⌈log2 K⌉ bits per latent position for a codebook of K codewords, decoded through the codebook; the codebook belongs to the model and is not counted',
        quantB: 'per shot gather: round((s − min)/(max − min)·(2^B − 1)), B bits a value plus min and max as float32',
      },
      ...extra,
    },
    table: {
      columns: ['method', 'ratio', 'size %', 'SNR dB', 'PSNR dB', 'SSIM', 'corr', 'NRMS', 'MAE', 'amp', 'phase rad'],
      rows: COMPRESSION_METHODS.map((m) => {
        const r = result.methods[m];
        return [compressionMethodLabels[m], r.ratio, r.size_pct, r.snr_db ?? '∞', r.psnr_db ?? '∞', r.ssim, r.corr, r.nrms, r.mae, r.amp, r.phase];
      }),
    },
    plots: [
      tradeOff(result, 'snr_db', 'SNR against compression ratio', 'SNR (dB)'),
      tradeOff(result, 'ssim', 'SSIM against compression ratio', 'SSIM'),
      tradeOff(result, 'nrms', 'NRMS against compression ratio', 'NRMS', true),
      tradeOff(result, 'amp', 'Weighted amplitude difference against compression ratio', 'amp (1/f-weighted)', true),
      tradeOff(result, 'phase', 'Weighted phase difference against compression ratio', 'phase (rad, 1/f-weighted)', true),
      {
        name: 'spectra',
        title: 'Average amplitude spectra of the original and each reconstruction',
        chart: {
          kind: 'line',
          title: 'Average amplitude spectrum (lossless codecs equal the original)',
          xLabel: 'frequency (Hz)',
          yLabel: 'mean |S(f)|',
          logY: true,
          series: [spectrumSeries('original', spectra.original), ...lossy.map((m) => spectrumSeries(m, spectra.methods[m]))],
        },
      },
    ],
    sections: [
      { heading: 'Verdict', markdown: verdict },
      {
        heading: 'What was measured',
        markdown: [
          `Input: ${source}; ${result.samples === 1 ? 'one sample' : `${result.samples} samples`} [${result.shape.join(', ')}] ([sources, time, receivers]) in the data's physical units; stage-1 model ${result.settings.model} (latent [${result.settings.latent_shape.join(', ')}], codebook of ${result.settings.codebook_size} codewords, ${result.settings.code_bits} bits a code).`,
          '',
          "- **latent**: the encoder's continuous output (before the quantiser), stored as float32 and decoded by the seismic decoder directly; **codes**: the quantiser's codeword indices, decoded through the codebook. Both pass through the model's resizing to its network grid and back.",
          '- **quantB**: uniform quantisation of each shot gather between its minimum and maximum to B = 4, 6, 8, 12, 16 bits (min and max stored as float32).',
          `- **zstd** (level ${result.settings.zstd_level}) and **deflate** (zlib, level ${result.settings.deflate_level}) of each sample's float32 bytes; decompressed and checked bit for bit.`,
          '',
          'SNR = 10·log10(Σs²/Σ(s−ŝ)²), PSNR over the data\'s peak-to-peak range, NRMS = ‖s−ŝ‖/‖s‖, all over the whole array; ∞ (null in JSON) for an exact reconstruction. SSIM per shot gather, mapped by the original gather\'s range. **amp** and **phase** compare each trace\'s spectrum with weights 1/m on frequency bin m (m ≥ 1; low frequencies count more): amp = Σw·||Ŝ|−|S||/Σw·|S|, phase = Σw·|S|·|Δφ|/Σw·|S| in radians.',
        ].join('\n'),
      },
    ],
  };
}

export async function runCompression(ctx: StudyContext, params: Params): Promise<StudyOutcome> {
  const stage1 = await Stage1Network.load(ctx.services.onnxPool(), resolveModel(params.stage1, 'stage1', { folder: ctx.projectDir, catalogue: ctx.catalogue }));
  const input = await inputOf(ctx, params, stage1);
  const sampleIntervalMs = input.sampleIntervalMs ?? params.sampleIntervalMs;
  const result = await runCompressionStudy(
    { stage1, readSeismic: input.readSeismic, samples: input.samples, sampleIntervalSeconds: sampleIntervalMs / 1000 },
    { signal: ctx.signal, onProgress: (p) => ctx.progress({ ...p, message: 'compressing and reconstructing' }) },
  );
  return compressionOutcome(result, input.source, { sample_interval_ms: sampleIntervalMs });
}

export const compressionStudy: StudyKind<'compression'> = {
  kind: 'compression',
  title: (p) => `Compression lab: ${p.seismicFile ? 'seismic file' : p.datasetId !== undefined ? `dataset ${p.datasetId}` : heldOutPairs(p.count ?? HELD_OUT_DEFAULT)}, ${p.stage1}`,
  run: runCompression,
};
