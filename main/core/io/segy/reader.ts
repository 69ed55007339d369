/**
 * SEG-Y reading: the file layout from the textual and binary headers, then traces in chunks of
 * whole traces (about 8 MiB each by default), so a file of any size is read with bounded memory.
 */
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { StudioError } from '../../contract/errors.ts';
import { throwIfCancelled } from '../../util/abort.ts';
import type { WorkOptions } from '../../util/progress.ts';
import {
  BINARY,
  FILE_HEADER_BYTES,
  TEXT_HEADER_BYTES,
  TRACE_HEADER_BYTES,
  TRACE_FIELD_BY_NAME,
  binaryOffset,
  readTraceField,
  readTraceHeader,
  type TraceFieldName,
  type TraceHeader,
} from './fields.ts';
import { HOST_LITTLE_ENDIAN, decodeSamples, sampleFormat, swapInPlace, type SampleFormat } from './sampleFormats.ts';
import { decodeText, detectTextEncoding, isEndTextStanza, type TextEncoding } from './text.ts';

export type Endianness = 'big' | 'little';

/** Everything needed to find and decode any trace of a file, read from its headers. */
export interface SegyLayout {
  path: string;
  fileSizeBytes: number;
  endianness: Endianness;
  littleEndian: boolean;
  /** How the byte order was decided. */
  byteOrderEvidence: 'byte-order word (bytes 3297-3300)' | 'plausible format code (bytes 3225-3226)';
  format: SampleFormat;
  textEncoding: TextEncoding;
  /** The 3200-character primary textual header, decoded. */
  textHeader: string;
  /** Each extended textual header decoded (its own encoding detected: stanzas are often ASCII). */
  extendedTextHeaders: string[];
  samplesPerTrace: number;
  sampleIntervalUs: number;
  /** Revision bytes 3501 (major) and 3502 (minor) as stored. */
  revision: { major: number; minor: number };
  firstTraceOffset: number;
  /** 240 + samplesPerTrace × bytes per sample. */
  traceBytes: number;
  traceCount: number;
  /** Binary header words as stored (signed 16/32-bit; `Samples` unsigned). */
  binaryHeader: Record<string, number>;
  /** What has been read through this layout since it was opened (see SegyReads). */
  reads: SegyReads;
}

/**
 * Work done on one opened file: passes that scanned a header field over every trace, and traces
 * whose samples were decoded. An import reads each file's headers once, scans its gather key once
 * and decodes only the traces of the gathers it keeps.
 */
export interface SegyReads {
  fieldScans: number;
  tracesDecoded: number;
}

export interface OpenOptions {
  /** Non-fatal findings, e.g. a sample count taken from the first trace header. */
  onNotice?: (message: string) => void;
}

function badFile(path: string, message: string, details?: Record<string, unknown>): StudioError {
  return new StudioError('bad_file', `${path}: ${message}`, { path, ...details });
}

/** The share of bytes that are printable text (or NUL padding) in the given encoding. */
function printableShare(bytes: Uint8Array, encoding: TextEncoding): number {
  const text = decodeText(bytes, encoding);
  let printable = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || c === 10 || c === 13 || (c >= 0x20 && c < 0x7f)) printable++;
  }
  return printable / Math.max(1, text.length);
}

/**
 * A Seismic Unix file is a run of (240-byte header + samples) traces with no file header; its
 * first header holds the sample count at bytes 115-116. True when that count, in either byte
 * order, tiles the file with 4-byte samples.
 */
function looksLikeSeismicUnix(head: DataView, fileSizeBytes: number): boolean {
  for (const little of [true, false]) {
    const ns = head.getUint16(114, little);
    const traceBytes = TRACE_HEADER_BYTES + 4 * ns;
    if (ns > 0 && fileSizeBytes % traceBytes === 0) return true;
  }
  return false;
}

const VALID_FORMATS = 'one of 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 15, 16';

