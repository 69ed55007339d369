/**
 * What the chaos harness checks in a project after a kill and after the resume: the catalogue's
 * integrity, the rows and array bytes against an uninterrupted reference run, array files no row
 * references, and datasets listed before they are complete.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { Project, arraysFolderName, catalogueFileName } from '../../main/core/store/project.ts';

/** Columns that record when or how fast something happened, not what was made. */
const volatileColumns = new Set(['created_at', 'updated_at', 'started_at', 'finished_at', 'run_seconds', 'at', 'progress_done', 'progress_total', 'progress_unit', 'progress_message', 'resume_state', 'result', 'error', 'manifest']);

/**
 * Tables compared row by row, with their order. Left out: job_events and training_events (a resumed
 * job logs its resume; a resumed trainer repeats steps after its checkpoint) and schema_migrations.
 * generation_samples are compared by (run, index), without their surrogate id.
 */
const comparedTables: Record<string, { order: string; drop?: string[] }> = {
  project_meta: { order: 'key' },
  jobs: { order: 'id' },
  datasets: { order: 'id' },
  dataset_parts: { order: 'dataset_id, part_index' },
  models: { order: 'id' },
  generation_runs: { order: 'id' },
  generation_samples: { order: 'run_id, sample_index', drop: ['id'] },
};

export interface Snapshot {
  /** Rows per table without their volatile columns, as JSON lines (the run's folder written as <run>). */
  rows: Record<string, string[]>;
  /** sha256 of every file under arrays/ and of the trained models' ONNX graphs, by relative path. */
  files: Record<string, string>;
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Every file below `dir`, hidden ones included, as paths relative to `dir`. */
export function filesBelow(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) found.push(path.relative(dir, path.join(entry.parentPath, entry.name)));
  }
  return found.sort();
}

function openReadOnly(projectDir: string): Database.Database {
  return new Database(path.join(projectDir, catalogueFileName), { readonly: true, fileMustExist: true });
}

/**
 * The catalogue rows and file digests that an uninterrupted run and an interrupted-and-resumed one
 * must share. `runDir` is the folder that holds everything of one run (paths below it are compared
 * relative to it); `extraDirs` adds folders outside the project (an export), under their given names.
 */
export function snapshot(projectDir: string, runDir: string, extraDirs: Record<string, string> = {}): Snapshot {
  const db = openReadOnly(projectDir);
  const rows: Record<string, string[]> = {};
  try {
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
    for (const [table, how] of Object.entries(comparedTables)) {
      if (!tables.has(table)) continue;
      const drop = new Set([...volatileColumns, ...(how.drop ?? [])]);
      rows[table] = (db.prepare(`SELECT * FROM "${table}" ORDER BY ${how.order}`).all() as Record<string, unknown>[])
        .filter((row) => !(table === 'project_meta' && row.key === 'created_at'))
        .map((row) => JSON.stringify(Object.fromEntries(Object.entries(row).filter(([column]) => !drop.has(column)))).split(JSON.stringify(runDir).slice(1, -1)).join('<run>'));
    }
  } finally {
    db.close();
  }
  const files: Record<string, string> = {};
  const arrays = path.join(projectDir, arraysFolderName);
  for (const file of filesBelow(arrays)) files[`arrays/${file}`] = sha256(path.join(arrays, file));
  // A trained model's networks (its manifest and weights.pt also record durations and the data's path).
  const models = path.join(projectDir, 'models');
  for (const file of filesBelow(models)) if (file.endsWith('.onnx')) files[`models/${file}`] = sha256(path.join(models, file));
  for (const [name, dir] of Object.entries(extraDirs)) {
    for (const file of filesBelow(dir)) if (file.endsWith('.npy')) files[`${name}/${file}`] = sha256(path.join(dir, file));
  }
  return { rows, files };
}

/** The differences between a reference snapshot and another, described for a person (at most `limit`). */
export function differences(reference: Snapshot, actual: Snapshot, limit = 8): string[] {
  const found: string[] = [];
  for (const table of new Set([...Object.keys(reference.rows), ...Object.keys(actual.rows)])) {
    const want = reference.rows[table] ?? [];
    const got = actual.rows[table] ?? [];
    if (want.length !== got.length) found.push(`${table}: ${got.length} rows, the reference has ${want.length}`);
    for (let i = 0; i < Math.min(want.length, got.length); i += 1) {
      if (want[i] !== got[i]) found.push(`${table} row ${i + 1}: ${got[i]} — the reference has ${want[i]}`);
    }
  }
  for (const file of new Set([...Object.keys(reference.files), ...Object.keys(actual.files)])) {
    const want = reference.files[file];
    const got = actual.files[file];
    if (want === undefined) found.push(`${file}: not in the reference`);
    else if (got === undefined) found.push(`${file}: missing`);
    else if (want !== got) found.push(`${file}: different bytes`);
  }
  return found.slice(0, limit).concat(found.length > limit ? [`… and ${found.length - limit} more`] : []);
}

