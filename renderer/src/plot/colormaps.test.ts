import { describe, expect, it } from 'vitest';
import { buildLut, colormap, colormapCss, colormapGradient, lutIndex, LUT_SIZE } from './colormaps.ts';

function rgbAt(name: Parameters<typeof colormap>[0], i: number): [number, number, number] {
  const { rgb } = colormap(name);
  return [rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]];
}

describe('colour maps', () => {
  it('seismic map runs blue → white → red', () => {
    const [r0, , b0] = rgbAt('seismic', 0);
    expect(b0).toBeGreaterThan(r0);
    // The middle of 256 entries lies between 127 and 128: both are nearly white.
    for (const i of [127, 128]) for (const c of rgbAt('seismic', i)) expect(c).toBeGreaterThan(245);
    const [r1, , b1] = rgbAt('seismic', 255);
    expect(r1).toBeGreaterThan(b1);
  });

  it('greyscale is monotonic from black to white with equal channels', () => {
    let previous = -1;
    for (let i = 0; i < LUT_SIZE; i++) {
      const [r, g, b] = rgbAt('greyscale', i);
      expect(r).toBe(g);
      expect(g).toBe(b);
      expect(r).toBeGreaterThanOrEqual(previous);
      previous = r;
    }
    expect(rgbAt('greyscale', 0)).toEqual([0, 0, 0]);
    expect(rgbAt('greyscale', 255)).toEqual([255, 255, 255]);
  });

  it('viridis gets brighter along the map (perceptually ordered)', () => {
    const luminance = (i: number) => {
      const [r, g, b] = rgbAt('viridis', i);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    for (let i = 8; i < LUT_SIZE; i += 8) expect(luminance(i)).toBeGreaterThan(luminance(i - 8));
  });

  it('interpolates linearly between anchors', () => {
    const lut = buildLut([[0, 0, 0, 0], [1, 200, 100, 50]], 5);
    expect(Array.from(lut)).toEqual([0, 0, 0, 50, 25, 13, 100, 50, 25, 150, 75, 38, 200, 100, 50]);
  });

  it('maps fractions to indices with clamping and NaN to the first colour', () => {
    expect(lutIndex(-1)).toBe(0);
    expect(lutIndex(Number.NaN)).toBe(0);
    expect(lutIndex(2)).toBe(255);
    expect(lutIndex(0.5)).toBe(128);
    expect(colormapCss(colormap('greyscale'), 1)).toBe('rgb(255, 255, 255)');
  });
});

describe('colormapGradient', () => {
  it('runs from the first to the last entry of the map', () => {
    const lut = colormap('turbo');
    const css = colormapGradient(lut, 'to right', 3);
    expect(css).toBe(`linear-gradient(to right, ${colormapCss(lut, 0)} 0.0%, ${colormapCss(lut, 0.5)} 50.0%, ${colormapCss(lut, 1)} 100.0%)`);
  });
});
