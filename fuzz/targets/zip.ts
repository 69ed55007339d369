/** ZIP: the real OpenFWI archives of ../shared/testdata/openfwi, Python's mixed.zip, and stored/deflated/Zip64 archives built here. */
import fs from 'node:fs';
import path from 'node:path';
import { appRoot, sharedDir } from '../../main/core/util/paths.ts';
import { listZipEntries, readZipEntry, extractZipEntry } from '../../main/core/io/zip.ts';
import { npyBytes, zipBytes } from '../formats.ts';
import type { FieldSpot } from '../mutate.ts';
import type { Violation } from '../property.ts';
import { FILE_REFUSALS, attempt, type Seed, type Target } from './target.ts';

/** Record fields by signature: [offset in the record, width, name]. */
const RECORDS: { signature: number; name: string; fields: [number, number, string][] }[] = [
  { signature: 0x04034b50, name: 'local', fields: [[6, 2, 'flags'], [8, 2, 'method'], [14, 4, 'crc32'], [18, 4, 'compressed size'], [22, 4, 'size'], [26, 2, 'name length'], [28, 2, 'extra length']] },
  {
    signature: 0x02014b50,
    name: 'central',
    fields: [[8, 2, 'flags'], [10, 2, 'method'], [16, 4, 'crc32'], [20, 4, 'compressed size'], [24, 4, 'size'], [28, 2, 'name length'], [30, 2, 'extra length'], [32, 2, 'comment length'], [42, 4, 'local header offset']],
  },
  { signature: 0x06054b50, name: 'end', fields: [[8, 2, 'entries on disk'], [10, 2, 'entries'], [12, 4, 'directory size'], [16, 4, 'directory offset'], [20, 2, 'comment length']] },
  { signature: 0x07064b50, name: 'zip64 locator', fields: [[8, 8, 'zip64 end offset'], [16, 4, 'disks']] },
  { signature: 0x06064b50, name: 'zip64 end', fields: [[24, 8, 'entries on disk'], [32, 8, 'entries'], [40, 8, 'directory size'], [48, 8, 'directory offset']] },
];

function zipFields(input: Buffer): FieldSpot[] {
  const spots: FieldSpot[] = [];
  for (const record of RECORDS) {
    const signature = Buffer.alloc(4);
    signature.writeUInt32LE(record.signature);
    for (let at = input.indexOf(signature); at >= 0 && spots.length < 4000; at = input.indexOf(signature, at + 1)) {
      for (const [offset, size, name] of record.fields) {
        if (at + offset + size <= input.length) spots.push({ offset: at + offset, size, kind: 'le', name: `${record.name}@${at} ${name}` });
      }
      // Zip64 extended information in a central record: its id, length and 8-byte values.
      if (record.signature === 0x02014b50 && at + 46 <= input.length) {
        const extra = at + 46 + input.readUInt16LE(at + 28);
        if (extra + 4 <= input.length && input.readUInt16LE(extra) === 0x0001) {
          spots.push({ offset: extra + 2, size: 2, kind: 'le', name: `central@${at} zip64 extra length` });
          for (let v = extra + 4; v + 8 <= Math.min(input.length, extra + 28); v += 8) spots.push({ offset: v, size: 8, kind: 'le', name: `central@${at} zip64 value` });
        }
      }
    }
  }
  return spots;
}

function builtArchives(): Seed[] {
  const small = npyBytes({ descr: '<f4', shape: [2, 1, 7, 6], values: Array.from({ length: 84 }, (_, i) => 1500 + i * 30) });
  const entries = [
    { name: 'stored.npy', data: small, method: 0 as const },
    { name: 'deflated.npy', data: small, method: 8 as const },
    { name: 'dir/vélocité.txt', data: Buffer.from('m/s\n'), method: 8 as const },
  ];
  return [
    { name: 'built stored + deflated', bytes: zipBytes(entries) },
    { name: 'built Zip64', bytes: zipBytes(entries, { zip64: true }) },
    { name: 'built with a comment', bytes: zipBytes(entries.slice(0, 1), { comment: 'OpenFWI velocity models' }) },
    { name: 'built empty archive', bytes: zipBytes([]) },
  ];
}

export const zipTarget: Target = {
  name: 'zip',
  ext: 'zip',
  // Deflate expands n bytes to at most about 1032 n; an entry is held once read and once extracted.
  allocationFactor: 2 * 1032,
  grammar: {
    fields: zipFields,
    tokens: ['PK\x01\x02', 'PK\x03\x04', 'PK\x05\x06', 'PK\x06\x06', 'PK\x06\x07', '\xff\xff\xff\xff', '\x01\x00\x18\x00', '../', '\x00'],
    headerBytes: () => 64,
  },
  // The real archives inflate 19.6 MB each (about 1 s of CPU here, against 10 ms for the others): picked about 1 time in 20.
  weight: (seed) => (seed.name.startsWith('shared/') ? 0.1 : 1),
  async seeds() {
    const seeds: Seed[] = [];
    const zips = path.join(sharedDir(), 'testdata', 'openfwi');
    for (const name of fs.existsSync(zips) ? fs.readdirSync(zips).filter((n) => n.endsWith('.zip')).sort() : []) {
      seeds.push({ name: `shared/testdata/openfwi/${name}`, bytes: fs.readFileSync(path.join(zips, name)) });
    }
    const mixed = path.join(appRoot(), 'main', 'core', 'io', 'testdata', 'zip', 'mixed.zip');
    if (fs.existsSync(mixed)) seeds.push({ name: 'main/core/io/testdata/zip/mixed.zip', bytes: fs.readFileSync(mixed) });
    return [...seeds, ...builtArchives()];
  },
  async run(file, context) {
    const violations: Violation[] = [];
    const rules = { file, fileBytes: fs.statSync(file).size, allowedCodes: FILE_REFUSALS };
    const entries = (await attempt('listZipEntries', () => listZipEntries(file), rules, violations)) ?? [];
    const extractDir = path.join(context.workDir, 'zip-extract');
    fs.rmSync(extractDir, { recursive: true, force: true });
    for (const [index, entry] of entries.slice(0, 8).entries()) {
      await attempt(`readZipEntry ${JSON.stringify(entry.name)}`, () => readZipEntry(file, entry.name).length, rules, violations);
      // Extracted under a name of ours: an entry called '../x' must not choose where it lands.
      await attempt(`extractZipEntry ${JSON.stringify(entry.name)}`, () => extractZipEntry(file, entry.name, path.join(extractDir, `${index}.bin`)), rules, violations);
    }
    fs.rmSync(extractDir, { recursive: true, force: true });
    return violations;
  },
};
