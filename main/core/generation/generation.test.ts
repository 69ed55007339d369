/**
 * The generation job end to end with the committed default models (native-models/default, run by
 * onnxruntime-node; no torch needed): determinism and batch-size independence, resume after cancel without lost or duplicated
 * samples, export (numpy and segyio read it; pde_rel_l2 equals a re-model of the exported velocity),
 * the sample detail, challenging selection through the API, model errors, and the trajectory probe.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { missing } from '../util/testing/requirement.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Studio } from '../app/studio.ts';
import { studioJobKinds } from '../app/jobKinds.ts';
import { dispatch } from '../api/handlers.ts';
import type { JobInfo, MethodResult } from '../contract/contract.ts';
import { readNpy } from '../io/npy.ts';
import { forwardModel } from '../physics/solver.ts';
import { compareSeismic } from '../physics/deviation.ts';
import { openfwiGeometry } from '../physics/acquisition.ts';
import { shippedModelsDir } from '../ml/modelRegistry.ts';
import { loadGenerationModels } from './pipeline.ts';
import { runProbe } from './probe.ts';
import { concatenated } from '../util/typedArrays.ts';

const models = {
  stage1: path.join(shippedModelsDir(), 'stage1'),
  stage2: path.join(shippedModelsDir(), 'stage2'),
  inversionnet: path.join(shippedModelsDir(), 'inversionnet'),
};
const defaultsShipped = Object.values(models).every((folder) => fs.existsSync(path.join(folder, 'manifest.json')));

let dir: string;
let studio: Studio;
const python = '/usr/bin/python3';

const call = <M extends Parameters<typeof dispatch>[1] & string>(method: M, args: unknown): Promise<any> => dispatch(studio, method, args);

function baseParams(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { stage1: models.stage1, stage2: models.stage2, inversionnet: models.inversionnet, count: 3, sampler: { kind: 'ab3', steps: 3 }, seed: 11, ...extra };
}

async function generate(extra: Record<string, unknown>): Promise<{ job: JobInfo; runId: number; datasetId: number }> {
  const started: JobInfo = await call('generate.start', baseParams(extra));
  const job = await studio.jobs.waitFor(started.id);
  expect(job.status, job.error ?? '').toBe('done');
  const result = job.result as { runId: number; datasetId: number };
  return { job, ...result };
}

/** Every array of a generated dataset, concatenated in sample order. */
function datasetArrays(datasetId: number): { seismic: Float32Array; velocity: Float32Array; inversion: Float32Array } {
  const project = studio.requireProject();
  const dataset = project.catalogue.getDataset(datasetId);
  const concat = (files: string[]): Float32Array => concatenated(files.map((f) => readNpy(project.arrayPath(f)).data), Float32Array);
  return {
    seismic: concat(dataset.parts.map((p) => p.seismicFile!)),
    velocity: concat(dataset.parts.map((p) => p.velocityFile!)),
    inversion: concat(dataset.parts.map((p) => p.meta.inversionFile as string)),
  };
}

/** Bit-identical, or the largest difference (for the failure message). */
function difference(a: Float32Array, b: Float32Array): string {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  if (Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))) return 'identical';
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return `differ by up to ${worst}`;
}

function sampleRows(runId: number): Record<string, unknown>[] {
  return studio.requireProject().catalogue.generation
    .querySamples({ runId, sort: 'id', limit: 1000 })
    .samples.map(({ id: _id, runId: _r, datasetId: _d, createdAt: _c, partIndex: _p, rowInPart: _w, tags: _t, ...rest }) => rest);
}

beforeAll(async () => {
  if (!defaultsShipped) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-generation-'));
  studio = new Studio({ dataDir: path.join(dir, 'user'), shell: 'cli', jobKinds: studioJobKinds() });
  studio.user.updateSettings({ workerThreads: 2 });
  await studio.createProject(path.join(dir, 'project'), 'generation test');
});

