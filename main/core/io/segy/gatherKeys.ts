/** Which trace header fields could group a SEG-Y file's traces into gathers, and how. */
import fs from 'node:fs';
import { readTraceField, TRACE_FIELDS, TRACE_HEADER_BYTES, type TraceFieldName } from './fields.ts';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { openSegyLayout } from './reader.ts';
import { throwIfCancelled } from '../../util/abort.ts';
import { StudioError } from '../../contract/errors.ts';
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

/** Traces whose headers are read (from the start of the file): enough to see how shots are keyed, quick for a dialog. */
export const GATHER_KEY_SCAN_TRACES = 10_000;
const HEADERS_PER_TURN = 1_000;

/** Sizes of the runs of equal values in a sorted array. */
function groupSizes(sorted: Int32Array): number[] {
  const sizes: number[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    sizes.push(j - i);
    i = j;
  }
  return sizes;
}

/**
 * Reads the headers (not the samples) of the first GATHER_KEY_SCAN_TRACES traces and lists every
 * field whose values split them into at least two gathers of two or more traces on average, usual
 * shot keys first, then by fewest gathers.
 */
export async function gatherKeyCandidates(
  path: string,
  options: WorkOptions = {},
): Promise<{ traces: number; scannedTraces: number; candidates: GatherKeyCandidate[] }> {
  const layout = openSegyLayout(path, options);
  const scannedTraces = Math.min(layout.traceCount, GATHER_KEY_SCAN_TRACES);
  const columns = TRACE_FIELDS.map(() => new Int32Array(scannedTraces));
  const bytes = new Uint8Array(TRACE_HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  const fd = fs.openSync(layout.path, 'r');
  try {
    for (let trace = 0; trace < scannedTraces; trace++) {
      const at = layout.firstTraceOffset + trace * layout.traceBytes;
      if (fs.readSync(fd, bytes, 0, TRACE_HEADER_BYTES, at) !== TRACE_HEADER_BYTES) {
        throw new StudioError('bad_file', `${layout.path}: the file ends inside the header of trace ${trace} (byte offset ${at}); it was probably truncated.`, { byteOffset: at });
      }
      TRACE_FIELDS.forEach((field, f) => (columns[f][trace] = readTraceField(view, 0, field, layout.littleEndian)));
      // The reads are synchronous: let the event loop breathe now and then.
      if ((trace + 1) % HEADERS_PER_TURN === 0) {
        throwIfCancelled(options.signal);
        await nextTurn();
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  const candidates: GatherKeyCandidate[] = [];
  TRACE_FIELDS.forEach((field, f) => {
    const sizes = groupSizes(columns[f].sort());
    if (sizes.length < 2 || sizes.length * 2 > scannedTraces) return;
    candidates.push({ field: field.name, gathers: sizes.length, minTraces: Math.min(...sizes), maxTraces: Math.max(...sizes) });
  });
  const rank = (f: TraceFieldName) => (USUAL_GATHER_KEYS.includes(f) ? USUAL_GATHER_KEYS.indexOf(f) : USUAL_GATHER_KEYS.length);
  candidates.sort((a, b) => rank(a.field) - rank(b.field) || a.gathers - b.gathers || a.field.localeCompare(b.field));
  return { traces: layout.traceCount, scannedTraces, candidates };
}
