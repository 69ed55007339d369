/**
 * Named operations on the generation tables (migration 3): runs, samples with their metrics and
 * provenance, tags, and the gallery's filtered and sorted pages. Callers never pass SQL: sort keys
 * and filters are whitelisted here, values are bound parameters.
 */
import { z } from 'zod';
import { StudioError } from '../../contract/errors.ts';
import { now, type TableContext } from './tableContext.ts';
import type { datasetsTable } from './datasets.ts';

export const GENERATION_TABLES = ['generation_runs', 'generation_samples', 'generation_tags'] as const;

export interface NewGenerationRun {
  jobId: number | null;
  datasetId: number;
  stage1Ref: string;
  stage2Ref: string;
  inversionRef: string;
  /** 'ddpm' | 'ddim' | 'ab3' */
  sampler: string;
  samplerLabel: string;
  /** Network evaluations per sample. */
  steps: number;
  seed: number;
  count: number;
  batchSize: number;
  physicsCheck: boolean;
  provider: string | null;
  geometry: unknown;
  params: unknown;
}

export interface GenerationRunRow extends Omit<NewGenerationRun, 'geometry' | 'params'> {
  id: number;
  geometry: Record<string, unknown>;
  params: Record<string, unknown>;
  createdAt: string;
  /** Samples committed so far. */
  samples: number;
}

export interface SampleMetrics {
  pde_rel_l2: number | null;
  pde_mse: number | null;
  pde_rel_l2_per_source: (number | null)[] | null;
  inv_mae: number;
  inv_rmse: number;
  inv_ssim: number;
}

export interface NewGenerationSample extends SampleMetrics {
  sampleIndex: number;
  partIndex: number;
  rowInPart: number;
  seed: number;
}

export interface GenerationSampleRow extends SampleMetrics {
  id: number;
  runId: number;
  sampleIndex: number;
  datasetId: number | null;
  partIndex: number;
  rowInPart: number;
  seed: number;
  model: string;
  sampler: string;
  steps: number;
  provider: string;
  createdAt: string;
  tags: string[];
}

export const SAMPLE_SORT_KEYS = ['pde_rel_l2', 'pde_mse', 'inv_mae', 'inv_rmse', 'inv_ssim', 'seed', 'id'] as const;
export type SampleSortKey = (typeof SAMPLE_SORT_KEYS)[number];

export interface SampleFilter {
  pdeMin?: number;
  pdeMax?: number;
  /** Which inversion error `invMin`/`invMax` bound (default inv_mae). */
  invMetric?: 'inv_mae' | 'inv_rmse' | 'inv_ssim';
  invMin?: number;
  invMax?: number;
  model?: string;
  sampler?: string;
  seed?: number;
  runId?: number;
  tag?: string;
  /** Only these sample ids (a selection). */
  ids?: number[];
}

export interface SampleQuery extends SampleFilter {
  sort?: SampleSortKey;
  descending?: boolean;
  offset?: number;
  limit?: number;
}

interface SampleDbRow {
  id: number;
  run_id: number;
  sample_index: number;
  dataset_id: number | null;
  part_index: number;
  row_in_part: number;
  seed: number;
  model: string;
  sampler: string;
  steps: number;
  provider: string;
  pde_rel_l2: number | null;
  pde_mse: number | null;
  pde_rel_l2_per_source: string | null;
  inv_mae: number;
  inv_rmse: number;
  inv_ssim: number;
  created_at: string;
  tags: string | null;
}

interface RunDbRow {
  id: number;
  job_id: number | null;
  dataset_id: number;
  stage1_ref: string;
  stage2_ref: string;
  inversion_ref: string;
  sampler: string;
  sampler_label: string;
  steps: number;
  seed: number;
  count: number;
  batch_size: number;
  physics_check: number;
  provider: string | null;
  geometry: string;
  params: string;
  created_at: string;
  samples: number;
}

