/**
 * The studies framework end to end with the committed default models (onnxruntime-node, the FD
 * solver): a latent-sampling study started through the contract, its catalogue row, report files,
 * export and deletion; the command line's --json document; and the study's small pure parts.
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
import { shippedModelsDir } from '../ml/modelRegistry.ts';
import { appRoot } from '../util/paths.ts';
import { channelStatistics, curveStepsFor, orderingVerdict } from './latentSampling.ts';

const defaultsShipped = ['stage1', 'stage2', 'inversionnet'].every((k) => fs.existsSync(path.join(shippedModelsDir(), k, 'manifest.json')));
const tiny = { count: 1, statsCount: 2, curvePoints: 2, sampler: { kind: 'ab3', steps: 2 }, seed: 5 };

let dir: string;
let studio: Studio;
const call = (method: string, args: unknown): Promise<any> => dispatch(studio, method, args);

describe('latent-sampling parts', () => {
  it('takes per-channel mean and population std over samples and positions', () => {
    // [N = 2, C = 2, H = 1, W = 2]: channel 0 holds 1, 3, 5, 7; channel 1 holds −2 four times.
    const latents = Float32Array.from([1, 3, -2, -2, 5, 7, -2, -2]);
    const { mean, std } = channelStatistics(latents, 2, [2, 1, 2]);
    expect(mean).toEqual([4, -2]);
    expect(std[0]).toBeCloseTo(Math.sqrt(5), 12);
    expect(std[1]).toBe(0);
  });

  it('spaces curve steps evenly with the last step included', () => {
    expect(curveStepsFor(20, 6)).toEqual([0, 4, 8, 11, 15, 19]);
    expect(curveStepsFor(3, 6)).toEqual([0, 1, 2]);
  });

  it('checks random > interpolation > diffusion ≈ reconstruction on the means', () => {
    expect(orderingVerdict({ random: 0.013, interpolation: 0.006, diffusion: 0.002, reconstruction: 0.0016 }).holds).toBe(true);
    const far = orderingVerdict({ random: 0.013, interpolation: 0.006, diffusion: 0.005, reconstruction: 0.0016 });
    expect(far.holds).toBe(false);
    expect(far.diffusion_near_reconstruction).toBe(false);
    expect(orderingVerdict({ random: 0.004, interpolation: 0.006, diffusion: 0.002, reconstruction: 0.0016 }).random_above_interpolation).toBe(false);
  });
});

beforeAll(async () => {
  if (!defaultsShipped) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-studies-'));
  studio = new Studio({ dataDir: path.join(dir, 'user'), shell: 'cli', jobKinds: studioJobKinds() });
  studio.user.updateSettings({ workerThreads: 2 });
  await studio.createProject(path.join(dir, 'project'), 'studies test');
});

afterAll(async () => {
  await studio?.shutdown();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing(`the default models in ${shippedModelsDir()} (committed)`, defaultsShipped))('studies', () => {
  let jobSummary: Record<string, unknown> | null = null;

  it('runs a latent-sampling study as a job and keeps its report in the project', async () => {
    const started: JobInfo = await call('study.start', { kind: 'latent-sampling', params: tiny });
    const job = await studio.jobs.waitFor(started.id);
    expect(job.status, job.error ?? '').toBe('done');

    const [study]: StudyInfo[] = await call('study.list', {});
    expect(study).toMatchObject({ kind: 'latent-sampling', status: 'done', jobId: job.id, folder: path.join(studio.requireProject().folder, 'studies', String(study.id)) });
    // The parameters are recorded with their defaults filled in.
    expect(study.params).toMatchObject({ ...tiny, stage1: 'default', stage2: 'default', inversionnet: 'default' });
    expect(Object.keys(study.summary!).sort()).toEqual(['diffusion', 'interpolation', 'random', 'reconstruction']);
    const summary = study.summary as Record<string, { mean: number; median: number; by_weight?: Record<string, { mean: number; median: number }> }>;
    expect(Object.keys(summary.interpolation.by_weight!)).toEqual(['0.1', '0.3', '0.5', '0.7', '0.9']);
    for (const set of Object.values(summary)) expect(set.mean).toBeGreaterThan(0);
    jobSummary = study.summary;

    const report: StudyReport = await call('study.open', { studyId: study.id });
    expect(report.markdown).toMatch(/^# Latent sampling/);
    expect(report.markdown).toMatch(/expected ordering (holds|does not hold)/);
    expect(report.markdown).toContain('| random latents | 1 |');
    expect(report.plots.map((p) => p.file)).toEqual(['plots/sets.png', 'plots/interpolation.png', 'plots/curve.png']);
    for (const p of report.plots) expect(Buffer.from(p.pngBase64, 'base64').subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(report.results).toMatchObject({ summary: study.summary, models: { stage1: 'default:stage1', stage2: 'default:stage2' }, seeds: { training_pairs: 11, held_out_pairs: 1_000_003 } });
    expect((report.results.random as { values: number[] }).values[0]).toBe(summary.random.mean);
    expect(report.table.rows).toHaveLength(9);

    const out = path.join(dir, 'exported');
    const exported = await call('study.export', { studyId: study.id, folder: out });
    expect(exported.files.map((f: string) => path.relative(out, f)).sort()).toEqual(['plots/curve.png', 'plots/interpolation.png', 'plots/sets.png', 'report.md', 'results.json']);
    await expect(call('study.export', { studyId: study.id, folder: out })).rejects.toThrow(/not empty/);

    await call('study.delete', { studyId: study.id });
    expect(fs.existsSync(study.folder)).toBe(false);
    expect(await call('study.list', {})).toEqual([]);
    await expect(call('study.open', { studyId: study.id })).rejects.toThrow(/no study/);
  }, 120_000);

  it('prints the contract JSON of wavediff study latent-sampling --json', () => {
    const run = spawnSync(
      process.execPath,
      [path.join(appRoot(), 'bin', 'wavediff.mjs'), 'study', 'latent-sampling', '--model', 'default', '--count', '1', '--seed', '5', '--stats-count', '2', '--curve-points', '2', '--steps', '2', '--threads', '2', '--json'],
      { encoding: 'utf8', env: { ...process.env, WAVEDIFF_DATA_DIR: path.join(dir, 'cli-data') } },
    );
    expect(run.status, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as Record<string, Record<string, unknown>>;
    expect(Object.keys(printed).sort()).toEqual(['diffusion', 'interpolation', 'random', 'reconstruction']);
    expect(Object.keys(printed.random).sort()).toEqual(['mean', 'median']);
    expect(Object.keys(printed.interpolation).sort()).toEqual(['by_weight', 'mean', 'median']);
    // Same seeds, models and parameters as the job above: the same numbers (reproducible from the record).
    expect(printed).toEqual(jobSummary);
  }, 120_000);
});
