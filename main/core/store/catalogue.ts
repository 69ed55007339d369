import type { SqliteDatabase } from './database.ts';
import type { DatasetDetail, DatasetInfo, DatasetPart, JobEvent, JobStatus } from '../contract/contract.ts';
import type { Progress } from '../util/progress.ts';
import { StudioError } from '../contract/errors.ts';

export type ChangeListener = (tables: string[]) => void;

export interface JobRow {
  id: number;
  kind: string;
  title: string;
  params: unknown;
  status: JobStatus;
  progress: Progress;
  resumeState: unknown;
  result: unknown;
  error: string | null;
  /** StudioErrorCode of a failed job's error; null otherwise (and for jobs that failed before codes were kept). */
  errorCode: string | null;
  /** Seconds run over all runs of the job, up to the end of its last finished run. */
  runSeconds: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

export interface NewDatasetPart {
  nSamples: number;
  seismicFile: string | null;
  velocityFile: string | null;
  headersFile?: string | null;
  /** uint8 [N, sources, receivers]: 1 where a trace was recorded, 0 where it is zero padding. */
  traceMaskFile?: string | null;
  seismicShape: number[] | null;
  velocityShape: number[] | null;
  meta?: Record<string, unknown>;
}

export interface NewDataset {
  name: string;
  kind: DatasetInfo['kind'];
  /** Folder under the project's arrays/ that holds this dataset's files. */
  folder: string;
  source: string | null;
  meta: Record<string, unknown>;
  createdByJob: number | null;
  parts: NewDatasetPart[];
  /** 'ready' (default) lists it at once; a job committing it in steps inserts it 'building'. */
  state?: DatasetState;
}

interface JobDbRow {
  id: number;
  kind: string;
  title: string;
  params: string;
  status: JobStatus;
  progress_done: number;
  progress_total: number;
  progress_unit: string | null;
  progress_message: string | null;
  resume_state: string | null;
  result: string | null;
  error: string | null;
  error_code: string | null;
  run_seconds: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

/** 'building': a job is still filling the dataset (listings leave it out); 'ready': complete. */
export type DatasetState = 'building' | 'ready';

interface DatasetDbRow {
  id: number;
  name: string;
  kind: DatasetInfo['kind'];
  folder: string;
  n_samples: number;
  source: string | null;
  meta: string;
  created_by_job: number | null;
  created_at: string;
  state: DatasetState;
}

/** A dataset as the core uses it: the contract's detail plus where its files are and whether it is complete. */
export type CatalogueDataset = DatasetDetail & { folder: string; state: DatasetState; createdByJob: number | null };

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
  meta: string;
}

export interface ModelRow {
  id: number;
  name: string;
  kind: 'stage1' | 'stage2' | 'inversionnet';
  /** Folder under the project's models/ holding the ONNX graphs and manifest.json. */
  folder: string;
  manifest: Record<string, unknown>;
  createdByJob: number | null;
  createdAt: string;
}

interface ModelDbRow {
  id: number;
  name: string;
  kind: ModelRow['kind'];
  folder: string;
  manifest: string;
  created_by_job: number | null;
  created_at: string;
}

function toModel(row: ModelDbRow): ModelRow {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    folder: row.folder,
    manifest: JSON.parse(row.manifest) as Record<string, unknown>,
    createdByJob: row.created_by_job,
    createdAt: row.created_at,
  };
}

const now = (): string => new Date().toISOString();
const parseJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

function sameShape(shapes: (number[] | null)[]): number[] | null {
  const first = shapes[0];
  if (!first) return null;
  return shapes.every((s) => s !== null && s.length === first.length && s.every((d, i) => d === first[i])) ? first : null;
}

/**
 * The project's catalogue: named operations over SQLite, never raw SQL for callers. Every write
 * reports the tables it touched so open views can refresh.
 */
export class Catalogue {
  readonly db: SqliteDatabase;
  private readonly listeners = new Set<ChangeListener>();
  private readonly datasetCache = new Map<number, CatalogueDataset>();

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(...tables: string[]): void {
    if (tables.includes('datasets') || tables.includes('dataset_parts')) this.datasetCache.clear();
    for (const listener of this.listeners) listener(tables);
  }

  /** For modules that keep their own named operations on this database (generation/store.ts): report the tables a write touched. */
  announce(...tables: string[]): void {
    this.changed(...tables);
  }

