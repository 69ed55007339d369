/**
 * The augmentation study's report from given arm results (no training): the verdict calls a change
 * of the held-out MAE a help or a harm only beyond the noise margin, the table has a row per arm,
 * and a study without the challenging variant says why.
 */
import { describe, expect, it } from 'vitest';
import { studyParameters } from '../contract/parameters.ts';
import type { CatalogueDataset } from '../store/tables/datasets.ts';
import { augmentationOutcome, type ArmId, type ArmResult, type SetMetrics, type Splits } from './augmentationValue.ts';

const params = studyParameters['augmentation-value'].parse({ datasetId: 1, challengingCount: 0 });
const dataset = (id: number, name: string, nSamples: number) => ({ id, name, nSamples, folder: `ds${id}`, parts: [], meta: {} }) as unknown as CatalogueDataset;
const real = dataset(1, 'real pairs', 200);
const generated = dataset(2, 'generated pairs', 2000);
const splits: Splits = {
  real,
  generated,
  realUsed: 200,
  heldOut: { dataset: real, indices: Array.from({ length: 40 }, (_, i) => i) },
  realTrain: { dataset: real, indices: Array.from({ length: 40 }, (_, i) => 40 + i) },
  realPool: 160,
  generatedTrain: { dataset: generated, indices: Array.from({ length: 2000 }, (_, i) => i) },
  challengingTrain: null,
  challengingHeldOut: null,
  challengingNote: 'The fine-tuning variant was left out (challengingCount 0).',
  generationRunId: 1,
};
const metrics = (mae: number): SetMetrics => ({ samples: 40, mae, rmse: mae * 1.2, ssim: 1 - mae });
const arm = (id: ArmId, label: string, mae: number, trainSamples: number): ArmResult => ({
  id,
  label,
  trainSamples,
  steps: 400,
  samplesSeen: 3200,
  modelFolder: `studies/1/runs/${id}/model`,
  initFrom: null,
  data: [],
  real: metrics(mae),
  challenging: null,
  curves: { real: [{ step: 400, mae, rmse: mae, ssim: 0.5 }], challenging: [], loss: [[400, 0.1]] },
  trainerMetrics: {},
});

describe('augmentation study report', () => {
  it('calls generated pairs a help only when the MAE falls beyond the noise margin', () => {
    const helped = augmentationOutcome(params, splits, [arm('real', '(a) 25 % real', 0.2, 40), arm('generated', '(b) generated only', 0.25, 2000), arm('generated_real', '(c) generated + 25 % real', 0.15, 2040)], null);
    expect(helped.sections[0].markdown).toContain('reached a velocity MAE of 0.150 against 0.200 for the 25 % real pairs alone (a), −25.0 %: the 2000 generated pairs helped');
    expect(helped.sections[0].markdown).toContain('The fine-tuning variant was left out (challengingCount 0).');
    expect(helped.summary).toMatchObject({ generated_helps: true, challenging_helps: null, held_out: { real: 40, challenging: 0 } });
    expect(helped.table.rows.map((r) => r[2])).toEqual([40, 2000, 2040]);
    expect(helped.plots.map((p) => p.name)).toEqual(['learning-curves', 'training-loss', 'held-out-metrics']);

    const noise = augmentationOutcome(params, splits, [arm('real', '(a)', 0.2, 40), arm('generated', '(b)', 0.25, 2000), arm('generated_real', '(c)', 0.195, 2040)], null);
    expect(noise.sections[0].markdown).toContain('changed the MAE by less than 5 %, too little for one small run to tell');
    const worse = augmentationOutcome(params, splits, [arm('real', '(a)', 0.2, 40), arm('generated', '(b)', 0.25, 2000), arm('generated_real', '(c)', 0.3, 2040)], null);
    expect(worse.sections[0].markdown).toContain('+50.0 %: the 2000 generated pairs did not help');
    expect(worse.summary.generated_helps).toBe(false);
  });
});
