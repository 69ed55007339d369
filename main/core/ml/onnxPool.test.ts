import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { missing } from '../util/testing/requirement.ts';
import { readNpy, readNpyRaw } from '../io/npy.ts';
import { onnxEpsilonModel } from './denoiser.ts';
import { OnnxSessionPool, checkFeeds } from './onnxPool.ts';
import { sampleDiffusion } from './samplers.ts';
import { makeNoiseSchedule } from './schedule.ts';

const testdata = path.join(path.dirname(new URL(import.meta.url).pathname), 'testdata');
const denoiserPath = path.join(testdata, 'denoiser_tiny.onnx');
const codesPath = path.join(testdata, 'codes_tiny.onnx');
const haveModels = fs.existsSync(denoiserPath) && fs.existsSync(codesPath);
if (!haveModels) {
  console.log(
    `Skipping the ONNX pool tests: ${denoiserPath} or ${codesPath} is missing. ` +
      'Make them with /usr/bin/python3 main/core/ml/testdata/make_test_models.py (needs PyTorch).',
  );
}

const npy = (name: string) => readNpy(path.join(testdata, `${name}.npy`));

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Sample 0 of the PyTorch reference: feeds for the denoiser and the ε PyTorch computed from them. */
function referenceSample(): { feeds: Record<string, { data: Float32Array; dims: number[] }>; eps: Float32Array } {
  const x = npy('denoiser_tiny.x_t');
  const t = npy('denoiser_tiny.timestep');
  return {
    feeds: { x_t: { data: x.data.slice(0, 256), dims: [1, 4, 8, 8] }, timestep: { data: t.data.slice(0, 1), dims: [1] } },
    eps: npy('denoiser_tiny.eps').data.slice(0, 256),
  };
}

