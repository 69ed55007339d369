/**
 * `wavediff synth --shard I/N` and `wavediff merge`: three shards of a synthesis (10 samples, 3 a
 * file: 4 files, the last short) merged are byte for byte the folder one run writes; the merge
 * refuses a gap, a duplicate, a damaged file and a shard of another run, writing nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCaptured as cli } from '../testing/runCliCaptured.ts';
import { tinyGeometry } from '../../core/physics/testing/tinyGeometry.ts';
import { readManifest } from '../../core/io/chunkedSet.ts';
import { generateVelocityModels } from '../../core/physics/families.ts';
import { readNpy } from '../../core/io/npy.ts';
import { Studio } from '../../core/app/studio.ts';
import { studioJobKinds } from '../../core/app/jobKinds.ts';
import { dispatch } from '../../core/api/handlers.ts';
import { Project } from '../../core/store/project.ts';
import type { AcquisitionGeometry } from '../../core/contract/acquisitionGeometry.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-merge-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
process.env.WAVEDIFF_DATA_DIR = path.join(dir, 'user');
const geometryFile = path.join(dir, 'tiny.json');
fs.writeFileSync(geometryFile, JSON.stringify(tinyGeometry()));

const synthArgs = (seed: number) => ['synth', '--family', 'curvefault-a', '--count', '10', '--seed', String(seed), '--shape', '16x16', '--geometry', geometryFile, '--samples-per-file', '3', '--threads', '1'];
const at = (name: string): string => path.join(dir, name);

function bytesOf(folder: string): Record<string, Buffer> {
  return Object.fromEntries(fs.readdirSync(folder).sort().map((name) => [name, fs.readFileSync(path.join(folder, name))]));
}

async function ok(args: string[]): Promise<string> {
  const result = await cli(args);
  expect(result.code, result.stderr).toBe(0);
  return result.stderr;
}

async function refused(args: string[], out: string): Promise<string> {
  const result = await cli([...args, '--out', out]);
  expect(result.code).not.toBe(0);
  expect(fs.existsSync(out) ? fs.readdirSync(out) : []).toEqual([]);
  return result.stderr;
}

describe('wavediff synth --shard I/N and wavediff merge', () => {
  it('three shards merged are the files of one local run, byte for byte', async () => {
    await ok([...synthArgs(3), '--out', at('local')]);
    for (const i of [0, 1, 2]) await ok([...synthArgs(3), '--shard', `${i}/3`, '--out', at(`shard${i}`)]);
    // Contiguous whole files: of 4 files, shard 0 holds file 1, shard 1 file 2, shard 2 files 3 and 4.
    expect(fs.readdirSync(at('shard0')).sort()).toEqual(['data1.npy', 'manifest.json', 'model1.npy', 'synthesis.json']);
    expect(fs.readdirSync(at('shard1')).sort()).toEqual(['data2.npy', 'manifest.json', 'model2.npy', 'synthesis.json']);
    expect(fs.readdirSync(at('shard2')).sort()).toEqual(['data3.npy', 'data4.npy', 'manifest.json', 'model3.npy', 'model4.npy', 'synthesis.json']);
    const shard2 = readManifest(at('shard2'));
    expect(shard2.shard).toEqual({ index: 2, count: 3 });
    expect(shard2.samples).toEqual({ start: 6, end: 10 });
    expect(shard2.chunks.map((c) => [c.model, c.first, c.samples])).toEqual([['model3.npy', 6, 3], ['model4.npy', 9, 1]]);
    // Sample i is made from (seed, i) alone, whichever shard makes it.
    expect(readNpy(at('shard2/model4.npy')).data).toEqual(generateVelocityModels('curvefault-a', 3, 1, { start: 9, shape: { nz: 16, nx: 16 } }));

    const merged = await cli(['merge', at('shard2'), at('shard0'), at('shard1'), '--out', at('merged'), '--json']);
    expect(merged.code, merged.stderr).toBe(0);
    expect(JSON.parse(merged.stdout)).toMatchObject({ kind: 'synthesis', samples: 10, chunks: 4, shards: 3 });
    const local = bytesOf(at('local'));
    expect(Object.keys(local)).toEqual(['data1.npy', 'data2.npy', 'data3.npy', 'data4.npy', 'manifest.json', 'model1.npy', 'model2.npy', 'model3.npy', 'model4.npy', 'synthesis.json']);
    expect(bytesOf(at('merged'))).toEqual(local);
  });

  it('refuses a gap, naming the samples and the shard that is missing', async () => {
    const stderr = await refused(['merge', at('shard0'), at('shard2')], at('gap'));
    expect(stderr).toMatch(/gap: samples 3–5 \(model2\.npy\)/);
    expect(stderr).toContain('shard 1/3');
  });

  it('refuses a duplicate, naming both folders', async () => {
    fs.cpSync(at('shard1'), at('shard1-again'), { recursive: true });
    const stderr = await refused(['merge', at('shard0'), at('shard1'), at('shard1-again'), at('shard2')], at('dup'));
    expect(stderr).toContain(`samples 3–5 (model2.npy) are in both ${at('shard1')} (shard 1/3) and ${at('shard1-again')} (shard 1/3)`);
  });

  it('refuses a damaged file by its checksum, naming the folder and the file', async () => {
    fs.cpSync(at('shard2'), at('shard2-damaged'), { recursive: true });
    const file = at('shard2-damaged/data4.npy');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 1] ^= 0x01;
    fs.writeFileSync(file, bytes);
    const stderr = await refused(['merge', at('shard0'), at('shard1'), at('shard2-damaged')], at('damaged'));
    expect(stderr).toContain(`${at('shard2-damaged')} (shard 2/3): data4.npy has sha256`);
    expect(stderr).toMatch(/damaged or was changed/);
  });

  it('refuses a shard of another run (another seed), naming the difference', async () => {
    await ok([...synthArgs(4), '--shard', '1/3', '--out', at('other-seed')]);
    const stderr = await refused(['merge', at('shard0'), at('other-seed'), at('shard2')], at('mixed'));
    expect(stderr).toContain(`${at('other-seed')} (shard 1/3) is a shard of another run than ${at('shard0')} (shard 0/3): run.seed 4 there, 3 in ${at('shard0')}`);
  });

  it('refuses a folder without a manifest and a shard index out of range', async () => {
    fs.mkdirSync(at('empty'));
    expect(await refused(['merge', at('shard0'), at('empty')], at('nomanifest'))).toContain(`${at('empty')}: no manifest.json`);
    const bad = await cli([...synthArgs(3), '--shard', '3/3', '--out', at('bad-shard')]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--shard 3\/3: write I\/N/);
  });

  it('merge --project registers the merged set as a dataset whose files are links to the shards\' (one file system), and refuses a project of another geometry', async () => {
    const makeProject = async (name: string, geometry: AcquisitionGeometry | null): Promise<string> => {
      const studio = new Studio({ dataDir: path.join(dir, 'user'), shell: 'cli', jobKinds: studioJobKinds() });
      await studio.createProject(at(name), name, { remember: false });
      await dispatch(studio, 'project.setGeometry', { geometry });
      await studio.shutdown();
      return at(name);
    };
    const project = await makeProject('project', tinyGeometry());
    const result = await cli(['merge', at('shard0'), at('shard1'), at('shard2'), '--out', at('registered'), '--project', project, '--name', 'merged shards', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const { datasetId, copied } = JSON.parse(result.stdout) as { datasetId: number; copied: number };
    expect(copied).toBe(0);
    const opened = Project.open(project, { readOnly: true });
    const dataset = opened.catalogue.getReadyDataset(datasetId);
    expect(dataset).toMatchObject({ name: 'merged shards', kind: 'synthetic', nSamples: 10, seismicShape: [2, 60, 16], velocityShape: [1, 16, 16] });
    expect(dataset.parts.map((p) => p.nSamples)).toEqual([3, 3, 3, 1]);
    const registered = opened.arrayPath(dataset.parts[3].seismicFile!);
    opened.close();
    expect(fs.readFileSync(registered)).toEqual(fs.readFileSync(at('local/data4.npy')));
    expect(fs.statSync(registered).ino).toBe(fs.statSync(at('shard2/data4.npy')).ino);

    const openfwiProject = await makeProject('openfwi-project', null);
    const refused = await cli(['merge', at('shard0'), at('shard1'), at('shard2'), '--out', at('registered-elsewhere'), '--project', openfwiProject]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`${at('shard0')}: the run was made with another acquisition geometry than project ${openfwiProject}'s`);
    expect(fs.existsSync(at('registered-elsewhere'))).toBe(false);
  });
});
