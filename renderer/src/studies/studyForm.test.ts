import { describe, it, expect } from 'vitest';
import { studyStartSchema } from '../../../main/core/contract/parameters.ts';
import { canCompare, studyFields, studyFormDefaults, studyParamsFromForm } from './studyForm.ts';

describe('New study form', () => {
  it('offers every declared parameter with its default, and the defaults pass the contract', () => {
    const fields = studyFields('latent-sampling').map((f) => `${f.name}:${f.kind}`);
    expect(fields).toEqual(['stage1:model', 'stage2:model', 'inversionnet:model', 'count:number', 'seed:number', 'sampler:sampler', 'curvePoints:number', 'statsCount:number']);
    const values = studyFormDefaults('latent-sampling');
    expect(values).toMatchObject({ stage1: 'default', count: '16', samplerKind: 'ab3', samplerSteps: '20' });
    const result = studyParamsFromForm('latent-sampling', values);
    expect(result.ok).toBe(true);
    if (result.ok) expect(studyStartSchema.parse({ kind: 'latent-sampling', params: result.params }).params).toMatchObject({ count: 16, sampler: { kind: 'ab3', steps: 20 } });
  });

  it('says what is wrong with a field outside its range', () => {
    const result = studyParamsFromForm('latent-sampling', { ...studyFormDefaults('latent-sampling'), count: '0', samplerSteps: 'x', stage2: ' ' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.count).toMatch(/Count must be between 1 and 10000/);
      expect(result.errors.samplerSteps).toMatch(/whole number/);
      expect(result.errors.stage2).toMatch(/name a model/);
    }
  });

  it('leaves an optional parameter out when its field is empty (refined inversion without a dataset)', () => {
    const fields = studyFields('refined-inversion');
    expect(fields.find((f) => f.name === 'datasetId')).toMatchObject({ kind: 'number', optional: true });
    expect(fields.find((f) => f.name === 'count')?.optional).toBe(false);
    const result = studyParamsFromForm('refined-inversion', studyFormDefaults('refined-inversion'));
    expect(result).toEqual({ ok: true, params: { stage1: 'default', stage2: 'default', count: 8, seed: 0, refineSteps: 10, candidates: 100, oscillation: 0.05 } });
    const withDataset = studyParamsFromForm('refined-inversion', { ...studyFormDefaults('refined-inversion'), datasetId: '3' });
    expect(withDataset.ok && withDataset.params.datasetId).toBe(3);
  });

  it('asks for the real dataset of the augmentation study and leaves the generated one optional', () => {
    const fields = studyFields('augmentation-value');
    expect(fields.map((f) => f.name)).toEqual(['datasetId', 'generatedDatasetId', 'realCount', 'heldOutPercent', 'realPercent', 'generatedCount', 'trainSteps', 'batchSize', 'curvePoints', 'seed', 'challengingCount', 'challengingPdeMax', 'fineTuneSteps']);
    expect(fields.find((f) => f.name === 'datasetId')).toMatchObject({ kind: 'number', optional: false });
    expect(fields.find((f) => f.name === 'generatedDatasetId')).toMatchObject({ kind: 'number', optional: true });
    const empty = studyParamsFromForm('augmentation-value', studyFormDefaults('augmentation-value'));
    expect(empty.ok).toBe(false);
    const result = studyParamsFromForm('augmentation-value', { ...studyFormDefaults('augmentation-value'), datasetId: '2' });
    expect(result.ok).toBe(true);
    if (result.ok) expect(studyStartSchema.parse({ kind: 'augmentation-value', params: result.params }).params).toMatchObject({ datasetId: 2, realCount: 200, generatedCount: 2000, trainSteps: 400, batchSize: 8 });
  });

  it('compares two studies of one kind only', () => {
    expect(canCompare(['latent-sampling', 'latent-sampling'])).toBe(true);
    expect(canCompare(['latent-sampling'])).toBe(false);
    expect(canCompare(['latent-sampling', 'refined-inversion'])).toBe(false);
  });
});
