/**
 * The model card's trivial predictors: per-pixel means of a real (tiny-grid) synthesis, and the
 * card's pooled metrics of those means, against numpy on the same files.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { missing } from '../../main/core/util/testing/requirement.ts';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FdWorkerPool } from '../../main/core/physics/pool.ts';
import { forwardModel } from '../../main/core/physics/solver.ts';
import { generateVelocityModels } from '../../main/core/physics/families.ts';
import { recordedSamples } from '../../main/core/physics/acquisition.ts';
import { TINY_SHAPE, tinyGeometry } from '../../main/core/physics/testing/tinyGeometry.ts';
import { writeNpy } from '../../main/core/io/npy.ts';
import { trainingMeans, type TrainingMeanSet } from './trainingMeans.ts';
import { mean, relativeL2PerSample, repeatSample, velocityMetrics } from './cardMetrics.ts';

const python = '/usr/bin/python3';
const hasNumpy = spawnSync(python, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-means-'));
const pool = new FdWorkerPool({ size: 2 });
afterAll(async () => {
  await pool.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const SET: TrainingMeanSet = { families: ['flatvel-a', 'curvefault-a'], seed: 11, perFamily: 3 };

describe.skipIf(missing('numpy under /usr/bin/python3', hasNumpy))('training means and the trivial predictors', () => {
  it('match numpy on the synthesised files, and a second run reuses them', async () => {
    const cache = path.join(dir, 'cache');
    const means = await trainingMeans(SET, cache, pool, { geometry: tinyGeometry(), shape: TINY_SHAPE });
    expect(means.samples).toBe(6);
    const [sources, time, receivers] = [tinyGeometry().sources.length, recordedSamples(tinyGeometry()), tinyGeometry().receivers.length];
    expect(means.seismic).toHaveLength(sources * time * receivers);
    expect(means.velocityMps).toHaveLength(16 * 16);

    // Targets: another synthesis (seed 97), its seismic by the real solver.
    const targetVelocity = generateVelocityModels('curvevel-a', 97, 4, { shape: TINY_SHAPE });
    const targetSeismic = await forwardModel(targetVelocity, { n: 4, ...TINY_SHAPE }, tinyGeometry(), { pool });
    writeNpy(path.join(dir, 'target-seismic.npy'), targetSeismic, [4, sources, time, receivers]);
    writeNpy(path.join(dir, 'target-velocity.npy'), targetVelocity, [4, 1, 16, 16]);
    const script = `
import glob, json, os, sys, numpy as np
cache, d = sys.argv[1], sys.argv[2]
seis = np.concatenate([np.load(f).astype(np.float64) for f in sorted(glob.glob(os.path.join(cache, '*', 'data*.npy')))])
vel = np.concatenate([np.load(f).astype(np.float64) for f in sorted(glob.glob(os.path.join(cache, '*', 'model*.npy')))])
ms, mv = seis.mean(0), vel.mean(0)
ts, tv = np.load(os.path.join(d, 'target-seismic.npy')).astype(np.float64), np.load(os.path.join(d, 'target-velocity.npy')).astype(np.float64)
rel = [float(np.linalg.norm((ms - t).ravel()) / np.linalg.norm(t.ravel())) for t in ts]
norm = lambda v: 2 * (v - 1500) / 3000 - 1
diff = norm(mv)[None] - norm(tv)
print(json.dumps({"n": len(seis), "seismic": ms.ravel().tolist(), "velocity": mv.ravel().tolist(), "rel": rel,
                  "mae": float(np.abs(diff).mean()), "rmse": float(np.sqrt((diff ** 2).mean()))}))
`;
    const result = spawnSync(python, ['-c', script, cache, dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(result.status, result.stderr).toBe(0);
    const numpy = JSON.parse(result.stdout) as { n: number; seismic: number[]; velocity: number[]; rel: number[]; mae: number; rmse: number };
    expect(numpy.n).toBe(6);
    const scale = Math.max(...numpy.seismic.map(Math.abs));
    numpy.seismic.forEach((v, i) => expect(Math.abs(means.seismic[i] - v)).toBeLessThanOrEqual(1e-6 * scale));
    numpy.velocity.forEach((v, i) => expect(Math.abs(means.velocityMps[i] - v)).toBeLessThanOrEqual(1e-3));

    const rel = relativeL2PerSample(means.seismic, targetSeismic, 4);
    rel.forEach((r, i) => expect(r).toBeCloseTo(numpy.rel[i], 5));
    expect(mean(rel)).toBeGreaterThan(0.1);
    const metrics = velocityMetrics(repeatSample(means.velocityMps, 4), targetVelocity, 4, 16, 16);
    expect(metrics.velocity_mae).toBeCloseTo(numpy.mae, 6);
    expect(metrics.velocity_rmse).toBeCloseTo(numpy.rmse, 6);
    expect(metrics.velocity_ssim).toBeGreaterThan(0);
    expect(metrics.velocity_ssim).toBeLessThan(1);

    const files = fs.readdirSync(cache).flatMap((f) => fs.readdirSync(path.join(cache, f)).map((g) => path.join(cache, f, g)));
    const stamps = files.map((f) => fs.statSync(f).mtimeMs);
    const again = await trainingMeans(SET, cache, pool, { geometry: tinyGeometry(), shape: TINY_SHAPE });
    expect(again.seismic).toEqual(means.seismic);
    expect(files.map((f) => fs.statSync(f).mtimeMs)).toEqual(stamps);
  });
});
