import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { methods } from './contract.ts';
import {
  boundsOf,
  defaultOf,
  generationParameters,
  metaOf,
  numberFromText,
  samplerParameters,
  trainingParameters,
  trainingParamsJsonSchemaText,
  trainingParamsSchemaFile,
} from './parameters.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');

describe('declared parameters', () => {
  it('the committed JSON schema the Python trainer reads matches the contract (npm run params-schema remakes it)', () => {
    const committed = fs.readFileSync(path.join(repoRoot, trainingParamsSchemaFile), 'utf8');
    expect(committed).toBe(trainingParamsJsonSchemaText());
    const properties = (JSON.parse(committed) as { properties: Record<string, { default?: number; minimum: number; maximum: number }> }).properties;
    expect(properties.steps).toMatchObject({ default: 1000, minimum: 1, maximum: 10_000_000 });
    expect(properties.batchSize.default).toBeUndefined();
  });

  it('train.start and generate.start fill in the declared defaults', () => {
    const train = methods['train.start'].args.parse({ network: 'stage1', datasetId: 1 });
    expect([train.steps, train.threads, train.seed, train.batchSize]).toEqual([1000, 1, 0, undefined]);
    const generate = methods['generate.start'].args.parse({ count: 2 });
    expect([generate.batchSize, generate.seed, generate.sampler]).toEqual([4, 0, { kind: 'ab3', steps: 20 }]);
    expect(methods['generate.start'].args.parse({ count: 2, sampler: { kind: 'ddim', steps: 5 } }).sampler).toEqual({ kind: 'ddim', steps: 5, eta: 0 });
    expect(methods['generate.start'].args.safeParse({ count: 2, sampler: { kind: 'ab3', steps: 1 } }).success).toBe(false);
  });

  it('reads defaults, ranges and descriptions off a declaration', () => {
    expect(defaultOf(trainingParameters.threads)).toBe(1);
    expect(defaultOf(trainingParameters.batchSize)).toBeUndefined();
    expect(boundsOf(samplerParameters.ab3Steps)).toEqual({ minimum: 2, maximum: 1000, integer: true });
    expect(boundsOf(samplerParameters.eta)).toEqual({ minimum: 0, maximum: 1, integer: false });
    expect(metaOf(generationParameters.count).title).toBe('Count');
  });

  it('turns text into a value or a message naming the range', () => {
    expect(numberFromText(' 12 ', trainingParameters.steps)).toBe(12);
    expect(numberFromText('0', trainingParameters.steps)).toBe('Steps must be between 1 and 10000000.');
    expect(numberFromText('1.5', trainingParameters.seed)).toBe('Seed must be a whole number (0–2147483647).');
    expect(numberFromText('0.25', samplerParameters.eta)).toBe(0.25);
    expect(numberFromText('x', samplerParameters.eta)).toBe('η must be a number (0–1).');
  });
});
