import { describe, it, expect, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listZipEntries, readZipEntry, extractZipEntry } from './zip.ts';
import { readNpy } from './npy.ts';
import { StudioError } from '../contract/errors.ts';

const TESTDATA = path.join(path.dirname(new URL(import.meta.url).pathname), 'testdata');
const MIXED = path.join(TESTDATA, 'zip', 'mixed.zip');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zip-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('zip (archive written by Python zipfile)', () => {
  it('lists stored and deflated entries with utf-8 names', () => {
    const entries = listZipEntries(MIXED);
    expect(entries.map((e) => [e.name, e.method, e.uncompressedBytes])).toEqual([
      ['stored/v1_f4.npy', 0, 368],
      ['deflated/v1_f4.npy', 8, 368],
      ['vélocité.txt', 8, 4],
    ]);
  });

  it('reads both entries as the original file', () => {
    const original = fs.readFileSync(path.join(TESTDATA, 'npy', 'v1_f4.npy'));
    expect(readZipEntry(MIXED, 'stored/v1_f4.npy').equals(original)).toBe(true);
    expect(readZipEntry(MIXED, 'deflated/v1_f4.npy').equals(original)).toBe(true);
    expect(readZipEntry(MIXED, 'vélocité.txt').toString('utf8')).toBe('m/s\n');
  });

  it('extracts atomically and the .npy reads back', async () => {
    for (const name of ['stored/v1_f4.npy', 'deflated/v1_f4.npy']) {
      const target = path.join(tmp, name.replace('/', '-'));
      await extractZipEntry(MIXED, name, target);
      expect(readNpy(target).shape).toEqual([3, 4, 5]);
    }
    expect(fs.readdirSync(tmp).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });

  it('detects a corrupted stored entry by its CRC and leaves no file when extracting', async () => {
    const bytes = fs.readFileSync(MIXED);
    const at = bytes.indexOf(Buffer.from('stored/v1_f4.npy')) + 'stored/v1_f4.npy'.length + 200;
    bytes[at] = bytes[at]! ^ 0x01;
    const damaged = path.join(tmp, 'damaged.zip');
    fs.writeFileSync(damaged, bytes);
    expect(() => readZipEntry(damaged, 'stored/v1_f4.npy')).toThrow(/CRC-32/);
    const target = path.join(tmp, 'never.npy');
    await expect(extractZipEntry(damaged, 'stored/v1_f4.npy', target)).rejects.toBeInstanceOf(StudioError);
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.readdirSync(tmp).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });

  it('stops inflating one byte past the size the directory declares (a damaged size, or a zip bomb)', async () => {
    // The deflated entry holds 368 bytes; its central directory record is made to say 100.
    const bytes = fs.readFileSync(MIXED);
    const central = Buffer.from('PK\x01\x02', 'latin1');
    let record = bytes.indexOf(central);
    while (bytes.toString('utf8', record + 46, record + 46 + bytes.readUInt16LE(record + 28)) !== 'deflated/v1_f4.npy') record = bytes.indexOf(central, record + 1);
    bytes.writeUInt32LE(100, record + 24);
    const shrunk = path.join(tmp, 'shrunk.zip');
    fs.writeFileSync(shrunk, bytes);
    expect(() => readZipEntry(shrunk, 'deflated/v1_f4.npy')).toThrow(/inflates to more than the 100 bytes its central directory entry at byte \d+ says/);
    const written: number[] = [];
    const target = path.join(tmp, 'shrunk.npy');
    await expect(extractZipEntry(shrunk, 'deflated/v1_f4.npy', target, { onProgress: (p) => written.push(p.done) })).rejects.toThrow(/inflates to more than the 100 bytes/);
    expect(Math.max(0, ...written)).toBeLessThanOrEqual(100);
    expect(fs.existsSync(target)).toBe(false);
  });

  it('cancelling an extraction removes the temporary', async () => {
    const controller = new AbortController();
    controller.abort();
    const target = path.join(tmp, 'cancelled.npy');
    await expect(extractZipEntry(MIXED, 'deflated/v1_f4.npy', target, { signal: controller.signal })).rejects.toMatchObject({ code: 'cancelled' });
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.readdirSync(tmp).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });
});
