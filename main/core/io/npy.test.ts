import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { missing } from '../util/testing/requirement.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { NpyWriter, writeNpy, readNpy, readNpyRaw, openNpy, readNpyRows, formatNpyHeader, parseNpyHeader, FORTRAN_CONVERSION_LIMIT_BYTES } from './npy.ts';
import { StudioError } from '../contract/errors.ts';

const PYTHON = '/usr/bin/python3';
const numpyAvailable = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
const noNumpy = missing('numpy under /usr/bin/python3', numpyAvailable);

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

  it.skipIf(noNumpy)('writes files numpy reads with the same values, in every write dtype', () => {
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

const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), 'testdata', 'npy');
interface Expected {
  dtype: string;
  shape: number[];
  fortran_order: boolean;
  version: number;
  values: (number | string)[];
}
const expected: Record<string, Expected> = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8'));

function fixture(name: string): string {
  return path.join(FIXTURES, `${name}.npy`);
}

/** Catches the StudioError a call throws. */
function thrown(call: () => unknown): StudioError {
  try {
    call();
  } catch (error) {
    if (error instanceof StudioError) return error;
    throw error;
  }
  throw new Error('expected a StudioError, nothing was thrown');
}

describe('reading files numpy wrote', () => {
  it('has fixtures for every variant', () => {
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(20);
    expect(expected.v2_f4!.version).toBe(2);
    expect(expected.v3_f4!.version).toBe(3);
  });

  for (const [name, want] of Object.entries(expected)) {
    it(`${name}: ${want.dtype} ${JSON.stringify(want.shape)}${want.fortran_order ? ' Fortran order' : ''}, header v${want.version}`, () => {
      const header = openNpy(fixture(name));
      expect(header.shape).toEqual(want.shape);
      expect(header.version).toBe(want.version);
      expect(header.descr.slice(1)).toBe(want.dtype.slice(1));

      const notices: string[] = [];
      const asFloat32 = readNpy(fixture(name), { onNotice: (m) => notices.push(m) });
      expect(asFloat32.shape).toEqual(want.shape);
      // numpy's values rounded to float32: exactly what a float32 conversion must give.
      const wantFloat32 = Float32Array.from(want.values.map(Number));
      expect(asFloat32.data).toEqual(wantFloat32);
      if (want.dtype.endsWith('f8')) expect(notices.some((m) => m.includes('float64 data converted to float32'))).toBe(true);
      if (want.fortran_order) expect(notices.some((m) => m.includes('Fortran order'))).toBe(true);
      if (want.dtype.endsWith('f4') && !want.fortran_order) expect(notices).toEqual([]);

      const raw = readNpyRaw(fixture(name));
      expect(raw.shape).toEqual(want.shape);
      if (want.dtype.endsWith('i8')) {
        expect(Array.from(raw.data as BigInt64Array, (v) => v.toString())).toEqual(want.values);
      } else {
        expect(Array.from(raw.data as Float64Array, Number)).toEqual(want.values);
      }

      if (want.shape.length > 0 && want.shape[0]! > 0) {
        const rows = want.shape[0]!;
        const rowElements = header.rowElements;
        const start = Math.floor(rows / 2);
        const count = rows - start;
        const slice = readNpyRows(header, start, count);
        expect(slice).toEqual(wantFloat32.slice(start * rowElements, (start + count) * rowElements));
      }
    });
  }

  it('reads a single row from the middle without touching the rest of the file', () => {
    const file = openNpy(fixture('v1_f4'));
    const row = readNpyRows(file, 1, 1);
    expect(row.length).toBe(20);
    expect(Array.from(row)).toEqual(expected.v1_f4!.values.slice(20, 40).map((v) => Math.fround(Number(v))));
    expect(readNpyRows(file, 3, 0).length).toBe(0);
    expect(thrown(() => readNpyRows(file, 2, 2)).code).toBe('bad_input');
  });
});

