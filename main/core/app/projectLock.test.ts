/**
 * One writer per project, across real processes: a holder process (testing/holdProject.ts) keeps a
 * project open for writing while `wavediff` commands and the API try to write it; a SIGKILLed
 * holder's lock is taken over; read-only listings leave the catalogue byte-identical.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { appRoot } from '../util/paths.ts';
import { toWireError } from '../contract/errors.ts';
import { Project, catalogueFileName } from '../store/project.ts';
import { lockFileName } from '../store/writeLock.ts';
import { Studio } from './studio.ts';
import { studioJobKinds } from './jobKinds.ts';
import { dispatch } from '../api/handlers.ts';

const cli = path.join(appRoot(), 'bin', 'wavediff.mjs');
const holderScript = path.join(appRoot(), 'main', 'core', 'app', 'testing', 'holdProject.ts');
const openfwiFixture = path.join(appRoot(), 'main', 'core', 'io', 'testdata', 'openfwi', 'vel');
let dir: string;
let dataDir: string;
const children: ChildProcessWithoutNullStreams[] = [];

function wavediff(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, WAVEDIFF_DATA_DIR: dataDir } });
}

interface Holder {
  pid: number;
  child: ChildProcessWithoutNullStreams;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a process that opens `folder` for writing; resolves once it says it holds it. */
function startHolder(folder: string, label: string): Promise<Holder> {
  const child = spawn(process.execPath, ['--import', 'tsx', holderScript, folder, label, dataDir], { cwd: appRoot() });
  children.push(child);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => {
      const said = JSON.parse(line) as { holding?: string; pid?: number; error?: unknown };
      if (said.holding) resolve({ pid: said.pid!, child, exit });
      else reject(new Error(`The holder could not open ${folder}: ${line}`));
    });
    void exit.then(({ code }) => reject(new Error(`The holder exited (${code}) before holding ${folder}: ${stderr}`)));
  });
}

/** Every row of every table, in rowid order, read without writing. */
function catalogueRows(folder: string): Record<string, unknown[]> {
  const db = new Database(path.join(folder, catalogueFileName), { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    return Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()]));
  } finally {
    db.close();
  }
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-lock-'));
  dataDir = path.join(dir, 'user');
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('one writer per project', () => {
  it('refuses a second writer with the holder’s command, pid and start, in wavediff and the API alike; readers still list', async () => {
    const folder = path.join(dir, 'held');
    Project.create(folder, 'held').close();
    const holder = await startHolder(folder, 'wavediff generate --count 40 --out /tmp/aug');
    const named = `open for writing in another process: wavediff generate --count 40 --out /tmp/aug (pid ${holder.pid}, since `;

    const imported = wavediff('import', 'openfwi', openfwiFixture, '--project', folder);
    expect(imported.status).toBe(1);
    expect(imported.stderr).toContain(named);
    expect(imported.stderr).toMatch(/wait for it to finish or close the project there, then try again/);
    const discarded = wavediff('jobs', 'discard', '1', '--project', folder);
    expect(discarded.status).toBe(1);
    expect(discarded.stderr).toContain(named);
    const generated = wavediff('generate', '--count', '2', '--out', path.join(dir, 'aug'), '--project', folder);
    expect(generated.status).toBe(1);
    expect(generated.stderr).toContain(named);

    const listed = wavediff('datasets', '--project', folder, '--json');
    expect(listed.status, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);

    // The renderer's path: the API call fails with a code its error alert shows, and no project is open.
    const studio = new Studio({ dataDir, shell: 'browser', jobKinds: studioJobKinds() });
    const refused = await dispatch(studio, 'project.open', { folder }).then(
      () => null,
      (error: unknown) => toWireError(error),
    );
    expect(refused?.code).toBe('conflict');
    expect(refused?.message).toContain(named);
    expect(studio.project).toBeNull();
    await studio.shutdown();

    // A holder that closes the project releases it cleanly: the next writer takes over nothing.
    holder.child.stdin.end();
    expect((await holder.exit).code).toBe(0);
    const next = Project.open(folder);
    expect(next.lock?.takenOverFrom).toBeNull();
    next.close();
  });

  it('takes over the lock of a holder killed with SIGKILL, saying from whom', async () => {
    const folder = path.join(dir, 'killed');
    Project.create(folder, 'killed').close();
    const holder = await startHolder(folder, 'wavediff train stage1 (to be killed)');
    holder.child.kill('SIGKILL');
    expect((await holder.exit).signal).toBe('SIGKILL');

    const imported = wavediff('import', 'openfwi', openfwiFixture, '--project', folder, '--name', 'after the crash');
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stderr).toContain(`Took over ${folder} from wavediff train stage1 (to be killed) (pid ${holder.pid}, since `);
    const reader = Project.open(folder, { readOnly: true });
    expect(reader.catalogue.listDatasets().map((d) => d.name)).toEqual(['after the crash']);
    expect(reader.writer()).toBeNull();
    reader.close();
  });

  it('lists datasets, jobs and project info read-only: the catalogue stays byte-identical and no job changes state', () => {
    const folder = path.join(dir, 'listed');
    const project = Project.create(folder, 'listed');
    project.catalogue.insertDataset({
      name: 'pairs', kind: 'openfwi', folder: 'ds-1', source: null, sampleIntervalMs: 1, gridSpacingM: 10, meta: {}, createdByJob: null,
      parts: [{ nSamples: 2, seismicFile: 'ds-1/data1.npy', velocityFile: 'ds-1/model1.npy', seismicShape: [5, 10, 7], velocityShape: [1, 7, 7] }],
    });
    fs.mkdirSync(path.join(project.arraysDir, 'ds-1'));
    // What a process killed mid-job leaves: a job the catalogue still calls running.
    const job = project.catalogue.createJob('import.openfwi', 'Import pairs', { folder: '/data/pairs' });
    project.catalogue.setJobStatus(job.id, 'running');
    project.close();
    const file = path.join(folder, catalogueFileName);
    const bytes = fs.readFileSync(file);
    const lockBytes = fs.readFileSync(path.join(folder, lockFileName));
    const rows = catalogueRows(folder);

    const jobs = wavediff('jobs', '--project', folder, '--json');
    expect(jobs.status, jobs.stderr).toBe(0);
    // Nobody runs it any more, so it is shown as the next writer will mark it.
    expect(JSON.parse(jobs.stdout)).toMatchObject([{ id: job.id, status: 'interrupted', resumable: true }]);
    const datasets = wavediff('datasets', '--project', folder, '--json');
    expect(JSON.parse(datasets.stdout)).toMatchObject([{ name: 'pairs', nSamples: 2 }]);
    const info = wavediff('project', 'info', folder, '--json');
    expect(info.status, info.stderr).toBe(0);
    expect(JSON.parse(info.stdout).jobs).toMatchObject([{ id: job.id, status: 'interrupted' }]);

    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(fs.readFileSync(path.join(folder, lockFileName)).equals(lockBytes)).toBe(true);
    expect(catalogueRows(folder)).toEqual(rows);
    expect(rows.jobs).toMatchObject([{ id: job.id, status: 'running' }]);
    // Not even the user's list of recent projects changed.
    const studio = new Studio({ dataDir, shell: 'cli', jobKinds: [] });
    expect(studio.user.recentProjects().map((p) => p.folder)).not.toContain(folder);
  });
});
