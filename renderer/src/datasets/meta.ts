/**
 * A dataset's `meta` record in words for its properties table: each key the studio writes gets a
 * label and a value a person reads (the gather key as a header field, the geometry as its sources
 * and receivers, files by name); empty entries (null, []) are left out. Pure: no DOM.
 */
import { describeGeometry, readGeometry } from '../physics/geometryForm.ts';
import { formatCount, formatNumber } from '../app/humanReadable.ts';

export interface MetaRow {
  label: string;
  value: string;
}

/** Keys the properties table shows under their own labels (sample interval, grid spacing, padding, resampling). */
export const metaShownElsewhere = new Set(['sampleIntervalMs', 'gridSpacingM', 'paddedTraces', 'resampling']);

const baseName = (file: string): string => file.split(/[\\/]/).pop() ?? file;

/** "gatherKey" → "Gather key", "fromDataset" → "From dataset". */
export function humaniseKey(key: string): string {
  const words = key.replace(/_/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function plainValue(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) {
    if (value.length === 0) return null;
    const items = value.map(plainValue).filter((v): v is string => v !== null);
    return items.length > 8 ? `${items.slice(0, 8).join(', ')}, … (${value.length} in all)` : items.join(', ');
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => [k, plainValue(v)] as const)
      .filter(([, v]) => v !== null);
    return entries.length ? entries.map(([k, v]) => `${humaniseKey(k).toLowerCase()} ${v}`).join('; ') : null;
  }
  return String(value);
}

/** The rows for one meta key, or none. */
function describeEntry(key: string, value: unknown): MetaRow[] {
  switch (key) {
    case 'gatherKey':
      return typeof value === 'string' ? [{ label: 'Gathers grouped by', value: `${value} (trace header field)` }] : [];
    case 'files':
      return Array.isArray(value) && value.length > 0
        ? [{ label: 'Files', value: `${formatCount(value.length, 'file')}: ${plainValue(value.map((f) => baseName(String(f))))}` }]
        : [];
    case 'geometry': {
      try {
        const rows = describeGeometry(readGeometry(value as Record<string, unknown>));
        return rows.map((row) => ({ label: `Geometry: ${row.label.toLowerCase()}`, value: row.value }));
      } catch {
        return [];
      }
    }
    case 'family':
      return typeof value === 'string' ? [{ label: 'Velocity family', value }] : [];
    case 'fromDataset':
      return typeof value === 'number' ? [{ label: 'Modelled from', value: `dataset ${value}` }] : [];
    case 'layout':
      return typeof value === 'string' ? [{ label: 'OpenFWI layout', value }] : [];
    default: {
      const text = plainValue(value);
      return text === null ? [] : [{ label: humaniseKey(key), value: text }];
    }
  }
}

/** Rows for every meta entry the table does not show elsewhere, in the order the studio wrote them. */
export function describeDatasetMeta(meta: Record<string, unknown>): MetaRow[] {
  return Object.entries(meta)
    .filter(([key]) => !metaShownElsewhere.has(key))
    .flatMap(([key, value]) => describeEntry(key, value));
}
