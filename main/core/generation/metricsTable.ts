/**
 * The per-sample table beside exported generated pairs: metrics.csv (one row per sample) and
 * metrics.json (the definitions, the runs, the same rows), and their merge across shards.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../contract/errors.ts';
import { writeFileAtomic } from '../util/atomicFile.ts';

export interface ExportedSampleRecord {
  /** OpenFWI file pair and the row in it. */
  data_file: string;
  model_file: string;
  index_in_file: number;
  /** Ids in the catalogue of the project that generated the sample (a shard's: its command's own project). */
  sample_id: number;
  run_id: number;
  /** The sample's global index in its run (seed = the run's seed + sample_index). */
  sample_index: number;
  seed: number;
  model: string;
  stage1: string;
  inversionnet: string;
  sampler: string;
  sampler_label: string;
  steps: number;
  provider: string;
  /** On exactly the exported arrays, with OpenFWI's default geometry. */
  pde_rel_l2: number | null;
  pde_mse: number | null;
  inv_mae: number;
  inv_rmse: number;
  inv_ssim: number;
  tags: string;
}

export const METRICS_CSV = 'metrics.csv';
export const METRICS_JSON = 'metrics.json';

const CSV_COLUMNS: (keyof ExportedSampleRecord)[] = [
  'data_file', 'model_file', 'index_in_file', 'sample_id', 'run_id', 'sample_index', 'seed', 'model', 'stage1', 'inversionnet',
  'sampler', 'sampler_label', 'steps', 'provider', 'pde_rel_l2', 'pde_mse', 'inv_mae', 'inv_rmse', 'inv_ssim', 'tags',
];

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** metrics.json's layout. */
interface MetricsDocument {
  format: 'wavediffusion-generated/1';
  pde_rel_l2: string;
  inversion_error: string;
  runs: Record<string, unknown>[];
  samples: ExportedSampleRecord[];
}

/** Writes metrics.csv and metrics.json of `records` (in their order) into `folder`; returns the file names. */
export function writeMetricsTables(folder: string, runs: Record<string, unknown>[], records: ExportedSampleRecord[]): string[] {
  const csv = [CSV_COLUMNS.join(','), ...records.map((r) => CSV_COLUMNS.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n';
  writeFileAtomic(path.join(folder, METRICS_CSV), csv);
  const document: MetricsDocument = {
    format: 'wavediffusion-generated/1',
    pde_rel_l2: "‖ŝ − f(v̂)‖₂ / ‖f(v̂)‖₂ over all sources, time samples and receivers of the exported data/model arrays, f = FD forward model with OpenFWI's geometry",
    inversion_error: 'InversionNet(ŝ) against v̂: MAE and RMSE on velocity mapped to [−1, 1] from [1500, 4500] m/s; SSIM on [0, 1], 11×11 Gaussian window σ = 1.5',
    runs,
    samples: records,
  };
  writeFileAtomic(path.join(folder, METRICS_JSON), JSON.stringify(document, null, 1));
  return [METRICS_CSV, METRICS_JSON];
}

function readMetricsDocument(folder: string): MetricsDocument {
  const file = path.join(folder, METRICS_JSON);
  try {
    const document = JSON.parse(fs.readFileSync(file, 'utf8')) as MetricsDocument;
    if (document.format !== 'wavediffusion-generated/1' || !Array.isArray(document.samples) || !Array.isArray(document.runs)) throw new Error('not a wavediffusion-generated/1 table');
    return document;
  } catch (error) {
    throw new StudioError('bad_file', `${file}: the shard's metrics table cannot be read (${(error as Error).message}); run that shard again.`, { file });
  }
}

/**
 * Joins the metrics tables of shards into `out`: every sample 0 … count−1 once, in sample order;
 * the runs of all shards listed with the folder they came from. Returns the file names.
 */
export function mergeGenerationMetrics(folders: readonly string[], out: string, count: number): string[] {
  const owner = new Map<number, string>();
  const records: ExportedSampleRecord[] = [];
  const runs: Record<string, unknown>[] = [];
  for (const folder of folders) {
    const document = readMetricsDocument(folder);
    runs.push(...document.runs.map((r) => ({ ...r, folder })));
    for (const record of document.samples) {
      const i = record.sample_index;
      if (!Number.isInteger(i) || i < 0 || i >= count) {
        throw new StudioError('bad_file', `${path.join(folder, METRICS_JSON)}: sample_index ${String(i)} is outside the run's samples 0–${count - 1}; run that shard again.`);
      }
      const other = owner.get(i);
      if (other !== undefined) throw new StudioError('conflict', `Sample ${i} is in the metrics of both ${other} and ${folder}: give each shard once.`);
      owner.set(i, folder);
      records.push(record);
    }
  }
  if (records.length !== count) {
    const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !owner.has(i));
    throw new StudioError('bad_file', `The shards' metrics tables lack samples ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? '…' : ''} although their chunks hold them; run the shards that made them again.`);
  }
  records.sort((a, b) => a.sample_index - b.sample_index);
  return writeMetricsTables(out, runs, records);
}
