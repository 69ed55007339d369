/**
 * NumPy `.npy` files: reading (header versions 1.0, 2.0 and 3.0, either byte order, the numeric
 * dtypes, C or Fortran order), random access along axis 0 without loading the whole file, and a
 * streaming writer that renames into place only when the file is complete.
 *
 * Format (numpy/lib/format.py): the magic `\x93NUMPY`, a major and minor version byte, the header
 * length (uint16 LE in 1.0, uint32 LE in 2.0 and 3.0), then the header — a Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (500, 1, 70, 70), }` padded with spaces and
 * ended by '\n' so that the data starts at a multiple of 64 bytes — then the raw array data.
 * Version 1.0 and 2.0 headers are latin-1, 3.0 headers utf-8.
 *
 * Fortran order: `readNpy` converts a Fortran-ordered array to C order in memory and says so
 * through `onNotice`; arrays above `FORTRAN_CONVERSION_LIMIT_BYTES` are refused with an
 * 'unsupported' error, because converting them needs the whole array twice in memory (re-save
 * them with `np.save(path, np.ascontiguousarray(a))`). `readNpyRows` converts the same way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../contract/errors.ts';
import { AtomicFileWriter, writeFailure } from '../util/atomicFile.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const MAGIC_LENGTH = 6;
/** Data starts at a multiple of this many bytes (numpy's ARRAY_ALIGN). */
const ARRAY_ALIGN = 64;
/** Spaces numpy reserves so the first axis can grow in place (numpy's GROWTH_AXIS_MAX_DIGITS). */
const GROWTH_AXIS_MAX_DIGITS = 21;
/** Headers longer than this are not numpy files we wrote or should trust (numpy's default is 10000). */
const MAX_HEADER_BYTES = 1 << 20;
/**
 * Deepest nesting of dicts, tuples and lists a header may have. numpy's own headers reach 8 or so
 * (nested structured dtypes); the bound keeps the recursive parser far from the stack limit, which a
 * 6 KB header of 3,000 nested tuples used to overflow.
 */
const MAX_HEADER_NESTING = 32;
/** Largest Fortran-ordered array converted to C order in memory. */
export const FORTRAN_CONVERSION_LIMIT_BYTES = 1 << 30;

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Element types by numpy's kind + item size, independent of byte order. */
export type NpyDtype = 'f4' | 'f8' | 'i1' | 'i2' | 'i4' | 'i8' | 'u1' | 'u2' | 'u4' | 'u8' | 'b1';

/** Element types the writer produces (always little-endian, the order numpy uses on x86 and ARM). */
export type NpyWriteDtype = 'f4' | 'f8' | 'i1' | 'i2' | 'i4' | 'u1' | 'u2' | 'u4';

export interface NpyHeader {
  /** Format version as major number: 1 (uint16 header length), 2 (uint32), 3 (uint32, utf-8). */
  version: 1 | 2 | 3;
  /** The descr string as written in the file, e.g. '<f4', '>i2', '|u1'. */
  descr: string;
  dtype: NpyDtype;
  itemSize: number;
  /** Byte order of the stored elements; single-byte types count as little-endian. */
  littleEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
  /** Number of elements: the product of `shape` (1 for a 0-d array). */
  elementCount: number;
  /** Byte offset of the first data byte. */
  dataOffset: number;
  /** Bytes of array data: elementCount × itemSize. */
  dataBytes: number;
}

/** An `.npy` file opened for random access: its header and path; no descriptor is held open. */
export interface NpyFile extends NpyHeader {
  path: string;
  /** Elements in one slice along axis 0 (product of shape[1:]). */
  rowElements: number;
}

/** Typed arrays `readNpyRaw` returns, one per stored dtype (int64/uint64 as BigInt arrays, bool as 0/1 bytes). */
export type NpyTypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

export interface NpyReadOptions {
  /** Non-fatal findings: a float64 file converted to float32, a Fortran-ordered array reordered. */
  onNotice?: (message: string) => void;
}

export interface NpyFloat32 {
  /** C-order shape of `data`. */
  shape: number[];
  data: Float32Array;
  /** The element type stored in the file, before conversion to float32. */
  sourceDtype: NpyDtype;
}

export interface NpyRaw {
  shape: number[];
  /** Elements in C order and host byte order, with the file's element type. */
  data: NpyTypedArray;
  dtype: NpyDtype;
}

interface DtypeInfo {
  itemSize: number;
  /** Widened or rounded to float32 may lose information for this type. */
  lossyToFloat32: boolean;
}

const DTYPES: Record<NpyDtype, DtypeInfo> = {
  f4: { itemSize: 4, lossyToFloat32: false },
  f8: { itemSize: 8, lossyToFloat32: true },
  i1: { itemSize: 1, lossyToFloat32: false },
  i2: { itemSize: 2, lossyToFloat32: false },
  i4: { itemSize: 4, lossyToFloat32: true },
  i8: { itemSize: 8, lossyToFloat32: true },
  u1: { itemSize: 1, lossyToFloat32: false },
  u2: { itemSize: 2, lossyToFloat32: false },
  u4: { itemSize: 4, lossyToFloat32: true },
  u8: { itemSize: 8, lossyToFloat32: true },
  b1: { itemSize: 1, lossyToFloat32: false },
};

