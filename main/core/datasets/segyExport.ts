/**
 * A dataset's seismic → one SEG-Y file: one trace per sample, source and recorded receiver (padded
 * traces are left out), with the sample interval of the dataset and trace headers that place each
 * trace: a SEG-Y import's own headers (interpolated where it was resampled onto more or fewer
 * receivers), else coordinates from the acquisition geometry the seismic was modelled with.
 */
import path from 'node:path';
import type { DatasetDetail, DatasetPart } from '../contract/contract.ts';
import type { AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';
import { StudioError } from '../contract/errors.ts';
import type { Project } from '../store/project.ts';
import { openNpy, readNpyRaw, readNpyRows } from '../io/npy.ts';
import { SegyWriter, type TraceHeaderValues } from '../io/segy/writer.ts';
import { throwIfCancelled } from '../util/abort.ts';
import type { WorkOptions } from '../util/progress.ts';
import { recordedTraces } from './sampleAccess.ts';

/**
 * Header of the trace of `receiver` in shot `source` of sample `sample` (0-based) modelled with
 * `geometry`: FieldRecord numbers the shots of all samples, CDP the sample, coordinates in metres
 * stored as centimetres (scalar −100), depths of sources and receivers below the top of the model.
 */
export function geometryTraceHeader(geometry: AcquisitionGeometry, sample: number, source: number, receiver: number, nSources: number): TraceHeaderValues {
  const dxCm = Math.round(geometry.spacingMeters * 100);
  const src = geometry.sources[source] ?? { x: 0, z: 0 };
  const rec = geometry.receivers[receiver] ?? { x: 0, z: 0 };
  return {
    FieldRecord: sample * nSources + source + 1,
    TraceNumber: receiver + 1,
    EnergySourcePoint: source + 1,
    CDP: sample + 1,
    SourceGroupScalar: -100,
    ElevationScalar: -100,
    SourceX: src.x * dxCm,
    GroupX: rec.x * dxCm,
    SourceDepth: src.z * dxCm,
    ReceiverGroupElevation: -rec.z * dxCm,
    offset: Math.round((rec.x - src.x) * geometry.spacingMeters),
  };
}

/** The textual header lines that explain `geometryTraceHeader`'s numbering. */
export function geometryTextLines(samples: number, sources: number, receivers: number): string[] {
  return [
    `${samples} samples x ${sources} sources x ${receivers} receivers; FieldRecord = sample*${sources}+source+1`,
    'CDP = sample number (1-based); TraceNumber = receiver + 1; EnergySourcePoint = source + 1',
    'Coordinates in metres with SourceGroupScalar -100 (centimetres stored)',
  ];
}

/** Fields the writer sets from the file's own numbering and sampling. */
const writerOwnFields = new Set(['TRACE_SEQUENCE_LINE', 'TRACE_SEQUENCE_FILE', 'TRACE_SAMPLE_COUNT', 'TRACE_SAMPLE_INTERVAL']);
/** Receiver-side fields that follow the receiver when a gather was resampled onto other receivers. */
const receiverFields = ['GroupX', 'GroupY', 'offset', 'CDP_X', 'CDP_Y', 'ReceiverGroupElevation', 'ReceiverDatumElevation'] as const;

/** A SEG-Y import's stored trace headers of one sample: int32 [sources, traces, fields]. */
interface StoredHeaders {
  fields: string[];
  values: Int32Array;
  nTraces: number;
  /** Traces of each gather in the file (before padding or resampling). */
  tracesPerGather: number[];
  /** Whether the gathers were resampled onto the dataset's receivers (else receiver r is the file's trace r). */
  resampled: boolean;
}

function storedHeaders(project: Pick<Project, 'arrayPath'>, part: DatasetPart, row: number): StoredHeaders | null {
  const fields = part.meta.headerFields;
  if (!part.headersFile || !Array.isArray(fields)) return null;
  const raw = readNpyRaw(project.arrayPath(part.headersFile));
  const [, nSources, nTraces, nFields] = raw.shape;
  if (!(raw.data instanceof Int32Array) || nFields !== fields.length) return null;
  const perSample = nSources * nTraces * nFields;
  const tracesPerGather = (part.meta.tracesPerGather as number[][] | undefined)?.[row] ?? new Array<number>(nSources).fill(nTraces);
  return { fields: fields as string[], values: raw.data.subarray(row * perSample, (row + 1) * perSample), nTraces, tracesPerGather, resampled: Boolean(part.meta.resampling) };
}

/**
 * The stored header of receiver `receiver` of `receivers` in gather `source`: the file's trace when
 * the receivers are the file's traces, else (a resampled import) the receiver-side fields
 * interpolated between the two traces the resampling interpolated the samples from.
 */
function storedTraceHeader(headers: StoredHeaders, source: number, receiver: number, receivers: number): TraceHeaderValues {
  const nIn = Math.max(1, Math.min(headers.tracesPerGather[source] ?? headers.nTraces, headers.nTraces));
  const nFields = headers.fields.length;
  const rowOf = (trace: number) => headers.values.subarray((source * headers.nTraces + trace) * nFields, (source * headers.nTraces + trace + 1) * nFields);
  const resampled = headers.resampled && receivers !== nIn;
  const position = !resampled ? receiver : receivers === 1 ? (nIn - 1) / 2 : (receiver * (nIn - 1)) / (receivers - 1);
  const left = Math.min(Math.floor(position), nIn - 1);
  const right = Math.min(left + 1, nIn - 1);
  const weight = position - left;
  const leftRow = rowOf(left);
  const values: TraceHeaderValues = {};
  headers.fields.forEach((name, f) => {
    if (!writerOwnFields.has(name)) (values as Record<string, number>)[name] = leftRow[f];
  });
  if (resampled) {
    const rightRow = rowOf(right);
    for (const name of receiverFields) {
      const f = headers.fields.indexOf(name);
      if (f >= 0) (values as Record<string, number>)[name] = Math.round((1 - weight) * leftRow[f] + weight * rightRow[f]);
    }
    values.TraceNumber = receiver + 1;
  }
  return values;
}

/** The geometry the dataset's seismic was modelled with, when it has one whose sources and receivers match its shape. */
export function datasetGeometry(dataset: DatasetDetail, projectGeometry: AcquisitionGeometry, shape: { sources: number; receivers: number }): AcquisitionGeometry | null {
  const fits = (g: AcquisitionGeometry | undefined): boolean => Boolean(g && g.sources?.length === shape.sources && g.receivers?.length === shape.receivers);
  const own = dataset.meta.geometry as AcquisitionGeometry | undefined;
  if (fits(own)) return own!;
  // OpenFWI imports and generated pairs are checked against the project's geometry.
  return dataset.kind !== 'segy' && fits(projectGeometry) ? projectGeometry : null;
}

export interface SegyExportResult {
  file: string;
  samples: number;
  traces: number;
  /** Zero traces of padded gathers that were not written. */
  paddedTracesLeftOut: number;
  sampleIntervalMs: number;
  /** Where the trace coordinates came from. */
  headers: 'segy' | 'geometry' | 'none';
}

/**
 * The one sampling a dataset's SEG-Y file would have, or why it cannot be written (velocity only, mixed
 * shapes or intervals, no interval). The `export.segy` call checks it before it makes a job.
 */
export function segyExportSampling(dataset: DatasetDetail): { nSources: number; nTime: number; nReceivers: number; sampleIntervalMs: number } {
  if (!dataset.hasSeismic) throw new StudioError('unsupported', `Dataset '${dataset.name}' holds velocity models only; there is no seismic to write as SEG-Y.`);
  const shapes = new Set(dataset.parts.map((p) => JSON.stringify(p.seismicShape)));
  const intervals = new Set(dataset.parts.map((p) => p.sampleIntervalMs ?? dataset.sampleIntervalMs));
  if (shapes.size !== 1 || intervals.size !== 1) {
    throw new StudioError(
      'unsupported',
      `Dataset '${dataset.name}' mixes gathers of different shapes or sample intervals (${[...shapes].join(', ')}; ${[...intervals].join(', ')} ms); a SEG-Y file holds one sampling. Re-import its files, which keeps each sampling a dataset of its own.`,
    );
  }
  const [nSources, nTime, nReceivers] = dataset.parts[0].seismicShape!;
  const sampleIntervalMs = [...intervals][0];
  if (typeof sampleIntervalMs !== 'number' || !(sampleIntervalMs > 0)) {
    throw new StudioError('unsupported', `Dataset '${dataset.name}' does not record its sample interval, which a SEG-Y file must state.`);
  }
  return { nSources, nTime, nReceivers, sampleIntervalMs };
}

/**
 * Writes the seismic of `dataset` ([N, sources, time, receivers] over its parts) to the SEG-Y file
 * `file`, atomically: IEEE floats, big-endian, rev 2; traces in sample, source, receiver order.
 */
export function exportDatasetSegy(
  project: Pick<Project, 'arrayPath'>,
  dataset: DatasetDetail,
  file: string,
  options: WorkOptions & { projectGeometry: AcquisitionGeometry; overwrite?: boolean; exists?: (file: string) => boolean },
): SegyExportResult {
  const { nSources, nTime, nReceivers, sampleIntervalMs } = segyExportSampling(dataset);
  if (options.exists?.(file) && !options.overwrite) throw new StudioError('conflict', `${file} exists; allow overwriting or choose another file name.`);
  const geometry = datasetGeometry(dataset, options.projectGeometry, { sources: nSources, receivers: nReceivers });
  const fromSegy = dataset.kind === 'segy' && dataset.parts.every((p) => p.headersFile);
  const headerSource: SegyExportResult['headers'] = fromSegy ? 'segy' : geometry ? 'geometry' : 'none';
  const intervalUs = sampleIntervalMs * 1000;
  const writer = new SegyWriter(file, {
    samplesPerTrace: nTime,
    sampleIntervalUs: Math.abs(intervalUs - Math.round(intervalUs)) < 1e-6 ? Math.round(intervalUs) : intervalUs,
    tracesPerEnsemble: nReceivers,
    textLines: [
      `WaveDiffusion Studio: dataset '${dataset.name}' (${dataset.kind}), seismic [N, sources, time, receivers]`,
      `${nTime} samples per trace at ${sampleIntervalMs} ms; one trace per sample, source and recorded receiver`,
      ...(headerSource === 'segy'
        ? ['Trace headers as imported (receiver coordinates interpolated where gathers were resampled)', 'Zero traces padding shorter gathers are left out']
        : headerSource === 'geometry'
          ? geometryTextLines(dataset.nSamples, nSources, nReceivers)
          : ['No acquisition geometry: FieldRecord = sample*sources+source+1, TraceNumber = receiver + 1']),
      ...(dataset.source ? [`Source: ${dataset.source.slice(-70)}`] : []),
    ],
  });
  let traces = 0;
  let padded = 0;
  try {
    let sample = 0;
    for (const part of dataset.parts) {
      const seismic = openNpy(project.arrayPath(part.seismicFile!));
      for (let row = 0; row < part.nSamples; row += 1, sample += 1) {
        throwIfCancelled(options.signal);
        const values = readNpyRows(seismic, row, 1);
        const live = recordedTraces(project, part, row, nSources, nReceivers);
        const stored = headerSource === 'segy' ? storedHeaders(project, part, row) : null;
        const block = new Float32Array(nSources * nReceivers * nTime);
        const headers: TraceHeaderValues[] = [];
        for (let s = 0; s < nSources; s += 1) {
          for (let r = 0; r < nReceivers; r += 1) {
            if (live && live[s * nReceivers + r] === 0) {
              padded += 1;
              continue;
            }
            const trace = headers.length;
            for (let t = 0; t < nTime; t += 1) block[trace * nTime + t] = values[(s * nTime + t) * nReceivers + r];
            headers.push(
              stored
                ? storedTraceHeader(stored, s, r, nReceivers)
                : geometry
                  ? geometryTraceHeader(geometry, sample, s, r, nSources)
                  : { FieldRecord: sample * nSources + s + 1, TraceNumber: r + 1, EnergySourcePoint: s + 1, CDP: sample + 1 },
            );
          }
        }
        writer.writeTraces(block.subarray(0, headers.length * nTime), headers);
        traces += headers.length;
        options.onProgress?.({ done: sample + 1, total: dataset.nSamples, unit: 'samples' });
      }
    }
    writer.commit();
  } catch (error) {
    writer.abort();
    throw error;
  }
  return { file: path.resolve(file), samples: dataset.nSamples, traces, paddedTracesLeftOut: padded, sampleIntervalMs, headers: headerSource };
}