  // ---- project metadata ----

  getMeta(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM project_meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO project_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
    this.changed('project_meta');
  }

  // ---- jobs ----

  private toJob(row: JobDbRow): JobRow {
    return {
      id: row.id,
      kind: row.kind,
      title: row.title,
      params: parseJson(row.params),
      status: row.status,
      progress: {
        done: row.progress_done,
        total: row.progress_total,
        unit: row.progress_unit ?? undefined,
        message: row.progress_message ?? undefined,
      },
      resumeState: parseJson(row.resume_state),
      result: parseJson(row.result),
      error: row.error,
      errorCode: row.error_code ?? null,
      runSeconds: row.run_seconds ?? 0,
      createdAt: row.created_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      updatedAt: row.updated_at,
    };
  }

  createJob(kind: string, title: string, params: unknown): JobRow {
    const at = now();
    const info = this.db
      .prepare('INSERT INTO jobs (kind, title, params, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(kind, title, JSON.stringify(params), 'queued', at, at);
    this.changed('jobs');
    return this.getJob(Number(info.lastInsertRowid));
  }

  getJob(id: number): JobRow {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobDbRow | undefined;
    if (!row) throw new StudioError('not_found', `There is no job ${id} in this project.`);
    return this.toJob(row);
  }

  listJobs(limit = 500): JobRow[] {
    const rows = this.db.prepare('SELECT * FROM jobs WHERE status != ? ORDER BY id DESC LIMIT ?').all('discarded', limit) as JobDbRow[];
    return rows.map((r) => this.toJob(r));
  }

  jobsWithStatus(...statuses: JobStatus[]): JobRow[] {
    const marks = statuses.map(() => '?').join(',');
    const rows = this.db.prepare(`SELECT * FROM jobs WHERE status IN (${marks}) ORDER BY id`).all(...statuses) as JobDbRow[];
    return rows.map((r) => this.toJob(r));
  }

  /**
   * `error` replaces the error text (and `errorCode` its code, cleared with it when not given);
   * `runSeconds` adds the seconds of a run that ends here; `finishedAt` dates the end when it was
   * earlier than now (a run a crash cut short ended at its last update).
   */
  setJobStatus(
    id: number,
    status: JobStatus,
    fields: { error?: string | null; errorCode?: string | null; result?: unknown; runSeconds?: number; finishedAt?: string } = {},
  ): JobRow {
    const at = now();
    const startedAt = status === 'running' ? at : null;
    const finishedAt = ['done', 'failed', 'cancelled', 'discarded', 'interrupted'].includes(status) ? (fields.finishedAt ?? at) : null;
    this.db
      .prepare(
        `UPDATE jobs SET status = ?, updated_at = ?,
           started_at = COALESCE(?, started_at),
           finished_at = CASE WHEN ? IS NULL THEN NULL ELSE ? END,
           error = CASE WHEN ? THEN ? ELSE error END,
           error_code = CASE WHEN ? THEN ? ELSE error_code END,
           result = CASE WHEN ? THEN ? ELSE result END,
           run_seconds = run_seconds + ?
         WHERE id = ?`,
      )
      .run(
        status,
        at,
        startedAt,
        finishedAt,
        finishedAt,
        fields.error !== undefined ? 1 : 0,
        fields.error ?? null,
        fields.error !== undefined || fields.errorCode !== undefined ? 1 : 0,
        fields.errorCode ?? null,
        fields.result !== undefined ? 1 : 0,
        fields.result === undefined ? null : JSON.stringify(fields.result),
        fields.runSeconds ?? 0,
        id,
      );
    this.changed('jobs');
    return this.getJob(id);
  }

  setJobProgress(id: number, progress: Progress): void {
    this.db
      .prepare('UPDATE jobs SET progress_done = ?, progress_total = ?, progress_unit = ?, progress_message = ?, updated_at = ? WHERE id = ?')
      .run(progress.done, progress.total, progress.unit ?? null, progress.message ?? null, now(), id);
  }

  setJobResumeState(id: number, state: unknown): void {
    this.db.prepare('UPDATE jobs SET resume_state = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(state), now(), id);
  }

  appendJobEvent(jobId: number, level: JobEvent['level'], message: string): void {
    this.db.prepare('INSERT INTO job_events (job_id, at, level, message) VALUES (?, ?, ?, ?)').run(jobId, now(), level, message);
    this.changed('job_events');
  }

  jobEvents(jobId: number, afterId = 0): JobEvent[] {
    return this.db
      .prepare('SELECT id, at, level, message FROM job_events WHERE job_id = ? AND id > ? ORDER BY id LIMIT 5000')
      .all(jobId, afterId) as JobEvent[];
  }

  // ---- datasets ----

  /** Records a dataset whose files are already complete in `folder`, in one transaction. */
  insertDataset(dataset: NewDataset): DatasetDetail {
    const id = this.db.transaction(() => {
      const info = this.db
        .prepare('INSERT INTO datasets (name, kind, folder, n_samples, source, meta, created_by_job, created_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(
          dataset.name,
          dataset.kind,
          dataset.folder,
          dataset.parts.reduce((sum, p) => sum + p.nSamples, 0),
          dataset.source,
          JSON.stringify(dataset.meta),
          dataset.createdByJob,
          now(),
          dataset.state ?? 'ready',
        );
      const datasetId = Number(info.lastInsertRowid);
      const insertPart = this.db.prepare(
        `INSERT INTO dataset_parts (dataset_id, part_index, n_samples, seismic_file, velocity_file, headers_file, trace_mask_file, seismic_shape, velocity_shape, meta)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      dataset.parts.forEach((part, index) => {
        insertPart.run(
          datasetId,
          index,
          part.nSamples,
          part.seismicFile,
          part.velocityFile,
          part.headersFile ?? null,
          part.traceMaskFile ?? null,
          part.seismicShape ? JSON.stringify(part.seismicShape) : null,
          part.velocityShape ? JSON.stringify(part.velocityShape) : null,
          JSON.stringify(part.meta ?? {}),
        );
      });
      return datasetId;
    })();
    this.changed('datasets', 'dataset_parts');
    return this.toPublic(this.getDataset(id));
  }

  /** The contract's DatasetDetail of a catalogue dataset (no folder, state or job). */
  toPublic(dataset: CatalogueDataset): DatasetDetail {
    const { folder: _folder, state: _state, createdByJob: _job, ...detail } = dataset;
    return detail;
  }

  private toDatasetInfo(row: DatasetDbRow, parts: DatasetPart[]): DatasetInfo {
    const meta = (parseJson(row.meta) ?? {}) as Record<string, unknown>;
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
      sampleIntervalMs: typeof meta.sampleIntervalMs === 'number' ? meta.sampleIntervalMs : null,
      gridSpacingM: typeof meta.gridSpacingM === 'number' ? meta.gridSpacingM : null,
      meta,
      createdAt: row.created_at,
    };
  }

  private partsOf(datasetId: number): DatasetPart[] {
    const rows = this.db.prepare('SELECT * FROM dataset_parts WHERE dataset_id = ? ORDER BY part_index').all(datasetId) as PartDbRow[];
    return rows.map((r) => ({
      partIndex: r.part_index,
      nSamples: r.n_samples,
      seismicFile: r.seismic_file,
      velocityFile: r.velocity_file,
      headersFile: r.headers_file,
      traceMaskFile: r.trace_mask_file ?? null,
      seismicShape: parseJson(r.seismic_shape) as number[] | null,
      velocityShape: parseJson(r.velocity_shape) as number[] | null,
      meta: (parseJson(r.meta) ?? {}) as Record<string, unknown>,
    }));
  }

  /**
   * A dataset with its parts, complete or still being made (the job making it, discard and
   * clean-up need both). The parts are memoised until a write touches datasets or dataset_parts
   * (or the row changes under another process): viewers and the gallery ask for the same dataset per
   * sample, and a generated one can have thousands of parts.
   */
  getDataset(id: number): CatalogueDataset {
    const row = this.db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetDbRow | undefined;
    const cached = this.datasetCache.get(id);
    // Another process may have written the same catalogue: the row must still match.
    if (cached && row && row.n_samples === cached.nSamples && row.name === cached.name && row.state === cached.state) return cached;
    if (!row) throw new StudioError('not_found', `There is no dataset ${id} in this project.`);
    const parts = this.partsOf(id);
    const detail = { ...this.toDatasetInfo(row, parts), parts, folder: row.folder, state: row.state, createdByJob: row.created_by_job };
    this.datasetCache.set(id, detail);
    return detail;
  }

  /**
   * A complete dataset, for everything a user does with one (view, train on, export, forward-model,
   * rename, delete). One a job is still making is refused: it is not there yet.
   */
  getReadyDataset(id: number): CatalogueDataset {
    const dataset = this.getDataset(id);
    if (dataset.state !== 'ready') {
      const job = dataset.createdByJob !== null ? `job ${dataset.createdByJob}` : 'a job';
      throw new StudioError(
        'conflict',
        `Dataset ${id} ('${dataset.name}') is still being made by ${job} (${dataset.nSamples} samples so far) and cannot be used yet. ` +
          `Wait for the job to finish, or resume it if it was interrupted (Jobs view, or wavediff jobs resume ${dataset.createdByJob ?? 'ID'}).`,
      );
    }
    return dataset;
  }

  /** The complete datasets: one a job is still making is left out until the job commits it. */
  listDatasets(): DatasetInfo[] {
    const rows = this.db.prepare("SELECT * FROM datasets WHERE state = 'ready' ORDER BY id").all() as DatasetDbRow[];
    return rows.map((r) => this.toDatasetInfo(r, this.partsOf(r.id)));
  }

  /** Makes a dataset a job has finished visible to listings. */
  markDatasetReady(id: number): void {
    this.db.prepare("UPDATE datasets SET state = 'ready' WHERE id = ?").run(id);
    this.changed('datasets');
  }

  /** The dataset whose files are in `folder` under arrays/, complete or not; null when there is none. */
  datasetInFolder(folder: string): CatalogueDataset | null {
    const row = this.db.prepare('SELECT id FROM datasets WHERE folder = ?').get(folder) as { id: number } | undefined;
    return row ? this.getDataset(row.id) : null;
  }

  datasetFolders(): string[] {
    return (this.db.prepare('SELECT folder FROM datasets').all() as { folder: string }[]).map((r) => r.folder);
  }

  renameDataset(id: number, name: string): DatasetInfo {
    this.getReadyDataset(id);
    const result = this.db.prepare('UPDATE datasets SET name = ? WHERE id = ?').run(name, id);
    if (result.changes === 0) throw new StudioError('not_found', `There is no dataset ${id} in this project.`);
    this.changed('datasets');
    return this.toPublic(this.getDataset(id));
  }

  deleteDataset(id: number): void {
    this.db.prepare('DELETE FROM datasets WHERE id = ?').run(id);
    this.changed('datasets', 'dataset_parts');
  }

  // ---- models ----

  insertModel(model: { name: string; kind: ModelRow['kind']; folder: string; manifest: unknown; createdByJob: number | null }): ModelRow {
    const info = this.db
      .prepare('INSERT INTO models (name, kind, folder, manifest, created_by_job, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(model.name, model.kind, model.folder, JSON.stringify(model.manifest), model.createdByJob, now());
    this.changed('models');
    return this.getModel(Number(info.lastInsertRowid));
  }

  getModel(id: number): ModelRow {
    const row = this.db.prepare('SELECT * FROM models WHERE id = ?').get(id) as ModelDbRow | undefined;
    if (!row) throw new StudioError('not_found', `There is no model ${id} in this project.`);
    return toModel(row);
  }

  listModels(): ModelRow[] {
    return (this.db.prepare('SELECT * FROM models ORDER BY id').all() as ModelDbRow[]).map(toModel);
  }

  modelFolders(): string[] {
    return (this.db.prepare('SELECT folder FROM models').all() as { folder: string }[]).map((r) => r.folder);
  }

  deleteModel(id: number): void {
    this.db.prepare('DELETE FROM models WHERE id = ?').run(id);
    this.changed('models');
  }

  // ---- training events ----

  appendTrainingEvent(jobId: number, step: number, type: string, payload: unknown): void {
    this.db.prepare('INSERT INTO training_events (job_id, step, type, payload, at) VALUES (?, ?, ?, ?, ?)').run(jobId, step, type, JSON.stringify(payload), now());
    this.changed('training_events');
  }

  trainingEvents(jobId: number, afterId = 0, limit = 20_000): { id: number; step: number; type: string; payload: Record<string, unknown>; at: string }[] {
    const rows = this.db
      .prepare('SELECT id, step, type, payload, at FROM training_events WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?')
      .all(jobId, afterId, limit) as { id: number; step: number; type: string; payload: string; at: string }[];
    return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) as Record<string, unknown> }));
  }

  close(): void {
    this.listeners.clear();
    if (this.db.open) this.db.close();
  }
}
