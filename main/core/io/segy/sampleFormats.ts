/**
 * Sample formats of SEG-Y rev 2 (binary header bytes 3225-3226) and their bulk conversion to
 * and from floating point. Conversions work on whole runs of samples through typed-array views:
 * bytes are swapped to host order in one pass, then read as the matching typed array.
 */

export type SampleFormatCode = 1 | 2 | 3 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 15 | 16;

export interface SampleFormat {
  code: SampleFormatCode;
  bytesPerSample: 1 | 2 | 3 | 4 | 8;
  description: string;
}

export const SAMPLE_FORMATS: Readonly<Record<SampleFormatCode, SampleFormat>> = {
  1: { code: 1, bytesPerSample: 4, description: '4-byte IBM hexadecimal floating point' },
  2: { code: 2, bytesPerSample: 4, description: "4-byte two's complement integer" },
  3: { code: 3, bytesPerSample: 2, description: "2-byte two's complement integer" },
  5: { code: 5, bytesPerSample: 4, description: '4-byte IEEE floating point' },
  6: { code: 6, bytesPerSample: 8, description: '8-byte IEEE floating point' },
  7: { code: 7, bytesPerSample: 3, description: "3-byte two's complement integer" },
  8: { code: 8, bytesPerSample: 1, description: "1-byte two's complement integer" },
  9: { code: 9, bytesPerSample: 8, description: "8-byte two's complement integer" },
  10: { code: 10, bytesPerSample: 4, description: '4-byte unsigned integer' },
  11: { code: 11, bytesPerSample: 2, description: '2-byte unsigned integer' },
  12: { code: 12, bytesPerSample: 8, description: '8-byte unsigned integer' },
  15: { code: 15, bytesPerSample: 3, description: '3-byte unsigned integer' },
  16: { code: 16, bytesPerSample: 1, description: '1-byte unsigned integer' },
};

export function sampleFormat(code: number): SampleFormat | undefined {
  return Object.prototype.hasOwnProperty.call(SAMPLE_FORMATS, code) ? SAMPLE_FORMATS[code as SampleFormatCode] : undefined;
}

export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type FloatArray = Float32Array | Float64Array;

/** 16^(e-64) / 2^24 for every 7-bit IBM exponent e: the weight of one mantissa unit. */
const IBM_UNIT = new Float64Array(128);
for (let e = 0; e < 128; e++) IBM_UNIT[e] = 2 ** (4 * (e - 64) - 24);

const TWO_POW_32 = 4294967296;

/**
 * Reverses the byte order of `count` values of `width` bytes (2, 4 or 8) starting at `offset`,
 * in place, with Node's native Buffer swaps (several times faster than a JavaScript loop).
 */
export function swapInPlace(bytes: Uint8Array, offset: number, count: number, width: number): void {
  if (width !== 2 && width !== 4 && width !== 8) return;
  const region = Buffer.from(bytes.buffer, bytes.byteOffset + offset, count * width);
  if (width === 2) region.swap16();
  else if (width === 4) region.swap32();
  else region.swap64();
}

/**
 * Makes `count` samples of `width` bytes at `offset` addressable as a host-order typed array:
 * swaps them in place (so the caller's bytes are changed) and copies them first if they are
 * not aligned to `width`. Returns the buffer and byte offset to view.
 */
function hostOrderRegion(
  bytes: Uint8Array,
  offset: number,
  count: number,
  width: number,
  littleEndian: boolean,
): { buffer: ArrayBufferLike; byteOffset: number } {
  let region = bytes;
  let at = offset;
  if ((bytes.byteOffset + offset) % width !== 0) {
    region = bytes.slice(offset, offset + count * width);
    at = 0;
  }
  if (littleEndian !== HOST_LITTLE_ENDIAN) swapInPlace(region, at, count, width);
  return { buffer: region.buffer, byteOffset: region.byteOffset + at };
}

/**
 * Decodes `count` samples stored at `bytes[offset…]` in `format` and byte order `littleEndian`
 * into `out[outOffset…]`. The input bytes may be byte-swapped in place.
 *
 * IBM floats (format 1) are decoded without assuming normalisation:
 *   value = (-1)^sign × mantissa × 16^(exponent − 64) / 2^24,
 * with the 24-bit mantissa taken as an integer, so words whose leading hex digit is 0 decode
 * exactly. 8-byte integers are combined as high × 2^32 + low in float64 (exact below 2^53,
 * correctly rounded above).
 */
