import { describe, expect, it } from 'vitest';
import { colormap } from './colormaps.ts';
import { NON_FINITE_RGBA, valuesToRgba } from './image.ts';

describe('array → RGBA', () => {
  const grey = colormap('greyscale');

  it('maps [lo, hi] linearly onto the colour map and clamps outside', () => {
    const px = valuesToRgba(new Float32Array([-1, 0, 0.5, 1, 5, -5]), grey, 0, 1);
    const red = Array.from({ length: 6 }, (_, i) => px[i * 4]);
    expect(red).toEqual([0, 0, 128, 255, 255, 0]);
    for (let i = 0; i < 6; i++) expect(px[i * 4 + 3]).toBe(255);
  });

  it('keeps row-major order: pixel i is value i', () => {
    const values = new Float32Array([0, 1, 1, 0]); // [2 rows, 2 cols]
    const px = valuesToRgba(values, grey, 0, 1);
    expect([px[0], px[4], px[8], px[12]]).toEqual([0, 255, 255, 0]);
  });

  it('paints non-finite samples in a fixed colour', () => {
    const px = valuesToRgba(new Float32Array([Number.NaN, Number.NEGATIVE_INFINITY]), grey, 0, 1);
    expect(Array.from(px.subarray(0, 4))).toEqual([...NON_FINITE_RGBA]);
    expect(Array.from(px.subarray(4, 8))).toEqual([...NON_FINITE_RGBA]);
  });

  it('uses the middle colour for a degenerate range', () => {
    const px = valuesToRgba(new Float32Array([3, 3]), grey, 3, 3);
    expect(px[0]).toBe(127);
  });

  it('writes into a given buffer and checks its size', () => {
    const out = new Uint8ClampedArray(8);
    expect(valuesToRgba(new Float32Array([0, 1]), grey, 0, 1, out)).toBe(out);
    expect(() => valuesToRgba(new Float32Array(3), grey, 0, 1, out)).toThrow(/2 pixels.*3 values/);
  });
});
