/**
 * Discrete Fourier transforms for the studies' spectra. Forward convention (numpy.fft's):
 *   X[m] = Σ_n x[n] · exp(−i2π m n / N).
 */
import { StudioError } from '../contract/errors.ts';
import { fftInPlace, nextPowerOfTwo } from '../contract/fft.ts';

/**
 * Transform of a real series read with a stride, zero-padded to re.length (a power of two):
 * numpy.fft.rfft(x, n=re.length) is (re[m], im[m]) for m = 0 … re.length/2.
 */
export function realSeriesSpectrum(values: ArrayLike<number>, offset: number, stride: number, count: number, re: Float64Array, im: Float64Array): void {
  re.fill(0);
  im.fill(0);
  for (let t = 0; t < count; t++) re[t] = values[offset + t * stride];
  fftInPlace(re, im, -1);
}

/**
 * Unshifted 2-D transform of a [height, width] plane zero-padded to [padHeight, padWidth] (powers of two):
 * numpy.fft.fft2(x, s=(padHeight, padWidth)). Returns (re, im) row-major [padHeight, padWidth].
 */
export function fft2(plane: ArrayLike<number>, height: number, width: number, padHeight: number, padWidth: number): { re: Float64Array; im: Float64Array } {
  const re = new Float64Array(padHeight * padWidth);
  const im = new Float64Array(padHeight * padWidth);
  for (let z = 0; z < height; z++) for (let x = 0; x < width; x++) re[z * padWidth + x] = plane[z * width + x];
  const rowRe = new Float64Array(padWidth);
  const rowIm = new Float64Array(padWidth);
  for (let z = 0; z < padHeight; z++) {
    rowRe.set(re.subarray(z * padWidth, (z + 1) * padWidth));
    rowIm.set(im.subarray(z * padWidth, (z + 1) * padWidth));
    fftInPlace(rowRe, rowIm, -1);
    re.set(rowRe, z * padWidth);
    im.set(rowIm, z * padWidth);
  }
  const colRe = new Float64Array(padHeight);
  const colIm = new Float64Array(padHeight);
  for (let x = 0; x < padWidth; x++) {
    for (let z = 0; z < padHeight; z++) {
      colRe[z] = re[z * padWidth + x];
      colIm[z] = im[z * padWidth + x];
    }
    fftInPlace(colRe, colIm, -1);
    for (let z = 0; z < padHeight; z++) {
      re[z * padWidth + x] = colRe[z];
      im[z * padWidth + x] = colIm[z];
    }
  }
  return { re, im };
}
