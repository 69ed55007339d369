import { describe, expect, it } from 'vitest';
import { defaultModelRef, generateArgs, parseIntField, trainArgs, type GenerateForm, type TrainForm } from './forms.ts';

const train: TrainForm = {
  network: 'inversionnet',
  datasetId: 3,
  valDatasetId: null,
  steps: '2',
  batchSize: '',
  threads: '1',
  seed: '0',
  name: '',
  stage1Model: '',
  logEvery: '1',
  previewEvery: '',
  evalEvery: '',
};

describe('trainArgs', () => {
  it('builds the contract arguments, leaving optional ones out', () => {
    expect(trainArgs(train, 2)).toEqual({ ok: true, args: { network: 'inversionnet', datasetId: 3, steps: 2, threads: 1, seed: 0, extraArgs: ['--log-every', '1'] } });
  });
  it('passes held-out data, batch size, name and the stage-1 model for stage 2', () => {
    const result = trainArgs({ ...train, network: 'stage2', valDatasetId: 4, batchSize: '8', name: ' mine ', stage1Model: 'project:2', previewEvery: '5' }, 2);
    expect(result).toEqual({
      ok: true,
      args: { network: 'stage2', datasetId: 3, valDatasetId: 4, steps: 2, batchSize: 8, threads: 1, seed: 0, name: 'mine', stage1Model: 'project:2', extraArgs: ['--log-every', '1', '--preview-every', '5'] },
    });
  });
  it('names every wrong field', () => {
    const result = trainArgs({ ...train, network: 'stage2', datasetId: null, steps: '0', threads: '9', seed: '-1', batchSize: 'x', logEvery: '0' }, 4);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['batchSize', 'datasetId', 'logEvery', 'seed', 'stage1Model', 'steps', 'threads']);
    expect(result.errors.threads).toBe('Threads must be between 1 and 4.');
  });
  it('refuses the training dataset as its own held-out set', () => {
    const result = trainArgs({ ...train, valDatasetId: 3 }, 2);
    expect(result.ok ? null : result.errors.valDatasetId).toMatch(/must differ/);
  });
});

const generate: GenerateForm = {
  stage1: 'default:stage1',
  stage2: 'default:stage2',
  inversionnet: 'project:3',
  count: '8',
  batchSize: '4',
  sampler: 'ddim',
  steps: '20',
  eta: '0.5',
  seed: '7',
  physicsCheck: true,
  name: '',
};

describe('generateArgs', () => {
  it('builds each sampler', () => {
    const ddim = generateArgs(generate);
    expect(ddim.ok && ddim.args.sampler).toEqual({ kind: 'ddim', steps: 20, eta: 0.5 });
    const ab3 = generateArgs({ ...generate, sampler: 'ab3', eta: 'ignored' });
    expect(ab3.ok && ab3.args.sampler).toEqual({ kind: 'ab3', steps: 20 });
    const ddpm = generateArgs({ ...generate, sampler: 'ddpm', steps: '' });
    expect(ddpm).toEqual({
      ok: true,
      args: { stage1: 'default:stage1', stage2: 'default:stage2', inversionnet: 'project:3', count: 8, batchSize: 4, sampler: { kind: 'ddpm' }, seed: 7, physicsCheck: true },
    });
  });
  it('checks the ranges of the contract', () => {
    const result = generateArgs({ ...generate, stage2: '', count: '0', batchSize: '300', sampler: 'ab3', steps: '1', eta: '2' });
    expect(result.ok ? {} : result.errors).toEqual({
      stage2: 'Choose a stage-2 model.',
      count: 'Count must be between 1 and 1000000.',
      batchSize: 'Batch size must be between 1 and 256.',
      steps: 'Sampler steps must be between 2 and 1000.',
    });
    const eta = generateArgs({ ...generate, eta: '1.5' });
    expect(eta.ok ? null : eta.errors.eta).toBe('η must be between 0 and 1.');
  });
});

describe('parseIntField', () => {
  it('accepts whole numbers in range only', () => {
    expect(parseIntField(' 12 ', 'Steps', 1, 100)).toBe(12);
    expect(parseIntField('1.5', 'Steps', 1, 100)).toMatch(/whole number/);
    expect(parseIntField('', 'Steps', 1, 100)).toMatch(/whole number/);
  });
});

describe('defaultModelRef', () => {
  it('prefers the shipped model, else the newest project model', () => {
    const models = [
      { ref: 'project:1', kind: 'stage1', source: 'project', createdAt: '2026-01-01' },
      { ref: 'project:2', kind: 'stage1', source: 'project', createdAt: '2026-02-01' },
      { ref: 'default:stage2', kind: 'stage2', source: 'shipped', createdAt: '2025-01-01' },
      { ref: 'project:3', kind: 'stage2', source: 'project', createdAt: '2026-03-01' },
    ];
    expect(defaultModelRef(models, 'stage1')).toBe('project:2');
    expect(defaultModelRef(models, 'stage2')).toBe('default:stage2');
    expect(defaultModelRef(models, 'inversionnet')).toBe('');
  });
});
