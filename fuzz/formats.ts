/**
 * Writers for the fuzzer's own seeds, independent of the readers under test: `.npy` files built byte
 * by byte as numpy lays them out, ZIP archives (stored, deflated, Zip64), OpenFWI folders packed into
 * one file, and WebSocket client frames (RFC 6455 §5.2).
 */
import zlib from 'node:zlib';

// ---------------------------------------------------------------------------------------------
// .npy (numpy/lib/format.py): magic, version, header length, a dict literal padded to 64 bytes, data

export interface NpySeedSpec {
  /** numpy's descr, e.g. '<f4', '>i2', '|b1'. */
  descr: string;
  shape: readonly number[];
  fortranOrder?: boolean;
  version?: 1 | 2 | 3;
  /** Element values in storage order; defaults to 0, 1, 2… */
  values?: ArrayLike<number>;
}

function pythonTuple(shape: readonly number[]): string {
  if (shape.length === 0) return '()';
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

export function npyHeaderBytes(descr: string, shape: readonly number[], fortranOrder: boolean, version: 1 | 2 | 3): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': ${fortranOrder ? 'True' : 'False'}, 'shape': ${pythonTuple(shape)}, }`;
  const prefix = version === 1 ? 10 : 12;
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  const text = Buffer.from(dict + ' '.repeat(total - prefix - dict.length - 1) + '\n', version === 3 ? 'utf8' : 'latin1');
  const length = Buffer.alloc(version === 1 ? 2 : 4);
  if (version === 1) length.writeUInt16LE(text.length);
  else length.writeUInt32LE(text.length);
  return Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]), length, text]);
}

export function npyBytes(spec: NpySeedSpec): Buffer {
  const match = /^([<>|=])([fiub])(\d)$/.exec(spec.descr);
  if (!match) throw new Error(`seed descr ${spec.descr} is not one the seed writer knows`);
  const [, order, kind, sizeText] = match;
  const size = Number(sizeText);
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const data = Buffer.alloc(count * size);
  const little = order !== '>';
  for (let i = 0; i < count; i++) {
    const v = spec.values ? spec.values[i]! : i;
    const at = i * size;
    if (kind === 'f') {
      if (size === 4) little ? data.writeFloatLE(v, at) : data.writeFloatBE(v, at);
      else little ? data.writeDoubleLE(v, at) : data.writeDoubleBE(v, at);
    } else if (kind === 'b') {
      data[at] = v ? 1 : 0;
    } else {
      const bits = BigInt(size * 8);
      let u = kind === 'i' ? BigInt.asUintN(Number(bits), BigInt(Math.trunc(v))) : BigInt.asUintN(Number(bits), BigInt(Math.abs(Math.trunc(v))));
      for (let b = 0; b < size; b++) {
        data[little ? at + b : at + size - 1 - b] = Number(u & 0xffn);
        u >>= 8n;
      }
    }
  }
  return Buffer.concat([npyHeaderBytes(spec.descr, spec.shape, spec.fortranOrder ?? false, spec.version ?? 1), data]);
}

// ---------------------------------------------------------------------------------------------
// ZIP (PKWARE APPNOTE 6.3)

export interface ZipSeedEntry {
  name: string;
  data: Buffer;
  method: 0 | 8;
}

