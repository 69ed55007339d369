/**
 * Where a gather's receivers lie, for offset and coordinate axes: SEG-Y imports read their stored
 * trace headers; modelled and OpenFWI data take the acquisition geometry they were made with.
 */
import type { DatasetDetail, DatasetPart, GatherPositions } from '../contract/contract.ts';
import { acquisitionGeometrySchema, type AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';
import { applyScalar } from '../io/segy/fields.ts';
import { readNpyRaw } from '../io/npy.ts';
import { projectGeometry } from '../physics/projectGeometry.ts';
import type { Project } from '../store/project.ts';

/** Raw stored header rows of one gather's recorded traces (int32, `fields` order), from a SEG-Y import's headers file. */
export function gatherHeaderRows(project: Project, part: DatasetPart, row: number, source: number): { fields: string[]; rows: Int32Array[] } | null {
  const fields = part.meta.headerFields;
  if (!part.headersFile || !Array.isArray(fields)) return null;
  const raw = readNpyRaw(project.arrayPath(part.headersFile));
  const [, nSources, nTraces, nFields] = raw.shape;
  if (source >= nSources) return null;
  const data = raw.data as Int32Array;
  const base = (row * nSources + source) * nTraces * nFields;
  const recorded = (part.meta.tracesPerGather as number[][] | undefined)?.[row]?.[source] ?? nTraces;
  const rows: Int32Array[] = [];
  for (let r = 0; r < Math.min(recorded, nTraces); r += 1) rows.push(data.subarray(base + r * nFields, base + (r + 1) * nFields));
  return { fields: fields as string[], rows };
}

/**
 * Positions from SEG-Y trace headers: offset (bytes 37–40, no scalar in the standard) and
 * SourceX/GroupX with the coordinate scalar (bytes 71–72). Where every offset is 0 but the
 * coordinates differ, offset = GroupX − SourceX. A resampled gather's receivers sit at trace
 * position j · (n − 1)/(R − 1) (as the import interpolated them), so positions are interpolated alike.
 */
function positionsFromHeaders(headers: { fields: string[]; rows: Int32Array[] }, nReceivers: number, padded: ReadonlySet<number>, measurementSystem: unknown): GatherPositions | null {
  const column = (name: string) => headers.fields.indexOf(name);
  const [iOffset, iSourceX, iGroupX, iScalar] = ['offset', 'SourceX', 'GroupX', 'SourceGroupScalar'].map(column);
  if (headers.rows.length === 0 || iOffset < 0 || iSourceX < 0 || iGroupX < 0 || iScalar < 0) return null;
  const traceOffset = headers.rows.map((h) => h[iOffset]);
  const traceSourceX = headers.rows.map((h) => applyScalar(h[iSourceX], h[iScalar]));
  const traceGroupX = headers.rows.map((h) => applyScalar(h[iGroupX], h[iScalar]));
  const hasCoordinates = traceGroupX.some((x, i) => x !== traceGroupX[0] || traceSourceX[i] !== traceSourceX[0]) || traceGroupX[0] !== traceSourceX[0];
  const hasOffsets = traceOffset.some((o) => o !== 0);
  if (!hasOffsets && !hasCoordinates) return null;
  const offsets = hasOffsets ? traceOffset : traceGroupX.map((x, i) => x - traceSourceX[i]);
  const n = headers.rows.length;
  const resampled = n !== nReceivers && padded.size === 0;
  const at = (values: number[], receiver: number): number | null => {
    if (padded.has(receiver)) return null;
    if (!resampled) return receiver < n ? values[receiver] : null;
    const u = nReceivers > 1 ? (receiver * (n - 1)) / (nReceivers - 1) : 0;
    const lo = Math.floor(u);
    const hi = Math.min(n - 1, lo + 1);
    return values[lo] + (values[hi] - values[lo]) * (u - lo);
  };
  const receivers = Array.from({ length: nReceivers }, (_, r) => r);
  return {
    offset: receivers.map((r) => at(offsets, r)),
    receiverX: hasCoordinates ? receivers.map((r) => at(traceGroupX, r)) : receivers.map(() => null),
    sourceX: hasCoordinates ? traceSourceX[0] : null,
    lengthUnit: measurementSystem === 1 ? 'm' : measurementSystem === 2 ? 'ft' : null,
    basis: `trace headers (${hasOffsets ? 'offset' : 'GroupX − SourceX'}${resampled ? `, interpolated from ${n} traces to ${nReceivers} receivers` : ''})`,
  };
}

function positionsFromGeometry(geometry: AcquisitionGeometry, source: number, basis: string): GatherPositions {
  const spacing = geometry.spacingMeters;
  const sx = geometry.sources[source].x;
  return {
    offset: geometry.receivers.map((r) => spacing * (r.x - sx)),
    receiverX: geometry.receivers.map((r) => spacing * r.x),
    sourceX: spacing * sx,
    lengthUnit: 'm',
    basis,
  };
}

/** The positions of gather `source` of a sample, or null when nothing places its receivers. */
export function gatherPositions(
  project: Project,
  dataset: DatasetDetail,
  part: DatasetPart,
  row: number,
  source: number,
  shape: { nSources: number; nReceivers: number },
  padded: ReadonlySet<number>,
): GatherPositions | null {
  const headers = gatherHeaderRows(project, part, row, source);
  if (headers) {
    const stored = part.meta.segyHeaders as { binaryHeader?: Record<string, number> } | undefined;
    return positionsFromHeaders(headers, shape.nReceivers, padded, stored?.binaryHeader?.MeasurementSystem);
  }
  if (dataset.kind === 'segy') return null;
  const fits = (g: AcquisitionGeometry) => g.sources.length === shape.nSources && g.receivers.length === shape.nReceivers;
  const own = acquisitionGeometrySchema.safeParse(dataset.meta.geometry);
  if (own.success && fits(own.data)) return positionsFromGeometry(own.data, source, 'the acquisition geometry the data was modelled with');
  const current = projectGeometry(project.catalogue);
  if (fits(current)) return positionsFromGeometry(current, source, "the project's acquisition geometry");
  return null;
}
