// Data correctness of imports (issue 11): what an import says about the data must be true of it.
import { describe, it, expect, beforeAll, beforeEach, afterEach, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Studio } from '../app/studio.ts';
import { studioJobKinds } from '../app/jobKinds.ts';
import { dispatch } from '../api/handlers.ts';
import { sharedDir } from '../util/paths.ts';
import { missing } from '../util/testing/requirement.ts';
import { readNpyRaw } from '../io/npy.ts';
import { segyInfo } from '../io/segy/info.ts';
import type { DatasetDetail, DatasetInfo, JobEvent, JobInfo, ShotGather } from '../contract/contract.ts';

const segyDir = path.join(sharedDir(), 'testdata', 'segy');
const f3File = path.join(segyDir, 'segyio__f3.sgy');
const kitFile = path.join(segyDir, 'obspy__1.sgy_first_trace');
const shotGatherFile = path.join(segyDir, 'segyio__shot-gather.sgy');

// Files written by numpy and segyio (testdata/make_import_fixtures.py), once for the whole file.
const python = '/usr/bin/python3';
const fixtureScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata', 'make_import_fixtures.py');
const hasTools = spawnSync(python, ['-c', 'import numpy, segyio'], { encoding: 'utf8' }).status === 0;
const fixtures = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-import-fixtures-'));
beforeAll(() => {
  if (!hasTools) return;
  const made = spawnSync(python, [fixtureScript, fixtures], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`${fixtureScript} failed: ${made.stderr}`);
});
afterAll(() => fs.rmSync(fixtures, { recursive: true, force: true }));

let dir: string;
let studio: Studio;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-import-checks-'));
  studio = new Studio({ dataDir: path.join(dir, 'data'), shell: 'cli', jobKinds: studioJobKinds() });
  await studio.createProject(path.join(dir, 'project'), 'import checks');
});

afterEach(async () => {
  await studio.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
});

const call = (method: string, args: unknown): Promise<any> => dispatch(studio, method, args);

async function runJob(method: string, args: unknown): Promise<{ job: JobInfo; log: JobEvent[] }> {
  const started = (await call(method, args)) as JobInfo;
  const job = await studio.jobs.waitFor(started.id);
  return { job, log: (await call('job.events', { jobId: job.id })) as JobEvent[] };
}

const warnings = (log: JobEvent[]): string[] => log.filter((e) => e.level === 'warn').map((e) => e.message);

