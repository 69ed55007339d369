import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readNpy } from '../io/npy.ts';
import { isCancelled } from '../contract/errors.ts';
import { generateVelocityModels } from './families.ts';
import { forwardModel } from './solver.ts';
import { readSynthesisRecord, synthesizeDataset, type SynthesisParams, type SynthesisState } from './synthesis.ts';
import { TINY_SHAPE, tinyGeometry } from './testing/tinyGeometry.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-synth-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const COUNT = 7;
const params = (destDir: string): SynthesisParams => ({
  family: 'flatfault-a',
  count: COUNT,
  seed: 2024,
  geometry: tinyGeometry(),
  destDir,
  samplesPerFile: 3,
  shape: TINY_SHAPE,
  batchSize: 2,
});

function listing(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

function bytesOf(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const name of listing(dir)) if (name.endsWith('.npy')) out[name] = fs.readFileSync(path.join(dir, name));
  return out;
}

describe('synthesizeDataset', async () => {
  const reference = path.join(root, 'reference');
  const progress: number[] = [];
  const result = await synthesizeDataset(params(reference), { writeRecord: true, onProgress: (p) => progress.push(p.done) });

  it('writes OpenFWI-layout files of the seeded models and their forward-modelled seismic', async () => {
    expect(listing(reference)).toEqual(['data1.npy', 'data2.npy', 'data3.npy', 'manifest.json', 'model1.npy', 'model2.npy', 'model3.npy', 'synthesis.json']);
    expect(result.state.committedSamples).toBe(COUNT);
    expect(result.state.files.map((f) => f.samples)).toEqual([3, 3, 1]);
    const model2 = readNpy(path.join(reference, 'model2.npy'));
    const data2 = readNpy(path.join(reference, 'data2.npy'));
    expect(model2.shape).toEqual([3, 1, 16, 16]);
    expect(data2.shape).toEqual([3, 2, 60, 16]);
    const models = generateVelocityModels('flatfault-a', 2024, 3, { start: 3, shape: TINY_SHAPE });
    expect(model2.data).toEqual(models);
    expect(data2.data).toEqual(await forwardModel(models, { n: 3, ...TINY_SHAPE }, tinyGeometry()));
    expect(progress.at(-1)).toBe(COUNT);
    expect(progress.every((d, i) => i === 0 || d >= progress[i - 1])).toBe(true);
  });

  it('is deterministic: a second run from the same seed writes the same bytes', async () => {
    const again = path.join(root, 'again');
    await synthesizeDataset({ ...params(again), batchSize: 3 }, { writeRecord: true });
    expect(bytesOf(again)).toEqual(bytesOf(reference));
  });

  it('resumes after a cancel between batches and after one inside a batch, without losing or repeating samples', async () => {
    const dir = path.join(root, 'resumed');
    const checkpoints: SynthesisState[] = [];
    // Cancel once samples 0–4 are committed (batches end at 2, 3, 5, 6, 7): inside file 2 (samples 3–5).
    const first = new AbortController();
    const stopped = await synthesizeDataset(params(dir), {
      signal: first.signal,
      writeRecord: true,
      checkpoint: (state) => {
        checkpoints.push(state);
        if (state.committedSamples >= 5) first.abort();
      },
    }).catch((error: unknown) => error);
    expect(isCancelled(stopped)).toBe(true);
    expect(checkpoints.at(-1)?.committedSamples).toBe(5);
    // The checkpoint is the one record of an unfinished run: the folder holds no resume file of its own.
    expect(listing(dir)).toEqual(['.synthesis-chunks', 'data1.npy', 'model1.npy']);
    // A crash after a chunk was written but before it was recorded leaves a chunk past the record.
    fs.writeFileSync(path.join(dir, '.synthesis-chunks', 'chunk-000000005-000000006.data.npy'), 'half-made');

    // Second attempt: cancelled while forward-modelling the batch of sample 5.
    const second = new AbortController();
    const stoppedAgain = await synthesizeDataset(params(dir), {
      signal: second.signal,
      writeRecord: true,
      onProgress: (p) => {
        if (p.done > 5) second.abort();
      },
      resumeState: checkpoints.at(-1),
      checkpoint: (state) => checkpoints.push(state),
    }).catch((error: unknown) => error);
    expect(isCancelled(stoppedAgain)).toBe(true);
    expect(checkpoints.at(-1)?.committedSamples).toBe(5);

    const resumed = await synthesizeDataset(params(dir), { writeRecord: true, resumeState: checkpoints.at(-1) });
    expect(resumed.resumedFrom).toBe(5);
    expect(listing(dir)).toEqual(listing(reference));
    expect(bytesOf(dir)).toEqual(bytesOf(reference));
    expect(readSynthesisRecord(dir)).toEqual(result.state);
    // A finished synthesis run again is a no-op.
    expect((await synthesizeDataset(params(dir), { writeRecord: true })).resumedFrom).toBe(COUNT);
  });

  it('with velocityOnly writes the same model files and no seismic, resumably, and is not mixed with a full run', async () => {
    const dir = path.join(root, 'velocity-only');
    const stop = new AbortController();
    let checkpoint: SynthesisState | undefined;
    const stopped = await synthesizeDataset({ ...params(dir), velocityOnly: true }, {
      signal: stop.signal,
      writeRecord: true,
      checkpoint: (state) => {
        checkpoint = state;
        if (state.committedSamples >= 3) stop.abort();
      },
    }).catch((error: unknown) => error);
    expect(isCancelled(stopped)).toBe(true);
    const resumed = await synthesizeDataset({ ...params(dir), velocityOnly: true }, { writeRecord: true, resumeState: checkpoint });
    expect(resumed.resumedFrom).toBe(3);
    expect(listing(dir)).toEqual(['manifest.json', 'model1.npy', 'model2.npy', 'model3.npy', 'synthesis.json']);
    const models = Object.entries(bytesOf(reference)).filter(([name]) => name.startsWith('model'));
    expect(bytesOf(dir)).toEqual(Object.fromEntries(models));
    expect(resumed.state).toEqual({ ...result.state, velocityOnly: true });
    await expect(synthesizeDataset(params(dir), { writeRecord: true })).rejects.toThrow(/different synthesis \(velocityOnly: true there, false asked\)/);
  });

  it('refuses to continue a different synthesis in the same folder, or to mix with foreign files', async () => {
    await expect(synthesizeDataset({ ...params(reference), seed: 7 }, { writeRecord: true })).rejects.toThrow(/different synthesis \(seed: 2024 there, 7 asked\)/);
    // An interrupted run resumed with another run's checkpoint is refused the same way.
    await expect(synthesizeDataset({ ...params(reference), seed: 7 }, { resumeState: result.state })).rejects.toThrow(/different synthesis \(seed: 2024 there, 7 asked\)/);
    const foreign = path.join(root, 'foreign');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'data1.npy'), '');
    await expect(synthesizeDataset(params(foreign))).rejects.toThrow(/no synthesis record describes/);
  });
});
