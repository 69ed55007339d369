import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { missing } from '../util/testing/requirement.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Studio } from '../app/studio.ts';
import { studioJobKinds } from '../app/jobKinds.ts';
import { dispatch } from '../api/handlers.ts';
import { findPython } from './python.ts';
import type { JobInfo } from '../contract/contract.ts';
import { writeNpy } from '../io/npy.ts';

const probe = await findPython(null, { timeoutMs: 60_000 });

let dir: string;
let studio: Studio;
let datasetId: number;
const call = (method: string, args: unknown): Promise<any> => dispatch(studio, method, args);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-training-'));
  studio = new Studio({ dataDir: path.join(dir, 'data'), shell: 'cli', jobKinds: studioJobKinds() });
  await studio.createProject(path.join(dir, 'project'), 'training');
  const synth = (await call('physics.synthesize', { family: 'flatvel-a', count: 6, seed: 5 })) as JobInfo;
  expect((await studio.jobs.waitFor(synth.id)).status).toBe('done');
  datasetId = (await call('dataset.list', {}))[0].id;
});

afterAll(async () => {
  await studio.shutdown();
});

describe.skipIf(missing(`a Python with torch (${probe.tried.map((t) => `${t.path}: ${t.problem}`).join('; ')})`, probe.found !== null))('training from the studio', () => {
  it('finds the interpreter with torch', async () => {
    const detected = await call('python.detect', {});
    expect(detected.found.torchVersion).toMatch(/^\d+\.\d+/);
    expect(detected.installHint).toMatch(/python3-torch/);
  });

  it('trains InversionNet a few steps, streams its progress, and registers the exported model', async () => {
    const job = (await call('train.start', {
      network: 'inversionnet',
      datasetId,
      steps: 3,
      batchSize: 2,
      name: 'first inversion',
      extraArgs: ['--log-every', '1', '--preview-every', '3', '--checkpoint-every', '3', '--max-val-samples', '2', '--val-fraction', '0.34'],
    })) as JobInfo;
    // The run goes by the name typed for it, in the jobs list as in the models list.
    expect(job.title).toContain('“first inversion”');
    const done = await studio.jobs.waitFor(job.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('done');
    const events = await call('train.events', { jobId: job.id });
    const types = events.map((e: { type: string }) => e.type);
    expect(types[0]).toBe('start');
    expect(types.filter((t: string) => t === 'progress')).toHaveLength(3);
    expect(types).toContain('metrics');
    expect(types.at(-1)).toBe('done');
    const progress = events.filter((e: { type: string }) => e.type === 'progress').map((e: { payload: { loss: number } }) => e.payload.loss);
    expect(progress.every((loss: number) => Number.isFinite(loss) && loss > 0)).toBe(true);

    const preview = events.find((e: { type: string }) => e.type === 'preview');
    const payload = await call('train.preview', { jobId: job.id, file: preview.payload.files.velocity_prediction });
    expect(payload.shape).toEqual([70, 70]);
    await expect(call('train.preview', { jobId: job.id, file: '/etc/passwd' })).rejects.toThrow(/run folder/);

    const models = await call('model.list', {});
    const trained = models.find((m: { ref: string }) => m.ref === (done.result as { modelRef: string }).modelRef);
    expect(trained).toMatchObject({ kind: 'inversionnet', source: 'project', name: 'first inversion' });
    expect(trained.metrics.velocity_mae).toBeGreaterThan(0);
    const folder = path.join(studio.requireProject().folder, 'models', `inversionnet-job${job.id}`);
    expect(fs.existsSync(path.join(folder, 'inversionnet.onnx'))).toBe(true);
  });

  it('resumed after a crash between registering its model and finishing, returns that model: no second training, no second row', async () => {
    const trained = (await call('job.list', {})).find((j: JobInfo) => j.kind === 'train' && j.status === 'done') as JobInfo;
    const models = await call('model.list', {});
    // Where `kill -9` right after the model's row was committed leaves the job (npm run chaos).
    studio.requireProject().catalogue.setJobStatus(trained.id, 'interrupted');
    await call('job.resume', { jobId: trained.id });
    const resumed = await studio.jobs.waitFor(trained.id);
    expect(resumed.error).toBeNull();
    expect(resumed).toMatchObject({ status: 'done', result: { modelId: (trained.result as { modelId: number }).modelId } });
    expect(await call('model.list', {})).toEqual(models);
    expect(studio.requireProject().catalogue.trainingEvents(trained.id).filter((e) => e.type === 'start')).toHaveLength(1);
  });

  it('refuses to train on a dataset without velocity, and explains a missing interpreter', async () => {
    await call('settings.update', { pythonPath: path.join(dir, 'no-such-python') });
    const job = (await call('train.start', { network: 'inversionnet', datasetId, steps: 1 })) as JobInfo;
    const failed = await studio.jobs.waitFor(job.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/apt-get install python3-torch/);
    await call('settings.update', { pythonPath: null });
  });

  it('trains on a dataset with padded traces, masking them out of the seismic loss, and says how many', async () => {
    const project = studio.requireProject();
    const source = project.catalogue.getReadyDataset(datasetId);
    const [part] = source.parts;
    const [sources, , receivers] = part.seismicShape!;
    // The same arrays with a trace mask that marks the last receiver of every gather as padding.
    const mask = new Uint8Array(part.nSamples * sources * receivers).fill(1);
    for (let g = 0; g < part.nSamples * sources; g += 1) mask[(g + 1) * receivers - 1] = 0;
    // A dataset of its own (one folder per dataset): copies of the arrays and the mask.
    fs.mkdirSync(project.arrayPath('padded'), { recursive: true });
    const copy = (file: string): string => {
      fs.copyFileSync(project.arrayPath(file), project.arrayPath(`padded/${path.basename(file)}`));
      return `padded/${path.basename(file)}`;
    };
    writeNpy(project.arrayPath('padded/data.tracemask.npy'), mask, [part.nSamples, sources, receivers]);
    const padded = project.catalogue.insertDataset({
      name: 'padded pairs',
      kind: 'synthetic',
      folder: 'padded',
      source: null,
      meta: {},
      sampleIntervalMs: source.sampleIntervalMs,
      gridSpacingM: source.gridSpacingM,
      createdByJob: null,
      parts: [{ ...part, seismicFile: copy(part.seismicFile!), velocityFile: copy(part.velocityFile!), traceMaskFile: 'padded/data.tracemask.npy', meta: { paddedTraces: part.nSamples * sources } }],
    });
    const job = (await call('train.start', {
      network: 'inversionnet',
      datasetId: padded.id,
      steps: 1,
      batchSize: 2,
      extraArgs: ['--preview-every', '0', '--val-fraction', '0.3'],
    })) as JobInfo;
    const done = await studio.jobs.waitFor(job.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('done');
    // One padded trace per gather: 5 per sample; the split holds ceil(6 · 0.3) = 2 of the 6 samples out.
    const started = (await call('train.events', { jobId: job.id })).find((e: { type: string }) => e.type === 'start');
    expect(started.payload).toMatchObject({ train_samples: 4, val_samples: 2, padded_traces: 4 * sources, held_out_padded_traces: 2 * sources });
    const log = (await call('job.events', { jobId: job.id })).map((e: { message: string }) => e.message).join('\n');
    expect(log).toContain(`Dataset 'padded pairs': ${part.nSamples * sources} zero traces pad shorter gathers; they are masked out of the seismic loss and metrics.`);
    const pairs = JSON.parse(fs.readFileSync(path.join(project.folder, 'training', `job-${job.id}`, 'data-pairs.json'), 'utf8'));
    expect(pairs.pairs).toEqual([{ seismic: project.arrayPath(padded.parts[0].seismicFile!), velocity: project.arrayPath(padded.parts[0].velocityFile!), trace_mask: project.arrayPath('padded/data.tracemask.npy') }]);
  });
});

describe('training data', () => {
  it("gives a run's previews the sampling of its dataset, from the catalogue, and refuses jobs that are not training runs", async () => {
    await call('settings.update', { pythonPath: path.join(dir, 'no-such-python') });
    const job = (await call('train.start', { network: 'inversionnet', datasetId, steps: 1 })) as JobInfo;
    await studio.jobs.waitFor(job.id);
    await call('settings.update', { pythonPath: null });
    // OpenFWI's 1 ms and 10 m; the previewed gather is the middle source's, at grid column 34 of 0, 17, 34, 52, 69.
    const sampling = await call('train.sampling', { jobId: job.id });
    expect(sampling).toMatchObject({ datasetId, seismicShape: [5, 1000, 70], velocityShape: [1, 70, 70], sampleIntervalMs: 1, gridSpacingM: 10 });
    expect(sampling.positions).toMatchObject({ lengthUnit: 'm', sourceX: 340 });
    expect(sampling.positions.offset).toEqual(Array.from({ length: 70 }, (_, r) => 10 * (r - 34)));
    const synth = (await call('job.list', {})).find((j: JobInfo) => j.kind === 'physics.synthesize') as JobInfo;
    await expect(call('train.sampling', { jobId: synth.id })).rejects.toThrow(/not a training run/);
  });
});