describe('several SEG-Y files with different sampling', () => {
  it('f3 (4 ms × 75, int16) and the KIT trace (0.25 ms × 8000, int32) become two datasets, each with its own interval', async () => {
    const { job, log } = await runJob('import.segy', { paths: [f3File, kitFile], name: 'Mixed' });
    expect(job.status, job.error ?? '').toBe('done');
    const datasets = (await call('dataset.list', {})) as DatasetInfo[];
    expect(datasets).toHaveLength(2);
    const f3 = datasets.find((d) => d.sampleIntervalMs === 4)!;
    const kit = datasets.find((d) => d.sampleIntervalMs === 0.25)!;
    expect(f3).toMatchObject({ nSamples: 1, seismicShape: [23, 75, 18], source: f3File });
    expect(kit).toMatchObject({ nSamples: 1, seismicShape: [1, 8000, 1], source: kitFile });
    expect(f3.name).toMatch(/^Mixed \(4 ms/);
    expect(kit.name).toMatch(/^Mixed \(0\.25 ms/);
    expect((job.result as { datasetIds: number[] }).datasetIds.sort()).toEqual([f3.id, kit.id].sort());
    // The viewer's time axis: 8000 samples at 0.25 ms run to 2 s, not 32 s.
    const gather = (await call('dataset.shotGather', { datasetId: kit.id, sample: 0, source: 0 })) as ShotGather;
    expect(gather.sampleIntervalMs).toBe(0.25);
    const [warning] = warnings(log).filter((m) => /separate datasets/.test(m));
    expect(warning).toMatch(/segyio__f3\.sgy: 4 ms × 75 samples/);
    expect(warning).toMatch(/obspy__1\.sgy_first_trace: 0\.25 ms × 8000 samples/);
    expect(warning).toMatch(/--dt-ms/);
  });

  it('resampled to a common interval on request, they form one dataset on that interval', async () => {
    const resample = { sources: 1, timeSamples: 500, receivers: 4, sampleIntervalMs: 2 };
    const { job, log } = await runJob('import.segy', { paths: [f3File, kitFile], name: 'Common', resample });
    expect(job.status, job.error ?? '').toBe('done');
    const [dataset] = (await call('dataset.list', {})) as DatasetInfo[];
    expect(dataset).toMatchObject({ name: 'Common', nSamples: 2, seismicShape: [1, 500, 4], sampleIntervalMs: 2 });
    const detail = (await call('dataset.get', { datasetId: dataset.id })) as DatasetDetail;
    expect(detail.parts.map((p) => p.sampleIntervalMs)).toEqual([2, 2]);
    // The files' own formats differ: said, not hidden.
    expect(warnings(log).join('\n')).toMatch(/sample formats differ.*2-byte.*4-byte/s);
  });

  it('resampled without a common interval, each file keeps its record length, so they stay separate', async () => {
    const resample = { sources: 1, timeSamples: 500, receivers: 4 };
    const { job } = await runJob('import.segy', { paths: [f3File, kitFile], resample });
    expect(job.status, job.error ?? '').toBe('done');
    const intervals = ((await call('dataset.list', {})) as DatasetInfo[]).map((d) => d.sampleIntervalMs).sort();
    // 300 ms / 500 and 2000 ms / 500.
    expect(intervals).toEqual([0.6, 4]);
  });
});

describe('gathers of different widths', () => {
  it("shot-gather.sgy's gathers of 10, 12, 13 and 26 traces: the padding is masked, kept out of statistics and announced", async () => {
    const { job, log } = await runJob('import.segy', { paths: [shotGatherFile] });
    expect(job.status, job.error ?? '').toBe('done');
    const [dataset] = (await call('dataset.list', {})) as DatasetInfo[];
    expect(dataset.seismicShape).toEqual([4, 25, 26]);
    expect(dataset.meta.paddedTraces).toBe(16 + 14 + 13);

    // The mask beside the arrays: uint8 [N, sources, receivers], 1 = recorded trace.
    const [part] = ((await call('dataset.get', { datasetId: dataset.id })) as DatasetDetail).parts;
    expect(part.traceMaskFile).toMatch(/\.tracemask\.npy$/);
    const mask = readNpyRaw(studio.requireProject().arrayPath(part.traceMaskFile!));
    expect(mask.dtype).toBe('u1');
    expect(mask.shape).toEqual([1, 4, 26]);
    const recorded = [0, 1, 2, 3].map((g) => Array.from(mask.data.subarray(g * 26, (g + 1) * 26) as Uint8Array));
    expect(recorded.map((live) => live.reduce((a, b) => a + b, 0))).toEqual([10, 12, 13, 26]);
    expect(recorded[0].slice(0, 10).every((v) => v === 1) && recorded[0].slice(10).every((v) => v === 0)).toBe(true);

    // Statistics over recorded traces only: the file's minimum is 2.0, not the padding's 0.
    const expected = await segyInfo(shotGatherFile);
    const gathers: ShotGather[] = [];
    for (let source = 0; source < 4; source += 1) gathers.push(await call('dataset.shotGather', { datasetId: dataset.id, sample: 0, source }));
    expect(gathers.map((g) => g.paddedReceivers.length)).toEqual([16, 14, 13, 0]);
    expect(gathers[0].paddedReceivers).toEqual(Array.from({ length: 16 }, (_, i) => 10 + i));
    expect(Math.min(...gathers.map((g) => g.min))).toBe(expected.min);
    expect(Math.max(...gathers.map((g) => g.max))).toBe(expected.max);
    const sumSq = gathers.reduce((sum, g, i) => sum + g.rms ** 2 * 25 * [10, 12, 13, 26][i], 0);
    expect(Math.abs(sumSq - expected.sum_sq)).toBeLessThan(1e-5 * expected.sum_sq);

    expect(warnings(log).join('\n')).toMatch(/segyio__shot-gather\.sgy: its gathers \(by FieldRecord\) hold 10 to 26 traces, so 3 of 4 were padded to 26 receivers with 43 zero traces .*FieldRecord 2: 16, FieldRecord 3: 14, FieldRecord 5: 13/);
  });
});

describe('resampling says what it did', () => {
  it('f3 to 5 × 1000 × 70: states intervals and spacings, warns that 18 traces became 70 receivers, and records it', async () => {
    const { job, log } = await runJob('import.segy', { paths: [f3File], resample: { sources: 5, timeSamples: 1000, receivers: 70 } });
    expect(job.status, job.error ?? '').toBe('done');
    const [dataset] = (await call('dataset.list', {})) as DatasetInfo[];
    expect(dataset).toMatchObject({ seismicShape: [5, 1000, 70], sampleIntervalMs: 0.3 });
    const resampling = dataset.meta.resampling as any;
    expect(resampling.target).toEqual({ sources: 5, timeSamples: 1000, receivers: 70, sampleIntervalMs: null });
    const [file] = resampling.files;
    expect(file.time).toEqual({
      from: { sampleIntervalMs: 4, samples: 75, recordLengthMs: 300 },
      to: { sampleIntervalMs: 0.3, samples: 1000, recordLengthMs: 300 },
    });
    expect(file.receivers).toEqual({ from: { min: 18, max: 18 }, to: 70, spacingM: { from: null, to: null, source: null } });
    expect(file.gathers).toEqual({ from: 23, to: 5, key: 'FieldRecord', keyValues: [111, 117, 122, 128, 133] });
    expect(file.summary).toMatch(/time 4 ms × 75 = 300 ms → 0\.3 ms × 1000 = 300 ms; receivers 18 → 70 per gather \(spacing unknown/);
    expect(file.warnings).toHaveLength(1);
    expect(file.warnings[0]).toMatch(/segyio__f3\.sgy: 5 of 5 picked gathers hold 18 traces, fewer than the grid's 70 receivers, so they were interpolated to 70 receivers/);
    expect(warnings(log)).toContain(file.warnings[0]);
    expect(log.map((e) => e.message)).toContain(file.summary);
  });

  it('an interval that stretches the record is warned about: 300 ms of data on a 1000 ms grid', async () => {
    const { job, log } = await runJob('import.segy', { paths: [f3File], resample: { sources: 1, timeSamples: 1000, receivers: 10, sampleIntervalMs: 1 } });
    expect(job.status, job.error ?? '').toBe('done');
    const [file] = (((await call('dataset.list', {})) as DatasetInfo[])[0].meta.resampling as any).files;
    expect(file.time.to).toEqual({ sampleIntervalMs: 1, samples: 1000, recordLengthMs: 1000 });
    // 10 of 18 traces is downsampling: no receiver warning, one about time.
    expect(file.warnings).toHaveLength(1);
    expect(file.warnings[0]).toMatch(/records 300 ms but the grid spans 1000 ms .*the last 700 ms of every trace are zeros/);
    expect(warnings(log)).toContain(file.warnings[0]);
  });

  it.skipIf(missing('numpy and segyio under /usr/bin/python3', hasTools))('states the receiver spacing from group coordinates: 25 m over 12 traces → 24 receivers', async () => {
    const { job } = await runJob('import.segy', { paths: [path.join(fixtures, 'line-25m.sgy')], resample: { sources: 1, timeSamples: 50, receivers: 24 } });
    expect(job.status, job.error ?? '').toBe('done');
    const [file] = (((await call('dataset.list', {})) as DatasetInfo[])[0].meta.resampling as any).files;
    expect(file.receivers.spacingM.source).toBe('GroupX/GroupY');
    expect(file.receivers.spacingM.from).toEqual({ min: 25, max: 25 });
    expect(file.receivers.spacingM.to.min).toBeCloseTo((25 * 11) / 23, 9);
    expect(file.time.from).toEqual({ sampleIntervalMs: 2, samples: 100, recordLengthMs: 200 });
    expect(file.summary).toMatch(/spacing 25 m → 11\.96 m \(from GroupX\/GroupY\)/);
    expect(file.warnings[0]).toMatch(/hold 12 traces, fewer than the grid's 24 receivers/);
  });
});

describe('OpenFWI pairs checked against the acquisition geometry at import', () => {
  const openfwiFixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'io', 'testdata', 'openfwi');

  it.skipIf(missing('numpy and segyio under /usr/bin/python3', hasTools))('a 70 × 60 velocity with 70-receiver seismic is refused at import, naming both files and shapes', async () => {
    const { job } = await runJob('import.openfwi', { folder: path.join(fixtures, 'pair-narrow') });
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/model1\.npy: velocity \[1, 70, 60\] \(1, depth, width\) is 70 × 60 cells, but data1\.npy's seismic \[5, 1000, 70\]/);
    expect(job.error).toMatch(/places at x = 0…69.*needs a model at least 2 × 70 cells/);
    expect(await call('dataset.list', {})).toEqual([]);

    // The same seismic with a model 70 cells wide fits OpenFWI's geometry: no refusal, no warning.
    const { job: fits, log } = await runJob('import.openfwi', { folder: path.join(fixtures, 'pair-ok') });
    expect(fits.status, fits.error ?? '').toBe('done');
    expect(warnings(log).filter((m) => /geometry/.test(m))).toEqual([]);
  });

  it('pairs recorded with another geometry import, with a warning naming the shapes', async () => {
    const { job, log } = await runJob('import.openfwi', { folder: path.join(openfwiFixtures, 'vel') });
    expect(job.status, job.error ?? '').toBe('done');
    expect(warnings(log).join('\n')).toMatch(
      /data1\.npy, data2\.npy, data10\.npy: seismic samples are \[2, 30, 6\] \(sources, time, receivers\) but the project's acquisition geometry records \[5, 1000, 70\]/,
    );
  });

  it('a pair with different sample counts is refused naming both shapes', async () => {
    const { job } = await runJob('import.openfwi', { folder: path.join(openfwiFixtures, 'mismatched') });
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/data1\.npy holds 4 samples \(seismic \[4, 2, 30, 6\]\) but model1\.npy holds 3 \(velocity \[3, 1, 7, 6\]\)/);
  });
});
