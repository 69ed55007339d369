/**
 * SEG-Y rev 2 writing: EBCDIC or ASCII textual header, binary header with the rev-2 byte-order
 * word and trace count, fixed-length traces with headers from records of segyio TraceField values.
 * Written to a temporary sibling and renamed on `commit()`, so readers never see half a file.
 */
import { AtomicFileWriter } from '../../util/atomicFile.ts';
import { StudioError } from '../../contract/errors.ts';
import { throwIfCancelled } from '../../util/abort.ts';
import type { WorkOptions } from '../../util/progress.ts';
import {
  BINARY,
  FILE_HEADER_BYTES,
  TEXT_HEADER_BYTES,
  TRACE_FIELD_BY_NAME,
  TRACE_HEADER_BYTES,
  type TraceHeader,
} from './fields.ts';
import { SAMPLE_FORMATS, encodeSamples, type SampleFormatCode } from './sampleFormats.ts';
import { composeTextHeader, encodeText, type TextEncoding } from './text.ts';

export interface SegyWriteOptions {
  samplesPerTrace: number;
  sampleIntervalUs: number;
  /** Sample format: 5 (IEEE float, default), 1 (IBM float) or any other rev-2 code. */
  format?: SampleFormatCode;
  textEncoding?: TextEncoding;
  /** Up to 40 lines of the textual header (card prefixes "C 1 " … are added when missing). */
  textLines?: readonly string[];
  /** Big-endian (default) as the standard prefers; little-endian only for tests of readers. */
  endianness?: 'big' | 'little';
  /** Data traces per ensemble (binary header 3213-3214), e.g. receivers per shot gather. */
  tracesPerEnsemble?: number;
  /** Binary header 3229-3230: 1 as recorded (default), 2 CDP ensemble, … */
  sortingCode?: number;
  /** Binary header 3255-3256: 1 metres (default), 2 feet. */
  measurementSystem?: 1 | 2;
}

/** Trace header values to store, by segyio TraceField name. */
export type TraceHeaderValues = Partial<TraceHeader>;

const UNSIGNED_16_FIELDS = new Set(['TRACE_SAMPLE_COUNT', 'TRACE_SAMPLE_INTERVAL']);

function encodeBinaryHeader(options: Required<Pick<SegyWriteOptions, 'samplesPerTrace' | 'sampleIntervalUs'>> & SegyWriteOptions, traceCount: number): Uint8Array {
  const bytes = new Uint8Array(400);
  const view = new DataView(bytes.buffer);
  const little = options.endianness === 'little';
  const at = (byte: number): number => byte - 1 - TEXT_HEADER_BYTES;
  const ns = options.samplesPerTrace;
  const dt = options.sampleIntervalUs;
  const dtFits = Number.isInteger(dt) && dt > 0 && dt <= 65535;
  const nsFits = ns <= 65535;
  view.setInt16(at(BINARY.Traces), options.tracesPerEnsemble ?? 0, little);
  view.setUint16(at(BINARY.Interval), dtFits ? dt : 0, little);
  view.setUint16(at(BINARY.IntervalOriginal), dtFits ? dt : 0, little);
  view.setUint16(at(BINARY.Samples), nsFits ? ns : 0, little);
  view.setUint16(at(BINARY.SamplesOriginal), nsFits ? ns : 0, little);
  view.setInt16(at(BINARY.Format), options.format ?? 5, little);
  view.setInt16(at(BINARY.SortingCode), options.sortingCode ?? 1, little);
  view.setInt16(at(BINARY.MeasurementSystem), options.measurementSystem ?? 1, little);
  if (!nsFits) view.setUint32(at(BINARY.ExtSamples), ns, little);
  if (!dtFits) view.setFloat64(at(BINARY.ExtInterval), dt, little);
  view.setUint32(at(BINARY.ByteOrder), 0x01020304, little);
  bytes[at(BINARY.SEGYRevision)] = 2;
  bytes[at(BINARY.SEGYRevisionMinor)] = 0;
  view.setInt16(at(BINARY.TraceFlag), 1, little);
  view.setInt16(at(BINARY.ExtendedHeaders), 0, little);
  view.setBigUint64(at(BINARY.ExtTraces), BigInt(traceCount), little);
  view.setBigUint64(at(BINARY.FirstTraceOffset), BigInt(FILE_HEADER_BYTES), little);
  return bytes;
}

/** Streams traces into a new SEG-Y file; call `commit()` to publish it or `abort()` to drop it. */
export class SegyWriter {
  readonly path: string;
  private readonly options: SegyWriteOptions & { format: SampleFormatCode };
  private readonly file: AtomicFileWriter;
  private readonly traceBytes: number;
  private readonly little: boolean;
  private written = 0;

  constructor(path: string, options: SegyWriteOptions) {
    const { samplesPerTrace: ns, sampleIntervalUs: dt } = options;
    if (!Number.isInteger(ns) || ns < 1 || ns > 0xffffffff) {
      throw new StudioError('bad_input', `samplesPerTrace must be a positive integer (got ${ns}) for ${path}.`);
    }
    if (!(dt > 0) || !Number.isFinite(dt)) {
      throw new StudioError('bad_input', `sampleIntervalUs must be a positive number of microseconds (got ${dt}) for ${path}.`);
    }
    const format = options.format ?? 5;
    if (!SAMPLE_FORMATS[format]) throw new StudioError('bad_input', `Unknown SEG-Y sample format ${format} for ${path}.`);
    this.path = path;
    this.options = { ...options, format };
    this.little = options.endianness === 'little';
    this.traceBytes = TRACE_HEADER_BYTES + ns * SAMPLE_FORMATS[format].bytesPerSample;
    this.file = new AtomicFileWriter(path);
    try {
      const encoding = options.textEncoding ?? 'ebcdic';
      this.file.write(encodeText(composeTextHeader(options.textLines ?? []), encoding, TEXT_HEADER_BYTES));
      this.file.write(encodeBinaryHeader(this.options, 0));
    } catch (error) {
      this.file.abort();
      throw error;
    }
  }

