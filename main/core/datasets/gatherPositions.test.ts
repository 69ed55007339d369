import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Studio } from '../app/studio.ts';
import { studioJobKinds } from '../app/jobKinds.ts';
import { dispatch } from '../api/handlers.ts';
import { sharedDir } from '../util/paths.ts';
import { writeSegy } from '../io/segy/writer.ts';
import type { JobInfo, SegyFileHeaders, ShotGather } from '../contract/contract.ts';

const shotGatherFile = path.join(sharedDir(), 'testdata', 'segy', 'segyio__shot-gather.sgy');
const openfwiFixture = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'io', 'testdata', 'openfwi', 'vel');

let dir: string;
let studio: Studio;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-positions-'));
  studio = new Studio({ dataDir: path.join(dir, 'data'), shell: 'cli', jobKinds: studioJobKinds() });
  await studio.createProject(path.join(dir, 'project'), 'positions');
});

afterEach(async () => {
  await studio.shutdown();
});

const call = (method: string, args: unknown): Promise<any> => dispatch(studio, method, args);

async function runJob(method: string, args: unknown): Promise<JobInfo> {
  const job = (await call(method, args)) as JobInfo;
  return studio.jobs.waitFor(job.id);
}

/**
 * Two shots written with our writer: FieldRecord 1 has 5 traces, FieldRecord 2 has 3 (padded to 5);
 * source at x = 1000.0 m and receivers every 25 m from 1000 m, stored ×10 with scalar −10.
 */
function writeTwoShots(file: string): void {
  const perGather = [5, 3];
  const samplesPerTrace = 8;
  const traces = perGather.reduce((a, b) => a + b, 0);
  const samples = new Float32Array(traces * samplesPerTrace).map((_, i) => Math.cos(i));
  const owner = perGather.flatMap((n, g) => Array.from({ length: n }, (_, r) => ({ g, r })));
  writeSegy(file, samples, {
    samplesPerTrace,
    sampleIntervalUs: 2000,
    textLines: ['C 1 CLIENT WAVEDIFF TEST LINE', 'C 2 RECEIVERS EVERY 25 M'],
    measurementSystem: 1,
    headers: (t) => {
      const { g, r } = owner[t];
      const sourceX = 1000 + 100 * g;
      const groupX = 1000 + 25 * r;
      return { FieldRecord: g + 1, TraceNumber: r + 1, offset: groupX - sourceX, SourceGroupScalar: -10, SourceX: sourceX * 10, GroupX: groupX * 10, CDP: 7 + t };
    },
  });
}

describe('gather positions and file headers of a SEG-Y import', () => {
  it('reads offsets and coordinates (scalar applied) from the trace headers, null on padding, and keeps the file headers', async () => {
    const file = path.join(dir, 'two-shots.sgy');
    writeTwoShots(file);
    expect((await runJob('import.segy', { paths: [file] })).status).toBe('done');
    const [dataset] = await call('dataset.list', {});
    const second = (await call('dataset.shotGather', { datasetId: dataset.id, sample: 0, source: 1 })) as ShotGather;
    expect(second.paddedReceivers).toEqual([3, 4]);
    expect(second.positions).toMatchObject({ offset: [-100, -75, -50, null, null], receiverX: [1000, 1025, 1050, null, null], sourceX: 1100, lengthUnit: 'm' });
    expect(second.positions!.basis).toMatch(/trace headers \(offset\)/);

    // The headers are kept with the dataset: they survive the file's removal.
    fs.rmSync(file);
    const headers = (await call('dataset.segyHeaders', { datasetId: dataset.id, sample: 0 })) as SegyFileHeaders;
    expect(headers.file).toBe(file);
    expect(headers.textHeader).toHaveLength(40);
    expect(headers.textHeader[0]).toBe('C 1 CLIENT WAVEDIFF TEST LINE');
    expect(headers.textHeader[1]).toBe('C 2 RECEIVERS EVERY 25 M');
    const word = (name: string) => headers.binaryHeader.find((w) => w.name === name);
    expect(word('Interval')).toEqual({ name: 'Interval', byte: 3217, value: 2000 });
    expect(word('Samples')).toEqual({ name: 'Samples', byte: 3221, value: 8 });
    expect(word('MeasurementSystem')).toEqual({ name: 'MeasurementSystem', byte: 3255, value: 1 });
  });

  it('lists gather keys with the gathers each would make: segyio shot-gather by FieldRecord gives 4 gathers of 10–26 traces', async () => {
    const found = await call('segy.gatherKeys', { path: shotGatherFile });
    expect(found.traces).toBe(61);
    expect(found.scannedTraces).toBe(61);
    expect(found.candidates[0]).toEqual({ field: 'FieldRecord', gathers: 4, minTraces: 10, maxTraces: 26 });
    // A field that is the same on every trace, or differs on every trace, groups nothing.
    for (const c of found.candidates) expect(c.gathers).toBeGreaterThanOrEqual(2);
    expect(found.candidates.some((c: { field: string }) => c.field === 'TRACE_SEQUENCE_FILE')).toBe(false);
  });

  it('reads only the first 10,000 trace headers of a long file', async () => {
    const file = path.join(dir, 'long.sgy');
    const traces = 10_300;
    writeSegy(file, new Float32Array(traces * 2), { samplesPerTrace: 2, sampleIntervalUs: 4000, headers: (t) => ({ FieldRecord: 1 + Math.floor(t / 100), TraceNumber: 1 + (t % 100) }) });
    const found = await call('segy.gatherKeys', { path: file });
    expect(found).toMatchObject({ traces, scannedTraces: 10_000 });
    expect(found.candidates[0]).toEqual({ field: 'FieldRecord', gathers: 100, minTraces: 100, maxTraces: 100 });
  });

  it("says when a dataset has no SEG-Y headers", async () => {
    expect((await runJob('import.openfwi', { folder: openfwiFixture })).status).toBe('done');
    const [dataset] = await call('dataset.list', {});
    await expect(call('dataset.segyHeaders', { datasetId: dataset.id, sample: 0 })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('gather positions from the acquisition geometry', () => {
  it('gives offset = spacing × (receiver x − source x) when the geometry matches the gather, else none', async () => {
    const geometry = {
      spacingMeters: 12.5,
      timeStepSeconds: 0.001,
      steps: 30,
      recordEverySteps: 1,
      wavelet: { kind: 'ricker', peakFrequencyHz: 15, delaySeconds: 0.01 },
      sources: [{ x: 1, z: 1 }, { x: 4, z: 1 }],
      receivers: Array.from({ length: 6 }, (_, x) => ({ x, z: 1 })),
      boundary: { kind: 'pml', widthCells: 10 },
      topSurface: 'absorbing',
    };
    await call('project.setGeometry', { geometry });
    expect((await runJob('import.openfwi', { folder: openfwiFixture })).status).toBe('done');
    const [dataset] = await call('dataset.list', {});
    const gather = (await call('dataset.shotGather', { datasetId: dataset.id, sample: 0, source: 1 })) as ShotGather;
    expect(gather.positions).toEqual({
      offset: [-50, -37.5, -25, -12.5, 0, 12.5],
      receiverX: [0, 12.5, 25, 37.5, 50, 62.5],
      sourceX: 50,
      lengthUnit: 'm',
      basis: "the project's acquisition geometry",
    });
    // OpenFWI's geometry has 5 sources and 70 receivers: it does not place these 2 × 6 gathers.
    await call('project.setGeometry', { geometry: null });
    expect(((await call('dataset.shotGather', { datasetId: dataset.id, sample: 0, source: 1 })) as ShotGather).positions).toBeNull();
  });
});
