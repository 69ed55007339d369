import { describe, it, expect, beforeEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Project, catalogueFileName } from './project.ts';
import { openCatalogueDatabase } from './database.ts';
import { migrations } from './migrations.ts';
import { StudioError } from '../contract/errors.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-project-'));
});

describe('project folder and catalogue', () => {
  it('creates a project, and its catalogue survives closing and reopening', () => {
    const folder = path.join(dir, 'survey');
    const project = Project.create(folder, 'North Sea line 7');
    project.catalogue.insertDataset({
      name: 'gathers',
      kind: 'segy',
      folder: 'ds-1',
      source: '/data/line7.sgy',
      sampleIntervalMs: 4,
      gridSpacingM: null,
      meta: {},
      createdByJob: null,
      parts: [{ nSamples: 3, seismicFile: 'ds-1/data1.npy', velocityFile: null, seismicShape: [5, 1000, 70], velocityShape: null }],
    });
    fs.mkdirSync(path.join(project.arraysDir, 'ds-1'));
    project.close();

    const reopened = Project.open(folder);
    expect(reopened.info().name).toBe('North Sea line 7');
    const [dataset] = reopened.catalogue.listDatasets();
    expect(dataset).toMatchObject({ name: 'gathers', nSamples: 3, seismicShape: [5, 1000, 70], hasVelocity: false, sampleIntervalMs: 4 });
    reopened.close();
    const db = new Database(path.join(folder, catalogueFileName), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses to create a project in a non-empty folder or over an existing project', () => {
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'x');
    expect(() => Project.create(dir, 'p')).toThrow(/not empty/);
    const folder = path.join(dir, 'p');
    Project.create(folder, 'p').close();
    expect(() => Project.create(folder, 'again')).toThrow(/already holds a project/);
  });

  it('says clearly when a folder is not a project', () => {
    expect(() => Project.open(dir)).toThrow(/not a WaveDiffusion project/);
  });

  it('refuses a catalogue written by a newer studio without touching it', () => {
    const file = path.join(dir, catalogueFileName);
    const db = new Database(file);
    db.pragma(`user_version = ${migrations.length + 5}`);
    db.close();
    const before = fs.readFileSync(file);
    let caught: unknown;
    try {
      openCatalogueDatabase(file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StudioError);
    expect((caught as StudioError).code).toBe('newer_database');
    expect((caught as StudioError).message).toMatch(/newer studio/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a catalogue whose applied migration text differs from the released one', () => {
    const file = path.join(dir, catalogueFileName);
    openCatalogueDatabase(file).close();
    const edited = migrations.map((m) => (m.version === 1 ? { ...m, sql: `${m.sql}\n-- edited` } : m));
    expect(() => openCatalogueDatabase(file, edited)).toThrow(/must never be edited/);
  });

  it('applies a new migration in a transaction, and a failing one leaves the schema as it was', () => {
    const file = path.join(dir, catalogueFileName);
    openCatalogueDatabase(file).close();
    const broken = [...migrations, { version: migrations.length + 1, name: 'broken', sql: 'CREATE TABLE extra (x INTEGER); INSERT INTO missing_table VALUES (1);' }];
    expect(() => openCatalogueDatabase(file, broken)).toThrow();
    const db = openCatalogueDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'extra'").get()).toBeUndefined();
    db.close();
  });

  it('upgrades a catalogue of an earlier release, keeping its rows', () => {
    const file = path.join(dir, catalogueFileName);
    const old = openCatalogueDatabase(file, migrations.slice(0, 1));
    old.prepare("INSERT INTO project_meta (key, value) VALUES ('name', 'kept')").run();
    old.close();
    const db = openCatalogueDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.prepare("SELECT value FROM project_meta WHERE key = 'name'").get()).toEqual({ value: 'kept' });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'models'").get()).toEqual({ name: 'models' });
    db.close();
  });

  it('sweeps dataset folders that no catalogue row points at, and stale temporaries', () => {
    const folder = path.join(dir, 'p');
    const project = Project.create(folder, 'p');
    fs.mkdirSync(path.join(project.arraysDir, 'ds-orphan'));
    fs.writeFileSync(path.join(project.arraysDir, 'ds-orphan', 'data1.npy'), 'half');
    project.catalogue.insertDataset({
      name: 'kept', kind: 'openfwi', folder: 'ds-kept', source: null, sampleIntervalMs: 1, gridSpacingM: 10, meta: {}, createdByJob: null,
      parts: [{ nSamples: 1, seismicFile: 'ds-kept/data1.npy', velocityFile: 'ds-kept/model1.npy', seismicShape: [5, 10, 7], velocityShape: [1, 7, 7] }],
    });
    fs.mkdirSync(path.join(project.arraysDir, 'ds-kept'));
    fs.writeFileSync(path.join(project.arraysDir, 'ds-kept', '.data2.npy.123.abcd.partial'), 'half');
    fs.mkdirSync(path.join(folder, 'models', 'stage1-job9'), { recursive: true });
    project.close();
    const reopened = Project.open(folder);
    expect(fs.existsSync(path.join(reopened.arraysDir, 'ds-orphan'))).toBe(false);
    expect(fs.readdirSync(path.join(reopened.arraysDir, 'ds-kept'))).toEqual([]);
    expect(fs.existsSync(path.join(folder, 'models', 'stage1-job9'))).toBe(false);
    reopened.close();
  });

  it('lets one Project write a folder at a time; read-only opens take no lock and cannot write', () => {
    const folder = path.join(dir, 'p');
    const writer = Project.create(folder, 'p');
    let refused: unknown;
    try {
      Project.open(folder);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(StudioError);
    expect((refused as StudioError).code).toBe('conflict');
    expect((refused as StudioError).message).toMatch(/already open for writing in this process/);
    const reader = Project.open(folder, { readOnly: true });
    expect(reader.readOnly).toBe(true);
    expect(reader.writer()?.pid).toBe(process.pid);
    expect(() => reader.catalogue.setMeta('name', 'changed')).toThrow(/readonly/);
    expect(reader.info().name).toBe('p');
    reader.close();
    writer.close();
    const next = Project.open(folder);
    expect(next.lock?.takenOverFrom).toBeNull();
    next.close();
    const idle = Project.open(folder, { readOnly: true });
    expect(idle.writer()).toBeNull();
    idle.close();
  });

  it('opening read-only upgrades an earlier release’s catalogue once, under the write lock, and then writes nothing', () => {
    const folder = path.join(dir, 'old');
    Project.create(folder, 'old').close();
    const file = path.join(folder, catalogueFileName);
    const db = new Database(file);
    // Two generations as release 3 left them: one finished, one interrupted with a half-made dataset.
    const at = new Date().toISOString();
    for (const [id, status] of [[1, 'done'], [2, 'interrupted']] as const) {
      db.prepare('INSERT INTO jobs (id, kind, title, params, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(id, 'generate', `Generate ${id}`, '{}', status, at, at);
      db.prepare('INSERT INTO datasets (id, name, kind, folder, n_samples, created_by_job, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(id, `generated ${id}`, 'generated', `gen-job${id}`, 4, id, at);
      db.prepare(
        `INSERT INTO generation_runs (job_id, dataset_id, stage1_ref, stage2_ref, inversion_ref, sampler, sampler_label, steps, seed, count, batch_size, physics_check, geometry, params, created_at)
         VALUES (?, ?, 'default', 'default', 'default', 'ab3', 'AB3', 2, 0, 8, 4, 0, '{}', '{}', ?)`,
      ).run(id, id, at);
    }
    db.prepare('UPDATE jobs SET started_at = ?, finished_at = ? WHERE id = 1').run('2026-01-01T10:00:00.000Z', '2026-01-01T10:01:30.000Z');
    // Back to release 3's schema: without migrations 4 (dataset state), 5 (trace masks), 6 (job failures and run time), 7 (sampling columns) and 8 (studies).
    db.exec('DELETE FROM schema_migrations WHERE version > 3; PRAGMA user_version = 3;');
    db.exec('ALTER TABLE datasets DROP COLUMN sample_interval_ms; ALTER TABLE datasets DROP COLUMN grid_spacing_m; ALTER TABLE dataset_parts DROP COLUMN sample_interval_ms;');
    db.exec('ALTER TABLE datasets DROP COLUMN state');
    db.exec('ALTER TABLE dataset_parts DROP COLUMN trace_mask_file');
    db.exec('ALTER TABLE jobs DROP COLUMN error_code; ALTER TABLE jobs DROP COLUMN run_seconds');
    db.exec('DROP TABLE studies');
    db.close();

    const reader = Project.open(folder, { readOnly: true });
    expect(reader.catalogue.schemaVersion()).toBe(migrations.length);
    expect(reader.catalogue.listDatasets().map((d) => d.name)).toEqual(['generated 1']);
    expect(reader.catalogue.getDataset(2).state).toBe('building');
    expect(() => reader.catalogue.getReadyDataset(2)).toThrow(/still being made by job 2 \(4 samples so far\).*wavediff jobs resume 2/);
    // A job of an earlier release ran from its start to its end.
    expect(reader.catalogue.getJob(1)).toMatchObject({ runSeconds: 90, errorCode: null });
    reader.close();
    const bytes = fs.readFileSync(file);
    Project.open(folder, { readOnly: true }).close();
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });

  it('moves Δt and Δx of a release-5 catalogue from the meta JSON into typed columns', () => {
    const folder = path.join(dir, 'release5');
    fs.mkdirSync(path.join(folder, 'arrays'), { recursive: true });
    const file = path.join(folder, catalogueFileName);
    // What release 5 wrote: the schema of migrations 1–5, intervals as meta keys of datasets and parts.
    const db = openCatalogueDatabase(file, migrations.filter((m) => m.version <= 5));
    const at = new Date().toISOString();
    const dataset = db.prepare('INSERT INTO datasets (id, name, kind, folder, n_samples, source, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    dataset.run(1, 'openfwi', 'openfwi', 'ds-1', 2, '/data', JSON.stringify({ sampleIntervalMs: 1, gridSpacingM: 10, layout: 'paired' }), at);
    dataset.run(2, 'line 7', 'segy', 'ds-2', 2, '/data/line7.sgy', JSON.stringify({ sampleIntervalMs: 4, gatherKey: 'FieldRecord', paddedTraces: 0 }), at);
    dataset.run(3, 'no sampling', 'openfwi', 'ds-3', 1, null, JSON.stringify({ sampleIntervalMs: 'four', gridSpacingM: -1 }), at);
    const part = db.prepare('INSERT INTO dataset_parts (dataset_id, part_index, n_samples, seismic_file, velocity_file, seismic_shape, velocity_shape, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    part.run(1, 0, 2, 'ds-1/data1.npy', 'ds-1/model1.npy', '[5,1000,70]', '[1,70,70]', '{}');
    part.run(2, 0, 1, 'ds-2/file1.seismic.npy', null, '[3,500,48]', null, JSON.stringify({ sampleIntervalMs: 4, headerFields: ['FieldRecord'] }));
    part.run(2, 1, 1, 'ds-2/file2.seismic.npy', null, '[3,250,48]', null, JSON.stringify({ sampleIntervalMs: 8, headerFields: ['FieldRecord'] }));
    part.run(3, 0, 1, null, 'ds-3/model1.npy', null, '[1,70,70]', '{}');
    db.close();
    for (const id of [1, 2, 3]) fs.mkdirSync(path.join(folder, 'arrays', `ds-${id}`));

    const project = Project.open(folder);
    expect(project.catalogue.schemaVersion()).toBe(migrations.length);
    const [openfwi, segy, unknown] = project.catalogue.listDatasets();
    expect(openfwi).toMatchObject({ sampleIntervalMs: 1, gridSpacingM: 10, meta: { layout: 'paired' } });
    expect(openfwi.meta).not.toHaveProperty('sampleIntervalMs');
    expect(segy).toMatchObject({ sampleIntervalMs: 4, gridSpacingM: null, meta: { gatherKey: 'FieldRecord', paddedTraces: 0 } });
    expect(project.catalogue.getDataset(2).parts.map((p) => [p.sampleIntervalMs, p.meta])).toEqual([
      [4, { headerFields: ['FieldRecord'] }],
      [8, { headerFields: ['FieldRecord'] }],
    ]);
    // Values that were never numbers (or not positive) become unknown instead of failing the upgrade.
    expect(unknown).toMatchObject({ sampleIntervalMs: null, gridSpacingM: null, meta: {} });
    // New rows take them as typed fields only.
    expect(() =>
      project.catalogue.insertDataset({ name: 'x', kind: 'openfwi', folder: 'ds-x', source: null, sampleIntervalMs: null, gridSpacingM: null, meta: { sampleIntervalMs: 2 }, createdByJob: null, parts: [] }),
    ).toThrow(/typed fields/);
    expect(() =>
      project.catalogue.insertDataset({ name: 'x', kind: 'openfwi', folder: 'ds-x', source: null, sampleIntervalMs: 0, gridSpacingM: null, meta: {}, createdByJob: null, parts: [] }),
    ).toThrow(/positive/);
    project.close();
  });

  it('keeps array paths inside the project', () => {
    const project = Project.create(path.join(dir, 'p'), 'p');
    expect(() => project.arrayPath('../../etc/passwd')).toThrow(/outside/);
    project.close();
  });
});
