/**
 * The Fréchet distance against exact Gaussian cases (diagonal and commuting covariances, closed form)
 * and against scipy.linalg.sqrtm on small sample sets (testdata/make_fixtures.py), the isotropic
 * power spectra against numpy.fft.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readNpyRaw } from '../io/npy.ts';
import { frechetDistance, frechetWithBootstrap, gaussianOf, symmetricEigen, type GaussianSummary } from './frechet.ts';
import { compareSpectra, isotropicPowerSpectrum, mergeSpectra } from './powerSpectrum.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = JSON.parse(fs.readFileSync(path.join(here, 'testdata', 'fixtures.json'), 'utf8'));

const summary = (mean: number[], covariance: number[]): GaussianSummary => ({ dimension: mean.length, mean: Float64Array.from(mean), covariance: Float64Array.from(covariance) });
const diagonal = (values: number[]): number[] => values.flatMap((v, i) => values.map((_, j) => (i === j ? v : 0)));

describe('Fréchet distance', () => {
  it('is ‖μ₁ − μ₂‖² + Σ(σ₁ − σ₂)² for diagonal covariances', () => {
    const c = fixtures.frechet.diagonal;
    const fd = frechetDistance(summary(c.mu1, diagonal(c.sigma1.map((s: number) => s * s))), summary(c.mu2, diagonal(c.sigma2.map((s: number) => s * s))));
    expect(Math.abs(fd - c.fd)).toBeLessThan(1e-10);
  });

  it('is ‖μ₁ − μ₂‖² + Σ(√d₁ − √d₂)² for commuting covariances Q D Qᵀ, as scipy finds', () => {
    const c = fixtures.frechet.commuting;
    const { mu1, mu2 } = fixtures.frechet.diagonal;
    const fd = frechetDistance(summary(mu1, c.cov1), summary(mu2, c.cov2));
    expect(Math.abs(fd - c.fd)).toBeLessThan(1e-9);
    expect(Math.abs(c.fd_scipy - c.fd)).toBeLessThan(1e-9);
  });

  it('equals scipy.linalg.sqrtm on two sample sets, mean and unbiased covariance as numpy', () => {
    const c = fixtures.frechet.sets;
    const sets = readNpyRaw(path.join(here, 'testdata', 'fidelity_sets.npy'));
    const rows = sets.shape[1];
    const a = Float64Array.from(sets.data as Float64Array).subarray(0, rows * c.dimension);
    const b = Float64Array.from(sets.data as Float64Array).subarray(rows * c.dimension, (rows + c.rows_b) * c.dimension);
    const ga = gaussianOf(a, c.rows_a, c.dimension);
    c.mean_a.forEach((v: number, i: number) => expect(Math.abs(ga.mean[i] - v)).toBeLessThan(1e-12));
    c.cov_a.forEach((v: number, i: number) => expect(Math.abs(ga.covariance[i] - v)).toBeLessThan(1e-12));
    const fd = frechetDistance(ga, gaussianOf(b, c.rows_b, c.dimension));
    expect(Math.abs(fd - c.fd_scipy)).toBeLessThan(1e-9 * c.fd_scipy);
    expect(frechetDistance(ga, ga)).toBeLessThan(1e-9);
  });

  it('Jacobi eigenvalues reproduce the matrix: A v = λ v', () => {
    const { cov1 } = fixtures.frechet.commuting;
    const { values, vectors } = symmetricEigen(cov1, 4);
    for (let k = 0; k < 4; k++) {
      for (let i = 0; i < 4; i++) {
        let av = 0;
        for (let j = 0; j < 4; j++) av += cov1[i * 4 + j] * vectors[j * 4 + k];
        expect(Math.abs(av - values[k] * vectors[i * 4 + k])).toBeLessThan(1e-12);
      }
    }
    expect([...values].sort((x, y) => x - y).map((v) => Number(v.toFixed(10)))).toEqual([0.25, 1, 2, 4]);
  });

  it('bootstrap: seeded, spread around the full-set distance, and near 0 for one set against itself', () => {
    const c = fixtures.frechet.sets;
    const sets = readNpyRaw(path.join(here, 'testdata', 'fidelity_sets.npy'));
    const data = Float64Array.from(sets.data as Float64Array);
    const a = data.subarray(0, c.rows_a * c.dimension);
    const b = data.subarray(sets.shape[1] * c.dimension, (sets.shape[1] + c.rows_b) * c.dimension);
    const first = frechetWithBootstrap(a, c.rows_a, b, c.rows_b, c.dimension, 40, 3);
    expect(frechetWithBootstrap(a, c.rows_a, b, c.rows_b, c.dimension, 40, 3)).toEqual(first);
    expect(Math.abs(first.fd - c.fd_scipy)).toBeLessThan(1e-9 * c.fd_scipy);
    expect(first.bootstrap.std).toBeGreaterThan(0);
    expect(first.bootstrap.p05).toBeLessThan(first.fd * 1.5);
    expect(first.bootstrap.p95).toBeGreaterThan(first.fd * 0.5);
    const self = frechetWithBootstrap(a, c.rows_a, a, c.rows_a, c.dimension, 20, 1);
    expect(self.fd).toBeLessThan(1e-9);
    expect(self.bootstrap.mean).toBeLessThan(first.bootstrap.mean);
  });
});

describe('isotropic power spectra', () => {
  it('shell powers and band RMSE of the relative spectrum equal numpy.fft', () => {
    const c = fixtures.power_spectrum;
    const fields = readNpyRaw(path.join(here, 'testdata', 'fidelity_fields.npy'));
    const data = Float64Array.from(fields.data as Float64Array);
    const perSet = c.fields * c.height * c.width;
    const real = isotropicPowerSpectrum(data.subarray(0, perSet), c.fields, c.height, c.width);
    // The generated set in two batches, merged.
    const half = (c.fields / 2) * c.height * c.width;
    const generated = mergeSpectra(
      isotropicPowerSpectrum(data.subarray(perSet, perSet + half), c.fields / 2, c.height, c.width),
      isotropicPowerSpectrum(data.subarray(perSet + half, 2 * perSet), c.fields / 2, c.height, c.width),
    );
    c.frequency.forEach((f: number, j: number) => expect(Math.abs(real.frequency[j] - f)).toBeLessThan(1e-15));
    c.power_real.forEach((p: number, j: number) => expect(Math.abs(real.power[j] - p)).toBeLessThan(1e-9 * p));
    c.power_generated.forEach((p: number, j: number) => expect(Math.abs(generated.power[j] - p)).toBeLessThan(1e-9 * p));
    const { bands } = compareSpectra(real, generated);
    bands.forEach((band, b) => {
      expect(band.shells).toBe(c.bands[b].shells);
      expect(Math.abs(band.rmse - c.bands[b].rmse)).toBeLessThan(1e-9);
      expect(Math.abs(band.range[0] - c.edges[b])).toBeLessThan(1e-12);
    });
    expect(compareSpectra(real, real).bands.map((b) => b.rmse)).toEqual([0, 0, 0]);
  });
});
