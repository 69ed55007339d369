/**
 * Row-major 2-D arrays to RGBA pixels through a colour map. The result is the pixel buffer of an
 * ImageData of size [cols × rows]; building the ImageData itself is left to the DOM side.
 */
import { LUT_SIZE, type ColormapLut } from './colormaps.ts';

/** RGBA used for NaN and ±Infinity samples (dark grey, opaque). */
export const NON_FINITE_RGBA: readonly [number, number, number, number] = [64, 64, 64, 255];

/**
 * Maps values linearly from [lo, hi] onto the colour map, clamping outside the range:
 * index = round((v − lo) / (hi − lo) · 255). With hi ≤ lo every finite value takes the middle colour.
 */
export function valuesToRgba(
  values: Float32Array,
  lut: ColormapLut,
  lo: number,
  hi: number,
  out: Uint8ClampedArray = new Uint8ClampedArray(values.length * 4),
): Uint8ClampedArray {
  if (out.length !== values.length * 4) {
    throw new Error(`Pixel buffer holds ${out.length / 4} pixels but the array has ${values.length} values.`);
  }
  const rgb = lut.rgb;
  const top = LUT_SIZE - 1;
  const span = hi - lo;
  const scale = span > 0 ? top / span : 0;
  const flatIndex = Math.floor(top / 2);
  for (let i = 0, o = 0; i < values.length; i++, o += 4) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[o] = NON_FINITE_RGBA[0];
      out[o + 1] = NON_FINITE_RGBA[1];
      out[o + 2] = NON_FINITE_RGBA[2];
      out[o + 3] = NON_FINITE_RGBA[3];
      continue;
    }
    let index = scale > 0 ? Math.round((v - lo) * scale) : flatIndex;
    if (index < 0) index = 0;
    else if (index > top) index = top;
    out[o] = rgb[index * 3];
    out[o + 1] = rgb[index * 3 + 1];
    out[o + 2] = rgb[index * 3 + 2];
    out[o + 3] = 255;
  }
  return out;
}
