/**
 * Isotropic power spectra of sets of 2-D fields and their comparison in log-spaced bands, after
 * Rozet et al. 2025 ("Lost in Latent Space", arXiv 2507.02608), who report the RMSE of the relative
 * power spectrum P_generated / P_real − 1 over low, mid and high frequencies.
 *
 * A field x [height, width] (a velocity model, or one shot gather [time, receivers]), less its mean
 * (so that zero padding adds no step at the field's edge: a velocity model's 1500–4500 m/s level would
 * otherwise leak into every frequency), is zero-padded to powers of two (H, W) and transformed:
 * X = fft2(x − mean x, s = (H, W)). Frequencies in cycles per sample,
 * f_y = fftfreq(H), f_x = fftfreq(W) (the two axes may have different units, e.g. seismic time and
 * space: "isotropic" is in sample units), radius ρ = √(f_x² + f_y²). Shells j = 0 … J − 1,
 * J = min(H, W)/2, of width Δ = 0.5/J hold the ρ in (jΔ, (j + 1)Δ] (DC and corners beyond 0.5 left
 * out); P(j) = mean |X|² over the shell, averaged over the fields of a set.
 * Bands: edges e₀ … e₃ evenly spaced in log ρ from the first shell's centre (Δ/2) to the last one's
 * ((J − ½)Δ); shell j belongs to band b when e_b ≤ (j + ½)Δ < e_{b+1} (the last edge inclusive).
 *   RMSE_b = √(mean over shells j of band b of (P_gen(j)/P_real(j) − 1)²)
 */
import { StudioError } from '../contract/errors.ts';
import { nextPowerOfTwo } from '../contract/fft.ts';
import { fft2 } from './fft.ts';

export const SPECTRUM_BANDS = ['low', 'mid', 'high'] as const;
export type SpectrumBand = (typeof SPECTRUM_BANDS)[number];

export interface IsotropicSpectrum {
  /** Shell centres (j + ½)Δ in cycles per sample. */
  frequency: number[];
  /** Mean |X|² per shell, averaged over the set's fields. */
  power: number[];
  fields: number;
}

/** Shell index of every bin of an [H, W] transform (−1: DC or beyond ρ = 0.5), and the shell count J. */
function shellIndex(padHeight: number, padWidth: number): { shell: Int32Array; shells: number } {
  const shells = Math.min(padHeight, padWidth) / 2;
  const width = 0.5 / shells;
  const shell = new Int32Array(padHeight * padWidth);
  for (let z = 0; z < padHeight; z++) {
    const fy = (z < padHeight / 2 ? z : z - padHeight) / padHeight;
    for (let x = 0; x < padWidth; x++) {
      const fx = (x < padWidth / 2 ? x : x - padWidth) / padWidth;
      const rho = Math.hypot(fx, fy);
      shell[z * padWidth + x] = rho === 0 || rho > 0.5 + 1e-12 ? -1 : Math.min(shells - 1, Math.ceil(rho / width - 1e-9) - 1);
    }
  }
  return { shell, shells };
}

/** Isotropic power spectrum averaged over `count` fields [count, height, width]. */
export function isotropicPowerSpectrum(fields: ArrayLike<number>, count: number, height: number, width: number): IsotropicSpectrum {
  if (fields.length !== count * height * width) throw new StudioError('bad_input', `${fields.length} values are not ${count} fields of [${height}, ${width}].`);
  const padHeight = nextPowerOfTwo(Math.max(2, height));
  const padWidth = nextPowerOfTwo(Math.max(2, width));
  const { shell, shells } = shellIndex(padHeight, padWidth);
  const binsPerShell = new Float64Array(shells);
  for (const j of shell) if (j >= 0) binsPerShell[j] += 1;
  const sum = new Float64Array(shells);
  const plane = new Float64Array(height * width);
  for (let f = 0; f < count; f++) {
    let mean = 0;
    for (let i = 0; i < plane.length; i++) mean += fields[f * plane.length + i];
    mean /= plane.length;
    for (let i = 0; i < plane.length; i++) plane[i] = fields[f * plane.length + i] - mean;
    const { re, im } = fft2(plane, height, width, padHeight, padWidth);
    for (let i = 0; i < re.length; i++) {
      const j = shell[i];
      if (j >= 0) sum[j] += re[i] * re[i] + im[i] * im[i];
    }
  }
  const delta = 0.5 / shells;
  return {
    frequency: Array.from({ length: shells }, (_, j) => (j + 0.5) * delta),
    power: Array.from(sum, (s, j) => (binsPerShell[j] > 0 && count > 0 ? s / binsPerShell[j] / count : 0)),
    fields: count,
  };
}

/** Adds spectra of equal shells weighted by their field counts (a set read in batches). */
export function mergeSpectra(a: IsotropicSpectrum | null, b: IsotropicSpectrum): IsotropicSpectrum {
  if (!a || a.fields === 0) return b;
  const fields = a.fields + b.fields;
  return { frequency: a.frequency, power: a.power.map((p, j) => (p * a.fields + b.power[j] * b.fields) / fields), fields };
}

export interface BandComparison {
  band: SpectrumBand;
  /** [low, high] edges in cycles per sample. */
  range: [number, number];
  shells: number;
  rmse: number;
}

/** RMSE of the relative spectrum P_generated/P_real − 1 in the three log-spaced bands. */
export function compareSpectra(real: IsotropicSpectrum, generated: IsotropicSpectrum): { relative: number[]; bands: BandComparison[] } {
  if (real.power.length !== generated.power.length) throw new StudioError('bad_input', 'The two sets have spectra of different lengths (fields of different shapes).');
  const relative = real.power.map((p, j) => (p > 0 ? generated.power[j] / p - 1 : 0));
  const f = real.frequency;
  const first = Math.log(f[0]);
  const last = Math.log(f[f.length - 1]);
  const edges = [0, 1, 2, 3].map((i) => Math.exp(first + ((last - first) * i) / 3));
  const bands = SPECTRUM_BANDS.map((band, b): BandComparison => {
    let sum = 0;
    let shells = 0;
    for (let j = 0; j < f.length; j++) {
      const inside = f[j] >= edges[b] * (1 - 1e-12) && (b === 2 ? f[j] <= edges[3] * (1 + 1e-12) : f[j] < edges[b + 1] * (1 - 1e-12));
      if (!inside) continue;
      sum += relative[j] ** 2;
      shells += 1;
    }
    return { band, range: [edges[b], edges[b + 1]], shells, rmse: shells > 0 ? Math.sqrt(sum / shells) : 0 };
  });
  return { relative, bands };
}
