/**
 * The TypeScript SSIM / MAE / RMSE against native-models' metrics.py (PyTorch, float64) on the same
 * velocity models: layered models from the synthesiser and perturbed copies.
 */
import { describe, it, expect } from 'vitest';
import { missing } from '../util/testing/requirement.ts';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateVelocityModels } from '../physics/families.ts';
import { writeNpy } from '../io/npy.ts';
import { nativeModelsDir } from '../training/trainerProcess.ts';
import { Random } from '../util/random.ts';
import { ssim, velocityError } from './metrics.ts';

const python = '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
const noTorch = missing('torch under /usr/bin/python3 (python3-torch)', hasTorch);

describe('velocity error metrics', () => {
  it('SSIM of an image with itself is 1 and falls with noise', () => {
    const image = Float64Array.from({ length: 70 * 70 }, (_, i) => (i % 70) / 70);
    expect(ssim(image, image, 70, 70)).toBeCloseTo(1, 12);
    const rng = new Random(1);
    const noisy = image.map((v) => v + 0.1 * rng.normal());
    expect(ssim(image, noisy, 70, 70)).toBeLessThan(0.9);
  });

  it.skipIf(noTorch)('agrees with metrics.py on the same arrays', () => {
    const n = 6;
    const reference = new Float32Array(n * 70 * 70);
    reference.set(generateVelocityModels('curvevel-a', 5, 3), 0);
    reference.set(generateVelocityModels('flatfault-a', 9, 3), 3 * 4900);
    const rng = new Random(7);
    const predicted = reference.map((v, i) => Math.min(4500, Math.max(1500, v + (i % 3 === 0 ? 300 : 60) * rng.normal())));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-ssim-'));
    writeNpy(path.join(dir, 'pred.npy'), predicted, [n, 1, 70, 70]);
    writeNpy(path.join(dir, 'ref.npy'), reference, [n, 1, 70, 70]);
    const script = `
import json, sys, numpy as np, torch
from wavediff_models.metrics import velocity_ssim, velocity_errors
p = torch.from_numpy(np.load(sys.argv[1])).double()
r = torch.from_numpy(np.load(sys.argv[2])).double()
norm = lambda v: 2 * (v - 1500) / 3000 - 1
pn, rn = norm(p), norm(r)
a, s, count = velocity_errors(pn, rn)
print(json.dumps({"ssim": velocity_ssim(pn, rn).tolist(), "mae": (a / count).tolist(), "rmse": (s / count).sqrt().tolist()}))
`;
    const result = spawnSync(python, ['-c', script, path.join(dir, 'pred.npy'), path.join(dir, 'ref.npy')], {
      cwd: nativeModelsDir(),
      env: { ...process.env, PYTHONPATH: nativeModelsDir() },
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    const expected = JSON.parse(result.stdout) as { ssim: number[]; mae: number[]; rmse: number[] };
    for (let b = 0; b < n; b += 1) {
      const ours = velocityError(predicted.subarray(b * 4900, (b + 1) * 4900), reference.subarray(b * 4900, (b + 1) * 4900), 70, 70);
      expect(Math.abs(ours.inv_ssim - expected.ssim[b])).toBeLessThan(1e-10);
      expect(Math.abs(ours.inv_mae - expected.mae[b])).toBeLessThan(1e-12);
      expect(Math.abs(ours.inv_rmse - expected.rmse[b])).toBeLessThan(1e-12);
    }
    // The perturbations differ enough that SSIM discriminates between samples.
    expect(Math.max(...expected.ssim) - Math.min(...expected.ssim)).toBeGreaterThan(0.01);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
