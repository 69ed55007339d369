/**
 * A small reader for ZIP archives (PKWARE APPNOTE 6.3): lists entries from the central directory
 * and extracts stored (method 0) or deflated (method 8) entries, checking size and CRC-32.
 * Zip64 archives (entries or archives over 4 GiB) are read too. Encrypted entries are refused.
 * Written for the OpenFWI velocity archives (`vmodel.zip` holding `.npy` files).
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { finished } from 'node:stream/promises';
import { StudioError } from '../util/errors.ts';
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

function listFromFd(fd: number, zipPath: string): ZipEntry[] {
  const size = fs.fstatSync(fd).size;
  if (size < EOCD_MIN_BYTES) throw badZip(zipPath, `${size} bytes is too short for a ZIP archive.`, 0);
  const tailLength = Math.min(size, EOCD_MIN_BYTES + MAX_COMMENT_BYTES);
  const tail = readAt(fd, size - tailLength, tailLength, zipPath);
  let eocd = -1;
  for (let i = tailLength - EOCD_MIN_BYTES; i >= 0; i -= 1) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw badZip(zipPath, 'no end-of-central-directory record in the last 64 KiB: not a ZIP archive, or a truncated one.', size);
  let entryCount = tail.readUInt16LE(eocd + 10);
  let directoryBytes = tail.readUInt32LE(eocd + 12);
  let directoryOffset = tail.readUInt32LE(eocd + 16);
  const eocdPosition = size - tailLength + eocd;
  if (entryCount === 0xffff || directoryBytes === 0xffffffff || directoryOffset === 0xffffffff) {
    const locatorPosition = eocdPosition - 20;
    const locator = locatorPosition >= 0 ? readAt(fd, locatorPosition, 20, zipPath) : null;
    if (!locator || locator.readUInt32LE(0) !== ZIP64_EOCD_LOCATOR_SIGNATURE) throw badZip(zipPath, `a Zip64 archive without its Zip64 locator before byte ${eocdPosition}.`, locatorPosition);
    const zip64Position = Number(locator.readBigUInt64LE(8));
    const zip64 = readAt(fd, zip64Position, 56, zipPath);
    if (zip64.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) throw badZip(zipPath, `no Zip64 end-of-central-directory record at byte ${zip64Position}.`, zip64Position);
    entryCount = Number(zip64.readBigUInt64LE(32));
    directoryBytes = Number(zip64.readBigUInt64LE(40));
    directoryOffset = Number(zip64.readBigUInt64LE(48));
  }
  if (directoryOffset + directoryBytes > size) throw badZip(zipPath, `the central directory (bytes ${directoryOffset}–${directoryOffset + directoryBytes}) runs past the end of the file (${size} bytes).`, directoryOffset);
  const directory = readAt(fd, directoryOffset, directoryBytes, zipPath);
  const entries: ZipEntry[] = [];
  let pos = 0;
  for (let n = 0; n < entryCount; n += 1) {
    if (pos + 46 > directory.length || directory.readUInt32LE(pos) !== CENTRAL_SIGNATURE) {
      throw badZip(zipPath, `central directory entry ${n} at byte ${directoryOffset + pos} is damaged.`, directoryOffset + pos);
    }
    const flags = directory.readUInt16LE(pos + 8);
    const method = directory.readUInt16LE(pos + 10);
    const crc32 = directory.readUInt32LE(pos + 16);
    let compressedBytes = directory.readUInt32LE(pos + 20);
    let uncompressedBytes = directory.readUInt32LE(pos + 24);
    const nameLength = directory.readUInt16LE(pos + 28);
    const extraLength = directory.readUInt16LE(pos + 30);
    const commentLength = directory.readUInt16LE(pos + 32);
    let localHeaderOffset = directory.readUInt32LE(pos + 42);
    const name = directory.toString(flags & 0x800 ? 'utf8' : 'latin1', pos + 46, pos + 46 + nameLength);
    // Zip64 extended information: the 8-byte values, in this order, for the fields that are 0xffffffff.
    let extra = pos + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = directory.readUInt16LE(extra);
      const length = directory.readUInt16LE(extra + 2);
      if (id === 0x0001) {
        let field = extra + 4;
        if (uncompressedBytes === 0xffffffff) {
          uncompressedBytes = Number(directory.readBigUInt64LE(field));
          field += 8;
        }
        if (compressedBytes === 0xffffffff) {
          compressedBytes = Number(directory.readBigUInt64LE(field));
          field += 8;
        }
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = Number(directory.readBigUInt64LE(field));
      }
      extra += 4 + length;
    }
    entries.push({ name, method, compressedBytes, uncompressedBytes, crc32, localHeaderOffset, encrypted: (flags & 1) !== 0 });
    pos = extraEnd + commentLength;
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

/** Where the entry's compressed bytes start: after its local header, whose name and extra lengths may differ from the central directory's. */
function dataStart(fd: number, entry: ZipEntry, zipPath: string): number {
  const local = readAt(fd, entry.localHeaderOffset, 30, zipPath);
  if (local.readUInt32LE(0) !== LOCAL_SIGNATURE) throw badZip(zipPath, `no local header for ${entry.name} at byte ${entry.localHeaderOffset}.`, entry.localHeaderOffset);
  return entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
}

function checkResult(entry: ZipEntry, bytes: number, crc: number, zipPath: string): void {
  if (bytes !== entry.uncompressedBytes) throw badZip(zipPath, `entry ${entry.name} inflated to ${bytes} bytes, the directory says ${entry.uncompressedBytes}; the archive is damaged.`, entry.localHeaderOffset);
  if (crc !== entry.crc32) throw badZip(zipPath, `entry ${entry.name} fails its CRC-32 check (0x${(crc >>> 0).toString(16)} ≠ 0x${entry.crc32.toString(16)}); the archive is damaged.`, entry.localHeaderOffset);
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
      data = entry.method === 0 ? compressed : zlib.inflateRawSync(compressed);
    } catch (error) {
      throw badZip(zipPath, `entry ${entryName} cannot be inflated (${(error as Error).message}); the archive is damaged.`, start);
    }
    checkResult(entry, data.length, zlib.crc32(data), zipPath);
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
      crc = zlib.crc32(chunk, crc);
      out.write(chunk);
      options.onProgress?.({ done: out.bytesWritten, total: entry.uncompressedBytes, unit: 'bytes' });
    };
    const inflater = entry.method === 8 ? zlib.createInflateRaw() : null;
    const pending: Buffer[] = [];
    let inflateError: Error | null = null;
    inflater?.on('data', (chunk: Buffer) => pending.push(chunk));
    inflater?.on('error', (error) => {
      inflateError = error;
    });
    for (let read = 0; read < entry.compressedBytes; ) {
      throwIfCancelled(options.signal);
      const length = Math.min(chunkBytes, entry.compressedBytes - read);
      const compressed = readAt(fd, start + read, length, zipPath);
      read += length;
      if (inflater) {
        await new Promise<void>((resolve) => inflater.write(compressed, () => resolve()));
        if (inflateError) throw badZip(zipPath, `entry ${entryName} cannot be inflated (${(inflateError as Error).message}).`, start + read);
        for (const chunk of pending.splice(0)) emit(chunk);
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
        throw badZip(zipPath, `entry ${entryName} cannot be inflated (${(error as Error).message}).`, start);
      }
      for (const chunk of pending.splice(0)) emit(chunk);
    }
    checkResult(entry, out.bytesWritten, crc, zipPath);
    out.commit();
    writer = null;
  } finally {
    writer?.abort();
    fs.closeSync(fd);
  }
}
