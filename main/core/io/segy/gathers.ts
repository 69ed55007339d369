/**
 * Shot gathers: traces grouped by a trace header key (FieldRecord by default), delivered one
 * gather at a time as a [time, receivers] Float32Array, optionally resampled to a training grid
 * such as OpenFWI's 1000 time samples × 70 receivers.
 */
import { StudioError } from '../../contract/errors.ts';
import { throwIfCancelled } from '../../util/abort.ts';
import type { WorkOptions } from '../../util/progress.ts';
import { traceGeometry, type TraceFieldName, type TraceGeometry, type TraceHeader } from './fields.ts';
import { gatherKeyField } from './info.ts';
import { openSegyLayout, readTraceChunks, readTraceRuns, scanTraceField, type SegyLayout, type TraceChunk, type TraceRun } from './reader.ts';

export interface ShotGather {
  /** The TraceField that groups traces, and this gather's value of it. */
  key: TraceFieldName;
  keyValue: number;
  /** 0-based position of the gather in the file's gather order. */
  gatherIndex: number;
  /** File positions (0-based) of the gather's traces, in receiver order. */
  traceIndices: number[];
  receivers: number;
  timeSamples: number;
  sampleIntervalUs: number;
  /** Samples, shape [time, receivers] (time-major), resampled when `resample` was given. */
  traces: Float32Array;
  /** Stored trace headers of the gather's original traces (before any resampling in space). */
  headers: TraceHeader[];
  /** The same traces' coordinates and elevations with their scalars applied. */
  geometry: TraceGeometry[];
  /** Stored `offset` (bytes 37-40) per original trace. */
  offsets: Float64Array;
}

/** A target grid for training data. */
export interface GatherGrid {
  timeSamples: number;
  receivers: number;
  /**
   * Output sample interval. Default: the record length is kept, i.e.
   * dtOut = dtIn × timeSamplesIn / timeSamplesOut.
   */
  sampleIntervalUs?: number;
}

/** Transposes one gather from trace-major [receivers, time] to [time, receivers]. */
export function gatherToTimeReceivers(traceMajor: Float32Array | Float64Array, receivers: number, timeSamples: number): Float32Array {
  if (traceMajor.length !== receivers * timeSamples) {
    throw new StudioError(
      'bad_input',
      `A gather of ${receivers} traces × ${timeSamples} samples needs ${receivers * timeSamples} values; got ${traceMajor.length}.`,
    );
  }
  const out = new Float32Array(receivers * timeSamples);
  for (let r = 0; r < receivers; r++) {
    const base = r * timeSamples;
    for (let t = 0; t < timeSamples; t++) out[t * receivers + r] = traceMajor[base + t];
  }
  return out;
}

/** Zero crossings of the sinc on each side of the interpolation point. */
const SINC_HALF_ZEROS = 8;

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/**
 * Resamples a [time, receivers] gather onto `to`.
 *
 * Time: windowed-sinc interpolation with an anti-alias low-pass. With u = t / dtIn the output
 * time in input samples and fc = min(1, dtIn / dtOut) the cutoff as a fraction of the input
 * Nyquist frequency,
 *   y(t) = Σ_n x[n] · fc · sinc(fc · (u − n)) · hann((u − n) · fc / 8) / Σ_n (same weights),
 * over the 8 zero crossings each side (hann(z) = ½(1 + cos πz) for |z| < 1). Samples outside
 * the record count as zero, but the weights are normalised over the whole kernel, so a constant
 * trace stays constant away from the ends and the ends are not amplified. Output times are
 * k × dtOut from the first input sample.
 *
 * Receivers: linear interpolation between neighbouring traces, first and last receivers aligned
 * (position j × (nIn − 1)/(nOut − 1)); receivers are assumed evenly spaced. No anti-alias filter
 * is applied in space.
 */
