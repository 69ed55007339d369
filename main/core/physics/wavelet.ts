import type { RickerWavelet } from '../contract/acquisitionGeometry.ts';

/**
 * Ricker wavelet r(t) = (1 − 2β)·exp(−β), β = (π·f·(t − delay))², peak 1.0 at t = delay.
 * `peakFrequencyHz` is the frequency of the spectrum's maximum.
 */
export function rickerValue(timeSeconds: number, peakFrequencyHz: number, delaySeconds: number): number {
  const arg = Math.PI * peakFrequencyHz * (timeSeconds - delaySeconds);
  const beta = arg * arg;
  return (1 - 2 * beta) * Math.exp(-beta);
}

/** Number of wavelet samples: `lengthSteps`, or symmetric about the peak (2·delay/dt + 1). */
export function waveletLengthSteps(wavelet: RickerWavelet, dtSeconds: number): number {
  if (wavelet.lengthSteps !== undefined) return wavelet.lengthSteps;
  return 2 * Math.round(wavelet.delaySeconds / dtSeconds) + 1;
}

/**
 * The sampled source wavelet w[k] for k = 0…steps−1 (zero after the wavelet's length), float32.
 * With dt = 1 ms, 15 Hz and a 73 ms delay this is OpenFWI's: β = (π·f·dt·(73 − k))², 147 samples.
 * The delay is taken in whole steps when it is one (to 1e-9), so the peak sample is exactly 1.
 */
export function sampleWavelet(wavelet: RickerWavelet, dtSeconds: number, steps: number): Float32Array {
  const length = Math.min(waveletLengthSteps(wavelet, dtSeconds), steps);
  const delaySteps = wavelet.delaySeconds / dtSeconds;
  const wholeDelay = Math.abs(delaySteps - Math.round(delaySteps)) < 1e-9 ? Math.round(delaySteps) : delaySteps;
  const samples = new Float32Array(steps);
  for (let k = 0; k < length; k += 1) {
    const arg = Math.PI * wavelet.peakFrequencyHz * dtSeconds * (wholeDelay - k);
    const beta = arg * arg;
    samples[k] = (1 - 2 * beta) * Math.exp(-beta);
  }
  return samples;
}