/** A ZIP archive; `zip64` writes Zip64 extra fields, a Zip64 end record and its locator. */
export function zipBytes(entries: readonly ZipSeedEntry[], options: { zip64?: boolean; comment?: string } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const compressed = entry.method === 8 ? zlib.deflateRawSync(entry.data) : entry.data;
    const crc = zlib.crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(entry.method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, compressed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(45, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(entry.method, 10);
    central.writeUInt32LE(crc, 16);
    let extra = Buffer.alloc(0);
    if (options.zip64) {
      central.writeUInt32LE(0xffffffff, 20);
      central.writeUInt32LE(0xffffffff, 24);
      central.writeUInt32LE(0xffffffff, 42);
      extra = Buffer.alloc(4 + 24);
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(entry.data.length), 4);
      extra.writeBigUInt64LE(BigInt(compressed.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
    } else {
      central.writeUInt32LE(compressed.length, 20);
      central.writeUInt32LE(entry.data.length, 24);
      central.writeUInt32LE(offset, 42);
    }
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    centrals.push(central, name, extra);
    offset += 30 + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const comment = Buffer.from(options.comment ?? '', 'latin1');
  const tail: Buffer[] = [];
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  if (options.zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(entries.length), 24);
    record.writeBigUInt64LE(BigInt(entries.length), 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(record, locator);
    eocd.writeUInt16LE(0xffff, 8);
    eocd.writeUInt16LE(0xffff, 10);
    eocd.writeUInt32LE(0xffffffff, 12);
    eocd.writeUInt32LE(0xffffffff, 16);
  } else {
    eocd.writeUInt16LE(entries.length, 8);
    eocd.writeUInt16LE(entries.length, 10);
    eocd.writeUInt32LE(directory.length, 12);
    eocd.writeUInt32LE(offset, 16);
  }
  eocd.writeUInt16LE(comment.length, 20);
  return Buffer.concat([...locals, directory, ...tail, eocd, comment]);
}

// ---------------------------------------------------------------------------------------------
// An OpenFWI folder packed into one file, so that it can be mutated, saved and replayed like the
// others: "WDFZ-OPENFWI 1\n", then per file "<name>\n<byte count>\n<bytes>\n".

const BUNDLE_MAGIC = 'WDFZ-OPENFWI 1\n';

export interface BundleFile {
  name: string;
  bytes: Buffer;
}

export function packFolder(files: readonly BundleFile[]): Buffer {
  const parts: Buffer[] = [Buffer.from(BUNDLE_MAGIC)];
  for (const file of files) parts.push(Buffer.from(`${file.name}\n${file.bytes.length}\n`), file.bytes, Buffer.from('\n'));
  return Buffer.concat(parts);
}

/** The files of a packed folder; throws a plain Error on a damaged pack (the harness's input, never the reader's). */
export function unpackFolder(packed: Buffer): BundleFile[] {
  if (!packed.subarray(0, BUNDLE_MAGIC.length).equals(Buffer.from(BUNDLE_MAGIC))) throw new Error('not a packed OpenFWI folder (no WDFZ-OPENFWI magic)');
  const files: BundleFile[] = [];
  let at = BUNDLE_MAGIC.length;
  while (at < packed.length) {
    const nameEnd = packed.indexOf(0x0a, at);
    const sizeEnd = nameEnd < 0 ? -1 : packed.indexOf(0x0a, nameEnd + 1);
    if (sizeEnd < 0) throw new Error(`packed folder damaged at byte ${at}`);
    const name = packed.toString('utf8', at, nameEnd);
    const size = Number(packed.toString('latin1', nameEnd + 1, sizeEnd));
    if (!Number.isSafeInteger(size) || size < 0 || sizeEnd + 1 + size > packed.length) throw new Error(`packed folder damaged at byte ${nameEnd + 1}`);
    files.push({ name, bytes: packed.subarray(sizeEnd + 1, sizeEnd + 1 + size) });
    at = sizeEnd + 1 + size + 1;
  }
  return files;
}

// ---------------------------------------------------------------------------------------------
// WebSocket client frames (RFC 6455 §5.2)

export interface FrameSpec {
  fin?: boolean;
  opcode: number;
  payload?: Buffer | string;
  /** A declared payload length that differs from the bytes sent. */
  declaredLength?: number;
  /** Masking key; all zero leaves the payload readable (and mutable as text). */
  maskKey?: readonly [number, number, number, number];
  masked?: boolean;
}

export function wsFrame({ fin = true, opcode, payload = Buffer.alloc(0), declaredLength, maskKey = [0, 0, 0, 0], masked = true }: FrameSpec): Buffer {
  const body = Buffer.from(typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload);
  const length = declaredLength ?? body.length;
  const first = (fin ? 0x80 : 0) | opcode;
  const maskBit = masked ? 0x80 : 0;
  let header: Buffer;
  if (length < 126) header = Buffer.from([first, maskBit | length]);
  else if (length < 65536) {
    header = Buffer.from([first, maskBit | 126, 0, 0]);
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!masked) return Buffer.concat([header, body]);
  for (let i = 0; i < body.length; i++) body[i]! ^= maskKey[i % 4]!;
  return Buffer.concat([header, Buffer.from(maskKey), body]);
}

/** Frame boundaries of client frames, read leniently (a mutated input may end mid-frame). */
export function clientFrameSpots(bytes: Buffer): { at: number; lengthAt: number; lengthSize: number; payloadAt: number; payloadLength: number }[] {
  const spots = [];
  let at = 0;
  while (at + 2 <= bytes.length && spots.length < 64) {
    const short = bytes[at + 1]! & 0x7f;
    let lengthAt = at + 1;
    let lengthSize = 1;
    let length = short;
    if (short === 126) {
      if (at + 4 > bytes.length) break;
      lengthAt = at + 2;
      lengthSize = 2;
      length = bytes.readUInt16BE(at + 2);
    } else if (short === 127) {
      if (at + 10 > bytes.length) break;
      lengthAt = at + 2;
      lengthSize = 8;
      length = Number(bytes.readBigUInt64BE(at + 2));
    }
    const payloadAt = lengthAt + lengthSize + (bytes[at + 1]! & 0x80 ? 4 : 0);
    spots.push({ at, lengthAt, lengthSize, payloadAt, payloadLength: length });
    if (!Number.isSafeInteger(payloadAt + length)) break;
    at = payloadAt + length;
  }
  return spots;
}
