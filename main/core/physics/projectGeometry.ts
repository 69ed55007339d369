import type { Catalogue } from '../store/catalogue.ts';
import { openfwiGeometry, validateGeometry } from './acquisition.ts';
import { type AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';

const geometryKey = 'acquisition_geometry';

/** The project's acquisition geometry: what the user set, else OpenFWI's. */
export function projectGeometry(catalogue: Catalogue): AcquisitionGeometry {
  const stored = catalogue.getMeta(geometryKey);
  return stored ? (JSON.parse(stored) as AcquisitionGeometry) : openfwiGeometry();
}

/**
 * Stores a geometry after checking it on the largest model its sources and receivers address
 * (every run checks it again against the actual model); null restores OpenFWI's.
 */
export function setProjectGeometry(catalogue: Catalogue, geometry: unknown | null): AcquisitionGeometry {
  if (geometry === null) {
    catalogue.setMeta(geometryKey, JSON.stringify(openfwiGeometry()));
    return openfwiGeometry();
  }
  const cells = [...((geometry as { sources?: { x: number; z: number }[] }).sources ?? []), ...((geometry as { receivers?: { x: number; z: number }[] }).receivers ?? [])];
  const extent = { nz: Math.max(1, ...cells.map((c) => Number(c.z) + 1)), nx: Math.max(1, ...cells.map((c) => Number(c.x) + 1)) };
  const valid = validateGeometry(geometry, extent);
  catalogue.setMeta(geometryKey, JSON.stringify(valid));
  return valid;
}