describe('broken and unsupported files', () => {
  it('truncated data: bad_file naming the file and the byte where the data should end', () => {
    const error = thrown(() => readNpy(fixture('truncated_data')));
    expect(error.code).toBe('bad_file');
    expect(error.message).toContain('truncated_data.npy');
    expect(error.message).toMatch(/truncated/);
    const size = fs.statSync(fixture('truncated_data')).size;
    expect(error.message).toContain(`ends at byte ${size}`);
    expect(error.message).toContain(`to byte ${size + 10}`);
    expect(thrown(() => openNpy(fixture('truncated_data'))).code).toBe('bad_file');
  });

  it('truncated header', () => {
    const error = thrown(() => openNpy(fixture('truncated_header')));
    expect(error.code).toBe('bad_file');
    expect(error.message).toMatch(/truncated_header\.npy: the file is truncated inside its header/);
  });

  it('trailing bytes after the data', () => {
    const error = thrown(() => openNpy(fixture('trailing_bytes')));
    expect(error.code).toBe('bad_file');
    expect(error.message).toMatch(/4 bytes more than shape \[3, 4, 5\]/);
  });

  it('bad magic', () => {
    const error = thrown(() => readNpy(fixture('bad_magic')));
    expect(error.code).toBe('bad_file');
    expect(error.message).toMatch(/bad_magic\.npy: not an \.npy file: byte 5/);
    expect(error.details?.byteOffset).toBe(5);
  });

  it('unparsable header dict', () => {
    const error = thrown(() => openNpy(fixture('bad_header')));
    expect(error.code).toBe('bad_file');
    expect(error.message).toMatch(/bad_header\.npy: the \.npy header cannot be parsed .* near byte \d+/);
    expect(error.details?.field).toBe('header');
  });

  it('structured dtype is unsupported, a missing file is not_found, a tiny file is bad_file', () => {
    expect(thrown(() => openNpy(fixture('structured'))).code).toBe('unsupported');
    expect(thrown(() => openNpy(path.join(dir, 'nope.npy'))).code).toBe('not_found');
    const tiny = path.join(dir, 'tiny.npy');
    fs.writeFileSync(tiny, Buffer.from([0x93, 0x4e]));
    expect(thrown(() => openNpy(tiny)).message).toMatch(/too short/);
  });

  it('shape fields that are not integers, or keys missing', () => {
    const make = (dict: string) => {
      const header = Buffer.from(`${dict}`.padEnd(117, ' ') + '\n', 'latin1');
      const out = Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0]), header]);
      return out;
    };
    const bad1 = make("{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }");
    expect(thrown(() => parseNpyHeader(bad1, 'h1.npy')).message).toMatch(/h1\.npy/);
    const bad2 = make("{'descr': '<f4', 'shape': (2,), }");
    expect(thrown(() => parseNpyHeader(bad2, 'h2.npy')).details?.field).toBe('fortran_order');
    const bad3 = make("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }");
    expect(thrown(() => parseNpyHeader(bad3, 'h3.npy')).code).toBe('unsupported');
    const good = make('{"shape": (2,3), "fortran_order": False, "descr": ">u2"}');
    const parsed = parseNpyHeader(good, 'h4.npy');
    expect(parsed.shape).toEqual([2, 3]);
    expect(parsed.littleEndian).toBe(false);
    expect(parsed.dtype).toBe('u2');
  });

  it('states the Fortran conversion limit', () => {
    expect(FORTRAN_CONVERSION_LIMIT_BYTES).toBe(2 ** 30);
  });
});

describe('random access', () => {
  it('reads one row of a 400 MB array without reading the rest (a sparse file)', () => {
    const file = path.join(dir, 'sparse.npy');
    const shape = [100_000, 1000];
    const header = formatNpyHeader('<f4', shape);
    const fd = fs.openSync(file, 'w');
    try {
      fs.writeSync(fd, header, 0, header.byteLength, 0);
      const row = Float32Array.from({ length: 1000 }, (_, i) => i * 0.5 - 7);
      fs.writeSync(fd, new Uint8Array(row.buffer), 0, row.byteLength, header.byteLength + 73_421 * 4000);
      fs.ftruncateSync(fd, header.byteLength + 100_000 * 4000);
    } finally {
      fs.closeSync(fd);
    }
    const npy = openNpy(file);
    expect(npy.dataBytes).toBe(400_000_000);
    expect(npy.rowElements).toBe(1000);
    const rows = readNpyRows(npy, 73_420, 3);
    expect(rows.length).toBe(3000);
    expect(rows.subarray(0, 1000).every((v) => v === 0)).toBe(true);
    expect(rows[1000]).toBe(-7);
    expect(rows[1999]).toBe(999 * 0.5 - 7);
    expect(rows.subarray(2000).every((v) => v === 0)).toBe(true);
    fs.rmSync(file);
  });
});
