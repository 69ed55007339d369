import { z } from 'zod';

/** The `wavediff segy-info --json` document (snake-case keys are a published contract). */
export const traceGeometrySchema = z.object({
  sourceX: z.number(),
  sourceY: z.number(),
  groupX: z.number(),
  groupY: z.number(),
  cdpX: z.number(),
  cdpY: z.number(),
  offset: z.number(),
  receiverGroupElevation: z.number(),
  sourceSurfaceElevation: z.number(),
  sourceDepth: z.number(),
  receiverDatumElevation: z.number(),
  sourceDatumElevation: z.number(),
  sourceWaterDepth: z.number(),
  groupWaterDepth: z.number(),
});
export const segyInfoSchema = z.object({
  file: z.string(),
  file_size_bytes: z.number(),
  format_code: z.number().int(),
  format_description: z.string(),
  endianness: z.enum(['big', 'little']),
  byte_order_evidence: z.string(),
  text_encoding: z.enum(['ebcdic', 'ascii']),
  /** First 80-character card of the textual header, trailing spaces removed. */
  text_line1: z.string(),
  ext_text_headers: z.number().int(),
  segy_revision: z.object({ major: z.number().int(), minor: z.number().int() }),
  n_traces: z.number().int(),
  samples_per_trace: z.number().int(),
  sample_interval_us: z.number(),
  first_trace_byte_offset: z.number().int(),
  trace_bytes: z.number().int(),
  /** Float64 statistics over every sample of every trace. */
  sum: z.number(),
  sum_sq: z.number(),
  sum_abs: z.number(),
  min: z.number(),
  max: z.number(),
  trace0_first5: z.array(z.number()),
  last_trace_first5: z.array(z.number()),
  /** Raw stored integers, by segyio TraceField name (no scalar applied). */
  first_trace_headers: z.record(z.string(), z.number()),
  last_trace_headers: z.record(z.string(), z.number()),
  /** Coordinates and elevations of the first and last traces with their scalars applied. */
  first_trace_geometry: traceGeometrySchema,
  last_trace_geometry: traceGeometrySchema,
  binary_header: z.record(z.string(), z.number()),
  gathers: z.object({
    /** The TraceField name whose value groups traces. */
    key: z.string(),
    count: z.number().int(),
    /** Key value of each run of consecutive traces sharing it, in file order. */
    values: z.array(z.number()),
    sizes: z.array(z.number().int()),
    first_trace_index: z.array(z.number().int()),
  }),
});
export type SegyInfoDocument = z.infer<typeof segyInfoSchema>;