export function resampleShotGather(
  traces: Float32Array,
  from: { timeSamples: number; receivers: number; sampleIntervalUs: number },
  to: GatherGrid,
): Float32Array {
  const ntIn = from.timeSamples;
  const nrIn = from.receivers;
  const ntOut = to.timeSamples;
  const nrOut = to.receivers;
  if (traces.length !== ntIn * nrIn) {
    throw new StudioError('bad_input', `Gather holds ${traces.length} values, not [${ntIn} time, ${nrIn} receivers].`);
  }
  if (!(Number.isInteger(ntOut) && ntOut > 0 && Number.isInteger(nrOut) && nrOut > 0)) {
    throw new StudioError('bad_input', `Target grid must have positive integer time samples and receivers; got ${ntOut} × ${nrOut}.`);
  }
  const dtIn = from.sampleIntervalUs;
  const dtOut = to.sampleIntervalUs ?? (dtIn * ntIn) / ntOut;
  const step = dtOut / dtIn;

  // Time: one set of weights per output sample, shared by every receiver.
  let timeResampled: Float32Array;
  if (ntOut === ntIn && step === 1) {
    timeResampled = traces;
  } else {
    timeResampled = new Float32Array(ntOut * nrIn);
    const fc = Math.min(1, 1 / step);
    const halfWidth = SINC_HALF_ZEROS / fc;
    const taps = 2 * Math.ceil(halfWidth) + 1;
    const weights = new Float64Array(taps);
    for (let k = 0; k < ntOut; k++) {
      const u = k * step;
      const first = Math.ceil(u - halfWidth);
      let weightSum = 0;
      for (let j = 0; j < taps; j++) {
        const d = u - (first + j);
        const z = (d * fc) / SINC_HALF_ZEROS;
        const w = Math.abs(z) < 1 ? fc * sinc(fc * d) * 0.5 * (1 + Math.cos(Math.PI * z)) : 0;
        weights[j] = w;
        weightSum += w;
      }
      const row = k * nrIn;
      for (let j = 0; j < taps; j++) {
        const n = first + j;
        if (n < 0 || n >= ntIn || weights[j] === 0) continue;
        const w = weights[j] / weightSum;
        const src = n * nrIn;
        for (let r = 0; r < nrIn; r++) timeResampled[row + r] += w * traces[src + r];
      }
    }
  }
  if (nrOut === nrIn) return timeResampled;

  // Receivers: linear between neighbours.
  const out = new Float32Array(ntOut * nrOut);
  for (let j = 0; j < nrOut; j++) {
    const p = nrOut === 1 ? (nrIn - 1) / 2 : (j * (nrIn - 1)) / (nrOut - 1);
    const left = Math.min(Math.floor(p), nrIn - 1);
    const right = Math.min(left + 1, nrIn - 1);
    const a = p - left;
    for (let t = 0; t < ntOut; t++) {
      const row = t * nrIn;
      out[t * nrOut + j] = (1 - a) * timeResampled[row + left] + a * timeResampled[row + right];
    }
  }
  return out;
}

/** Indices of `wanted` gathers spread evenly over `available` (first and last included), e.g. 5 of 23 shots. */
export function pickEvenly(available: number, wanted: number): number[] {
  if (wanted > available) {
    throw new StudioError('bad_input', `Cannot pick ${wanted} shots from a file with ${available} gathers.`);
  }
  if (wanted === 1) return [Math.floor((available - 1) / 2)];
  return Array.from({ length: wanted }, (_, i) => Math.round((i * (available - 1)) / (wanted - 1)));
}

export interface GatherEntry {
  keyValue: number;
  /** File positions of the gather's traces, in file order. */
  traceIndices: number[];
}

/** The gathers of a file as `listGathers` found them. */
export interface GatherListing {
  key: TraceFieldName;
  gathers: GatherEntry[];
  contiguous: boolean;
  layout: SegyLayout;
}

/**
 * Lists the gathers of a file by scanning one header field (no samples decoded). Traces with
 * the same key value form one gather even when they are not adjacent; `contiguous` says whether
 * every gather is a single run of consecutive traces.
 */
