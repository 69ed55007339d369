/**
 * A job cut short while committing its dataset (found by `npm run chaos`): killed with SIGKILL in a
 * real child process just after the dataset became listed but before the job was marked done, or
 * stopped between the steps of the commit. Resuming finishes the job with the dataset as it was —
 * once, with all its files — instead of building it again over the committed one.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appRoot, sharedDir } from '../util/paths.ts';
import Database from 'better-sqlite3';
import { Project, catalogueFileName, jobStagingDir } from '../store/project.ts';
import { Studio } from '../app/studio.ts';
import { studioJobKinds } from '../app/jobKinds.ts';
import { dispatch } from '../api/handlers.ts';
import { tinyGeometry } from '../physics/testing/tinyGeometry.ts';
import type { MethodName } from '../contract/contract.ts';

const cli = path.join(appRoot(), 'bin', 'wavediff.mjs');
const killWhenListed = path.join(appRoot(), 'main', 'core', 'jobs', 'testing', 'killWhenListed.ts');
// One file: files of different sampling would become several datasets (one per sampling).
const segyFiles = ['segyio__small.sgy'].map((name) => path.join(sharedDir(), 'testdata', 'segy', name));

let dir: string;
let dataDir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-commit-'));
  dataDir = path.join(dir, 'user');
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function wavediff(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, WAVEDIFF_DATA_DIR: dataDir } });
}

/** A project with the cheap test geometry, so that a synthesis takes a moment. */
async function newProject(name: string): Promise<string> {
  const folder = path.join(dir, name);
  const studio = new Studio({ dataDir, shell: 'cli', jobKinds: studioJobKinds() });
  await studio.createProject(folder, name);
  await dispatch(studio, 'project.setGeometry', { geometry: tinyGeometry() });
  await studio.shutdown();
  return folder;
}

/** The bytes of every file under a folder, by name. */
function folderBytes(folder: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(folder).sort().map((name) => [name, fs.readFileSync(path.join(folder, name)).toString('base64')]));
}

const killedJobs: { method: MethodName; params: unknown }[] = [
  { method: 'import.segy', params: { paths: segyFiles, name: 'survey' } },
  { method: 'physics.synthesize', params: { family: 'flatvel-a', count: 3, seed: 4, samplesPerFile: 2 } },
];

describe('a job killed after its dataset is listed, before it is marked done', () => {
  it.each(killedJobs)('$method: jobs resume finishes it with the same dataset, once, its files untouched', async ({ method, params }) => {
    const folder = await newProject(`killed-${method}`);
    const child = spawn(process.execPath, ['--import', 'tsx', killWhenListed, folder, dataDir, method, JSON.stringify(params)], { cwd: appRoot(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exit = await new Promise<{ signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (_code, signal) => resolve({ signal })));
    expect(exit.signal, stderr).toBe('SIGKILL');

    const crashed = Project.open(folder, { readOnly: true });
    const [job] = crashed.catalogue.listJobs();
    expect(job.status).toBe('running');
    const [dataset] = crashed.catalogue.listDatasets();
    const datasetFolder = path.join(crashed.arraysDir, crashed.catalogue.getDataset(dataset.id).folder);
    const bytes = folderBytes(datasetFolder);
    crashed.close();
    expect(Object.keys(bytes).length).toBeGreaterThan(0);

    const resumed = wavediff('jobs', 'resume', String(job.id), '--project', folder);
    expect(resumed.status, resumed.stderr).toBe(0);
    const after = Project.open(folder, { readOnly: true });
    expect(after.catalogue.getJob(job.id)).toMatchObject({ status: 'done', result: { datasetId: dataset.id } });
    expect(after.catalogue.listDatasets()).toEqual([dataset]);
    expect(folderBytes(datasetFolder)).toEqual(bytes);
    expect(fs.existsSync(jobStagingDir(folder, job.id))).toBe(false);
    after.close();
  });
});

describe('a job stopped between the steps of its commit', () => {
  /** An import run to the end in this process, then set back to where a crash in its commit would have left it. */
  async function committedImport(name: string): Promise<{ studio: Studio; jobId: number; datasetId: number; datasetFolder: string; bytes: Record<string, string> }> {
    const folder = await newProject(name);
    const studio = new Studio({ dataDir, shell: 'cli', jobKinds: studioJobKinds() });
    await studio.openProject(folder);
    const job = (await dispatch(studio, 'import.segy', { paths: segyFiles })) as { id: number };
    const done = await studio.jobs.waitFor(job.id);
    expect(done.status).toBe('done');
    const datasetId = (done.result as { datasetId: number }).datasetId;
    const project = studio.requireProject();
    const datasetFolder = path.join(project.arraysDir, project.catalogue.getDataset(datasetId).folder);
    const bytes = folderBytes(datasetFolder);
    // The state a crash between the row insert and the rename leaves, written through a connection of the test's own.
    const db = new Database(path.join(project.folder, catalogueFileName));
    db.prepare("UPDATE datasets SET state = 'building' WHERE id = ?").run(datasetId);
    db.close();
    project.catalogue.setJobStatus(job.id, 'interrupted');
    return { studio, jobId: job.id, datasetId, datasetFolder, bytes };
  }

  it('rows inserted, folder not yet moved out of staging: resuming moves it and lists the dataset', async () => {
    const { studio, jobId, datasetId, datasetFolder, bytes } = await committedImport('before-rename');
    const project = studio.requireProject();
    // The SEG-Y import stages each dataset (one per sampling) in a subfolder of its staging folder.
    fs.mkdirSync(project.jobStagingDir(jobId), { recursive: true });
    fs.renameSync(datasetFolder, path.join(project.jobStagingDir(jobId), 'group1'));
    expect(project.catalogue.listDatasets()).toEqual([]);

    studio.jobs.resume(jobId);
    expect(await studio.jobs.waitFor(jobId)).toMatchObject({ status: 'done', result: { datasetId } });
    expect(project.catalogue.listDatasets().map((d) => d.id)).toEqual([datasetId]);
    expect(folderBytes(datasetFolder)).toEqual(bytes);
    expect(fs.existsSync(project.jobStagingDir(jobId))).toBe(false);
    await studio.shutdown();
  });

  it('folder moved, dataset not yet marked ready: resuming lists it with its files untouched', async () => {
    const { studio, jobId, datasetId, datasetFolder, bytes } = await committedImport('after-rename');
    const project = studio.requireProject();
    studio.jobs.resume(jobId);
    expect(await studio.jobs.waitFor(jobId)).toMatchObject({ status: 'done', result: { datasetId } });
    expect(project.catalogue.listDatasets().map((d) => d.id)).toEqual([datasetId]);
    expect(folderBytes(datasetFolder)).toEqual(bytes);
    await studio.shutdown();
  });

  it('discarding such a job removes the dataset it had begun to commit', async () => {
    const { studio, jobId, datasetId, datasetFolder } = await committedImport('discarded');
    const project = studio.requireProject();
    studio.jobs.discard(jobId);
    expect(() => project.catalogue.getDataset(datasetId)).toThrow(/no dataset/);
    expect(fs.existsSync(datasetFolder)).toBe(false);
    await studio.shutdown();
  });
});
