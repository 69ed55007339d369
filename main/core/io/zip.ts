/**
 * A small reader for ZIP archives (PKWARE APPNOTE 6.3): lists entries from the central directory
 * and extracts stored (method 0) or deflated (method 8) entries, checking size and CRC-32.
 * Zip64 archives (entries or archives over 4 GiB) are read too. Encrypted entries are refused.
 * Written for the OpenFWI velocity archives (`vmodel.zip` holding `.npy` files).
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import buffer from 'node:buffer';
import { finished } from 'node:stream/promises';
import { StudioError } from '../contract/errors.ts';
import { throwIfCancelled } from '../util/abort.ts';
import { AtomicFileWriter } from '../util/atomicFile.ts';
import type { WorkOptions } from '../util/progress.ts';

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_EOCD_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_MIN_BYTES = 22;
const MAX_COMMENT_BYTES = 0xffff;

export interface ZipEntry {
  /** Path inside the archive, '/'-separated. */
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedBytes: number;
  uncompressedBytes: number;
  crc32: number;
  /** Offset of the entry's local header in the archive. */
  localHeaderOffset: number;
  /** Offset of the entry's record in the central directory (where its sizes and offsets were read). */
  centralHeaderOffset: number;
  encrypted: boolean;
}

function badZip(zipPath: string, message: string, byteOffset?: number): StudioError {
  return new StudioError('bad_file', `${zipPath}: ${message}`, { file: zipPath, byteOffset });
}

function readAt(fd: number, position: number, length: number, zipPath: string): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const got = fs.readSync(fd, buffer, done, length - done, position + done);
    if (got === 0) throw badZip(zipPath, `the archive ends at byte ${position + done}, inside a record expected to run to byte ${position + length}; it is truncated.`, position + done);
    done += got;
  }
  return buffer;
}