afterAll(async () => {
  await studio?.shutdown();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing(`the default models in ${shippedModelsDir()} (committed)`, defaultsShipped))('generation', () => {
  let reference: { runId: number; datasetId: number };

  it('gives identical samples for the same seed and settings, whatever the batch size and file size, in files of whole chunks', async () => {
    const byTwo = await generate({ batchSize: 2, samplesPerFile: 2 });
    reference = await generate({ batchSize: 1 });
    const a = datasetArrays(byTwo.datasetId);
    const b = datasetArrays(reference.datasetId);
    expect(a.seismic).toHaveLength(3 * 5 * 1000 * 70);
    expect(a.velocity).toHaveLength(3 * 70 * 70);
    expect(difference(a.seismic, b.seismic)).toBe('identical');
    expect(difference(a.velocity, b.velocity)).toBe('identical');
    expect(difference(a.inversion, b.inversion)).toBe('identical');
    expect(sampleRows(byTwo.runId)).toEqual(sampleRows(reference.runId));
    // Three files per chunk of samplesPerFile pairs, not per batch: the three batches of one gathered into chunk 1.
    const project = studio.requireProject();
    const layout = (datasetId: number) => {
      const dataset = project.catalogue.getDataset(datasetId);
      return {
        parts: dataset.parts.map((p) => [p.nSamples, path.basename(p.seismicFile!), path.basename(p.velocityFile!), path.basename(p.meta.inversionFile as string)]),
        files: fs.readdirSync(path.join(project.arraysDir, dataset.folder)).sort(),
      };
    };
    expect(layout(reference.datasetId)).toEqual({ parts: [[3, 'data1.npy', 'model1.npy', 'inversion1.npy']], files: ['data1.npy', 'inversion1.npy', 'model1.npy'] });
    expect(layout(byTwo.datasetId)).toEqual({
      parts: [
        [2, 'data1.npy', 'model1.npy', 'inversion1.npy'],
        [1, 'data2.npy', 'model2.npy', 'inversion2.npy'],
      ],
      files: ['data1.npy', 'data2.npy', 'inversion1.npy', 'inversion2.npy', 'model1.npy', 'model2.npy'],
    });
    const place = (runId: number) => project.catalogue.generation.querySamples({ runId, sort: 'id', limit: 10 }).samples.map((s) => [s.sampleIndex, s.partIndex, s.rowInPart]);
    expect(place(reference.runId)).toEqual([[0, 0, 0], [1, 0, 1], [2, 0, 2]]);
    expect(place(byTwo.runId)).toEqual([[0, 0, 0], [1, 0, 1], [2, 1, 0]]);
    const rows = sampleRows(reference.runId);
    expect(rows.map((r) => r.seed)).toEqual([11, 12, 13]);
    for (const r of rows) {
      expect(r.pde_rel_l2 as number).toBeGreaterThan(0);
      expect(r.inv_ssim as number).toBeLessThanOrEqual(1);
      expect(r.provider).toBe('cpu');
      expect(r.sampler).toBe('ab3');
      expect(r.steps).toBe(3);
    }
    // Another seed gives other samples.
    const other = await generate({ count: 1, seed: 500 });
    expect(difference(datasetArrays(other.datasetId).velocity, b.velocity.slice(0, 70 * 70))).toMatch(/differ/);
  }, 300_000); // seven samples with the FD check: ~35 s alone, minutes when the 2 cores are shared

  it('resumes after a cancel without losing or duplicating a sample', async () => {
    const started: JobInfo = await call('generate.start', baseParams({ batchSize: 1 }));
    const off = studio.onEvent((event, payload) => {
      const job = payload as JobInfo;
      if (event === 'job.updated' && job.id === started.id && job.status === 'running' && job.progress.done >= 1) {
        try {
          studio.jobs.cancel(started.id);
        } catch {
          // it already stopped
        }
      }
    });
    const cancelled = await studio.jobs.waitFor(started.id);
    off();
    expect(cancelled.status).toBe('cancelled');
    const store = studio.requireProject().catalogue.generation;
    const run = store.runOfJob(started.id)!;
    expect(run.samples).toBeGreaterThanOrEqual(1);
    expect(run.samples).toBeLessThan(3);
    // A batch whose files were written but whose rows were never committed (a crash between the two).
    const folder = path.join(studio.requireProject().arraysDir, studio.requireProject().catalogue.getDataset(run.datasetId).folder);
    fs.copyFileSync(path.join(folder, 'batch1.data.npy'), path.join(folder, `batch${run.samples + 1}.data.npy`));
    await call('job.resume', { jobId: started.id });
    const resumed = await studio.jobs.waitFor(started.id);
    expect(resumed.status, resumed.error ?? '').toBe('done');
    const after = store.getRun(run.id);
    expect(after.samples).toBe(3);
    expect(studio.requireProject().catalogue.getDataset(run.datasetId).nSamples).toBe(3);
    expect(sampleRows(run.id).map((r) => r.sampleIndex)).toEqual([0, 1, 2]);
    expect(sampleRows(run.id)).toEqual(sampleRows(reference.runId));
    const arrays = datasetArrays(run.datasetId);
    const expected = datasetArrays(reference.datasetId);
    expect(difference(arrays.seismic, expected.seismic)).toBe('identical');
    expect(difference(arrays.velocity, expected.velocity)).toBe('identical');
    expect(difference(arrays.inversion, expected.inversion)).toBe('identical');
    // The three batches were gathered into chunk 1 and deleted, the uncommitted one too.
    expect(fs.readdirSync(folder).sort()).toEqual(['data1.npy', 'inversion1.npy', 'model1.npy']);
  });

  it('exports OpenFWI pairs whose pde_rel_l2 a re-model reproduces, with metrics files and SEG-Y', async () => {
    const folder = path.join(dir, 'export');
    const job: JobInfo = await call('export.generated', { folder, runId: reference.runId });
    const done = await studio.jobs.waitFor(job.id);
    expect(done.status, done.error ?? '').toBe('done');
    expect(fs.readdirSync(folder).sort()).toEqual(['data1.npy', 'manifest.json', 'metrics.csv', 'metrics.json', 'model1.npy', 'seismic.sgy']);
    const metrics = JSON.parse(fs.readFileSync(path.join(folder, 'metrics.json'), 'utf8')) as { samples: { pde_rel_l2: number; seed: number; sampler: string; steps: number; provider: string; model: string }[] };
    expect(metrics.samples.map((s) => s.seed)).toEqual([11, 12, 13]);
    expect(metrics.samples[0]).toMatchObject({ sampler: 'ab3', steps: 3, provider: 'cpu', model: models.stage2 });
    const csv = fs.readFileSync(path.join(folder, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(4);
    expect(csv[0].split(',')).toContain('pde_rel_l2');

    // Re-model exported velocity 0 with OpenFWI's geometry: the same number.
    const data = readNpy(path.join(folder, 'data1.npy'));
    const model = readNpy(path.join(folder, 'model1.npy'));
    expect(data.shape).toEqual([3, 5, 1000, 70]);
    expect(model.shape).toEqual([3, 1, 70, 70]);
    const modelled = await forwardModel(model.data.slice(0, 4900), { n: 1, nz: 70, nx: 70 }, openfwiGeometry(), { pool: studio.fdPool() });
    const recomputed = compareSeismic(data.data.slice(0, 5 * 1000 * 70), modelled, { n: 1, sources: 5, time: 1000, receivers: 70 });
    expect(Math.abs(recomputed.pde_rel_l2 - metrics.samples[0].pde_rel_l2)).toBeLessThanOrEqual(1e-12 * metrics.samples[0].pde_rel_l2);

    const script = `
import sys, json, numpy as np, segyio
d = np.load(sys.argv[1] + '/data1.npy'); m = np.load(sys.argv[1] + '/model1.npy')
with segyio.open(sys.argv[1] + '/seismic.sgy', ignore_geometry=True) as f:
    traces = segyio.tools.collect(f.trace[:])
    fr = [int(h[segyio.TraceField.FieldRecord]) for h in f.header]
    tn = [int(h[segyio.TraceField.TraceNumber]) for h in f.header]
    dt = segyio.tools.dt(f)
expected = d.transpose(0, 1, 3, 2).reshape(-1, 1000)
print(json.dumps({"data": [list(d.shape), str(d.dtype)], "model": [list(m.shape), str(m.dtype)], "vmin": float(m.min()),
  "traces": list(traces.shape), "same": bool(np.array_equal(traces, expected)), "fr": [fr[0], fr[69], fr[70], fr[-1]], "tn": [tn[0], tn[69], tn[70]], "dt": dt}))
`;
    const result = spawnSync(python, ['-c', script, folder], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const checked = JSON.parse(result.stdout);
    expect(checked.data).toEqual([[3, 5, 1000, 70], 'float32']);
    expect(checked.model).toEqual([[3, 1, 70, 70], 'float32']);
    expect(checked.vmin).toBeGreaterThanOrEqual(1500 - 1e-3);
    expect(checked.traces).toEqual([3 * 5 * 70, 1000]);
    expect(checked.same).toBe(true);
    expect(checked.fr).toEqual([1, 1, 2, 15]);
    expect(checked.tn).toEqual([1, 70, 1]);
    expect(checked.dt).toBe(1000);
  });

  it('shows a sample with f(v̂) and the difference; their deviation is the stored one', async () => {
    const page: MethodResult<'gallery.query'> = await call('gallery.query', { runId: reference.runId, sort: 'pde_rel_l2', limit: 1 });
    const detail: MethodResult<'gallery.sample'> = await call('gallery.sample', { sampleId: page.samples[0].id, withModelled: true });
    expect(detail.seismic.shape).toEqual([5, 1000, 70]);
    expect(detail.velocityMps.shape).toEqual([70, 70]);
    expect(detail.invertedMps.shape).toEqual([70, 70]);
    const f = (p: { base64: string }): Float32Array => new Float32Array(new Uint8Array(Buffer.from(p.base64, 'base64')).buffer);
    const modelled = f(detail.modelled!);
    const difference = f(detail.difference!);
    let num = 0;
    let den = 0;
    for (let i = 0; i < modelled.length; i += 1) {
      num += difference[i] * difference[i];
      den += modelled[i] * modelled[i];
    }
    expect(Math.sqrt(num / den)).toBeCloseTo(page.samples[0].pde_rel_l2!, 6);
  });

  it('selects, tags and returns challenging samples through the API', async () => {
    const all: MethodResult<'gallery.query'> = await call('gallery.query', { runId: reference.runId, sort: 'id', limit: 100 });
    const sorted = all.samples.map((s) => s.pde_rel_l2!).sort((a, b) => a - b);
    const threshold = sorted[1];
    const expected = all.samples.filter((s) => s.pde_rel_l2! <= threshold).sort((a, b) => b.inv_mae - a.inv_mae || a.id - b.id).slice(0, 1);
    const chosen: MethodResult<'gallery.challenging'> = await call('gallery.challenging', { pdeMax: threshold, k: 1, runId: reference.runId });
    expect(chosen.map((s) => s.id)).toEqual(expected.map((s) => s.id));
    expect(chosen[0].tags).toEqual(['challenging']);
    const tagged: MethodResult<'gallery.query'> = await call('gallery.query', { tag: 'challenging' });
    expect(tagged.samples.map((s) => s.id)).toEqual(expected.map((s) => s.id));
  });

  it('refuses missing models and out-of-range parameters before the job starts, and graphs that disagree with their manifest', async () => {
    await expect(call('generate.start', baseParams({ stage1: path.join(dir, 'no-such-model') }))).rejects.toThrow(/No model/);
    await expect(call('generate.start', baseParams({ count: 0 }))).rejects.toThrow(/count/);
    await expect(call('generate.start', baseParams({ sampler: { kind: 'ab3', steps: 5000 } }))).rejects.toThrow(/steps/);
    const broken = path.join(dir, 'stage1-broken');
    fs.cpSync(models.stage1, broken, { recursive: true });
    const manifestPath = path.join(broken, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
    manifest.graphs.encoder.inputs[0].shape[2] = 999;
    fs.writeFileSync(manifestPath, JSON.stringify(manifest));
    await expect(loadGenerationModels(studio.onnxPool(), { stage1: broken, stage2: models.stage2, inversionnet: models.inversionnet }, null)).rejects.toThrow(
      /encoder\.onnx disagrees with its manifest: input 'seismic' is declared \[batch, 5, 999, 70\]/,
    );
    const corrupt = path.join(dir, 'inversion-corrupt');
    fs.cpSync(models.inversionnet, corrupt, { recursive: true });
    fs.writeFileSync(path.join(corrupt, 'inversionnet.onnx'), Buffer.from('not a model'));
    const job: JobInfo = await call('generate.start', baseParams({ inversionnet: corrupt, count: 1 }));
    const failed = await studio.jobs.waitFor(job.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain(path.join(corrupt, 'inversionnet.onnx'));
  });

  it('probes the trajectory: random, denoised and reconstruction deviations and the curve', async () => {
    const report = await runProbe(studio.onnxPool(), studio.fdPool(), { stage1: models.stage1, stage2: models.stage2, inversionnet: models.inversionnet }, null, {
      count: 1,
      sampler: { kind: 'ab3', steps: 4 },
      curveSteps: [0, 3],
    });
    for (const stats of [report.random, report.denoised, report.reconstruction]) {
      expect(stats.values).toHaveLength(1);
      expect(Number.isFinite(stats.mean)).toBe(true);
      expect(stats.mean).toBeGreaterThan(0);
    }
    expect(report.curve.map((p) => [p.step, p.t])).toEqual([
      [0, 999],
      [3, 0],
    ]);
    // The last point of an Adams–Bashforth run is its output: x = x̂₀ at t = 0.
    expect(report.curve[1].mean).toBe(report.denoised.mean);
    // Stage 1's manifest lists the families it was trained on; the probe holds out fresh models of those.
    expect([...report.holdout.families].sort()).toEqual(['curvefault-a', 'curvevel-a', 'flatfault-a', 'flatvel-a']);
    expect(report.random_over_denoised).toBeCloseTo(report.random.mean / report.denoised.mean, 12);
  });
});
