import { describe, it, expect } from 'vitest';
import zlib from 'node:zlib';
import { PALETTE, niceTicks, renderChart, tickLabel } from './chart.ts';

/** The RGB pixels of one of our PNGs (filter 0 rows, one IDAT). */
function pixels(png: Buffer): { width: number; height: number; rgb: Buffer } {
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const idatLength = png.readUInt32BE(33);
  const rows = zlib.inflateSync(png.subarray(41, 41 + idatLength));
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) rows.copy(rgb, y * width * 3, y * (1 + width * 3) + 1, (y + 1) * (1 + width * 3));
  return { width, height, rgb };
}

const countColour = (rgb: Buffer, [r, g, b]: number[]): number => {
  let n = 0;
  for (let i = 0; i < rgb.length; i += 3) if (rgb[i] === r && rgb[i + 1] === g && rgb[i + 2] === b) n += 1;
  return n;
};

describe('charts', () => {
  it('puts ticks at 1, 2 or 5 × 10^k', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(-3, 7).every((t) => Number.isInteger(t) && t % 2 === 0)).toBe(true);
    expect(niceTicks(0.0012, 0.0049)).toEqual([0.002, 0.003, 0.004]);
    expect(tickLabel(0.25)).toBe('0.25');
    expect(tickLabel(0.00012)).toBe('1.2e-4');
    expect(tickLabel(250000)).toBe('2.5e5');
  });

  it('draws every series of a line and a bar chart in its colour', () => {
    const line = pixels(renderChart({ kind: 'line', title: 'T', xLabel: 'x', yLabel: 'y', logY: true, series: [{ name: 'a', points: [[0, 1], [1, 10], [2, 100]] }, { name: 'b', points: [[0, 2], [2, 3]] }] }));
    expect([line.width, line.height]).toEqual([900, 540]);
    expect(countColour(line.rgb, PALETTE[0])).toBeGreaterThan(500);
    expect(countColour(line.rgb, PALETTE[1])).toBeGreaterThan(500);
    const bar = pixels(renderChart({ kind: 'bar', title: 'T', xLabel: 'x', yLabel: 'y', categories: ['p', 'q'], series: [{ name: 'a', values: [1, 2] }, { name: 'b', values: [null, 4] }] }));
    // Bars are filled rectangles: the taller series fills more.
    expect(countColour(bar.rgb, PALETTE[1])).toBeGreaterThan(countColour(bar.rgb, PALETTE[0]));
    expect(countColour(bar.rgb, PALETTE[2])).toBe(0);
  });
});
