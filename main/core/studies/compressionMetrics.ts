/**
 * How close a reconstruction ŝ is to seismic s, both float32 [N, sources, time, receivers] in
 * physical units, accumulated batch by batch over a whole array (sums in float64):
 *   SNR  = 10 log10(Σ s² / Σ (s − ŝ)²)                     dB; null when ŝ = s (infinite)
 *   PSNR = 10 log10(P² / mean (s − ŝ)²), P = max s − min s   dB over the array's peak-to-peak range; null when ŝ = s
 *   NRMS = ‖s − ŝ‖₂ / ‖s‖₂,  MAE = mean |s − ŝ|,  corr = Pearson correlation of all values
 *   SSIM = mean over shot gathers [time, receivers] of generation/metrics.ts' SSIM (11 × 11 Gaussian
 *          window, σ = 1.5) on both gathers mapped by the original gather's range: (x − min s)/(max s − min s)
 * Frequency-weighted spectral differences, per trace (each receiver of each shot), with
 * X = rfft(s), Y = rfft(ŝ) over time zero-padded to n = the next power of two, bins m = 1 … n/2
 * (DC left out) and weights w_m = 1/m (∝ 1/f, so low frequencies count more):
 *   amp   = Σ w_m | |Y_m| − |X_m| | / Σ w_m |X_m|                 (dimensionless; 0 when equal)
 *   phase = Σ w_m |X_m| |arg(Y_m X_m*)| / Σ w_m |X_m|               (radians in [0, π]; amplitude-weighted,
 *                                                                   so bins without signal do not count)
 * both summed over every trace of the array before dividing.
 */
import { StudioError } from '../contract/errors.ts';
import { ssim } from '../generation/metrics.ts';
import { nextPowerOfTwo } from '../contract/fft.ts';
import { realSeriesSpectrum } from './fft.ts';

export interface GatherShape {
  sources: number;
  time: number;
  receivers: number;
}

export interface ReconstructionScores {
  snr_db: number | null;
  psnr_db: number | null;
  ssim: number;
  corr: number;
  nrms: number;
  mae: number;
  amp: number;
  phase: number;
}

/** The original batch's per-trace spectra, computed once and shared by every method's scorer. */
export interface ReferenceBatch {
  seismic: Float32Array;
  samples: number;
  /** [traces, bins] with traces ordered (sample, source, receiver), bins m = 0 … nfft/2. */
  re: Float64Array;
  im: Float64Array;
}

/** FFT length for series of `time` samples: the next power of two. */
export const spectrumLength = (time: number): number => nextPowerOfTwo(Math.max(2, time));

/** Per-trace rfft of seismic [samples, sources, time, receivers] over time: [traces, nfft/2 + 1]. */
export function traceSpectra(seismic: ArrayLike<number>, samples: number, shape: GatherShape): { re: Float64Array; im: Float64Array } {
  const { sources, time, receivers } = shape;
  const nfft = spectrumLength(time);
  const bins = nfft / 2 + 1;
  const traces = samples * sources * receivers;
  const re = new Float64Array(traces * bins);
  const im = new Float64Array(traces * bins);
  const workRe = new Float64Array(nfft);
  const workIm = new Float64Array(nfft);
  let trace = 0;
  for (let g = 0; g < samples * sources; g++) {
    for (let r = 0; r < receivers; r++, trace++) {
      realSeriesSpectrum(seismic, g * time * receivers + r, receivers, time, workRe, workIm);
      re.set(workRe.subarray(0, bins), trace * bins);
      im.set(workIm.subarray(0, bins), trace * bins);
    }
  }
  return { re, im };
}

export function referenceBatch(seismic: Float32Array, samples: number, shape: GatherShape): ReferenceBatch {
  const expected = samples * shape.sources * shape.time * shape.receivers;
  if (seismic.length !== expected) throw new StudioError('bad_input', `Seismic of ${seismic.length} values is not [${samples}, ${shape.sources}, ${shape.time}, ${shape.receivers}].`);
  return { seismic, samples, ...traceSpectra(seismic, samples, shape) };
}

/** Sum over traces of |X_m|, bins m = 0 … nfft/2; divide by the trace count for the average amplitude spectrum. */
function addAmplitudes(target: Float64Array, re: Float64Array, im: Float64Array): void {
  const bins = target.length;
  for (let i = 0; i < re.length; i++) target[i % bins] += Math.hypot(re[i], im[i]);
}

/** Accumulates the scores of one reconstruction method over the batches of an array. */
export class ReconstructionScorer {
  readonly shape: GatherShape;
  readonly bins: number;
  /** Σ over traces of |Ŷ_m| (the reconstruction's amplitude spectrum before averaging). */
  readonly amplitudeSum: Float64Array;
  traces = 0;
  private count = 0;
  private sumS = 0;
  private sumR = 0;
  private sumSS = 0;
  private sumRR = 0;
  private sumSR = 0;
  private sumErr2 = 0;
  private sumAbsErr = 0;
  private minS = Infinity;
  private maxS = -Infinity;
  private ssimSum = 0;
  private gathers = 0;
  private ampNumerator = 0;
  private phaseNumerator = 0;
  private weightedAmplitude = 0;