function toRun(row: RunDbRow): GenerationRunRow {
  return {
    id: row.id,
    jobId: row.job_id,
    datasetId: row.dataset_id,
    stage1Ref: row.stage1_ref,
    stage2Ref: row.stage2_ref,
    inversionRef: row.inversion_ref,
    sampler: row.sampler,
    samplerLabel: row.sampler_label,
    steps: row.steps,
    seed: row.seed,
    count: row.count,
    batchSize: row.batch_size,
    physicsCheck: row.physics_check === 1,
    provider: row.provider,
    geometry: JSON.parse(row.geometry) as Record<string, unknown>,
    params: JSON.parse(row.params) as Record<string, unknown>,
    createdAt: row.created_at,
    samples: row.samples,
  };
}

function toSample(row: SampleDbRow): GenerationSampleRow {
  return {
    id: row.id,
    runId: row.run_id,
    sampleIndex: row.sample_index,
    datasetId: row.dataset_id,
    partIndex: row.part_index,
    rowInPart: row.row_in_part,
    seed: row.seed,
    model: row.model,
    sampler: row.sampler,
    steps: row.steps,
    provider: row.provider,
    pde_rel_l2: row.pde_rel_l2,
    pde_mse: row.pde_mse,
    pde_rel_l2_per_source: row.pde_rel_l2_per_source ? (JSON.parse(row.pde_rel_l2_per_source) as (number | null)[]) : null,
    inv_mae: row.inv_mae,
    inv_rmse: row.inv_rmse,
    inv_ssim: row.inv_ssim,
    createdAt: row.created_at,
    tags: row.tags ? row.tags.split('\u001f') : [],
  };
}

const finiteOrNull = (value: number | null): number | null => (value !== null && Number.isFinite(value) ? value : null);

const RUN_SELECT = `SELECT r.*, (SELECT COUNT(*) FROM generation_samples s WHERE s.run_id = r.id) AS samples FROM generation_runs r`;
const SAMPLE_SELECT = `SELECT s.*, (SELECT group_concat(tag, char(31)) FROM generation_tags t WHERE t.sample_id = s.id) AS tags FROM generation_samples s`;

/** What a generated dataset part records beside its seismic and velocity: InversionNet's velocity of the seismic. */
const generatedPartMeta = z.object({ inversionFile: z.string().min(1) });

/** The array files of one committed batch, relative to arrays/. */
export interface GeneratedPartFiles {
  seismicFile: string;
  velocityFile: string;
  inversionFile: string;
}

function generatedPartFiles(datasetId: number, part: { partIndex: number; seismicFile: string | null; velocityFile: string | null; meta: Record<string, unknown> }): GeneratedPartFiles {
  const meta = generatedPartMeta.safeParse(part.meta);
  if (!meta.success || part.seismicFile === null || part.velocityFile === null) {
    throw new StudioError('bad_file', `Dataset ${datasetId} part ${part.partIndex} records no seismic, velocity and InversionNet files; it is not a generated dataset.`);
  }
  return { seismicFile: part.seismicFile, velocityFile: part.velocityFile, inversionFile: meta.data.inversionFile };
}

/**
 * generation_runs, generation_samples and generation_tags (migration 3): runs, samples with their
 * metrics and provenance, tags, and the gallery's filtered and sorted pages. Sort keys and filters
 * are whitelisted here, values are bound parameters.
 */
export class GenerationStore {
  private readonly ctx: TableContext;
  private readonly datasets: ReturnType<typeof datasetsTable>;

  constructor(ctx: TableContext, datasets: ReturnType<typeof datasetsTable>) {
    this.ctx = ctx;
    this.datasets = datasets;
  }

  private get db() {
    return this.ctx.db;
  }