const noModels = missing('the tiny ONNX test models in main/core/ml/testdata (make_test_models.py)', haveModels);
describe.skipIf(noModels)('OnnxSessionPool with tiny PyTorch-exported models', () => {
  let pool: OnnxSessionPool;
  const notices: string[] = [];

  beforeAll(async () => {
    pool = new OnnxSessionPool({ workers: 2, intraOpThreads: 1, cores: 2, onNotice: (m) => notices.push(m) });
    await pool.loadModel('denoiser', denoiserPath);
    await pool.loadModel('codes', codesPath);
  });
  afterAll(async () => {
    await pool?.close();
  });

  test('reports the graph, the CPU fallback once, and the provider used', () => {
    const info = pool.modelInfo('denoiser');
    expect(info.inputs).toEqual([
      { name: 'x_t', type: 'float32', shape: ['batch', 4, 8, 8] },
      { name: 'timestep', type: 'float32', shape: ['batch'] },
    ]);
    expect(info.outputs).toEqual([{ name: 'eps', type: 'float32', shape: ['batch', 4, 8, 8] }]);
    expect(info.label).toBe(denoiserPath);
    // this machine has onnxruntime-node without its CUDA provider binaries
    expect(pool.providerOf('denoiser')).toBe('cpu');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^CUDA execution provider unavailable \(.+\); running on CPU\.$/);
    expect(pool.loadedModels.sort()).toEqual(['codes', 'denoiser']);
  });

  test("outputs equal PyTorch's (float32 and int64 tensors) within 1e-5", async () => {
    const x = npy('denoiser_tiny.x_t');
    const t = npy('denoiser_tiny.timestep');
    const expected = npy('denoiser_tiny.eps');
    const result = await pool.run('denoiser', { x_t: { data: x.data, dims: x.shape }, timestep: { data: t.data, dims: t.shape } });
    expect(result.provider).toBe('cpu');
    expect(result.outputs.eps.dims).toEqual([3, 4, 8, 8]);
    expect(result.outputs.eps.data).toBeInstanceOf(Float32Array);
    expect(maxAbsDifference(result.outputs.eps.data as Float32Array, expected.data)).toBeLessThan(1e-5);
    expect(x.data.byteLength).toBe(0); // the feed was transferred, not copied

    const codes = readNpyRaw(path.join(testdata, 'codes_tiny.codes.npy'));
    const embedded = npy('codes_tiny.embedded');
    const total = readNpyRaw(path.join(testdata, 'codes_tiny.total.npy'));
    const coded = await pool.run('codes', { codes: { data: codes.data as BigInt64Array, dims: codes.shape } });
    expect(maxAbsDifference(coded.outputs.embedded.data as Float32Array, embedded.data)).toBeLessThan(1e-5);
    expect(coded.outputs.total.type).toBe('int64');
    expect(Array.from(coded.outputs.total.data as BigInt64Array)).toEqual(Array.from(total.data as BigInt64Array));
  });

  test('1 and 2 workers give identical outputs; concurrent runs use both workers', async () => {
    const single = new OnnxSessionPool({ workers: 1, intraOpThreads: 1, cores: 2 });
    try {
      await single.loadModel('denoiser', denoiserPath);
      const x = npy('denoiser_tiny.x_t');
      const batches = [0, 1, 2].map((b) => x.data.slice(b * 256, (b + 1) * 256));
      const run = (p: OnnxSessionPool, b: number) =>
        p.run('denoiser', { x_t: { data: batches[b].slice(), dims: [1, 4, 8, 8] }, timestep: { data: new Float32Array([100 * b + 7]), dims: [1] } });
      const fromTwo = await Promise.all([0, 1, 2, 0, 1, 2].map((b) => run(pool, b)));
      const fromOne = await Promise.all([0, 1, 2].map((b) => run(single, b)));
      expect(new Set(fromTwo.map((r) => r.worker))).toEqual(new Set([0, 1]));
      for (let i = 0; i < 6; i += 1) {
        const a = fromTwo[i].outputs.eps.data as Float32Array;
        const b = fromOne[i % 3].outputs.eps.data as Float32Array;
        expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
      }
    } finally {
      await single.close();
    }
  });

  test('feeds that disagree with the graph are refused before they reach a worker, naming the mismatch', async () => {
    const x = () => new Float32Array(2 * 4 * 8 * 8);
    const t = () => new Float32Array(2);
    await expect(pool.run('denoiser', { x: { data: x(), dims: [2, 4, 8, 8] }, timestep: { data: t(), dims: [2] } })).rejects.toThrow(
      /denoiser_tiny\.onnx has no input 'x'; its inputs are x_t \[batch, 4, 8, 8\] float32, timestep \[batch\] float32/,
    );
    await expect(pool.run('denoiser', { x_t: { data: x(), dims: [2, 4, 8, 8] } })).rejects.toThrow(/input timestep \[batch\] float32 is missing/);
    await expect(pool.run('denoiser', { x_t: { data: new Float32Array(2 * 3 * 8 * 8), dims: [2, 3, 8, 8] }, timestep: { data: t(), dims: [2] } })).rejects.toThrow(
      /input 'x_t' axis 1 is 3, the graph declares 4/,
    );
    await expect(pool.run('denoiser', { x_t: { data: x(), dims: [2, 256] }, timestep: { data: t(), dims: [2] } })).rejects.toThrow(
      /input 'x_t' has 2 dimensions \[2, 256\], the graph declares 4/,
    );
    await expect(pool.run('denoiser', { x_t: { data: x(), dims: [2, 4, 8, 8] }, timestep: { data: new Float32Array(3), dims: [3] } })).rejects.toThrow(
      /'batch' is 2 for input 'x_t' but 3 for input 'timestep'/,
    );
    await expect(pool.run('denoiser', { x_t: { data: x(), dims: [2, 4, 8, 8] }, timestep: { data: new BigInt64Array(2), dims: [2] } })).rejects.toThrow(
      /input 'timestep' is float32 \(Float32Array\), but a BigInt64Array was given/,
    );
    await expect(pool.run('denoiser', { x_t: { data: new Float32Array(5), dims: [2, 4, 8, 8] }, timestep: { data: t(), dims: [2] } })).rejects.toThrow(
      /has 5 values, but dims \[2, 4, 8, 8\] need 512/,
    );
    await expect(pool.run('nothing', {})).rejects.toThrow(/No ONNX model 'nothing' is loaded/);
    // checkFeeds on its own, for a graph without symbolic sizes
    expect(() => checkFeeds({ label: 'm.onnx', inputs: [{ name: 'a', type: 'int32', shape: [3] }] }, { a: { data: new Int32Array(3), dims: [3] } })).not.toThrow();
  });

  test('views into a larger buffer are copied, not detached', async () => {
    const whole = new Float32Array(2 * 256);
    const view = whole.subarray(256);
    const result = await pool.run('denoiser', { x_t: { data: view, dims: [1, 4, 8, 8] }, timestep: { data: new Float32Array([5]), dims: [1] } });
    expect(whole.length).toBe(512);
    expect(result.outputs.eps.dims).toEqual([1, 4, 8, 8]);
  });

  test('a missing, empty or corrupt model file gives an error naming the file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-onnx-'));
    try {
      const missing = path.join(dir, 'absent.onnx');
      await expect(pool.loadModel('x', missing)).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining(missing) });
      const corrupt = path.join(dir, 'corrupt.onnx');
      fs.writeFileSync(corrupt, fs.readFileSync(denoiserPath).subarray(0, 700));
      await expect(pool.loadModel('x', corrupt)).rejects.toMatchObject({
        code: 'bad_file',
        message: expect.stringMatching(new RegExp(`^${corrupt.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not a model onnxruntime can load \\(.+\\)`)),
      });
      const empty = path.join(dir, 'empty.onnx');
      fs.writeFileSync(empty, '');
      await expect(pool.loadModel('x', empty)).rejects.toThrow(/empty\.onnx is empty/);
      expect(pool.loadedModels).not.toContain('x');
      // the pool still gives PyTorch's values afterwards
      const reference = referenceSample();
      const after = await pool.run('denoiser', reference.feeds);
      expect(maxAbsDifference(after.outputs.eps.data as Float32Array, reference.eps)).toBeLessThan(1e-5);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the denoiser drives a sampler; the result does not depend on the pool size', async () => {
    const schedule = makeNoiseSchedule();
    const providers = new Set<string>();
    const request = (p: OnnxSessionPool) => ({
      schedule,
      model: onnxEpsilonModel(p, 'denoiser', [4, 8, 8], { onRun: (r) => providers.add(r.provider) }),
      sampler: { kind: 'ab' as const, steps: 6 },
      sampleShape: [4, 8, 8],
      seeds: [1, 2],
    });
    const two = await sampleDiffusion(request(pool));
    const single = new OnnxSessionPool({ workers: 1, intraOpThreads: 1, cores: 1 });
    try {
      await single.loadModel('denoiser', denoiserPath);
      const one = await sampleDiffusion(request(single));
      expect(Buffer.from(one.samples.buffer).equals(Buffer.from(two.samples.buffer))).toBe(true);
    } finally {
      await single.close();
    }
    expect(two.samples.every(Number.isFinite)).toBe(true);
    expect([...providers]).toEqual(['cpu']);
  });
});

