/**
 * Broken and hostile `.npy` files written byte by byte: every refusal is a StudioError that names the
 * file and the byte offset, never a crash of the parser (a header of nested tuples used to overflow
 * the stack).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { missing } from '../util/testing/requirement.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { openNpy, readNpy, readNpyRaw } from './npy.ts';
import { StudioError } from '../contract/errors.ts';

const PYTHON = '/usr/bin/python3';
const numpyAvailable = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
const noNumpy = missing('numpy under /usr/bin/python3', numpyAvailable);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npy-hostile-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

/**
 * Writes magic, version, header length and `headerText` padded with spaces and '\n' to a multiple of
 * 64 bytes (as numpy does), then `data`. Returns the path.
 */
function writeNpyBytes(name: string, headerText: string, options: { version?: 1 | 2 | 3; data?: Buffer; encoding?: BufferEncoding } = {}): string {
  const version = options.version ?? 1;
  const prefix = version === 1 ? 10 : 12;
  const body = Buffer.from(headerText, options.encoding ?? 'latin1');
  const total = Math.ceil((prefix + body.length + 1) / 64) * 64;
  const header = Buffer.concat([body, Buffer.alloc(total - prefix - body.length - 1, ' '), Buffer.from('\n')]);
  const length = Buffer.alloc(version === 1 ? 2 : 4);
  if (version === 1) length.writeUInt16LE(header.length);
  else length.writeUInt32LE(header.length);
  const file = path.join(dir, `${name}.npy`);
  fs.writeFileSync(file, Buffer.concat([MAGIC, Buffer.from([version, 0]), length, header, options.data ?? Buffer.alloc(0)]));
  return file;
}

function writeBytes(name: string, bytes: Buffer): string {
  const file = path.join(dir, `${name}.npy`);
  fs.writeFileSync(file, bytes);
  return file;
}

function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, none was thrown');
}

/** The checks every refusal must pass: a StudioError with the file's path and a byte offset, in the message and the details. */
function expectNamesFileAndByte(error: unknown, file: string): StudioError {
  expect(error).toBeInstanceOf(StudioError);
  const studioError = error as StudioError;
  expect(studioError.message).toContain(file);
  expect(studioError.message).toMatch(/\bbytes? \d+/);
  expect(studioError.details?.file).toBe(file);
  expect(typeof studioError.details?.byteOffset).toBe('number');
  return studioError;
}

const f4Row = Buffer.alloc(8);

