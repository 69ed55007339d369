import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { NpyWriter, writeNpy, readNpy, openNpy, readNpyRows, formatNpyHeader, parseNpyHeader } from './npy.ts';
import { StudioError } from '../util/errors.ts';

const PYTHON = '/usr/bin/python3';
const numpyAvailable = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
if (!numpyAvailable) console.warn(`numpy is not importable from ${PYTHON}: the tests that check numpy reads our files are skipped.`);

/** Loads each file with numpy and returns {dtype, shape, values} per file. */
function loadWithNumpy(files: string[]): { dtype: string; shape: number[]; values: number[] }[] {
  const script = `
import json, sys, numpy as np
out = []
for f in sys.argv[1:]:
    a = np.load(f)
    out.append({"dtype": a.dtype.str, "shape": list(a.shape), "values": a.ravel().astype(np.float64).tolist()})
print(json.dumps(out))
`;
  const result = spawnSync(PYTHON, ['-c', script, ...files], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`numpy failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npy-test-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('NpyWriter', () => {
  it('writes a version 1.0 header aligned to 64 bytes', () => {
    const header = formatNpyHeader('<f4', [500, 5, 1000, 70]);
    expect(header.byteLength % 64).toBe(0);
    expect(header[6]).toBe(1);
    const parsed = parseNpyHeader(header, 'x.npy');
    expect(parsed.shape).toEqual([500, 5, 1000, 70]);
    expect(parsed.dataOffset).toBe(header.byteLength);
    expect(parsed.dtype).toBe('f4');
  });

  it('switches to version 2.0 when the header does not fit 65535 bytes', () => {
    const shape = new Array(25000).fill(1);
    const header = formatNpyHeader('<f4', shape);
    expect(header[6]).toBe(2);
    expect(header.byteLength % 64).toBe(0);
    expect(parseNpyHeader(header, 'x.npy').shape.length).toBe(25000);
  });

  it('patches the first axis of an open-length stream in place', () => {
    const target = path.join(dir, 'stream.npy');
    const writer = new NpyWriter(target, { shape: [null, 2, 3], dtype: '<f4' });
    for (let i = 0; i < 5; i += 1) writer.write(Float32Array.from({ length: 6 }, (_, k) => i * 10 + k));
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.existsSync(writer.temporaryPath)).toBe(true);
    expect(writer.commit()).toEqual([5, 2, 3]);
    expect(fs.existsSync(writer.temporaryPath)).toBe(false);
    const back = readNpy(target);
    expect(back.shape).toEqual([5, 2, 3]);
    expect(back.data[4 * 6 + 5]).toBe(45);
    expect(Array.from(readNpyRows(openNpy(target), 3, 1))).toEqual([30, 31, 32, 33, 34, 35]);
  });

  it('abort removes the temporary and leaves an existing target alone', () => {
    const target = path.join(dir, 'kept.npy');
    writeNpy(target, new Float32Array([1, 2]), [2]);
    const writer = new NpyWriter(target, { shape: [2] });
    writer.write(new Float32Array([9, 9]));
    writer.abort();
    expect(fs.existsSync(writer.temporaryPath)).toBe(false);
    expect(Array.from(readNpy(target).data)).toEqual([1, 2]);
  });

  it('refuses a commit with the wrong element count and removes the temporary', () => {
    const writer = new NpyWriter(path.join(dir, 'short.npy'), { shape: [2, 2] });
    writer.write(new Float32Array(3));
    expect(() => writer.commit()).toThrow(StudioError);
    expect(fs.existsSync(writer.temporaryPath)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'short.npy'))).toBe(false);
    const open = new NpyWriter(path.join(dir, 'ragged.npy'), { shape: [null, 4] });
    open.write(new Float32Array(6));
    expect(() => open.commit()).toThrow(/not a whole number of rows/);
  });

  it.skipIf(!numpyAvailable)('writes files numpy reads with the same values, in every write dtype', () => {
    const cases: { name: string; dtype: '<f4' | '<f8' | '<i4' | '<i2' | 'u1' | 'i1' | 'u2' | 'u4'; values: number[]; numpyDtype: string }[] = [
      { name: 'f4', dtype: '<f4', values: [1.5, -2.25, 3e-7, 1e30, 0], numpyDtype: '<f4' },
      { name: 'f8', dtype: '<f8', values: [Math.PI, -1e-300, 2 ** 53, 0.1, 7], numpyDtype: '<f8' },
      { name: 'i4', dtype: '<i4', values: [-2147483648, 2147483647, 0, -1, 5], numpyDtype: '<i4' },
      { name: 'i2', dtype: '<i2', values: [-32768, 32767, 0, -1, 5], numpyDtype: '<i2' },
      { name: 'u1', dtype: 'u1', values: [0, 255, 1, 128, 7], numpyDtype: '|u1' },
      { name: 'i1', dtype: 'i1', values: [-128, 127, 0, -1, 7], numpyDtype: '|i1' },
      { name: 'u2', dtype: 'u2', values: [0, 65535, 1, 128, 7], numpyDtype: '<u2' },
      { name: 'u4', dtype: 'u4', values: [0, 4294967295, 1, 128, 7], numpyDtype: '<u4' },
    ];
    const files: string[] = [];
    for (const c of cases) {
      const file = path.join(dir, `numpy-${c.name}.npy`);
      const writer = new NpyWriter(file, { shape: [null], dtype: c.dtype });
      writer.write(Float64Array.from(c.values));
      writer.commit();
      files.push(file);
    }
    const stream = path.join(dir, 'numpy-stream.npy');
    const writer = new NpyWriter(stream, { shape: [null, 3, 2] });
    for (let i = 0; i < 123; i += 1) writer.write(Float32Array.from({ length: 6 }, (_, k) => i + k / 8));
    writer.commit();
    files.push(stream);
    const loaded = loadWithNumpy(files);
    cases.forEach((c, i) => {
      expect(loaded[i]!.dtype).toBe(c.numpyDtype);
      expect(loaded[i]!.shape).toEqual([5]);
      const expected = c.dtype === '<f4' ? Array.from(Float32Array.from(c.values)) : c.values;
      expect(loaded[i]!.values).toEqual(expected);
    });
    const last = loaded[cases.length]!;
    expect(last.shape).toEqual([123, 3, 2]);
    expect(last.values[122 * 6 + 5]).toBe(122 + 5 / 8);
  });
});
