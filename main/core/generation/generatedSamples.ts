/**
 * Reading generated samples back from the project (ŝ, v̂ and InversionNet's velocity), the detail
 * the gallery shows, and the export of a run, a filter or a selection as OpenFWI pairs with
 * per-sample metrics and provenance, plus SEG-Y.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Catalogue } from '../store/catalogue.ts';
import { arraysFolderName } from '../store/project.ts';
import { openNpy, readNpyRows, type NpyFile } from '../io/npy.ts';
import { exportOpenfwi, type OpenfwiSampleSource } from '../io/openfwi.ts';
import { SegyWriter, type TraceHeaderValues } from '../io/segy/writer.ts';
import { geometryTextLines, geometryTraceHeader } from '../datasets/segyExport.ts';
import { throwIfCancelled } from '../util/abort.ts';
import { StudioError } from '../contract/errors.ts';
import type { WorkOptions } from '../util/progress.ts';
import type { FdWorkerPool } from '../physics/pool.ts';
import { openfwiGeometry, recordedSamples } from '../physics/acquisition.ts';
import { type AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';
import { compareSeismic } from '../physics/deviation.ts';
import type { GenerationRunRow, GenerationSampleRow, GenerationStore, SampleFilter } from '../store/tables/generation.ts';
import { sampleIntervalMs } from '../contract/acquisitionGeometry.ts';
import { OPENFWI_SAMPLES_PER_FILE, type Shard } from '../contract/parameters.ts';
import { CHUNKED_SET_FORMAT, MANIFEST_FILE, WHOLE_RUN, describeChunks, sha256OfFile, shardSamples, writeManifest, type ChunkRecord, type ChunkedSetManifest, type ShardSamples } from '../io/chunkedSet.ts';
import { resolveModel, type NetworkKind } from '../ml/modelRegistry.ts';
import { stage1SampleShapes } from '../ml/networks.ts';
import { METRICS_CSV, writeMetricsTables, type ExportedSampleRecord } from './metricsTable.ts';

export interface SampleArrays {
  /** [sources, time, receivers] */
  seismic: Float32Array;
  seismicShape: number[];
  /** [1, depth, width] m/s */
  velocityMps: Float32Array;
  velocityShape: number[];
  /** [1, depth, width] m/s */
  invertedMps: Float32Array;
}

interface PartFiles {
  seismic: NpyFile;
  velocity: NpyFile;
  inversion: NpyFile;
}

/**
 * Opens the array files of generated samples, caching each file's header. A running generation
 * gathers its batches into chunk files and renumbers their parts (generationJob.ts), so a read looks
 * up where the sample lies now rather than trusting a row fetched earlier.
 */
export class GeneratedArrays {
  private readonly catalogue: Catalogue;
  private readonly arraysDir: string;
  private readonly files = new Map<string, NpyFile>();

  constructor(projectDir: string, catalogue: Catalogue) {
    this.catalogue = catalogue;
    this.arraysDir = path.join(projectDir, arraysFolderName);
  }

  private open(relative: string): NpyFile {
    let file = this.files.get(relative);
    if (!file) {
      file = openNpy(path.join(this.arraysDir, relative));
      this.files.set(relative, file);
    }
    return file;
  }

  private part(datasetId: number, partIndex: number): PartFiles {
    const recorded = this.catalogue.generation.partFiles(datasetId, partIndex);
    return { seismic: this.open(recorded.seismicFile), velocity: this.open(recorded.velocityFile), inversion: this.open(recorded.inversionFile) };
  }

  read(sample: GenerationSampleRow): SampleArrays {
    const now = this.catalogue.generation.getSample(sample.id);
    if (now.datasetId === null) throw new StudioError('not_found', `Generated sample ${sample.id} lost its dataset (deleted).`);
    const files = this.part(now.datasetId, now.partIndex);
    return {
      seismic: readNpyRows(files.seismic, now.rowInPart, 1),
      seismicShape: files.seismic.shape.slice(1),
      velocityMps: readNpyRows(files.velocity, now.rowInPart, 1),
      velocityShape: files.velocity.shape.slice(1),
      invertedMps: readNpyRows(files.inversion, now.rowInPart, 1),
    };
  }
}