const DTYPE_NAMES: Record<NpyDtype, string> = {
  f4: 'float32',
  f8: 'float64',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  u1: 'uint8',
  u2: 'uint16',
  u4: 'uint32',
  u8: 'uint64',
  b1: 'bool',
};

/** A person's name for a dtype: 'float32', 'int16', … */
export function dtypeName(dtype: NpyDtype): string {
  return DTYPE_NAMES[dtype];
}

function badFile(filePath: string, message: string, details?: Record<string, unknown>): StudioError {
  return new StudioError('bad_file', `${filePath}: ${message}`, { file: filePath, ...details });
}

// ---------------------------------------------------------------------------------------------
// Header: parsing the Python literal

type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

/**
 * A recursive-descent parser for the subset of Python literals numpy writes in headers, with its
 * nesting bounded by MAX_HEADER_NESTING. Records where each value of the outermost dict starts, so
 * that errors about a field point at it.
 */
class PyLiteralParser {
  private pos = 0;
  private depth = 0;
  /** Byte offset in the file of each top-level dict value, by key. */
  readonly valueOffsets = new Map<string, number>();
  constructor(
    private readonly text: string,
    private readonly filePath: string,
    private readonly headerOffset: number,
    private readonly encoding: 'latin1' | 'utf8',
  ) {}

