import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { missing } from '../util/testing/requirement.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { scanOpenfwiFolder, importOpenfwiFolder, exportOpenfwi, sampleSourceFromParts, type OpenfwiSampleSource } from './openfwi.ts';
import { openNpy, readNpy, writeNpy } from './npy.ts';
import { listZipEntries, readZipEntry, extractZipEntry } from './zip.ts';
import { StudioError } from '../contract/errors.ts';
import { sharedDir } from '../util/paths.ts';
import type { Progress } from '../util/progress.ts';

const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), 'testdata', 'openfwi');
const PYTHON = '/usr/bin/python3';
const numpyAvailable = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
const noNumpy = missing('numpy under /usr/bin/python3', numpyAvailable);
const OPENFWI_ZIPS = path.join(sharedDir(), 'testdata', 'openfwi');
const zipsAvailable = fs.existsSync(path.join(OPENFWI_ZIPS, 'FlatVelA_test_vmodel.zip'));

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'openfwi-test-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function fresh(name: string): string {
  const dir = path.join(tmp, name);
  fs.rmSync(dir, { recursive: true, force: true });
  return dir;
}

async function rejection(promise: Promise<unknown>): Promise<StudioError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof StudioError) return error;
    throw error;
  }
  throw new Error('expected a StudioError, the call succeeded');
}

