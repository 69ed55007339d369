import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { StudioError } from '../contract/errors.ts';
import { throwIfCancelled } from '../util/abort.ts';
import { removeStalePartials, writeFileAtomic } from '../util/atomicFile.ts';
import type { WorkOptions } from '../util/progress.ts';
import { NpyWriter, readNpy, writeNpy } from '../io/npy.ts';
import { OPENFWI_MODEL_SHAPE, generateVelocityModels, type ModelShape, type VelocityFamily } from './families.ts';
import { recordedSamples, validateGeometry } from './acquisition.ts';
import { type AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';
import type { KernelChoice } from './kernels.ts';
import type { FdWorkerPool } from './pool.ts';
import { forwardModel } from './solver.ts';
import { OPENFWI_SAMPLES_PER_FILE, type Shard } from '../contract/parameters.ts';
import { CHUNKED_SET_FORMAT, MANIFEST_FILE, WHOLE_RUN, describeChunks, shardSamples, writeManifest, type ChunkedSetManifest, type ShardSamples } from '../io/chunkedSet.ts';

/**
 * Synthesises a dataset in OpenFWI's layout: `model{k}.npy` float32 [n, 1, nz, nx] (m/s) and
 * `data{k}.npy` float32 [n, sources, time, receivers], k = 1, 2, …, `samplesPerFile` samples per
 * file (the last may hold fewer). Sample i's velocity comes from (family, seed, i) alone.
 *
 * Crash safety and resume: samples are forward-modelled in batches; each batch is written as a pair
 * of chunk files (`.synthesis-chunks/`, atomic), then `checkpoint` records how many samples are
 * committed (a job's checkpoint: the one record a synthesis resumes from). When a file's samples are
 * all in chunks, the chunks are merged into `data{k}.npy` / `model{k}.npy` (atomic), the state is
 * recorded, then the chunks are deleted. A run stopped at any point continues from the last recorded
 * batch: chunks beyond it are discarded and recomputed (identically: models are seeded per sample,
 * the solver is deterministic), so no sample is lost or written twice.
 *
 * With `writeRecord` a finished synthesis leaves `synthesis.json` (its final state) beside the files,
 * for the tools that read a folder of pairs (native-models' data loader names the family from it).
 *
 * With `velocityOnly` only the `model{k}.npy` files are written (no forward modelling): for tools that
 * model the seismic elsewhere (native-models' forward_torch on a GPU writes `data{k}.npy` beside them).
 *
 * With `shard` I/N only the shard's files are made (`io/chunkedSet.ts`: a contiguous run of whole
 * files under their global names); the whole run is shard 0/1, by the same code. With `writeRecord`
 * the finished folder also gets the chunked set's manifest.json.
 */

export const SYNTHESIS_RECORD = 'synthesis.json';
const CHUNK_DIR = '.synthesis-chunks';

export interface SynthesisParams {
  family: VelocityFamily;
  count: number;
  seed: number;
  geometry: AcquisitionGeometry;
  destDir: string;
  /** Samples per data/model file pair; OpenFWI's files hold 500. */
  samplesPerFile?: number;
  /** Velocity model size; default OpenFWI's 70 × 70. */
  shape?: ModelShape;
  /** Samples forward-modelled (and committed) together; default 2 × the pool's size (at least 2), or a whole file with velocityOnly. */
  batchSize?: number;
  /** Write the velocity models only; the seismic is left to another tool. */
  velocityOnly?: boolean;
  /** Make only this shard's files; default the whole run. */
  shard?: Shard;
}

export interface SynthesisFile {
  /** The seismic file of these models; with velocityOnly, the name it is to have, not written here. */
  data: string;
  model: string;
  samples: number;
}

/** What a synthesis has committed; passed to `checkpoint`, and written to synthesis.json when complete. */
export interface SynthesisState {
  version: 1;
  family: VelocityFamily;
  seed: number;
  count: number;
  samplesPerFile: number;
  nz: number;
  nx: number;
  /** sha256 of the validated geometry's JSON: a resume with another geometry is refused. */
  geometrySha256: string;
  /** Samples committed, counted from the shard's first (the run's first without a shard). */
  committedSamples: number;
  /** The shard of the run this folder holds; absent for the whole run. */
  shard?: Shard;
  /** Present (true) when only the velocity models were written. */
  velocityOnly?: true;
  /** Completed file pairs, relative to destDir. */
  files: SynthesisFile[];
}

export interface SynthesisOptions extends WorkOptions {
  pool?: FdWorkerPool;
  kernel?: KernelChoice;
  /** State of an interrupted run (a job's checkpoint). */
  resumeState?: SynthesisState;
  /** Called after each committed batch, once its files are complete. */
  checkpoint?: (state: SynthesisState) => void;
  /**
   * Leave destDir/synthesis.json describing the finished synthesis (a folder of pairs for other
   * tools); a fresh run finds a folder that such a record describes complete. Off for a project's
   * dataset, whose folder holds only the arrays the catalogue names.
   */
  writeRecord?: boolean;
}

export interface SynthesisResult {
  destDir: string;
  state: SynthesisState;
  /** Samples already committed when this run started. */
  resumedFrom: number;
}

function checkWhole(value: number, name: string, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new StudioError('bad_input', `Synthesis ${name} = ${value}: use a whole number ≥ ${min}.`);
  }
}

