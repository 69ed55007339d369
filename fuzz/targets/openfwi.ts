/**
 * OpenFWI folders, packed into one file (formats.ts): pairs and velocity-only folders built here, real
 * velocity models cut from ../shared/testdata/openfwi, and the fixtures of main/core/io/testdata/openfwi.
 * A mutation either changes one file's bytes as the npy target would, or the folder itself (a file
 * removed, renamed, duplicated or swapped with another).
 */
import fs from 'node:fs';
import path from 'node:path';
import { appRoot, sharedDir } from '../../main/core/util/paths.ts';
import { scanOpenfwiFolder, importOpenfwiFolder } from '../../main/core/io/openfwi.ts';
import { parseNpyHeader } from '../../main/core/io/npy.ts';
import { readZipEntry } from '../../main/core/io/zip.ts';
import { npyBytes, npyHeaderBytes, packFolder, unpackFolder, type BundleFile } from '../formats.ts';
import { mutate, type Rng } from '../mutate.ts';
import type { Violation } from '../property.ts';
import { npyGrammar } from './npy.ts';
import { attempt, type Seed, type Target } from './target.ts';

const velocity = (count: number) => Array.from({ length: count }, (_, i) => 1500 + ((i * 53) % 3001));
const seismic = (count: number) => Array.from({ length: count }, (_, i) => Math.sin(i / 3) * 0.01);

function builtFolders(): Seed[] {
  const f4 = (shape: number[], values: number[], extra: { descr?: string; fortranOrder?: boolean } = {}) =>
    npyBytes({ descr: extra.descr ?? '<f4', shape, values, fortranOrder: extra.fortranOrder });
  return [
    {
      name: 'built data1/model1 pair',
      bytes: packFolder([
        { name: 'data1.npy', bytes: f4([2, 2, 10, 5], seismic(200)) },
        { name: 'model1.npy', bytes: f4([2, 1, 7, 6], velocity(84)) },
      ]),
    },
    {
      name: 'built two parts',
      bytes: packFolder([
        { name: 'data1.npy', bytes: f4([1, 2, 10, 5], seismic(100)) },
        { name: 'data2.npy', bytes: f4([2, 2, 10, 5], seismic(200)) },
        { name: 'model1.npy', bytes: f4([1, 1, 7, 6], velocity(42)) },
        { name: 'model2.npy', bytes: f4([2, 1, 7, 6], velocity(84)) },
      ]),
    },
    {
      name: 'built seis/vel fault naming, [N, depth, width] velocity',
      bytes: packFolder([
        { name: 'seis2_1_0.npy', bytes: f4([2, 2, 10, 5], seismic(200)) },
        { name: 'vel2_1_0.npy', bytes: f4([2, 7, 6], velocity(84)) },
      ]),
    },
    {
      name: 'built float64 big-endian Fortran pair',
      bytes: packFolder([
        { name: 'data1.npy', bytes: f4([2, 2, 10, 5], seismic(200), { descr: '>f8', fortranOrder: true }) },
        { name: 'model1.npy', bytes: f4([2, 1, 7, 6], velocity(84), { descr: '<f8' }) },
      ]),
    },
    { name: 'built velocity only', bytes: packFolder([{ name: 'model1.npy', bytes: f4([3, 1, 7, 6], velocity(126)) }]) },
    { name: 'built velocity with an empty axis', bytes: packFolder([{ name: 'model1.npy', bytes: f4([3, 1, 0, 6], []) }]) },
  ];
}

/** The first `samples` velocity models of a real OpenFWI file, as a velocity-only folder. */
function realVelocityFolder(zipPath: string, entry: string, samples: number): Seed {
  const whole = readZipEntry(zipPath, entry);
  const header = parseNpyHeader(whole, `${zipPath}:${entry}`, whole.length);
  const shape = [samples, ...header.shape.slice(1)];
  const bytes = shape.reduce((a, b) => a * b, 1) * header.itemSize;
  const model = Buffer.concat([npyHeaderBytes(header.descr, shape, header.fortranOrder, 1), whole.subarray(header.dataOffset, header.dataOffset + bytes)]);
  return { name: `${path.basename(zipPath)}:${entry} first ${samples} models`, bytes: packFolder([{ name: 'model1.npy', bytes: model }]) };
}

