import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Studio } from '../app/studio.ts';
import { studioJobKinds } from '../app/jobKinds.ts';
import { dispatch } from '../api/handlers.ts';
import { sharedDir } from '../util/paths.ts';
import { readNpy } from '../io/npy.ts';
import { openSegyLayout, readTraceChunksSync } from '../io/segy/reader.ts';
import type { TraceHeader } from '../io/segy/fields.ts';
import { tinyGeometry } from '../physics/testing/tinyGeometry.ts';
import { missing } from '../util/testing/requirement.ts';
import type { DatasetDetail, JobInfo } from '../contract/contract.ts';

const segyDir = path.join(sharedDir(), 'testdata', 'segy');
const shotGatherFile = path.join(segyDir, 'segyio__shot-gather.sgy');
const f3File = path.join(segyDir, 'segyio__f3.sgy');

let dir: string;
let studio: Studio;
const call = (method: string, args: unknown): Promise<any> => dispatch(studio, method, args);

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-segy-export-'));
  studio = new Studio({ dataDir: path.join(dir, 'data'), shell: 'cli', jobKinds: studioJobKinds() });
  await studio.createProject(path.join(dir, 'project'), 'segy export');
});

afterEach(async () => {
  await studio.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function runJob(method: string, args: unknown): Promise<JobInfo> {
  return studio.jobs.waitFor(((await call(method, args)) as JobInfo).id);
}

async function importedDataset(args: unknown): Promise<DatasetDetail> {
  const done = await runJob('import.segy', args);
  expect(done.status).toBe('done');
  return call('dataset.get', { datasetId: (done.result as { datasetId: number }).datasetId });
}

/** Every trace of a SEG-Y file, read with our reader: headers and samples. */
function readAll(file: string): { layout: ReturnType<typeof openSegyLayout>; headers: TraceHeader[]; traces: Float32Array[] } {
  const layout = openSegyLayout(file);
  const headers: TraceHeader[] = [];
  const traces: Float32Array[] = [];
  for (const chunk of readTraceChunksSync(layout)) {
    for (let t = 0; t < chunk.traceCount; t += 1) {
      headers.push(chunk.header(t));
      traces.push(chunk.samples.slice(t * chunk.samplesPerTrace, (t + 1) * chunk.samplesPerTrace));
    }
  }
  return { layout, headers, traces };
}

const segyioDump = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'io', 'segy', 'testdata', 'segyio_dump.py');

/** Why segyio cannot check our files here, or undefined when it can. */
function segyioProblem(): string | undefined {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import segyio, numpy'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `segyio is not importable by /usr/bin/python3: ${(probe.stderr || String(probe.error)).trim().split('\n').pop()}`;
}

describe('SEG-Y export of a dataset', () => {
  it('writes an imported file back trace for trace: its own headers and samples, without the padded traces', async () => {
    const dataset = await importedDataset({ paths: [shotGatherFile] });
    expect(dataset.seismicShape).toEqual([4, 25, 26]);
    const file = path.join(dir, 'out', 'shot-gather.sgy');
    const done = await runJob('export.segy', { datasetId: dataset.id, file });
    expect(done.error).toBeNull();
    expect(done.result).toMatchObject({ traces: 61, paddedTracesLeftOut: 4 * 26 - 61, sampleIntervalMs: 1, headers: 'segy' });

    const original = readAll(shotGatherFile);
    const written = readAll(file);
    expect(written.layout).toMatchObject({ samplesPerTrace: 25, sampleIntervalUs: 1000, traceCount: 61 });
    expect(written.headers).toHaveLength(original.headers.length);
    written.headers.forEach((h, i) => {
      const o = original.headers[i];
      for (const name of ['FieldRecord', 'TraceNumber', 'SourceX', 'SourceY', 'GroupX', 'GroupY', 'offset', 'SourceGroupScalar', 'CDP'] as const) expect(h[name], `${name} of trace ${i}`).toBe(o[name]);
      expect(h.TRACE_SAMPLE_INTERVAL).toBe(1000);
      expect(Array.from(written.traces[i])).toEqual(Array.from(original.traces[i]));
    });

    // Not over an existing file unless asked.
    const again = await runJob('export.segy', { datasetId: dataset.id, file });
    expect(again).toMatchObject({ status: 'failed', errorCode: 'conflict' });
    expect((await runJob('export.segy', { datasetId: dataset.id, file, overwrite: true })).status).toBe('done');
  });

  it('places the receivers of a resampled import where the resampling put them', async () => {
    const dataset = await importedDataset({ paths: [f3File], resample: { sources: 2, timeSamples: 40, receivers: 30 } });
    const file = path.join(dir, 'f3.sgy');
    const done = await runJob('export.segy', { datasetId: dataset.id, file });
    expect(done.status).toBe('done');
    const written = readAll(file);
    const [sources, time, receivers] = dataset.seismicShape!;
    expect(written.layout.traceCount).toBe(sources * receivers);
    expect(written.layout.samplesPerTrace).toBe(time);
    expect(written.layout.sampleIntervalUs).toBeCloseTo((dataset.parts[0].sampleIntervalMs!) * 1000, 6);
    const original = readAll(f3File);
    const keyValues = dataset.parts[0].meta.gatherKeyValues as number[];
    for (let s = 0; s < sources; s += 1) {
      const gather = original.headers.filter((h) => h.FieldRecord === keyValues[s]);
      const exported = written.headers.slice(s * receivers, (s + 1) * receivers);
      expect(exported.every((h) => h.FieldRecord === keyValues[s])).toBe(true);
      // First and last receivers are the gather's first and last traces; those between are spread evenly between them.
      for (const name of ['GroupX', 'GroupY', 'CDP_X', 'CDP_Y'] as const) {
        expect(exported[0][name]).toBe(gather[0][name]);
        expect(exported[receivers - 1][name]).toBe(gather[gather.length - 1][name]);
      }
      expect(exported.map((h) => h.TraceNumber)).toEqual(Array.from({ length: receivers }, (_, r) => r + 1));
    }
    // The samples are the dataset's.
    const stored = readNpy(studio.requireProject().arrayPath(dataset.parts[0].seismicFile!)).data;
    expect(written.traces[1][7]).toBe(stored[(0 * time + 7) * receivers + 1]);
  });

  it('gives modelled seismic the coordinates and interval of its acquisition geometry', async () => {
    await call('settings.update', { workerThreads: 2 });
    await call('project.setGeometry', { geometry: tinyGeometry() });
    const synth = await runJob('physics.synthesize', { family: 'flatvel-a', count: 2, seed: 3 });
    expect(synth.status).toBe('done');
    const [dataset] = (await call('dataset.list', {})) as DatasetDetail[];
    const file = path.join(dir, 'synthetic.sgy');
    const done = await runJob('export.segy', { datasetId: dataset.id, file });
    expect(done.result).toMatchObject({ headers: 'geometry', traces: 2 * 2 * 16 });
    const geometry = tinyGeometry();
    const written = readAll(file);
    expect(written.layout).toMatchObject({ samplesPerTrace: 60, sampleIntervalUs: dataset.sampleIntervalMs! * 1000 });
    const trace = written.headers[1 * 16 + 5]; // sample 0, source 1, receiver 5
    expect(trace).toMatchObject({
      FieldRecord: 2,
      TraceNumber: 6,
      CDP: 1,
      SourceGroupScalar: -100,
      SourceX: geometry.sources[1].x * geometry.spacingMeters * 100,
      GroupX: geometry.receivers[5].x * geometry.spacingMeters * 100,
    });
    const stored = readNpy(studio.requireProject().arrayPath((await call('dataset.get', { datasetId: dataset.id })).parts[0].seismicFile)).data;
    // [N, sources, time, receivers]: sample 0, source 1, receiver 5.
    expect(Array.from(written.traces[1 * 16 + 5])).toEqual(Array.from({ length: 60 }, (_, t) => stored[(1 * 60 + t) * 16 + 5]));
  });

  it('refuses at once what cannot work: SEG-Y of velocity models, OpenFWI of seismic only', async () => {
    const seismicOnly = await importedDataset({ paths: [shotGatherFile] });
    await expect(call('export.openfwi', { datasetId: seismicOnly.id, folder: path.join(dir, 'x') })).rejects.toThrow(/seismic only.*SEG-Y/);
    const openfwi = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'io', 'testdata', 'openfwi', 'vel');
    const velocityFolder = path.join(dir, 'velocity-only');
    fs.mkdirSync(velocityFolder);
    fs.copyFileSync(path.join(openfwi, fs.readdirSync(openfwi).find((n) => n.startsWith('model'))!), path.join(velocityFolder, 'model1.npy'));
    const imported = await runJob('import.openfwi', { folder: velocityFolder });
    expect(imported.status).toBe('done');
    const velocityOnly = ((await call('dataset.list', {})) as DatasetDetail[]).find((d) => !d.hasSeismic)!;
    await expect(call('export.segy', { datasetId: velocityOnly.id, file: path.join(dir, 'v.sgy') })).rejects.toThrow(/velocity models only/);
    // Neither left a job that could only fail.
    expect(((await call('job.list', {})) as JobInfo[]).filter((j) => j.kind.startsWith('export'))).toEqual([]);
  });

  const problem = segyioProblem();
  it.skipIf(missing(`segyio and numpy under /usr/bin/python3 (python3-segyio)${problem ? `: ${problem}` : ''}`, problem === undefined))('writes files segyio reads the same way', async () => {
    const dataset = await importedDataset({ paths: [shotGatherFile] });
    const file = path.join(dir, 'for-segyio.sgy');
    expect((await runJob('export.segy', { datasetId: dataset.id, file })).status).toBe('done');
    const dump = spawnSync('/usr/bin/python3', [segyioDump, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(dump.status, dump.stderr).toBe(0);
    const seen = JSON.parse(dump.stdout) as { tracecount: number; samples: number; interval_us: number; data: number[][]; headers: Record<string, number>[] };
    const original = readAll(shotGatherFile);
    expect(seen).toMatchObject({ tracecount: 61, samples: 25, interval_us: 1000 });
    seen.headers.forEach((h, i) => {
      for (const name of ['FieldRecord', 'TraceNumber', 'offset', 'SourceX', 'GroupX', 'SourceGroupScalar'] as const) expect(h[name], `${name} of trace ${i}`).toBe(original.headers[i][name]);
    });
    expect(seen.data.map((trace) => trace.map((v) => Math.fround(v)))).toEqual(original.traces.map((t) => Array.from(t)));
  });
});
