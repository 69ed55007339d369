import { describe, it, expect, beforeAll } from 'vitest';
import { missing } from '../util/testing/requirement.ts';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readNpy } from '../io/npy.ts';
import {
  normalizeSeismicInPlace,
  denormalizeSeismicInPlace,
  normalizeVelocityInPlace,
  denormalizeVelocityInPlace,
  resizeArea,
  resizeBilinear,
} from './preprocess.ts';

const here = path.dirname(new URL(import.meta.url).pathname);
const torchAvailable = spawnSync('/usr/bin/python3', ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0;

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('normalisation by hand', () => {
  it('maps velocity 1500…4500 m/s to −1…1 and back', () => {
    const v = Float32Array.from([1500, 3000, 4500]);
    normalizeVelocityInPlace(v, { min_mps: 1500, max_mps: 4500 });
    expect(Array.from(v)).toEqual([-1, 0, 1]);
    denormalizeVelocityInPlace(v, { min_mps: 1500, max_mps: 4500 });
    expect(Array.from(v)).toEqual([1500, 3000, 4500]);
  });

  it('maps the family limits of seismic to ±1 and inverts exactly', () => {
    const n = { log_min: -Math.log1p(26.95), log_max: Math.log1p(52.77) };
    const s = Float32Array.from([-26.95, 52.77, 0, 3.5]);
    normalizeSeismicInPlace(s, n);
    expect(s[0]).toBeCloseTo(-1, 6);
    expect(s[1]).toBeCloseTo(1, 6);
    denormalizeSeismicInPlace(s, n);
    expect(s[3]).toBeCloseTo(3.5, 4);
    expect(s[2]).toBeCloseTo(0, 6);
  });
});

describe('resizing by hand', () => {
  it('averages each output cell footprint, overlapping where the sizes do not divide', () => {
    // 1 × 3 → 1 × 2: windows [0,1] and [1,2].
    expect(Array.from(resizeArea(Float32Array.from([1, 2, 4]), 1, 1, 3, 1, 2))).toEqual([1.5, 3]);
  });

  it('interpolates with half-pixel centres', () => {
    // 1 × 2 → 1 × 4: source positions −0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to the last).
    expect(Array.from(resizeBilinear(Float32Array.from([0, 4]), 1, 1, 2, 1, 4))).toEqual([0, 1, 3, 4]);
  });
});

describe.skipIf(missing('torch and numpy under /usr/bin/python3 (python3-torch)', torchAvailable))('parity with PyTorch', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-resize-'));
    const result = spawnSync('/usr/bin/python3', [path.join(here, 'testdata', 'torch_resize_reference.py'), dir], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
  const load = (name: string): Float32Array => readNpy(path.join(dir, name)).data;

  it('area-resizes seismic 1000 × 70 → 256 × 64 as adaptive_avg_pool2d', () => {
    expect(maxAbsDifference(resizeArea(load('seismic.npy'), 5, 1000, 70, 256, 64), load('seismic_area_256x64.npy'))).toBeLessThan(1e-5);
  });

  it('bilinear-resizes back to 1000 × 70 and velocity 64 → 70 as interpolate(align_corners=False)', () => {
    const shrunk = load('seismic_area_256x64.npy');
    const reference = load('seismic_bilinear_1000x70.npy');
    const range = reference.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    // torch places samples in float32 arithmetic (positions off by up to ~1e-5 cell on 1000 samples).
    expect(maxAbsDifference(resizeBilinear(shrunk, 5, 256, 64, 1000, 70), reference) / range).toBeLessThan(2e-5);
    expect(maxAbsDifference(resizeBilinear(load('velocity64.npy'), 1, 64, 64, 70, 70), load('velocity_bilinear_70x70.npy'))).toBeLessThan(1e-6);
  });

  it('normalises seismic as the trainer does', () => {
    const n = JSON.parse(fs.readFileSync(path.join(dir, 'normalization.json'), 'utf8')) as { log_min: number; log_max: number };
    expect(maxAbsDifference(normalizeSeismicInPlace(load('seismic.npy'), n), load('seismic_normalized.npy'))).toBeLessThan(1e-6);
  });
});
