/**
 * OpenFWI dataset folders: finding and validating the `.npy` pairs, importing them into a project
 * (float32, atomic per file, cancellable), and exporting arrays back in OpenFWI's layout.
 *
 * OpenFWI names (see shared/OPENFWI.md): the Vel and Style families use `data{n}.npy` (seismic
 * `[N, sources, time, receivers]`) with `model{n}.npy` (velocity `[N, 1, depth, width]`); the Fault
 * families use `seis{P}_1_{i}.npy` with `vel{P}_1_{i}.npy`. Files pair by their numbers; parts are
 * ordered naturally (data2 before data10). A folder holding only velocity files is a velocity-only
 * dataset (models to forward-model), reported with `kind: 'velocity_only'`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../contract/errors.ts';
import { OPENFWI_VELOCITY_RANGE_MPS } from '../contract/velocityRange.ts';
import { throwIfCancelled } from '../util/abort.ts';
import { AtomicFileWriter, temporaryPathFor } from '../util/atomicFile.ts';
import type { WorkOptions } from '../util/progress.ts';
import { NpyWriter, dtypeName, formatShape, openNpy, readNpy, readNpyRows, type NpyDtype, type NpyFile } from './npy.ts';
import { OPENFWI_SAMPLES_PER_FILE } from '../contract/parameters.ts';

/** Plausible velocities; values outside suggest the "velocity" file holds something else. */
export const PLAUSIBLE_VELOCITY_MPS = { min: 300, max: 10000 } as const;

export type OpenfwiNaming = 'data_model' | 'seis_vel';

export interface OpenfwiArrayFile {
  path: string;
  /** File name within its folder. */
  name: string;
  /** Shape as stored in the file. */
  storedShape: number[];
  /** Seismic `[N, sources, time, receivers]`; velocity `[N, 1, depth, width]` (a stored `[N, depth, width]` gains the channel axis). */
  shape: number[];
  dtype: NpyDtype;
  /** numpy's descr as stored, e.g. '<f4', '>f4', '<f8'. */
  descr: string;
  fortranOrder: boolean;
  fileBytes: number;
}

export interface OpenfwiPart {
  /** The numbers that pair the files: '7' for data7/model7, '2_1_10' for seis2_1_10/vel2_1_10. */
  key: string;
  naming: OpenfwiNaming;
  samples: number;
  /** Seismic `[N, sources, time, receivers]`; null in a velocity-only dataset. */
  seismic: OpenfwiArrayFile | null;
  /** Velocity `[N, 1, depth, width]` in m/s. */
  velocity: OpenfwiArrayFile;
}

export interface OpenfwiDataset {
  folder: string;
  /** 'velocity_only': models without seismic, for forward modelling. */
  kind: 'paired' | 'velocity_only';
  parts: OpenfwiPart[];
  samples: number;
  /** One sample's seismic `[sources, time, receivers]`, null when velocity-only. */
  seismicSampleShape: number[] | null;
  /** One sample's velocity `[1, depth, width]`. */
  velocitySampleShape: number[];
  /** Findings that do not stop an import (conversions, implausible velocities), also sent through onNotice. */
  notices: string[];
}

export interface OpenfwiScanOptions {
  onNotice?: (message: string) => void;
  /**
   * How much of each velocity file to check against 300–10000 m/s: 'first' sample (default,
   * cheap), 'all' samples, or 'none'.
   */
  velocityCheck?: 'first' | 'all' | 'none';
}

interface NamePattern {
  naming: OpenfwiNaming;
  role: 'seismic' | 'velocity';
  pattern: RegExp;
}

const NAME_PATTERNS: NamePattern[] = [
  { naming: 'data_model', role: 'seismic', pattern: /^data(\d+)\.npy$/ },
  { naming: 'data_model', role: 'velocity', pattern: /^model(\d+)\.npy$/ },
  { naming: 'seis_vel', role: 'seismic', pattern: /^seis(\d+)_(\d+)_(\d+)\.npy$/ },
  { naming: 'seis_vel', role: 'velocity', pattern: /^vel(\d+)_(\d+)_(\d+)\.npy$/ },
];

/** The OpenFWI file name for a part's seismic or velocity file. */
export function openfwiFileName(naming: OpenfwiNaming, role: 'seismic' | 'velocity', key: string): string {
  if (naming === 'data_model') return `${role === 'seismic' ? 'data' : 'model'}${key}.npy`;
  return `${role === 'seismic' ? 'seis' : 'vel'}${key}.npy`;
}

/** Natural order: by naming, then by each number in the key. */
function compareParts(a: { naming: OpenfwiNaming; key: string }, b: { naming: OpenfwiNaming; key: string }): number {
  if (a.naming !== b.naming) return a.naming === 'data_model' ? -1 : 1;
  const x = a.key.split('_').map(Number);
  const y = b.key.split('_').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i += 1) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

