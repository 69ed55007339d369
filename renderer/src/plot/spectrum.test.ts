import { describe, expect, it } from 'vitest';
import { fftInPlace, nextPowerOfTwo } from '../../../main/core/contract/fft.ts';
import { averageAmplitudeSpectrum, fkSpectrum, signalBandHz } from './spectrum.ts';

/** A gather [time, receivers] from p(t, x) at t = i·dt, x = r·dx. */
function gatherOf(nTime: number, nReceivers: number, dt: number, dx: number, p: (t: number, x: number) => number): Float32Array {
  const out = new Float32Array(nTime * nReceivers);
  for (let i = 0; i < nTime; i++) for (let r = 0; r < nReceivers; r++) out[i * nReceivers + r] = p(i * dt, r * dx);
  return out;
}

/** Ricker wavelet of peak frequency f at time t: (1 − 2π²f²t²) exp(−π²f²t²). */
function ricker(f: number, t: number): number {
  const a = Math.PI * Math.PI * f * f * t * t;
  return (1 - 2 * a) * Math.exp(-a);
}

describe('FFT', () => {
  it('matches the direct DFT sum X[m] = Σ x[n] exp(−i2π mn/N)', () => {
    const n = 16;
    const x = Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) + 0.3 * Math.cos(i * 2.1) + (i % 3));
    const re = Float64Array.from(x);
    const im = new Float64Array(n);
    fftInPlace(re, im, -1);
    for (let m = 0; m < n; m++) {
      let sr = 0;
      let si = 0;
      for (let k = 0; k < n; k++) {
        sr += x[k] * Math.cos((-2 * Math.PI * m * k) / n);
        si += x[k] * Math.sin((-2 * Math.PI * m * k) / n);
      }
      expect(re[m]).toBeCloseTo(sr, 9);
      expect(im[m]).toBeCloseTo(si, 9);
    }
  });

  it('refuses a length that is not a power of two', () => {
    expect(() => fftInPlace(new Float64Array(6), new Float64Array(6))).toThrow(/power of two/);
    expect(nextPowerOfTwo(1000)).toBe(1024);
  });
});

describe('average amplitude spectrum', () => {
  it("puts a sinusoid's peak at its frequency, in Hz, 0 dB", () => {
    const dt = 0.004;
    const nTime = 1000; // padded to 1024: df = 1 / (1024 · 4 ms) ≈ 0.977 Hz
    const f0 = 30;
    const gather = gatherOf(nTime, 5, dt, 10, (t, x) => Math.sin(2 * Math.PI * f0 * t + x / 7));
    const spectrum = averageAmplitudeSpectrum(gather, nTime, 5, dt);
    expect(spectrum.frequencyHz.length).toBe(513);
    expect(spectrum.frequencyHz[512]).toBeCloseTo(125, 9); // Nyquist 1 / (2 dt)
    const peak = spectrum.amplitudeDb.indexOf(Math.max(...spectrum.amplitudeDb));
    expect(Math.abs(spectrum.frequencyHz[peak] - f0)).toBeLessThan(1 / (1024 * dt));
    expect(spectrum.amplitudeDb[peak]).toBe(0);
    // Far from the line the leakage of a 4 s sinusoid is well below the peak.
    const at100 = Math.round(100 * 1024 * dt);
    expect(spectrum.amplitudeDb[at100]).toBeLessThan(-30);
    expect(spectrum.tracesUsed).toBe(5);
  });

  it('leaves padded traces out of the average', () => {
    const dt = 0.002;
    const gather = gatherOf(256, 4, dt, 10, (t) => Math.sin(2 * Math.PI * 50 * t));
    for (let i = 0; i < 256; i++) gather[i * 4 + 3] = 0;
    const withPadding = averageAmplitudeSpectrum(gather, 256, 4, dt);
    const without = averageAmplitudeSpectrum(gather, 256, 4, dt, new Set([3]));
    expect(without.tracesUsed).toBe(3);
    // Relative dB shapes agree: padding only scaled the mean.
    for (let m = 0; m < without.amplitudeDb.length; m += 17) expect(without.amplitudeDb[m]).toBeCloseTo(withPadding.amplitudeDb[m], 6);
  });
});