function geometryHash(geometry: AcquisitionGeometry): string {
  return createHash('sha256').update(JSON.stringify(geometry)).digest('hex');
}

function chunkName(start: number, end: number, kind: 'data' | 'model'): string {
  return `chunk-${String(start).padStart(9, '0')}-${String(end).padStart(9, '0')}.${kind}.npy`;
}

function parseChunkName(name: string): { start: number; end: number; kind: 'data' | 'model' } | null {
  const match = /^chunk-(\d{9})-(\d{9})\.(data|model)\.npy$/.exec(name);
  return match ? { start: Number(match[1]), end: Number(match[2]), kind: match[3] as 'data' | 'model' } : null;
}

export function readSynthesisRecord(destDir: string): SynthesisState | undefined {
  const file = path.join(destDir, SYNTHESIS_RECORD);
  if (!fs.existsSync(file)) return undefined;
  try {
    const state = JSON.parse(fs.readFileSync(file, 'utf8')) as SynthesisState;
    if (state.version !== 1 || !Number.isInteger(state.committedSamples)) throw new Error('unknown layout');
    return state;
  } catch (error) {
    throw new StudioError('bad_file', `${file} is not a synthesis record this version can read (${(error as Error).message}); remove the folder's contents or choose another folder.`);
  }
}

/** The samples a synthesis state's folder is to hold. */
export function synthesisSamples(state: SynthesisState): ShardSamples {
  return shardSamples(state.count, state.samplesPerFile, state.shard ?? WHOLE_RUN);
}

function shardText(shard: Shard | undefined): string {
  const s = shard ?? WHOLE_RUN;
  return `${s.index}/${s.count}`;
}

function sameRun(a: SynthesisState, b: SynthesisState): string | null {
  const keys = ['family', 'seed', 'count', 'samplesPerFile', 'nz', 'nx', 'geometrySha256'] as const;
  for (const key of keys) if (a[key] !== b[key]) return `${key}: ${String(a[key])} there, ${String(b[key])} asked`;
  if (shardText(a.shard) !== shardText(b.shard)) return `shard: ${shardText(a.shard)} there, ${shardText(b.shard)} asked`;
  if (Boolean(a.velocityOnly) !== Boolean(b.velocityOnly)) {
    return `velocityOnly: ${Boolean(a.velocityOnly)} there, ${Boolean(b.velocityOnly)} asked`;
  }
  return null;
}

/** Removes temporaries and chunks the state does not account for (past the committed samples, or of finished files). */
function tidy(destDir: string, state: SynthesisState): void {
  removeStalePartials(destDir);
  const range = synthesisSamples(state);
  const committedEnd = range.start + state.committedSamples;
  const chunkDir = path.join(destDir, CHUNK_DIR);
  if (!fs.existsSync(chunkDir)) return;
  removeStalePartials(chunkDir);
  for (const name of fs.readdirSync(chunkDir)) {
    const chunk = parseChunkName(name);
    // Keep only recorded chunks of the file still being filled.
    const fileEnd = chunk ? Math.min((Math.floor(chunk.start / state.samplesPerFile) + 1) * state.samplesPerFile, state.count) : 0;
    if (!chunk || chunk.end > committedEnd || fileEnd <= committedEnd) fs.rmSync(path.join(chunkDir, name), { force: true });
  }
}