export function decodeSamples(
  bytes: Uint8Array,
  offset: number,
  count: number,
  format: SampleFormatCode,
  littleEndian: boolean,
  out: FloatArray,
  outOffset: number,
): void {
  switch (format) {
    case 1: {
      // Byte swap fused into the conversion: one pass, input left untouched when aligned.
      const aligned = (bytes.byteOffset + offset) % 4 === 0;
      const words = aligned ? new Uint32Array(bytes.buffer, bytes.byteOffset + offset, count) : new Uint32Array(bytes.slice(offset, offset + 4 * count).buffer);
      if (littleEndian === HOST_LITTLE_ENDIAN) {
        for (let i = 0; i < count; i++) {
          const w = words[i];
          const magnitude = (w & 0xffffff) * IBM_UNIT[(w >>> 24) & 0x7f];
          out[outOffset + i] = w & 0x80000000 ? -magnitude : magnitude;
        }
      } else {
        for (let i = 0; i < count; i++) {
          const x = words[i];
          const w = ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
          const magnitude = (w & 0xffffff) * IBM_UNIT[(w >>> 24) & 0x7f];
          out[outOffset + i] = w < 0 ? -magnitude : magnitude;
        }
      }
      return;
    }
    case 2:
    case 5:
    case 10: {
      if (format === 5 && out instanceof Float32Array && (bytes.byteOffset + offset) % 4 === 0) {
        // IEEE float into float32: copy the 32-bit patterns, swapping on the way when needed.
        const words = new Uint32Array(bytes.buffer, bytes.byteOffset + offset, count);
        const target = new Uint32Array(out.buffer, out.byteOffset + 4 * outOffset, count);
        if (littleEndian === HOST_LITTLE_ENDIAN) target.set(words);
        else {
          for (let i = 0; i < count; i++) {
            const x = words[i];
            target[i] = ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
          }
        }
        return;
      }
      const { buffer, byteOffset } = hostOrderRegion(bytes, offset, count, 4, littleEndian);
      const values =
        format === 2
          ? new Int32Array(buffer, byteOffset, count)
          : format === 5
            ? new Float32Array(buffer, byteOffset, count)
            : new Uint32Array(buffer, byteOffset, count);
      out.set(values, outOffset);
      return;
    }
    case 3:
    case 11: {
      const { buffer, byteOffset } = hostOrderRegion(bytes, offset, count, 2, littleEndian);
      out.set(format === 3 ? new Int16Array(buffer, byteOffset, count) : new Uint16Array(buffer, byteOffset, count), outOffset);
      return;
    }
    case 8:
    case 16: {
      const start = bytes.byteOffset + offset;
      out.set(format === 8 ? new Int8Array(bytes.buffer, start, count) : new Uint8Array(bytes.buffer, start, count), outOffset);
      return;
    }
    case 6: {
      const { buffer, byteOffset } = hostOrderRegion(bytes, offset, count, 8, littleEndian);
      out.set(new Float64Array(buffer, byteOffset, count), outOffset);
      return;
    }
    case 9:
    case 12: {
      const { buffer, byteOffset } = hostOrderRegion(bytes, offset, count, 8, littleEndian);
      const unsignedWords = new Uint32Array(buffer, byteOffset, count * 2);
      const signedWords = new Int32Array(buffer, byteOffset, count * 2);
      const lowIndex = HOST_LITTLE_ENDIAN ? 0 : 1;
      const highIndex = 1 - lowIndex;
      for (let i = 0; i < count; i++) {
        const high = format === 9 ? signedWords[2 * i + highIndex] : unsignedWords[2 * i + highIndex];
        out[outOffset + i] = high * TWO_POW_32 + unsignedWords[2 * i + lowIndex];
      }
      return;
    }
    case 7:
    case 15: {
      const hi = littleEndian ? 2 : 0;
      const lo = littleEndian ? 0 : 2;
      for (let i = 0, at = offset; i < count; i++, at += 3) {
        const unsigned = (bytes[at + hi] << 16) | (bytes[at + 1] << 8) | bytes[at + lo];
        out[outOffset + i] = format === 7 ? (unsigned << 8) >> 8 : unsigned;
      }
      return;
    }
    default: {
      const unknown: never = format;
      throw new RangeError(`Unknown SEG-Y sample format ${String(unknown)}`);
    }
  }
}

