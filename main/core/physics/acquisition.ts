import { StudioError } from '../contract/errors.ts';
import { acquisitionGeometrySchema, type AcquisitionGeometry, type GridCell } from '../contract/acquisitionGeometry.ts';

/** Shape of a velocity model batch: N samples of nz rows (depth) × nx columns. */
export interface VelocityShape {
  n: number;
  nz: number;
  nx: number;
}

/** Width of OpenFWI's sponge in cells, on every side. */
export const OPENFWI_SPONGE_CELLS = 120;

/**
 * OpenFWI's forward-modelling geometry for its 70 × 70 models (see shared/OPENFWI.md):
 * 10 m grid, 1 ms × 1000 steps, Ricker 15 Hz peaking at 73 ms over 147 samples,
 * 5 shots at x = 0, 17, 34, 52, 69 and depth index 1, 70 receivers at depth index 1,
 * 120-cell sponge on all four sides (no free surface), every step recorded.
 */
export function openfwiGeometry(): AcquisitionGeometry {
  return {
    spacingMeters: 10,
    timeStepSeconds: 0.001,
    steps: 1000,
    recordEverySteps: 1,
    wavelet: { kind: 'ricker', peakFrequencyHz: 15, delaySeconds: 0.073, lengthSteps: 147 },
    sources: [0, 17, 34, 52, 69].map((x) => ({ x, z: 1 })),
    receivers: Array.from({ length: 70 }, (_, x) => ({ x, z: 1 })),
    boundary: { kind: 'openfwi-sponge' },
    topSurface: 'absorbing',
  };
}

/** Number of recorded time samples: ceil(steps / recordEverySteps). */
export function recordedSamples(geometry: AcquisitionGeometry): number {
  return Math.ceil(geometry.steps / geometry.recordEverySteps);
}

function describeIssuePath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return 'geometry';
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}

/**
 * Parses an acquisition geometry (from JSON or code) and checks it against the velocity model's
 * shape. Throws StudioError('bad_input') naming the field, its value and what is allowed.
 */
export function validateGeometry(geometry: unknown, velocityShape: { nz: number; nx: number }): AcquisitionGeometry {
  const parsed = acquisitionGeometrySchema.safeParse(geometry);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${describeIssuePath(issue.path)}: ${issue.message}`)
      .join('; ');
    throw new StudioError('bad_input', `Invalid acquisition geometry — ${issues}.`);
  }
  checkGeometryInsideModel(parsed.data, velocityShape);
  return parsed.data;
}

/**
 * Checks a parsed geometry against a velocity model's shape: every source and receiver inside it.
 * The schema checks the rest (recording interval, sources off a free surface).
 */
export function checkGeometryInsideModel(g: AcquisitionGeometry, velocityShape: { nz: number; nx: number }): void {
  const { nz, nx } = velocityShape;
  const checkCell = (cell: GridCell, field: string): void => {
    if (cell.x >= nx || cell.z >= nz) {
      throw new StudioError(
        'bad_input',
        `Acquisition geometry ${field} = (x ${cell.x}, z ${cell.z}) lies outside the ${nz} × ${nx} (depth × width) velocity model; ` +
          `x must be < ${nx} and z < ${nz}.`,
      );
    }
  };
  g.sources.forEach((cell, i) => checkCell(cell, `sources[${i}]`));
  g.receivers.forEach((cell, i) => checkCell(cell, `receivers[${i}]`));
}
