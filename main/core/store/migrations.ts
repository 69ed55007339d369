/**
 * The catalogue's schema history. Released migrations are immutable: the runner stores each one's
 * checksum and refuses a database whose applied migrations differ from these texts. Add new
 * migrations at the end with the next number.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'catalogue',
    sql: `
      CREATE TABLE project_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        params TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued','running','done','failed','cancelled','interrupted','discarded')),
        progress_done REAL NOT NULL DEFAULT 0,
        progress_total REAL NOT NULL DEFAULT 0,
        progress_unit TEXT,
        progress_message TEXT,
        resume_state TEXT,
        result TEXT,
        error TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX jobs_by_status ON jobs(status);

      CREATE TABLE job_events (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        level TEXT NOT NULL CHECK (level IN ('info','warn','error')),
        message TEXT NOT NULL
      );
      CREATE INDEX job_events_by_job ON job_events(job_id, id);

      CREATE TABLE datasets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        folder TEXT NOT NULL UNIQUE,
        n_samples INTEGER NOT NULL,
        source TEXT,
        meta TEXT NOT NULL DEFAULT '{}',
        created_by_job INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL
      );

      -- One part is one pair of array files in OpenFWI's layout; shapes are per sample.
      CREATE TABLE dataset_parts (
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        part_index INTEGER NOT NULL,
        n_samples INTEGER NOT NULL,
        seismic_file TEXT,
        velocity_file TEXT,
        headers_file TEXT,
        seismic_shape TEXT,
        velocity_shape TEXT,
        meta TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (dataset_id, part_index)
      );
    `,
  },
  {
    version: 2,
    name: 'models and training',
    sql: `
      -- A model trained in this project; its ONNX files and manifest live in models/<folder>/.
      CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('stage1','stage2','inversionnet')),
        folder TEXT NOT NULL UNIQUE,
        manifest TEXT NOT NULL,
        created_by_job INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL
      );

      -- The trainer's JSON-lines messages (progress, metrics, previews, checkpoints), for curves.
      CREATE TABLE training_events (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        at TEXT NOT NULL
      );
      CREATE INDEX training_events_by_job ON training_events(job_id, id);
    `,
  },
  {
    version: 3,
    name: 'generation runs and samples',
    sql: `
      -- One generation job's settings and provenance; its arrays form the dataset dataset_id.
      CREATE TABLE generation_runs (
        id INTEGER PRIMARY KEY,
        job_id INTEGER UNIQUE REFERENCES jobs(id) ON DELETE SET NULL,
        dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
        stage1_ref TEXT NOT NULL,
        stage2_ref TEXT NOT NULL,
        inversion_ref TEXT NOT NULL,
        sampler TEXT NOT NULL,
        sampler_label TEXT NOT NULL,
        steps INTEGER NOT NULL,
        seed INTEGER NOT NULL,
        count INTEGER NOT NULL,
        batch_size INTEGER NOT NULL,
        physics_check INTEGER NOT NULL,
        provider TEXT,
        geometry TEXT NOT NULL,
        params TEXT NOT NULL,
        created_at TEXT NOT NULL
      );

      -- One generated pair: where its arrays are (dataset part and row) and its metrics.
      -- pde_* are NULL when the physics check was off; inv_* compare InversionNet(seismic) with the
      -- decoded velocity (MAE and RMSE on the [-1, 1] scale, SSIM on [0, 1]).
      CREATE TABLE generation_samples (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES generation_runs(id) ON DELETE CASCADE,
        sample_index INTEGER NOT NULL,
        dataset_id INTEGER REFERENCES datasets(id) ON DELETE CASCADE,
        part_index INTEGER NOT NULL,
        row_in_part INTEGER NOT NULL,
        seed INTEGER NOT NULL,
        model TEXT NOT NULL,
        sampler TEXT NOT NULL,
        steps INTEGER NOT NULL,
        provider TEXT NOT NULL,
        pde_rel_l2 REAL,
        pde_mse REAL,
        pde_rel_l2_per_source TEXT,
        inv_mae REAL NOT NULL,
        inv_rmse REAL NOT NULL,
        inv_ssim REAL NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (run_id, sample_index)
      );
      CREATE INDEX generation_samples_by_pde ON generation_samples(pde_rel_l2);
      CREATE INDEX generation_samples_by_mae ON generation_samples(inv_mae);
      CREATE INDEX generation_samples_by_rmse ON generation_samples(inv_rmse);
      CREATE INDEX generation_samples_by_ssim ON generation_samples(inv_ssim);
      CREATE INDEX generation_samples_by_seed ON generation_samples(seed);
      CREATE INDEX generation_samples_by_model ON generation_samples(model, pde_rel_l2);
      CREATE INDEX generation_samples_by_sampler ON generation_samples(sampler, pde_rel_l2);
      CREATE INDEX generation_samples_by_dataset ON generation_samples(dataset_id);

      CREATE TABLE generation_tags (
        sample_id INTEGER NOT NULL REFERENCES generation_samples(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (sample_id, tag)
      );
      CREATE INDEX generation_tags_by_tag ON generation_tags(tag, sample_id);
    `,
  },
  {
    version: 4,
    name: 'datasets being made',
    sql: `
      -- A dataset that a job fills batch by batch (generation) is 'building' until the job commits
      -- its last batch; listings show only 'ready' datasets. Imports insert complete datasets.
      ALTER TABLE datasets ADD COLUMN state TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('building', 'ready'));

      -- Generated datasets whose job has not finished are half-made.
      UPDATE datasets SET state = 'building'
        WHERE id IN (SELECT r.dataset_id FROM generation_runs r JOIN jobs j ON j.id = r.job_id WHERE r.dataset_id IS NOT NULL AND j.status <> 'done');
    `,
  },
  {
    version: 5,
    name: 'trace masks',
    sql: `
      -- Which traces of a part's seismic were recorded and which are zero padding (a SEG-Y file's
      -- shorter gathers padded to the widest): a uint8 .npy [N, sources, receivers] beside the
      -- arrays, 1 = recorded trace, 0 = padding. NULL: every trace is recorded.
      ALTER TABLE dataset_parts ADD COLUMN trace_mask_file TEXT;
    `,
  },
  {
    version: 6,
    name: 'job failures and run time',
    sql: `
      -- The error code of a failed job (StudioErrorCode): a job refused for its parameters or its
      -- data ('bad_input', 'bad_file', 'unsupported') fails the same way when resumed.
      ALTER TABLE jobs ADD COLUMN error_code TEXT;
      -- Seconds the job has run over all its runs (a resumed job's started_at is its last run's start).
      ALTER TABLE jobs ADD COLUMN run_seconds REAL NOT NULL DEFAULT 0;
      UPDATE jobs SET run_seconds = MAX(0, ROUND((julianday(finished_at) - julianday(started_at)) * 86400, 3))
        WHERE started_at IS NOT NULL AND finished_at IS NOT NULL;
    `,
  },
  {
    version: 7,
    name: 'sampling columns',
    sql: `
      -- Δt and Δx as typed columns instead of keys of the meta JSON: sample_interval_ms is the time
      -- between stored seismic samples (ms), grid_spacing_m the spacing of the velocity grid (m);
      -- NULL when unknown. A part keeps its own interval (a SEG-Y file's, after any resampling).
      ALTER TABLE datasets ADD COLUMN sample_interval_ms REAL CHECK (sample_interval_ms IS NULL OR sample_interval_ms > 0);
      ALTER TABLE datasets ADD COLUMN grid_spacing_m REAL CHECK (grid_spacing_m IS NULL OR grid_spacing_m > 0);
      ALTER TABLE dataset_parts ADD COLUMN sample_interval_ms REAL CHECK (sample_interval_ms IS NULL OR sample_interval_ms > 0);

      UPDATE datasets SET
        sample_interval_ms = CASE WHEN json_type(meta, '$.sampleIntervalMs') IN ('integer', 'real') AND json_extract(meta, '$.sampleIntervalMs') > 0
          THEN json_extract(meta, '$.sampleIntervalMs') END,
        grid_spacing_m = CASE WHEN json_type(meta, '$.gridSpacingM') IN ('integer', 'real') AND json_extract(meta, '$.gridSpacingM') > 0
          THEN json_extract(meta, '$.gridSpacingM') END,
        meta = json_remove(meta, '$.sampleIntervalMs', '$.gridSpacingM')
      WHERE json_valid(meta);
      UPDATE dataset_parts SET
        sample_interval_ms = CASE WHEN json_type(meta, '$.sampleIntervalMs') IN ('integer', 'real') AND json_extract(meta, '$.sampleIntervalMs') > 0
          THEN json_extract(meta, '$.sampleIntervalMs') END,
        meta = json_remove(meta, '$.sampleIntervalMs')
      WHERE json_valid(meta);
    `,
  },
  {
    version: 8,
    name: 'studies',
    sql: `
      -- A study (one of the method's experiments) and its report under the project's studies/<id>/:
      -- report.md, results.json, plots/*.png. params: the parameters it ran with (defaults filled in);
      -- summary: its headline numbers once done; folder is relative to the project folder.
      CREATE TABLE studies (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        job_id INTEGER UNIQUE REFERENCES jobs(id) ON DELETE SET NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
        params TEXT NOT NULL,
        summary TEXT,
        folder TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        finished_at TEXT
      );
      CREATE INDEX studies_by_kind ON studies(kind, id);
    `,
  },
];