const INTEGER_RANGE: Partial<Record<SampleFormatCode, [number, number]>> = {
  2: [-2147483648, 2147483647],
  3: [-32768, 32767],
  7: [-8388608, 8388607],
  8: [-128, 127],
  9: [-(2 ** 63), 2 ** 63 - 1024],
  10: [0, 4294967295],
  11: [0, 65535],
  12: [0, 2 ** 64 - 2048],
  15: [0, 16777215],
  16: [0, 255],
};

/**
 * IEEE → IBM single precision, rounding the mantissa to nearest:
 *   |x| = M × 16^(E − 64) / 2^24 with 2^20 ≤ M < 2^24 (normalised), 0 ≤ E ≤ 127.
 * Values below the smallest IBM number become 0; above the largest, the largest (with sign);
 * NaN becomes 0.
 */
export function ieeeToIbmWord(x: number): number {
  if (!(x !== 0 && Number.isFinite(x))) {
    if (x === Infinity) return 0x7fffffff;
    if (x === -Infinity) return 0xffffffff;
    return 0;
  }
  const sign = x < 0 ? 0x80000000 : 0;
  const magnitude = Math.abs(x);
  // Exponent such that magnitude / 16^e lies in [1/16, 1).
  let e = Math.ceil(Math.log2(magnitude) / 4);
  let fraction = magnitude / 16 ** e;
  while (fraction >= 1) {
    fraction /= 16;
    e += 1;
  }
  while (fraction < 1 / 16) {
    fraction *= 16;
    e -= 1;
  }
  let mantissa = Math.round(fraction * 16777216);
  if (mantissa >= 16777216) {
    mantissa = 1048576;
    e += 1;
  }
  let exponent = e + 64;
  if (exponent > 127) return (sign | 0x7fffffff) >>> 0;
  if (exponent < 0) {
    // Denormalise into the smallest exponent when possible.
    const shift = -exponent * 4;
    mantissa = shift >= 24 ? 0 : Math.round(mantissa / 2 ** shift);
    exponent = 0;
    if (mantissa === 0) return sign >>> 0;
  }
  return (sign | (exponent << 24) | mantissa) >>> 0;
}

/**
 * Encodes `values` into `out[offset…]` in `format` and byte order `littleEndian`. Integer
 * formats round to nearest and clamp to their range.
 */
export function encodeSamples(
  values: ArrayLike<number>,
  format: SampleFormatCode,
  littleEndian: boolean,
  out: Uint8Array,
  offset: number,
): void {
  const count = values.length;
  const width = SAMPLE_FORMATS[format].bytesPerSample;
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const range = INTEGER_RANGE[format];
  const integer = (v: number): number => {
    const r = Math.round(Number.isNaN(v) ? 0 : v);
    return r < range![0] ? range![0] : r > range![1] ? range![1] : r;
  };
  for (let i = 0, at = offset; i < count; i++, at += width) {
    const v = values[i];
    switch (format) {
      case 1:
        view.setUint32(at, ieeeToIbmWord(v), littleEndian);
        break;
      case 5:
        view.setFloat32(at, v, littleEndian);
        break;
      case 6:
        view.setFloat64(at, v, littleEndian);
        break;
      case 2:
        view.setInt32(at, integer(v), littleEndian);
        break;
      case 10:
        view.setUint32(at, integer(v), littleEndian);
        break;
      case 3:
        view.setInt16(at, integer(v), littleEndian);
        break;
      case 11:
        view.setUint16(at, integer(v), littleEndian);
        break;
      case 8:
        view.setInt8(at, integer(v));
        break;
      case 16:
        view.setUint8(at, integer(v));
        break;
      case 7:
      case 15: {
        const u = integer(v) & 0xffffff;
        out[at + (littleEndian ? 2 : 0)] = u >>> 16;
        out[at + 1] = (u >>> 8) & 0xff;
        out[at + (littleEndian ? 0 : 2)] = u & 0xff;
        break;
      }
      case 9:
      case 12: {
        const n = integer(v);
        const high = Math.floor(n / TWO_POW_32);
        const low = n - high * TWO_POW_32;
        if (format === 9) view.setInt32(at + (littleEndian ? 4 : 0), high, littleEndian);
        else view.setUint32(at + (littleEndian ? 4 : 0), high, littleEndian);
        view.setUint32(at + (littleEndian ? 0 : 4), low, littleEndian);
        break;
      }
    }
  }
}

