/**
 * The wavefield volume of `physics.wavefield` — pressure snapshots [frames, depth, width] — turned
 * into what the 3D view draws: RGBA texels of one slice (pressure blended over the velocity model),
 * heights of a displaced surface, and the vertices/UVs of slice quads in the x–z–t box.
 * Pure typed-array code, no DOM and no three.js, so it runs under vitest in node.
 *
 * Texel convention: a texture of `rows × cols` has row r at v = (r + ½) / rows and column c at
 * u = (c + ½) / cols (WebGL's DataTexture puts the first row at v = 0, and nothing is flipped).
 */
import { LUT_SIZE, type ColormapLut } from './colormaps.ts';

/** Sizes of the pressure volume [frames, depth, width]. */
export interface VolumeShape {
  frames: number;
  nz: number;
  nx: number;
}

export function checkVolume(values: Float32Array, shape: VolumeShape): void {
  const expected = shape.frames * shape.nz * shape.nx;
  if (values.length !== expected) {
    throw new Error(`Wavefield snapshots hold ${values.length} values, not [${shape.frames} frames, ${shape.nz} depth, ${shape.nx} width] = ${expected}.`);
  }
}

/** The x–z slice at `frame`: pressure [depth, width] (a view, not a copy). */
export function depthWidthSlice(volume: Float32Array, shape: VolumeShape, frame: number): Float32Array {
  const f = clampIndex(frame, shape.frames);
  const size = shape.nz * shape.nx;
  return volume.subarray(f * size, (f + 1) * size);
}

/** The x–t slice at depth row `row`: pressure [frames, width]. */
export function timeWidthSlice(volume: Float32Array, shape: VolumeShape, row: number, out = new Float32Array(shape.frames * shape.nx)): Float32Array {
  const z = clampIndex(row, shape.nz);
  const { frames, nz, nx } = shape;
  for (let f = 0; f < frames; f++) out.set(volume.subarray((f * nz + z) * nx, (f * nz + z + 1) * nx), f * nx);
  return out;
}

/** The z–t slice at column `col`: pressure [frames, depth]. */
export function timeDepthSlice(volume: Float32Array, shape: VolumeShape, col: number, out = new Float32Array(shape.frames * shape.nz)): Float32Array {
  const x = clampIndex(col, shape.nx);
  const { frames, nz, nx } = shape;
  for (let f = 0; f < frames; f++) {
    for (let z = 0; z < nz; z++) out[f * nz + z] = volume[(f * nz + z) * nx + x];
  }
  return out;
}

/** Velocity [depth, width] resampled to the x–t slice's texels at `row` (the same model at every frame). */
export function velocityRow(velocity: Float32Array, nx: number, row: number, frames: number): Float32Array {
  const nz = velocity.length / nx;
  const z = clampIndex(row, nz);
  const out = new Float32Array(frames * nx);
  for (let f = 0; f < frames; f++) out.set(velocity.subarray(z * nx, (z + 1) * nx), f * nx);
  return out;
}

/** Velocity column `col` repeated per frame: [frames, depth]. */
export function velocityColumn(velocity: Float32Array, nx: number, col: number, frames: number): Float32Array {
  const nz = velocity.length / nx;
  const x = clampIndex(col, nx);
  const out = new Float32Array(frames * nz);
  for (let f = 0; f < frames; f++) for (let z = 0; z < nz; z++) out[f * nz + z] = velocity[z * nx + x];
  return out;
}

export interface BlendOptions {
  /** Colour map for signed pressure, spanning [−clip, +clip]. */
  pressureLut: ColormapLut;
  clip: number;
  /** Colour map for the velocity model underneath, spanning [velocityMin, velocityMax]. */
  velocityLut: ColormapLut;
  velocityMin: number;
  velocityMax: number;
  /** Brightness of the velocity colours (0..1) so that the wave stands out over them. */
  velocityBrightness: number;
}

/**
 * Pressure over velocity, texel by texel: with a = sqrt(min(1, |p| / clip)), the colour is
 * a · seismic(p) + (1 − a) · brightness · velocity(v). Where the wave has not arrived one sees the model;
 * at and beyond the clip one sees only the pressure colour. The square root lets weak arrivals (a
 * tenth of the clip shows at 32 %) stand out over the model. Non-finite pressure counts as 0.
 */
export function blendPressureOverVelocity(pressure: Float32Array, velocity: Float32Array, options: BlendOptions, out: Uint8Array = new Uint8Array(pressure.length * 4)): Uint8Array {
  if (velocity.length !== pressure.length) throw new Error(`Pressure has ${pressure.length} values but the velocity model ${velocity.length}.`);
  if (out.length !== pressure.length * 4) throw new Error(`Texel buffer holds ${out.length / 4} texels, not ${pressure.length}.`);
  const top = LUT_SIZE - 1;
  const clip = options.clip > 0 ? options.clip : 1e-30;
  const vSpan = options.velocityMax - options.velocityMin;
  const vScale = vSpan > 0 ? top / vSpan : 0;
  const bright = Math.min(1, Math.max(0, options.velocityBrightness));
  const prgb = options.pressureLut.rgb;
  const vrgb = options.velocityLut.rgb;
  for (let i = 0, o = 0; i < pressure.length; i++, o += 4) {
    let p = pressure[i];
    if (!Number.isFinite(p)) p = 0;
    const ratio = p / clip;
    const a = Math.sqrt(Math.min(1, Math.abs(ratio)));
    let pi = Math.round((Math.max(-1, Math.min(1, ratio)) * 0.5 + 0.5) * top);
    if (pi < 0) pi = 0;
    let vi = vScale > 0 ? Math.round((velocity[i] - options.velocityMin) * vScale) : top >> 1;
    if (!(vi >= 0)) vi = 0;
    else if (vi > top) vi = top;
    const b = (1 - a) * bright;
    out[o] = Math.round(a * prgb[pi * 3] + b * vrgb[vi * 3]);
    out[o + 1] = Math.round(a * prgb[pi * 3 + 1] + b * vrgb[vi * 3 + 1]);
    out[o + 2] = Math.round(a * prgb[pi * 3 + 2] + b * vrgb[vi * 3 + 2]);
    out[o + 3] = 255;
  }
  return out;
}

