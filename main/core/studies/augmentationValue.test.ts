/**
 * The augmentation-value study end to end at a tiny size: real pairs synthesised by the studio,
 * generated pairs from the committed default models with the physics check, InversionNet trained by
 * the real PyTorch trainer (/usr/bin/python3, torch) for each arm. Cancelled while its first run
 * trains (the trainer must checkpoint and stop), resumed, then checked against the trainer's own
 * manifests and an independent evaluation: the exported ONNX graphs run here with onnxruntime-node,
 * the preprocessing written out from the manifest, MAE/RMSE with plain loops and SSIM by
 * native-models' metrics.py (the OpenFWI definition, in PyTorch).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import ort from 'onnxruntime-node';
import { missing } from '../util/testing/requirement.ts';
import { shippedModelsDir } from '../ml/modelRegistry.ts';
import { nativeModelsDir } from '../training/trainerProcess.ts';
import { findPython } from '../training/python.ts';
import { Studio } from '../app/studio.ts';
import { studioJobKinds } from '../app/jobKinds.ts';
import { dispatch } from '../api/handlers.ts';
import { readNpy, writeNpy } from '../io/npy.ts';
import type { JobInfo, StudyReport } from '../contract/contract.ts';

const probe = await findPython(null, { timeoutMs: 60_000 });
const defaultsShipped = ['stage1', 'stage2', 'inversionnet'].every((k) => fs.existsSync(path.join(shippedModelsDir(), k, 'manifest.json')));

let dir: string;
let studio: Studio;
const call = (method: string, args: unknown): Promise<any> => dispatch(studio, method as never, args);

const REAL = 16;
const GENERATED = 24;
const params = {
  realCount: REAL,
  heldOutPercent: 25, // 4 held out, 12 in the pool
  realPercent: 50, // 6 real training pairs
  generatedCount: GENERATED,
  trainSteps: 10,
  batchSize: 4,
  curvePoints: 2,
  challengingCount: 8, // 4 to fine-tune on, 4 held out
  challengingPdeMax: 1000, // every physics-checked sample qualifies; the order is by InversionNet error
  fineTuneSteps: 6,
  seed: 3,
};

/** One velocity model's [depth·width] values. */
type Plane = Float32Array;

/** Row `row` of a [N, ...] .npy file. */
function npyRow(file: string, row: number): Float32Array {
  const npy = readNpy(file);
  const size = npy.shape.slice(1).reduce((a, b) => a * b, 1);
  return npy.data.slice(row * size, (row + 1) * size);
}

/** Sample `index` (dataset order) of a project dataset, from its part files. */
function sampleOf(datasetId: number, index: number): { seismic: Float32Array; velocity: Float32Array } {
  const project = studio.requireProject();
  const dataset = project.catalogue.getDataset(datasetId);
  let first = 0;
  for (const part of dataset.parts) {
    if (index < first + part.nSamples) return { seismic: npyRow(project.arrayPath(part.seismicFile!), index - first), velocity: npyRow(project.arrayPath(part.velocityFile!), index - first) };
    first += part.nSamples;
  }
  throw new Error(`sample ${index} of dataset ${datasetId} is out of range`);
}

/**
 * The exported InversionNet on raw seismic [5, 1000, 70], written out from its manifest: signed
 * log1p, the family's limits to [−1, 1], time averaged in groups of 1000/250; output in [−1, 1].
 */
async function predictNormalised(modelDir: string, seismic: Float32Array[]): Promise<Plane[]> {
  const manifest = JSON.parse(fs.readFileSync(path.join(modelDir, 'manifest.json'), 'utf8'));
  const n = manifest.normalization.seismic;
  const [sources, time, receivers] = [5, 1000, 70];
  const netTime = manifest.graphs.inversionnet.inputs[0].shape[2] as number;
  const group = time / netTime;
  const session = await ort.InferenceSession.create(path.join(modelDir, manifest.graphs.inversionnet.file));
  const out: Plane[] = [];
  for (const s of seismic) {
    const input = new Float32Array(sources * netTime * receivers);
    for (let src = 0; src < sources; src++) {
      for (let t = 0; t < netTime; t++) {
        for (let r = 0; r < receivers; r++) {
          let sum = 0;
          for (let k = 0; k < group; k++) {
            const x = s[(src * time + t * group + k) * receivers + r];
            const logged = Math.sign(x) * Math.log1p(Math.abs(x));
            sum += (2 * (logged - n.log_min)) / (n.log_max - n.log_min) - 1;
          }
          input[(src * netTime + t) * receivers + r] = sum / group;
        }
      }
    }
    const result = await session.run({ seismic: new ort.Tensor('float32', input, [1, sources, netTime, receivers]) });
    out.push(Float32Array.from(result.velocity.data as Float32Array));
  }
  return out;
}

