/** Which trace header fields could group a SEG-Y file's traces into gathers, and how. */
import { TRACE_FIELDS, type TraceFieldName } from './fields.ts';
import { openSegyLayout, readTraceChunks } from './reader.ts';
import type { WorkOptions } from '../../util/progress.ts';

export interface GatherKeyCandidate {
  field: TraceFieldName;
  /** Distinct values of the field: the gathers it would make. */
  gathers: number;
  minTraces: number;
  maxTraces: number;
}

/** Fields that usually identify a shot gather, offered first in this order. */
export const USUAL_GATHER_KEYS: readonly TraceFieldName[] = ['FieldRecord', 'EnergySourcePoint', 'SourceX', 'SourceY', 'CDP', 'INLINE_3D', 'CROSSLINE_3D'];

/** A field with more distinct values than this is no gather key (and its value map stops growing). */
const MAX_DISTINCT = 100_000;

/**
 * One pass over the file's trace headers: every field whose values split the traces into at least
 * two gathers of two or more traces on average, usual shot keys first, then by fewest gathers.
 */
export async function gatherKeyCandidates(path: string, options: WorkOptions = {}): Promise<{ traces: number; candidates: GatherKeyCandidate[] }> {
  const layout = openSegyLayout(path, options);
  const counts = new Map<TraceFieldName, Map<number, number> | null>(TRACE_FIELDS.map((f) => [f.name, new Map()]));
  for await (const chunk of readTraceChunks(layout, options)) {
    for (let t = 0; t < chunk.traceCount; t++) {
      for (const [name, values] of counts) {
        if (!values) continue;
        const value = chunk.field(t, name);
        values.set(value, (values.get(value) ?? 0) + 1);
        if (values.size > MAX_DISTINCT) counts.set(name, null);
      }
    }
  }
  const candidates: GatherKeyCandidate[] = [];
  for (const [field, values] of counts) {
    if (!values || values.size < 2 || values.size * 2 > layout.traceCount) continue;
    const sizes = [...values.values()];
    candidates.push({ field, gathers: values.size, minTraces: Math.min(...sizes), maxTraces: Math.max(...sizes) });
  }
  const rank = (f: TraceFieldName) => (USUAL_GATHER_KEYS.includes(f) ? USUAL_GATHER_KEYS.indexOf(f) : USUAL_GATHER_KEYS.length);
  candidates.sort((a, b) => rank(a.field) - rank(b.field) || a.gathers - b.gathers || a.field.localeCompare(b.field));
  return { traces: layout.traceCount, candidates };
}
