/** SEG-Y reading and writing: see reader.ts (layout, chunks), gathers.ts, info.ts, writer.ts. */
export {
  TRACE_FIELDS,
  applyScalar,
  delayRecordingTimeMs,
  traceGeometry,
  type TraceFieldName,
  type TraceGeometry,
  type TraceHeader,
} from './fields.ts';
export { SAMPLE_FORMATS, type SampleFormat, type SampleFormatCode } from './samples.ts';
export { type TextEncoding } from './text.ts';
export {
  DEFAULT_CHUNK_BYTES,
  openSegyLayout,
  readTraceChunks,
  readTraceChunksSync,
  readTraceHeadersSync,
  scanTraceField,
  type ChunkOptions,
  type Endianness,
  type SegyLayout,
  type TraceChunk,
} from './reader.ts';
export { gatherKeyField, segyInfo, type GatherRuns, type SegyInfo, type SegyInfoOptions } from './info.ts';
export {
  gatherToTimeReceivers,
  listGathers,
  pickEvenly,
  readShotGathers,
  resampleShotGather,
  type GatherEntry,
  type GatherGrid,
  type ReadShotGathersOptions,
  type ShotGather,
} from './gathers.ts';
export { SegyWriter, writeSegy, type SegyWriteOptions, type TraceHeaderValues, type WriteSegyOptions } from './writer.ts';