function describeFile(file: NpyFile, role: 'seismic' | 'velocity', problems: string[]): OpenfwiArrayFile | null {
  const name = path.basename(file.path);
  if (file.dtype !== 'f4' && file.dtype !== 'f8') {
    problems.push(`${name}: the ${role} is ${dtypeName(file.dtype)} ('${file.descr}'); OpenFWI arrays are float32 (float64 is converted). Convert it with numpy: np.save(path, a.astype(np.float32)).`);
    return null;
  }
  let shape: number[];
  if (role === 'seismic') {
    if (file.shape.length !== 4) {
      problems.push(`${name}: seismic shape ${formatShape(file.shape)} is not [N, sources, time, receivers].`);
      return null;
    }
    shape = [...file.shape];
  } else if (file.shape.length === 3) {
    shape = [file.shape[0]!, 1, file.shape[1]!, file.shape[2]!];
  } else if (file.shape.length === 4 && file.shape[1] === 1) {
    shape = [...file.shape];
  } else {
    problems.push(`${name}: velocity shape ${formatShape(file.shape)} is not [N, 1, depth, width] or [N, depth, width].`);
    return null;
  }
  if (shape[0] === 0) {
    problems.push(`${name}: the ${role} file holds no samples (shape ${formatShape(file.shape)}).`);
    return null;
  }
  // An empty axis makes every sample empty however many there are: [10^15, 1, 0, 6] is a valid 128-byte
  // file whose samples a scan or an import would otherwise visit one batch at a time, for ever.
  if (shape.slice(1).includes(0)) {
    problems.push(`${name}: the ${role} samples are empty (shape ${formatShape(file.shape)} has an axis of length 0); an OpenFWI sample holds ${role === 'seismic' ? 'sources × time × receivers' : 'depth × width'} values.`);
    return null;
  }
  return {
    path: file.path,
    name,
    storedShape: [...file.shape],
    shape,
    dtype: file.dtype,
    descr: file.descr,
    fortranOrder: file.fortranOrder,
    fileBytes: file.dataOffset + file.dataBytes,
  };
}

/** Smallest and largest finite value of a float file and how many values are NaN or infinite, read a few samples at a time. */
export async function arrayRange(file: OpenfwiArrayFile, samples: number | 'all' = 'all', options: WorkOptions = {}): Promise<{ min: number; max: number; nonFinite: number }> {
  const npy = openNpy(file.path);
  const total = samples === 'all' ? file.shape[0]! : Math.min(samples, file.shape[0]!);
  const range = { min: Infinity, max: -Infinity, nonFinite: 0 };
  const scan = (values: Float32Array) => {
    for (let i = 0; i < values.length; i += 1) {
      const v = values[i]!;
      if (!Number.isFinite(v)) range.nonFinite += 1;
      else {
        if (v < range.min) range.min = v;
        if (v > range.max) range.max = v;
      }
    }
  };
  if (npy.fortranOrder) {
    // No contiguous rows: read whole (npy limits this to 1 GiB) and reorder.
    scan(readNpy(file.path).data.subarray(0, total * npy.rowElements));
    return range;
  }
  const batch = Math.max(1, Math.floor((16 << 20) / Math.max(1, npy.rowElements * 4)));
  for (let start = 0; start < total; start += batch) {
    throwIfCancelled(options.signal);
    scan(readNpyRows(npy, start, Math.min(batch, total - start)));
    await yieldToEventLoop();
  }
  return range;
}

function velocityWarning(fileName: string, range: { min: number; max: number; nonFinite: number }, scope: string): string | null {
  const problems: string[] = [];
  if (range.nonFinite > 0) problems.push(`${range.nonFinite} value(s) are NaN or infinite`);
  if (range.min < PLAUSIBLE_VELOCITY_MPS.min || range.max > PLAUSIBLE_VELOCITY_MPS.max) {
    problems.push(`values range from ${round(range.min)} to ${round(range.max)} m/s, outside the plausible ${PLAUSIBLE_VELOCITY_MPS.min}–${PLAUSIBLE_VELOCITY_MPS.max} m/s (OpenFWI uses ${OPENFWI_VELOCITY_RANGE_MPS.min}–${OPENFWI_VELOCITY_RANGE_MPS.max})`);
  }
  if (problems.length === 0) return null;
  return `${fileName}: velocity (${scope}): ${problems.join('; ')}. Check that the data and model files are not swapped and that the velocity is in m/s.`;
}

function round(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 1000) / 1000) : String(value);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Finds the OpenFWI files in `folder`, pairs and validates them. Throws StudioError('bad_file')
 * listing every problem (unpaired files, mismatched N, inconsistent shapes, wrong dtypes,
 * truncated or unreadable files); returns the dataset with its notices otherwise.
 */
