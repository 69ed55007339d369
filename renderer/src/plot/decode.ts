/**
 * Decoding the API's float32 payloads (base64 of little-endian bytes) into typed arrays, once per response.
 */
import type { Float32Payload } from '../../../main/core/contract/contract.ts';

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUES = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < BASE64_ALPHABET.length; i++) table[BASE64_ALPHABET.charCodeAt(i)] = i;
  table['-'.charCodeAt(0)] = 62; // base64url, accepted for robustness
  table['_'.charCodeAt(0)] = 63;
  return table;
})();

/** Decodes standard (or URL-safe) base64 into bytes; whitespace is ignored, anything else is an error. */
export function base64ToBytes(base64: string): Uint8Array {
  let clean = base64.replace(/\s+/g, '');
  while (clean.endsWith('=')) clean = clean.slice(0, -1);
  if (clean.length % 4 === 1) throw new Error(`Invalid base64: ${clean.length} characters cannot encode whole bytes.`);
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let bitCount = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const code = clean.charCodeAt(i);
    const value = code < 128 ? BASE64_VALUES[code] : -1;
    if (value < 0) throw new Error(`Invalid base64 character '${clean[i]}' at position ${i}.`);
    bits = ((bits << 6) | value) & 0xffffff;
    bitCount += 6;
    if (bitCount >= 8) {
      bitCount -= 8;
      out[o++] = (bits >> bitCount) & 0xff;
    }
  }
  return out;
}

const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** A decoded float32 array with its shape, e.g. a shot gather [time, receivers]. */
export interface Float32Grid {
  shape: number[];
  values: Float32Array;
}

export function decodeFloat32(payload: Float32Payload): Float32Grid {
  const bytes = base64ToBytes(payload.base64);
  const expected = payload.shape.reduce((a, b) => a * b, 1);
  if (bytes.byteLength !== expected * 4) {
    throw new Error(
      `Array payload of shape [${payload.shape.join(', ')}] should hold ${expected * 4} bytes but holds ${bytes.byteLength}.`,
    );
  }
  let values: Float32Array;
  if (littleEndianHost) {
    values = new Float32Array(bytes.buffer, bytes.byteOffset, expected);
  } else {
    values = new Float32Array(expected);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < expected; i++) values[i] = view.getFloat32(i * 4, true);
  }
  return { shape: payload.shape.slice(), values };
}

/** Base64 of the little-endian bytes of a Float32Array (for tests and round trips). */
export function float32ToBase64(values: Float32Array): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i];
    const b = i + 1 < bytes.length ? bytes[i + 1] : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2] : 0;
    const triple = (a << 16) | (b << 8) | c;
    out += BASE64_ALPHABET[(triple >> 18) & 63] + BASE64_ALPHABET[(triple >> 12) & 63];
    out += i + 1 < bytes.length ? BASE64_ALPHABET[(triple >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? BASE64_ALPHABET[triple & 63] : '=';
  }
  return out;
}