export async function listGathers(
  source: string | SegyLayout,
  options: WorkOptions & { key?: string } = {},
): Promise<GatherListing> {
  const layout = typeof source === 'string' ? openSegyLayout(source, options) : source;
  const key = gatherKeyField(options.key);
  const values = await scanTraceField(layout, key, options);
  const byValue = new Map<number, GatherEntry>();
  const gathers: GatherEntry[] = [];
  let contiguous = true;
  for (let trace = 0; trace < values.length; trace++) {
    const value = values[trace];
    let entry = byValue.get(value);
    if (!entry) {
      entry = { keyValue: value, traceIndices: [] };
      byValue.set(value, entry);
      gathers.push(entry);
    } else if (entry.traceIndices[entry.traceIndices.length - 1] !== trace - 1) {
      contiguous = false;
    }
    entry.traceIndices.push(trace);
  }
  return { key, gathers, contiguous, layout };
}

export interface ReadShotGathersOptions extends WorkOptions {
  /** TraceField name grouping traces into gathers (default FieldRecord). */
  key?: string;
  /**
   * 'contiguous' (default): one streaming pass; gathers must be runs of consecutive traces, and
   * a key value that comes back after its gather ended is an error naming the trace.
   * 'indexed': a first pass scans the key of every trace (4 bytes per trace), then each gather
   * is read from wherever its traces lie — for files sorted by something else.
   */
  ordering?: 'contiguous' | 'indexed';
  /** Resample every gather to this grid (see `resampleShotGather`). */
  resample?: GatherGrid;
  chunkBytes?: number;
}

class GatherBuilder {
  private samples: Float32Array;
  private count = 0;
  readonly headers: TraceHeader[] = [];
  readonly traceIndices: number[] = [];

  constructor(private readonly timeSamples: number) {
    this.samples = new Float32Array(timeSamples * 64);
  }