export async function scanOpenfwiFolder(folder: string, options: OpenfwiScanOptions = {}): Promise<OpenfwiDataset> {
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new StudioError('not_found', `${folder}: no such folder.`, { file: folder });
    if (code === 'ENOTDIR') throw new StudioError('bad_input', `${folder} is a file; choose the folder that holds the OpenFWI .npy files.`, { file: folder });
    throw new StudioError('io', `${folder}: cannot list the folder (${(error as Error).message}).`, { file: folder });
  }
  const notices: string[] = [];
  const notice = (message: string) => {
    notices.push(message);
    options.onNotice?.(message);
  };
  const problems: string[] = [];

  interface Found {
    naming: OpenfwiNaming;
    key: string;
    seismic?: string;
    velocity?: string;
  }
  const byKey = new Map<string, Found>();
  const ignored: string[] = [];
  for (const name of names.sort()) {
    const match = NAME_PATTERNS.map((p) => ({ p, m: p.pattern.exec(name) })).find((x) => x.m);
    if (!match) {
      if (name.toLowerCase().endsWith('.npy')) ignored.push(name);
      continue;
    }
    // Keys are normalised numbers so that data01 pairs with model1.
    const key = match.m!.slice(1).map((n) => String(Number(n))).join('_');
    const id = `${match.p.naming}:${key}`;
    const found = byKey.get(id) ?? { naming: match.p.naming, key };
    if (found[match.p.role]) {
      problems.push(`${name} and ${found[match.p.role]} both claim ${match.p.role} part ${key}; remove one.`);
      continue;
    }
    found[match.p.role] = name;
    byKey.set(id, found);
  }
  if (byKey.size === 0) {
    throw new StudioError(
      'bad_input',
      `${folder} holds no OpenFWI files: expected data1.npy/model1.npy… or seis2_1_0.npy/vel2_1_0.npy… ${ignored.length ? `(it has ${ignored.slice(0, 5).join(', ')}${ignored.length > 5 ? '…' : ''}, which do not follow these names)` : ''}`.trim(),
      { file: folder },
    );
  }
  if (ignored.length) notice(`${folder}: ignored ${ignored.length} .npy file(s) that are not OpenFWI names: ${ignored.slice(0, 10).join(', ')}${ignored.length > 10 ? '…' : ''}.`);

  const found = [...byKey.values()].sort(compareParts);
  const anySeismic = found.some((f) => f.seismic);
  const kind: OpenfwiDataset['kind'] = anySeismic ? 'paired' : 'velocity_only';

  const parts: OpenfwiPart[] = [];
  let seismicSampleShape: number[] | null = null;
  let velocitySampleShape: number[] | null = null;
  let seismicReference = '';
  let velocityReference = '';
  const conversions = new Set<string>();

  const open = (name: string, role: 'seismic' | 'velocity'): OpenfwiArrayFile | null => {
    try {
      const file = describeFile(openNpy(path.join(folder, name)), role, problems);
      if (file) {
        if (file.dtype === 'f8') conversions.add(`${name} is float64 (converted to float32 on import)`);
        if (file.descr.startsWith('>')) conversions.add(`${name} is big-endian (converted on import)`);
        if (file.fortranOrder) conversions.add(`${name} is in Fortran order (reordered on import)`);
      }
      return file;
    } catch (error) {
      if (error instanceof StudioError) {
        problems.push(error.message.startsWith(path.join(folder, name)) ? `${name}${error.message.slice(path.join(folder, name).length)}` : error.message);
        return null;
      }
      throw error;
    }
  };

  for (const f of found) {
    if (anySeismic && !f.seismic) {
      problems.push(`${f.velocity} has no seismic file ${openfwiFileName(f.naming, 'seismic', f.key)} beside it.`);
      continue;
    }
    if (!f.velocity) {
      problems.push(`${f.seismic} has no velocity file ${openfwiFileName(f.naming, 'velocity', f.key)} beside it.`);
      continue;
    }
    const seismic = f.seismic ? open(f.seismic, 'seismic') : null;
    const velocity = open(f.velocity, 'velocity');
    if (!velocity || (f.seismic && !seismic)) continue;
    if (seismic && seismic.shape[0] !== velocity.shape[0]) {
      problems.push(
        `${seismic.name} holds ${seismic.shape[0]} samples (seismic ${formatShape(seismic.storedShape)}) but ${velocity.name} holds ${velocity.shape[0]} (velocity ${formatShape(velocity.storedShape)}); a pair must have the same N, one velocity model per seismic sample.`,
      );
      continue;
    }
    if (seismic) {
      const sampleShape = seismic.shape.slice(1);
      if (!seismicSampleShape) {
        seismicSampleShape = sampleShape;
        seismicReference = seismic.name;
      } else if (formatShape(sampleShape) !== formatShape(seismicSampleShape)) {
        problems.push(`${seismic.name}: seismic samples are ${formatShape(sampleShape)} but ${seismicReference}'s are ${formatShape(seismicSampleShape)}; a dataset needs one shape.`);
        continue;
      }
    }
    const velocitySample = velocity.shape.slice(1);
    if (!velocitySampleShape) {
      velocitySampleShape = velocitySample;
      velocityReference = velocity.name;
    } else if (formatShape(velocitySample) !== formatShape(velocitySampleShape)) {
      problems.push(`${velocity.name}: velocity samples are ${formatShape(velocitySample)} but ${velocityReference}'s are ${formatShape(velocitySampleShape)}; a dataset needs one shape.`);
      continue;
    }
    parts.push({ key: f.key, naming: f.naming, samples: velocity.shape[0]!, seismic, velocity });
  }

  if (problems.length > 0) {
    const shown = problems.slice(0, 20);
    throw new StudioError(
      'bad_file',
      `${folder} is not a usable OpenFWI dataset:\n- ${shown.join('\n- ')}${problems.length > shown.length ? `\n- … and ${problems.length - shown.length} more` : ''}`,
      { file: folder, problems },
    );
  }

  if (conversions.size) notice(`${folder}: ${[...conversions].join('; ')}.`);
  if (kind === 'velocity_only') {
    notice(`${folder} holds velocity models only (${parts.length} file(s), no seismic): a velocity-only dataset, whose seismic can be made by forward modelling.`);
  }
  const velocityCheck = options.velocityCheck ?? 'first';
  if (velocityCheck !== 'none') {
    for (const part of parts) {
      const range = await arrayRange(part.velocity, velocityCheck === 'first' ? 1 : 'all');
      const warning = velocityWarning(part.velocity.name, range, velocityCheck === 'first' ? 'first sample' : 'all samples');
      if (warning) notice(warning);
    }
  }

  return {
    folder,
    kind,
    parts,
    samples: parts.reduce((sum, p) => sum + p.samples, 0),
    seismicSampleShape: kind === 'paired' ? seismicSampleShape : null,
    velocitySampleShape: velocitySampleShape!,
    notices,
  };
}

