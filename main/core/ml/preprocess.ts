/**
 * The networks' input and output conventions, as native-models trains them (README "Normalisation"
 * and "Resizing"), in plain TypeScript so the app feeds ONNX graphs exactly what PyTorch saw.
 */

export interface SeismicNormalization {
  log_min: number;
  log_max: number;
}

export interface VelocityNormalization {
  min_mps: number;
  max_mps: number;
}

/** s_norm = 2 (L(s) − log_min) / (log_max − log_min) − 1 with L(x) = sign(x)·log(1 + |x|). In place. */
export function normalizeSeismicInPlace(values: Float32Array, n: SeismicNormalization): Float32Array {
  const scale = 2 / (n.log_max - n.log_min);
  for (let i = 0; i < values.length; i += 1) {
    const x = values[i];
    const log = Math.sign(x) * Math.log1p(Math.abs(x));
    values[i] = (log - n.log_min) * scale - 1;
  }
  return values;
}

/** The inverse: y = (s + 1)/2 · (log_max − log_min) + log_min, x = sign(y)·(e^|y| − 1). In place. */
export function denormalizeSeismicInPlace(values: Float32Array, n: SeismicNormalization): Float32Array {
  const half = 0.5 * (n.log_max - n.log_min);
  for (let i = 0; i < values.length; i += 1) {
    const y = (values[i] + 1) * half + n.log_min;
    values[i] = Math.sign(y) * Math.expm1(Math.abs(y));
  }
  return values;
}

/** v_norm = 2 (v − min) / (max − min) − 1. In place. */
export function normalizeVelocityInPlace(values: Float32Array, n: VelocityNormalization): Float32Array {
  const scale = 2 / (n.max_mps - n.min_mps);
  for (let i = 0; i < values.length; i += 1) values[i] = (values[i] - n.min_mps) * scale - 1;
  return values;
}

/** v = (v_norm + 1)/2 · (max − min) + min. In place. */
export function denormalizeVelocityInPlace(values: Float32Array, n: VelocityNormalization): Float32Array {
  const half = 0.5 * (n.max_mps - n.min_mps);
  for (let i = 0; i < values.length; i += 1) values[i] = (values[i] + 1) * half + n.min_mps;
  return values;
}

/**
 * Area resize of planes [planes, inH, inW] → [planes, outH, outW], as torch's adaptive_avg_pool2d:
 * output index i along an axis of n_in → n_out averages inputs floor(i·n_in/n_out) … ceil((i+1)·n_in/n_out) − 1.
 * Only for shrinking (outH ≤ inH, outW ≤ inW).
 */
export function resizeArea(src: Float32Array, planes: number, inH: number, inW: number, outH: number, outW: number): Float32Array {
  const out = new Float32Array(planes * outH * outW);
  const rowStart = Int32Array.from({ length: outH }, (_, i) => Math.floor((i * inH) / outH));
  const rowEnd = Int32Array.from({ length: outH }, (_, i) => Math.ceil(((i + 1) * inH) / outH));
  const colStart = Int32Array.from({ length: outW }, (_, j) => Math.floor((j * inW) / outW));
  const colEnd = Int32Array.from({ length: outW }, (_, j) => Math.ceil(((j + 1) * inW) / outW));
  for (let p = 0; p < planes; p += 1) {
    const base = p * inH * inW;
    for (let i = 0; i < outH; i += 1) {
      for (let j = 0; j < outW; j += 1) {
        let sum = 0;
        for (let r = rowStart[i]; r < rowEnd[i]; r += 1) {
          const row = base + r * inW;
          for (let c = colStart[j]; c < colEnd[j]; c += 1) sum += src[row + c];
        }
        out[(p * outH + i) * outW + j] = sum / ((rowEnd[i] - rowStart[i]) * (colEnd[j] - colStart[j]));
      }
    }
  }
  return out;
}

function linearTaps(inSize: number, outSize: number): { lo: Int32Array; hi: Int32Array; w: Float64Array } {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const w = new Float64Array(outSize);
  // Positions in double precision; torch uses float32, which moves a position by up to ~1e-5 of a
  // cell on long axes (1000 samples): the results agree to ~1e-5 of the signal's range, not bit for bit.
  const scale = inSize / outSize;
  for (let i = 0; i < outSize; i += 1) {
    // Half-pixel centres (align_corners = false); torch clamps negative source positions to 0.
    const source = Math.max(0, (i + 0.5) * scale - 0.5);
    const left = Math.min(Math.floor(source), inSize - 1);
    lo[i] = left;
    hi[i] = Math.min(left + 1, inSize - 1);
    w[i] = source - left;
  }
  return { lo, hi, w };
}

/** Bilinear resize of planes [planes, inH, inW] → [planes, outH, outW], as torch's interpolate(align_corners=False). */
export function resizeBilinear(src: Float32Array, planes: number, inH: number, inW: number, outH: number, outW: number): Float32Array {
  const out = new Float32Array(planes * outH * outW);
  const rows = linearTaps(inH, outH);
  const cols = linearTaps(inW, outW);
  for (let p = 0; p < planes; p += 1) {
    const base = p * inH * inW;
    for (let i = 0; i < outH; i += 1) {
      const top = base + rows.lo[i] * inW;
      const bottom = base + rows.hi[i] * inW;
      const wy = rows.w[i];
      for (let j = 0; j < outW; j += 1) {
        const wx = cols.w[j];
        const a = src[top + cols.lo[j]] * (1 - wx) + src[top + cols.hi[j]] * wx;
        const b = src[bottom + cols.lo[j]] * (1 - wx) + src[bottom + cols.hi[j]] * wx;
        out[(p * outH + i) * outW + j] = a * (1 - wy) + b * wy;
      }
    }
  }
  return out;
}

/** native-models' rule: area when shrinking both axes, bilinear otherwise; identity when equal. */
export function resizePlanes(src: Float32Array, planes: number, inH: number, inW: number, outH: number, outW: number): Float32Array {
  if (inH === outH && inW === outW) return src;
  if (outH <= inH && outW <= inW) return resizeArea(src, planes, inH, inW, outH, outW);
  return resizeBilinear(src, planes, inH, inW, outH, outW);
}
