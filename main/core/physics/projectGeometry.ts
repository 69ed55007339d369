import type { Catalogue } from '../store/catalogue.ts';
import { StudioError } from '../contract/errors.ts';
import { checkGeometryInsideModel, openfwiGeometry } from './acquisition.ts';
import { acquisitionGeometrySchema, type AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';

const geometryKey = 'acquisition_geometry';

/** The project's acquisition geometry: what the user set, else OpenFWI's. */
export function projectGeometry(catalogue: Catalogue): AcquisitionGeometry {
  const stored = catalogue.getMeta(geometryKey);
  if (!stored) return openfwiGeometry();
  let json: unknown;
  try {
    json = JSON.parse(stored);
  } catch (error) {
    throw new StudioError('bad_file', `The project's stored acquisition geometry (meta '${geometryKey}') is not JSON (${(error as Error).message}); set it again in Settings.`);
  }
  const parsed = acquisitionGeometrySchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.map(String).join('.') || '(geometry)').join(', ');
    throw new StudioError('bad_file', `The project's stored acquisition geometry (meta '${geometryKey}') is invalid at ${fields}; set it again in Settings.`);
  }
  return parsed.data;
}

/**
 * Stores a geometry (parsed by the contract at dispatch) after checking it fits the largest model
 * its sources and receivers address (every run checks it again against the actual model); null
 * restores OpenFWI's.
 */
export function setProjectGeometry(catalogue: Catalogue, geometry: AcquisitionGeometry | null): AcquisitionGeometry {
  const chosen = geometry ?? openfwiGeometry();
  const cells = [...chosen.sources, ...chosen.receivers];
  checkGeometryInsideModel(chosen, { nz: Math.max(...cells.map((c) => c.z + 1)), nx: Math.max(...cells.map((c) => c.x + 1)) });
  catalogue.setMeta(geometryKey, JSON.stringify(chosen));
  return chosen;
}
