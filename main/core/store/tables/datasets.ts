import type { DatasetDetail, DatasetInfo, DatasetPart } from '../../contract/contract.ts';
import { StudioError } from '../../contract/errors.ts';
import { now, parseJson, type TableContext } from './tableContext.ts';

/** 'building': a job is still filling the dataset (listings leave it out); 'ready': complete. */
export type DatasetState = 'building' | 'ready';

export interface NewDatasetPart {
  nSamples: number;
  seismicFile: string | null;
  velocityFile: string | null;
  headersFile?: string | null;
  /** uint8 [N, sources, receivers]: 1 where a trace was recorded, 0 where it is zero padding. */
  traceMaskFile?: string | null;
  seismicShape: number[] | null;
  velocityShape: number[] | null;
  /** Time between this part's stored samples, when it differs from (or refines) the dataset's. */
  sampleIntervalMs?: number | null;
  meta?: Record<string, unknown>;
}

export interface NewDataset {
  name: string;
  kind: DatasetInfo['kind'];
  /** Folder under the project's arrays/ that holds this dataset's files. */
  folder: string;
  source: string | null;
  /** Δt: time between stored samples of the seismic, ms; null when the dataset has none or it is unknown. */
  sampleIntervalMs: number | null;
  /** Δx: spacing of the velocity grid, m; null when unknown. */
  gridSpacingM: number | null;
  meta: Record<string, unknown>;
  createdByJob: number | null;
  parts: NewDatasetPart[];
  /** 'ready' (default) lists it at once; a job committing it in steps inserts it 'building'. */
  state?: DatasetState;
}

/** A dataset as the core uses it: the contract's detail plus where its files are and whether it is complete. */
export type CatalogueDataset = DatasetDetail & { folder: string; state: DatasetState; createdByJob: number | null };

interface DatasetDbRow {
  id: number;
  name: string;
  kind: DatasetInfo['kind'];
  folder: string;
  n_samples: number;
  source: string | null;
  sample_interval_ms: number | null;
  grid_spacing_m: number | null;
  meta: string;
  created_by_job: number | null;
  created_at: string;
  state: DatasetState;
}

interface PartDbRow {
  dataset_id: number;
  part_index: number;
  n_samples: number;
  seismic_file: string | null;
  velocity_file: string | null;
  headers_file: string | null;
  trace_mask_file: string | null;
  seismic_shape: string | null;
  velocity_shape: string | null;
  sample_interval_ms: number | null;
  meta: string;
}

/** Keys that are columns now (migration 6): a caller must pass them as fields, not in meta. */
const SAMPLING_KEYS = ['sampleIntervalMs', 'gridSpacingM'];

function checkMeta(meta: Record<string, unknown>, where: string): string {
  const misplaced = SAMPLING_KEYS.filter((key) => key in meta);
  if (misplaced.length > 0) {
    throw new StudioError('internal', `${where} carries ${misplaced.join(' and ')} in its meta; they are typed fields of the dataset (and part), not meta keys.`);
  }
  return JSON.stringify(meta);
}

function checkInterval(value: number | null | undefined, what: string): number | null {
  if (value === null || value === undefined) return null;
  if (!(Number.isFinite(value) && value > 0)) throw new StudioError('bad_input', `${what} ${value} must be a positive number (or unknown).`);
  return value;
}

function sameShape(shapes: (number[] | null)[]): number[] | null {
  const first = shapes[0];
  if (!first) return null;
  return shapes.every((s) => s !== null && s.length === first.length && s.every((d, i) => d === first[i])) ? first : null;
}

function toPart(row: PartDbRow): DatasetPart {
  return {
    partIndex: row.part_index,
    nSamples: row.n_samples,
    seismicFile: row.seismic_file,
    velocityFile: row.velocity_file,
    headersFile: row.headers_file,
    traceMaskFile: row.trace_mask_file ?? null,
    seismicShape: parseJson(row.seismic_shape) as number[] | null,
    velocityShape: parseJson(row.velocity_shape) as number[] | null,
    sampleIntervalMs: row.sample_interval_ms,
    meta: (parseJson(row.meta) ?? {}) as Record<string, unknown>,
  };
}

