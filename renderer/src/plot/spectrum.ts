/**
 * Spectra of a shot gather: the average amplitude spectrum of its traces and its f–k spectrum.
 * Gathers are row-major [time, receivers] as `dataset.shotGather` returns them. Pure: no DOM.
 *
 * Transform convention (the usual one in seismic processing):
 *   P(f, k) = Σ_t Σ_x p(t, x) · exp(−i2π f t) · exp(+i2π k x)
 * so a plane wave p(t, x) = s(t − x/v) travelling towards +x puts its energy on the line k = f / v.
 */
import { fftInPlace, nextPowerOfTwo } from '../../../main/core/contract/fft.ts';

/** The FFT of receiver r's trace of a [time, receivers] gather, zero-padded to re.length, into re/im (non-finite samples as 0). */
function traceSpectrum(gather: Float32Array, nTime: number, nReceivers: number, r: number, re: Float64Array, im: Float64Array): void {
  re.fill(0);
  im.fill(0);
  for (let t = 0; t < nTime; t++) {
    const v = gather[t * nReceivers + r];
    re[t] = Number.isFinite(v) ? v : 0;
  }
  fftInPlace(re, im, -1);
}

/** Decibels of an amplitude relative to a reference: 20 log10(a / ref), floored at `floorDb`. */
export function amplitudeDb(amplitude: number, reference: number, floorDb: number): number {
  if (!(reference > 0) || !(amplitude > 0)) return floorDb;
  return Math.max(floorDb, 20 * Math.log10(amplitude / reference));
}

export interface AmplitudeSpectrum {
  /** Frequency of bin m: m · df, m = 0 … nfft/2 (Hz). */
  frequencyHz: Float64Array;
  /** Mean |P(f)| over the traces used, relative to its maximum (0 dB at the peak). */
  amplitudeDb: Float64Array;
  tracesUsed: number;
}

/** Lowest level shown, in dB below the peak. */
export const SPECTRUM_FLOOR_DB = -100;

/**
 * Average amplitude spectrum of a gather: each trace (zero-padded to a power of two) transformed
 * over time, |P(f)| averaged over the traces not in `skipReceivers` (padding), in dB re its peak.
 */
export function averageAmplitudeSpectrum(
  gather: Float32Array,
  nTime: number,
  nReceivers: number,
  sampleIntervalSeconds: number,
  skipReceivers: ReadonlySet<number> = new Set(),
): AmplitudeSpectrum {
  const nfft = nextPowerOfTwo(Math.max(2, nTime));
  const nFreq = nfft / 2 + 1;
  const sum = new Float64Array(nFreq);
  const re = new Float64Array(nfft);
  const im = new Float64Array(nfft);
  let used = 0;
  for (let r = 0; r < nReceivers; r++) {
    if (skipReceivers.has(r)) continue;
    traceSpectrum(gather, nTime, nReceivers, r, re, im);
    for (let m = 0; m < nFreq; m++) sum[m] += Math.hypot(re[m], im[m]);
    used++;
  }
  const df = 1 / (nfft * sampleIntervalSeconds);
  const frequencyHz = Float64Array.from({ length: nFreq }, (_, m) => m * df);
  let peak = 0;
  for (let m = 0; m < nFreq; m++) peak = Math.max(peak, sum[m]);
  const db = Float64Array.from(sum, (a) => amplitudeDb(a, peak, SPECTRUM_FLOOR_DB));
  return { frequencyHz, amplitudeDb: db, tracesUsed: used };
}

export interface FkSpectrum {
  /** Rows: frequencies m · df for m = 0 … nf − 1 (0 to Nyquist), Hz. */
  nf: number;
  df: number;
  /** Columns: wavenumbers k0 + j · dk for j = 0 … nk − 1 (−Nyquist … +Nyquist − dk), cycles per metre. */
  nk: number;
  dk: number;
  k0: number;
  /** [nf, nk] row-major: |P(f, k)| in dB relative to the maximum. */
  amplitudeDb: Float32Array;
}

/**
 * f–k amplitude spectrum of a gather [time, receivers] with a constant receiver spacing. Padding
 * receivers are zeroed, so they add no energy. Both axes are zero-padded to powers of two.
 */
export function fkSpectrum(
  gather: Float32Array,
  nTime: number,
  nReceivers: number,
  sampleIntervalSeconds: number,
  receiverSpacingM: number,
  skipReceivers: ReadonlySet<number> = new Set(),
): FkSpectrum {
  const ntfft = nextPowerOfTwo(Math.max(2, nTime));
  const nxfft = nextPowerOfTwo(Math.max(2, nReceivers));
  const nf = ntfft / 2 + 1;
  // Temporal transform per trace, keeping f ≥ 0 (the input is real, so P(−f, −k) = P(f, k)*).
  const specRe = new Float64Array(nf * nxfft);
  const specIm = new Float64Array(nf * nxfft);
  const re = new Float64Array(ntfft);
  const im = new Float64Array(ntfft);
  for (let r = 0; r < nReceivers; r++) {
    if (skipReceivers.has(r)) continue;
    traceSpectrum(gather, nTime, nReceivers, r, re, im);
    for (let m = 0; m < nf; m++) {
      specRe[m * nxfft + r] = re[m];
      specIm[m * nxfft + r] = im[m];
    }
  }
  // Spatial transform with the + sign per frequency, then k shifted so that k = 0 sits mid-row.
  const amplitude = new Float32Array(nf * nxfft);
  const rowRe = new Float64Array(nxfft);
  const rowIm = new Float64Array(nxfft);
  let peak = 0;
  for (let m = 0; m < nf; m++) {
    rowRe.set(specRe.subarray(m * nxfft, (m + 1) * nxfft));
    rowIm.set(specIm.subarray(m * nxfft, (m + 1) * nxfft));
    fftInPlace(rowRe, rowIm, 1);
    for (let j = 0; j < nxfft; j++) {
      const shifted = (j + nxfft / 2) % nxfft;
      const a = Math.hypot(rowRe[j], rowIm[j]);
      amplitude[m * nxfft + shifted] = a;
      if (a > peak) peak = a;
    }
  }
  const db = new Float32Array(amplitude.length);
  for (let i = 0; i < amplitude.length; i++) db[i] = amplitudeDb(amplitude[i], peak, SPECTRUM_FLOOR_DB);
  const dk = 1 / (nxfft * receiverSpacingM);
  return { nf, df: 1 / (ntfft * sampleIntervalSeconds), nk: nxfft, dk, k0: -(nxfft / 2) * dk, amplitudeDb: db };
}

/**
 * The frequency up to which a spectrum is worth showing: 25 % beyond the highest frequency whose
 * level reaches `thresholdDb` (re the peak), at most the last frequency (Nyquist).
 */
export function signalBandHz(frequencyHz: Float64Array, levelDb: Float64Array, thresholdDb = -60): number {
  const nyquist = frequencyHz[frequencyHz.length - 1];
  let highest = 0;
  for (let m = 0; m < levelDb.length; m++) if (levelDb[m] >= thresholdDb) highest = frequencyHz[m];
  return Math.min(nyquist, Math.max(highest * 1.25, frequencyHz[Math.min(frequencyHz.length - 1, 4)]));
}