  parse(): PyValue {
    const value = this.value();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected text ${JSON.stringify(this.text.slice(this.pos, this.pos + 20))}`);
    return value;
  }

  /** The file offset of character `pos` of the header: latin-1 has one byte per character, utf-8 up to four. */
  private byteAt(pos: number): number {
    return this.headerOffset + (this.encoding === 'latin1' ? pos : Buffer.byteLength(this.text.slice(0, pos), 'utf8'));
  }

  private fail(what: string): never {
    const byteOffset = this.byteAt(this.pos);
    throw badFile(
      this.filePath,
      `the .npy header cannot be parsed (${what}) near byte ${byteOffset}. The header is ${JSON.stringify(this.text.trim().slice(0, 200))}. Re-save the array with numpy.save.`,
      { byteOffset, field: 'header' },
    );
  }

  private enter(): void {
    this.depth += 1;
    if (this.depth > MAX_HEADER_NESTING) this.fail(`dicts, tuples or lists nested deeper than ${MAX_HEADER_NESTING} levels; numpy writes far fewer`);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos += 1;
  }

  private value(): PyValue {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === undefined) this.fail('unexpected end of the header');
    if (c === '{') return this.dict();
    if (c === '(') return this.sequence('(', ')');
    if (c === '[') return this.sequence('[', ']');
    if (c === "'" || c === '"') return this.string();
    if (/[-+0-9]/.test(c)) return this.number();
    for (const [word, value] of [
      ['True', true],
      ['False', false],
      ['None', null],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    this.fail(`unexpected character ${JSON.stringify(c)}`);
  }

  private dict(): { [key: string]: PyValue } {
    this.enter();
    this.pos += 1;
    // No prototype: a key such as '__proto__' stays a plain key.
    const result: { [key: string]: PyValue } = Object.create(null);
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') {
        this.pos += 1;
        this.depth -= 1;
        return result;
      }
      const key = this.value();
      if (typeof key !== 'string') this.fail('a dict key that is not a string');
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail("':' expected after a dict key");
      this.pos += 1;
      this.skipSpace();
      if (this.depth === 1) this.valueOffsets.set(key, this.byteAt(this.pos));
      result[key] = this.value();
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos += 1;
      else if (this.text[this.pos] !== '}') this.fail("',' or '}' expected");
    }
  }

  private sequence(open: string, close: string): PyValue[] {
    this.enter();
    this.pos += open.length;
    const items: PyValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) {
        this.pos += 1;
        this.depth -= 1;
        return items;
      }
      items.push(this.value());
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos += 1;
      else if (this.text[this.pos] !== close) this.fail(`',' or '${close}' expected`);
    }
  }

  private string(): string {
    const quote = this.text[this.pos]!;
    this.pos += 1;
    let result = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      this.pos += 1;
      if (c === quote) return result;
      if (c === '\\') {
        const next = this.text[this.pos];
        if (next === undefined) break;
        this.pos += 1;
        result += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      } else {
        result += c;
      }
    }
    this.fail('an unterminated string');
  }

  private number(): number {
    const match = /^[-+]?\d+L?/.exec(this.text.slice(this.pos));
    if (!match) this.fail('a malformed number');
    this.pos += match[0].length;
    return Number.parseInt(match[0], 10);
  }
}

function parseDescr(descr: string, filePath: string, field: number): { dtype: NpyDtype; littleEndian: boolean } {
  const match = /^([<>|=]?)([fiub])(\d+)$/.exec(descr);
  const unsupported = () =>
    new StudioError(
      'unsupported',
      `${filePath}: element type ${JSON.stringify(descr)} (header byte ${field}) is not supported; the studio reads float32/float64, int8–int64, uint8–uint64 and bool arrays. Convert it with numpy, e.g. np.save(path, a.astype(np.float32)).`,
      { file: filePath, field: 'descr', byteOffset: field },
    );
  if (!match) throw unsupported();
  const [, order, kind, size] = match;
  const dtype = `${kind}${size}` as NpyDtype;
  if (!(dtype in DTYPES)) throw unsupported();
  const littleEndian = order === '>' ? false : order === '=' ? LITTLE_ENDIAN_HOST : true;
  return { dtype, littleEndian };
}

/**
 * Parses the header at the start of `bytes` (which must hold at least the whole header).
 * `fileBytes` is the file's size, used to check that the data is complete.
 */
export function parseNpyHeader(bytes: Uint8Array, filePath: string, fileBytes?: number): NpyHeader {
  const size = fileBytes ?? bytes.byteLength;
  if (size < MAGIC_LENGTH + 4 || bytes.byteLength < MAGIC_LENGTH + 4) {
    throw badFile(filePath, `the file ends at byte ${size}, too short to hold an .npy header (magic, version and header length take 10 bytes). It is truncated or not an .npy file.`, { byteOffset: size, field: 'magic' });
  }
  for (let i = 0; i < MAGIC_LENGTH; i += 1) {
    if (bytes[i] !== MAGIC[i]) {
      throw badFile(filePath, `not an .npy file: byte ${i} of the magic string is 0x${bytes[i]!.toString(16).padStart(2, '0')}, expected "\\x93NUMPY" at byte 0.`, { byteOffset: i, field: 'magic' });
    }
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0) {
    throw new StudioError('unsupported', `${filePath}: .npy format version ${major}.${minor} (byte 6) is not supported; versions 1.0, 2.0 and 3.0 are. Re-save the array with numpy.save.`, { file: filePath, byteOffset: 6, field: 'version' });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else {
    if (bytes.byteLength < 12) throw badFile(filePath, `the file ends at byte ${size} inside the version ${major}.0 header length field (bytes 8–11).`, { byteOffset: 8, field: 'header_len' });
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  }
  if (headerLength > MAX_HEADER_BYTES) {
    throw badFile(filePath, `the header length at byte 8 says ${headerLength} bytes, more than the ${MAX_HEADER_BYTES} an .npy header may have.`, { byteOffset: 8, field: 'header_len' });
  }
  const dataOffset = headerStart + headerLength;
  if (size < dataOffset || bytes.byteLength < dataOffset) {
    throw badFile(filePath, `the file is truncated inside its header: the header runs to byte ${dataOffset} but the file has ${size} bytes.`, { byteOffset: Math.min(size, bytes.byteLength), field: 'header' });
  }
  const headerBytes = bytes.subarray(headerStart, dataOffset);
  let text: string;
  if (major === 3) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
    } catch {
      throw badFile(filePath, `the version 3.0 header (bytes ${headerStart}–${dataOffset}) is not valid utf-8.`, { byteOffset: headerStart, field: 'header' });
    }
  } else {
    text = Buffer.from(headerBytes).toString('latin1');
  }
  const parser = new PyLiteralParser(text, filePath, headerStart, major === 3 ? 'utf8' : 'latin1');
  const dict = parser.parse();
  /** Where a field's value starts, or the header's start when the field is missing. */
  const fieldAt = (key: string): number => parser.valueOffsets.get(key) ?? headerStart;
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) {
    throw badFile(filePath, `the .npy header at byte ${headerStart} is not a dict: ${JSON.stringify(text.trim().slice(0, 200))}.`, { byteOffset: headerStart, field: 'header' });
  }
  const descr = dict.descr;
  if (typeof descr !== 'string') {
    if (Array.isArray(descr)) {
      throw new StudioError('unsupported', `${filePath}: the array has a structured (record) dtype ('descr' at byte ${fieldAt('descr')}); the studio reads plain numeric arrays only. Save each field as its own .npy file.`, { file: filePath, field: 'descr', byteOffset: fieldAt('descr') });
    }
    throw badFile(filePath, `the header at byte ${fieldAt('descr')} has no 'descr' string.`, { byteOffset: fieldAt('descr'), field: 'descr' });
  }
  const fortranOrder = dict.fortran_order;
  if (typeof fortranOrder !== 'boolean') {
    throw badFile(filePath, `the header at byte ${fieldAt('fortran_order')} has no boolean 'fortran_order'.`, { byteOffset: fieldAt('fortran_order'), field: 'fortran_order' });
  }
  const shapeValue = dict.shape;
  if (!Array.isArray(shapeValue) || !shapeValue.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    const given = JSON.stringify(shapeValue) ?? 'nothing';
    throw badFile(filePath, `the header at byte ${fieldAt('shape')} has no valid 'shape' (a tuple of non-negative integers): ${given.length > 200 ? `${given.slice(0, 200)}…` : given}.`, { byteOffset: fieldAt('shape'), field: 'shape' });
  }
  const shape = shapeValue as number[];
  const { dtype, littleEndian } = parseDescr(descr, filePath, fieldAt('descr'));
  const itemSize = DTYPES[dtype].itemSize;
  const elementCount = shape.reduce((a, b) => a * b, 1);
  const dataBytes = elementCount * itemSize;
  if (!Number.isSafeInteger(dataBytes)) {
    throw badFile(filePath, `the shape ${formatShape(shape)} at byte ${fieldAt('shape')} is too large: its data would not fit in 2^53 bytes.`, { byteOffset: fieldAt('shape'), field: 'shape' });
  }
  if (fileBytes !== undefined && fileBytes !== dataOffset + dataBytes) {
    const problem =
      fileBytes < dataOffset + dataBytes
        ? `the file is truncated: shape ${formatShape(shape)} of ${descr} needs ${dataBytes} data bytes from byte ${dataOffset} (to byte ${dataOffset + dataBytes}), but the file ends at byte ${fileBytes}`
        : `the file has ${fileBytes - dataOffset - dataBytes} bytes more than shape ${formatShape(shape)} of ${descr} needs (data from byte ${dataOffset} to byte ${dataOffset + dataBytes}, file ends at byte ${fileBytes})`;
    throw badFile(filePath, `${problem}. Copy or save the file again.`, { byteOffset: Math.min(fileBytes, dataOffset + dataBytes), field: 'data', expectedBytes: dataOffset + dataBytes, fileBytes });
  }
  return {
    version: major as 1 | 2 | 3,
    descr,
    dtype,
    itemSize,
    littleEndian: itemSize === 1 ? true : littleEndian,
    fortranOrder,
    shape,
    elementCount,
    dataOffset,
    dataBytes,
  };
}

/** '[500, 1, 70, 70]' */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

// ---------------------------------------------------------------------------------------------
// Header: writing

function pythonShape(shape: readonly number[]): string {
  if (shape.length === 0) return '()';
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/**
 * Builds a complete header (magic, version, length, padded dict) for `descr` and `shape`.
 * Version 1.0 when the header fits its uint16 length field, else 2.0. With `minimumBytes`
 * the header is padded to at least that size (to rewrite a header in place), and
 * `growthPadding` reserves numpy's room for the first axis to grow.
 */
export function formatNpyHeader(
  descr: string,
  shape: readonly number[],
  options: { fortranOrder?: boolean; growthPadding?: boolean; minimumBytes?: number } = {},
): Uint8Array {
  let dict = `{'descr': '${descr}', 'fortran_order': ${options.fortranOrder ? 'True' : 'False'}, 'shape': ${pythonShape(shape)}, }`;
  if (options.growthPadding) dict += ' '.repeat(GROWTH_AXIS_MAX_DIGITS);
  const build = (lengthFieldBytes: 2 | 4): Uint8Array | null => {
    const prefix = MAGIC_LENGTH + 2 + lengthFieldBytes;
    let total = prefix + dict.length + 1;
    total = Math.ceil(total / ARRAY_ALIGN) * ARRAY_ALIGN;
    if (options.minimumBytes !== undefined && total < options.minimumBytes) total = options.minimumBytes;
    const headerLength = total - prefix;
    if (lengthFieldBytes === 2 && headerLength > 0xffff) return null;
    const out = new Uint8Array(total);
    out.set(MAGIC, 0);
    out[6] = lengthFieldBytes === 2 ? 1 : 2;
    out[7] = 0;
    const view = new DataView(out.buffer);
    if (lengthFieldBytes === 2) view.setUint16(8, headerLength, true);
    else view.setUint32(8, headerLength, true);
    const text = dict.padEnd(headerLength - 1, ' ') + '\n';
    out.set(Buffer.from(text, 'latin1'), prefix);
    return out;
  };
  return build(2) ?? build(4)!;
}

// ---------------------------------------------------------------------------------------------
// Element conversion

/** Reads `count` elements of `dtype` from `bytes` into a Float32Array (host order). */
function toFloat32(bytes: Uint8Array, dtype: NpyDtype, littleEndian: boolean, count: number): Float32Array {
  const out = new Float32Array(count);
  if (dtype === 'f4' && littleEndian === LITTLE_ENDIAN_HOST) {
    new Uint8Array(out.buffer).set(bytes.subarray(0, count * 4));
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = littleEndian;
  switch (dtype) {
    case 'f4':
      for (let i = 0; i < count; i += 1) out[i] = view.getFloat32(i * 4, le);
      break;
    case 'f8':
      for (let i = 0; i < count; i += 1) out[i] = view.getFloat64(i * 8, le);
      break;
    case 'i1':
      for (let i = 0; i < count; i += 1) out[i] = view.getInt8(i);
      break;
    case 'u1':
    case 'b1':
      for (let i = 0; i < count; i += 1) out[i] = bytes[i]!;
      break;
    case 'i2':
      for (let i = 0; i < count; i += 1) out[i] = view.getInt16(i * 2, le);
      break;
    case 'u2':
      for (let i = 0; i < count; i += 1) out[i] = view.getUint16(i * 2, le);
      break;
    case 'i4':
      for (let i = 0; i < count; i += 1) out[i] = view.getInt32(i * 4, le);
      break;
    case 'u4':
      for (let i = 0; i < count; i += 1) out[i] = view.getUint32(i * 4, le);
      break;
    case 'i8':
      for (let i = 0; i < count; i += 1) out[i] = Number(view.getBigInt64(i * 8, le));
      break;
    case 'u8':
      for (let i = 0; i < count; i += 1) out[i] = Number(view.getBigUint64(i * 8, le));
      break;
  }
  return out;
}

/** Reads `count` elements into a typed array of the stored type, in host byte order. */
function toNative(bytes: Uint8Array, dtype: NpyDtype, littleEndian: boolean, count: number): NpyTypedArray {
  const itemSize = DTYPES[dtype].itemSize;
  const copy = new Uint8Array(count * itemSize);
  copy.set(bytes.subarray(0, count * itemSize));
  if (itemSize > 1 && littleEndian !== LITTLE_ENDIAN_HOST) {
    for (let i = 0; i < copy.length; i += itemSize) {
      for (let a = i, b = i + itemSize - 1; a < b; a += 1, b -= 1) {
        const t = copy[a]!;
        copy[a] = copy[b]!;
        copy[b] = t;
      }
    }
  }
  const buffer = copy.buffer;
  switch (dtype) {
    case 'f4':
      return new Float32Array(buffer);
    case 'f8':
      return new Float64Array(buffer);
    case 'i1':
      return new Int8Array(buffer);
    case 'i2':
      return new Int16Array(buffer);
    case 'i4':
      return new Int32Array(buffer);
    case 'i8':
      return new BigInt64Array(buffer);
    case 'u1':
    case 'b1':
      return copy;
    case 'u2':
      return new Uint16Array(buffer);
    case 'u4':
      return new Uint32Array(buffer);
    case 'u8':
      return new BigUint64Array(buffer);
  }
}

/** Reorders a Fortran-order array (first index fastest) into C order (last index fastest). */
function fortranToC<T extends { length: number; [i: number]: number | bigint }>(source: T, shape: readonly number[], make: (n: number) => T): T {
  const n = source.length;
  const out = make(n);
  const rank = shape.length;
  if (rank <= 1 || n === 0) {
    for (let i = 0; i < n; i += 1) out[i] = source[i]!;
    return out;
  }
  // Fortran strides: stride[0] = 1, stride[k] = stride[k-1] * shape[k-1].
  const fStride = new Array<number>(rank);
  fStride[0] = 1;
  for (let k = 1; k < rank; k += 1) fStride[k] = fStride[k - 1]! * shape[k - 1]!;
  const index = new Array<number>(rank).fill(0);
  let fOffset = 0;
  for (let c = 0; c < n; c += 1) {
    out[c] = source[fOffset]!;
    // Advance the C-order multi-index (last axis fastest) and the matching Fortran offset.
    for (let k = rank - 1; k >= 0; k -= 1) {
      index[k]! += 1;
      fOffset += fStride[k]!;
      if (index[k]! < shape[k]!) break;
      fOffset -= fStride[k]! * shape[k]!;
      index[k] = 0;
    }
  }
  return out;
}

function sameKindEmpty(source: NpyTypedArray, n: number): NpyTypedArray {
  const ctor = source.constructor as new (n: number) => NpyTypedArray;
  return new ctor(n);
}

// ---------------------------------------------------------------------------------------------
// Reading

function readExactly(fd: number, target: Uint8Array, position: number, filePath: string): void {
  let done = 0;
  while (done < target.byteLength) {
    const got = fs.readSync(fd, target, done, target.byteLength - done, position + done);
    if (got === 0) {
      throw badFile(filePath, `the file ended at byte ${position + done} while ${target.byteLength} bytes were expected from byte ${position}; it was truncated while being read.`, { byteOffset: position + done, field: 'data' });
    }
    done += got;
  }
}

function readHeaderFromFd(fd: number, filePath: string): NpyHeader {
  const fileBytes = fs.fstatSync(fd).size;
  const first = new Uint8Array(Math.min(fileBytes, 4096));
  readExactly(fd, first, 0, filePath);
  let bytes = first;
  if (fileBytes > first.byteLength && first.byteLength >= 12) {
    // A header can be longer than the first read (up to 64 KiB in 1.0, more in 2.0 and 3.0).
    const view = new DataView(first.buffer);
    const headerEnd = first[6] === 1 ? 10 + view.getUint16(8, true) : 12 + Math.min(view.getUint32(8, true), MAX_HEADER_BYTES + 1);
    const needed = Math.min(fileBytes, headerEnd);
    if (needed > first.byteLength) {
      bytes = new Uint8Array(needed);
      readExactly(fd, bytes, 0, filePath);
    }
  }
  return parseNpyHeader(bytes, filePath, fileBytes);
}

function withFile<T>(filePath: string, use: (fd: number) => T): T {
  let fd: number;
  try {
    fd = fs.openSync(filePath, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new StudioError('not_found', `${filePath}: no such file.`, { file: filePath });
    if (code === 'EISDIR') throw new StudioError('bad_input', `${filePath} is a folder, not an .npy file.`, { file: filePath });
    throw new StudioError('io', `${filePath}: cannot open (${(error as Error).message}).`, { file: filePath });
  }
  try {
    return use(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads only the header of an `.npy` file and checks that the file holds exactly its data. */
export function openNpy(filePath: string): NpyFile {
  const header = withFile(filePath, (fd) => readHeaderFromFd(fd, filePath));
  const rowElements = header.shape.length === 0 ? 1 : header.shape.slice(1).reduce((a, b) => a * b, 1);
  return { ...header, path: filePath, rowElements };
}

function checkFortranSize(header: NpyHeader, filePath: string): void {
  if (header.fortranOrder && header.dataBytes > FORTRAN_CONVERSION_LIMIT_BYTES) {
    throw new StudioError(
      'unsupported',
      `${filePath}: the array ${formatShape(header.shape)} is stored in Fortran order and is ${(header.dataBytes / 2 ** 30).toFixed(1)} GiB; the studio converts Fortran-ordered arrays up to ${FORTRAN_CONVERSION_LIMIT_BYTES / 2 ** 30} GiB. Re-save it in C order: np.save(path, np.ascontiguousarray(a)).`,
      { file: filePath, field: 'fortran_order' },
    );
  }
}

function conversionNotice(header: NpyHeader, filePath: string): string | null {
  if (header.dtype === 'f4') return null;
  if (header.dtype === 'f8') return `${filePath}: float64 data converted to float32 (about 7 significant digits are kept).`;
  if (DTYPES[header.dtype].lossyToFloat32) return `${filePath}: ${dtypeName(header.dtype)} data converted to float32; integers above 16777216 in magnitude are rounded.`;
  return null;
}

function readAllData(fd: number, header: NpyHeader, filePath: string): Uint8Array {
  const bytes = new Uint8Array(header.dataBytes);
  readExactly(fd, bytes, header.dataOffset, filePath);
  return bytes;
}

/**
 * Reads a whole `.npy` file as float32 in C order. float64 and integer data are converted
 * (with a notice for float64), Fortran order is reordered (with a notice).
 */
export function readNpy(filePath: string, options: NpyReadOptions = {}): NpyFloat32 {
  return withFile(filePath, (fd) => {
    const header = readHeaderFromFd(fd, filePath);
    checkFortranSize(header, filePath);
    let data: Float32Array;
    if (header.dtype === 'f4' && header.littleEndian === LITTLE_ENDIAN_HOST) {
      data = new Float32Array(header.elementCount);
      readExactly(fd, new Uint8Array(data.buffer), header.dataOffset, filePath);
    } else {
      data = toFloat32(readAllData(fd, header, filePath), header.dtype, header.littleEndian, header.elementCount);
    }
    const notice = conversionNotice(header, filePath);
    if (notice) options.onNotice?.(notice);
    if (header.fortranOrder) {
      data = fortranToC(data, header.shape, (n) => new Float32Array(n));
      options.onNotice?.(`${filePath}: the array was stored in Fortran order and was reordered to C order.`);
    }
    return { shape: [...header.shape], data, sourceDtype: header.dtype };
  });
}

/**
 * Reads a whole `.npy` file keeping its element type (in host byte order and C order):
 * int64/uint64 as BigInt64Array/BigUint64Array, bool as a Uint8Array of 0 and 1.
 */
export function readNpyRaw(filePath: string, options: NpyReadOptions = {}): NpyRaw {
  return withFile(filePath, (fd) => {
    const header = readHeaderFromFd(fd, filePath);
    checkFortranSize(header, filePath);
    const bytes = readAllData(fd, header, filePath);
    let data = toNative(bytes, header.dtype, header.littleEndian, header.elementCount);
    if (header.fortranOrder) {
      data = fortranToC(data, header.shape, (n) => sameKindEmpty(data, n));
      options.onNotice?.(`${filePath}: the array was stored in Fortran order and was reordered to C order.`);
    }
    return { shape: [...header.shape], data, dtype: header.dtype };
  });
}

const noticedFiles = new WeakSet<NpyFile>();

/**
 * Reads `count` slices along axis 0 starting at `start` as float32 in C order, reading only those
 * bytes (a Fortran-ordered file is read whole and reordered). Returns count × rowElements values.
 */
export function readNpyRows(file: NpyFile, start: number, count: number, options: NpyReadOptions = {}): Float32Array {
  if (file.shape.length === 0) throw new StudioError('bad_input', `${file.path}: a 0-d array has no rows to read.`, { file: file.path });
  const rows = file.shape[0]!;
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > rows) {
    throw new StudioError('bad_input', `${file.path}: rows ${start}..${start + count - 1} requested, but the array ${formatShape(file.shape)} has rows 0..${rows - 1}.`, { file: file.path, start, count });
  }
  if (!noticedFiles.has(file)) {
    const notice = conversionNotice(file, file.path);
    if (notice) options.onNotice?.(notice);
    if (file.fortranOrder) options.onNotice?.(`${file.path}: the array is stored in Fortran order; it is read whole and reordered to C order.`);
    if (notice || file.fortranOrder) noticedFiles.add(file);
  }
  return withFile(file.path, (fd) => {
    const size = fs.fstatSync(fd).size;
    if (size !== file.dataOffset + file.dataBytes) {
      throw badFile(file.path, `the file changed since it was opened: it is now ${size} bytes, expected ${file.dataOffset + file.dataBytes}.`, { byteOffset: size, field: 'data' });
    }
    if (file.fortranOrder) {
      checkFortranSize(file, file.path);
      const all = fortranToC(toFloat32(readAllData(fd, file, file.path), file.dtype, file.littleEndian, file.elementCount), file.shape, (n) => new Float32Array(n));
      return all.slice(start * file.rowElements, (start + count) * file.rowElements);
    }
    const elements = count * file.rowElements;
    const position = file.dataOffset + start * file.rowElements * file.itemSize;
    if (file.dtype === 'f4' && file.littleEndian === LITTLE_ENDIAN_HOST) {
      // Native float32: read straight into the result, no intermediate copy.
      const out = new Float32Array(elements);
      readExactly(fd, new Uint8Array(out.buffer), position, file.path);
      return out;
    }
    const bytes = new Uint8Array(elements * file.itemSize);
    readExactly(fd, bytes, position, file.path);
    return toFloat32(bytes, file.dtype, file.littleEndian, elements);
  });
}

// ---------------------------------------------------------------------------------------------
// Writing

type NumericTypedArray = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint8ClampedArray | Uint16Array | Uint32Array;

const WRITE_DESCR: Record<NpyWriteDtype, string> = {
  f4: '<f4',
  f8: '<f8',
  i1: '|i1',
  i2: '<i2',
  i4: '<i4',
  u1: '|u1',
  u2: '<u2',
  u4: '<u4',
};

const WRITE_CTORS: Record<NpyWriteDtype, new (n: number) => NumericTypedArray> = {
  f4: Float32Array,
  f8: Float64Array,
  i1: Int8Array,
  i2: Int16Array,
  i4: Int32Array,
  u1: Uint8Array,
  u2: Uint16Array,
  u4: Uint32Array,
};

/** Accepts 'f4' as well as numpy's spellings '<f4', '|u1', '=i2'. Big-endian output is not written. */
export function normaliseWriteDtype(dtype: string): NpyWriteDtype {
  const bare = dtype.replace(/^[<|=]/, '');
  if (bare in WRITE_DESCR) return bare as NpyWriteDtype;
  throw new StudioError('bad_input', `.npy element type ${JSON.stringify(dtype)} cannot be written; use one of ${Object.values(WRITE_DESCR).join(', ')}.`, { field: 'dtype' });
}

function dtypeOfArray(values: NumericTypedArray): NpyWriteDtype {
  if (values instanceof Float32Array) return 'f4';
  if (values instanceof Float64Array) return 'f8';
  if (values instanceof Int8Array) return 'i1';
  if (values instanceof Int16Array) return 'i2';
  if (values instanceof Int32Array) return 'i4';
  if (values instanceof Uint8Array || values instanceof Uint8ClampedArray) return 'u1';
  if (values instanceof Uint16Array) return 'u2';
  return 'u4';
}

export interface NpyWriterOptions {
  /** Element type, little-endian: 'f4' (default, '<f4'), 'f8', 'i4', 'i2', 'i1', 'u1', 'u2', 'u4'. */
  dtype?: NpyWriteDtype | `${'<' | '|' | '='}${NpyWriteDtype}`;
  /**
   * The array's shape. A `null` first axis means "as many rows as get written": the header keeps
   * room to be rewritten in place, and `commit()` fills in the count.
   */
  shape: ReadonlyArray<number | null>;
}

/**
 * Streams an `.npy` file into a temporary sibling; `commit()` checks the element count, patches the
 * header when the first axis was open and renames into place; `abort()` removes the temporary.
 */
export class NpyWriter {
  readonly path: string;
  readonly dtype: NpyWriteDtype;
  /** Elements in one slice along axis 0. */
  readonly rowElements: number;
  private readonly file: AtomicFileWriter;
  private readonly fixedShape: number[] | null;
  private readonly trailingShape: number[];
  private readonly headerBytes: number;
  private elements = 0;
  private finished = false;

  constructor(finalPath: string, options: NpyWriterOptions) {
    this.path = finalPath;
    this.dtype = normaliseWriteDtype(options.dtype ?? 'f4');
    const shape = options.shape;
    shape.forEach((d, i) => {
      if (d === null ? i !== 0 : !(Number.isSafeInteger(d) && d >= 0)) {
        throw new StudioError('bad_input', `${finalPath}: shape ${JSON.stringify(shape)} is invalid; axes are non-negative integers and only the first may be null (unknown length).`, { field: 'shape' });
      }
    });
    this.trailingShape = shape.slice(1) as number[];
    this.rowElements = this.trailingShape.reduce((a, b) => a * b, 1);
    const openLength = shape.length > 0 && shape[0] === null;
    this.fixedShape = openLength ? null : (shape as number[]).slice();
    const header = openLength
      ? formatNpyHeader(WRITE_DESCR[this.dtype], [0, ...this.trailingShape], { growthPadding: true })
      : formatNpyHeader(WRITE_DESCR[this.dtype], this.fixedShape!);
    this.headerBytes = header.byteLength;
    try {
      fs.mkdirSync(path.dirname(finalPath), { recursive: true });
    } catch (error) {
      throw writeFailure(error, finalPath);
    }
    this.file = new AtomicFileWriter(finalPath);
    try {
      this.file.write(header);
    } catch (error) {
      this.file.abort();
      throw error;
    }
  }

  /** The temporary file being written (renamed onto `path` by `commit()`). */
  get temporaryPath(): string {
    return this.file.temporaryPath;
  }

  get elementsWritten(): number {
    return this.elements;
  }

  /** Appends elements in C order; a typed array of another element type is converted. */
  write(values: NumericTypedArray): void {
    if (this.finished) throw new StudioError('internal', `${this.path}: write after commit or abort.`);
    if (this.fixedShape) {
      const total = this.fixedShape.reduce((a, b) => a * b, 1);
      if (this.elements + values.length > total) {
        throw new StudioError('bad_input', `${this.path}: ${this.elements + values.length} elements written, more than shape ${formatShape(this.fixedShape)} holds (${total}).`, { field: 'shape' });
      }
    }
    let typed: NumericTypedArray = values;
    if (dtypeOfArray(values) !== this.dtype || values instanceof Uint8ClampedArray) {
      typed = new WRITE_CTORS[this.dtype](values.length);
      for (let i = 0; i < values.length; i += 1) typed[i] = values[i]!;
    }
    let bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
    if (!LITTLE_ENDIAN_HOST && typed.BYTES_PER_ELEMENT > 1) {
      bytes = bytes.slice();
      const size = typed.BYTES_PER_ELEMENT;
      for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
    }
    this.file.write(bytes);
    this.elements += values.length;
  }

  /** Checks the count, fixes the header of an open-length array, flushes and renames into place. Returns the shape written. */
  commit(): number[] {
    if (this.finished) throw new StudioError('internal', `${this.path}: commit after commit or abort.`);
    let shape: number[];
    try {
      if (this.fixedShape) {
        const total = this.fixedShape.reduce((a, b) => a * b, 1);
        if (this.elements !== total) {
          throw new StudioError('bad_input', `${this.path}: ${this.elements} elements written, but shape ${formatShape(this.fixedShape)} needs ${total}.`, { field: 'shape' });
        }
        shape = this.fixedShape.slice();
      } else {
        if (this.rowElements === 0 ? this.elements !== 0 : this.elements % this.rowElements !== 0) {
          throw new StudioError('bad_input', `${this.path}: ${this.elements} elements written, not a whole number of rows of ${formatShape(this.trailingShape)} (${this.rowElements} each).`, { field: 'shape' });
        }
        const rows = this.rowElements === 0 ? 0 : this.elements / this.rowElements;
        shape = [rows, ...this.trailingShape];
        const header = formatNpyHeader(WRITE_DESCR[this.dtype], shape, { minimumBytes: this.headerBytes });
        if (header.byteLength !== this.headerBytes) {
          throw new StudioError('internal', `${this.path}: the rewritten header (${header.byteLength} bytes) does not fit the ${this.headerBytes} reserved.`);
        }
        this.file.writeAt(header, 0);
      }
      this.file.commit();
    } catch (error) {
      this.abort();
      throw error;
    }
    this.finished = true;
    return shape;
  }

  /** Removes the temporary file; the target is left as it was. Safe to call more than once. */
  abort(): void {
    this.finished = true;
    this.file.abort();
  }
}

/** Writes a whole array atomically; the element type follows the typed array (Float32Array → '<f4'). */
export function writeNpy(filePath: string, values: NumericTypedArray, shape: readonly number[]): void {
  const expected = shape.reduce((a, b) => a * b, 1);
  if (expected !== values.length) {
    throw new StudioError('bad_input', `${filePath}: shape ${formatShape(shape)} holds ${expected} elements but ${values.length} were given.`, { field: 'shape' });
  }
  const writer = new NpyWriter(filePath, { dtype: dtypeOfArray(values), shape });
  try {
    writer.write(values);
  } catch (error) {
    writer.abort();
    throw error;
  }
  writer.commit();
}