// ---------------------------------------------------------------------------------------------
// Describing a dataset written to disk (what the catalogue records)

export interface OpenfwiPartDescription {
  /** File names inside the dataset folder. */
  seismicFile: string | null;
  velocityFile: string;
  samples: number;
  /** `[N, sources, time, receivers]` */
  seismicShape: number[] | null;
  /** `[N, 1, depth, width]` */
  velocityShape: number[];
  /** Where the part came from (absolute paths), when imported. */
  sourceSeismicFile?: string | null;
  sourceVelocityFile?: string;
  /** Smallest and largest finite velocity in the file, m/s, and the count of NaN/infinite values. */
  velocityRangeMps: { min: number; max: number; nonFinite: number };
}

export interface OpenfwiDatasetDescription {
  folder: string;
  kind: 'paired' | 'velocity_only';
  /** Every file is little-endian float32 in C order. */
  dtype: 'float32';
  samples: number;
  /** `[sources, time, receivers]` of one sample, null when velocity-only. */
  seismicSampleShape: number[] | null;
  /** `[1, depth, width]` of one sample. */
  velocitySampleShape: number[];
  parts: OpenfwiPartDescription[];
  notices: string[];
}

// ---------------------------------------------------------------------------------------------
// Import

export interface OpenfwiImportOptions extends WorkOptions {
  /** Replace files already in destDir (default: refuse with 'conflict'). */
  overwrite?: boolean;
  /** 'source' (default) keeps the OpenFWI names; 'sequential' writes data1/model1, data2/model2… in natural order. */
  naming?: 'source' | 'sequential';
  /** Bytes per read/write when streaming (default 8 MiB). */
  chunkBytes?: number;
  /**
   * Checks the scanned dataset before anything is copied (e.g. against the project's acquisition
   * geometry); throws to refuse it, returns notices to report.
   */
  check?: (dataset: OpenfwiDataset) => string[];
}

const DEFAULT_CHUNK_BYTES = 8 << 20;

/** True when the file can be copied byte for byte: little-endian float32, C order, canonical shape. */
function copiesVerbatim(file: OpenfwiArrayFile): boolean {
  return file.descr === '<f4' && !file.fortranOrder && formatShape(file.shape) === formatShape(file.storedShape);
}

function outputBytes(file: OpenfwiArrayFile): number {
  if (copiesVerbatim(file)) return file.fileBytes;
  const elements = file.shape.reduce((a, b) => a * b, 1);
  return elements * 4 + 128; // header size is approximate; used only for the progress total
}

