import { describe, it, expect } from 'vitest';
import zlib from 'node:zlib';
import { crc32, encodePngRgb } from './png.ts';

/** The chunks of a PNG file, read by the specification (length, type, data, CRC). */
function chunks(png: Buffer): { type: string; data: Buffer; crc: number }[] {
  const out: { type: string; data: Buffer; crc: number }[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    out.push({ type: png.toString('ascii', at + 4, at + 8), data: png.subarray(at + 8, at + 8 + length), crc: png.readUInt32BE(at + 8 + length) });
    at += 12 + length;
  }
  return out;
}

describe('PNG encoding', () => {
  it('computes CRC-32 as zlib does', () => {
    for (const text of ['', 'IEND', 'The quick brown fox jumps over the lazy dog']) expect(crc32(Buffer.from(text))).toBe(zlib.crc32(Buffer.from(text)));
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('writes a signature, IHDR, IDAT and IEND whose pixels inflate back to the raster', () => {
    const width = 3;
    const height = 2;
    const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37) % 256);
    const png = encodePngRgb(rgb, width, height);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const parts = chunks(png);
    expect(parts.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    for (const c of parts) expect(c.crc).toBe(zlib.crc32(Buffer.concat([Buffer.from(c.type, 'ascii'), c.data])));
    const header = parts[0].data;
    expect([header.readUInt32BE(0), header.readUInt32BE(4), header[8], header[9], header[10], header[11], header[12]]).toEqual([3, 2, 8, 2, 0, 0, 0]);
    const rows = zlib.inflateSync(parts[1].data);
    expect(rows.length).toBe(height * (1 + width * 3));
    for (let y = 0; y < height; y += 1) {
      expect(rows[y * 10]).toBe(0);
      expect([...rows.subarray(y * 10 + 1, y * 10 + 10)]).toEqual([...rgb.subarray(y * 9, y * 9 + 9)]);
    }
  });

  it('refuses a raster of the wrong size', () => {
    expect(() => encodePngRgb(new Uint8Array(5), 1, 2)).toThrow(/not an RGB raster of 1 × 2/);
  });
});
