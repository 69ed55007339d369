/** `.npy`: small valid files of every dtype, byte order, header version and memory order, read every way the studio reads them. */
import fs from 'node:fs';
import path from 'node:path';
import { appRoot } from '../../main/core/util/paths.ts';
import { openNpy, readNpy, readNpyRaw, readNpyRows } from '../../main/core/io/npy.ts';
import { npyBytes, type NpySeedSpec } from '../formats.ts';
import type { FieldSpot, MutationGrammar } from '../mutate.ts';
import type { Violation } from '../property.ts';
import { FILE_REFUSALS, attempt, type Seed, type Target } from './target.ts';

/** Where the header dict ends (the data starts), from the version and header-length bytes. */
function dataStart(input: Buffer): number {
  if (input.length < 10) return input.length;
  const end = input[6] === 1 ? 10 + input.readUInt16LE(8) : input.length >= 12 ? 12 + input.readUInt32LE(8) : input.length;
  return Math.min(input.length, end);
}

function npyFields(input: Buffer): FieldSpot[] {
  const spots: FieldSpot[] = [
    { offset: 6, size: 1, kind: 'le', name: 'npy major version' },
    { offset: 7, size: 1, kind: 'le', name: 'npy minor version' },
    { offset: 8, size: input[6] === 1 ? 2 : 4, kind: 'le', name: 'npy header_len' },
  ];
  const headerStart = input[6] === 1 ? 10 : 12;
  const header = input.toString('latin1', headerStart, dataStart(input));
  // Numbers of the shape, the descr's item size, and the words True/False/None.
  for (const match of header.matchAll(/\d+|True|False|None|'[<>|=]?[a-zA-Z]\d*'/g)) {
    spots.push({ offset: headerStart + match.index!, size: match[0].length, kind: 'text', name: `npy header ${JSON.stringify(match[0])}` });
  }
  return spots.filter((s) => s.offset < input.length);
}

export const npyGrammar: MutationGrammar = {
  fields: npyFields,
  tokens: [
    '(', ')', '((', '))', '[', ']', '{', '}', ',', ':', "'", '"', '\\', ' ', '\n', 'é',
    "'descr'", "'shape'", "'fortran_order'", 'True', 'False', 'None', '2L',
    "'<f4'", "'>f8'", "'|b1'", "'<i8'", "'>u2'", "'<c8'", "'<U10'", "'O'", "'<f16'", "'V8'", "[('x', '<f4'), ('y', '<f4')]",
    '99999999999999999999', '4294967296', '-1', '0', '(0,)', '(1000000000000000, 0)', '()',
  ],
  headerBytes: dataStart,
};

/** Float32 velocities in m/s, 1500–4500, as OpenFWI stores them. */
function velocities(count: number): number[] {
  return Array.from({ length: count }, (_, i) => 1500 + ((i * 37) % 3001));
}

/** Valid files of every dtype, both byte orders, versions 1.0–3.0, C and Fortran order, 0-d and empty arrays. */
export function npySeedSpecs(): { name: string; spec: NpySeedSpec }[] {
  const specs: { name: string; spec: NpySeedSpec }[] = [];
  const descrs = ['<f4', '>f4', '<f8', '>f8', '|i1', '<i2', '>i2', '<i4', '>i4', '<i8', '>i8', '|u1', '<u2', '>u2', '<u4', '<u8', '>u8', '|b1'];
  for (const descr of descrs) specs.push({ name: `${descr} [2, 3]`, spec: { descr, shape: [2, 3], values: [0, 1, 2, 3, 4, 5] } });
  specs.push({ name: '<f4 Fortran [2, 3, 4]', spec: { descr: '<f4', shape: [2, 3, 4], fortranOrder: true } });
  specs.push({ name: '>i2 Fortran [3, 2]', spec: { descr: '>i2', shape: [3, 2], fortranOrder: true } });
  specs.push({ name: '<f4 version 2.0 [4]', spec: { descr: '<f4', shape: [4], version: 2 } });
  specs.push({ name: '<f8 version 3.0 [2, 2]', spec: { descr: '<f8', shape: [2, 2], version: 3 } });
  specs.push({ name: '<f4 0-d', spec: { descr: '<f4', shape: [], values: [2.5] } });
  specs.push({ name: '<f4 empty [0]', spec: { descr: '<f4', shape: [0] } });
  specs.push({ name: '<f4 no columns [3, 0]', spec: { descr: '<f4', shape: [3, 0] } });
  specs.push({ name: '<f4 velocity [2, 1, 7, 6]', spec: { descr: '<f4', shape: [2, 1, 7, 6], values: velocities(84) } });
  return specs;
}

export const npyTarget: Target = {
  name: 'npy',
  ext: 'npy',
  // An int8 Fortran-ordered file read as float32: its bytes, 4× as float32, 4× again reordered.
  allocationFactor: 16,
  grammar: npyGrammar,
  async seeds() {
    const seeds: Seed[] = npySeedSpecs().map(({ name, spec }) => ({ name: `built ${name}`, bytes: npyBytes(spec) }));
    // numpy's own files (main/core/io/testdata/npy, made by make_npy_fixtures.py), broken ones included.
    const dir = path.join(appRoot(), 'main', 'core', 'io', 'testdata', 'npy');
    for (const name of fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.npy')).sort() : []) {
      seeds.push({ name: `main/core/io/testdata/npy/${name}`, bytes: fs.readFileSync(path.join(dir, name)) });
    }
    return seeds;
  },
  async run(file) {
    const violations: Violation[] = [];
    const rules = { file, fileBytes: fs.statSync(file).size, allowedCodes: FILE_REFUSALS };
    const opened = await attempt('openNpy', () => openNpy(file), rules, violations);
    await attempt('readNpy', () => readNpy(file), rules, violations);
    await attempt('readNpyRaw', () => readNpyRaw(file), rules, violations);
    if (opened && opened.shape.length > 0 && opened.shape[0]! > 0) {
      const rows = opened.shape[0]!;
      await attempt('readNpyRows first', () => readNpyRows(opened, 0, 1), rules, violations);
      await attempt('readNpyRows last', () => readNpyRows(opened, rows - 1, 1), rules, violations);
    }
    return violations;
  },
};
