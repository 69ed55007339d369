import type { AcquisitionGeometry } from '../../contract/acquisitionGeometry.ts';

/**
 * A cheap geometry for tests of code built on the solver (deviation, synthesis, CLI): 16 × 16
 * models at 10 m, 120 steps of 1 ms recorded every 2nd, 15 Hz Ricker, two shots, 16 receivers,
 * a 20-cell sponge. About 0.75 M cell updates per sample (OpenFWI's: 480 M).
 */
export const TINY_SHAPE = { nz: 16, nx: 16 } as const;

export function tinyGeometry(): AcquisitionGeometry {
  return {
    spacingMeters: 10,
    timeStepSeconds: 0.001,
    steps: 120,
    recordEverySteps: 2,
    wavelet: { kind: 'ricker', peakFrequencyHz: 15, delaySeconds: 0.04 },
    sources: [
      { x: 2, z: 1 },
      { x: 13, z: 1 },
    ],
    receivers: Array.from({ length: 16 }, (_, x) => ({ x, z: 1 })),
    boundary: { kind: 'sponge', widthCells: 20 },
    topSurface: 'absorbing',
  };
}
