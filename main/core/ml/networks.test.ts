/**
 * CI's check of the PyTorch → ONNX → onnxruntime-node path: each network is trained for a few steps
 * by the real trainer on a small dataset made by the studio's own synthesis, exported, and its ONNX
 * graphs run in onnxruntime-node on PyTorch's reference inputs must give PyTorch's outputs.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { missing } from '../util/testing/requirement.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { findPython } from '../training/python.ts';
import { runTrainerModule, nativeModelsDir } from '../training/trainerProcess.ts';
import { synthesizeDataset } from '../physics/synthesis.ts';
import { openfwiGeometry } from '../physics/acquisition.ts';
import { FdWorkerPool } from '../physics/pool.ts';
import { OnnxSessionPool, type OnnxFeed } from './onnxPool.ts';
import { readNpy, readNpyRaw } from '../io/npy.ts';
import { resolveModel, type ModelEntry } from './modelRegistry.ts';
import { InversionNetwork, Stage1Network, Stage2Network } from './networks.ts';

const probe = await findPython(null);

let dir: string;
let onnx: OnnxSessionPool;
const models: Record<string, string> = {};

async function train(kind: string, extra: string[] = [], name = kind): Promise<string> {
  const out = path.join(dir, `run-${name}`);
  const run = runTrainerModule(
    probe.found!.path,
    'train',
    [kind, '--data', path.join(dir, 'data'), '--out', out, '--steps', '2', '--batch-size', '2', '--log-every', '1', '--max-val-samples', '2', '--val-fraction', '0.34', ...extra],
    { onMessage: () => undefined, onLog: () => undefined },
  );
  const done = await run.finished;
  expect(done.type).toBe('done');
  return String(done.model_dir);
}

beforeAll(async () => {
  if (!probe.found) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-parity-'));
  const pool = new FdWorkerPool({ size: 2 });
  await synthesizeDataset({ family: 'curvevel-a', count: 6, seed: 3, geometry: openfwiGeometry(), destDir: path.join(dir, 'data') }, { pool });
  await pool.close();
  models.stage1 = await train('stage1');
  models.inversionnet = await train('inversionnet');
  models.stage2 = await train('stage2', ['--stage1', models.stage1]);
  onnx = new OnnxSessionPool({ workers: 1, intraOpThreads: 2 });
}, 600_000);

afterAll(async () => {
  await onnx?.close();
});

function referenceOutputs(modelDir: string): { dir: string; index: { graphs: Record<string, { inputs: Record<string, string>; outputs: Record<string, string> }> } } {
  const out = path.join(dir, `reference-${path.basename(path.dirname(modelDir))}`);
  const result = spawnSync(probe.found!.path, ['-m', 'wavediff_models.reference_outputs', '--model', modelDir, '--out', out], {
    cwd: nativeModelsDir(),
    env: { ...process.env, PYTHONPATH: nativeModelsDir() },
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  return { dir: out, index: JSON.parse(fs.readFileSync(path.join(out, 'index.json'), 'utf8')) };
}

function feedFrom(file: string): OnnxFeed {
  const raw = readNpyRaw(file);
  return { data: raw.data as OnnxFeed['data'], dims: raw.shape };
}

describe.skipIf(missing('a Python with torch (python3-torch)', probe.found !== null))('PyTorch and onnxruntime-node agree on every exported graph', () => {
  for (const kind of ['stage1', 'stage2', 'inversionnet']) {
    it(`${kind}: outputs match PyTorch's on the same inputs`, async () => {
      const reference = referenceOutputs(models[kind]);
      for (const [graph, io] of Object.entries(reference.index.graphs)) {
        const key = `${kind}/${graph}`;
        await onnx.loadModel(key, path.join(models[kind], `${graph}.onnx`));
        const feeds = Object.fromEntries(Object.entries(io.inputs).map(([name, file]) => [name, feedFrom(path.join(reference.dir, file))]));
        const result = await onnx.run(key, feeds);
        for (const [name, file] of Object.entries(io.outputs)) {
          const expected = readNpyRaw(path.join(reference.dir, file));
          const actual = result.outputs[name];
          expect(actual.dims).toEqual(expected.shape);
          if (expected.dtype === 'i8') {
            expect(Array.from(actual.data as BigInt64Array)).toEqual(Array.from(expected.data as BigInt64Array));
            continue;
          }
          const got = actual.data as Float32Array;
          const want = expected.data as Float32Array;
          let worst = 0;
          let scale = 0;
          for (let i = 0; i < want.length; i += 1) {
            worst = Math.max(worst, Math.abs(got[i] - want[i]));
            scale = Math.max(scale, Math.abs(want[i]));
          }
          expect(worst, `${kind}/${graph}/${name}`).toBeLessThanOrEqual(1e-4 * Math.max(1, scale));
        }
      }
    });
  }

  it('runs the networks end to end in physical units', async () => {
    const entry = (kind: 'stage1' | 'stage2' | 'inversionnet'): ModelEntry => resolveModel(models[kind], kind, null);
    const stage1 = await Stage1Network.load(onnx, entry('stage1'));
    const stage2 = await Stage2Network.load(onnx, entry('stage2'));
    const inversion = await InversionNetwork.load(onnx, entry('inversionnet'));
    stage2.checkPairedWith(stage1);
    const seismic = readNpy(path.join(dir, 'data', 'data1.npy')).data.slice(0, 2 * 5 * 1000 * 70);
    const reconstruction = await stage1.reconstruct(seismic, 2);
    expect(reconstruction.seismic).toHaveLength(2 * 5 * 1000 * 70);
    expect(reconstruction.velocityMps).toHaveLength(2 * 70 * 70);
    for (const v of reconstruction.velocityMps) expect(v >= 1500 - 1e-3 && v <= 4500 + 1e-3).toBe(true);
    const inverted = await inversion.invert(seismic, 2);
    expect(inverted).toHaveLength(2 * 70 * 70);
    expect(stage2.latentShape).toEqual(stage1.latentShape);
    expect(stage2.schedule.numTrainTimesteps).toBe(1000);
  });

  it('a stage-2 model pairs with a stage 1 whose velocity decoder was refitted, not with one trained further', async () => {
    const stage1Run = path.dirname(models.stage1);
    const refit = await train('stage1', ['--init-weights', stage1Run, '--refit-velocity-decoder'], 'stage1-refit');
    const further = await train('stage1', ['--init-weights', stage1Run], 'stage1-further');
    const load = (folder: string) => Stage1Network.load(onnx, resolveModel(folder, 'stage1', null));
    const stage2 = await Stage2Network.load(onnx, resolveModel(models.stage2, 'stage2', null));
    const [original, refitted, trainedFurther] = [await load(models.stage1), await load(refit), await load(further)];
    expect(refitted.manifest.latent?.fingerprint).not.toBe(original.manifest.latent?.fingerprint);
    expect(() => stage2.checkPairedWith(refitted)).not.toThrow();
    expect(() => stage2.checkPairedWith(trainedFurther)).toThrow(/trained on another latent space/);
    // The trainer's re-pairing export gives the same denoiser, now naming the refit as its stage 1.
    const repairedDir = path.join(dir, 'stage2-repaired');
    const exported = spawnSync(probe.found!.path, ['-m', 'wavediff_models.export', 'stage2', '--checkpoint', path.dirname(models.stage2), '--stage1', path.dirname(refit), '--out', repairedDir], {
      cwd: nativeModelsDir(),
      env: { ...process.env, PYTHONPATH: nativeModelsDir() },
      encoding: 'utf8',
    });
    expect(exported.status, exported.stderr).toBe(0);
    const repaired = await Stage2Network.load(onnx, resolveModel(repairedDir, 'stage2', null));
    expect(repaired.trainedOn.fingerprint).toBe(refitted.manifest.latent?.fingerprint);
    expect(() => repaired.checkPairedWith(original)).not.toThrow();
  });

  it('wavediff invert writes velocity [N, 1, 70, 70] in m/s with either network', () => {
    const seismicFile = path.join(dir, 'data', 'data1.npy');
    for (const [network, model] of [['inversionnet', models.inversionnet], ['stage1', models.stage1]]) {
      const out = path.join(dir, `inverted-${network}.npy`);
      const result = spawnSync(process.execPath, [path.join(nativeModelsDir(), '..', 'bin', 'wavediff.mjs'), 'invert', '--seismic', seismicFile, '--out', out, '--model', model, '--network', network, '--batch-size', '4'], { encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      const velocity = readNpy(out);
      expect(velocity.shape).toEqual([6, 1, 70, 70]);
      expect(Math.min(...velocity.data)).toBeGreaterThanOrEqual(1500 - 1e-3);
      expect(Math.max(...velocity.data)).toBeLessThanOrEqual(4500 + 1e-3);
    }
    const wrongModel = spawnSync(process.execPath, [path.join(nativeModelsDir(), '..', 'bin', 'wavediff.mjs'), 'invert', '--seismic', seismicFile, '--out', path.join(dir, 'x.npy'), '--model', models.stage2, '--network', 'inversionnet'], { encoding: 'utf8' });
    expect(wrongModel.status).not.toBe(0);
    expect(wrongModel.stderr).toMatch(/is a stage2 model; an inversionnet model is needed here/);
  });
});