/** A folder mutation: drop, rename, duplicate or swap files, or mutate one file's bytes. */
function mutateFolder(seed: Buffer, others: readonly Buffer[], rng: Rng, maxBytes: number) {
  const files: BundleFile[] = unpackFolder(seed).map((f) => ({ name: f.name, bytes: Buffer.from(f.bytes) }));
  const mutations: string[] = [];
  const otherFiles = others.flatMap((o) => {
    try {
      return unpackFolder(o).map((f) => f.bytes);
    } catch {
      return [];
    }
  });
  const names = ['data1.npy', 'model1.npy', 'data2.npy', 'model2.npy', 'data01.npy', 'data10.npy', 'seis2_1_0.npy', 'vel2_1_0.npy', 'vel2_1_00.npy', 'model1.NPY', 'notes.npy'];
  const kind = files.length === 0 ? 3 : rng.below(10);
  if (kind <= 5 && files.length > 0) {
    const file = rng.pick(files);
    const mutated = mutate(file.bytes, otherFiles, npyGrammar, rng, Math.max(file.bytes.length + 4096, Math.floor(maxBytes / Math.max(1, files.length))));
    file.bytes = mutated.bytes;
    mutations.push(...mutated.mutations.map((m) => `${file.name}: ${m}`));
  } else if (kind === 6) {
    const index = rng.below(files.length);
    mutations.push(`remove ${files[index]!.name}`);
    files.splice(index, 1);
  } else if (kind === 7) {
    const file = rng.pick(files);
    const name = rng.pick(names);
    mutations.push(`rename ${file.name} to ${name}`);
    file.name = name;
  } else if (kind === 8 || files.length === 0) {
    const source = files.length ? rng.pick(files).bytes : rng.pick(otherFiles.length ? otherFiles : [Buffer.alloc(0)]);
    const name = rng.pick(names);
    mutations.push(`add a copy of a file as ${name}`);
    files.push({ name, bytes: Buffer.from(source) });
  } else {
    const a = rng.pick(files);
    const b = rng.pick(files);
    mutations.push(`swap the contents of ${a.name} and ${b.name}`);
    [a.bytes, b.bytes] = [b.bytes, a.bytes];
  }
  // Two files of one name: the last one written wins, as it would on disk.
  return { bytes: packFolder(files), mutations };
}

/** Writes the packed folder to `folder` (emptied first); names are reduced to a base name. */
export function unpackInto(packed: Buffer, folder: string): void {
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  for (const file of unpackFolder(packed)) {
    const name = path.basename(file.name);
    if (!name || name === '.' || name === '..') continue;
    fs.writeFileSync(path.join(folder, name), file.bytes);
  }
}

export const openfwiTarget: Target = {
  name: 'openfwi',
  ext: 'openfwi',
  allocationFactor: 16,
  grammar: npyGrammar,
  mutate: mutateFolder,
  async seeds() {
    const seeds = builtFolders();
    const zips = path.join(sharedDir(), 'testdata', 'openfwi');
    for (const zip of ['FlatVelA_test_vmodel.zip', 'CurveVelA_test_vmodel.zip', 'FlatFaultA_test_vmodel.zip']) {
      if (fs.existsSync(path.join(zips, zip))) seeds.push(realVelocityFolder(path.join(zips, zip), 'vmodel11.npy', 2));
    }
    const fixtures = path.join(appRoot(), 'main', 'core', 'io', 'testdata', 'openfwi');
    for (const name of fs.existsSync(fixtures) ? fs.readdirSync(fixtures).sort() : []) {
      const dir = path.join(fixtures, name);
      const files = fs.readdirSync(dir).sort().map((f) => ({ name: f, bytes: fs.readFileSync(path.join(dir, f)) }));
      seeds.push({ name: `main/core/io/testdata/openfwi/${name}`, bytes: packFolder(files) });
    }
    return seeds;
  },
  async run(input, context) {
    const violations: Violation[] = [];
    const folder = path.join(context.workDir, 'openfwi-folder');
    const destination = path.join(context.workDir, 'openfwi-import');
    unpackInto(fs.readFileSync(input), folder);
    fs.rmSync(destination, { recursive: true, force: true });
    const largest = Math.max(0, ...fs.readdirSync(folder).map((n) => fs.statSync(path.join(folder, n)).size));
    const rules = { file: folder, fileBytes: largest, allowedCodes: ['bad_file', 'bad_input', 'unsupported'] as const, problemListOk: true };
    await attempt('scanOpenfwiFolder', () => scanOpenfwiFolder(folder, { velocityCheck: 'all' }), rules, violations);
    await attempt('importOpenfwiFolder', () => importOpenfwiFolder(folder, destination), rules, violations);
    fs.rmSync(destination, { recursive: true, force: true });
    return violations;
  },
};