describe.skipIf(noModels)('OnnxSessionPool lifecycle', () => {
  test('close() waits for runs in flight, rejects queued ones, and refuses new work', async () => {
    const pool = new OnnxSessionPool({ workers: 1, intraOpThreads: 1, cores: 1, provider: 'cpu' });
    await pool.loadModel('denoiser', denoiserPath);
    const feeds = () => ({ x_t: { data: new Float32Array(256), dims: [1, 4, 8, 8] }, timestep: { data: new Float32Array([3]), dims: [1] } });
    const first = pool.run('denoiser', feeds());
    const queued = pool.run('denoiser', feeds());
    const queuedOutcome = expect(queued).rejects.toMatchObject({ code: 'cancelled' });
    const closing = pool.close();
    await expect(first).resolves.toMatchObject({ provider: 'cpu', worker: 0 });
    await queuedOutcome;
    await closing;
    await expect(pool.run('denoiser', feeds())).rejects.toMatchObject({ code: 'conflict' });
  });

  test("provider 'cpu' gives no notice; an aborted signal cancels a queued run", async () => {
    const notices: string[] = [];
    const pool = new OnnxSessionPool({ workers: 1, cores: 1, provider: 'cpu', onNotice: (m) => notices.push(m) });
    try {
      await pool.loadModel('denoiser', denoiserPath);
      expect(notices).toEqual([]);
      const controller = new AbortController();
      const feeds = () => ({ x_t: { data: new Float32Array(256), dims: [1, 4, 8, 8] }, timestep: { data: new Float32Array([3]), dims: [1] } });
      const reference = referenceSample();
      const running = pool.run('denoiser', reference.feeds);
      const queued = pool.run('denoiser', feeds(), { signal: controller.signal });
      controller.abort();
      await expect(queued).rejects.toMatchObject({ code: 'cancelled' });
      const ran = await running;
      expect(ran).toMatchObject({ provider: 'cpu', worker: 0 });
      expect(maxAbsDifference(ran.outputs.eps.data as Float32Array, reference.eps)).toBeLessThan(1e-5);
    } finally {
      await pool.close();
    }
  });

  test("provider 'cuda' without the CUDA binaries is a clear error; sizes beyond the allowed cores are refused", async () => {
    const pool = new OnnxSessionPool({ workers: 1, cores: 1, provider: 'cuda' });
    try {
      await expect(pool.loadModel('denoiser', denoiserPath)).rejects.toMatchObject({
        code: 'unsupported',
        message: expect.stringContaining('the CUDA execution provider could not be used'),
      });
    } finally {
      await pool.close();
    }
    expect(() => new OnnxSessionPool({ workers: 2, intraOpThreads: 2, cores: 2 })).toThrow(/2 workers × 2 intra-op threads exceeds the 2 cores/);
    expect(new OnnxSessionPool({ cores: 16 })).toMatchObject({ workerCount: 2, intraOpThreads: 8 });
  });
});
