import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Studio } from '../app/studio.ts';
import { studioJobKinds } from '../app/jobKinds.ts';
import { dispatch } from '../api/handlers.ts';
import { cancelWhileRunning } from '../jobs/testing/cancelWhileRunning.ts';
import { tinyGeometry } from '../physics/testing/tinyGeometry.ts';
import { generateVelocityModels } from '../physics/families.ts';
import { forwardModel } from '../physics/solver.ts';
import { readNpy, writeNpy } from '../io/npy.ts';
import type { JobInfo, DatasetDetail } from '../contract/contract.ts';

let dir: string;
let studio: Studio;
const call = (method: string, args: unknown): Promise<any> => dispatch(studio, method, args);

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-physics-jobs-'));
  studio = new Studio({ dataDir: path.join(dir, 'data'), shell: 'cli', jobKinds: studioJobKinds() });
  await studio.createProject(path.join(dir, 'project'), 'physics');
  await call('settings.update', { workerThreads: 2 });
  await call('project.setGeometry', { geometry: tinyGeometry() });
});

afterEach(async () => {
  await studio.shutdown();
});

describe('physics jobs in a project', () => {
  it('synthesises a family into a dataset whose pairs satisfy the solver, resuming after a cancel', async () => {
    const cancelled = cancelWhileRunning(studio, 'physics.synthesize');
    const job = (await call('physics.synthesize', { family: 'curvefault-b', count: 12, seed: 7, samplesPerFile: 5 })) as JobInfo;
    expect(await cancelled).toBe(job.id);
    const stopped = await studio.jobs.waitFor(job.id);
    expect(stopped.status).toBe('cancelled');
    expect(await call('dataset.list', {})).toEqual([]);
    await call('job.resume', { jobId: job.id });
    const done = await studio.jobs.waitFor(job.id);
    expect(done.status).toBe('done');

    const [dataset] = (await call('dataset.list', {})) as DatasetDetail[];
    expect(dataset).toMatchObject({ kind: 'synthetic', nSamples: 12, seismicShape: [2, 60, 16], velocityShape: [1, 70, 70], sampleIntervalMs: 2 });
    const detail = (await call('dataset.get', { datasetId: dataset.id })) as DatasetDetail;
    expect(detail.parts.map((p) => p.nSamples)).toEqual([5, 5, 2]);
    // The dataset's folder holds the arrays its parts name and nothing else (no synthesis.json: the job's checkpoint is its record).
    const folder = path.join(studio.requireProject().arraysDir, path.dirname(detail.parts[0].seismicFile!));
    expect(fs.readdirSync(folder).sort()).toEqual(detail.parts.flatMap((p) => [p.seismicFile!, p.velocityFile!].map((f) => path.basename(f))).sort());

    // Independent of the job: the same seeded models modelled directly give the stored seismic.
    const models = generateVelocityModels('curvefault-b', 7, 12);
    const expected = await forwardModel(models, { n: 12, nz: 70, nx: 70 }, tinyGeometry());
    const stored = detail.parts.map((p) => readNpy(path.join(studio.requireProject().arraysDir, p.seismicFile!)).data);
    const joined = new Float32Array(expected.length);
    let offset = 0;
    for (const part of stored) {
      joined.set(part, offset);
      offset += part.length;
    }
    expect(Buffer.from(joined.buffer).equals(Buffer.from(expected.buffer))).toBe(true);

    const deviation = await call('dataset.deviation', { datasetId: dataset.id, sample: 11 });
    expect(deviation.pde_rel_l2).toBeLessThan(1e-6);
  });

  it('forward-models a velocity-only dataset into a new dataset of pairs', async () => {
    const velocityFolder = path.join(dir, 'velocity-only');
    fs.mkdirSync(velocityFolder);
    const models = generateVelocityModels('flatvel-b', 3, 3);
    const { writeNpy } = await import('../io/npy.ts');
    writeNpy(path.join(velocityFolder, 'model1.npy'), models, [3, 1, 70, 70]);
    const imported = await studio.jobs.waitFor(((await call('import.openfwi', { folder: velocityFolder })) as JobInfo).id);
    expect(imported.status).toBe('done');
    const [velocityOnly] = await call('dataset.list', {});
    expect(velocityOnly.hasSeismic).toBe(false);

    const job = (await call('physics.forward', { datasetId: velocityOnly.id, name: 'modelled' })) as JobInfo;
    const done = await studio.jobs.waitFor(job.id);
    expect(done.status).toBe('done');
    const modelled = (await call('dataset.list', {})).find((d: DatasetDetail) => d.name === 'modelled');
    expect(modelled).toMatchObject({ kind: 'forward', nSamples: 3, hasSeismic: true, hasVelocity: true, seismicShape: [2, 60, 16] });
    const deviation = await call('dataset.deviation', { datasetId: modelled.id, sample: 2 });
    expect(deviation.pde_rel_l2).toBeLessThan(1e-6);
    expect(deviation.pde_rel_l2_per_source).toHaveLength(2);
  });

  it('forward-models one chosen sample into a dataset of one pair, equal to that sample of the whole run', async () => {
    const velocityFolder = path.join(dir, 'velocity-only');
    fs.mkdirSync(velocityFolder);
    writeNpy(path.join(velocityFolder, 'model1.npy'), generateVelocityModels('flatvel-b', 3, 3), [3, 1, 70, 70]);
    expect((await studio.jobs.waitFor(((await call('import.openfwi', { folder: velocityFolder })) as JobInfo).id)).status).toBe('done');
    const [velocityOnly] = (await call('dataset.list', {})) as DatasetDetail[];
    expect((await studio.jobs.waitFor(((await call('physics.forward', { datasetId: velocityOnly.id, name: 'modelled' })) as JobInfo).id)).status).toBe('done');
    const whole = ((await call('dataset.list', {})) as DatasetDetail[]).find((d) => d.name === 'modelled')!;
    const job = (await call('physics.forward', { datasetId: velocityOnly.id, sample: 1, name: 'sample 1' })) as JobInfo;
    expect(job.title).toBe(`Forward-model sample 1 of dataset ${velocityOnly.id}`);
    expect((await studio.jobs.waitFor(job.id)).status).toBe('done');
    const one = ((await call('dataset.list', {})) as DatasetDetail[]).find((d) => d.name === 'sample 1')!;
    expect(one).toMatchObject({ kind: 'forward', nSamples: 1, hasSeismic: true, hasVelocity: true, seismicShape: [2, 60, 16] });
    const project = studio.requireProject();
    const rows = (dataset: DatasetDetail, file: 'seismicFile' | 'velocityFile', row: number) => {
      const array = readNpy(project.arrayPath(project.catalogue.getReadyDataset(dataset.id).parts[0][file]!));
      const size = array.data.length / array.shape[0];
      return Buffer.from(array.data.subarray(row * size, (row + 1) * size).slice().buffer);
    };
    expect(rows(one, 'seismicFile', 0).equals(rows(whole, 'seismicFile', 1))).toBe(true);
    expect(rows(one, 'velocityFile', 0).equals(rows(whole, 'velocityFile', 1))).toBe(true);
    await expect(call('physics.forward', { datasetId: velocityOnly.id, sample: 3 }).then((j: JobInfo) => studio.jobs.waitFor(j.id))).resolves.toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/Sample 3 is out of range.*0–2/),
    });
  });

  it('models a wavefield for the 3D view and refuses a bad geometry with a clear message', async () => {
    const velocity = generateVelocityModels('flatvel-a', 1, 1);
    const payload = { shape: [70, 70], base64: Buffer.from(velocity.buffer).toString('base64') };
    const field = await call('physics.wavefield', { velocityMps: payload, shot: 1, everySteps: 10 });
    expect(field.snapshots.shape).toEqual([12, 70, 70]);
    expect(field.seismic.shape).toEqual([60, 16]);
    expect(field.source).toEqual({ x: 13, z: 1 });
    expect(field.max).toBeGreaterThan(0);

    await expect(call('project.setGeometry', { geometry: { ...tinyGeometry(), steps: -1 } })).rejects.toThrow(/steps/);
    const restored = await call('project.setGeometry', { geometry: null });
    expect(restored.sources).toHaveLength(5);
  });
});
