import { z } from 'zod';

/**
 * Acquisition geometry: everything about a forward-modelling run except the velocity model,
 * as a serialisable JSON object. Positions are grid indices of the (unpadded) velocity model:
 * `x` counts columns (width), `z` counts rows (depth), both from 0.
 */

/** A cell of the velocity model, by index: x = column, z = row (depth). */
export const gridCellSchema = z.object({
  x: z.number().int().nonnegative(),
  z: z.number().int().nonnegative(),
});
export type GridCell = z.infer<typeof gridCellSchema>;

export const rickerWaveletSchema = z.object({
  kind: z.literal('ricker'),
  /** Frequency of the spectrum's peak. */
  peakFrequencyHz: z.number().positive().finite(),
  /** Time of the wavelet's peak after the start of the run. */
  delaySeconds: z.number().nonnegative().finite(),
  /** Samples of the wavelet; zero after. Default: symmetric about the peak, 2·delay/dt + 1. */
  lengthSteps: z.number().int().positive().optional(),
});
export type RickerWavelet = z.infer<typeof rickerWaveletSchema>;

/** Width of a narrow damping sponge, in cells. */
export const spongeWidthCellsSchema = z.number().int().min(20).max(400);
/** Width of a PML, in cells. */
export const pmlWidthCellsSchema = z.number().int().min(8).max(200);

export const boundarySchema = z.discriminatedUnion('kind', [
  /** OpenFWI's: 120 cells of quadratic damping, velocities replicated from the edge, periodic wrap outside. */
  z.object({ kind: z.literal('openfwi-sponge') }),
  /**
   * A narrower damping sponge (OpenFWI's scheme, R = 1e-3 profile, see `spongeDamping` in physics/paddedGrid.ts):
   * cheap but reflective, far more than 'pml' at any width; the levels measured by `npm run bench:sponge` are in
   * main/core/physics/README.md ("How much each boundary reflects"). Prefer 'pml' for accuracy.
   */
  z.object({ kind: z.literal('sponge'), widthCells: spongeWidthCellsSchema }),
  /**
   * A perfectly matched layer (convolutional PML for the second-order equation) of `widthCells`
   * (about 20) at a fraction of OpenFWI's sponge cost; its reflection is measured beside the sponges'
   * in main/core/physics/README.md.
   */
  z.object({ kind: z.literal('pml'), widthCells: pmlWidthCellsSchema }),
]);
export type BoundarySpec = z.infer<typeof boundarySchema>;

export const acquisitionGeometrySchema = z.object({
  /** Grid spacing, the same along x and z. */
  spacingMeters: z.number().positive().finite(),
  timeStepSeconds: z.number().positive().finite(),
  /** Number of time steps (updates) per shot. */
  steps: z.number().int().positive().max(1_000_000),
  /** Record the receivers after updates 0, k, 2k, …: ceil(steps / k) time samples. */
  recordEverySteps: z.number().int().positive(),
  wavelet: rickerWaveletSchema,
  /** One shot per source, each independent. */
  sources: z.array(gridCellSchema).min(1),
  receivers: z.array(gridCellSchema).min(1),
  boundary: boundarySchema,
  /** 'free': p = 0 on model row 0 (no padding above it); 'absorbing': the boundary on top too. */
  topSurface: z.enum(['free', 'absorbing']),
}).superRefine((g, ctx) => {
  if (g.recordEverySteps > g.steps) {
    ctx.addIssue({ code: 'custom', path: ['recordEverySteps'], message: `${g.recordEverySteps} exceeds steps = ${g.steps}; use at most ${g.steps}` });
  }
  if (g.topSurface === 'free') {
    g.sources.forEach((cell, i) => {
      if (cell.z === 0) ctx.addIssue({ code: 'custom', path: ['sources', i], message: 'at z = 0, on the free surface where the pressure is held at 0; put it at z ≥ 1' });
    });
  }
});
export type AcquisitionGeometry = z.infer<typeof acquisitionGeometrySchema>;

/** Milliseconds between recorded time samples: Δt · recordEverySteps. */
export function sampleIntervalMs(geometry: Pick<AcquisitionGeometry, 'timeStepSeconds' | 'recordEverySteps'>): number {
  return geometry.timeStepSeconds * geometry.recordEverySteps * 1000;
}