  constructor(shape: GatherShape) {
    this.shape = shape;
    this.bins = spectrumLength(shape.time) / 2 + 1;
    this.amplitudeSum = new Float64Array(this.bins);
  }

  add(reference: ReferenceBatch, reconstruction: Float32Array): void {
    const s = reference.seismic;
    if (reconstruction.length !== s.length) throw new StudioError('bad_input', `A reconstruction of ${reconstruction.length} values does not match its original of ${s.length}.`);
    for (let i = 0; i < s.length; i++) {
      const a = s[i];
      const b = reconstruction[i];
      const d = a - b;
      this.sumS += a;
      this.sumR += b;
      this.sumSS += a * a;
      this.sumRR += b * b;
      this.sumSR += a * b;
      this.sumErr2 += d * d;
      this.sumAbsErr += Math.abs(d);
      if (a < this.minS) this.minS = a;
      if (a > this.maxS) this.maxS = a;
    }
    this.count += s.length;
    this.addSsim(s, reconstruction, reference.samples);
    this.addSpectra(reference, reconstruction);
  }

  private addSsim(s: Float32Array, reconstruction: Float32Array, samples: number): void {
    const { time, receivers, sources } = this.shape;
    const size = time * receivers;
    const x = new Float64Array(size);
    const y = new Float64Array(size);
    for (let g = 0; g < samples * sources; g++) {
      const offset = g * size;
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < size; i++) {
        const v = s[offset + i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const span = hi > lo ? hi - lo : 1;
      for (let i = 0; i < size; i++) {
        x[i] = (s[offset + i] - lo) / span;
        y[i] = (reconstruction[offset + i] - lo) / span;
      }
      this.ssimSum += ssim(x, y, time, receivers);
      this.gathers += 1;
    }
  }

  private addSpectra(reference: ReferenceBatch, reconstruction: Float32Array): void {
    const { re: xRe, im: xIm } = reference;
    const { re: yRe, im: yIm } = traceSpectra(reconstruction, reference.samples, this.shape);
    addAmplitudes(this.amplitudeSum, yRe, yIm);
    const bins = this.bins;
    const traces = xRe.length / bins;
    for (let t = 0; t < traces; t++) {
      for (let m = 1; m < bins; m++) {
        const i = t * bins + m;
        const w = 1 / m;
        const ax = Math.hypot(xRe[i], xIm[i]);
        const ay = Math.hypot(yRe[i], yIm[i]);
        // arg(Y X*) = atan2(Im, Re) of (yRe + i yIm)(xRe − i xIm)
        const dphi = Math.atan2(yIm[i] * xRe[i] - yRe[i] * xIm[i], yRe[i] * xRe[i] + yIm[i] * xIm[i]);
        this.ampNumerator += w * Math.abs(ay - ax);
        this.phaseNumerator += w * ax * Math.abs(dphi);
        this.weightedAmplitude += w * ax;
      }
    }
    this.traces += traces;
  }

  scores(): ReconstructionScores {
    if (this.count === 0) throw new StudioError('bad_input', 'No seismic was scored.');
    const n = this.count;
    const mse = this.sumErr2 / n;
    const ptp = this.maxS - this.minS;
    const covariance = this.sumSR / n - (this.sumS / n) * (this.sumR / n);
    const varS = this.sumSS / n - (this.sumS / n) ** 2;
    const varR = this.sumRR / n - (this.sumR / n) ** 2;
    const exact = this.sumErr2 === 0;
    return {
      snr_db: exact ? null : 10 * Math.log10(this.sumSS / this.sumErr2),
      psnr_db: exact ? null : 10 * Math.log10((ptp * ptp) / mse),
      ssim: this.ssimSum / this.gathers,
      corr: exact ? 1 : covariance / Math.sqrt(varS * varR),
      nrms: Math.sqrt(this.sumErr2 / this.sumSS),
      mae: this.sumAbsErr / n,
      amp: this.weightedAmplitude > 0 ? this.ampNumerator / this.weightedAmplitude : 0,
      phase: this.weightedAmplitude > 0 ? this.phaseNumerator / this.weightedAmplitude : 0,
    };
  }

  /** Average amplitude spectrum |Ŷ(f)| over all traces scored, bins m = 0 … nfft/2. */
  meanAmplitudeSpectrum(): number[] {
    return Array.from(this.amplitudeSum, (a) => a / Math.max(1, this.traces));
  }
}

/** Average amplitude spectrum of the originals, accumulated from the reference batches. */
export class OriginalSpectrum {
  readonly sum: Float64Array;
  traces = 0;
  constructor(shape: GatherShape) {
    this.sum = new Float64Array(spectrumLength(shape.time) / 2 + 1);
  }
  add(reference: ReferenceBatch): void {
    addAmplitudes(this.sum, reference.re, reference.im);
    this.traces += reference.re.length / this.sum.length;
  }
  mean(): number[] {
    return Array.from(this.sum, (a) => a / Math.max(1, this.traces));
  }
}

/** Frequencies of the spectrum bins m = 0 … nfft/2 for a sample interval in seconds. */
export function spectrumFrequenciesHz(time: number, sampleIntervalSeconds: number): number[] {
  const nfft = spectrumLength(time);
  return Array.from({ length: nfft / 2 + 1 }, (_, m) => m / (nfft * sampleIntervalSeconds));
}