/** Chunks of samples [start, end), in order (model chunks, and their data partners unless velocityOnly); throws when they do not tile the range. */
function chunksCovering(chunkDir: string, start: number, end: number, velocityOnly: boolean): Array<{ start: number; end: number }> {
  const ranges = (fs.existsSync(chunkDir) ? fs.readdirSync(chunkDir) : [])
    .map(parseChunkName)
    .filter((c): c is NonNullable<typeof c> => c !== null && c.kind === 'model' && c.start >= start && c.end <= end)
    .sort((a, b) => a.start - b.start);
  let next = start;
  for (const range of ranges) {
    if (range.start !== next || (!velocityOnly && !fs.existsSync(path.join(chunkDir, chunkName(range.start, range.end, 'data'))))) break;
    next = range.end;
  }
  if (next !== end) {
    throw new StudioError(
      'bad_file',
      `${chunkDir}: the chunks of samples ${start}–${end - 1} are incomplete (covered up to ${next}); the synthesis record and its chunks disagree. Delete the folder and run again.`,
    );
  }
  return ranges;
}

function mergeChunks(chunkDir: string, start: number, end: number, finalPath: string, kind: 'data' | 'model', trailing: number[], velocityOnly: boolean): void {
  const writer = new NpyWriter(finalPath, { shape: [end - start, ...trailing] });
  try {
    for (const range of chunksCovering(chunkDir, start, end, velocityOnly)) writer.write(readNpy(path.join(chunkDir, chunkName(range.start, range.end, kind))).data);
    writer.commit();
  } catch (error) {
    writer.abort();
    throw error;
  }
}

export async function synthesizeDataset(params: SynthesisParams, options: SynthesisOptions = {}): Promise<SynthesisResult> {
  const shape = params.shape ?? OPENFWI_MODEL_SHAPE;
  const samplesPerFile = params.samplesPerFile ?? OPENFWI_SAMPLES_PER_FILE;
  checkWhole(params.count, 'count', 1);
  checkWhole(samplesPerFile, 'samplesPerFile', 1);
  if (!Number.isSafeInteger(params.seed)) throw new StudioError('bad_input', `Synthesis seed = ${params.seed}: use a whole number.`);
  const geometry = validateGeometry(params.geometry, shape);
  const velocityOnly = params.velocityOnly === true;
  // Without forward modelling a batch costs ~0.5 ms a model: commit whole files.
  const batchSize = params.batchSize ?? (velocityOnly ? samplesPerFile : Math.max(2, 2 * (options.pool?.size ?? 1)));
  checkWhole(batchSize, 'batchSize', 1);

  const destDir = params.destDir;
  const chunkDir = path.join(destDir, CHUNK_DIR);
  fs.mkdirSync(chunkDir, { recursive: true });

  const fresh: SynthesisState = {
    version: 1,
    family: params.family,
    seed: params.seed,
    count: params.count,
    samplesPerFile,
    nz: shape.nz,
    nx: shape.nx,
    geometrySha256: geometryHash(geometry),
    committedSamples: 0,
    ...(params.shard && params.shard.count > 1 ? { shard: { index: params.shard.index, count: params.shard.count } } : {}),
    ...(velocityOnly ? { velocityOnly: true as const } : {}),
    files: [],
  };
  const range = synthesisSamples(fresh);
  const shardSize = range.end - range.start;
  const record = options.writeRecord ? readSynthesisRecord(destDir) : undefined;
  if (record && !options.resumeState) {
    const difference = sameRun(record, fresh);
    if (difference) {
      throw new StudioError('conflict', `${destDir} holds a different synthesis (${difference}); choose another folder or repeat that run's parameters.`);
    }
    if (record.committedSamples !== shardSize) {
      throw new StudioError('conflict', `${destDir} holds an unfinished synthesis of an earlier version (${record.committedSamples} of ${shardSize} samples); empty the folder and run again.`);
    }
    // A finished synthesis of these parameters: nothing to do but the manifest an earlier version did not write.
    if (!fs.existsSync(path.join(destDir, MANIFEST_FILE))) writeSynthesisManifest(destDir, record, geometry);
    return { destDir, state: record, resumedFrom: shardSize };
  }
  const previous = options.resumeState;
  if (previous) {
    const difference = sameRun(previous, fresh);
    if (difference) {
      throw new StudioError('conflict', `${destDir} holds a different synthesis (${difference}); choose another folder or repeat that run's parameters to continue it.`);
    }
  } else if (fs.readdirSync(destDir).some((name) => /^(data|model)\d+\.npy$/.test(name))) {
    throw new StudioError('conflict', `${destDir} already holds data/model files that no synthesis record describes; choose an empty folder.`);
  }
  const state: SynthesisState = previous ? { ...previous, files: [...previous.files] } : fresh;
  const resumedFrom = state.committedSamples;
  tidy(destDir, state);

  const sources = geometry.sources.length;
  const seismicTrailing = [sources, recordedSamples(geometry), geometry.receivers.length];
  const modelTrailing = [1, shape.nz, shape.nx];
  const report = (shotsInBatch = 0): void =>
    options.onProgress?.({ done: state.committedSamples + Math.floor(shotsInBatch / sources), total: shardSize, unit: 'samples' });
  report();

  const persist = (): void => options.checkpoint?.({ ...state, files: [...state.files] });
  if (!previous) persist();

  while (state.committedSamples < shardSize) {
    throwIfCancelled(options.signal);
    const start = range.start + state.committedSamples;
    const part = Math.floor(start / samplesPerFile);
    const partStart = part * samplesPerFile;
    const partEnd = Math.min(partStart + samplesPerFile, state.count);
    const end = Math.min(start + batchSize, partEnd);
    const n = end - start;

    const models = generateVelocityModels(params.family, params.seed, n, { start, shape });
    const seismic = velocityOnly
      ? null
      : await forwardModel(models, { n, nz: shape.nz, nx: shape.nx }, geometry, {
          pool: options.pool,
          kernel: options.kernel,
          signal: options.signal,
          onNotice: options.onNotice,
          onProgress: (p) => report(p.done),
        });
    throwIfCancelled(options.signal);
    writeNpy(path.join(chunkDir, chunkName(start, end, 'model')), models, [n, ...modelTrailing]);
    if (seismic) writeNpy(path.join(chunkDir, chunkName(start, end, 'data')), seismic, [n, ...seismicTrailing]);

    const partDone = end === partEnd;
    if (partDone) {
      const file: SynthesisFile = { data: `data${part + 1}.npy`, model: `model${part + 1}.npy`, samples: partEnd - partStart };
      mergeChunks(chunkDir, partStart, partEnd, path.join(destDir, file.model), 'model', modelTrailing, velocityOnly);
      if (!velocityOnly) mergeChunks(chunkDir, partStart, partEnd, path.join(destDir, file.data), 'data', seismicTrailing, velocityOnly);
      state.files.push(file);
    }
    state.committedSamples = end - range.start;
    persist();
    if (partDone) tidy(destDir, state);
    report();
  }
  if (fs.existsSync(chunkDir) && fs.readdirSync(chunkDir).length === 0) fs.rmdirSync(chunkDir);
  if (options.writeRecord) {
    writeSynthesisManifest(destDir, state, geometry);
    writeFileAtomic(path.join(destDir, SYNTHESIS_RECORD), `${JSON.stringify(state, null, 2)}\n`);
  }
  return { destDir, state, resumedFrom };
}

