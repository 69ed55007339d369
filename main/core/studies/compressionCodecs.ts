/**
 * The compression lab's non-learned codecs on float32 seismic [N, sources, time, receivers]:
 *
 * Uniform quantisation to B bits, per shot gather [time, receivers] g with lo = min g, hi = max g:
 *   q = round((s − lo)/(hi − lo) · (2^B − 1)),  ŝ = lo + q · (hi − lo)/(2^B − 1)
 * (a constant gather decodes to lo). Stored size per gather: ⌈time · receivers · B / 8⌉ bytes plus lo and
 * hi as float32 (8 bytes).
 *
 * Lossless: zstd and deflate (zlib format), each at its library's default level (zstd 3, zlib 6; on
 * OpenFWI-style seismic zstd 19 gained nothing over 3 at 8× the time), of each sample's float32
 * little-endian bytes, compressed sample by sample; the bytes are decompressed again and must match.
 */
import zlib from 'node:zlib';
import { init as initZstd, compress as zstdCompress, decompress as zstdDecompress } from '@bokuweb/zstd-wasm';
import { StudioError } from '../contract/errors.ts';
import type { GatherShape } from './compressionMetrics.ts';

export const QUANTISATION_BITS = [4, 6, 8, 12, 16] as const;
export const ZSTD_LEVEL = 3;
export const DEFLATE_LEVEL = 6;

/** Bytes one gather takes after B-bit uniform quantisation, with its float32 lo and hi. */
export function quantisedGatherBytes(shape: GatherShape, bits: number): number {
  return Math.ceil((shape.time * shape.receivers * bits) / 8) + 8;
}

/** B-bit uniform quantisation and back of every gather of `seismic` ([samples, sources, time, receivers]). */
export function quantiseUniform(seismic: Float32Array, shape: GatherShape, bits: number): Float32Array {
  if (!Number.isInteger(bits) || bits < 1 || bits > 32) throw new StudioError('bad_input', `Quantisation bits must be an integer from 1 to 32; got ${bits}.`);
  const size = shape.time * shape.receivers;
  if (seismic.length % size !== 0) throw new StudioError('bad_input', `Seismic of ${seismic.length} values is not made of [${shape.time}, ${shape.receivers}] gathers.`);
  const levels = 2 ** bits - 1;
  const out = new Float32Array(seismic.length);
  for (let offset = 0; offset < seismic.length; offset += size) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = offset; i < offset + size; i++) {
      if (seismic[i] < lo) lo = seismic[i];
      if (seismic[i] > hi) hi = seismic[i];
    }
    const step = (hi - lo) / levels;
    for (let i = offset; i < offset + size; i++) {
      out[i] = step > 0 ? lo + Math.round((seismic[i] - lo) / step) * step : lo;
    }
  }
  return out;
}

export type LosslessCodecName = 'zstd' | 'deflate';

export interface LosslessCodec {
  name: LosslessCodecName;
  level: number;
  compress(bytes: Uint8Array): Uint8Array;
  decompress(bytes: Uint8Array, size: number): Uint8Array;
}

let zstdReady: Promise<void> | null = null;

/** The two lossless codecs, ready to use (zstd's WebAssembly module is loaded once). */
export async function losslessCodecs(): Promise<LosslessCodec[]> {
  zstdReady ??= initZstd();
  await zstdReady;
  return [
    { name: 'zstd', level: ZSTD_LEVEL, compress: (bytes) => zstdCompress(bytes, ZSTD_LEVEL), decompress: (bytes) => zstdDecompress(bytes) },
    {
      name: 'deflate',
      level: DEFLATE_LEVEL,
      compress: (bytes) => zlib.deflateSync(bytes, { level: DEFLATE_LEVEL }),
      decompress: (bytes) => zlib.inflateSync(bytes),
    },
  ];
}

/** Compresses and decompresses one array's bytes; returns the compressed size and the decoded values. */
export function roundTrip(codec: LosslessCodec, values: Float32Array): { bytes: number; decoded: Float32Array } {
  const raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const packed = codec.compress(raw);
  const unpacked = codec.decompress(packed, raw.length);
  if (unpacked.length !== raw.length || !Buffer.from(unpacked.buffer, unpacked.byteOffset, unpacked.length).equals(Buffer.from(raw.buffer, raw.byteOffset, raw.length))) {
    throw new StudioError('internal', `${codec.name} did not give back the bytes it compressed (${unpacked.length} of ${raw.length} bytes).`);
  }
  const decoded = new Float32Array(values.length);
  new Uint8Array(decoded.buffer).set(unpacked);
  return { bytes: packed.length, decoded };
}
