import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../testing/runCliCaptured.ts';
import { readNpy, writeNpy } from '../../core/io/npy.ts';
import { generateVelocityModels } from '../../core/physics/families.ts';
import { forwardModel } from '../../core/physics/solver.ts';
import { TINY_SHAPE, tinyGeometry } from '../../core/physics/testing/tinyGeometry.ts';
import { Studio } from '../../core/app/studio.ts';
import { studioJobKinds } from '../../core/app/jobKinds.ts';
import { dispatch } from '../../core/api/handlers.ts';
import { Project } from '../../core/store/project.ts';
import { synthesizeDataset, type SynthesisState } from '../../core/physics/synthesis.ts';
import { scratchProjectFolder } from '../studioSession.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-cli-physics-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
// The user's data folder of these runs: settings, recent projects, the commands' scratch projects.
const userDir = path.join(dir, 'user');
process.env.WAVEDIFF_DATA_DIR = userDir;
const recentProjects = (): string[] => {
  const file = path.join(userDir, 'recent-projects.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { folder: string }[]).map((p) => p.folder) : [];
};
const geometryFile = path.join(dir, 'tiny.json');
fs.writeFileSync(geometryFile, JSON.stringify(tinyGeometry()));

const cli = runCliCaptured;

describe('wavediff forward / deviation / synth', () => {
  const velocityFile = path.join(dir, 'v.npy');
  const velocity = generateVelocityModels('curvevel-b', 5, 2, { shape: TINY_SHAPE });
  writeNpy(velocityFile, velocity, [2, 1, 16, 16]);

  it('forward writes [N, sources, time, receivers] equal to the core solver, and deviation of that pair is ~0', async () => {
    const seismicFile = path.join(dir, 's.npy');
    const forward = await cli(['forward', '--velocity', velocityFile, '--out', seismicFile, '--geometry', geometryFile, '--threads', '2']);
    expect(forward.stderr).toMatch(/wrote .*s\.npy \[2, 2, 60, 16\]/);
    expect(forward.code).toBe(0);
    const seismic = readNpy(seismicFile);
    expect(seismic.shape).toEqual([2, 2, 60, 16]);
    expect(seismic.data).toEqual(await forwardModel(velocity, { n: 2, ...TINY_SHAPE }, tinyGeometry()));

    const deviation = await cli(['deviation', '--seismic', seismicFile, '--velocity', velocityFile, '--geometry', geometryFile, '--json', '--threads', '1']);
    expect(deviation.code).toBe(0);
    const report = JSON.parse(deviation.stdout);
    expect(report.pde_rel_l2).toBeLessThanOrEqual(1e-6);
    expect(report.pde_mse).toBeLessThanOrEqual(1e-12);
    expect(report.pde_rel_l2_per_source).toHaveLength(2);
    expect(report.pde_mse_per_source).toHaveLength(2);
    expect(report.samples).toHaveLength(2);

    // The same seismic against a 3 % faster velocity deviates.
    const fasterFile = path.join(dir, 'v-faster.npy');
    writeNpy(fasterFile, velocity.map((v) => v * 1.03), [2, 1, 16, 16]);
    const perturbed = JSON.parse((await cli(['deviation', '--seismic', seismicFile, '--velocity', fasterFile, '--geometry', geometryFile, '--json', '--threads', '1'])).stdout);
    expect(perturbed.pde_rel_l2).toBeGreaterThan(0.01);
    expect(perturbed.samples[1].pde_rel_l2).toBeGreaterThan(0.01);
    // Their jobs ran in temporary projects: nothing is left behind, nothing joins the recent projects.
    expect(fs.existsSync(path.join(userDir, 'command-line-jobs'))).toBe(false);
    expect(recentProjects()).toEqual([]);
  });

  it('reports bad input with the file and the expected shape', async () => {
    const wrong = path.join(dir, 'wrong.npy');
    writeNpy(wrong, new Float32Array(2 * 2 * 59 * 16), [2, 2, 59, 16]);
    const result = await cli(['deviation', '--seismic', wrong, '--velocity', velocityFile, '--geometry', geometryFile, '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error).toMatch(/wrong\.npy: shape \[2, 2, 59, 16\].*\[2, 2, 60, 16\]/);
    const noGeometry = await cli(['forward', '--velocity', velocityFile, '--out', path.join(dir, 'x.npy')]);
    expect(noGeometry.code).toBe(1);
    expect(noGeometry.stderr).toMatch(/default geometry is OpenFWI's, for 70 × 70 models; these are 16 × 16/);
    expect((await cli(['synth', '--family', 'rock-a', '--count', '1', '--seed', '1'])).stderr).toMatch(/Unknown velocity family 'rock-a'/);
  });

  it('synth writes a resumable dataset; running it again continues (here: finds it complete)', async () => {
    const out = path.join(dir, 'synth');
    const args = ['synth', '--family', 'flatvel-a', '--count', '3', '--seed', '9', '--out', out, '--shape', '16x16', '--geometry', geometryFile, '--samples-per-file', '2', '--threads', '1', '--json'];
    const first = await cli(args);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).committedSamples).toBe(3);
    expect(fs.readdirSync(out).sort()).toEqual(['data1.npy', 'data2.npy', 'manifest.json', 'model1.npy', 'model2.npy', 'synthesis.json']);
    expect(readNpy(path.join(out, 'model2.npy')).data).toEqual(generateVelocityModels('flatvel-a', 9, 1, { start: 2, shape: TINY_SHAPE }));
    const again = await cli(args);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/continued from sample 3/);
    expect(JSON.parse(again.stdout)).toEqual(JSON.parse(first.stdout));
    // The job ran in the command's scratch project, outside the folder and off the recent projects.
    const scratch = Project.open(scratchProjectFolder(out), { readOnly: true });
    expect(scratch.catalogue.listJobs().map((j) => [j.kind, j.status])).toEqual([['physics.synthesizeFolder', 'done']]);
    scratch.close();
    expect(recentProjects()).toEqual([]);
  });

  it('synth --out interrupted and run again continues from the job checkpoint and writes the same bytes', async () => {
    const options = ['--family', 'flatvel-a', '--count', '3', '--seed', '4', '--shape', '16x16', '--geometry', geometryFile, '--samples-per-file', '2', '--threads', '1', '--json'];
    const reference = path.join(dir, 'synth-whole');
    const whole = await cli(['synth', ...options, '--out', reference]);
    expect(whole.code).toBe(0);

    // What a crash after the first batch leaves: the folder's files and the job's checkpoint, no more.
    const out = path.join(dir, 'synth-crashed');
    const checkpoints: SynthesisState[] = [];
    const stop = new AbortController();
    const params = { folder: out, family: 'flatvel-a' as const, count: 3, seed: 4, samplesPerFile: 2, shape: { nz: 16, nx: 16 }, geometry: tinyGeometry(), velocityOnly: false };
    await synthesizeDataset({ ...params, destDir: out, batchSize: 2 }, {
      signal: stop.signal,
      writeRecord: true,
      checkpoint: (state) => {
        checkpoints.push(state);
        if (state.committedSamples >= 2) stop.abort();
      },
    }).catch(() => undefined);
    expect(fs.readdirSync(out).sort()).toEqual(['.synthesis-chunks', 'data1.npy', 'model1.npy']);
    const studio = new Studio({ dataDir: userDir, shell: 'cli', jobKinds: studioJobKinds() });
    await studio.createProject(scratchProjectFolder(out), 'crashed synth', { remember: false });
    const catalogue = studio.requireProject().catalogue;
    const crashed = catalogue.createJob('physics.synthesizeFolder', 'Synthesise 3 flatvel-a pairs', params);
    catalogue.setJobResumeState(crashed.id, checkpoints.at(-1));
    catalogue.setJobStatus(crashed.id, 'interrupted');
    await studio.shutdown();

    const resumed = await cli(['synth', ...options, '--out', out]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/continued from sample 2/);
    const listing = fs.readdirSync(out).sort();
    expect(listing).toEqual(fs.readdirSync(reference).sort());
    for (const name of listing) expect(fs.readFileSync(path.join(out, name)), name).toEqual(fs.readFileSync(path.join(reference, name)));
    expect({ ...JSON.parse(resumed.stdout), destDir: reference }).toEqual(JSON.parse(whole.stdout));
    const scratch = Project.open(scratchProjectFolder(out), { readOnly: true });
    expect(scratch.catalogue.listJobs().map((j) => [j.id, j.status])).toEqual([[crashed.id, 'done']]);
    scratch.close();
    expect(recentProjects()).toEqual([]);
  });

  it('synth --velocity-only writes the same velocity models and no seismic', async () => {
    const out = path.join(dir, 'synth-velocity');
    const result = await cli(['synth', '--family', 'flatvel-a', '--count', '3', '--seed', '9', '--out', out, '--shape', '16x16', '--geometry', geometryFile, '--samples-per-file', '2', '--velocity-only', '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/3 velocity models of flatvel-a/);
    expect(JSON.parse(result.stdout).velocityOnly).toBe(true);
    expect(fs.readdirSync(out).sort()).toEqual(['manifest.json', 'model1.npy', 'model2.npy', 'synthesis.json']);
    expect(readNpy(path.join(out, 'model2.npy')).data).toEqual(generateVelocityModels('flatvel-a', 9, 1, { start: 2, shape: TINY_SHAPE }));
  });

  it('synth --project runs as a job of the project with its geometry; the same command continues an interrupted one', async () => {
    const folder = path.join(dir, 'project');
    const studio = new Studio({ dataDir: userDir, shell: 'cli', jobKinds: studioJobKinds() });
    await studio.createProject(folder, 'synth');
    await dispatch(studio, 'project.setGeometry', { geometry: tinyGeometry() });
    // What a crash before the first batch leaves: the job of these parameters, interrupted.
    const catalogue = studio.requireProject().catalogue;
    const params = { family: 'flatvel-a', count: 3, seed: 9, samplesPerFile: 2 };
    const crashed = catalogue.createJob('physics.synthesize', 'Synthesise 3 flatvel-a pairs (seed 9)', params);
    catalogue.setJobStatus(crashed.id, 'interrupted');
    await studio.shutdown();

    const args = ['synth', '--family', 'flatvel-a', '--count', '3', '--seed', '9', '--samples-per-file', '2', '--project', folder, '--json'];
    const result = await cli(args);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`continuing the interrupted synthesis (job ${crashed.id})`);
    const { jobId, datasetId } = JSON.parse(result.stdout) as { jobId: number; datasetId: number };
    expect(jobId).toBe(crashed.id);
    const project = Project.open(folder, { readOnly: true });
    expect(project.catalogue.listJobs().map((j) => [j.id, j.status])).toEqual([[crashed.id, 'done']]);
    const dataset = project.catalogue.getReadyDataset(datasetId);
    expect(dataset).toMatchObject({ kind: 'synthetic', nSamples: 3, seismicShape: [2, 60, 16], velocityShape: [1, 70, 70] });
    expect(readNpy(project.arrayPath(dataset.parts[1].velocityFile!)).data).toEqual(generateVelocityModels('flatvel-a', 9, 1, { start: 2 }));
    project.close();

    const clash = await cli([...args, '--threads', '1', '--out', path.join(dir, 'x')]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(/leave out --out, --threads/);
  });
});
