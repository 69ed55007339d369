import { describe, it, expect, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { savePngFrames } from './pngFrames.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-frames-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A 1 × 1 grey PNG built by hand (signature, IHDR, IDAT, IEND with their CRCs). */
function tinyPng(): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.from([0, 128]))), chunk('IEND', Buffer.alloc(0))]);
}

describe('savePngFrames', () => {
  it('numbers the frames from the first index and writes them byte for byte', () => {
    const folder = path.join(dir, 'movie');
    const png = tinyPng();
    const written = savePngFrames(folder, 9, [png, png]);
    expect(written.map((f) => path.basename(f))).toEqual(['frame_0009.png', 'frame_0010.png']);
    expect(Buffer.compare(fs.readFileSync(written[1]), png)).toBe(0);
    expect(fs.readdirSync(folder).sort()).toEqual(['frame_0009.png', 'frame_0010.png']);
  });

  it('refuses bytes that are not a PNG, a relative folder and a file in its place, writing nothing', () => {
    const folder = path.join(dir, 'bad');
    expect(() => savePngFrames(folder, 0, [tinyPng(), Buffer.from('GIF89a')])).toThrow(/Frame 1 is not a PNG/);
    expect(fs.existsSync(folder)).toBe(false);
    expect(() => savePngFrames('relative/frames', 0, [tinyPng()])).toThrow(/absolute path/);
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    expect(() => savePngFrames(file, 0, [tinyPng()])).toThrow(/is a file/);
  });
});