  add(chunk: TraceChunk, t: number): void {
    const ns = this.timeSamples;
    if ((this.count + 1) * ns > this.samples.length) {
      const grown = new Float32Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples.set(chunk.samples.subarray(t * ns, (t + 1) * ns), this.count * ns);
    this.headers.push(chunk.header(t));
    this.traceIndices.push(chunk.firstTrace + t);
    this.count++;
  }

  get size(): number {
    return this.count;
  }

  finish(layout: SegyLayout, key: TraceFieldName, keyValue: number, gatherIndex: number, resample?: GatherGrid): ShotGather {
    const ns = this.timeSamples;
    const receivers = this.count;
    let traces = gatherToTimeReceivers(this.samples.subarray(0, receivers * ns), receivers, ns);
    let timeSamples = ns;
    let sampleIntervalUs = layout.sampleIntervalUs;
    let outReceivers = receivers;
    if (resample) {
      traces = resampleShotGather(traces, { timeSamples: ns, receivers, sampleIntervalUs }, resample);
      sampleIntervalUs = resample.sampleIntervalUs ?? (sampleIntervalUs * ns) / resample.timeSamples;
      timeSamples = resample.timeSamples;
      outReceivers = resample.receivers;
    }
    return {
      key,
      keyValue,
      gatherIndex,
      traceIndices: this.traceIndices,
      receivers: outReceivers,
      timeSamples,
      sampleIntervalUs,
      traces,
      headers: this.headers,
      geometry: this.headers.map(traceGeometry),
      offsets: Float64Array.from(this.headers, (h) => h.offset),
    };
  }
}

/**
 * Yields the shot gathers of a SEG-Y file one at a time. Memory holds one read chunk and one
 * gather, whatever the file size.
 */
export async function* readShotGathers(path: string, options: ReadShotGathersOptions = {}): AsyncGenerator<ShotGather> {
  const layout = openSegyLayout(path, options);
  const key = gatherKeyField(options.key);
  if (options.ordering === 'indexed') {
    yield* readIndexedGathers(layout, key, options);
    return;
  }
  const finished = new Map<number, number>();
  let builder: GatherBuilder | undefined;
  let currentValue = 0;
  let gatherIndex = 0;
  for await (const chunk of readTraceChunks(layout, { ...options, precision: 'float32' })) {
    for (let t = 0; t < chunk.traceCount; t++) {
      const value = chunk.field(t, key);
      if (builder && value !== currentValue) {
        finished.set(currentValue, builder.traceIndices[0]);
        yield builder.finish(layout, key, currentValue, gatherIndex++, options.resample);
        builder = undefined;
      }
      if (!builder) {
        const seenAt = finished.get(value);
        if (seenAt !== undefined) {
          throw new StudioError(
            'bad_file',
            `${path}: traces are not grouped by ${key}: the gather with ${key} = ${value} (starting at trace ${seenAt}) continues at trace ${chunk.firstTrace + t} (byte offset ${layout.firstTraceOffset + (chunk.firstTrace + t) * layout.traceBytes}) after other gathers. Read it with ordering 'indexed', or choose another key.`,
            { path, field: key, trace: chunk.firstTrace + t, byteOffset: layout.firstTraceOffset + (chunk.firstTrace + t) * layout.traceBytes },
          );
        }
        builder = new GatherBuilder(layout.samplesPerTrace);
        currentValue = value;
      }
      builder.add(chunk, t);
    }
  }
  if (builder) yield builder.finish(layout, key, currentValue, gatherIndex, options.resample);
}

async function* readIndexedGathers(layout: SegyLayout, key: TraceFieldName, options: ReadShotGathersOptions): AsyncGenerator<ShotGather> {
  const listing = await listGathers(layout, { ...options, key, onProgress: undefined });
  yield* readListedGathers(listing, options);
}

/**
 * Yields the gathers of a listing (all, or those at the indices `keep`, in that order) from wherever
 * their traces lie, without scanning the file again. Gathers left out are neither read nor decoded
 * nor resampled.
 */
export async function* readListedGathers(
  listing: GatherListing,
  options: Omit<ReadShotGathersOptions, 'key' | 'ordering'> & { keep?: readonly number[] } = {},
): AsyncGenerator<ShotGather> {
  const { layout, key, gathers } = listing;
  const indices = options.keep ?? gathers.map((_, i) => i);
  // Every kept gather's traces as runs of consecutive traces, all read through one descriptor.
  const runs: TraceRun[] = [];
  const positionOfRun: number[] = [];
  for (const [position, gatherIndex] of indices.entries()) {
    const entry = gathers[gatherIndex];
    if (!entry) throw new StudioError('bad_input', `${layout.path} has ${gathers.length} gathers by ${key}; there is no gather ${gatherIndex}.`);
    const traces = entry.traceIndices;
    for (let start = 0; start < traces.length; ) {
      let end = start + 1;
      while (end < traces.length && traces[end] === traces[end - 1] + 1) end++;
      runs.push({ firstTrace: traces[start], traceCount: end - start });
      positionOfRun.push(position);
      start = end;
    }
  }
  const total = runs.reduce((sum, run) => sum + run.traceCount, 0);
  let done = 0;
  let builder: GatherBuilder | undefined;
  let current = -1;
  const finish = (): ShotGather => {
    const gatherIndex = indices[current];
    done += builder!.size;
    options.onProgress?.({ done, total, unit: 'traces' });
    return builder!.finish(layout, key, gathers[gatherIndex].keyValue, gatherIndex, options.resample);
  };
  for await (const { run, chunk } of readTraceRuns(layout, runs, { chunkBytes: options.chunkBytes, signal: options.signal })) {
    if (positionOfRun[run] !== current) {
      if (builder) yield finish();
      builder = new GatherBuilder(layout.samplesPerTrace);
      current = positionOfRun[run];
    }
    for (let t = 0; t < chunk.traceCount; t++) builder!.add(chunk, t);
  }
  if (builder) yield finish();
}
