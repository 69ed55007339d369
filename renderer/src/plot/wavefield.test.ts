import { describe, expect, it } from 'vitest';
import { colormap } from './colormaps.ts';
import {
  advancePlayhead,
  blendPressureOverVelocity,
  cellCentreUvs,
  checkVolume,
  depthWidthSlice,
  frameAtMs,
  sliceBox,
  sliceQuad,
  timeDepthSlice,
  timeWidthSlice,
  velocityColumn,
  velocityRow,
  writeSurfaceHeights,
} from './wavefield.ts';

// A volume whose value encodes its own index: v[f, z, x] = 100 f + 10 z + x.
const shape = { frames: 3, nz: 2, nx: 4 };
const volume = new Float32Array(shape.frames * shape.nz * shape.nx);
for (let f = 0; f < 3; f++) for (let z = 0; z < 2; z++) for (let x = 0; x < 4; x++) volume[(f * 2 + z) * 4 + x] = 100 * f + 10 * z + x;

describe('volume slices', () => {
  it('checks the shape', () => {
    expect(() => checkVolume(volume, shape)).not.toThrow();
    expect(() => checkVolume(volume, { ...shape, frames: 4 })).toThrow(/\[4 frames, 2 depth, 4 width\]/);
  });

  it('takes the x–z slice of a frame, clamping the index', () => {
    expect([...depthWidthSlice(volume, shape, 1)]).toEqual([100, 101, 102, 103, 110, 111, 112, 113]);
    expect([...depthWidthSlice(volume, shape, 9)]).toEqual([200, 201, 202, 203, 210, 211, 212, 213]);
  });

  it('takes the x–t slice at a depth and the z–t slice at a column', () => {
    expect([...timeWidthSlice(volume, shape, 1)]).toEqual([10, 11, 12, 13, 110, 111, 112, 113, 210, 211, 212, 213]);
    expect([...timeDepthSlice(volume, shape, 2)]).toEqual([2, 12, 102, 112, 202, 212]);
  });

  it('repeats the velocity model along time for the time slices', () => {
    const velocity = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]); // [2, 4]
    expect([...velocityRow(velocity, 4, 1, 2)]).toEqual([5, 6, 7, 8, 5, 6, 7, 8]);
    expect([...velocityColumn(velocity, 4, 3, 2)]).toEqual([4, 8, 4, 8]);
  });
});

describe('blendPressureOverVelocity', () => {
  const seismic = colormap('seismic');
  const turbo = colormap('turbo');
  const options = { pressureLut: seismic, clip: 2, velocityLut: turbo, velocityMin: 1000, velocityMax: 3000, velocityBrightness: 1 };

  it('shows the velocity colour where the pressure is zero and the pressure colour at the clip', () => {
    const out = blendPressureOverVelocity(new Float32Array([0, 2, -5, Number.NaN]), new Float32Array([1000, 3000, 2000, 3000]), options);
    // p = 0 over v = min: turbo's first colour.
    expect([...out.slice(0, 4)]).toEqual([turbo.rgb[0], turbo.rgb[1], turbo.rgb[2], 255]);
    // p = +clip: seismic's last colour (dark red), no velocity.
    expect([...out.slice(4, 8)]).toEqual([seismic.rgb[255 * 3], seismic.rgb[255 * 3 + 1], seismic.rgb[255 * 3 + 2], 255]);
    // p beyond −clip saturates at seismic's first colour.
    expect([...out.slice(8, 12)]).toEqual([seismic.rgb[0], seismic.rgb[1], seismic.rgb[2], 255]);
    // NaN pressure counts as zero: turbo's last colour for v = max.
    expect([...out.slice(12, 16)]).toEqual([turbo.rgb[255 * 3], turbo.rgb[255 * 3 + 1], turbo.rgb[255 * 3 + 2], 255]);
  });

  it('mixes by the square root of |p| / clip and dims the velocity', () => {
    const out = blendPressureOverVelocity(new Float32Array([0.5]), new Float32Array([1000]), { ...options, velocityBrightness: 0.5 });
    // |p| / clip = 0.25 → a = 0.5; seismic index round(0.625 · 255) = 159; velocity weight (1 − a) · 0.5 = 0.25.
    const expected = [0, 1, 2].map((k) => Math.round(0.5 * seismic.rgb[159 * 3 + k] + 0.25 * turbo.rgb[k]));
    expect([...out.slice(0, 3)]).toEqual(expected);
  });

  it('refuses mismatched sizes', () => {
    expect(() => blendPressureOverVelocity(new Float32Array(2), new Float32Array(3), options)).toThrow(/2 values/);
  });
});

describe('surface geometry', () => {
  it('writes clipped heights into the z of every vertex', () => {
    const positions = new Float32Array(9).fill(7);
    writeSurfaceHeights(new Float32Array([1, -4, 0.5]), 2, 3, positions);
    expect([...positions]).toEqual([7, 7, 1.5, 7, 7, -3, 7, 7, 0.75]);
    expect(() => writeSurfaceHeights(new Float32Array(2), 1, 1, positions)).toThrow(/3 vertices/);
  });

  it('puts UVs at cell centres, row 0 at v = ½ / rows', () => {
    expect([...cellCentreUvs(2, 2)]).toEqual([0.25, 0.25, 0.75, 0.25, 0.25, 0.75, 0.75, 0.75]);
  });
});

describe('slice quads', () => {
  const box = sliceBox({ frames: 10, nz: 35, nx: 70 }, 2, 3);

  it('keeps distance and depth in their physical ratio', () => {
    expect(box).toEqual({ width: 2, depth: 1, time: 3 });
  });

  it('places the x–z slice at its time, depth 0 at the top, u along x and v along depth', () => {
    const q = sliceQuad('depthWidth', box, 1);
    // corner (u, v) = (0, 0): x = −1, depth 0 → y = +0.5, t → z = −1.5 + 1
    expect([...q.positions.slice(0, 3)]).toEqual([-1, 0.5, -0.5]);
    // corner (1, 1): x = +1, deepest → y = −0.5
    expect([...q.positions.slice(9, 12)]).toEqual([1, -0.5, -0.5]);
    expect([...q.uvs]).toEqual([0, 0, 1, 0, 0, 1, 1, 1]);
  });

  it('places the x–t slice at its depth and the z–t slice at its column', () => {
    const xt = sliceQuad('timeWidth', box, 0.25);
    expect([...xt.positions.slice(0, 3)]).toEqual([-1, 0.25, -1.5]);
    expect([...xt.positions.slice(9, 12)]).toEqual([1, 0.25, 1.5]);
    const zt = sliceQuad('timeDepth', box, 0.5);
    expect([...zt.positions.slice(0, 3)]).toEqual([-0.5, 0.5, -1.5]);
    expect([...zt.positions.slice(3, 6)]).toEqual([-0.5, -0.5, -1.5]);
  });
});

describe('time', () => {
  it('finds the nearest frame for a time, clamped', () => {
    expect(frameAtMs(26, 10, 100)).toBe(3);
    expect(frameAtMs(-5, 10, 100)).toBe(0);
    expect(frameAtMs(5000, 10, 100)).toBe(99);
  });

  it('advances the playhead at speed × real time and wraps', () => {
    // 100 ms of wall time at 0.5× is 50 ms of model time = 5 frames of 10 ms.
    expect(advancePlayhead(2, 100, 0.5, 10, 100)).toBeCloseTo(7);
    expect(advancePlayhead(98, 100, 0.5, 10, 100)).toBeCloseTo(3);
  });
});