function openZip(zipPath: string): number {
  try {
    return fs.openSync(zipPath, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new StudioError('not_found', `${zipPath}: no such file.`, { file: zipPath });
    throw new StudioError('io', `${zipPath}: cannot open (${(error as Error).message}).`, { file: zipPath });
  }
}

/** A Zip64 value as a number; values past 2^53 (no real archive) stay past any file size. */
function bigValue(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

/**
 * Every offset and length read from the archive is checked against the file and the central directory
 * before it is used, so that a damaged archive is refused with the byte of the field at fault (never
 * a RangeError, nor an allocation as large as a damaged size field says).
 */
function listFromFd(fd: number, zipPath: string): ZipEntry[] {
  const size = fs.fstatSync(fd).size;
  if (size < EOCD_MIN_BYTES) throw badZip(zipPath, `${size} bytes is too short for a ZIP archive, which ends with a 22-byte end-of-central-directory record (from byte 0).`, 0);
  const tailLength = Math.min(size, EOCD_MIN_BYTES + MAX_COMMENT_BYTES);
  const tail = readAt(fd, size - tailLength, tailLength, zipPath);
  let eocd = -1;
  for (let i = tailLength - EOCD_MIN_BYTES; i >= 0; i -= 1) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    throw badZip(zipPath, `no end-of-central-directory record (PK\\5\\6) in the last ${tailLength} bytes (from byte ${size - tailLength}): not a ZIP archive, or a truncated one.`, size - tailLength);
  }
  let entryCount = tail.readUInt16LE(eocd + 10);
  let directoryBytes = tail.readUInt32LE(eocd + 12);
  let directoryOffset = tail.readUInt32LE(eocd + 16);
  const eocdPosition = size - tailLength + eocd;
  /** Where the directory's size and offset were read: the end record, or the Zip64 end record. */
  let directoryFieldsAt = eocdPosition + 12;
  if (entryCount === 0xffff || directoryBytes === 0xffffffff || directoryOffset === 0xffffffff) {
    const locatorPosition = eocdPosition - 20;
    const locator = locatorPosition >= 0 ? readAt(fd, locatorPosition, 20, zipPath) : null;
    if (!locator || locator.readUInt32LE(0) !== ZIP64_EOCD_LOCATOR_SIGNATURE) {
      throw badZip(zipPath, `the end-of-central-directory record at byte ${eocdPosition} marks a Zip64 archive, but no Zip64 locator (PK\\6\\7) precedes it.`, eocdPosition);
    }
    const zip64Position = bigValue(locator.readBigUInt64LE(8));
    if (zip64Position + 56 > size) {
      throw badZip(zipPath, `the Zip64 locator at byte ${locatorPosition} points to a Zip64 end record at byte ${zip64Position}, past the end of the ${size}-byte file.`, locatorPosition + 8);
    }
    const zip64 = readAt(fd, zip64Position, 56, zipPath);
    if (zip64.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) throw badZip(zipPath, `no Zip64 end-of-central-directory record at byte ${zip64Position}, where the locator at byte ${locatorPosition} points.`, zip64Position);
    entryCount = bigValue(zip64.readBigUInt64LE(32));
    directoryBytes = bigValue(zip64.readBigUInt64LE(40));
    directoryOffset = bigValue(zip64.readBigUInt64LE(48));
    directoryFieldsAt = zip64Position + 40;
  }
  if (directoryOffset + directoryBytes > size) {
    throw badZip(
      zipPath,
      `the central directory (${directoryBytes} bytes from byte ${directoryOffset}, as the end record's fields at byte ${directoryFieldsAt} say) runs past the end of the ${size}-byte file.`,
      directoryFieldsAt,
    );
  }
  const directory = readAt(fd, directoryOffset, directoryBytes, zipPath);
  const entries: ZipEntry[] = [];
  let pos = 0;
  for (let n = 0; n < entryCount; n += 1) {
    const at = directoryOffset + pos;
    if (pos + 46 > directory.length) {
      throw badZip(zipPath, `the central directory (bytes ${directoryOffset}–${directoryOffset + directoryBytes}) ends inside entry ${n}, at byte ${at}, though the end record at byte ${eocdPosition} counts ${entryCount} entries.`, Math.min(at, directoryOffset + directoryBytes));
    }
    if (directory.readUInt32LE(pos) !== CENTRAL_SIGNATURE) throw badZip(zipPath, `central directory entry ${n} at byte ${at} is damaged (no PK\\1\\2 signature).`, at);
    const flags = directory.readUInt16LE(pos + 8);
    const method = directory.readUInt16LE(pos + 10);
    const crc32 = directory.readUInt32LE(pos + 16);
    let compressedBytes = directory.readUInt32LE(pos + 20);
    let uncompressedBytes = directory.readUInt32LE(pos + 24);
    const nameLength = directory.readUInt16LE(pos + 28);
    const extraLength = directory.readUInt16LE(pos + 30);
    const commentLength = directory.readUInt16LE(pos + 32);
    let localHeaderOffset = directory.readUInt32LE(pos + 42);
    const recordEnd = pos + 46 + nameLength + extraLength + commentLength;
    if (recordEnd > directory.length) {
      throw badZip(
        zipPath,
        `central directory entry ${n} at byte ${at}: its name, extra field and comment (${nameLength} + ${extraLength} + ${commentLength} bytes, lengths at byte ${at + 28}) run past the end of the central directory at byte ${directoryOffset + directoryBytes}.`,
        at + 28,
      );
    }
    const name = directory.toString(flags & 0x800 ? 'utf8' : 'latin1', pos + 46, pos + 46 + nameLength);
    // Zip64 extended information: the 8-byte values, in this order, for the fields that are 0xffffffff.
    let extra = pos + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = directory.readUInt16LE(extra);
      const length = directory.readUInt16LE(extra + 2);
      if (extra + 4 + length > extraEnd) {
        throw badZip(zipPath, `central directory entry ${n} (${name}): extra field 0x${id.toString(16).padStart(4, '0')} at byte ${directoryOffset + extra} says ${length} bytes, more than the ${extraEnd - extra - 4} left in the entry's extra data.`, directoryOffset + extra + 2);
      }
      if (id === 0x0001) {
        let field = extra + 4;
        const value = (what: string): number => {
          if (field + 8 > extra + 4 + length) {
            throw badZip(zipPath, `central directory entry ${n} (${name}): its Zip64 extra field at byte ${directoryOffset + extra} has no room for the 64-bit ${what} the entry needs.`, directoryOffset + extra + 2);
          }
          const read = bigValue(directory.readBigUInt64LE(field));
          field += 8;
          return read;
        };
        if (uncompressedBytes === 0xffffffff) uncompressedBytes = value('size');
        if (compressedBytes === 0xffffffff) compressedBytes = value('compressed size');
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = value('local header offset');
      }
      extra += 4 + length;
    }
    entries.push({ name, method, compressedBytes, uncompressedBytes, crc32, localHeaderOffset, centralHeaderOffset: at, encrypted: (flags & 1) !== 0 });
    pos = recordEnd;
  }
  return entries;
}