interface CopyProgress {
  done: number;
  total: number;
  report: (message: string) => void;
}

/** Tries a copy-on-write clone (instant on btrfs, XFS, APFS); false when the filesystem cannot. */
function tryClone(source: string, target: string): boolean {
  const tmp = temporaryPathFor(target);
  try {
    fs.copyFileSync(source, tmp, fs.constants.COPYFILE_FICLONE_FORCE);
  } catch {
    fs.rmSync(tmp, { force: true });
    return false;
  }
  try {
    const fd = fs.openSync(tmp, 'r+');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
  return true;
}

async function copyVerbatim(file: OpenfwiArrayFile, target: string, chunkBytes: number, options: WorkOptions, progress: CopyProgress): Promise<void> {
  throwIfCancelled(options.signal);
  if (tryClone(file.path, target)) {
    progress.done += file.fileBytes;
    progress.report(`cloned ${file.name}`);
    return;
  }
  const writer = new AtomicFileWriter(target);
  const fd = fs.openSync(file.path, 'r');
  try {
    const buffer = new Uint8Array(chunkBytes);
    for (let position = 0; position < file.fileBytes; ) {
      throwIfCancelled(options.signal);
      const got = fs.readSync(fd, buffer, 0, Math.min(chunkBytes, file.fileBytes - position), position);
      if (got === 0) {
        throw new StudioError('bad_file', `${file.path}: the file ended at byte ${position} while being copied (expected ${file.fileBytes} bytes); it was truncated meanwhile.`, { file: file.path, byteOffset: position });
      }
      writer.write(buffer.subarray(0, got));
      position += got;
      progress.done += got;
      progress.report(`copying ${file.name}`);
      await yieldToEventLoop();
    }
    throwIfCancelled(options.signal);
    writer.commit();
  } catch (error) {
    writer.abort();
    throw error;
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes `file` to `target` as little-endian float32 C order with its canonical shape, a few samples at a time. */
async function copyConverting(file: OpenfwiArrayFile, target: string, chunkBytes: number, options: WorkOptions, progress: CopyProgress): Promise<void> {
  const writer = new NpyWriter(target, { shape: file.shape, dtype: 'f4' });
  try {
    const rows = file.shape[0]!;
    const rowElements = file.shape.slice(1).reduce((a, b) => a * b, 1);
    const batch = Math.max(1, Math.floor(chunkBytes / Math.max(1, rowElements * 4)));
    // A Fortran-ordered file has no contiguous rows: it is read whole (within npy's limit) and reordered.
    const whole = file.fortranOrder ? readNpy(file.path).data : null;
    const npy = whole ? null : openNpy(file.path);
    for (let start = 0; start < rows; start += batch) {
      throwIfCancelled(options.signal);
      const count = Math.min(batch, rows - start);
      const values = whole ? whole.subarray(start * rowElements, (start + count) * rowElements) : readNpyRows(npy!, start, count);
      writer.write(values);
      progress.done += values.byteLength;
      progress.report(`converting ${file.name}`);
      await yieldToEventLoop();
    }
    throwIfCancelled(options.signal);
    writer.commit();
  } catch (error) {
    writer.abort();
    throw error;
  }
}

/**
 * Validates the OpenFWI dataset in `folder` and copies it into `destDir` as float32 `.npy` files
 * with OpenFWI names, each written to a temporary sibling and renamed when complete. Progress
 * counts bytes. Cancelling stops between chunks; the file in progress leaves no trace, files
 * already renamed are complete. Returns the description the catalogue records.
 */
export async function importOpenfwiFolder(folder: string, destDir: string, options: OpenfwiImportOptions = {}): Promise<OpenfwiDatasetDescription> {
  const dataset = await scanOpenfwiFolder(folder, { onNotice: options.onNotice, velocityCheck: 'none' });
  const notices = [...dataset.notices];
  const notice = (message: string) => {
    notices.push(message);
    options.onNotice?.(message);
  };
  for (const message of options.check?.(dataset) ?? []) notice(message);
  const naming = options.naming ?? 'source';
  const targetName = (part: OpenfwiPart, index: number, role: 'seismic' | 'velocity') =>
    naming === 'sequential' ? openfwiFileName('data_model', role, String(index + 1)) : openfwiFileName(part.naming, role, part.key);

  if (path.resolve(folder) === path.resolve(destDir)) {
    throw new StudioError('bad_input', `Import destination ${destDir} is the source folder itself; choose another folder.`, { file: destDir });
  }
  fs.mkdirSync(destDir, { recursive: true });
  const targets = dataset.parts.flatMap((part, i) => [
    ...(part.seismic ? [path.join(destDir, targetName(part, i, 'seismic'))] : []),
    path.join(destDir, targetName(part, i, 'velocity')),
  ]);
  const existing = targets.filter((t) => fs.existsSync(t));
  if (existing.length && !options.overwrite) {
    throw new StudioError('conflict', `${destDir} already holds ${existing.map((t) => path.basename(t)).slice(0, 5).join(', ')}${existing.length > 5 ? '…' : ''}; import into an empty folder or allow overwriting.`, { file: destDir, existing });
  }

  const chunkBytes = Math.max(1 << 16, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  const files = dataset.parts.flatMap((p) => (p.seismic ? [p.seismic, p.velocity] : [p.velocity]));
  const progress: CopyProgress = {
    done: 0,
    total: files.reduce((sum, f) => sum + outputBytes(f), 0),
    report: (message) => options.onProgress?.({ done: Math.min(progress.done, progress.total), total: progress.total, unit: 'bytes', message }),
  };
  progress.report('starting');

  const described: OpenfwiPartDescription[] = [];
  for (const [index, part] of dataset.parts.entries()) {
    // Velocity files are small (10 MB for 500 models): their full range is checked before copying.
    const velocityRangeMps = await arrayRange(part.velocity, 'all', options);
    const warning = velocityWarning(part.velocity.name, velocityRangeMps, 'all samples');
    if (warning) notice(warning);
    for (const file of part.seismic ? [part.seismic, part.velocity] : [part.velocity]) {
      const target = path.join(destDir, targetName(part, index, file === part.velocity ? 'velocity' : 'seismic'));
      if (copiesVerbatim(file)) await copyVerbatim(file, target, chunkBytes, options, progress);
      else await copyConverting(file, target, chunkBytes, options, progress);
    }
    described.push({
      seismicFile: part.seismic ? targetName(part, index, 'seismic') : null,
      velocityFile: targetName(part, index, 'velocity'),
      samples: part.samples,
      seismicShape: part.seismic ? [...part.seismic.shape] : null,
      velocityShape: [...part.velocity.shape],
      sourceSeismicFile: part.seismic?.path ?? null,
      sourceVelocityFile: part.velocity.path,
      velocityRangeMps,
    });
  }
  progress.done = progress.total;
  progress.report('done');
  return {
    folder: destDir,
    kind: dataset.kind,
    dtype: 'float32',
    samples: dataset.samples,
    seismicSampleShape: dataset.seismicSampleShape,
    velocitySampleShape: dataset.velocitySampleShape,
    parts: described,
    notices,
  };
}

// ---------------------------------------------------------------------------------------------
// Export

/** Samples to export, read in batches. */
export interface OpenfwiSampleSource {
  samples: number;
  /** `[sources, time, receivers]` of one sample; null exports velocity only. */
  seismicSampleShape: number[] | null;
  /** `[1, depth, width]` of one sample. */
  velocitySampleShape: number[];
  /**
   * Samples [start, start + count) in C order: seismic `[count, sources, time, receivers]` (null
   * when `seismicSampleShape` is null) and velocity `[count, 1, depth, width]` in m/s.
   */
  read(start: number, count: number): Promise<{ seismic: Float32Array | null; velocity: Float32Array }> | { seismic: Float32Array | null; velocity: Float32Array };
}

/** Paths of existing `.npy` files to export: seismic `[N, sources, time, receivers]`, velocity `[N, 1, depth, width]` or `[N, depth, width]`. */
export interface OpenfwiPartPaths {
  seismicPath: string | null;
  velocityPath: string;
}

/**
 * A sample source over `.npy` parts (e.g. a project's arrays, or an import's description), read
 * lazily. Checks that N agrees within each pair and that sample shapes agree across parts.
 */
export function sampleSourceFromParts(parts: readonly OpenfwiPartPaths[]): OpenfwiSampleSource {
  if (parts.length === 0) throw new StudioError('bad_input', 'Nothing to export: no parts were given.');
  const problems: string[] = [];
  const opened = parts.map((p) => {
    const velocity = describeFile(openNpy(p.velocityPath), 'velocity', problems);
    const seismic = p.seismicPath ? describeFile(openNpy(p.seismicPath), 'seismic', problems) : null;
    return { velocity, seismic, paths: p };
  });
  const first = opened[0]!;
  const withSeismic = opened.filter((p) => p.paths.seismicPath).length;
  if (withSeismic !== 0 && withSeismic !== opened.length) problems.push('some parts have seismic and some do not; export them separately.');
  for (const p of opened) {
    if (!p.velocity || (p.paths.seismicPath && !p.seismic)) continue;
    if (p.seismic && p.seismic.shape[0] !== p.velocity.shape[0]) problems.push(`${p.seismic.path} holds ${p.seismic.shape[0]} samples but ${p.velocity.path} holds ${p.velocity.shape[0]}.`);
    if (first.velocity && formatShape(p.velocity.shape.slice(1)) !== formatShape(first.velocity.shape.slice(1))) problems.push(`${p.velocity.path}: velocity samples ${formatShape(p.velocity.shape.slice(1))} differ from ${formatShape(first.velocity.shape.slice(1))}.`);
    if (p.seismic && first.seismic && formatShape(p.seismic.shape.slice(1)) !== formatShape(first.seismic.shape.slice(1))) problems.push(`${p.seismic.path}: seismic samples ${formatShape(p.seismic.shape.slice(1))} differ from ${formatShape(first.seismic.shape.slice(1))}.`);
  }
  if (problems.length) throw new StudioError('bad_file', `Cannot export these arrays:\n- ${problems.join('\n- ')}`, { problems });
  const files = opened.map((p) => ({ velocity: openNpy(p.velocity!.path), seismic: p.seismic ? openNpy(p.seismic.path) : null, samples: p.velocity!.shape[0]! }));
  const velocitySampleShape = first.velocity!.shape.slice(1);
  const seismicSampleShape = first.seismic ? first.seismic.shape.slice(1) : null;
  const velocityElements = velocitySampleShape.reduce((a, b) => a * b, 1);
  const seismicElements = seismicSampleShape ? seismicSampleShape.reduce((a, b) => a * b, 1) : 0;
  const readRows = (file: NpyFile, start: number, count: number) => (file.fortranOrder ? readNpy(file.path).data.slice(start * file.rowElements, (start + count) * file.rowElements) : readNpyRows(file, start, count));
  return {
    samples: files.reduce((sum, f) => sum + f.samples, 0),
    seismicSampleShape,
    velocitySampleShape,
    read(start, count) {
      const velocity = new Float32Array(count * velocityElements);
      const seismic = seismicSampleShape ? new Float32Array(count * seismicElements) : null;
      let partStart = 0;
      let filled = 0;
      for (const f of files) {
        const from = Math.max(start + filled, partStart);
        const to = Math.min(start + count, partStart + f.samples);
        if (from < to) {
          velocity.set(readRows(f.velocity, from - partStart, to - from), filled * velocityElements);
          if (seismic && f.seismic) seismic.set(readRows(f.seismic, from - partStart, to - from), filled * seismicElements);
          filled += to - from;
        }
        partStart += f.samples;
        if (filled === count) break;
      }
      if (filled !== count) throw new StudioError('bad_input', `Samples ${start}..${start + count - 1} requested, the parts hold ${partStart}.`);
      return { seismic, velocity };
    },
  };
}

export interface OpenfwiExportOptions extends WorkOptions {
  /** Samples per file (OpenFWI uses 500). */
  samplesPerFile?: number;
  /** Replace existing data{k}.npy / model{k}.npy (default: refuse with 'conflict'). */
  overwrite?: boolean;
  /** Samples read per batch (default: about 64 MiB of seismic). */
  batchSamples?: number;
  /** Number of the first file pair (default 1): a shard of a chunked set writes its files under their global numbers. */
  firstFileNumber?: number;
}

function isSampleSource(input: OpenfwiSampleSource | readonly OpenfwiPartPaths[]): input is OpenfwiSampleSource {
  return !Array.isArray(input);
}

/**
 * Writes samples as OpenFWI files `data1.npy`/`model1.npy`, `data2.npy`/`model2.npy`… (model files
 * only for velocity-only input) with up to `samplesPerFile` samples each, every file through a
 * temporary sibling. Progress counts samples. Returns the description of what was written.
 */
export async function exportOpenfwi(input: OpenfwiSampleSource | readonly OpenfwiPartPaths[], outFolder: string, options: OpenfwiExportOptions = {}): Promise<OpenfwiDatasetDescription> {
  const source = isSampleSource(input) ? input : sampleSourceFromParts(input);
  const perFile = options.samplesPerFile ?? OPENFWI_SAMPLES_PER_FILE;
  if (!Number.isInteger(perFile) || perFile < 1) throw new StudioError('bad_input', `samplesPerFile must be a positive whole number, got ${perFile}.`, { field: 'samplesPerFile' });
  if (!Number.isInteger(source.samples) || source.samples < 1) throw new StudioError('bad_input', `Nothing to export: the source has ${source.samples} samples.`, { field: 'samples' });
  const velocityShape = source.velocitySampleShape;
  const seismicShape = source.seismicSampleShape;
  if (velocityShape.length !== 3 || velocityShape[0] !== 1) throw new StudioError('bad_input', `Velocity samples must be [1, depth, width], got ${formatShape(velocityShape)}.`, { field: 'velocitySampleShape' });
  if (seismicShape && seismicShape.length !== 3) throw new StudioError('bad_input', `Seismic samples must be [sources, time, receivers], got ${formatShape(seismicShape)}.`, { field: 'seismicSampleShape' });
  const velocityElements = velocityShape.reduce((a, b) => a * b, 1);
  const seismicElements = seismicShape ? seismicShape.reduce((a, b) => a * b, 1) : 0;
  const batch = Math.max(1, options.batchSamples ?? Math.floor((64 << 20) / ((seismicElements + velocityElements) * 4)));

  const fileCount = Math.ceil(source.samples / perFile);
  const firstFile = options.firstFileNumber ?? 1;
  if (!Number.isSafeInteger(firstFile) || firstFile < 1) throw new StudioError('bad_input', `firstFileNumber must be a whole number ≥ 1, got ${firstFile}.`, { field: 'firstFileNumber' });
  const lastFile = firstFile + fileCount - 1;
  fs.mkdirSync(outFolder, { recursive: true });
  const targets: string[] = [];
  for (let k = firstFile; k <= lastFile; k += 1) {
    if (seismicShape) targets.push(path.join(outFolder, `data${k}.npy`));
    targets.push(path.join(outFolder, `model${k}.npy`));
  }
  const existing = targets.filter((t) => fs.existsSync(t));
  if (existing.length && !options.overwrite) {
    throw new StudioError('conflict', `${outFolder} already holds ${existing.map((t) => path.basename(t)).slice(0, 5).join(', ')}${existing.length > 5 ? '…' : ''}; choose an empty folder or allow overwriting.`, { file: outFolder, existing });
  }
  const notices: string[] = [];
  const stale = fs.readdirSync(outFolder).filter((name) => {
    const m = /^(?:data|model)(\d+)\.npy$/.exec(name);
    return m && (Number(m[1]) > lastFile || Number(m[1]) < firstFile);
  });
  if (stale.length) {
    const message = `${outFolder} also holds ${stale.slice(0, 5).join(', ')}${stale.length > 5 ? '…' : ''} from before; they are not part of this export.`;
    notices.push(message);
    options.onNotice?.(message);
  }

  const parts: OpenfwiPartDescription[] = [];
  let done = 0;
  options.onProgress?.({ done, total: source.samples, unit: 'samples' });
  for (let k = firstFile; k <= lastFile; k += 1) {
    const first = (k - firstFile) * perFile;
    const count = Math.min(perFile, source.samples - first);
    const seismicWriter = seismicShape ? new NpyWriter(path.join(outFolder, `data${k}.npy`), { shape: [count, ...seismicShape] }) : null;
    let velocityWriter: NpyWriter | null = null;
    try {
      velocityWriter = new NpyWriter(path.join(outFolder, `model${k}.npy`), { shape: [count, ...velocityShape] });
      const range = { min: Infinity, max: -Infinity, nonFinite: 0 };
      for (let start = first; start < first + count; start += batch) {
        throwIfCancelled(options.signal);
        const n = Math.min(batch, first + count - start);
        const samples = await source.read(start, n);
        if (samples.velocity.length !== n * velocityElements) throw new StudioError('internal', `The sample source gave ${samples.velocity.length} velocity values for ${n} samples of ${formatShape(velocityShape)}.`);
        if (seismicWriter) {
          if (!samples.seismic || samples.seismic.length !== n * seismicElements) throw new StudioError('internal', `The sample source gave ${samples.seismic?.length ?? 0} seismic values for ${n} samples of ${formatShape(seismicShape!)}.`);
          seismicWriter.write(samples.seismic);
        }
        velocityWriter.write(samples.velocity);
        for (const v of samples.velocity) {
          if (!Number.isFinite(v)) range.nonFinite += 1;
          else {
            if (v < range.min) range.min = v;
            if (v > range.max) range.max = v;
          }
        }
        done += n;
        options.onProgress?.({ done, total: source.samples, unit: 'samples', message: `writing model${k}.npy` });
        await yieldToEventLoop();
      }
      throwIfCancelled(options.signal);
      seismicWriter?.commit();
      velocityWriter.commit();
      const warning = velocityWarning(`model${k}.npy`, range, 'all samples');
      if (warning) {
        notices.push(warning);
        options.onNotice?.(warning);
      }
      parts.push({
        seismicFile: seismicShape ? `data${k}.npy` : null,
        velocityFile: `model${k}.npy`,
        samples: count,
        seismicShape: seismicShape ? [count, ...seismicShape] : null,
        velocityShape: [count, ...velocityShape],
        velocityRangeMps: { ...range },
      });
    } catch (error) {
      seismicWriter?.abort();
      velocityWriter?.abort();
      throw error;
    }
  }
  return {
    folder: outFolder,
    kind: seismicShape ? 'paired' : 'velocity_only',
    dtype: 'float32',
    samples: source.samples,
    seismicSampleShape: seismicShape ? [...seismicShape] : null,
    velocitySampleShape: [...velocityShape],
    parts,
    notices,
  };
}