describe('f–k spectrum', () => {
  it("puts a monochromatic plane wave at (f0, k0 = f0 / v)", () => {
    const dt = 0.004;
    const dx = 10;
    const nTime = 256;
    const nReceivers = 64;
    const df = 1 / (nTime * dt);
    const dk = 1 / (nReceivers * dx);
    const f0 = 20 * df;
    const v = f0 / (5 * dk); // 2500 m/s: the wave sits on bin (20, +5)
    const gather = gatherOf(nTime, nReceivers, dt, dx, (t, x) => Math.sin(2 * Math.PI * f0 * (t - x / v)));
    const fk = fkSpectrum(gather, nTime, nReceivers, dt, dx);
    expect(fk.nf).toBe(129);
    expect(fk.nk).toBe(64);
    expect(fk.dk).toBeCloseTo(dk, 12);
    expect(fk.k0).toBeCloseTo(-1 / (2 * dx), 12);
    let best = 0;
    for (let i = 1; i < fk.amplitudeDb.length; i++) if (fk.amplitudeDb[i] > fk.amplitudeDb[best]) best = i;
    const m = Math.floor(best / fk.nk);
    const k = fk.k0 + (best % fk.nk) * fk.dk;
    expect(m * fk.df).toBeCloseTo(f0, 9);
    expect(k).toBeCloseTo(f0 / v, 12);
  });

  it('puts a broadband dipping plane wave on the line k = f / v (slope 1/v), and its mirror dip on k = −f / v', () => {
    const dt = 0.002;
    const dx = 10;
    const nTime = 512;
    const nReceivers = 64;
    const v = 2000;
    for (const direction of [1, -1]) {
      // Ricker of 25 Hz, peaking at 0.2 s plus the moveout x / v (towards +x) or (640 − x) / v (towards −x).
      const gather = gatherOf(nTime, nReceivers, dt, dx, (t, x) => ricker(25, t - 0.2 - (direction > 0 ? x : 640 - x) / v));
      const fk = fkSpectrum(gather, nTime, nReceivers, dt, dx);
      for (let m = 0; m < fk.nf; m++) {
        const f = m * fk.df;
        if (f < 12 || f > 45) continue;
        let best = 0;
        for (let j = 1; j < fk.nk; j++) if (fk.amplitudeDb[m * fk.nk + j] > fk.amplitudeDb[m * fk.nk + best]) best = j;
        const k = fk.k0 + best * fk.dk;
        expect(Math.abs(k - (direction * f) / v)).toBeLessThanOrEqual(fk.dk / 2 + 1e-12);
      }
    }
  });

  it('zeroes padded receivers: a gather of padding only has no energy', () => {
    const gather = gatherOf(64, 8, 0.004, 10, (t) => Math.sin(2 * Math.PI * 30 * t));
    const fk = fkSpectrum(gather, 64, 8, 0.004, 10, new Set([0, 1, 2, 3, 4, 5, 6, 7]));
    expect(Math.max(...fk.amplitudeDb)).toBe(-100);
  });
});

describe('signal band', () => {
  it('reaches 25 % past the last frequency within 60 dB of the peak, never past Nyquist', () => {
    const dt = 0.001;
    const gather = gatherOf(1000, 3, dt, 10, (t) => ricker(15, t - 0.1));
    const spectrum = averageAmplitudeSpectrum(gather, 1000, 3, dt);
    const band = signalBandHz(spectrum.frequencyHz, spectrum.amplitudeDb);
    // A 15 Hz Ricker's amplitude spectrum (f/fp)² exp(1 − (f/fp)²) falls 60 dB below its peak at 48 Hz.
    expect(band).toBeGreaterThan(1.25 * 47);
    expect(band).toBeLessThan(1.25 * 49);
    const flat = Float64Array.from({ length: 5 }, () => 0);
    expect(signalBandHz(Float64Array.from([0, 10, 20, 30, 40]), flat)).toBe(40);
  });
});
