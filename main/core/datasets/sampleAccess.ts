import type { DatasetDetail, DatasetPart, Float32Payload, ShotGather, TraceHeaderTable, VelocityMap } from '../contract/contract.ts';
import { z } from 'zod';
import type { Project } from '../store/project.ts';
import { formatShape, openNpy, readNpyRows } from '../io/npy.ts';
import { gatherHeaderRows, gatherPositions } from './gatherPositions.ts';
import { StudioError } from '../contract/errors.ts';

/**
 * What a SEG-Y import records in a part's meta and the viewers read back (segyImport.ts writes it):
 * the header fields of its headers file, and per sample and source the traces before padding.
 */
const segyPartMeta = z.object({
  headerFields: z.array(z.string()).optional(),
  tracesPerGather: z.array(z.array(z.number().int().nonnegative())).optional(),
});

function segyMetaOf(part: DatasetPart): z.infer<typeof segyPartMeta> {
  const meta = segyPartMeta.safeParse(part.meta);
  if (!meta.success) throw new StudioError('bad_file', `Part ${part.partIndex} records malformed SEG-Y header facts (${meta.error.issues[0]?.path.join('.')}); re-import the dataset.`);
  return meta.data;
}

export function float32Payload(values: Float32Array, shape: number[]): Float32Payload {
  return { shape, base64: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64') };
}

function range(values: Float32Array): { min: number; max: number; rms: number } {
  let min = Infinity;
  let max = -Infinity;
  let sumSq = 0;
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sumSq += v * v;
  }
  return { min: values.length ? min : 0, max: values.length ? max : 0, rms: values.length ? Math.sqrt(sumSq / values.length) : 0 };
}

