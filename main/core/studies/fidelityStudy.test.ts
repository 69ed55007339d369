/**
 * The distribution-fidelity study with the committed default models: a tiny run through the contract
 * (held-out real pairs against diffusion samples), its summary, report and plots, reproducible from
 * its seed; the feature maps on hand-checked cases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { missing } from '../util/testing/requirement.ts';
import { resourcesDir } from '../util/paths.ts';
import { shippedModelsDir } from '../ml/modelRegistry.ts';
import { Studio } from '../app/studio.ts';
import { studioJobKinds } from '../app/jobKinds.ts';
import { dispatch } from '../api/handlers.ts';
import type { JobInfo, StudyInfo, StudyReport } from '../contract/contract.ts';
import { pooledLatentFeatures, velocityFeatures } from './fidelity.ts';

const defaultsShipped = ['stage1', 'stage2', 'inversionnet'].every((k) => fs.existsSync(path.join(shippedModelsDir(), k, 'manifest.json')));
const tiny = { count: 3, bootstrap: 5, sampler: { kind: 'ab3', steps: 2 }, seed: 4 };

describe('fidelity features', () => {
  it('pools latents [N, C, H, W] by 4 and maps velocity to [−1, 1] averaged on a 10 × 10 grid', () => {
    const latent = Float32Array.from({ length: 2 * 8 * 8 }, (_, i) => i);
    const pooled = pooledLatentFeatures(latent, 1, [2, 8, 8]);
    // Channel 0, cell (0, 0): rows 0–3, columns 0–3 of 0 … 63 → mean of 8r + c = 8·1.5 + 1.5.
    expect(pooled.length).toBe(2 * 2 * 2);
    expect(pooled[0]).toBe(13.5);
    expect(pooled[4]).toBe(64 + 13.5);
    const velocity = Float32Array.from({ length: 70 * 70 }, (_, i) => (Math.floor(i / 70) < 35 ? 1500 : 4500));
    const features = velocityFeatures(velocity, 1, 70, 70);
    expect(features.length).toBe(100);
    expect(features[0]).toBe(-1);
    expect(features[99]).toBe(1);
  });
});

let dir: string;
let studio: Studio;
beforeAll(async () => {
  if (!defaultsShipped) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-fidelity-'));
  studio = new Studio({ dataDir: path.join(dir, 'user'), shell: 'cli', jobKinds: studioJobKinds() });
  studio.user.updateSettings({ workerThreads: 2 });
  await studio.createProject(path.join(dir, 'project'), 'fidelity test');
});
afterAll(async () => {
  await studio?.shutdown();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing(`the default models in ${shippedModelsDir()} (committed)`, defaultsShipped))('distribution fidelity study', () => {
  it('measures Fréchet distances, embeddings and band spectra of held-out vs generated pairs, reproducibly', async () => {
    const summaries: unknown[] = [];
    for (let run = 0; run < 2; run++) {
      const started = (await dispatch(studio, 'study.start', { kind: 'fidelity', params: tiny })) as JobInfo;
      const job = await studio.jobs.waitFor(started.id);
      expect(job.status, job.error ?? '').toBe('done');
      const [study] = (await dispatch(studio, 'study.list', {})) as StudyInfo[];
      summaries.push(study.summary);
      if (run > 0) continue;
      const summary = study.summary as Record<string, any>;
      expect(Object.keys(summary).sort()).toEqual(['generated', 'real', 'seismic', 'velocity']);
      expect(summary).toMatchObject({ real: 3, generated: 3, velocity: { dimension: 100 }, seismic: { dimension: 128 } });
      for (const domain of ['velocity', 'seismic']) {
        expect(summary[domain].fd).toBeGreaterThan(0);
        expect(summary[domain].fd_bootstrap.resamples).toBe(5);
        expect(Object.keys(summary[domain].spectrum_rmse)).toEqual(['low', 'mid', 'high']);
      }
      expect(summary.seismic.features).toMatch(/stage-1 continuous latent \[8, 16, 16\]/);
      const report = (await dispatch(studio, 'study.open', { studyId: study.id })) as StudyReport;
      expect(report.markdown).toMatch(/^# Distribution fidelity: 3 real and 3 generated pairs/);
      expect(report.markdown).toContain('## Feature spaces');
      expect(report.plots.map((p) => p.file)).toEqual([
        'plots/frechet.png', 'plots/embedding-velocity.png', 'plots/spectrum-velocity.png', 'plots/embedding-seismic.png', 'plots/spectrum-seismic.png', 'plots/relative-spectra.png',
      ]);
      const velocity = report.results.velocity as { embedding: { real: number[][]; generated: number[][] } };
      expect(velocity.embedding.real).toHaveLength(3);
      expect(velocity.embedding.generated).toHaveLength(3);
    }
    expect(summaries[1]).toEqual(summaries[0]);
  }, 240_000);

  it('scores a dataset against itself as identical: Fréchet distance 0 and no spectral difference', async () => {
    const folder = path.join(resourcesDir(), 'demo', 'openfwi', 'openfwi-style pairs');
    const imported = await studio.jobs.waitFor(((await dispatch(studio, 'import.openfwi', { folder, name: 'demo pairs' })) as JobInfo).id);
    expect(imported.status, imported.error ?? '').toBe('done');
    const datasetId = (imported.result as { datasetId: number }).datasetId;
    const started = (await dispatch(studio, 'study.start', { kind: 'fidelity', params: { count: 2, bootstrap: 3, datasetId, generatedDatasetId: datasetId } })) as JobInfo;
    const job = await studio.jobs.waitFor(started.id);
    expect(job.status, job.error ?? '').toBe('done');
    const [study] = (await dispatch(studio, 'study.list', {})) as StudyInfo[];
    expect(study.title).toBe(`Distribution fidelity: 2 real and 2 generated pairs, dataset ${datasetId}`);
    const summary = study.summary as Record<string, any>;
    expect(summary).toMatchObject({ real: 2, generated: 2 });
    for (const domain of ['velocity', 'seismic']) {
      expect(Math.abs(summary[domain].fd), domain).toBeLessThan(1e-6);
      expect(summary[domain].spectrum_rmse).toEqual({ low: 0, mid: 0, high: 0 });
    }
    const report = (await dispatch(studio, 'study.open', { studyId: study.id })) as StudyReport;
    expect(report.markdown).toContain("Generated set: dataset 'demo pairs'");
  }, 240_000);
});
