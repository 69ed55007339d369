import type { SqliteDatabase } from './database.ts';
import type { DatasetDetail, DatasetInfo, JobEvent, JobStatus } from '../contract/contract.ts';
import type { Progress } from '../util/progress.ts';
import type { TableContext } from './tables/tableContext.ts';
import { projectMetaTable } from './tables/projectMeta.ts';
import { jobsTable, type JobRow, type JobStatusFields } from './tables/jobs.ts';
import { datasetsTable, publicDataset, type CatalogueDataset, type NewDataset } from './tables/datasets.ts';
import { modelsTable, type ModelRow, type NewModel } from './tables/models.ts';
import { trainingEventsTable, type TrainingEvent } from './tables/trainingEvents.ts';
import { GenerationStore } from './tables/generation.ts';
import { studiesTable, type StudiesTable } from './tables/studies.ts';

export type { JobRow } from './tables/jobs.ts';
export type { CatalogueDataset, DatasetState, NewDataset, NewDatasetPart } from './tables/datasets.ts';
export type { ModelRow } from './tables/models.ts';
export type { StudyRow, StudyStatus } from './tables/studies.ts';

export type ChangeListener = (tables: string[]) => void;

/**
 * The project's catalogue: named operations over SQLite, one module per table group under
 * tables/, each with its prepared statements. The database connection is private to
 * main/core/store/: callers (jobs included) never see it nor pass SQL. Every write reports the
 * tables it touched so open views can refresh.
 */
export class Catalogue {
  readonly #db: SqliteDatabase;
  readonly #listeners = new Set<ChangeListener>();
  readonly #meta: ReturnType<typeof projectMetaTable>;
  readonly #jobs: ReturnType<typeof jobsTable>;
  readonly #datasets: ReturnType<typeof datasetsTable>;
  readonly #models: ReturnType<typeof modelsTable>;
  readonly #training: ReturnType<typeof trainingEventsTable>;
  /** Generation runs, samples and tags, and the gallery's queries. */
  readonly generation: GenerationStore;
  /** The studies and their report folders (studies/<id>/). */
  readonly studies: StudiesTable;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    const ctx: TableContext = { db, changed: (...tables) => this.#changed(tables) };
    this.#meta = projectMetaTable(ctx);
    this.#jobs = jobsTable(ctx);
    this.#datasets = datasetsTable(ctx);
    this.#models = modelsTable(ctx);
    this.#training = trainingEventsTable(ctx);
    this.generation = new GenerationStore(ctx, this.#datasets);
    this.studies = studiesTable(ctx);
  }

  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(tables: string[]): void {
    if (tables.includes('datasets') || tables.includes('dataset_parts')) this.#datasets.forget();
    for (const listener of this.#listeners) listener(tables);
  }

  /** The catalogue's schema version (PRAGMA user_version): the number of the last migration applied. */
  schemaVersion(): number {
    return this.#db.pragma('user_version', { simple: true }) as number;
  }

  // ---- project metadata ----

  getMeta(key: string): string | null {
    return this.#meta.get(key);
  }

  setMeta(key: string, value: string): void {
    this.#meta.set(key, value);
  }

  // ---- jobs ----

  createJob(kind: string, title: string, params: unknown): JobRow {
    return this.#jobs.create(kind, title, params);
  }

  getJob(id: number): JobRow {
    return this.#jobs.get(id);
  }

  listJobs(limit = 500): JobRow[] {
    return this.#jobs.list(limit);
  }

  jobsWithStatus(...statuses: JobStatus[]): JobRow[] {
    return this.#jobs.withStatus(statuses);
  }

  setJobStatus(id: number, status: JobStatus, fields: JobStatusFields = {}): JobRow {
    return this.#jobs.setStatus(id, status, fields);
  }

  setJobProgress(id: number, progress: Progress): void {
    this.#jobs.setProgress(id, progress);
  }

  setJobResumeState(id: number, state: unknown): void {
    this.#jobs.setResumeState(id, state);
  }

  appendJobEvent(jobId: number, level: JobEvent['level'], message: string): void {
    this.#jobs.appendEvent(jobId, level, message);
  }

  jobEvents(jobId: number, afterId = 0): JobEvent[] {
    return this.#jobs.events(jobId, afterId);
  }

  // ---- datasets ----

  /** Records a dataset whose files are already complete in `folder`, in one transaction. */
  insertDataset(dataset: NewDataset): DatasetDetail {
    return publicDataset(this.#datasets.insert(dataset));
  }

  /** The contract's DatasetDetail of a catalogue dataset (no folder, state or job). */
  toPublic(dataset: CatalogueDataset): DatasetDetail {
    return publicDataset(dataset);
  }

  /**
   * A dataset with its parts, complete or still being made (the job making it, discard and
   * clean-up need both).
   */
  getDataset(id: number): CatalogueDataset {
    return this.#datasets.get(id);
  }

  /**
   * A complete dataset, for everything a user does with one (view, train on, export, forward-model,
   * rename, delete). One a job is still making is refused: it is not there yet.
   */
  getReadyDataset(id: number): CatalogueDataset {
    return this.#datasets.getReady(id);
  }

  /** The complete datasets: one a job is still making is left out until the job commits it. */
  listDatasets(): DatasetInfo[] {
    return this.#datasets.listReady();
  }

  /** Makes a dataset a job has finished visible to listings. */
  markDatasetReady(id: number): void {
    this.#datasets.markReady(id);
  }

  /** The dataset whose files are in `folder` under arrays/, complete or not; null when there is none. */
  datasetInFolder(folder: string): CatalogueDataset | null {
    return this.#datasets.inFolder(folder);
  }

  datasetFolders(): string[] {
    return this.#datasets.folders();
  }

  renameDataset(id: number, name: string): DatasetInfo {
    return publicDataset(this.#datasets.rename(id, name));
  }

  deleteDataset(id: number): void {
    this.#datasets.delete(id);
  }

  // ---- models ----

  insertModel(model: NewModel): ModelRow {
    return this.#models.insert(model);
  }

  getModel(id: number): ModelRow {
    return this.#models.get(id);
  }

  listModels(): ModelRow[] {
    return this.#models.list();
  }

  modelFolders(): string[] {
    return this.#models.folders();
  }

  deleteModel(id: number): void {
    this.#models.delete(id);
  }

  // ---- training events ----

  appendTrainingEvent(jobId: number, step: number, type: string, payload: unknown): void {
    this.#training.append(jobId, step, type, payload);
  }

  trainingEvents(jobId: number, afterId = 0, limit = 20_000): TrainingEvent[] {
    return this.#training.list(jobId, afterId, limit);
  }

  close(): void {
    this.#listeners.clear();
    if (this.#db.open) this.#db.close();
  }
}