function toInfo(row: DatasetDbRow, parts: DatasetPart[]): DatasetInfo {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    nSamples: row.n_samples,
    source: row.source,
    hasSeismic: parts.length > 0 && parts.every((p) => p.seismicFile !== null),
    hasVelocity: parts.length > 0 && parts.every((p) => p.velocityFile !== null),
    seismicShape: sameShape(parts.map((p) => p.seismicShape)),
    velocityShape: sameShape(parts.map((p) => p.velocityShape)),
    sampleIntervalMs: row.sample_interval_ms,
    gridSpacingM: row.grid_spacing_m,
    meta: (parseJson(row.meta) ?? {}) as Record<string, unknown>,
    createdAt: row.created_at,
  };
}

/** The contract's DatasetDetail of a catalogue dataset (no folder, state or job). */
export function publicDataset(dataset: CatalogueDataset): DatasetDetail {
  const { folder: _folder, state: _state, createdByJob: _job, ...detail } = dataset;
  return detail;
}

/**
 * datasets and dataset_parts: every dataset of the project, the array files of its parts, and its
 * sampling. A dataset with its parts is memoised until a write touches either table (or the row
 * changes under another process): viewers and the gallery ask for the same dataset per sample, and
 * a generated one can have thousands of parts.
 */
export function datasetsTable(ctx: TableContext) {
  const { db } = ctx;
  const cache = new Map<number, CatalogueDataset>();
  const insertRow = db.prepare<[string, DatasetInfo['kind'], string, number, string | null, number | null, number | null, string, number | null, string, DatasetState]>(
    `INSERT INTO datasets (name, kind, folder, n_samples, source, sample_interval_ms, grid_spacing_m, meta, created_by_job, created_at, state)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertPart = db.prepare<[number, number, number, string | null, string | null, string | null, string | null, string | null, string | null, number | null, string]>(
    `INSERT INTO dataset_parts (dataset_id, part_index, n_samples, seismic_file, velocity_file, headers_file, trace_mask_file, seismic_shape, velocity_shape, sample_interval_ms, meta)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const addSamples = db.prepare<[number, number]>('UPDATE datasets SET n_samples = n_samples + ? WHERE id = ?');
  const byId = db.prepare<[number], DatasetDbRow>('SELECT * FROM datasets WHERE id = ?');
  const partsOf = db.prepare<[number], PartDbRow>('SELECT * FROM dataset_parts WHERE dataset_id = ? ORDER BY part_index');
  const partAt = db.prepare<[number, number], PartDbRow>('SELECT * FROM dataset_parts WHERE dataset_id = ? AND part_index = ?');
  const deleteTrailingParts = db.prepare<[number, number]>('DELETE FROM dataset_parts WHERE dataset_id = ? AND part_index >= ?');
  const ready = db.prepare<[], DatasetDbRow>("SELECT * FROM datasets WHERE state = 'ready' ORDER BY id");
  const markReady = db.prepare<[number]>("UPDATE datasets SET state = 'ready' WHERE id = ?");
  const inFolder = db.prepare<[string], { id: number }>('SELECT id FROM datasets WHERE folder = ?');
  const folders = db.prepare<[], { folder: string }>('SELECT folder FROM datasets');
  const rename = db.prepare<[string, number]>('UPDATE datasets SET name = ? WHERE id = ?');
  const remove = db.prepare<[number]>('DELETE FROM datasets WHERE id = ?');

  const get = (id: number): CatalogueDataset => {
    const row = byId.get(id);
    const cached = cache.get(id);
    // Another process may have written the same catalogue: the row must still match.
    if (cached && row && row.n_samples === cached.nSamples && row.name === cached.name && row.state === cached.state) return cached;
    if (!row) throw new StudioError('not_found', `There is no dataset ${id} in this project.`);
    const parts = partsOf.all(id).map(toPart);
    const dataset = { ...toInfo(row, parts), parts, folder: row.folder, state: row.state, createdByJob: row.created_by_job };
    cache.set(id, dataset);
    return dataset;
  };

  const getReady = (id: number): CatalogueDataset => {
    const dataset = get(id);
    if (dataset.state !== 'ready') {
      const job = dataset.createdByJob !== null ? `job ${dataset.createdByJob}` : 'a job';
      throw new StudioError(
        'conflict',
        `Dataset ${id} ('${dataset.name}') is still being made by ${job} (${dataset.nSamples} samples so far) and cannot be used yet. ` +
          `Wait for the job to finish, or resume it if it was interrupted (Jobs view, or wavediff jobs resume ${dataset.createdByJob ?? 'ID'}).`,
      );
    }
    return dataset;
  };

  /** Inserts one part; the caller runs it inside the transaction that accounts for its samples. */
  const addPart = (datasetId: number, partIndex: number, part: NewDatasetPart): void => {
    insertPart.run(
      datasetId,
      partIndex,
      part.nSamples,
      part.seismicFile,
      part.velocityFile,
      part.headersFile ?? null,
      part.traceMaskFile ?? null,
      part.seismicShape ? JSON.stringify(part.seismicShape) : null,
      part.velocityShape ? JSON.stringify(part.velocityShape) : null,
      checkInterval(part.sampleIntervalMs, `Part ${partIndex}'s sample interval (ms)`),
      checkMeta(part.meta ?? {}, `Part ${partIndex} of dataset ${datasetId}`),
    );
  };

  /** Inserts the dataset row and its parts; the caller runs it inside a transaction and reports the change. */
  const insertRows = (dataset: NewDataset): number => {
    const info = insertRow.run(
      dataset.name,
      dataset.kind,
      dataset.folder,
      dataset.parts.reduce((sum, p) => sum + p.nSamples, 0),
      dataset.source,
      checkInterval(dataset.sampleIntervalMs, `Dataset '${dataset.name}': sample interval (ms)`),
      checkInterval(dataset.gridSpacingM, `Dataset '${dataset.name}': grid spacing (m)`),
      checkMeta(dataset.meta, `Dataset '${dataset.name}'`),
      dataset.createdByJob,
      now(),
      dataset.state ?? 'ready',
    );
    const datasetId = Number(info.lastInsertRowid);
    dataset.parts.forEach((part, index) => addPart(datasetId, index, part));
    return datasetId;
  };

  return {
    /** Records a dataset whose files are already complete in `folder`, in one transaction. */
    insert(dataset: NewDataset): CatalogueDataset {
      const id = db.transaction(() => insertRows(dataset))();
      ctx.changed('datasets', 'dataset_parts');
      return get(id);
    },
    insertRows,
    /** Appends a part and counts its samples in the dataset; the caller runs it in a transaction. */
    appendPart(datasetId: number, partIndex: number, part: NewDatasetPart): void {
      addPart(datasetId, partIndex, part);
      addSamples.run(part.nSamples, datasetId);
    },
    /**
     * Replaces a dataset's parts from `fromPartIndex` on by one part holding the same samples (the
     * sample count stays); the caller runs it in a transaction.
     */
    replaceTrailingParts(datasetId: number, fromPartIndex: number, part: NewDatasetPart): void {
      deleteTrailingParts.run(datasetId, fromPartIndex);
      addPart(datasetId, fromPartIndex, part);
    },
    /** One part of a dataset, or null when there is none (its samples were deleted). */
    part(datasetId: number, partIndex: number): DatasetPart | null {
      const row = partAt.get(datasetId, partIndex);
      return row ? toPart(row) : null;
    },
    get,
    getReady,
    listReady(): DatasetInfo[] {
      return ready.all().map((row) => toInfo(row, partsOf.all(row.id).map(toPart)));
    },
    markReady(id: number): void {
      markReady.run(id);
      ctx.changed('datasets');
    },
    inFolder(folder: string): CatalogueDataset | null {
      const row = inFolder.get(folder);
      return row ? get(row.id) : null;
    },
    folders(): string[] {
      return folders.all().map((r) => r.folder);
    },
    rename(id: number, name: string): CatalogueDataset {
      getReady(id);
      if (rename.run(name, id).changes === 0) throw new StudioError('not_found', `There is no dataset ${id} in this project.`);
      ctx.changed('datasets');
      return get(id);
    },
    delete(id: number): void {
      remove.run(id);
      ctx.changed('datasets', 'dataset_parts');
    },
    /** Forgets memoised datasets (called for every write to datasets or dataset_parts). */
    forget(): void {
      cache.clear();
    },
  };
}
