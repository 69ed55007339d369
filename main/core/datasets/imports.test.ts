import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Studio } from '../app/studio.ts';
import { studioJobKinds } from '../app/jobKinds.ts';
import { dispatch } from '../api/handlers.ts';
import { cancelWhileRunning } from '../jobs/testing/cancelWhileRunning.ts';
import { sharedDir } from '../util/paths.ts';
import { readNpy } from '../io/npy.ts';
import { writeSegy } from '../io/segy/writer.ts';
import { segyInfo } from '../io/segy/info.ts';
import type { JobInfo, ShotGather, TraceHeaderTable, VelocityMap, DatasetDetail } from '../contract/contract.ts';

const shotGatherFile = path.join(sharedDir(), 'testdata', 'segy', 'segyio__shot-gather.sgy');
const openfwiFixture = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'io', 'testdata', 'openfwi', 'vel');

let dir: string;
let studio: Studio;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-import-'));
  studio = new Studio({ dataDir: path.join(dir, 'data'), shell: 'cli', jobKinds: studioJobKinds() });
  await studio.createProject(path.join(dir, 'project'), 'imports');
});

afterEach(async () => {
  await studio.shutdown();
});

const call = (method: string, args: unknown): Promise<any> => dispatch(studio, method, args);
const decode = (base64: string): Float32Array => {
  const bytes = Buffer.from(base64, 'base64');
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
};

async function runJob(method: string, args: unknown): Promise<JobInfo> {
  const job = (await call(method, args)) as JobInfo;
  return studio.jobs.waitFor(job.id);
}

function arraysEntries(): string[] {
  return fs.readdirSync(studio.requireProject().arraysDir).filter((n) => n !== '.staging');
}

describe('SEG-Y import into a project', () => {
  it('imports segyio\'s shot-gather file: gathers by FieldRecord, padded to the widest, headers kept', async () => {
    const done = await runJob('import.segy', { paths: [shotGatherFile] });
    expect(done.status).toBe('done');
    const [dataset] = (await call('dataset.list', {})) as DatasetDetail[];
    expect(dataset).toMatchObject({ kind: 'segy', nSamples: 1, hasSeismic: true, hasVelocity: false, sampleIntervalMs: 1 });
    // 61 traces in 4 FieldRecord gathers of 10–26 traces, 25 samples each.
    expect(dataset.seismicShape).toEqual([4, 25, 26]);

    const info = await segyInfo(shotGatherFile);
    const gathers: ShotGather[] = [];
    for (let source = 0; source < 4; source += 1) gathers.push(await call('dataset.shotGather', { datasetId: dataset.id, sample: 0, source }));
    let total = 0;
    for (const g of gathers) total += decode(g.traces.base64).reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(info.sum, 3);
    const first = decode(gathers[0].traces.base64);
    // Trace 0's first five samples, in [time, receivers] layout: column 0.
    expect(Array.from({ length: 5 }, (_, t) => first[t * 26])).toEqual(info.trace0_first5.map((v) => Math.fround(v)));

    const headers = (await call('dataset.traceHeaders', { datasetId: dataset.id, sample: 0, source: 0 })) as TraceHeaderTable;
    const fieldRecord = headers.fields.indexOf('FieldRecord');
    const traceNumber = headers.fields.indexOf('TraceNumber');
    expect(headers.rows[0][fieldRecord]).toBe(info.first_trace_headers.FieldRecord);
    expect(headers.rows[0][traceNumber]).toBe(info.first_trace_headers.TraceNumber);
    expect(new Set(headers.rows.map((r) => r[fieldRecord])).size).toBe(1);
    const rowsPerGather = await Promise.all([0, 1, 2, 3].map((source) => call('dataset.traceHeaders', { datasetId: dataset.id, sample: 0, source })));
    expect(rowsPerGather.reduce((n, t: TraceHeaderTable) => n + t.rows.length, 0)).toBe(61);
  });

  it('resamples gathers to a training grid when asked', async () => {
    const done = await runJob('import.segy', { paths: [shotGatherFile], resample: { sources: 3, timeSamples: 50, receivers: 8 } });
    expect(done.status).toBe('done');
    const [dataset] = await call('dataset.list', {});
    expect(dataset.seismicShape).toEqual([3, 50, 8]);
    expect(dataset.sampleIntervalMs).toBeCloseTo(0.5, 6);
  });

  it('imports a folder of files as one sample per file, and fails clearly on a broken file', async () => {
    const folder = path.join(dir, 'survey');
    fs.mkdirSync(folder);
    fs.copyFileSync(shotGatherFile, path.join(folder, 'line1.sgy'));
    fs.copyFileSync(shotGatherFile, path.join(folder, 'line2.sgy'));
    const done = await runJob('import.segy', { paths: [folder], name: 'Survey' });
    expect(done.status).toBe('done');
    const [dataset] = await call('dataset.list', {});
    expect(dataset).toMatchObject({ name: 'Survey', nSamples: 2, seismicShape: [4, 25, 26] });

    fs.copyFileSync(path.join(sharedDir(), 'testdata', 'segy', 'segyio__broken.sgy'), path.join(folder, 'line3.sgy'));
    const failed = await runJob('import.segy', { paths: [folder], name: 'Broken survey' });
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/line3\.sgy/);
    expect((await call('dataset.list', {})).map((d: { name: string }) => d.name)).toEqual(['Survey']);
  });

  it('a cancelled import leaves no dataset and no files; resuming it completes the same dataset', async () => {
    const folder = path.join(dir, 'big');
    fs.mkdirSync(folder);
    const traces = 400;
    const samplesPerTrace = 2000;
    const samples = new Float32Array(traces * samplesPerTrace).map((_, i) => Math.sin(i / 37));
    for (let f = 0; f < 6; f += 1) {
      writeSegy(path.join(folder, `shot${f}.sgy`), samples, {
        samplesPerTrace,
        sampleIntervalUs: 2000,
        headers: (t) => ({ FieldRecord: Math.floor(t / 80) + 1, TraceNumber: (t % 80) + 1, offset: (t % 80) * 25 }),
      });
    }
    const cancelled = cancelWhileRunning(studio, 'import.segy');
    const job = (await call('import.segy', { paths: [folder] })) as JobInfo;
    expect(await cancelled).toBe(job.id);
    expect((await studio.jobs.waitFor(job.id)).status).toBe('cancelled');
    expect(await call('dataset.list', {})).toEqual([]);
    expect(arraysEntries()).toEqual([]);
    const resumed = await call('job.resume', { jobId: job.id });
    expect((await studio.jobs.waitFor(resumed.id)).status).toBe('done');
    const [dataset] = await call('dataset.list', {});
    expect(dataset).toMatchObject({ nSamples: 6, seismicShape: [5, 2000, 80] });
    const gather = (await call('dataset.shotGather', { datasetId: dataset.id, sample: 5, source: 4 })) as ShotGather;
    const values = decode(gather.traces.base64);
    // Trace 320 (gather 5, receiver 0) sample 7 in the file is sin((320·2000 + 7)/37).
    expect(values[7 * 80]).toBeCloseTo(Math.fround(Math.sin((320 * 2000 + 7) / 37)), 6);
  });
});