describe('a header of deeply nested tuples', () => {
  it('3,000 levels in a version 1.0 file: bad_file naming the file and the byte where nesting goes too deep', () => {
    const levels = 3000;
    const dictStart = "{'descr': '<f4', 'fortran_order': False, 'shape': ";
    const file = writeNpyBytes('nested', `${dictStart}${'('.repeat(levels)}2${')'.repeat(levels)}, }`);
    expect(fs.statSync(file).size).toBeLessThan(65536);
    for (const read of [() => openNpy(file), () => readNpy(file), () => readNpyRaw(file)]) {
      const error = expectNamesFileAndByte(thrownBy(read), file);
      expect(error.code).toBe('bad_file');
      expect(error.message).toMatch(/nested deeper than \d+ levels/);
      // The dict is level 1; the bracket that goes past the limit lies (limit - 1) brackets into the shape.
      const limit = Number(/deeper than (\d+) levels/.exec(error.message)![1]);
      expect(error.details?.byteOffset).toBe(10 + dictStart.length + limit - 1);
    }
  });

  it.skipIf(noNumpy)('numpy headers with nested structured dtypes are still parsed (and refused as structured)', () => {
    const file = path.join(dir, 'nested_structured.npy');
    const made = spawnSync(PYTHON, ['-c', "import sys, numpy as np; np.save(sys.argv[1], np.zeros(2, dtype=[('a', [('b', [('c', '<f4', (2, 3))])])]))", file], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const error = thrownBy(() => openNpy(file)) as StudioError;
    expect(error).toBeInstanceOf(StudioError);
    expect(error.code).toBe('unsupported');
    expect(error.message).toMatch(/structured \(record\) dtype/);
  });
});

describe('every refusal names the file and the byte offset', () => {
  const dict = (shape: string, descr = "'<f4'", fortran = 'False'): string => `{'descr': ${descr}, 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
  const cases: { name: string; make: () => string }[] = [
    { name: 'too short for a header', make: () => writeBytes('tiny', Buffer.from([0x93, 0x4e])) },
    { name: 'bad magic', make: () => writeBytes('magic', Buffer.concat([Buffer.from('PK\x03\x04\x14\x00', 'latin1'), Buffer.alloc(64)])) },
    { name: 'unsupported version', make: () => writeBytes('version', Buffer.concat([MAGIC, Buffer.from([4, 0]), Buffer.alloc(64)])) },
    { name: 'ends inside the 2.0 length field', make: () => writeBytes('v2_cut', Buffer.concat([MAGIC, Buffer.from([2, 0, 0x40, 0x00, 0x00])])) },
    { name: 'header length over the limit', make: () => writeBytes('v2_huge', Buffer.concat([MAGIC, Buffer.from([2, 0, 0xff, 0xff, 0xff, 0x7f]), Buffer.alloc(64)])) },
    { name: 'truncated inside the header', make: () => writeBytes('cut_header', Buffer.concat([MAGIC, Buffer.from([1, 0, 0x76, 0x00]), Buffer.from("{'descr': '<f4',")])) },
    { name: 'a 3.0 header that is not utf-8', make: () => writeNpyBytes('v3_latin1', dict('(2,)', "'<f4é'"), { version: 3 }) },
    { name: 'unparsable dict', make: () => writeNpyBytes('syntax', "{'descr': <f4, }") },
    { name: 'unterminated string', make: () => writeNpyBytes('unterminated', "{'descr': '<f4") },
    { name: 'not a dict', make: () => writeNpyBytes('list', '[1, 2, 3]') },
    { name: 'no descr', make: () => writeNpyBytes('no_descr', "{'fortran_order': False, 'shape': (2,), }", { data: f4Row }) },
    { name: 'no fortran_order', make: () => writeNpyBytes('no_fortran', "{'descr': '<f4', 'shape': (2,), }", { data: f4Row }) },
    { name: 'shape not integers', make: () => writeNpyBytes('float_shape', dict('(2.5,)'), { data: f4Row }) },
    { name: 'shape too large', make: () => writeNpyBytes('huge_shape', dict('(4294967296, 4294967296)'), { data: f4Row }) },
    { name: 'unsupported element type', make: () => writeNpyBytes('complex', dict('(1,)', "'<c8'"), { data: f4Row }) },
    { name: 'structured element type', make: () => writeNpyBytes('structured', dict('(1,)', "[('x', '<f4'), ('y', '<f4')]"), { data: f4Row }) },
    { name: 'truncated data', make: () => writeNpyBytes('short_data', dict('(3,)'), { data: f4Row }) },
    { name: 'bytes after the data', make: () => writeNpyBytes('long_data', dict('(1,)'), { data: f4Row }) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const file = c.make();
      expectNamesFileAndByte(thrownBy(() => openNpy(file)), file);
      expectNamesFileAndByte(thrownBy(() => readNpy(file)), file);
    });
  }

  it('offsets in a utf-8 (3.0) header count bytes, not characters', () => {
    const prefix = "{'descr': '<f4', 'note': 'é', 'fortran_order': False, 'shape': ";
    const file = writeNpyBytes('v3_offset', `${prefix}(2, x), }`, { version: 3, encoding: 'utf8' });
    const error = expectNamesFileAndByte(thrownBy(() => openNpy(file)), file);
    // 'é' is two bytes in utf-8: the 'x' lies one byte further than its character index.
    expect(error.details?.byteOffset).toBe(12 + Buffer.byteLength(prefix, 'utf8') + 4);
  });

  it('a missing key is reported where the dict starts; a bad value where that value starts', () => {
    const badShape = "{'descr': '<f4', 'fortran_order': False, 'shape': ";
    const file = writeNpyBytes('bad_shape_offset', `${badShape}(2, -1), }`, { data: f4Row });
    expect((thrownBy(() => openNpy(file)) as StudioError).details?.byteOffset).toBe(10 + badShape.length);
    const noShape = writeNpyBytes('no_shape', "{'descr': '<f4', 'fortran_order': False, }", { data: f4Row });
    expect((thrownBy(() => openNpy(noShape)) as StudioError).details?.byteOffset).toBe(10);
  });
});
