/**
 * Models judged against the declared limits: the shipped defaults as their manifests and the model
 * card record them, and a stage-2 model by the PDE deviation of the pairs generated with it in a real
 * project catalogue (physics-unchecked samples left out of the mean).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Project } from '../store/project.ts';
import { openfwiGeometry } from '../physics/acquisition.ts';
import { shippedModels, shippedCard, type ModelEntry } from '../ml/modelRegistry.ts';
import { QUALITY_LIMITS, qualityCheck, qualityWarning } from '../contract/modelQuality.ts';
import type { GenerationStore } from '../store/tables/generation.ts';
import { assessModel } from './modelQuality.ts';

let dir: string;
let project: Project;
let store: GenerationStore;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-quality-'));
  project = Project.create(path.join(dir, 'p'), 'quality');
  store = project.catalogue.generation;
  const deviations: Record<string, (number | null)[]> = { 'project:3': [0.9, 1.0, 0.98, null], 'default:stage2': [0.2, 0.3] };
  let seed = 0;
  for (const [stage2Ref, values] of Object.entries(deviations)) {
    const run = store.createRun(
      { jobId: null, stage1Ref: 'default:stage1', stage2Ref, inversionRef: 'default:inversionnet', sampler: 'ab3', samplerLabel: 'AB3', steps: 20, seed: ++seed, count: values.length, batchSize: 4, physicsCheck: true, provider: 'cpu', geometry: openfwiGeometry(), params: {} },
      { name: `run ${seed}`, folder: `gen-quality-${seed}`, sampleIntervalMs: 1, gridSpacingM: 10, meta: {} },
    );
    store.insertSampleRows(
      run.id,
      values.map((pde, i) => ({ sampleIndex: i, partIndex: 0, rowInPart: i, seed: i, pde_rel_l2: pde, pde_mse: pde, pde_rel_l2_per_source: null, inv_mae: 0.1, inv_rmse: 0.1, inv_ssim: 0.8, model: stage2Ref, sampler: 'ab3', steps: 20, provider: 'cpu' })),
    );
  }
});

afterAll(() => {
  project?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('quality checks', () => {
  it('judges against the limit, says what failing means, and gives velocity errors in m/s', () => {
    const bad = qualityCheck('generatedPdeRelL2', 0.96, 'test');
    expect(bad).toMatchObject({ pass: false, limit: QUALITY_LIMITS.generatedPdeRelL2, verdict: 'physically inconsistent' });
    expect(qualityCheck('generatedPdeRelL2', 0.2, 'test').verdict).toBe('physically consistent');
    expect(qualityCheck('generatedPdeRelL2', Number.NaN, 'test').pass).toBe(false);
    // MAE 0.05 on [−1, 1] over 1500–4500 m/s is 75 m/s.
    expect(qualityCheck('velocityMaeFlatVelA', 0.05, 'test').verdict).toContain('75 m/s');
    expect(qualityWarning([bad])).toBe('PDE deviation of generated pairs 0.96 — physically inconsistent (limit 0.35; test)');
    expect(qualityWarning([qualityCheck('generatedPdeRelL2', 0.2, 'test')])).toBeNull();
  });

  it('averages the physics-checked pairs of each stage-2 model in the catalogue', () => {
    const rows = store.pdeDeviationByStage2Model();
    expect(rows.map((r) => r.stage2Ref)).toEqual(['default:stage2', 'project:3']);
    expect(rows[1].samples).toBe(3);
    expect(rows[1].meanPdeRelL2).toBeCloseTo((0.9 + 1.0 + 0.98) / 3, 12);
  });

  it('judges a project stage-2 model by its generated pairs, and says nothing without a measurement', () => {
    const generated = store.pdeDeviationByStage2Model();
    const model: ModelEntry = { ref: 'project:3', name: 'mine', kind: 'stage2', source: 'project', folder: dir, manifest: { metrics: {} }, createdAt: '' };
    const quality = assessModel(model, generated);
    expect(quality.checks).toHaveLength(1);
    expect(quality.checks[0]).toMatchObject({ id: 'generatedPdeRelL2', pass: false, basis: 'mean of 3 pairs generated in this project' });
    expect(quality.warning).toContain('physically inconsistent');
    expect(assessModel({ ...model, ref: 'project:4' }, generated)).toEqual({ ref: 'project:4', checks: [], warning: null });
  });

  it('judges the shipped defaults from their manifests and the model card', () => {
    const shipped = shippedModels();
    expect(shipped.map((m) => m.kind).sort()).toEqual(['inversionnet', 'stage1', 'stage2']);
    const byKind = Object.fromEntries(shipped.map((m) => [m.kind, assessModel(m, [])]));
    const inversion = byKind.inversionnet.checks.find((c) => c.id === 'velocityMaeFlatVelA')!;
    const manifestMetrics = shipped.find((m) => m.kind === 'inversionnet')!.manifest.metrics as Record<string, number>;
    expect(inversion.value).toBe(manifestMetrics['real-flatvel-a/velocity_mae']);
    expect(byKind.stage1.checks.map((c) => c.id)).toEqual(['velocityMaeFlatVelA', 'velocityMaeCurveVelA', 'seismicRelativeL2Amplitude']);
    const card = shippedCard() as { generation: { generated_mean_pde_rel_l2: number } };
    const pde = byKind.stage2.checks.find((c) => c.id === 'generatedPdeRelL2')!;
    expect(pde.value).toBe(card.generation.generated_mean_pde_rel_l2);
    expect(pde.basis).toMatch(/^model card/);
    // Pairs generated in the project take precedence over the card's measurement.
    const here = assessModel(shipped.find((m) => m.kind === 'stage2')!, store.pdeDeviationByStage2Model());
    expect(here.checks.find((c) => c.id === 'generatedPdeRelL2')).toMatchObject({ value: 0.25, pass: true, basis: 'mean of 2 pairs generated in this project' });
  });
});