/** The entries of a ZIP archive, from its central directory. */
export function listZipEntries(zipPath: string): ZipEntry[] {
  const fd = openZip(zipPath);
  try {
    return listFromFd(fd, zipPath);
  } finally {
    fs.closeSync(fd);
  }
}

function findEntry(entries: ZipEntry[], entryName: string, zipPath: string): ZipEntry {
  const entry = entries.find((e) => e.name === entryName);
  if (!entry) {
    throw new StudioError('not_found', `${zipPath} has no entry ${JSON.stringify(entryName)}; it holds ${entries.map((e) => e.name).join(', ') || 'nothing'}.`, { file: zipPath, entry: entryName });
  }
  if (entry.encrypted) throw new StudioError('unsupported', `${zipPath}: entry ${entryName} is encrypted; extract it with a ZIP tool first.`, { file: zipPath });
  if (entry.method !== 0 && entry.method !== 8) {
    throw new StudioError('unsupported', `${zipPath}: entry ${entryName} uses compression method ${entry.method}; only stored (0) and deflate (8) are read. Extract it with a ZIP tool first.`, { file: zipPath });
  }
  return entry;
}

/**
 * Where the entry's compressed bytes start: after its local header, whose name and extra lengths may
 * differ from the central directory's. The local header and the compressed bytes must lie in the file.
 */
function dataStart(fd: number, entry: ZipEntry, zipPath: string): number {
  const size = fs.fstatSync(fd).size;
  if (entry.localHeaderOffset + 30 > size) {
    throw badZip(zipPath, `entry ${entry.name}: its local header offset ${entry.localHeaderOffset} (central directory entry at byte ${entry.centralHeaderOffset}) lies past the end of the ${size}-byte archive.`, entry.centralHeaderOffset);
  }
  const local = readAt(fd, entry.localHeaderOffset, 30, zipPath);
  if (local.readUInt32LE(0) !== LOCAL_SIGNATURE) throw badZip(zipPath, `no local header for ${entry.name} at byte ${entry.localHeaderOffset}.`, entry.localHeaderOffset);
  const start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (start + entry.compressedBytes > size) {
    throw badZip(
      zipPath,
      `entry ${entry.name}: its ${entry.compressedBytes} compressed bytes from byte ${start} run past the end of the ${size}-byte archive (sizes in the central directory entry at byte ${entry.centralHeaderOffset}, name and extra lengths in the local header at byte ${entry.localHeaderOffset}).`,
      entry.centralHeaderOffset,
    );
  }
  return start;
}

function checkResult(entry: ZipEntry, bytes: number, crc: number, zipPath: string, start: number): void {
  if (bytes !== entry.uncompressedBytes) throw badZip(zipPath, `entry ${entry.name} (data from byte ${start}) inflated to ${bytes} bytes, the directory says ${entry.uncompressedBytes}; the archive is damaged.`, start);
  if (crc !== entry.crc32) throw badZip(zipPath, `entry ${entry.name} (data from byte ${start}) fails its CRC-32 check (0x${(crc >>> 0).toString(16)} ≠ 0x${entry.crc32.toString(16)}); the archive is damaged.`, start);
}

function inflatesTooFar(entry: ZipEntry, zipPath: string, start: number): StudioError {
  return badZip(zipPath, `entry ${entry.name} (data from byte ${start}) inflates to more than the ${entry.uncompressedBytes} bytes its central directory entry at byte ${entry.centralHeaderOffset} says; the archive is damaged.`, start);
}