/** PRAGMA integrity_check and foreign_key_check of the catalogue: their complaints, if any. */
export function integrityProblems(projectDir: string): string[] {
  if (!fs.existsSync(path.join(projectDir, catalogueFileName))) return [];
  const db = openReadOnly(projectDir);
  try {
    const problems: string[] = [];
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (integrity.join() !== 'ok') problems.push(`integrity_check: ${integrity.slice(0, 5).join('; ')}`);
    const foreign = db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
    for (const row of foreign.slice(0, 5)) problems.push(`foreign_key_check: ${row.table} row ${row.rowid} points at a missing ${row.parent}`);
    return problems;
  } finally {
    db.close();
  }
}

/** The array files (relative to arrays/) that the catalogue's dataset parts name. */
function referencedArrayFiles(db: Database.Database): Set<string> {
  const parts = db.prepare('SELECT seismic_file, velocity_file, headers_file, trace_mask_file, meta FROM dataset_parts').all() as {
    seismic_file: string | null;
    velocity_file: string | null;
    headers_file: string | null;
    trace_mask_file: string | null;
    meta: string;
  }[];
  const named = new Set<string>();
  for (const part of parts) {
    for (const file of [part.seismic_file, part.velocity_file, part.headers_file, part.trace_mask_file]) if (file) named.add(file);
    const inversion = (JSON.parse(part.meta) as { inversionFile?: string }).inversionFile;
    if (inversion) named.add(inversion);
  }
  return named;
}

/** Files under arrays/ that no catalogue row references (a finished project has none). */
export function orphanArrayFiles(projectDir: string): string[] {
  const db = openReadOnly(projectDir);
  try {
    const referenced = referencedArrayFiles(db);
    return filesBelow(path.join(projectDir, arraysFolderName)).filter((file) => !referenced.has(file));
  } finally {
    db.close();
  }
}

/**
 * What the studio lists that it should not (yet): a dataset that is not one of `complete` (the
 * datasets of the reference run, compared by id, folder and sample count), or whose files are missing.
 * Read the way `wavediff datasets` reads it.
 */
export function halfMadeListed(projectDir: string, complete: Map<number, { folder: string; nSamples: number }>): string[] {
  if (!fs.existsSync(path.join(projectDir, catalogueFileName))) return [];
  const project = Project.open(projectDir, { readOnly: true });
  try {
    const problems: string[] = [];
    for (const listed of project.catalogue.listDatasets()) {
      const dataset = project.catalogue.getDataset(listed.id);
      const want = complete.get(listed.id);
      if (!want || want.folder !== dataset.folder || want.nSamples !== dataset.nSamples) {
        problems.push(`dataset ${listed.id} ('${listed.name}', ${listed.nSamples} samples in ${dataset.folder}) is listed but the complete run has ${want ? `${want.nSamples} samples in ${want.folder}` : 'no such dataset'}`);
        continue;
      }
      for (const part of dataset.parts) {
        for (const file of [part.seismicFile, part.velocityFile, part.headersFile, part.traceMaskFile]) {
          if (file && !fs.existsSync(project.arrayPath(file))) problems.push(`dataset ${listed.id} is listed but its file ${file} is missing`);
        }
      }
    }
    return problems;
  } finally {
    project.close();
  }
}

/** The complete datasets of a finished project, by id. */
export function completeDatasets(projectDir: string): Map<number, { folder: string; nSamples: number }> {
  const project = Project.open(projectDir, { readOnly: true });
  try {
    return new Map(project.catalogue.listDatasets().map((d) => [d.id, { folder: project.catalogue.getDataset(d.id).folder, nSamples: d.nSamples }]));
  } finally {
    project.close();
  }
}

/** The jobs of a project as the catalogue records them (read-only). */
export function jobsOf(projectDir: string): { id: number; kind: string; status: string }[] {
  if (!fs.existsSync(path.join(projectDir, catalogueFileName))) return [];
  const db = openReadOnly(projectDir);
  try {
    return db.prepare('SELECT id, kind, status FROM jobs ORDER BY id').all() as { id: number; kind: string; status: string }[];
  } finally {
    db.close();
  }
}

/** Copies a closed project (or any folder) to a new place. */
export function copyFolder(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
}