  /**
   * Creates the run and its (empty) 'generated' dataset in one transaction. The dataset stays
   * 'building', out of every dataset listing, until `completeRun`.
   */
  createRun(
    run: Omit<NewGenerationRun, 'datasetId'>,
    dataset: { name: string; folder: string; sampleIntervalMs: number; gridSpacingM: number; meta: Record<string, unknown> },
  ): GenerationRunRow {
    const id = this.db.transaction(() => {
      const datasetId = this.datasets.insertRows({ ...dataset, kind: 'generated', source: null, createdByJob: run.jobId, parts: [], state: 'building' });
      const info = this.db
        .prepare<[number | null, number, string, string, string, string, string, number, number, number, number, number, string | null, string, string, string]>(
          `INSERT INTO generation_runs (job_id, dataset_id, stage1_ref, stage2_ref, inversion_ref, sampler, sampler_label, steps, seed, count, batch_size, physics_check, provider, geometry, params, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          run.jobId,
          datasetId,
          run.stage1Ref,
          run.stage2Ref,
          run.inversionRef,
          run.sampler,
          run.samplerLabel,
          run.steps,
          run.seed,
          run.count,
          run.batchSize,
          run.physicsCheck ? 1 : 0,
          run.provider,
          JSON.stringify(run.geometry),
          JSON.stringify(run.params),
          now(),
        );
      return Number(info.lastInsertRowid);
    })();
    this.ctx.changed('datasets', 'generation_runs');
    return this.getRun(id);
  }

  getRun(id: number): GenerationRunRow {
    const row = this.db.prepare<[number], RunDbRow>(`${RUN_SELECT} WHERE r.id = ?`).get(id);
    if (!row) throw new StudioError('not_found', `There is no generation run ${id} in this project.`);
    return toRun(row);
  }

  runOfJob(jobId: number): GenerationRunRow | null {
    const row = this.db.prepare<[number], RunDbRow>(`${RUN_SELECT} WHERE r.job_id = ?`).get(jobId);
    return row ? toRun(row) : null;
  }

  listRuns(): GenerationRunRow[] {
    return this.db.prepare<[], RunDbRow>(`${RUN_SELECT} ORDER BY r.id DESC`).all().map(toRun);
  }

  setRunProvider(id: number, provider: string): void {
    this.db.prepare<[string, number]>('UPDATE generation_runs SET provider = ? WHERE id = ?').run(provider, id);
  }

  /** Removes a discarded run (its samples and tags go with it); its dataset is removed separately. */
  deleteRun(id: number): void {
    this.db.prepare<[number]>('DELETE FROM generation_runs WHERE id = ?').run(id);
    this.ctx.changed('generation_runs', 'generation_samples');
  }

  /** Committed dataset parts of a run's dataset, in order (part_index, file names, sample count). */
  committedParts(datasetId: number): { partIndex: number; nSamples: number; files: string[] }[] {
    return this.datasets.get(datasetId).parts.map((part) => {
      const files = generatedPartFiles(datasetId, part);
      return { partIndex: part.partIndex, nSamples: part.nSamples, files: [files.seismicFile, files.velocityFile, files.inversionFile] };
    });
  }

  /** The array files of one committed batch of a generated dataset (relative to arrays/). */
  partFiles(datasetId: number, partIndex: number): GeneratedPartFiles {
    const part = this.datasets.part(datasetId, partIndex);
    if (!part) throw new StudioError('not_found', `Dataset ${datasetId} has no part ${partIndex}; its generated samples were deleted.`);
    return generatedPartFiles(datasetId, part);
  }

  /**
   * Commits one batch: its dataset part (files already complete under arrays/), the dataset's sample
   * count, and the samples' rows, all in one transaction.
   */
  commitBatch(
    run: GenerationRunRow,
    part: { partIndex: number; seismicFile: string; velocityFile: string; inversionFile: string; seismicShape: number[]; velocityShape: number[] },
    samples: NewGenerationSample[],
    provider: string,
  ): void {
    this.db.transaction(() => {
      this.datasets.appendPart(run.datasetId, part.partIndex, {
        nSamples: samples.length,
        seismicFile: part.seismicFile,
        velocityFile: part.velocityFile,
        seismicShape: part.seismicShape,
        velocityShape: part.velocityShape,
        meta: generatedPartMeta.parse({ inversionFile: part.inversionFile }),
      });
      const insert = this.insertSample();
      const at = now();
      for (const s of samples) {
        insert.run(
          run.id,
          s.sampleIndex,
          run.datasetId,
          s.partIndex,
          s.rowInPart,
          s.seed,
          run.stage2Ref,
          run.sampler,
          run.steps,
          provider,
          finiteOrNull(s.pde_rel_l2),
          finiteOrNull(s.pde_mse),
          s.pde_rel_l2_per_source ? JSON.stringify(s.pde_rel_l2_per_source.map(finiteOrNull)) : null,
          s.inv_mae,
          s.inv_rmse,
          s.inv_ssim,
          at,
        );
      }
    })();
    this.ctx.changed('datasets', 'dataset_parts', 'generation_samples');
  }

  /**
   * Gathers the trailing parts of a run's dataset from `fromPartIndex` on — the committed batches of
   * one chunk — into one part whose files (already complete under arrays/) hold their samples in
   * order, and points those samples at it (row = sample_index − firstSampleIndex). One transaction:
   * a crash leaves either the batches or the chunk in the catalogue.
   */
  mergeTrailingParts(
    run: GenerationRunRow,
    fromPartIndex: number,
    part: { nSamples: number; seismicFile: string; velocityFile: string; inversionFile: string; seismicShape: number[]; velocityShape: number[] },
    firstSampleIndex: number,
  ): void {
    this.db.transaction(() => {
      this.datasets.replaceTrailingParts(run.datasetId, fromPartIndex, {
        nSamples: part.nSamples,
        seismicFile: part.seismicFile,
        velocityFile: part.velocityFile,
        seismicShape: part.seismicShape,
        velocityShape: part.velocityShape,
        meta: generatedPartMeta.parse({ inversionFile: part.inversionFile }),
      });
      const moved = this.db
        .prepare<[number, number, number, number]>('UPDATE generation_samples SET part_index = ?, row_in_part = sample_index - ? WHERE run_id = ? AND part_index >= ?')
        .run(fromPartIndex, firstSampleIndex, run.id, fromPartIndex);
      if (moved.changes !== part.nSamples) throw new StudioError('internal', `Generation run ${run.id}: ${moved.changes} sample rows in parts from ${fromPartIndex}, but the chunk holds ${part.nSamples}.`);
    })();
    this.ctx.changed('datasets', 'dataset_parts', 'generation_samples');
  }

  private insertSample() {
    return this.db.prepare<
      [number, number, number | null, number, number, number, string, string, number, string, number | null, number | null, string | null, number, number, number, string]
    >(
      `INSERT INTO generation_samples (run_id, sample_index, dataset_id, part_index, row_in_part, seed, model, sampler, steps, provider,
         pde_rel_l2, pde_mse, pde_rel_l2_per_source, inv_mae, inv_rmse, inv_ssim, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** The run's last batch is committed: its dataset becomes a usable one and appears in listings. */
  completeRun(run: GenerationRunRow): void {
    this.datasets.markReady(run.datasetId);
  }

  /** Bulk insert for tests and imports of sample rows (one transaction). */
  insertSampleRows(runId: number, rows: (NewGenerationSample & { model: string; sampler: string; steps: number; provider: string })[]): void {
    const run = this.getRun(runId);
    const insert = this.insertSample();
    const at = now();
    this.db.transaction(() => {
      for (const s of rows) {
        insert.run(run.id, s.sampleIndex, run.datasetId, s.partIndex, s.rowInPart, s.seed, s.model, s.sampler, s.steps, s.provider, s.pde_rel_l2, s.pde_mse, null, s.inv_mae, s.inv_rmse, s.inv_ssim, at);
      }
    })();
    this.ctx.changed('generation_samples');
  }

  private where(filter: SampleFilter): { sql: string; values: (number | string)[] } {
    const clauses: string[] = [];
    const values: (number | string)[] = [];
    const bound = (column: string, op: '>=' | '<=', value: number | undefined, field: string): void => {
      if (value === undefined) return;
      if (!Number.isFinite(value)) throw new StudioError('bad_input', `Filter ${field} = ${value} must be a finite number.`);
      clauses.push(`s.${column} ${op} ?`);
      values.push(value);
    };
    bound('pde_rel_l2', '>=', filter.pdeMin, 'pdeMin');
    bound('pde_rel_l2', '<=', filter.pdeMax, 'pdeMax');
    const inv = filter.invMetric ?? 'inv_mae';
    if (!['inv_mae', 'inv_rmse', 'inv_ssim'].includes(inv)) throw new StudioError('bad_input', `invMetric '${inv}' must be inv_mae, inv_rmse or inv_ssim.`);
    bound(inv, '>=', filter.invMin, 'invMin');
    bound(inv, '<=', filter.invMax, 'invMax');
    if (filter.model !== undefined) {
      clauses.push('s.model = ?');
      values.push(filter.model);
    }
    if (filter.sampler !== undefined) {
      clauses.push('s.sampler = ?');
      values.push(filter.sampler);
    }
    if (filter.seed !== undefined) {
      clauses.push('s.seed = ?');
      values.push(filter.seed);
    }
    if (filter.runId !== undefined) {
      clauses.push('s.run_id = ?');
      values.push(filter.runId);
    }
    if (filter.tag !== undefined) {
      clauses.push('s.id IN (SELECT sample_id FROM generation_tags WHERE tag = ?)');
      values.push(filter.tag);
    }
    if (filter.ids !== undefined) {
      const ids = filter.ids.filter((id) => Number.isSafeInteger(id));
      clauses.push(`s.id IN (SELECT value FROM json_each(?))`);
      values.push(JSON.stringify(ids));
    }
    return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', values };
  }

  /** The SQL and bound values of a page query (exposed for the query-plan test). */
  pageStatement(query: SampleQuery): { sql: string; values: (number | string)[] } {
    const sort = query.sort ?? 'id';
    if (!SAMPLE_SORT_KEYS.includes(sort)) throw new StudioError('bad_input', `Sort key '${sort}' is not one of ${SAMPLE_SORT_KEYS.join(', ')}.`);
    const direction = query.descending ? 'DESC' : 'ASC';
    const limit = query.limit ?? 100;
    const offset = query.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new StudioError('bad_input', `limit ${limit} must be a whole number from 1 to 10000.`);
    if (!Number.isInteger(offset) || offset < 0) throw new StudioError('bad_input', `offset ${offset} must be a whole number ≥ 0.`);
    const where = this.where(query);
    // The id tie-break keeps pages stable when many samples share a value.
    const order = sort === 'id' ? `s.id ${direction}` : `s.${sort} ${direction}, s.id ${direction}`;
    return { sql: `${SAMPLE_SELECT} ${where.sql} ORDER BY ${order} LIMIT ? OFFSET ?`, values: [...where.values, limit, offset] };
  }

  /** One page of samples matching the filter, in the requested order, and the total count. */
  querySamples(query: SampleQuery): { total: number; samples: GenerationSampleRow[] } {
    const where = this.where(query);
    const total = this.db.prepare<(number | string)[], { n: number }>(`SELECT COUNT(*) AS n FROM generation_samples s ${where.sql}`).get(...where.values)!.n;
    const page = this.pageStatement(query);
    const rows = this.db.prepare<(number | string)[], SampleDbRow>(page.sql).all(...page.values);
    return { total, samples: rows.map(toSample) };
  }

  /** Every sample id matching a filter, in sample order (for exports). */
  sampleIds(filter: SampleFilter): number[] {
    const where = this.where(filter);
    return this.db.prepare<(number | string)[], { id: number }>(`SELECT s.id FROM generation_samples s ${where.sql} ORDER BY s.run_id, s.sample_index`).all(...where.values).map((r) => r.id);
  }

  getSample(id: number): GenerationSampleRow {
    const row = this.db.prepare<[number], SampleDbRow>(`${SAMPLE_SELECT} WHERE s.id = ?`).get(id);
    if (!row) throw new StudioError('not_found', `There is no generated sample ${id} in this project.`);
    return toSample(row);
  }

  getSamples(ids: readonly number[]): GenerationSampleRow[] {
    return ids.map((id) => this.getSample(id));
  }

  tag(ids: readonly number[], tag: string): number {
    const insert = this.db.prepare<[number, string, string]>('INSERT OR IGNORE INTO generation_tags (sample_id, tag, created_at) VALUES (?, ?, ?)');
    const exists = this.db.prepare<[number]>('SELECT 1 FROM generation_samples WHERE id = ?');
    let added = 0;
    this.db.transaction(() => {
      for (const id of ids) {
        if (!exists.get(id)) throw new StudioError('not_found', `There is no generated sample ${id} in this project; nothing was tagged.`);
        added += insert.run(id, tag, now()).changes;
      }
    })();
    this.ctx.changed('generation_tags');
    return added;
  }

  untag(ids: readonly number[], tag: string): number {
    const remove = this.db.prepare<[number, string]>('DELETE FROM generation_tags WHERE sample_id = ? AND tag = ?');
    let removed = 0;
    this.db.transaction(() => {
      for (const id of ids) removed += remove.run(id, tag).changes;
    })();
    this.ctx.changed('generation_tags');
    return removed;
  }

  /** Tags in use with their sample counts. */
  tags(): { tag: string; count: number }[] {
    return this.db.prepare<[], { tag: string; count: number }>('SELECT tag, COUNT(*) AS count FROM generation_tags GROUP BY tag ORDER BY tag').all();
  }

  /**
   * Challenging samples: among samples whose pde_rel_l2 is at most `pdeMax` (physically valid), the
   * `k` with the largest inversion error (`metric`; for SSIM the smallest is the worst), worst
   * first. Ties break by id. Reads only (the augmentation study uses it without tagging).
   */
  challengingSamples(options: { pdeMax: number; k: number; metric?: 'inv_mae' | 'inv_rmse' | 'inv_ssim'; runId?: number }): GenerationSampleRow[] {
    const metric = options.metric ?? 'inv_mae';
    if (!['inv_mae', 'inv_rmse', 'inv_ssim'].includes(metric)) throw new StudioError('bad_input', `metric '${metric}' must be inv_mae, inv_rmse or inv_ssim.`);
    if (!Number.isFinite(options.pdeMax)) throw new StudioError('bad_input', `pdeMax ${options.pdeMax} must be a finite number.`);
    if (!Number.isInteger(options.k) || options.k < 1) throw new StudioError('bad_input', `k ${options.k} must be a whole number ≥ 1.`);
    const worstFirst = metric === 'inv_ssim' ? 'ASC' : 'DESC';
    const values: (number | string)[] = [options.pdeMax];
    let runClause = '';
    if (options.runId !== undefined) {
      runClause = 'AND run_id = ?';
      values.push(options.runId);
    }
    const ids = this.db
      .prepare<(number | string)[], { id: number }>(`SELECT id FROM generation_samples WHERE pde_rel_l2 IS NOT NULL AND pde_rel_l2 <= ? ${runClause} ORDER BY ${metric} ${worstFirst}, id ASC LIMIT ?`)
      .all(...values, options.k)
      .map((r) => r.id);
    return this.getSamples(ids);
  }

  /** The challenging samples (challengingSamples), tagged `tag` in one transaction. */
  selectChallenging(options: { pdeMax: number; k: number; metric?: 'inv_mae' | 'inv_rmse' | 'inv_ssim'; runId?: number; tag?: string }): GenerationSampleRow[] {
    const samples = this.challengingSamples(options);
    if (samples.length) this.tag(samples.map((s) => s.id), options.tag ?? 'challenging');
    return this.getSamples(samples.map((s) => s.id));
  }

  /** Mean PDE deviation of the physics-checked samples of each stage-2 model that generated any. */
  pdeDeviationByStage2Model(): { stage2Ref: string; samples: number; meanPdeRelL2: number }[] {
    return this.db
      .prepare(
        `SELECT r.stage2_ref AS stage2Ref, COUNT(s.pde_rel_l2) AS samples, AVG(s.pde_rel_l2) AS meanPdeRelL2
         FROM generation_samples s JOIN generation_runs r ON r.id = s.run_id
         WHERE s.pde_rel_l2 IS NOT NULL GROUP BY r.stage2_ref ORDER BY r.stage2_ref`,
      )
      .all() as { stage2Ref: string; samples: number; meanPdeRelL2: number }[];
  }
}
