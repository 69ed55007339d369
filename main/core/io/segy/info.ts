/** A one-pass summary of a SEG-Y file: layout, sample statistics, first/last trace headers, gathers. */
import type { WorkOptions } from '../../util/progress.ts';
import { StudioError } from '../../contract/errors.ts';
import type { SegyInfoDocument } from '../../contract/segyInfo.ts';
import { TRACE_FIELDS, traceFieldNamed, traceGeometry, type TraceFieldName, type TraceGeometry, type TraceHeader } from './fields.ts';
import { openSegyLayout, readTraceChunks, type SegyLayout } from './reader.ts';
import { textLines } from './text.ts';
import { defaultGatherKey } from '../../contract/parameters.ts';

/** The `wavediff segy-info --json` document, declared in the contract (snake-case keys are a published contract). */
export type SegyInfo = Omit<SegyInfoDocument, 'first_trace_headers' | 'last_trace_headers'> & { first_trace_headers: TraceHeader; last_trace_headers: TraceHeader };
export type GatherRuns = SegyInfo['gathers'];

export interface SegyInfoOptions extends WorkOptions {
  /** TraceField that groups traces into gathers (default: the contract's defaultGatherKey). */
  gatherKey?: string;
  chunkBytes?: number;
}

/** Checks a user-given TraceField name; the error lists the valid ones. */
export function gatherKeyField(name: string | undefined): TraceFieldName {
  const field = traceFieldNamed(name ?? defaultGatherKey);
  if (!field) {
    throw new StudioError(
      'bad_input',
      `Unknown trace header field '${name}' for grouping gathers; use a segyio TraceField name such as FieldRecord, EnergySourcePoint, CDP or INLINE_3D (all: ${TRACE_FIELDS.map((f) => f.name).join(', ')}).`,
    );
  }
  return field.name;
}

/** Reads the whole file once (bounded memory) and summarises it. */
export async function segyInfo(path: string, options: SegyInfoOptions = {}): Promise<SegyInfo> {
  const layout: SegyLayout = openSegyLayout(path, options);
  const key = gatherKeyField(options.gatherKey);
  let sum = 0;
  let sumSq = 0;
  let sumAbs = 0;
  let min = Infinity;
  let max = -Infinity;
  let trace0First5: number[] = [];
  let lastFirst5: number[] = [];
  let firstHeaders: TraceHeader | undefined;
  let lastHeaders: TraceHeader | undefined;
  const gathers: GatherRuns = { key, count: 0, values: [], sizes: [], first_trace_index: [] };
  const ns = layout.samplesPerTrace;
  for await (const chunk of readTraceChunks(layout, { ...options, precision: 'float64' })) {
    const samples = chunk.samples;
    for (let i = 0; i < samples.length; i++) {
      const v = samples[i];
      sum += v;
      sumSq += v * v;
      sumAbs += Math.abs(v);
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (chunk.firstTrace === 0) {
      trace0First5 = Array.from(samples.subarray(0, Math.min(5, ns)));
      firstHeaders = chunk.header(0);
    }
    const last = chunk.traceCount - 1;
    if (chunk.firstTrace + last === layout.traceCount - 1) {
      lastFirst5 = Array.from(samples.subarray(last * ns, last * ns + Math.min(5, ns)));
      lastHeaders = chunk.header(last);
    }
    for (let t = 0; t < chunk.traceCount; t++) {
      const value = chunk.field(t, key);
      const runs = gathers.values.length;
      if (runs > 0 && gathers.values[runs - 1] === value) gathers.sizes[runs - 1] += 1;
      else {
        gathers.values.push(value);
        gathers.sizes.push(1);
        gathers.first_trace_index.push(chunk.firstTrace + t);
      }
    }
  }
  gathers.count = gathers.values.length;
  return {
    file: path,
    file_size_bytes: layout.fileSizeBytes,
    format_code: layout.format.code,
    format_description: layout.format.description,
    endianness: layout.endianness,
    byte_order_evidence: layout.byteOrderEvidence,
    text_encoding: layout.textEncoding,
    text_line1: textLines(layout.textHeader)[0].trimEnd(),
    ext_text_headers: layout.extendedTextHeaders.length,
    segy_revision: layout.revision,
    n_traces: layout.traceCount,
    samples_per_trace: ns,
    sample_interval_us: layout.sampleIntervalUs,
    first_trace_byte_offset: layout.firstTraceOffset,
    trace_bytes: layout.traceBytes,
    sum,
    sum_sq: sumSq,
    sum_abs: sumAbs,
    min,
    max,
    trace0_first5: trace0First5,
    last_trace_first5: lastFirst5,
    first_trace_headers: firstHeaders!,
    last_trace_headers: lastHeaders!,
    first_trace_geometry: traceGeometry(firstHeaders!),
    last_trace_geometry: traceGeometry(lastHeaders!),
    binary_header: layout.binaryHeader,
    gathers,
  };
}