describe('OpenFWI import and export', () => {
  it('imports data/model pairs written by numpy, shows them, and exports them back identically', async () => {
    const done = await runJob('import.openfwi', { folder: openfwiFixture, name: 'numpy pairs' });
    expect(done.status).toBe('done');
    const [dataset] = await call('dataset.list', {});
    expect(dataset).toMatchObject({ kind: 'openfwi', hasSeismic: true, hasVelocity: true, gridSpacingM: 10, sampleIntervalMs: 1 });
    const sources = ['data1.npy', 'data2.npy', 'data10.npy'].map((n) => readNpy(path.join(openfwiFixture, n)));
    const models = ['model1.npy', 'model2.npy', 'model10.npy'].map((n) => readNpy(path.join(openfwiFixture, n)));
    expect(dataset.nSamples).toBe(sources.reduce((n, s) => n + s.shape[0], 0));

    const lastSample = dataset.nSamples - 1;
    const map = (await call('dataset.velocityMap', { datasetId: dataset.id, sample: lastSample })) as VelocityMap;
    const lastModel = models[2];
    const perSample = lastModel.shape.slice(1).reduce((a, b) => a * b, 1);
    expect(Array.from(decode(map.velocityMps.base64))).toEqual(Array.from(lastModel.data.subarray(lastModel.data.length - perSample)));
    expect(map.velocityMps.shape).toEqual(lastModel.shape.slice(-2));

    const out = path.join(dir, 'exported');
    const exported = await runJob('export.openfwi', { datasetId: dataset.id, folder: out, overwrite: false });
    expect(exported.status).toBe('done');
    const data1 = readNpy(path.join(out, 'data1.npy'));
    const model1 = readNpy(path.join(out, 'model1.npy'));
    const allSeismic = Float32Array.from(sources.flatMap((s) => Array.from(s.data)));
    const allVelocity = Float32Array.from(models.flatMap((m) => Array.from(m.data)));
    expect(data1.shape[0]).toBe(dataset.nSamples);
    expect(Buffer.from(data1.data.buffer).equals(Buffer.from(allSeismic.buffer))).toBe(true);
    expect(Buffer.from(model1.data.buffer).equals(Buffer.from(allVelocity.buffer))).toBe(true);

    const again = await runJob('export.openfwi', { datasetId: dataset.id, folder: out, overwrite: false });
    expect(again.status).toBe('failed');
    expect(again.error).toMatch(/already holds data1\.npy/);
  });

  it('refuses a mismatched pair with a message naming the files', async () => {
    const failed = await runJob('import.openfwi', { folder: path.join(path.dirname(openfwiFixture), 'mismatched') });
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/data1\.npy/);
    expect(await call('dataset.list', {})).toEqual([]);
  });

  it('the catalogue survives closing and reopening the project', async () => {
    await runJob('import.openfwi', { folder: openfwiFixture });
    const folder = studio.requireProject().folder;
    await studio.closeProject();
    await studio.openProject(folder);
    const [dataset] = await call('dataset.list', {});
    expect(dataset.nSamples).toBeGreaterThan(0);
    const recent = await call('project.recent', {});
    expect(recent[0].folder).toBe(folder);
  });
});
