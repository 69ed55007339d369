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

  it('compares two studies of one kind only', () => {
    expect(canCompare(['latent-sampling', 'latent-sampling'])).toBe(true);
    expect(canCompare(['latent-sampling'])).toBe(false);
    expect(canCompare(['latent-sampling', 'refined-inversion'])).toBe(false);
  });
});