/** Mean over samples of MAE and RMSE on [−1, 1], by plain loops. */
function loopMetrics(predicted: Plane[], labelsMps: Float32Array[]): { mae: number; rmse: number } {
  let mae = 0;
  let rmse = 0;
  for (let i = 0; i < predicted.length; i++) {
    let abs = 0;
    let sq = 0;
    for (let p = 0; p < predicted[i].length; p++) {
      const d = predicted[i][p] - ((2 * (labelsMps[i][p] - 1500)) / 3000 - 1);
      abs += Math.abs(d);
      sq += d * d;
    }
    mae += abs / predicted[i].length;
    rmse += Math.sqrt(sq / predicted[i].length);
  }
  return { mae: mae / predicted.length, rmse: rmse / predicted.length };
}

/** native-models' velocity_ssim (PyTorch) per sample, for predictions and labels on [−1, 1]. */
function referenceSsim(predicted: Plane[], labelsMps: Float32Array[]): number[] {
  const pred = path.join(dir, 'ssim-pred.npy');
  const label = path.join(dir, 'ssim-label.npy');
  const stack = (planes: Float32Array[]): Float32Array => {
    const all = new Float32Array(planes.length * 4900);
    planes.forEach((p, i) => all.set(p, i * 4900));
    return all;
  };
  writeNpy(pred, stack(predicted), [predicted.length, 1, 70, 70]);
  writeNpy(label, stack(labelsMps.map((v) => Float32Array.from(v, (x) => (2 * (x - 1500)) / 3000 - 1))), [labelsMps.length, 1, 70, 70]);
  const script = `import json, numpy as np, torch\nfrom wavediff_models.metrics import velocity_ssim\nprint(json.dumps(velocity_ssim(torch.from_numpy(np.load(${JSON.stringify(pred)})).double(), torch.from_numpy(np.load(${JSON.stringify(label)})).double()).tolist()))`;
  const run = spawnSync(probe.found!.path, ['-c', script], { cwd: nativeModelsDir(), env: { ...process.env, PYTHONPATH: nativeModelsDir() }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout.trim().split('\n').pop()!);
}

/** Processes whose command line names `needle` (the trainer of a run folder). */
function processesNaming(needle: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

let realId: number;
let generatedId: number;
beforeAll(async () => {
  if (!defaultsShipped || !probe.found) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-augmentation-'));
  studio = new Studio({ dataDir: path.join(dir, 'user'), shell: 'cli', jobKinds: studioJobKinds() });
  studio.user.updateSettings({ workerThreads: 2 });
  await studio.createProject(path.join(dir, 'project'), 'augmentation test');
  const synth = await studio.jobs.waitFor(((await call('physics.synthesize', { family: 'flatvel-a', count: REAL, seed: 21 })) as JobInfo).id);
  expect(synth.status, synth.error ?? '').toBe('done');
  realId = (await call('dataset.list', {}))[0].id;
  const models = Object.fromEntries(['stage1', 'stage2', 'inversionnet'].map((k) => [k, path.join(shippedModelsDir(), k)]));
  const generated = await studio.jobs.waitFor(((await call('generate.start', { ...models, count: GENERATED, sampler: { kind: 'ab3', steps: 3 }, seed: 5, batchSize: 4 })) as JobInfo).id);
  expect(generated.status, generated.error ?? '').toBe('done');
  generatedId = (generated.result as { datasetId: number }).datasetId;
}, 900_000);

afterAll(async () => {
  await studio?.shutdown();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing(`the default models and a Python with torch (${probe.tried.map((t) => `${t.path}: ${t.problem}`).join('; ')})`, defaultsShipped && probe.found !== null))('augmentation-value study', () => {
  it('refuses a study without a real dataset, or with a dataset that is not there', async () => {
    await expect(call('study.start', { kind: 'augmentation-value', params: {} })).rejects.toThrow(/datasetId/);
    await expect(call('study.start', { kind: 'augmentation-value', params: { datasetId: 999 } })).rejects.toThrow(/999/);
  });

  it('trains InversionNet on real, generated and both, fine-tunes on challenging samples, survives a cancel, and reports metrics an independent evaluation reproduces', async () => {
    const started = (await call('study.start', { kind: 'augmentation-value', params: { datasetId: realId, ...params } })) as JobInfo;
    // Cancel while the first training run is under way: the trainer checkpoints and stops.
    const off = studio.onEvent((event, payload) => {
      const job = payload as JobInfo;
      if (event === 'job.updated' && job.id === started.id && job.status === 'running' && job.progress.done >= 2 && job.progress.unit === 'steps') {
        try {
          studio.jobs.cancel(started.id);
        } catch {
          // it already stopped
        }
      }
    });
    const cancelled = await studio.jobs.waitFor(started.id);
    off();
    expect(cancelled.status, cancelled.error ?? '').toBe('cancelled');
    const [study] = await call('study.list', {});
    const firstRun = path.join(study.folder, 'runs', 'real');
    const stoppedAt = fs.readFileSync(path.join(firstRun, 'messages.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).at(-1);
    expect(stoppedAt.type).toBe('stopped');
    expect(stoppedAt.step).toBeLessThan(params.trainSteps);
    expect(fs.existsSync(path.join(firstRun, 'checkpoint.pt'))).toBe(true);
    expect(processesNaming(firstRun)).toEqual([]);

    await call('job.resume', { jobId: started.id });
    const job = await studio.jobs.waitFor(started.id);
    expect(job.status, job.error ?? '').toBe('done');
    const log = (await call('job.events', { jobId: started.id })).map((e: { message: string }) => e.message).join('\n');
    expect(log).toContain('continuing the run');

    const report = (await call('study.open', { studyId: study.id })) as StudyReport;
    expect(report.markdown).toMatch(/^# Augmentation value: InversionNet on 50 % of dataset/);
    for (const heading of ['## Verdict', '## Sizes, data and recipe', '## Results', '## Plots', '## Reproducing it']) expect(report.markdown).toContain(heading);
    expect(report.markdown).toMatch(/small-scale results are noisy/i);
    expect(report.plots.map((p) => p.file)).toEqual(['plots/learning-curves.png', 'plots/training-loss.png', 'plots/held-out-metrics.png', 'plots/fine-tuning-curves.png', 'plots/challenging-metrics.png']);
    for (const plot of report.plots) expect(fs.statSync(path.join(study.folder, plot.file)).size).toBeGreaterThan(1000);
    const results = JSON.parse(fs.readFileSync(path.join(study.folder, 'results.json'), 'utf8'));
    expect(fs.existsSync(path.join(study.folder, 'report.md'))).toBe(true);

    // The splits: 4 held-out real pairs never trained on; 4 held-out challenging samples never trained on.
    const heldOut: number[] = results.real.heldOut;
    const heldOutChallenging: number[] = results.challenging.heldOut;
    expect(heldOut).toHaveLength(4);
    expect(results.real.train).toHaveLength(6);
    expect(heldOutChallenging).toHaveLength(4);
    expect(results.challenging.train).toHaveLength(4);
    const expectedSamples = { real: 6, generated: GENERATED - 4, generated_real: GENERATED - 4 + 6, finetune_original: 6, finetune_challenging: 10 };
    expect(results.arms.map((a: { id: string }) => a.id)).toEqual(Object.keys(expectedSamples));
    for (const arm of results.arms) {
      for (const d of arm.data) {
        const forbidden = d.datasetId === realId ? heldOut : heldOutChallenging;
        expect(d.indices.filter((i: number) => forbidden.includes(i)), `${arm.id} trains on a held-out sample`).toEqual([]);
      }
      // The trainer's own record of what it trained on and for how long.
      const modelDir = path.join(studio.requireProject().folder, arm.modelFolder);
      const manifest = JSON.parse(fs.readFileSync(path.join(modelDir, 'manifest.json'), 'utf8'));
      const steps = arm.id.startsWith('finetune') ? params.fineTuneSteps : params.trainSteps;
      expect(manifest.training.data.N, arm.id).toBe(expectedSamples[arm.id as keyof typeof expectedSamples]);
      expect(arm.trainSamples, arm.id).toBe(manifest.training.data.N);
      expect(manifest.training.steps, arm.id).toBe(steps);
      expect(manifest.training.samples_seen, arm.id).toBe(steps * params.batchSize);
      expect(manifest.training.val_data.N, arm.id).toBe(4);
      expect(arm.curves.real.at(-1).step, arm.id).toBe(steps);
      expect(arm.curves.challenging.length, arm.id).toBeGreaterThan(0);

      // Independent evaluation of the exported graph on both held-out sets.
      for (const [set, datasetId, indices] of [['real', realId, heldOut], ['challenging', generatedId, heldOutChallenging]] as const) {
        const samples = indices.map((i) => sampleOf(datasetId, i));
        const predicted = await predictNormalised(modelDir, samples.map((s) => s.seismic));
        const labels = samples.map((s) => s.velocity);
        const { mae, rmse } = loopMetrics(predicted, labels);
        const ssim = referenceSsim(predicted, labels);
        const reported = arm[set];
        expect(reported.samples).toBe(4);
        expect(reported.mae, `${arm.id} ${set} MAE`).toBeCloseTo(mae, 5);
        expect(reported.rmse, `${arm.id} ${set} RMSE`).toBeCloseTo(rmse, 5);
        expect(reported.ssim, `${arm.id} ${set} SSIM`).toBeCloseTo(ssim.reduce((a, b) => a + b, 0) / ssim.length, 4);
        expect(results.summary.arms[arm.id][set]).toEqual({ mae: reported.mae, rmse: reported.rmse, ssim: reported.ssim });
      }
    }
    // The fine-tuning runs start from arm (a)'s weights.
    expect(fs.readFileSync(path.join(study.folder, 'runs', 'finetune_original', 'plan.json'), 'utf8')).toContain(path.join(study.folder, 'runs', 'real', 'model'));
    expect(results.summary.generated_helps).toBe(results.summary.arms.generated_real.real.mae < results.summary.arms.real.real.mae);
    expect(results.summary.held_out).toEqual({ real: 4, challenging: 4 });
    expect(report.table.rows).toHaveLength(5);
  }, 1_800_000);
});
