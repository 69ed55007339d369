/**
 * `wavediff reconstruct` with the real shipped stage-1 model on the demo project's seismic (made by
 * the studio's solver in OpenFWI's layout): shapes, units, batching and the errors a user meets.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missing } from '../../core/util/testing/requirement.ts';
import { runCliCaptured } from '../testing/runCliCaptured.ts';
import { readNpy } from '../../core/io/npy.ts';
import { resourcesDir } from '../../core/util/paths.ts';
import { shippedModels } from '../../core/ml/modelRegistry.ts';
import { OnnxSessionPool } from '../../core/ml/onnxPool.ts';
import { loadStage1 } from '../../core/ml/reconstruct.ts';

const demo = path.join(resourcesDir(), 'demo', 'openfwi', 'openfwi-style pairs');
const seismicFile = path.join(demo, 'data1.npy');
const velocityFile = path.join(demo, 'model1.npy');
const present = shippedModels().some((m) => m.kind === 'stage1') && fs.existsSync(seismicFile);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-cli-reconstruct-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const cli = runCliCaptured;

describe.skipIf(missing('a shipped stage-1 model and the demo seismic', present))('wavediff reconstruct', () => {
  it('writes seismic [N, 5, 1000, 70] and velocity [N, 1, 70, 70] m/s, batch by batch, equal to stage 1 run on the whole set', async () => {
    const seismicOut = path.join(dir, 'S2.npy');
    const velocityOut = path.join(dir, 'V.npy');
    const run = await cli(['reconstruct', '--model', 'default', '--seismic', seismicFile, '--out-seismic', seismicOut, '--out-velocity', velocityOut, '--batch-size', '1']);
    expect(run.stderr).toMatch(/reconstruct \(stage1, default:stage1\): 100\.0% 2\/2 samples/);
    expect(run.stderr).toMatch(/wrote 2 reconstructions to .*S2\.npy and .*V\.npy/);
    expect(run.code).toBe(0);

    const seismic = readNpy(seismicOut);
    const velocity = readNpy(velocityOut);
    expect(seismic.shape).toEqual([2, 5, 1000, 70]);
    expect(velocity.shape).toEqual([2, 1, 70, 70]);
    for (const v of velocity.data) expect(v >= 1500 - 1e-3 && v <= 4500 + 1e-3).toBe(true);

    const pool = new OnnxSessionPool({ workers: 1, intraOpThreads: 1 });
    try {
      const stage1 = await loadStage1(pool, 'default', null);
      const whole = await stage1.reconstruct(readNpy(seismicFile).data, 2);
      const worst = (got: Float32Array, want: Float32Array): number => got.reduce((w, g, i) => Math.max(w, Math.abs(g - want[i])), 0);
      const scale = (a: Float32Array): number => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      expect(worst(seismic.data, whole.seismic)).toBeLessThanOrEqual(1e-4 * scale(whole.seismic));
      expect(worst(velocity.data, whole.velocityMps)).toBeLessThanOrEqual(1e-4 * scale(whole.velocityMps));
    } finally {
      await pool.close();
    }
  });

  it('writes only the output asked for', async () => {
    const velocityOut = path.join(dir, 'only-velocity.npy');
    const run = await cli(['reconstruct', '--seismic', seismicFile, '--out-velocity', velocityOut]);
    expect(run.code).toBe(0);
    expect(readNpy(velocityOut).shape).toEqual([2, 1, 70, 70]);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('only-'))).toEqual(['only-velocity.npy']);
  });

  it('refuses seismic of another shape, naming the file and both shapes, and writes nothing', async () => {
    const out = path.join(dir, 'wrong.npy');
    const run = await cli(['reconstruct', '--seismic', velocityFile, '--out-seismic', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${velocityFile}: seismic [2, 1, 70, 70] does not match the stage-1 model default:stage1, which reads [N, 5, 1000, 70]`);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('asks for an output file and names a missing input', async () => {
    const none = await cli(['reconstruct', '--seismic', seismicFile]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/at least one of --out-seismic S2\.npy and --out-velocity V\.npy/);
    const missing = await cli(['reconstruct', '--seismic', path.join(dir, 'nowhere.npy'), '--out-velocity', path.join(dir, 'x.npy')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nowhere\.npy/);
  });
});