export function runGeometry(run: GenerationRunRow): AcquisitionGeometry {
  return run.geometry as unknown as AcquisitionGeometry;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** A sample's ŝ, v̂, InversionNet velocity, and on request f(v̂) and ŝ − f(v̂) with the run's geometry. */
export async function sampleDetail(
  projectDir: string,
  catalogue: Catalogue,
  sampleId: number,
  options: { fdPool?: FdWorkerPool; withModelled?: boolean; signal?: AbortSignal } = {},
): Promise<{ sample: GenerationSampleRow; arrays: SampleArrays; modelled: Float32Array | null; difference: Float32Array | null; geometry: AcquisitionGeometry }> {
  const store = catalogue.generation;
  const sample = store.getSample(sampleId);
  const geometry = runGeometry(store.getRun(sample.runId));
  const arrays = new GeneratedArrays(projectDir, catalogue).read(sample);
  let modelled: Float32Array | null = null;
  let difference: Float32Array | null = null;
  if (options.withModelled) {
    if (!options.fdPool) throw new StudioError('internal', 'sampleDetail: f(v̂) needs the FD pool.');
    const [, nz, nx] = arrays.velocityShape;
    modelled = await options.fdPool.forwardModel(arrays.velocityMps, { n: 1, nz, nx }, geometry, { signal: options.signal });
    difference = new Float32Array(modelled.length);
    for (let i = 0; i < modelled.length; i += 1) difference[i] = arrays.seismic[i] - modelled[i];
  }
  return { sample, arrays, modelled, difference, geometry };
}

/** Which generated samples to export. */
export interface ExportSelection {
  runId?: number;
  filter?: SampleFilter;
  sampleIds?: number[];
}

export function selectSampleIds(store: GenerationStore, selection: ExportSelection): number[] {
  const given = [selection.runId !== undefined, selection.filter !== undefined, selection.sampleIds !== undefined].filter(Boolean).length;
  if (given !== 1) throw new StudioError('bad_input', 'Export exactly one of runId, filter or sampleIds.');
  if (selection.runId !== undefined) {
    store.getRun(selection.runId);
    return store.sampleIds({ runId: selection.runId });
  }
  if (selection.filter) return store.sampleIds(selection.filter);
  const ids = [...new Set(selection.sampleIds!)];
  const rows = store.getSamples(ids);
  return rows.sort((a, b) => a.runId - b.runId || a.sampleIndex - b.sampleIndex).map((r) => r.id);
}

export interface GeneratedExportOptions extends WorkOptions {
  fdPool: FdWorkerPool;
  segy?: boolean;
  overwrite?: boolean;
  samplesPerFile?: number;
}

export interface GeneratedExportResult {
  folder: string;
  samples: number;
  files: string[];
  /** Samples whose pde_rel_l2 was computed for the export (physics check off, or another geometry). */
  recomputed: number;
}

/**
 * Exports generated samples as OpenFWI pairs (data{k}.npy ŝ [n, sources, time, receivers],
 * model{k}.npy v̂ [n, 1, depth, width] m/s, 500 per file), metrics.csv and metrics.json, and with
 * `segy` seismic.sgy (one trace per sample, source and receiver). pde_rel_l2 is that of the exported
 * float32 arrays under OpenFWI's geometry: the stored value when the run checked with that geometry,
 * else computed here with the FD pool.
 */
export async function exportGenerated(projectDir: string, catalogue: Catalogue, selection: ExportSelection, folder: string, options: GeneratedExportOptions): Promise<GeneratedExportResult> {
  const store = catalogue.generation;
  const ids = selectSampleIds(store, selection);
  const wholeRun = selection.runId !== undefined ? store.getRun(selection.runId) : null;
  const perFile = options.samplesPerFile ?? (wholeRun?.params.samplesPerFile as number | undefined) ?? OPENFWI_SAMPLES_PER_FILE;
  const set = wholeRun ? runSetLayout(wholeRun, perFile) : null;
  if (ids.length === 0) {
    if (set && set.samples.end === set.samples.start) return exportEmptyShard(projectDir, catalogue, wholeRun!, folder, perFile);
    throw new StudioError('bad_input', 'No generated samples match; nothing was exported.');
  }
  const samples = store.getSamples(ids);
  // A whole run is a chunked set: its files are numbered by its samples' global indices.
  const firstFile = set && samples[0].sampleIndex === set.samples.start ? set.samples.firstFile : 1;
  const runs = new Map<number, GenerationRunRow>();
  for (const s of samples) if (!runs.has(s.runId)) runs.set(s.runId, store.getRun(s.runId));
  const arrays = new GeneratedArrays(projectDir, catalogue);
  const first = arrays.read(samples[0]);
  const openfwi = openfwiGeometry();
  const seismicShape = first.seismicShape;
  const velocityShape = first.velocityShape;
  const [sources, time, receivers] = seismicShape;
  const fitsOpenfwi = openfwi.sources.length === sources && recordedSamples(openfwi) === time && openfwi.receivers.length === receivers;

  const pde = new Map<number, { pde_rel_l2: number | null; pde_mse: number | null }>();
  let recomputed = 0;
  const seismicElements = seismicShape.reduce((a, b) => a * b, 1);
  const velocityElements = velocityShape.reduce((a, b) => a * b, 1);
  const source: OpenfwiSampleSource = {
    samples: samples.length,
    seismicSampleShape: seismicShape,
    velocitySampleShape: velocityShape,
    read: async (start, count) => {
      const seismic = new Float32Array(count * seismicElements);
      const velocity = new Float32Array(count * velocityElements);
      const needFd: number[] = [];
      for (let i = 0; i < count; i += 1) {
        const sample = samples[start + i];
        const a = arrays.read(sample);
        if (a.seismic.length !== seismicElements || a.velocityMps.length !== velocityElements) {
          throw new StudioError('bad_input', `Sample ${sample.id} has shapes [${a.seismicShape.join(', ')}] / [${a.velocityShape.join(', ')}], unlike the first sample's; export runs of one model separately.`);
        }
        seismic.set(a.seismic, i * seismicElements);
        velocity.set(a.velocityMps, i * velocityElements);
        const run = runs.get(sample.runId)!;
        if (sample.pde_rel_l2 !== null && sameJson(run.geometry, openfwi)) pde.set(sample.id, { pde_rel_l2: sample.pde_rel_l2, pde_mse: sample.pde_mse });
        else if (fitsOpenfwi) needFd.push(i);
        else pde.set(sample.id, { pde_rel_l2: null, pde_mse: null });
      }
      if (needFd.length) {
        throwIfCancelled(options.signal);
        const [, nz, nx] = velocityShape;
        const v = new Float32Array(needFd.length * velocityElements);
        const s = new Float32Array(needFd.length * seismicElements);
        needFd.forEach((i, j) => {
          v.set(velocity.subarray(i * velocityElements, (i + 1) * velocityElements), j * velocityElements);
          s.set(seismic.subarray(i * seismicElements, (i + 1) * seismicElements), j * seismicElements);
        });
        const modelled = await options.fdPool.forwardModel(v, { n: needFd.length, nz, nx }, openfwi, { signal: options.signal });
        const report = compareSeismic(s, modelled, { n: needFd.length, sources, time, receivers });
        needFd.forEach((i, j) => pde.set(samples[start + i].id, { pde_rel_l2: report.samples[j].pde_rel_l2, pde_mse: report.samples[j].pde_mse }));
        recomputed += needFd.length;
      }
      return { seismic, velocity };
    },
  };
  // A manifest marks a finished set: one left from an earlier export goes before files are replaced.
  if (options.overwrite) fs.rmSync(path.join(folder, MANIFEST_FILE), { force: true });
  const written = await exportOpenfwi(source, folder, {
    samplesPerFile: perFile,
    overwrite: options.overwrite,
    batchSamples: 16,
    firstFileNumber: firstFile,
    signal: options.signal,
    onProgress: options.onProgress,
    onNotice: options.onNotice,
  });

  const records: ExportedSampleRecord[] = samples.map((s, i) => {
    const run = runs.get(s.runId)!;
    const k = firstFile + Math.floor(i / perFile);
    const metrics = pde.get(s.id) ?? { pde_rel_l2: null, pde_mse: null };
    return {
      data_file: `data${k}.npy`,
      model_file: `model${k}.npy`,
      index_in_file: i % perFile,
      sample_id: s.id,
      run_id: s.runId,
      sample_index: s.sampleIndex,
      seed: s.seed,
      model: s.model,
      stage1: run.stage1Ref,
      inversionnet: run.inversionRef,
      sampler: s.sampler,
      sampler_label: run.samplerLabel,
      steps: s.steps,
      provider: s.provider,
      pde_rel_l2: metrics.pde_rel_l2 !== null && Number.isFinite(metrics.pde_rel_l2) ? metrics.pde_rel_l2 : null,
      pde_mse: metrics.pde_mse,
      inv_mae: s.inv_mae,
      inv_rmse: s.inv_rmse,
      inv_ssim: s.inv_ssim,
      tags: s.tags.join(';'),
    };
  });
  const files = written.parts.flatMap((p) => [p.seismicFile, p.velocityFile].filter((f): f is string => f !== null)).map((f) => path.basename(f));
  files.push(...writeMetricsTables(folder, [...runs.values()].map(runRecord), records));

  if (options.segy) {
    const geometry = runGeometry(runs.get(samples[0].runId)!);
    const segyPath = path.join(folder, 'seismic.sgy');
    if (fs.existsSync(segyPath) && !options.overwrite) throw new StudioError('conflict', `${segyPath} exists; allow overwriting or choose an empty folder.`);
    // Streamed sample by sample: [sources, time, receivers] → one trace of `time` samples per (source, receiver).
    const writer = new SegyWriter(segyPath, {
      samplesPerTrace: time,
      sampleIntervalUs: Math.round(sampleIntervalMs(geometry) * 1000),
      tracesPerEnsemble: receivers,
      textLines: ['WaveDiffusion Studio: generated seismic (decoded by stage 1), physical amplitude', ...geometryTextLines(samples.length, sources, receivers), 'Samples (CDP) in metrics.csv order'],
    });
    try {
      const traces = new Float32Array(sources * receivers * time);
      for (let i = 0; i < samples.length; i += 1) {
        throwIfCancelled(options.signal);
        const a = arrays.read(samples[i]);
        const headers: TraceHeaderValues[] = [];
        for (let s = 0; s < sources; s += 1) {
          for (let r = 0; r < receivers; r += 1) {
            const trace = s * receivers + r;
            for (let t = 0; t < time; t += 1) traces[trace * time + t] = a.seismic[(s * time + t) * receivers + r];
            headers.push(geometryTraceHeader(geometry, i, s, r, sources));
          }
        }
        writer.writeTraces(traces, headers);
      }
      writer.commit();
    } catch (error) {
      writer.abort();
      throw error;
    }
    files.push('seismic.sgy');
  }
  // The manifest, last, marks a complete set: a whole run whose samples are all there.
  if (set && samples.length === set.samples.end - set.samples.start && samples[0].sampleIndex === set.samples.start) {
    const chunks = describeChunks(folder, { count: set.count, samplesPerFile: perFile, firstFile: set.samples.firstFile, endFile: set.samples.endFile, velocityOnly: false });
    writeManifest(folder, generationManifest(projectDir, catalogue, wholeRun!, set, { seismicShape, velocityShape }, chunks));
    files.push(MANIFEST_FILE);
  }
  return { folder: path.resolve(folder), samples: samples.length, files, recomputed };
}

const runRecord = (r: GenerationRunRow): Record<string, unknown> => ({ run_id: r.id, stage1: r.stage1Ref, stage2: r.stage2Ref, inversionnet: r.inversionRef, sampler: r.sampler, sampler_label: r.samplerLabel, steps: r.steps, seed: r.seed, provider: r.provider, geometry: r.geometry });

interface RunSetLayout {
  /** Samples of the whole run (all shards). */
  count: number;
  perFile: number;
  shard: Shard;
  samples: ShardSamples;
}

/** Where a run's samples lie in the chunked set of its generation (its shard of `count`), at `perFile` samples a file. */
function runSetLayout(run: GenerationRunRow, perFile: number): RunSetLayout {
  const params = run.params as { count?: number; shard?: Shard };
  const count = params.count ?? run.count;
  const shard = params.shard ?? WHOLE_RUN;
  const samples = shardSamples(count, perFile, shard);
  const runFiles = (run.params.samplesPerFile as number | undefined) ?? OPENFWI_SAMPLES_PER_FILE;
  if (shard.count > 1 && runFiles !== perFile) {
    throw new StudioError('bad_input', `Run ${run.id} is shard ${shard.index}/${shard.count} of a set of ${runFiles} samples a file; export it with ${runFiles} samples per file.`, { field: 'samplesPerFile' });
  }
  return { count, perFile, shard, samples };
}

/** A shard with no samples (more shards than files): an empty metrics table and a manifest with no chunks. */
function exportEmptyShard(projectDir: string, catalogue: Catalogue, run: GenerationRunRow, folder: string, perFile: number): GeneratedExportResult {
  const set = runSetLayout(run, perFile);
  fs.mkdirSync(folder, { recursive: true });
  const stage1 = resolveModel(run.stage1Ref, 'stage1', { folder: projectDir, catalogue });
  const files = writeMetricsTables(folder, [runRecord(run)], []);
  writeManifest(folder, generationManifest(projectDir, catalogue, run, set, stage1SampleShapes(stage1.manifest), []));
  files.push(MANIFEST_FILE);
  return { folder: path.resolve(folder), samples: 0, files, recomputed: 0 };
}

/** The chunked-set manifest of an exported run. */
function generationManifest(projectDir: string, catalogue: Catalogue, run: GenerationRunRow, set: RunSetLayout, shapes: { seismicShape: number[]; velocityShape: number[] }, chunks: ChunkRecord[]): ChunkedSetManifest {
  const perFile = set.perFile;
  const project = { folder: projectDir, catalogue };
  // A model removed since the run leaves its checksum unknown (null) rather than failing the export.
  const modelSha256 = (ref: string, kind: NetworkKind): string | null => {
    try {
      return sha256OfFile(path.join(resolveModel(ref, kind, project).folder, 'manifest.json'));
    } catch {
      return null;
    }
  };
  const params = run.params as { sampler?: unknown; physicsCheck?: boolean };
  return {
    format: CHUNKED_SET_FORMAT,
    kind: 'generation',
    run: {
      stage1: run.stage1Ref,
      stage2: run.stage2Ref,
      inversionnet: run.inversionRef,
      sampler: params.sampler ?? run.sampler,
      seed: run.seed,
      count: set.count,
      samplesPerFile: perFile,
      physicsCheck: params.physicsCheck ?? run.physicsCheck,
      geometry: run.geometry,
    },
    count: set.count,
    samplesPerFile: perFile,
    seed: run.seed,
    shard: set.shard,
    samples: { start: set.samples.start, end: set.samples.end },
    seismicShape: shapes.seismicShape,
    velocityShape: shapes.velocityShape,
    models: {
      stage1: run.stage1Ref,
      stage2: run.stage2Ref,
      inversionnet: run.inversionRef,
      manifestSha256: { stage1: modelSha256(run.stage1Ref, 'stage1'), stage2: modelSha256(run.stage2Ref, 'stage2'), inversionnet: modelSha256(run.inversionRef, 'inversionnet') },
    },
    geometry: run.geometry,
    chunks,
    metrics: METRICS_CSV,
  };
}