/** Reads one entry into memory, checking its size and CRC-32. */
export function readZipEntry(zipPath: string, entryName: string): Buffer {
  const fd = openZip(zipPath);
  try {
    const entry = findEntry(listFromFd(fd, zipPath), entryName, zipPath);
    const start = dataStart(fd, entry, zipPath);
    const compressed = readAt(fd, start, entry.compressedBytes, zipPath);
    let data: Buffer;
    try {
      // Inflating stops one byte past the declared size: a damaged size or a zip bomb costs no more memory than that.
      data = entry.method === 0 ? compressed : zlib.inflateRawSync(compressed, { maxOutputLength: Math.min(buffer.constants.MAX_LENGTH, entry.uncompressedBytes + 1) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw inflatesTooFar(entry, zipPath, start);
      throw badZip(zipPath, `entry ${entryName} (data from byte ${start}) cannot be inflated (${(error as Error).message}); the archive is damaged.`, start);
    }
    checkResult(entry, data.length, zlib.crc32(data), zipPath, start);
    return data;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Extracts one entry to `destPath` through a temporary sibling (renamed when complete and
 * verified), with progress in uncompressed bytes; cancelling removes the temporary.
 */
export async function extractZipEntry(zipPath: string, entryName: string, destPath: string, options: WorkOptions = {}): Promise<void> {
  const fd = openZip(zipPath);
  let writer: AtomicFileWriter | null = null;
  try {
    const entry = findEntry(listFromFd(fd, zipPath), entryName, zipPath);
    const start = dataStart(fd, entry, zipPath);
    fs.mkdirSync(path.dirname(destPath), { recursive: true });
    writer = new AtomicFileWriter(destPath);
    const out = writer;
    let crc = 0;
    const chunkBytes = 4 << 20;
    const emit = (chunk: Buffer) => {
      if (out.bytesWritten + chunk.length > entry.uncompressedBytes) throw inflatesTooFar(entry, zipPath, start);
      crc = zlib.crc32(chunk, crc);
      out.write(chunk);
      options.onProgress?.({ done: out.bytesWritten, total: entry.uncompressedBytes, unit: 'bytes' });
    };
    const inflater = entry.method === 8 ? zlib.createInflateRaw() : null;
    // Inflated chunks are written as they come, so memory holds one chunk whatever the entry inflates to;
    // past the declared size the inflater is stopped (a damaged size, or a zip bomb).
    let failure: Error | null = null;
    inflater?.on('data', (chunk: Buffer) => {
      if (failure) return;
      try {
        emit(chunk);
      } catch (error) {
        failure = error as Error;
        inflater.destroy();
      }
    });
    inflater?.on('error', (error) => {
      failure ??= badZip(zipPath, `entry ${entryName} (data from byte ${start}) cannot be inflated (${error.message}).`, start);
    });
    /** Resolves when the inflater has taken the chunk, or has been stopped. */
    const inflate = (compressed: Buffer) =>
      new Promise<void>((resolve) => {
        const done = () => {
          inflater!.off('close', done);
          resolve();
        };
        inflater!.once('close', done);
        inflater!.write(compressed, done);
      });
    for (let read = 0; read < entry.compressedBytes; ) {
      throwIfCancelled(options.signal);
      const length = Math.min(chunkBytes, entry.compressedBytes - read);
      const compressed = readAt(fd, start + read, length, zipPath);
      read += length;
      if (inflater) {
        await inflate(compressed);
        if (failure) throw failure;
      } else {
        emit(compressed);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (inflater) {
      inflater.end();
      try {
        await finished(inflater);
      } catch (error) {
        throw failure ?? badZip(zipPath, `entry ${entryName} (data from byte ${start}) cannot be inflated (${(error as Error).message}).`, start);
      }
      if (failure) throw failure;
    }
    checkResult(entry, out.bytesWritten, crc, zipPath, start);
    out.commit();
    writer = null;
  } finally {
    writer?.abort();
    fs.closeSync(fd);
  }
}
