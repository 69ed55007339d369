/**
 * Colour maps as 256-entry RGB lookup tables, built by linear interpolation between anchor colours.
 * Pure data and arithmetic: no DOM, so the tests run in node.
 */

export type ColormapName = 'seismic' | 'greyscale' | 'viridis' | 'turbo';

/** 256 colours, RGB bytes interleaved: [r0, g0, b0, r1, g1, b1, …]. */
export interface ColormapLut {
  name: ColormapName;
  rgb: Uint8Array;
}

export const LUT_SIZE = 256;

/** Anchors as [position 0..1, r, g, b] with positions ascending from 0 to 1. */
type Anchor = readonly [number, number, number, number];

/**
 * Diverging blue–white–red for signed amplitudes: negative lobes blue, zero white, positive red,
 * darkening towards the clip value so that strong events stand out.
 */
const SEISMIC_ANCHORS: readonly Anchor[] = [
  [0.0, 0, 0, 77],
  [0.25, 0, 0, 255],
  [0.5, 255, 255, 255],
  [0.75, 255, 0, 0],
  [1.0, 128, 0, 0],
];

/** Black for the most negative amplitude, white for the most positive (the paper-plot convention inverted). */
const GREYSCALE_ANCHORS: readonly Anchor[] = [
  [0.0, 0, 0, 0],
  [1.0, 255, 255, 255],
];

/** A perceptually ordered dark-blue → green → yellow ramp (sampled from matplotlib's viridis). */
const VIRIDIS_ANCHORS: readonly Anchor[] = [
  [0.0, 68, 1, 84],
  [0.125, 71, 44, 122],
  [0.25, 59, 81, 139],
  [0.375, 44, 113, 142],
  [0.5, 33, 144, 141],
  [0.625, 39, 173, 129],
  [0.75, 92, 200, 99],
  [0.875, 170, 220, 50],
  [1.0, 253, 231, 37],
];

/** A smooth rainbow (dark blue → cyan → green → yellow → red → dark red), closer in spirit to turbo than jet. */
const TURBO_ANCHORS: readonly Anchor[] = [
  [0.0, 48, 18, 59],
  [0.1, 65, 69, 171],
  [0.2, 70, 117, 237],
  [0.3, 57, 162, 252],
  [0.4, 27, 207, 212],
  [0.5, 36, 236, 166],
  [0.6, 97, 252, 108],
  [0.7, 164, 252, 59],
  [0.8, 225, 221, 55],
  [0.875, 254, 180, 48],
  [0.95, 246, 109, 25],
  [1.0, 122, 4, 3],
];

const ANCHORS: Record<ColormapName, readonly Anchor[]> = {
  seismic: SEISMIC_ANCHORS,
  greyscale: GREYSCALE_ANCHORS,
  viridis: VIRIDIS_ANCHORS,
  turbo: TURBO_ANCHORS,
};

export function buildLut(anchors: readonly Anchor[], size = LUT_SIZE): Uint8Array {
  const rgb = new Uint8Array(size * 3);
  let segment = 0;
  for (let i = 0; i < size; i++) {
    const position = size === 1 ? 0 : i / (size - 1);
    while (segment < anchors.length - 2 && position > anchors[segment + 1][0]) segment++;
    const [p0, r0, g0, b0] = anchors[segment];
    const [p1, r1, g1, b1] = anchors[Math.min(segment + 1, anchors.length - 1)];
    const t = p1 > p0 ? Math.min(1, Math.max(0, (position - p0) / (p1 - p0))) : 0;
    rgb[i * 3] = Math.round(r0 + (r1 - r0) * t);
    rgb[i * 3 + 1] = Math.round(g0 + (g1 - g0) * t);
    rgb[i * 3 + 2] = Math.round(b0 + (b1 - b0) * t);
  }
  return rgb;
}

const cache = new Map<ColormapName, ColormapLut>();

export function colormap(name: ColormapName): ColormapLut {
  let lut = cache.get(name);
  if (!lut) {
    lut = { name, rgb: buildLut(ANCHORS[name]) };
    cache.set(name, lut);
  }
  return lut;
}

/** The colour for a fraction 0..1 along the map (clamped), as a CSS `rgb()` string. */
export function colormapCss(lut: ColormapLut, fraction: number): string {
  const i = lutIndex(fraction);
  return `rgb(${lut.rgb[i * 3]}, ${lut.rgb[i * 3 + 1]}, ${lut.rgb[i * 3 + 2]})`;
}

export function lutIndex(fraction: number): number {
  if (!(fraction > 0)) return 0; // also NaN
  if (fraction >= 1) return LUT_SIZE - 1;
  return Math.floor(fraction * (LUT_SIZE - 1) + 0.5);
}

/** The map as a CSS `linear-gradient` along `direction` with `stops` evenly spaced colour stops. */
export function colormapGradient(lut: ColormapLut, direction = 'to right', stops = 16): string {
  const parts = Array.from({ length: stops }, (_, k) => `${colormapCss(lut, k / (stops - 1))} ${((100 * k) / (stops - 1)).toFixed(1)}%`);
  return `linear-gradient(${direction}, ${parts.join(', ')})`;
}
