/**
 * The compression lab's scores, quantiser and transforms against numpy/scipy (testdata/make_fixtures.py
 * wrote the arrays and fixtures.json), and the lossless codecs' round trip.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readNpy } from '../io/npy.ts';
import { ReconstructionScorer, OriginalSpectrum, referenceBatch, spectrumFrequenciesHz } from './compressionMetrics.ts';
import { losslessCodecs, quantiseUniform, quantisedGatherBytes, roundTrip } from './compressionCodecs.ts';
import { fft2, realSeriesSpectrum } from './fft.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = JSON.parse(fs.readFileSync(path.join(here, 'testdata', 'fixtures.json'), 'utf8'));
const expected = fixtures.compression;
const [N, S, T, R] = expected.shape as number[];
const shape = { sources: S, time: T, receivers: R };
const size = N * S * T * R;
const input = readNpy(path.join(here, 'testdata', 'compression_input.npy'));
const original = input.data.slice(0, size);
const reconstruction = input.data.slice(size, 2 * size);

const relative = (got: number, want: number): number => Math.abs(got - want) / Math.abs(want);

describe('compression scores', () => {
  it('match numpy/scipy on hand-made arrays: SNR, PSNR, NRMS, MAE, corr, SSIM, weighted amplitude and phase', () => {
    const scorer = new ReconstructionScorer(shape);
    // Two batches of one sample each: the sums must not depend on the batching.
    for (let n = 0; n < N; n++) {
      const one = original.slice(n * S * T * R, (n + 1) * S * T * R);
      scorer.add(referenceBatch(one, 1, shape), reconstruction.slice(n * S * T * R, (n + 1) * S * T * R));
    }
    const scores = scorer.scores();
    for (const key of ['snr_db', 'psnr_db', 'nrms', 'mae', 'corr', 'ssim', 'amp', 'phase'] as const) {
      expect(relative(scores[key] as number, expected[key]), key).toBeLessThan(1e-9);
    }
    const spectrum = scorer.meanAmplitudeSpectrum();
    expected.mean_spectrum_reconstruction.forEach((v: number, m: number) => expect(Math.abs(spectrum[m] - v)).toBeLessThan(1e-9 * Math.max(1, v)));
    const originalSpectrum = new OriginalSpectrum(shape);
    originalSpectrum.add(referenceBatch(original, N, shape));
    expected.mean_spectrum_original.forEach((v: number, m: number) => expect(Math.abs(originalSpectrum.mean()[m] - v)).toBeLessThan(1e-9 * Math.max(1, v)));
    expect(spectrumFrequenciesHz(T, 0.004)[1]).toBeCloseTo(1 / (64 * 0.004), 12);
  });

  it('an exact copy scores infinite SNR and PSNR (null), NRMS 0, SSIM and corr 1', () => {
    const scorer = new ReconstructionScorer(shape);
    scorer.add(referenceBatch(original, N, shape), original.slice());
    expect(scorer.scores()).toEqual({ snr_db: null, psnr_db: null, ssim: 1, corr: 1, nrms: 0, mae: 0, amp: 0, phase: 0 });
  });

  it('the FFT is numpy.fft.rfft and fft2 with zero padding', () => {
    const { sample, source, receiver, re, im } = expected.rfft_trace;
    const workRe = new Float64Array(64);
    const workIm = new Float64Array(64);
    realSeriesSpectrum(original, (sample * S + source) * T * R + receiver, R, T, workRe, workIm);
    re.forEach((v: number, m: number) => expect(Math.abs(workRe[m] - v)).toBeLessThan(1e-9));
    im.forEach((v: number, m: number) => expect(Math.abs(workIm[m] - v)).toBeLessThan(1e-9));
    const p = expected.fft2_plane;
    const plane = new Float64Array(p.rows * p.cols);
    const offset = (p.sample * S + p.source) * T * R;
    for (let z = 0; z < p.rows; z++) for (let x = 0; x < p.cols; x++) plane[z * p.cols + x] = original[offset + z * R + x];
    const out = fft2(plane, p.rows, p.cols, p.pad[0], p.pad[1]);
    p.re.forEach((v: number, i: number) => expect(Math.abs(out.re[i] - v)).toBeLessThan(1e-9));
    p.im.forEach((v: number, i: number) => expect(Math.abs(out.im[i] - v)).toBeLessThan(1e-9));
  });
});

describe('compression codecs', () => {
  it('uniform quantisation per gather equals numpy at 4 and 8 bits, and its size counts B bits a value plus lo and hi', () => {
    const quantised = readNpy(path.join(here, 'testdata', 'compression_quant.npy')).data;
    for (const [i, bits] of [4, 8].entries()) {
      const ours = quantiseUniform(original, shape, bits);
      const want = quantised.subarray(i * size, (i + 1) * size);
      let worst = 0;
      for (let k = 0; k < size; k++) worst = Math.max(worst, Math.abs(ours[k] - want[k]));
      expect(worst).toBe(0);
      const levels = new Set(Array.from(ours.subarray(0, T * R)));
      expect(levels.size).toBeLessThanOrEqual(2 ** bits);
    }
    expect(quantisedGatherBytes(shape, 4)).toBe((T * R * 4) / 8 + 8);
    expect(quantisedGatherBytes({ sources: 1, time: 3, receivers: 3 }, 12)).toBe(Math.ceil((9 * 12) / 8) + 8);
  });

  it('zstd and deflate give back every byte and compress a smooth series', async () => {
    const smooth = Float32Array.from({ length: 20000 }, (_, i) => Math.round(100 * Math.sin(i / 50)));
    for (const codec of await losslessCodecs()) {
      const { bytes, decoded } = roundTrip(codec, smooth);
      expect(Buffer.from(decoded.buffer).equals(Buffer.from(smooth.buffer)), codec.name).toBe(true);
      expect(bytes, codec.name).toBeLessThan(smooth.byteLength / 4);
    }
  });
});