/** Files in a folder, without hidden temporaries filtered out (so leftovers show). */
function listing(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

describe('scanOpenfwiFolder', () => {
  it('pairs data/model files by number in natural order', async () => {
    const dataset = await scanOpenfwiFolder(path.join(FIXTURES, 'vel'));
    expect(dataset.kind).toBe('paired');
    expect(dataset.parts.map((p) => p.key)).toEqual(['1', '2', '10']);
    expect(dataset.parts.map((p) => p.samples)).toEqual([4, 3, 2]);
    expect(dataset.samples).toBe(9);
    expect(dataset.seismicSampleShape).toEqual([2, 30, 6]);
    expect(dataset.velocitySampleShape).toEqual([1, 7, 6]);
    expect(dataset.parts[2]!.seismic!.name).toBe('data10.npy');
    expect(dataset.parts[2]!.velocity.name).toBe('model10.npy');
    expect(dataset.notices).toEqual([]);
  });

  it('pairs the fault families seis/vel files and treats [N, depth, width] velocity as [N, 1, depth, width]', async () => {
    const dataset = await scanOpenfwiFolder(path.join(FIXTURES, 'fault'));
    expect(dataset.parts.map((p) => `${p.seismic!.name}+${p.velocity.name}`)).toEqual(['seis2_1_0.npy+vel2_1_0.npy', 'seis2_1_1.npy+vel2_1_1.npy', 'seis4_1_0.npy+vel4_1_0.npy']);
    expect(dataset.parts[0]!.velocity.storedShape).toEqual([3, 7, 6]);
    expect(dataset.parts[0]!.velocity.shape).toEqual([3, 1, 7, 6]);
    expect(dataset.velocitySampleShape).toEqual([1, 7, 6]);
    expect(dataset.seismicSampleShape).toEqual([2, 25, 6]);
  });

  it('flags a folder of velocity models only', async () => {
    const notices: string[] = [];
    const dataset = await scanOpenfwiFolder(path.join(FIXTURES, 'velocity_only'), { onNotice: (m) => notices.push(m) });
    expect(dataset.kind).toBe('velocity_only');
    expect(dataset.seismicSampleShape).toBeNull();
    expect(dataset.parts.every((p) => p.seismic === null)).toBe(true);
    expect(dataset.samples).toBe(5);
    expect(notices.some((m) => m.includes('velocity models only'))).toBe(true);
  });

  it('rejects a pair whose N differ, naming both files', async () => {
    const error = await rejection(scanOpenfwiFolder(path.join(FIXTURES, 'mismatched')));
    expect(error.code).toBe('bad_file');
    expect(error.message).toContain('data1.npy holds 4 samples (seismic [4, 2, 30, 6]) but model1.npy holds 3 (velocity [3, 1, 7, 6])');
  });

  it('rejects a data file without its model', async () => {
    const error = await rejection(scanOpenfwiFolder(path.join(FIXTURES, 'orphan')));
    expect(error.code).toBe('bad_file');
    expect(error.message).toContain('data2.npy has no velocity file model2.npy');
  });

  it('rejects a model file without its data when the others have data', async () => {
    const dir = fresh('orphan-model');
    fs.mkdirSync(dir);
    for (const name of ['data1.npy', 'model1.npy']) fs.copyFileSync(path.join(FIXTURES, 'vel', name), path.join(dir, name));
    fs.copyFileSync(path.join(FIXTURES, 'vel', 'model2.npy'), path.join(dir, 'model2.npy'));
    const error = await rejection(scanOpenfwiFolder(dir));
    expect(error.message).toContain('model2.npy has no seismic file data2.npy');
  });

  it('rejects wrong dtypes and truncated files, naming them', async () => {
    const wrong = await rejection(scanOpenfwiFolder(path.join(FIXTURES, 'wrong_dtype')));
    expect(wrong.code).toBe('bad_file');
    expect(wrong.message).toMatch(/model1\.npy: the velocity is int16/);
    const truncated = await rejection(scanOpenfwiFolder(path.join(FIXTURES, 'truncated')));
    expect(truncated.code).toBe('bad_file');
    expect(truncated.message).toMatch(/data1\.npy: the file is truncated/);
    expect(truncated.details?.problems).toHaveLength(1);
  });

  it('rejects shapes that differ between parts', async () => {
    const dir = fresh('inconsistent');
    fs.mkdirSync(dir);
    for (const name of ['data1.npy', 'model1.npy']) fs.copyFileSync(path.join(FIXTURES, 'vel', name), path.join(dir, name));
    writeNpy(path.join(dir, 'data2.npy'), new Float32Array(2 * 2 * 31 * 6), [2, 2, 31, 6]);
    writeNpy(path.join(dir, 'model2.npy'), new Float32Array(2 * 7 * 6).fill(2000), [2, 1, 7, 6]);
    const error = await rejection(scanOpenfwiFolder(dir));
    expect(error.message).toContain("data2.npy: seismic samples are [2, 31, 6] but data1.npy's are [2, 30, 6]");
  });

  it('refuses a folder without OpenFWI names and a missing folder', async () => {
    expect((await rejection(scanOpenfwiFolder(path.join(FIXTURES, '..', 'npy')))).code).toBe('bad_input');
    expect((await rejection(scanOpenfwiFolder(path.join(tmp, 'no-such-folder')))).code).toBe('not_found');
  });

  it('warns when "velocity" values are implausible (swapped files)', async () => {
    const notices: string[] = [];
    const dataset = await scanOpenfwiFolder(path.join(FIXTURES, 'swapped'), { onNotice: (m) => notices.push(m) });
    expect(dataset.parts).toHaveLength(1);
    expect(notices.some((m) => /model1\.npy: velocity .*outside the plausible 300–10000 m\/s.*swapped/.test(m))).toBe(true);
  });
});

describe('importOpenfwiFolder', () => {
  it('copies a valid dataset byte for byte with progress in bytes, and refuses to overwrite', async () => {
    const dest = fresh('import-vel');
    const progress: Progress[] = [];
    const description = await importOpenfwiFolder(path.join(FIXTURES, 'vel'), dest, { onProgress: (p) => progress.push(p) });
    expect(listing(dest)).toEqual(['data1.npy', 'data10.npy', 'data2.npy', 'model1.npy', 'model10.npy', 'model2.npy']);
    for (const name of listing(dest)) {
      expect(fs.readFileSync(path.join(dest, name)).equals(fs.readFileSync(path.join(FIXTURES, 'vel', name)))).toBe(true);
    }
    expect(description.kind).toBe('paired');
    expect(description.samples).toBe(9);
    expect(description.parts.map((p) => [p.seismicFile, p.velocityFile, p.samples])).toEqual([
      ['data1.npy', 'model1.npy', 4],
      ['data2.npy', 'model2.npy', 3],
      ['data10.npy', 'model10.npy', 2],
    ]);
    expect(description.parts[0]!.seismicShape).toEqual([4, 2, 30, 6]);
    expect(description.parts[0]!.velocityShape).toEqual([4, 1, 7, 6]);
    const range = description.parts[0]!.velocityRangeMps;
    expect(range.min).toBeGreaterThanOrEqual(1500);
    expect(range.max).toBeLessThanOrEqual(4500);
    const totalBytes = listing(dest).reduce((sum, name) => sum + fs.statSync(path.join(dest, name)).size, 0);
    expect(progress.every((p) => p.unit === 'bytes' && p.total === totalBytes)).toBe(true);
    expect(progress.at(-1)!.done).toBe(totalBytes);
    for (let i = 1; i < progress.length; i += 1) expect(progress[i]!.done).toBeGreaterThanOrEqual(progress[i - 1]!.done);

    const conflict = await rejection(importOpenfwiFolder(path.join(FIXTURES, 'vel'), dest));
    expect(conflict.code).toBe('conflict');
    expect(conflict.message).toContain('data1.npy');
    await importOpenfwiFolder(path.join(FIXTURES, 'vel'), dest, { overwrite: true });
    expect(listing(dest)).toHaveLength(6);
  });

  it('rewrites [N, depth, width] velocity as [N, 1, depth, width] and can rename sequentially', async () => {
    const dest = fresh('import-fault');
    const description = await importOpenfwiFolder(path.join(FIXTURES, 'fault'), dest, { naming: 'sequential' });
    expect(listing(dest)).toEqual(['data1.npy', 'data2.npy', 'data3.npy', 'model1.npy', 'model2.npy', 'model3.npy']);
    expect(description.parts[1]!.sourceVelocityFile).toBe(path.join(FIXTURES, 'fault', 'vel2_1_1.npy'));
    const model = openNpy(path.join(dest, 'model1.npy'));
    expect(model.shape).toEqual([3, 1, 7, 6]);
    expect(model.descr).toBe('<f4');
    expect(readNpy(path.join(dest, 'model1.npy')).data).toEqual(readNpy(path.join(FIXTURES, 'fault', 'vel2_1_0.npy')).data);
    expect(fs.readFileSync(path.join(dest, 'data3.npy')).equals(fs.readFileSync(path.join(FIXTURES, 'fault', 'seis4_1_0.npy')))).toBe(true);
  });

  it.skipIf(noNumpy)('converts float64 to float32 exactly as numpy does, with a notice', async () => {
    const dest = fresh('import-f64');
    const notices: string[] = [];
    await importOpenfwiFolder(path.join(FIXTURES, 'float64'), dest, { onNotice: (m) => notices.push(m) });
    expect(notices.some((m) => m.includes('data1.npy is float64 (converted to float32 on import)'))).toBe(true);
    expect(openNpy(path.join(dest, 'data1.npy')).descr).toBe('<f4');
    const script = `
import sys, numpy as np
for name in ("data1.npy", "model1.npy"):
    src = np.load(sys.argv[1] + "/" + name)
    out = np.load(sys.argv[2] + "/" + name)
    assert out.dtype == np.float32, out.dtype
    assert out.shape == src.shape, (out.shape, src.shape)
    assert np.array_equal(out, src.astype(np.float32)), name
print("ok")
`;
    const result = spawnSync(PYTHON, ['-c', script, path.join(FIXTURES, 'float64'), dest], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('ok');
  });

  it('imports a velocity-only folder', async () => {
    const dest = fresh('import-velonly');
    const description = await importOpenfwiFolder(path.join(FIXTURES, 'velocity_only'), dest);
    expect(description.kind).toBe('velocity_only');
    expect(description.parts.map((p) => [p.seismicFile, p.velocityFile])).toEqual([
      [null, 'model1.npy'],
      [null, 'model2.npy'],
    ]);
    expect(listing(dest)).toEqual(['model1.npy', 'model2.npy']);
  });

  it('does not import an invalid folder, and leaves the destination empty', async () => {
    const dest = fresh('import-bad');
    const error = await rejection(importOpenfwiFolder(path.join(FIXTURES, 'mismatched'), dest));
    expect(error.code).toBe('bad_file');
    expect(listing(dest)).toEqual([]);
  });

  for (const variant of ['streamed copy', 'float64 conversion'] as const) {
    it(`cancelling between chunks (${variant}) leaves no partial file`, async () => {
      const source = fresh(`cancel-src-${variant}`);
      fs.mkdirSync(source);
      const shape = [8, 5, 100, 70];
      const elements = shape.reduce((a, b) => a * b, 1);
      const seismic = variant === 'streamed copy' ? new Float32Array(elements) : new Float64Array(elements);
      for (let i = 0; i < elements; i += 1) seismic[i] = Math.sin(i / 7);
      writeNpy(path.join(source, 'data1.npy'), seismic, shape);
      writeNpy(path.join(source, 'model1.npy'), new Float32Array(8 * 70 * 70).fill(3000), [8, 1, 70, 70]);
      const dest = fresh(`cancel-dest-${variant}`);
      const controller = new AbortController();
      let cloned = false;
      const error = await rejection(
        importOpenfwiFolder(source, dest, {
          signal: controller.signal,
          chunkBytes: 1 << 16,
          onProgress: (p) => {
            if (p.message?.startsWith('cloned')) cloned = true;
            if (p.done > 100_000) controller.abort();
          },
        }),
      );
      expect(error.code).toBe('cancelled');
      // A filesystem with copy-on-write clones copies data1.npy in one step; it is then complete.
      expect(listing(dest)).toEqual(cloned ? ['data1.npy'] : []);
    });
  }
});

describe('exportOpenfwi', () => {
  function syntheticSource(samples: number, withSeismic = true): OpenfwiSampleSource {
    const seismicSampleShape = withSeismic ? [2, 5, 3] : null;
    return {
      samples,
      seismicSampleShape,
      velocitySampleShape: [1, 4, 3],
      read(start, count) {
        const velocity = new Float32Array(count * 12);
        const seismic = withSeismic ? new Float32Array(count * 30) : null;
        for (let s = 0; s < count; s += 1) {
          for (let i = 0; i < 12; i += 1) velocity[s * 12 + i] = 1500 + (start + s) * 10 + i;
          if (seismic) for (let i = 0; i < 30; i += 1) seismic[s * 30 + i] = (start + s) + i / 32;
        }
        return { seismic, velocity };
      },
    };
  }

  it.skipIf(noNumpy)('splits samples into data{k}/model{k} files numpy reads back', async () => {
    const out = fresh('export');
    const progress: Progress[] = [];
    const description = await exportOpenfwi(syntheticSource(7), out, { samplesPerFile: 3, batchSamples: 2, onProgress: (p) => progress.push(p) });
    expect(listing(out)).toEqual(['data1.npy', 'data2.npy', 'data3.npy', 'model1.npy', 'model2.npy', 'model3.npy']);
    expect(description.parts.map((p) => p.samples)).toEqual([3, 3, 1]);
    expect(description.parts[2]!.seismicShape).toEqual([1, 2, 5, 3]);
    expect(description.parts[0]!.velocityRangeMps).toEqual({ min: 1500, max: 1500 + 20 + 11, nonFinite: 0 });
    expect(progress.at(-1)).toMatchObject({ done: 7, total: 7, unit: 'samples' });
    const script = `
import sys, json, numpy as np
d = sys.argv[1]
seis = np.concatenate([np.load(f"{d}/data{k}.npy") for k in (1, 2, 3)])
vel = np.concatenate([np.load(f"{d}/model{k}.npy") for k in (1, 2, 3)])
print(json.dumps({"seis": [seis.dtype.str, list(seis.shape), float(seis[6, 1, 4, 2])], "vel": [vel.dtype.str, list(vel.shape), float(vel[5, 0, 3, 1])]}))
`;
    const result = spawnSync(PYTHON, ['-c', script, out], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      seis: ['<f4', [7, 2, 5, 3], 6 + (1 * 15 + 4 * 3 + 2) / 32],
      vel: ['<f4', [7, 1, 4, 3], 1500 + 50 + 10],
    });

    const conflict = await rejection(exportOpenfwi(syntheticSource(7), out, { samplesPerFile: 3 }));
    expect(conflict.code).toBe('conflict');
    const notices: string[] = [];
    await exportOpenfwi(syntheticSource(4), out, { samplesPerFile: 3, overwrite: true, onNotice: (m) => notices.push(m) });
    expect(openNpy(path.join(out, 'data2.npy')).shape).toEqual([1, 2, 5, 3]);
    expect(notices.some((m) => m.includes('data3.npy') && m.includes('not part of this export'))).toBe(true);
  });

  it('exports velocity only, and re-chunks existing parts (an import) into 500-sample files by default', async () => {
    const out = fresh('export-velonly');
    const description = await exportOpenfwi(syntheticSource(5, false), out);
    expect(listing(out)).toEqual(['model1.npy']);
    expect(description.kind).toBe('velocity_only');

    const imported = fresh('export-reimport');
    const importDescription = await importOpenfwiFolder(path.join(FIXTURES, 'fault'), imported);
    const parts = importDescription.parts.map((p) => ({ seismicPath: path.join(imported, p.seismicFile!), velocityPath: path.join(imported, p.velocityFile) }));
    const out2 = fresh('export-parts');
    const exported = await exportOpenfwi(parts, out2, { samplesPerFile: 4, batchSamples: 3 });
    expect(exported.parts.map((p) => p.samples)).toEqual([4, 3]);
    const source = sampleSourceFromParts(parts);
    const all = await source.read(0, 7);
    const seismic = new Float32Array([...readNpy(path.join(out2, 'data1.npy')).data, ...readNpy(path.join(out2, 'data2.npy')).data]);
    const velocity = new Float32Array([...readNpy(path.join(out2, 'model1.npy')).data, ...readNpy(path.join(out2, 'model2.npy')).data]);
    expect(seismic).toEqual(all.seismic);
    expect(velocity).toEqual(all.velocity);
    // Sample 4 is the second sample of vel2_1_1 (parts hold 3, 2, 2): the files were read across part boundaries.
    expect(velocity.subarray(4 * 42, 5 * 42)).toEqual(readNpy(path.join(FIXTURES, 'fault', 'vel2_1_1.npy')).data.subarray(42, 84));
  });

  it('cancelling leaves no partial file and the committed files complete', async () => {
    const out = fresh('export-cancel');
    const controller = new AbortController();
    const error = await rejection(
      exportOpenfwi(syntheticSource(10), out, {
        samplesPerFile: 4,
        batchSamples: 1,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.done === 6) controller.abort();
        },
      }),
    );
    expect(error.code).toBe('cancelled');
    expect(listing(out)).toEqual(['data1.npy', 'model1.npy']);
    expect(openNpy(path.join(out, 'data1.npy')).shape).toEqual([4, 2, 5, 3]);
  });

  it('warns when exported velocities are implausible', async () => {
    const out = fresh('export-warn');
    const notices: string[] = [];
    const source = syntheticSource(2);
    const swapped: OpenfwiSampleSource = { ...source, read: (s, c) => ({ seismic: new Float32Array(c * 30), velocity: new Float32Array(c * 12).fill(0.5) }) };
    await exportOpenfwi(swapped, out, { onNotice: (m) => notices.push(m) });
    expect(notices.some((m) => m.startsWith('model1.npy: velocity') && m.includes('0.5'))).toBe(true);
  });
});

