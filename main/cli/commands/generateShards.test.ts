/**
 * `wavediff generate --shard I/N` and `wavediff merge` with the shipped default models, onnxruntime
 * and the FD check: three shards of 2 pairs at 1 a file (shard 0 empty, shards 1 and 2 a file each,
 * so a local batch of 2 is split between them) merged hold the arrays of one local run byte for byte,
 * and a metrics table with each sample once, in order, with the local run's metrics.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCaptured as cli } from '../testing/runCliCaptured.ts';
import { readManifest } from '../../core/io/chunkedSet.ts';
import { shippedModelsDir } from '../../core/ml/modelRegistry.ts';
import { missing } from '../../core/util/testing/requirement.ts';

const defaultsShipped = ['stage1', 'stage2', 'inversionnet'].every((kind) => fs.existsSync(path.join(shippedModelsDir(), kind, 'manifest.json')));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-generate-shards-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
process.env.WAVEDIFF_DATA_DIR = path.join(dir, 'user');
const at = (name: string): string => path.join(dir, name);
const generateArgs = ['generate', '--count', '2', '--samples-per-file', '1', '--batch-size', '2', '--steps', '2', '--seed', '11', '--no-segy'];

const npyBytes = (folder: string): Record<string, Buffer> =>
  Object.fromEntries(fs.readdirSync(folder).filter((n) => n.endsWith('.npy')).sort().map((n) => [n, fs.readFileSync(path.join(folder, n))]));

interface MetricsRow {
  data_file: string;
  index_in_file: number;
  sample_index: number;
  seed: number;
  pde_rel_l2: number | null;
  inv_mae: number;
}
const metricsRows = (folder: string): MetricsRow[] => (JSON.parse(fs.readFileSync(path.join(folder, 'metrics.json'), 'utf8')) as { samples: MetricsRow[] }).samples;

describe.skipIf(missing(`the default models in ${shippedModelsDir()}`, defaultsShipped))('wavediff generate --shard I/N and wavediff merge', () => {
  it('three shards merged are the arrays of one local run, with each sample once in the metrics', async () => {
    const local = await cli([...generateArgs, '--out', at('local')]);
    expect(local.code, local.stderr).toBe(0);
    for (const i of [0, 1, 2]) {
      const shard = await cli([...generateArgs, '--shard', `${i}/3`, '--out', at(`shard${i}`)]);
      expect(shard.code, shard.stderr).toBe(0);
    }
    // More shards than files: shard 0 holds none, yet says so in its manifest.
    expect(fs.readdirSync(at('shard0')).sort()).toEqual(['manifest.json', 'metrics.csv', 'metrics.json']);
    expect(readManifest(at('shard0'))).toMatchObject({ samples: { start: 0, end: 0 }, chunks: [] });
    expect(Object.keys(npyBytes(at('shard2')))).toEqual(['data2.npy', 'model2.npy']);
    expect(readManifest(at('shard2')).samples).toEqual({ start: 1, end: 2 });
    expect(metricsRows(at('shard2')).map((r) => [r.sample_index, r.seed, r.data_file, r.index_in_file])).toEqual([[1, 12, 'data2.npy', 0]]);

    const merged = await cli(['merge', at('shard1'), at('shard2'), at('shard0'), '--out', at('merged')]);
    expect(merged.code, merged.stderr).toBe(0);
    const localArrays = npyBytes(at('local'));
    expect(Object.keys(localArrays)).toEqual(['data1.npy', 'data2.npy', 'model1.npy', 'model2.npy']);
    expect(npyBytes(at('merged'))).toEqual(localArrays);
    expect(fs.readFileSync(at('merged/manifest.json'), 'utf8')).toBe(fs.readFileSync(at('local/manifest.json'), 'utf8'));

    const rows = metricsRows(at('merged'));
    expect(rows.map((r) => r.sample_index)).toEqual([0, 1]);
    const pick = (r: MetricsRow) => ({ data_file: r.data_file, index_in_file: r.index_in_file, seed: r.seed, pde_rel_l2: r.pde_rel_l2, inv_mae: r.inv_mae });
    expect(rows.map(pick)).toEqual(metricsRows(at('local')).map(pick));
    expect(rows.every((r) => r.pde_rel_l2 !== null && r.pde_rel_l2 > 0)).toBe(true);
    const csv = fs.readFileSync(at('merged/metrics.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(3);
  }, 300_000);

  it('refuses to merge shards of another sampler setting', async () => {
    const otherSteps = generateArgs.map((a, i) => (generateArgs[i - 1] === '--steps' ? '3' : a));
    const other = await cli([...otherSteps, '--shard', '1/3', '--out', at('other-steps')]);
    expect(other.code, other.stderr).toBe(0);
    const refused = await cli(['merge', at('shard0'), at('other-steps'), at('shard2'), '--out', at('mixed')]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`${at('other-steps')} (shard 1/3) is a shard of another run than ${at('shard0')} (shard 0/3): run.sampler.steps 3 there, 2 in ${at('shard0')}`);
    expect(fs.existsSync(at('mixed/data1.npy'))).toBe(false);
  }, 120_000);
});
