/**
 * Diffusion-refined inversion with the committed default models: the study through the contract,
 * `wavediff invert --network refined` giving the study's refined velocity for the same pair and
 * seed, and the oscillation baseline of width 0 reducing exactly to stage 1 alone.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { missing } from '../util/testing/requirement.ts';
import { Studio } from '../app/studio.ts';
import { studioJobKinds } from '../app/jobKinds.ts';
import { dispatch } from '../api/handlers.ts';
import type { JobInfo, StudyInfo, StudyReport } from '../contract/contract.ts';
import { resolveModel, shippedModelsDir } from '../ml/modelRegistry.ts';
import { Stage1Network, Stage2Network } from '../ml/networks.ts';
import { oscillationInversion, refineInversion } from '../ml/refine.ts';
import { OnnxSessionPool } from '../ml/onnxPool.ts';
import { generateVelocityModels } from '../physics/families.ts';
import { openfwiGeometry } from '../physics/acquisition.ts';
import { forwardModel } from '../physics/solver.ts';
import { NpyWriter, readNpy } from '../io/npy.ts';
import { appRoot } from '../util/paths.ts';

const defaultsShipped = ['stage1', 'stage2'].every((k) => fs.existsSync(path.join(shippedModelsDir(), k, 'manifest.json')));
let dir: string;
let studio: Studio;
const call = (method: string, args: unknown): Promise<any> => dispatch(studio, method, args);

beforeAll(async () => {
  if (!defaultsShipped) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-refined-'));
  studio = new Studio({ dataDir: path.join(dir, 'user'), shell: 'cli', jobKinds: studioJobKinds() });
  studio.user.updateSettings({ workerThreads: 2 });
  await studio.createProject(path.join(dir, 'project'), 'refined inversion test');
});

afterAll(async () => {
  await studio?.shutdown();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing(`the default models in ${shippedModelsDir()} (committed)`, defaultsShipped))('diffusion-refined inversion', () => {
  it('runs the study, and wavediff invert --network refined gives its refined velocity for the same pair and seed', async () => {
    const params = { count: 1, refineSteps: 3, candidates: 4, seed: 9 };
    const started: JobInfo = await call('study.start', { kind: 'refined-inversion', params });
    const job = await studio.jobs.waitFor(started.id);
    expect(job.status, job.error ?? '').toBe('done');
    const [study]: StudyInfo[] = await call('study.list', { kind: 'refined-inversion' });
    expect(Object.keys(study.summary!).sort()).toEqual(['oscillation', 'refined', 'spread_skill', 'stage1']);
    const summary = study.summary as Record<string, Record<string, number>>;
    for (const method of ['stage1', 'refined', 'oscillation']) {
      expect(summary[method].mae).toBeGreaterThan(0);
      expect(summary[method].ssim).toBeGreaterThan(0);
      expect(summary[method].ssim).toBeLessThanOrEqual(1);
    }
    expect(summary.spread_skill.members).toBe(3);
    const report: StudyReport = await call('study.open', { studyId: study.id });
    expect(report.table.rows.map((r) => r[0])).toEqual(['stage 1 alone', 'diffusion-refined', 'oscillation baseline']);
    expect(report.plots).toHaveLength(3);

    // The held-out pair the study inverted, through the command line's refined network.
    const family = (report.results.held_out as { families: string[]; seed: number });
    const velocity = generateVelocityModels(family.families[0] as never, family.seed, 1, { start: 0, shape: { nz: 70, nx: 70 } });
    const seismic = await forwardModel(velocity, { n: 1, nz: 70, nx: 70 }, openfwiGeometry(), { pool: studio.fdPool() });
    const input = path.join(dir, 'seismic.npy');
    const writer = new NpyWriter(input, { shape: [1, 5, 1000, 70] });
    writer.write(seismic);
    writer.commit();
    const out = path.join(dir, 'refined.npy');
    const run = spawnSync(
      process.execPath,
      [path.join(appRoot(), 'bin', 'wavediff.mjs'), 'invert', '--seismic', input, '--out', out, '--network', 'refined', '--refine-steps', '3', '--candidates', '4', '--seed', '9'],
      { encoding: 'utf8', env: { ...process.env, WAVEDIFF_DATA_DIR: path.join(dir, 'cli-data') } },
    );
    expect(run.status, run.stderr).toBe(0);
    const predicted = readNpy(out);
    expect(predicted.shape).toEqual([1, 1, 70, 70]);
    const errors = (report.results.per_pair as { method: string; errors: { inv_mae: number }[] }[]).find((p) => p.method === 'refined')!.errors[0];
    // MAE of the command's velocity against the label, on OpenFWI's [−1, 1] scale, equals the study's.
    let mae = 0;
    for (let i = 0; i < 4900; i += 1) mae += Math.abs(predicted.data[i] - velocity[i]) * (2 / 3000);
    expect(mae / 4900).toBeCloseTo(errors.inv_mae, 6);
  }, 180_000);

  it('reduces to stage 1 alone with an oscillation of width 0, and refines reproducibly from its seed', async () => {
    const pool = new OnnxSessionPool({ workers: 1, intraOpThreads: 1, provider: 'cpu' });
    try {
      const stage1 = await Stage1Network.load(pool, resolveModel('default', 'stage1', null));
      const stage2 = await Stage2Network.load(pool, resolveModel('default', 'stage2', null));
      const velocity = generateVelocityModels('flatvel-a', 3, 1, { start: 0, shape: { nz: 70, nx: 70 } });
      const seismic = await forwardModel(velocity, { n: 1, nz: 70, nx: 70 }, openfwiGeometry(), { pool: studio.fdPool() });
      const alone = await stage1.decodeVelocity(await stage1.quantize(await stage1.encode(seismic, 1), 1), 1);
      const still = await oscillationInversion(stage1, seismic, 0, { candidates: 3, relativeWidth: 0, seed: 1 });
      expect(Buffer.from(still.velocityMps.buffer).equals(Buffer.from(alone.buffer))).toBe(true);

      const settings = { steps: 2, candidates: 3, seed: 4 };
      const a = await refineInversion(stage1, stage2, seismic, 0, settings);
      const b = await refineInversion(stage1, stage2, seismic, 0, settings);
      expect(Buffer.from(a.ensembleMps.buffer).equals(Buffer.from(b.ensembleMps.buffer))).toBe(true);
      expect(a.ensembleMps).toHaveLength(2 * 4900);
      // The velocity is the ensemble's last member: the latent kept at the last step.
      expect(Buffer.from(a.velocityMps.buffer).equals(Buffer.from(a.ensembleMps.buffer, 4900 * 4, 4900 * 4))).toBe(true);
    } finally {
      await pool.close();
    }
  }, 120_000);
});