function readExactlySync(fd: number, buffer: Uint8Array, position: number): number {
  let done = 0;
  while (done < buffer.byteLength) {
    const n = fs.readSync(fd, buffer, done, buffer.byteLength - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** Reads traces [trace, trace + count) into the front of `buffer`; refuses a file that changed under us. */
async function readTraceBytes(handle: FileHandle, layout: SegyLayout, buffer: Uint8Array, trace: number, count: number): Promise<Uint8Array> {
  const raw = buffer.subarray(0, count * layout.traceBytes);
  const got = await readExactly(handle, raw, layout.firstTraceOffset + trace * layout.traceBytes);
  if (got !== raw.byteLength) throw changedUnderneath(layout, trace);
  return raw;
}

async function readExactly(handle: FileHandle, buffer: Uint8Array, position: number): Promise<number> {
  let done = 0;
  while (done < buffer.byteLength) {
    const { bytesRead } = await handle.read(buffer, done, buffer.byteLength - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

/**
 * Reads and checks a file's headers. Byte order: the rev-2 byte-order word (bytes 3297-3300)
 * when it reads 0x01020304 in one of the two orders, otherwise the order in which the sample
 * format code is a valid one. Sample count: rev 2's extended count (bytes 3269-3272) when the
 * major revision is ≥ 2 and it is set, else bytes 3221-3222 read unsigned, else (when zero) the
 * first trace header's bytes 115-116 with a notice.
 */
export function openSegyLayout(path: string, options: OpenOptions = {}): SegyLayout {
  const fd = fs.openSync(path, 'r');
  try {
    return readLayout(path, fd, options);
  } finally {
    fs.closeSync(fd);
  }
}

function readLayout(path: string, fd: number, options: OpenOptions): SegyLayout {
  const fileSizeBytes = fs.fstatSync(fd).size;
  if (fileSizeBytes < FILE_HEADER_BYTES) {
    throw badFile(
      path,
      `not a SEG-Y file: it ends at byte ${fileSizeBytes}, inside the 3600-byte textual and binary header every SEG-Y file starts with.`,
      { byteOffset: fileSizeBytes },
    );
  }
  const head = new Uint8Array(FILE_HEADER_BYTES);
  readExactlySync(fd, head, 0);
  const view = new DataView(head.buffer);
  const textBytes = head.subarray(0, TEXT_HEADER_BYTES);
  const textEncoding = detectTextEncoding(textBytes);
  const textHeader = decodeText(textBytes, textEncoding);

  const formatAt = binaryOffset(BINARY.Format) + TEXT_HEADER_BYTES;
  const formatBig = view.getInt16(formatAt, false);
  const formatLittle = view.getInt16(formatAt, true);
  const byteOrderWord = view.getUint32(binaryOffset(BINARY.ByteOrder) + TEXT_HEADER_BYTES, false);
  let littleEndian: boolean;
  let byteOrderEvidence: SegyLayout['byteOrderEvidence'];
  if (byteOrderWord === 0x01020304 || byteOrderWord === 0x04030201) {
    littleEndian = byteOrderWord === 0x04030201;
    byteOrderEvidence = 'byte-order word (bytes 3297-3300)';
  } else {
    byteOrderEvidence = 'plausible format code (bytes 3225-3226)';
    const bigValid = sampleFormat(formatBig) !== undefined;
    const littleValid = sampleFormat(formatLittle) !== undefined;
    if (bigValid || littleValid) {
      littleEndian = !bigValid;
    } else {
      const textLike = Math.max(printableShare(textBytes, 'ascii'), printableShare(textBytes, 'ebcdic')) >= 0.75;
      if (!textLike || looksLikeSeismicUnix(new DataView(head.buffer), fileSizeBytes)) {
        const su = looksLikeSeismicUnix(new DataView(head.buffer), fileSizeBytes)
          ? ' Its layout matches a Seismic Unix (SU) file, which has no SEG-Y file header: convert it with SU\'s segyhdrs/segywrite first.'
          : '';
        throw badFile(
          path,
          `not a SEG-Y (SEGY) file: the first 3200 bytes are not a textual header and the binary header is invalid (data sample format code at bytes 3225-3226, byte offset ${formatAt}, reads ${formatBig} big-endian / ${formatLittle} little-endian; expected ${VALID_FORMATS}).${su}`,
          { byteOffset: formatAt, field: 'Format' },
        );
      }
      const obsolete = formatBig === 4 || formatLittle === 4 ? ' Format 4 (fixed point with gain) is obsolete and not supported.' : '';
      throw badFile(
        path,
        `unknown data sample format code ${formatBig} (big-endian; ${formatLittle} read little-endian) in the binary header field Format, bytes 3225-3226 (byte offset ${formatAt}); a SEG-Y rev 2 reader knows ${VALID_FORMATS}.${obsolete}`,
        { byteOffset: formatAt, field: 'Format' },
      );
    }
  }

  const u16 = (byte: number): number => view.getUint16(byte - 1, littleEndian);
  const i16 = (byte: number): number => view.getInt16(byte - 1, littleEndian);
  const i32 = (byte: number): number => view.getInt32(byte - 1, littleEndian);
  const u32 = (byte: number): number => view.getUint32(byte - 1, littleEndian);
  const u64 = (byte: number): number => Number(view.getBigUint64(byte - 1, littleEndian));

  const formatCode = i16(BINARY.Format);
  const format = sampleFormat(formatCode);
  if (!format) {
    throw badFile(
      path,
      `unknown data sample format code ${formatCode} in the binary header field Format, bytes 3225-3226 (byte offset ${formatAt}, ${littleEndian ? 'little' : 'big'}-endian per the byte-order word); a SEG-Y rev 2 reader knows ${VALID_FORMATS}.`,
      { byteOffset: formatAt, field: 'Format' },
    );
  }
  const revision = { major: head[BINARY.SEGYRevision - 1], minor: head[BINARY.SEGYRevisionMinor - 1] };
  const binaryHeader: Record<string, number> = {
    JobID: i32(BINARY.JobID),
    LineNumber: i32(BINARY.LineNumber),
    ReelNumber: i32(BINARY.ReelNumber),
    Traces: i16(BINARY.Traces),
    AuxTraces: i16(BINARY.AuxTraces),
    Interval: u16(BINARY.Interval),
    IntervalOriginal: u16(BINARY.IntervalOriginal),
    Samples: u16(BINARY.Samples),
    SamplesOriginal: u16(BINARY.SamplesOriginal),
    Format: formatCode,
    EnsembleFold: i16(BINARY.EnsembleFold),
    SortingCode: i16(BINARY.SortingCode),
    MeasurementSystem: i16(BINARY.MeasurementSystem),
    ExtSamples: u32(BINARY.ExtSamples),
    ExtInterval: view.getFloat64(BINARY.ExtInterval - 1, littleEndian),
    SEGYRevision: u16(BINARY.SEGYRevision),
    TraceFlag: i16(BINARY.TraceFlag),
    ExtendedHeaders: i16(BINARY.ExtendedHeaders),
    ExtTraces: u64(BINARY.ExtTraces),
    FirstTraceOffset: u64(BINARY.FirstTraceOffset),
  };
  const rev2 = revision.major >= 2;

  // Extended textual headers.
  const extendedCount = binaryHeader.ExtendedHeaders;
  const extendedTextHeaders: string[] = [];
  const readTextBlock = (index: number): string | undefined => {
    const at = FILE_HEADER_BYTES + index * TEXT_HEADER_BYTES;
    if (at + TEXT_HEADER_BYTES > fileSizeBytes) return undefined;
    const block = new Uint8Array(TEXT_HEADER_BYTES);
    readExactlySync(fd, block, at);
    return decodeText(block, detectTextEncoding(block));
  };
  if (extendedCount === -1) {
    for (let index = 0; ; index++) {
      const text = readTextBlock(index);
      if (text === undefined) {
        throw badFile(
          path,
          `the binary header (bytes 3505-3506, ExtendedHeaders) says -1: a variable number of extended textual headers ended by a ((SEG: EndText)) stanza, but no such stanza was found in the ${index} headers before the end of the file.`,
          { byteOffset: binaryOffset(BINARY.ExtendedHeaders) + TEXT_HEADER_BYTES, field: 'ExtendedHeaders' },
        );
      }
      extendedTextHeaders.push(text);
      if (isEndTextStanza(text)) break;
    }
  } else if (extendedCount > 0) {
    if (FILE_HEADER_BYTES + extendedCount * TEXT_HEADER_BYTES >= fileSizeBytes) {
      throw badFile(
        path,
        `the binary header (bytes 3505-3506, ExtendedHeaders) announces ${extendedCount} extended textual headers (${extendedCount * TEXT_HEADER_BYTES} bytes), which leaves no room for traces in a ${fileSizeBytes}-byte file.`,
        { byteOffset: binaryOffset(BINARY.ExtendedHeaders) + TEXT_HEADER_BYTES, field: 'ExtendedHeaders' },
      );
    }
    for (let index = 0; index < extendedCount; index++) extendedTextHeaders.push(readTextBlock(index)!);
  } else if (extendedCount < -1) {
    throw badFile(
      path,
      `invalid extended textual header count ${extendedCount} in the binary header (bytes 3505-3506, ExtendedHeaders); it must be ≥ 0, or -1 for a variable count.`,
      { byteOffset: binaryOffset(BINARY.ExtendedHeaders) + TEXT_HEADER_BYTES, field: 'ExtendedHeaders' },
    );
  }
  let firstTraceOffset = FILE_HEADER_BYTES + extendedTextHeaders.length * TEXT_HEADER_BYTES;
  if (fileSizeBytes === firstTraceOffset) {
    throw badFile(
      path,
      `the file holds no traces: it ends right after its ${firstTraceOffset}-byte headers (textual, binary${extendedTextHeaders.length ? ', extended textual' : ''}); no data follows.`,
      { byteOffset: firstTraceOffset },
    );
  }
  const firstTraceHeader = new Uint8Array(TRACE_HEADER_BYTES);
  const firstHeaderBytes = readExactlySync(fd, firstTraceHeader, firstTraceOffset);
  const firstHeaderView = new DataView(firstTraceHeader.buffer);

  // Samples per trace.
  let samplesPerTrace = rev2 && binaryHeader.ExtSamples > 0 ? binaryHeader.ExtSamples : binaryHeader.Samples;
  if (samplesPerTrace === 0) {
    const fromTrace = firstHeaderBytes >= 116 ? firstHeaderView.getUint16(114, littleEndian) : 0;
    if (fromTrace === 0) {
      throw badFile(
        path,
        'the number of samples per trace is zero in the binary header (bytes 3221-3222, Samples) and in the first trace header (bytes 115-116, TRACE_SAMPLE_COUNT); the traces cannot be located.',
        { byteOffset: binaryOffset(BINARY.Samples) + TEXT_HEADER_BYTES, field: 'Samples' },
      );
    }
    options.onNotice?.(
      `${path}: the binary header says 0 samples per trace (bytes 3221-3222); using ${fromTrace} from the first trace header (TRACE_SAMPLE_COUNT, bytes 115-116).`,
    );
    samplesPerTrace = fromTrace;
  }

  // Sample interval.
  let sampleIntervalUs = rev2 && Number.isFinite(binaryHeader.ExtInterval) && binaryHeader.ExtInterval > 0
    ? binaryHeader.ExtInterval
    : binaryHeader.Interval;
  if (sampleIntervalUs === 0 && firstHeaderBytes >= 118) {
    const fromTrace = firstHeaderView.getUint16(116, littleEndian);
    if (fromTrace > 0) {
      options.onNotice?.(
        `${path}: the binary header says a sample interval of 0 (bytes 3217-3218); using ${fromTrace} µs from the first trace header (TRACE_SAMPLE_INTERVAL, bytes 117-118).`,
      );
      sampleIntervalUs = fromTrace;
    }
  }

  const traceBytes = TRACE_HEADER_BYTES + samplesPerTrace * format.bytesPerSample;
  // rev 2 may place the first trace further on (bytes 3521-3528); trust it only when it tiles the file.
  const declaredOffset = binaryHeader.FirstTraceOffset;
  if (rev2 && declaredOffset > firstTraceOffset && declaredOffset < fileSizeBytes && (fileSizeBytes - declaredOffset) % traceBytes === 0) {
    firstTraceOffset = declaredOffset;
  }
  const dataBytes = fileSizeBytes - firstTraceOffset;
  const leftover = dataBytes % traceBytes;
  const traceCount = Math.floor(dataBytes / traceBytes);
  if (leftover !== 0) {
    const partialAt = firstTraceOffset + traceCount * traceBytes;
    throw badFile(
      path,
      `the file is truncated or not a whole number of traces: its size ${fileSizeBytes} bytes leaves ${leftover} bytes of a partial trace at byte offset ${partialAt} after ${traceCount} complete traces of ${traceBytes} bytes (240-byte header + ${samplesPerTrace} samples × ${format.bytesPerSample} bytes, format ${format.code}).`,
      { byteOffset: partialAt, traceCount, traceBytes },
    );
  }
  return {
    path,
    fileSizeBytes,
    endianness: littleEndian ? 'little' : 'big',
    littleEndian,
    byteOrderEvidence,
    format,
    textEncoding,
    textHeader,
    extendedTextHeaders,
    samplesPerTrace,
    sampleIntervalUs,
    revision,
    firstTraceOffset,
    traceBytes,
    traceCount,
    binaryHeader,
    reads: { fieldScans: 0, tracesDecoded: 0 },
  };
}

/** A run of consecutive whole traces, decoded. */
export interface TraceChunk<Samples extends Float32Array | Float64Array = Float32Array> {
  /** Index (0-based, in file order) of the chunk's first trace. */
  firstTrace: number;
  traceCount: number;
  samplesPerTrace: number;
  /** Samples, shape [traceCount, samplesPerTrace], trace-major. */
  samples: Samples;
  /** The raw 240-byte trace headers, shape [traceCount, 240], in the file's byte order. */
  headerBytes: Uint8Array;
  littleEndian: boolean;
  /** One stored trace header field (signed integer) of trace `trace` (0-based within the chunk). */
  field(trace: number, name: TraceFieldName): number;
  /** All 91 stored fields of trace `trace` (0-based within the chunk). */
  header(trace: number): TraceHeader;
}

export interface ChunkOptions<P extends 'float32' | 'float64' = 'float32'> extends WorkOptions {
  /** Approximate bytes read per chunk (whole traces; at least one). Default 8 MiB. */
  chunkBytes?: number;
  /** First trace to read (default 0) and how many (default: to the end). */
  firstTrace?: number;
  traceCount?: number;
  /** Sample precision of the decoded chunk (default float32). */
  precision?: P;
}

export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;

type SamplesOf<P> = P extends 'float64' ? Float64Array : Float32Array;

class DecodedChunk<S extends Float32Array | Float64Array> implements TraceChunk<S> {
  readonly firstTrace: number;
  readonly traceCount: number;
  readonly samplesPerTrace: number;
  readonly samples: S;
  readonly headerBytes: Uint8Array;
  readonly littleEndian: boolean;
  private readonly headerView: DataView;

  constructor(firstTrace: number, traceCount: number, samplesPerTrace: number, samples: S, headerBytes: Uint8Array, littleEndian: boolean) {
    this.firstTrace = firstTrace;
    this.traceCount = traceCount;
    this.samplesPerTrace = samplesPerTrace;
    this.samples = samples;
    this.headerBytes = headerBytes;
    this.littleEndian = littleEndian;
    this.headerView = new DataView(headerBytes.buffer, headerBytes.byteOffset, headerBytes.byteLength);
  }

  field(trace: number, name: TraceFieldName): number {
    return readTraceField(this.headerView, trace * TRACE_HEADER_BYTES, TRACE_FIELD_BY_NAME.get(name)!, this.littleEndian);
  }

  header(trace: number): TraceHeader {
    return readTraceHeader(this.headerView, trace * TRACE_HEADER_BYTES, this.littleEndian);
  }
}

/** Decodes `traceCount` whole traces held in `raw` (the bytes are byte-swapped in place). */
function decodeChunk<P extends 'float32' | 'float64'>(
  layout: SegyLayout,
  raw: Uint8Array,
  firstTrace: number,
  traceCount: number,
  precision: P,
): TraceChunk<SamplesOf<P>> {
  const ns = layout.samplesPerTrace;
  const samples = (precision === 'float64' ? new Float64Array(traceCount * ns) : new Float32Array(traceCount * ns)) as SamplesOf<P>;
  const headerBytes = new Uint8Array(traceCount * TRACE_HEADER_BYTES);
  for (let t = 0; t < traceCount; t++) {
    const at = t * layout.traceBytes;
    headerBytes.set(raw.subarray(at, at + TRACE_HEADER_BYTES), t * TRACE_HEADER_BYTES);
  }
  // With the headers copied out, swap the whole chunk to host order in one native pass when the
  // sample width allows it (every trace then starts on a sample boundary: 240 is a multiple of 8).
  let samplesLittleEndian = layout.littleEndian;
  const width = layout.format.bytesPerSample;
  if (samplesLittleEndian !== HOST_LITTLE_ENDIAN && (width === 2 || width === 4 || width === 8) && raw.byteOffset % width === 0) {
    swapInPlace(raw, 0, raw.byteLength / width, width);
    samplesLittleEndian = HOST_LITTLE_ENDIAN;
  }
  for (let t = 0; t < traceCount; t++) {
    decodeSamples(raw, t * layout.traceBytes + TRACE_HEADER_BYTES, ns, layout.format.code, samplesLittleEndian, samples, t * ns);
  }
  layout.reads.tracesDecoded += traceCount;
  return new DecodedChunk(firstTrace, traceCount, ns, samples, headerBytes, layout.littleEndian);
}

interface ChunkPlan {
  first: number;
  end: number;
  tracesPerChunk: number;
}

function planChunks(layout: SegyLayout, options: ChunkOptions<'float32' | 'float64'>): ChunkPlan {
  const first = options.firstTrace ?? 0;
  const count = options.traceCount ?? layout.traceCount - first;
  if (!Number.isInteger(first) || first < 0 || !Number.isInteger(count) || count < 0 || first + count > layout.traceCount) {
    throw new StudioError(
      'bad_input',
      `Trace range ${first}..${first + count - 1} is outside ${layout.path}, which holds traces 0..${layout.traceCount - 1}.`,
    );
  }
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  return { first, end: first + count, tracesPerChunk: Math.max(1, Math.floor(chunkBytes / layout.traceBytes)) };
}

/**
 * Reads traces chunk by chunk with blocking reads (one reused read buffer, ~`chunkBytes`).
 * Each chunk's arrays are fresh and may be kept by the caller.
 */
export function* readTraceChunksSync<P extends 'float32' | 'float64' = 'float32'>(
  source: string | SegyLayout,
  options: ChunkOptions<P> = {},
): Generator<TraceChunk<SamplesOf<P>>> {
  const layout = typeof source === 'string' ? openSegyLayout(source, options) : source;
  const plan = planChunks(layout, options);
  const precision = (options.precision ?? 'float32') as P;
  const buffer = new Uint8Array(new ArrayBuffer(Math.min(plan.tracesPerChunk, Math.max(1, plan.end - plan.first)) * layout.traceBytes));
  const fd = fs.openSync(layout.path, 'r');
  try {
    for (let trace = plan.first; trace < plan.end; trace += plan.tracesPerChunk) {
      throwIfCancelled(options.signal);
      const count = Math.min(plan.tracesPerChunk, plan.end - trace);
      const raw = buffer.subarray(0, count * layout.traceBytes);
      const got = readExactlySync(fd, raw, layout.firstTraceOffset + trace * layout.traceBytes);
      if (got !== raw.byteLength) throw changedUnderneath(layout, trace);
      yield decodeChunk(layout, raw, trace, count, precision);
      options.onProgress?.({ done: trace + count - plan.first, total: plan.end - plan.first, unit: 'traces' });
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The asynchronous twin of `readTraceChunksSync`: reads do not block the event loop. */
export async function* readTraceChunks<P extends 'float32' | 'float64' = 'float32'>(
  source: string | SegyLayout,
  options: ChunkOptions<P> = {},
): AsyncGenerator<TraceChunk<SamplesOf<P>>> {
  const layout = typeof source === 'string' ? openSegyLayout(source, options) : source;
  const plan = planChunks(layout, options);
  const precision = (options.precision ?? 'float32') as P;
  const buffer = new Uint8Array(new ArrayBuffer(Math.min(plan.tracesPerChunk, Math.max(1, plan.end - plan.first)) * layout.traceBytes));
  const handle = await open(layout.path, 'r');
  try {
    for (let trace = plan.first; trace < plan.end; trace += plan.tracesPerChunk) {
      throwIfCancelled(options.signal);
      const count = Math.min(plan.tracesPerChunk, plan.end - trace);
      yield decodeChunk(layout, await readTraceBytes(handle, layout, buffer, trace, count), trace, count, precision);
      options.onProgress?.({ done: trace + count - plan.first, total: plan.end - plan.first, unit: 'traces' });
    }
  } finally {
    await handle.close();
  }
}

/** A run of consecutive traces: the first one's index (0-based, in file order) and how many. */
export interface TraceRun {
  firstTrace: number;
  traceCount: number;
}

/**
 * Reads several runs of traces through one open descriptor, in the order given (chunks of about
 * `chunkBytes`, one reused read buffer), yielding each decoded chunk with the index of its run.
 */
export async function* readTraceRuns(
  layout: SegyLayout,
  runs: readonly TraceRun[],
  options: WorkOptions & { chunkBytes?: number } = {},
): AsyncGenerator<{ run: number; chunk: TraceChunk }> {
  const plans = runs.map((run) => planChunks(layout, { ...run, chunkBytes: options.chunkBytes }));
  const longest = Math.max(1, ...plans.map((plan) => Math.min(plan.tracesPerChunk, plan.end - plan.first)));
  const buffer = new Uint8Array(new ArrayBuffer(longest * layout.traceBytes));
  const handle = await open(layout.path, 'r');
  try {
    for (const [run, plan] of plans.entries()) {
      for (let trace = plan.first; trace < plan.end; trace += plan.tracesPerChunk) {
        throwIfCancelled(options.signal);
        const count = Math.min(plan.tracesPerChunk, plan.end - trace);
        yield { run, chunk: decodeChunk(layout, await readTraceBytes(handle, layout, buffer, trace, count), trace, count, 'float32') };
      }
    }
  } finally {
    await handle.close();
  }
}

function changedUnderneath(layout: SegyLayout, trace: number): StudioError {
  return badFile(
    layout.path,
    `the file ended early while reading trace ${trace} at byte offset ${layout.firstTraceOffset + trace * layout.traceBytes}; it was probably truncated while being read.`,
    { byteOffset: layout.firstTraceOffset + trace * layout.traceBytes },
  );
}

/** Reads the headers of a few traces (e.g. first and last) without reading their samples. */
export function readTraceHeadersSync(layout: SegyLayout, traces: readonly number[]): TraceHeader[] {
  const fd = fs.openSync(layout.path, 'r');
  try {
    const bytes = new Uint8Array(TRACE_HEADER_BYTES);
    const view = new DataView(bytes.buffer);
    return traces.map((trace) => {
      readExactlySync(fd, bytes, layout.firstTraceOffset + trace * layout.traceBytes);
      return readTraceHeader(view, 0, layout.littleEndian);
    });
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * One stored trace header field of every trace in `[firstTrace, firstTrace + traceCount)`,
 * read chunk by chunk without decoding samples (4 bytes of memory per trace).
 */
export async function scanTraceField(
  layout: SegyLayout,
  name: TraceFieldName,
  options: WorkOptions & { chunkBytes?: number } = {},
): Promise<Int32Array> {
  const field = TRACE_FIELD_BY_NAME.get(name)!;
  const values = new Int32Array(layout.traceCount);
  const tracesPerChunk = Math.max(1, Math.floor((options.chunkBytes ?? DEFAULT_CHUNK_BYTES) / layout.traceBytes));
  const buffer = new Uint8Array(new ArrayBuffer(Math.min(tracesPerChunk, layout.traceCount) * layout.traceBytes));
  const view = new DataView(buffer.buffer);
  const handle = await open(layout.path, 'r');
  layout.reads.fieldScans += 1;
  try {
    for (let trace = 0; trace < layout.traceCount; trace += tracesPerChunk) {
      throwIfCancelled(options.signal);
      const count = Math.min(tracesPerChunk, layout.traceCount - trace);
      const raw = buffer.subarray(0, count * layout.traceBytes);
      if ((await readExactly(handle, raw, layout.firstTraceOffset + trace * layout.traceBytes)) !== raw.byteLength) {
        throw changedUnderneath(layout, trace);
      }
      for (let t = 0; t < count; t++) values[trace + t] = readTraceField(view, t * layout.traceBytes, field, layout.littleEndian);
      options.onProgress?.({ done: trace + count, total: layout.traceCount, unit: 'traces', message: `scanning ${name}` });
    }
  } finally {
    await handle.close();
  }
  return values;
}
