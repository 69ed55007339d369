/**
 * A generation killed mid-way (SIGKILL, in a real child process) leaves a half-made dataset that no
 * listing shows, neither `wavediff datasets` nor the API the renderer uses, until `wavediff jobs
 * resume` takes over the dead process's lock, finishes the job and commits the dataset.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appRoot } from '../util/paths.ts';
import { toWireError } from '../contract/errors.ts';
import { Project } from '../store/project.ts';
import { Studio } from '../app/studio.ts';
import { studioJobKinds } from '../app/jobKinds.ts';
import { dispatch } from '../api/handlers.ts';
import { shippedModelsDir } from '../ml/modelRegistry.ts';
import { missing } from '../util/testing/requirement.ts';

const cli = path.join(appRoot(), 'bin', 'wavediff.mjs');
const killedGeneration = path.join(appRoot(), 'main', 'core', 'app', 'testing', 'generateUntilKilled.ts');
const defaultsShipped = ['stage1', 'stage2', 'inversionnet'].every((kind) => fs.existsSync(path.join(shippedModelsDir(), kind, 'manifest.json')));

let dir: string;
let dataDir: string;

function wavediff(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, WAVEDIFF_DATA_DIR: dataDir } });
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-interrupted-'));
  dataDir = path.join(dir, 'user');
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing(`the default models in ${shippedModelsDir()} (committed)`, defaultsShipped))('an interrupted generation', () => {
  it('is listed nowhere until it is resumed and its dataset committed', async () => {
    const folder = path.join(dir, 'project');
    Project.create(folder, 'interrupted').close();
    const child = spawn(process.execPath, ['--import', 'tsx', killedGeneration, folder, dataDir], { cwd: appRoot(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    expect(exit.signal, stderr).toBe('SIGKILL');

    // What the crash left: one committed batch of three, and a job the catalogue still calls running.
    const reader = Project.open(folder, { readOnly: true });
    const [job] = reader.catalogue.listJobs();
    expect(job).toMatchObject({ kind: 'generate', status: 'running' });
    const run = reader.catalogue.generation.runOfJob(job.id)!;
    expect(run.samples).toBe(1);
    expect(reader.catalogue.getDataset(run.datasetId)).toMatchObject({ state: 'building', nSamples: 1, createdByJob: job.id });
    expect(reader.catalogue.listDatasets()).toEqual([]);
    reader.close();

    // The renderer's API: not listed, and asked for by id, it says which job is making it.
    const studio = new Studio({ dataDir, shell: 'browser', jobKinds: studioJobKinds() });
    await studio.openProject(folder, { readOnly: true });
    expect(await dispatch(studio, 'dataset.list', {})).toEqual([]);
    const refused = await dispatch(studio, 'dataset.get', { datasetId: run.datasetId }).then(
      () => null,
      (error: unknown) => toWireError(error),
    );
    expect(refused?.code).toBe('conflict');
    expect(refused?.message).toContain(`is still being made by job ${job.id} (1 samples so far)`);
    await studio.shutdown();

    const listed = wavediff('datasets', '--project', folder, '--json');
    expect(listed.status, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);

    const resumed = wavediff('jobs', 'resume', String(job.id), '--project', folder);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('from wavediff generate (killed by the test)');
    const after = wavediff('datasets', '--project', folder, '--json');
    expect(JSON.parse(after.stdout)).toMatchObject([{ id: run.datasetId, kind: 'generated', nSamples: 3 }]);
    const done = Project.open(folder, { readOnly: true });
    const samples = done.catalogue.generation.querySamples({ runId: run.id, sort: 'id', limit: 10 }).samples;
    expect(samples.map((s) => [s.sampleIndex, s.seed])).toEqual([
      [0, 5],
      [1, 6],
      [2, 7],
    ]);
    expect(done.catalogue.getJob(job.id).status).toBe('done');
    done.close();
  });
});
