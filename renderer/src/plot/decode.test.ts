import { describe, expect, it } from 'vitest';
import { base64ToBytes, decodeFloat32, float32ToBase64 } from './decode.ts';

describe('float32 payload decoding', () => {
  it('decodes base64 like node does, with and without padding', () => {
    for (const text of ['', 'a', 'ab', 'abc', 'abcd', 'WaveDiffusion Studio ✓']) {
      const bytes = new TextEncoder().encode(text);
      const b64 = Buffer.from(bytes).toString('base64');
      expect(Array.from(base64ToBytes(b64))).toEqual(Array.from(bytes));
      expect(Array.from(base64ToBytes(b64.replace(/=+$/, '')))).toEqual(Array.from(bytes));
    }
  });

  it('rejects characters outside the alphabet', () => {
    expect(() => base64ToBytes('ab$d')).toThrow(/position 2/);
  });

  it('decodes little-endian float32 with its shape', () => {
    const values = new Float32Array([0, 1.5, -2.25, 3e-8, Number.NaN, 1e30]);
    const b64 = Buffer.from(values.buffer).toString('base64');
    const grid = decodeFloat32({ shape: [2, 3], base64: b64 });
    expect(grid.shape).toEqual([2, 3]);
    expect(Array.from(grid.values)).toEqual(Array.from(values));
  });

  it('round-trips through float32ToBase64 and matches node', () => {
    const values = new Float32Array([3.25, -1, 7, 0.125, 2]);
    expect(float32ToBase64(values)).toBe(Buffer.from(values.buffer).toString('base64'));
    expect(Array.from(decodeFloat32({ shape: [5], base64: float32ToBase64(values) }).values)).toEqual(Array.from(values));
  });

  it('refuses a payload whose byte count does not match its shape', () => {
    const b64 = Buffer.from(new Float32Array(5).buffer).toString('base64');
    expect(() => decodeFloat32({ shape: [2, 3], base64: b64 })).toThrow(/\[2, 3\].*24 bytes.*20/);
  });
});