/**
 * Heights of the displaced surface: h = clamp(p / clip, −1, 1) · heightScale for each cell, written
 * into every third entry (from `offset`) of a vertex position array with one vertex per cell in
 * row-major [depth, width] order — PlaneGeometry's order with width − 1 × depth − 1 segments.
 */
export function writeSurfaceHeights(pressure: Float32Array, clip: number, heightScale: number, positions: Float32Array, offset = 2): Float32Array {
  if (positions.length !== pressure.length * 3) throw new Error(`Surface has ${positions.length / 3} vertices but the slice ${pressure.length} cells.`);
  const c = clip > 0 ? clip : 1e-30;
  for (let i = 0; i < pressure.length; i++) {
    const p = pressure[i];
    const r = Number.isFinite(p) ? Math.max(-1, Math.min(1, p / c)) : 0;
    positions[i * 3 + offset] = r * heightScale;
  }
  return positions;
}

/** UVs at cell centres for a [rows, cols] vertex grid in row-major order: u = (c + ½)/cols, v = (r + ½)/rows. */
export function cellCentreUvs(rows: number, cols: number): Float32Array {
  const uvs = new Float32Array(rows * cols * 2);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = (r * cols + c) * 2;
      uvs[i] = (c + 0.5) / cols;
      uvs[i + 1] = (r + 0.5) / rows;
    }
  }
  return uvs;
}

/**
 * The box the slices live in, in world units: x (distance) along +X, depth downwards along −Y, time
 * along +Z (towards the viewer). Distance and depth keep their physical ratio; the longer of the two
 * is `size` long, and the time axis is `timeLength`.
 */
export interface SliceBox {
  width: number;
  depth: number;
  time: number;
}

export function sliceBox(shape: VolumeShape, size = 2, timeLength = 2.4): SliceBox {
  const longest = Math.max(shape.nx, shape.nz, 1);
  return { width: (size * shape.nx) / longest, depth: (size * shape.nz) / longest, time: timeLength };
}

/** World position along an axis of `n` cells for index i, at the cell centre: (i + ½)/n · length. */
export function cellCentre(index: number, n: number, length: number): number {
  return ((clampIndex(index, n) + 0.5) / Math.max(1, n)) * length;
}

export type SliceKind = 'depthWidth' | 'timeWidth' | 'timeDepth';

/**
 * A slice quad: 4 corners (xyz) and their UVs, and two triangles, for a texture of the slice's data
 * laid out as its name says, rows first: depthWidth [depth, width] (u = x, v = depth),
 * timeWidth [frames, width] (u = x, v = time), timeDepth [frames, depth] (u = depth, v = time).
 * The box is centred on the origin: X ∈ [−w/2, w/2], Y ∈ [d/2, −d/2] (depth 0 at the top), Z ∈ [−t/2, t/2].
 */
export function sliceQuad(kind: SliceKind, box: SliceBox, at: number): { positions: Float32Array; uvs: Float32Array; indices: Uint16Array } {
  const x0 = -box.width / 2;
  const x1 = box.width / 2;
  const y0 = box.depth / 2; // depth 0
  const y1 = -box.depth / 2; // deepest
  const z0 = -box.time / 2; // t = 0
  const z1 = box.time / 2;
  let corners: number[][];
  if (kind === 'depthWidth') {
    const z = z0 + at;
    // (u, v) = (0,0) (1,0) (0,1) (1,1)
    corners = [[x0, y0, z], [x1, y0, z], [x0, y1, z], [x1, y1, z]];
  } else if (kind === 'timeWidth') {
    const y = y0 - at;
    corners = [[x0, y, z0], [x1, y, z0], [x0, y, z1], [x1, y, z1]];
  } else {
    const x = x0 + at;
    corners = [[x, y0, z0], [x, y1, z0], [x, y0, z1], [x, y1, z1]];
  }
  return {
    positions: new Float32Array(corners.flat()),
    uvs: new Float32Array([0, 0, 1, 0, 0, 1, 1, 1]),
    indices: new Uint16Array([0, 2, 1, 1, 2, 3]),
  };
}

/** The frame shown at time `ms` (nearest, clamped) and back. */
export function frameAtMs(ms: number, frameIntervalMs: number, frames: number): number {
  return frameIntervalMs > 0 ? clampIndex(Math.round(ms / frameIntervalMs), frames) : 0;
}

export function frameTimeMs(frame: number, frameIntervalMs: number): number {
  return frame * frameIntervalMs;
}

/**
 * Frames to advance for a play step: `speed` × real time, at `frameIntervalMs` of model time per frame,
 * after `elapsedMs` of wall time. Returns a fractional frame position wrapped into [0, frames).
 */
export function advancePlayhead(position: number, elapsedMs: number, speed: number, frameIntervalMs: number, frames: number): number {
  if (frames <= 0 || frameIntervalMs <= 0) return 0;
  const next = position + (elapsedMs * speed) / frameIntervalMs;
  return ((next % frames) + frames) % frames;
}

function clampIndex(index: number, n: number): number {
  return Math.min(Math.max(0, Math.floor(index)), Math.max(0, n - 1));
}