/** min, max and rms of a [time, receivers] gather over the receivers that are recorded traces. */
function gatherRange(traces: Float32Array, nReceivers: number, padded: ReadonlySet<number>): { min: number; max: number; rms: number } {
  if (padded.size === 0) return range(traces);
  let min = Infinity;
  let max = -Infinity;
  let sumSq = 0;
  let count = 0;
  for (let i = 0; i < traces.length; i += 1) {
    if (padded.has(i % nReceivers)) continue;
    const v = traces[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sumSq += v * v;
    count += 1;
  }
  return count ? { min, max, rms: Math.sqrt(sumSq / count) } : { min: 0, max: 0, rms: 0 };
}

/**
 * Which traces of one sample were recorded: [sources, receivers], 1 = a trace of the file, 0 = zero
 * padding; from the part's trace mask, or for a SEG-Y import made before masks were stored, from its
 * traces per gather (recorded traces come first). Null when every trace is recorded.
 */
export function recordedTraces(project: Pick<Project, 'arrayPath'>, part: DatasetPart, row: number, nSources: number, nReceivers: number): Uint8Array | null {
  if (part.traceMaskFile) {
    const file = openNpy(project.arrayPath(part.traceMaskFile));
    const [, maskSources, maskReceivers] = file.shape;
    if (maskSources !== nSources || maskReceivers !== nReceivers) {
      throw new StudioError(
        'bad_file',
        `${part.traceMaskFile}: the trace mask is ${formatShape(file.shape)} but the seismic has ${nSources} sources of ${nReceivers} receivers per sample; re-import the dataset.`,
      );
    }
    return Uint8Array.from(readNpyRows(file, row, 1));
  }
  const perGather = segyMetaOf(part).tracesPerGather?.[row];
  if (!perGather) return null;
  const live = new Uint8Array(nSources * nReceivers).fill(1);
  perGather.forEach((recorded, source) => {
    if (typeof recorded === 'number' && source < nSources) live.fill(0, source * nReceivers + Math.min(recorded, nReceivers), (source + 1) * nReceivers);
  });
  return live;
}

/** Receivers of one gather that are zero padding (see recordedTraces). */
export function paddedReceivers(project: Pick<Project, 'arrayPath'>, part: DatasetPart, row: number, source: number, nSources: number, nReceivers: number): number[] {
  const live = recordedTraces(project, part, row, nSources, nReceivers)?.subarray(source * nReceivers, (source + 1) * nReceivers);
  return live ? Array.from(live.keys()).filter((r) => live[r] === 0) : [];
}

/** The part holding a dataset's sample `sample`, and the sample's index within that part. */
export function locateSample(dataset: DatasetDetail, sample: number): { part: DatasetPart; row: number } {
  let first = 0;
  for (const part of dataset.parts) {
    if (sample < first + part.nSamples) return { part, row: sample - first };
    first += part.nSamples;
  }
  throw new StudioError('bad_input', `Sample ${sample} is out of range: dataset '${dataset.name}' has ${dataset.nSamples} samples (0–${dataset.nSamples - 1}).`);
}

/** One sample's seismic [sources, time, receivers] from the project's array files. */
export function readSeismicSample(project: Project, dataset: DatasetDetail, sample: number): { values: Float32Array; shape: number[] } {
  const { part, row } = locateSample(dataset, sample);
  if (!part.seismicFile) throw new StudioError('not_found', `Dataset '${dataset.name}' has no seismic (it holds velocity models only).`);
  const file = openNpy(project.arrayPath(part.seismicFile));
  return { values: readNpyRows(file, row, 1), shape: file.shape.slice(1) };
}

/** One sample's velocity [depth, width] in m/s. */
export function readVelocitySample(project: Project, dataset: DatasetDetail, sample: number): { values: Float32Array; shape: number[] } {
  const { part, row } = locateSample(dataset, sample);
  if (!part.velocityFile) throw new StudioError('not_found', `Dataset '${dataset.name}' has no velocity models (it holds seismic only).`);
  const file = openNpy(project.arrayPath(part.velocityFile));
  const shape = file.shape.slice(1);
  const [depth, width] = shape.slice(-2);
  return { values: readNpyRows(file, row, 1), shape: [depth, width] };
}

export function shotGather(project: Project, dataset: DatasetDetail, sample: number, source: number): ShotGather {
  const seismic = readSeismicSample(project, dataset, sample);
  const { part, row } = locateSample(dataset, sample);
  // A part records its own interval where it has one (SEG-Y imports): a dataset made before files
  // of different sampling were kept apart may mix them.
  const sampleIntervalMs = part.sampleIntervalMs ?? dataset.sampleIntervalMs;
  const [nSources, nTime, nReceivers] = seismic.shape;
  if (source >= nSources) {
    throw new StudioError('bad_input', `Source ${source} is out of range: sample ${sample} of '${dataset.name}' has ${nSources} sources (0–${nSources - 1}).`);
  }
  const traces = seismic.values.slice(source * nTime * nReceivers, (source + 1) * nTime * nReceivers);
  const padded = paddedReceivers(project, part, row, source, nSources, nReceivers);
  const paddedSet = new Set(padded);
  return {
    datasetId: dataset.id,
    sample,
    source,
    nSources,
    traces: float32Payload(traces, [nTime, nReceivers]),
    sampleIntervalMs,
    paddedReceivers: padded,
    ...gatherRange(traces, nReceivers, paddedSet),
    positions: gatherPositions(project, dataset, part, row, source, { nSources, nReceivers }, paddedSet),
  };
}

export function velocityMap(project: Project, dataset: DatasetDetail, sample: number): VelocityMap {
  const velocity = readVelocitySample(project, dataset, sample);
  const { min, max } = range(velocity.values);
  return {
    datasetId: dataset.id,
    sample,
    velocityMps: float32Payload(velocity.values, velocity.shape),
    gridSpacingM: dataset.gridSpacingM,
    min,
    max,
  };
}

/** Trace headers of one gather: headers files are int32 [N, sources, receivers, fields]. */
export function traceHeaderTable(project: Project, dataset: DatasetDetail, sample: number, source: number): TraceHeaderTable {
  const { part, row } = locateSample(dataset, sample);
  const nSources = part.seismicShape?.[0];
  if (nSources !== undefined && source >= nSources) throw new StudioError('bad_input', `Source ${source} is out of range (0–${nSources - 1}).`);
  const headers = gatherHeaderRows(project, part, row, source);
  if (!headers) throw new StudioError('not_found', `Dataset '${dataset.name}' has no trace headers (only SEG-Y imports keep them).`);
  return { fields: headers.fields, rows: headers.rows.map((r) => Array.from(r)) };
}