/** The chunked-set manifest of a finished synthesis folder (checksums of its files included). */
export function synthesisManifest(destDir: string, state: SynthesisState, geometry: AcquisitionGeometry): ChunkedSetManifest {
  const range = synthesisSamples(state);
  const velocityOnly = state.velocityOnly === true;
  return {
    format: CHUNKED_SET_FORMAT,
    kind: 'synthesis',
    run: {
      family: state.family,
      seed: state.seed,
      count: state.count,
      samplesPerFile: state.samplesPerFile,
      shape: { nz: state.nz, nx: state.nx },
      geometrySha256: state.geometrySha256,
      velocityOnly,
    },
    count: state.count,
    samplesPerFile: state.samplesPerFile,
    seed: state.seed,
    shard: state.shard ?? WHOLE_RUN,
    samples: { start: range.start, end: range.end },
    seismicShape: velocityOnly ? null : [geometry.sources.length, recordedSamples(geometry), geometry.receivers.length],
    velocityShape: [1, state.nz, state.nx],
    models: null,
    geometry,
    chunks: describeChunks(destDir, { count: state.count, samplesPerFile: state.samplesPerFile, firstFile: range.firstFile, endFile: range.endFile, velocityOnly }),
    metrics: null,
  };
}

function writeSynthesisManifest(destDir: string, state: SynthesisState, geometry: AcquisitionGeometry): void {
  writeManifest(destDir, synthesisManifest(destDir, state, geometry));
}
