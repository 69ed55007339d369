/**
 * The radix-2 FFT shared by the core's studies and the renderer's spectra (the contract is the one
 * floor both may import). Forward convention (numpy.fft's): X[m] = Σ_n x[n] · exp(−i2π m n / N).
 */
import { StudioError } from './errors.ts';

/** The smallest power of two ≥ n. */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** In-place radix-2 transform of (re, im), length a power of two; sign −1 forward, +1 inverse (unscaled). */
export function fftInPlace(re: Float64Array, im: Float64Array, sign: -1 | 1 = -1): void {
  const n = re.length;
  if (n !== im.length || (n & (n - 1)) !== 0) throw new StudioError('bad_input', `FFT length must be a power of two; got ${n}.`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i];
      re[i] = re[j];
      re[j] = tr;
      const ti = im[i];
      im[i] = im[j];
      im[j] = ti;
    }
  }
  for (let size = 2; size <= n; size *= 2) {
    const angle = (sign * 2 * Math.PI) / size;
    const half = size / 2;
    for (let k = 0; k < half; k++) {
      const cr = Math.cos(angle * k);
      const ci = Math.sin(angle * k);
      for (let a = k; a < n; a += size) {
        const b = a + half;
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}