  get traceCount(): number {
    return this.written;
  }

  /**
   * Appends traces. `samples` has shape [traces, samplesPerTrace]; `headers` gives each trace's
   * fields (array or function of the trace's index in the file). TRACE_SEQUENCE_LINE,
   * TRACE_SEQUENCE_FILE, TRACE_SAMPLE_COUNT and TRACE_SAMPLE_INTERVAL default to the trace's
   * 1-based position and the file's sampling.
   */
  writeTraces(
    samples: Float32Array | Float64Array,
    headers?: readonly TraceHeaderValues[] | ((traceIndex: number) => TraceHeaderValues),
  ): void {
    const ns = this.options.samplesPerTrace;
    if (samples.length % ns !== 0) {
      throw new StudioError(
        'bad_input',
        `Samples for ${this.path} must be [traces, ${ns}]: got ${samples.length} values, not a multiple of ${ns}.`,
      );
    }
    const count = samples.length / ns;
    const block = new Uint8Array(count * this.traceBytes);
    const view = new DataView(block.buffer);
    for (let t = 0; t < count; t++) {
      const index = this.written + t;
      const at = t * this.traceBytes;
      const values = typeof headers === 'function' ? headers(index) : headers?.[t];
      this.encodeTraceHeader(view, at, index, values ?? {});
      encodeSamples(samples.subarray(t * ns, (t + 1) * ns), this.options.format, this.little, block, at + TRACE_HEADER_BYTES);
    }
    this.file.write(block);
    this.written += count;
  }

  private encodeTraceHeader(view: DataView, at: number, index: number, values: TraceHeaderValues): void {
    const ns = this.options.samplesPerTrace;
    const dt = this.options.sampleIntervalUs;
    const defaults: TraceHeaderValues = {
      TRACE_SEQUENCE_LINE: index + 1,
      TRACE_SEQUENCE_FILE: index + 1,
      TRACE_SAMPLE_COUNT: ns <= 65535 ? ns : 0,
      TRACE_SAMPLE_INTERVAL: Number.isInteger(dt) && dt <= 65535 ? dt : 0,
    };
    for (const source of [defaults, values]) {
      for (const [name, value] of Object.entries(source)) {
        if (value === undefined) continue;
        const field = TRACE_FIELD_BY_NAME.get(name);
        if (!field) {
          throw new StudioError('bad_input', `Unknown trace header field '${name}' for trace ${index} of ${this.path}; use segyio TraceField names.`);
        }
        const [lowest, highest] =
          field.size === 4 ? [-2147483648, 2147483647] : UNSIGNED_16_FIELDS.has(name) ? [-32768, 65535] : [-32768, 32767];
        if (!Number.isInteger(value) || value < lowest || value > highest) {
          throw new StudioError(
            'bad_input',
            `Trace header field ${name} (bytes ${field.byte}-${field.byte + field.size - 1}) of trace ${index} for ${this.path} must be an integer in ${lowest}..${highest}; got ${value}. Scale coordinates with SourceGroupScalar / ElevationScalar.`,
          );
        }
        if (field.size === 4) view.setInt32(at + field.byte - 1, value, this.little);
        else view.setUint16(at + field.byte - 1, value & 0xffff, this.little);
      }
    }
  }

  /** Records the trace count in the binary header, flushes, and renames into place. */
  commit(): void {
    if (this.written === 0) {
      this.file.abort();
      throw new StudioError('bad_input', `No traces were written to ${this.path}; a SEG-Y file needs at least one.`);
    }
    this.file.writeAt(encodeBinaryHeader(this.options, this.written), TEXT_HEADER_BYTES);
    this.file.commit();
  }

  abort(): void {
    this.file.abort();
  }
}

export interface WriteSegyOptions extends SegyWriteOptions, WorkOptions {
  headers?: readonly TraceHeaderValues[] | ((traceIndex: number) => TraceHeaderValues);
}

/** Writes traces `samples` ([traces, samplesPerTrace]) to a new SEG-Y file at `path`, atomically. */
export function writeSegy(path: string, samples: Float32Array | Float64Array, options: WriteSegyOptions): { traceCount: number } {
  const writer = new SegyWriter(path, options);
  const ns = options.samplesPerTrace;
  const total = samples.length / ns;
  const batch = Math.max(1, Math.floor((4 * 1024 * 1024) / (ns * 4)));
  try {
    if (!Number.isInteger(total)) writer.writeTraces(samples); // throws the shape error
    for (let first = 0; first < total; first += batch) {
      throwIfCancelled(options.signal);
      const end = Math.min(total, first + batch);
      const headers = options.headers;
      const batchHeaders = Array.isArray(headers) ? headers.slice(first, end) : (headers as ((i: number) => TraceHeaderValues) | undefined);
      writer.writeTraces(samples.subarray(first * ns, end * ns), batchHeaders);
      options.onProgress?.({ done: end, total, unit: 'traces' });
    }
    writer.commit();
  } catch (error) {
    writer.abort();
    throw error;
  }
  return { traceCount: total };
}