describe.skipIf(missing('the OpenFWI zips of ../shared/testdata/openfwi', zipsAvailable))('real OpenFWI velocity models (shared/testdata/openfwi)', () => {
  const families = ['FlatVelA', 'CurveVelA', 'FlatFaultA'];

  it('lists the zip entries', () => {
    for (const family of families) {
      const entries = listZipEntries(path.join(OPENFWI_ZIPS, `${family}_test_vmodel.zip`));
      expect(entries.map((e) => e.name).sort()).toEqual(['vmodel11.npy', 'vmodel12.npy']);
      expect(entries.every((e) => e.uncompressedBytes === 9800128)).toBe(true);
    }
  });

  it('extracts vmodel11.npy: [500, 1, 70, 70] float32 in 1500–4500 m/s (whole numbers for the Vel families), as a velocity-only dataset', async () => {
    const folder = fresh('real-openfwi');
    for (const [i, family] of families.entries()) {
      const zip = path.join(OPENFWI_ZIPS, `${family}_test_vmodel.zip`);
      const target = path.join(folder, `model${i + 1}.npy`);
      const progress: Progress[] = [];
      await extractZipEntry(zip, 'vmodel11.npy', target, { onProgress: (p) => progress.push(p) });
      expect(progress.at(-1)).toMatchObject({ done: 9800128, total: 9800128, unit: 'bytes' });
      if (i === 0) {
        // The in-memory reader and the streaming extractor give the same bytes, and so does unzip.
        const inMemory = readZipEntry(zip, 'vmodel11.npy');
        expect(inMemory.equals(fs.readFileSync(target))).toBe(true);
        const unzip = spawnSync('unzip', ['-p', zip, 'vmodel11.npy'], { maxBuffer: 32 << 20 });
        if (unzip.status === 0) expect(unzip.stdout.equals(inMemory)).toBe(true);
      }
      const header = openNpy(target);
      expect(header.shape).toEqual([500, 1, 70, 70]);
      expect(header.descr).toBe('<f4');
      const { data } = readNpy(target);
      let min = Infinity;
      let max = -Infinity;
      let fractional = 0;
      for (const v of data) {
        if (v < min) min = v;
        if (v > max) max = v;
        if (!Number.isInteger(v)) fractional += 1;
      }
      // The Vel families hold whole numbers; FlatFault-A does not (its faulted layers are
      // interpolated: about 20% of its values have fractions, at most 0.5 m/s).
      if (family.includes('Vel')) expect(fractional).toBe(0);
      else expect(fractional).toBeLessThan(data.length / 2);
      expect(min).toBeGreaterThanOrEqual(1500);
      expect(max).toBeLessThanOrEqual(4500);
      expect(max - min).toBeGreaterThan(500);
    }
    const notices: string[] = [];
    const dataset = await scanOpenfwiFolder(folder, { velocityCheck: 'all', onNotice: (m) => notices.push(m) });
    expect(dataset.kind).toBe('velocity_only');
    expect(dataset.samples).toBe(1500);
    expect(dataset.velocitySampleShape).toEqual([1, 70, 70]);
    expect(notices.filter((m) => m.includes('plausible'))).toEqual([]);
  });

  it('refuses a missing entry and a damaged archive', () => {
    const zip = path.join(OPENFWI_ZIPS, 'FlatVelA_test_vmodel.zip');
    let error: unknown;
    try {
      readZipEntry(zip, 'vmodel99.npy');
    } catch (e) {
      error = e;
    }
    expect((error as StudioError).code).toBe('not_found');
    expect((error as StudioError).message).toContain('vmodel11.npy');
    const damaged = path.join(tmp, 'damaged.zip');
    const bytes = fs.readFileSync(zip);
    bytes[20000] = bytes[20000]! ^ 0xff;
    fs.writeFileSync(damaged, bytes);
    try {
      readZipEntry(damaged, 'vmodel11.npy');
      error = null;
    } catch (e) {
      error = e;
    }
    expect((error as StudioError).code).toBe('bad_file');
    fs.writeFileSync(damaged, bytes.subarray(0, 1000));
    expect(() => listZipEntries(damaged)).toThrow(/end-of-central-directory/);
  });
});
