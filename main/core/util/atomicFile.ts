import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { StudioError } from '../contract/errors.ts';

/** What an OS error code means when writing a file, and what the user can do about it. */
const WRITE_ERRNO_ADVICE: Record<string, string> = {
  ENOSPC: 'the disk is full. Free space on that disk (or choose a folder on another disk), then run it again.',
  EDQUOT: 'your disk quota is used up. Free space within your quota (or choose a folder on another disk), then run it again.',
  EFBIG: 'the file is larger than this file system or the process file-size limit (ulimit -f) allows. Choose a folder on another file system (FAT32 stops at 4 GiB) or raise the limit, then run it again.',
  EROFS: 'the file system is read-only. Choose a writable folder, then run it again.',
  EACCES: 'permission denied. Choose a folder you may write to (or change its permissions), then run it again.',
  EPERM: 'the operation is not permitted. Choose a folder you may write to (or change its permissions), then run it again.',
  EIO: 'the disk reported an input/output error; it may be failing or disconnected. Check it, then run it again.',
  ENOENT: 'its folder does not exist (any more). Check the folder, then run it again.',
};

/**
 * An OS error met while writing `destination` (at `byteOffset` of it, when known) as an 'io'
 * StudioError that names the file and says what to do; anything else passes through unchanged.
 * Node's own messages ("ENOSPC: no space left on device, write") name no file.
 */
export function writeFailure(error: unknown, destination: string, byteOffset?: number): unknown {
  const errno = error as NodeJS.ErrnoException;
  if (error instanceof StudioError || !(error instanceof Error) || typeof errno.code !== 'string') return error;
  const where = byteOffset === undefined ? '' : ` at byte ${byteOffset}`;
  const advice = WRITE_ERRNO_ADVICE[errno.code] ?? `${error.message}. Check that the folder exists, is writable and has free space, then run it again.`;
  return new StudioError('io', `${destination}: writing failed${where}: ${advice} (${errno.code} in ${errno.syscall ?? 'a file operation'})`, {
    file: destination,
    errno: errno.code,
    syscall: errno.syscall,
    ...(byteOffset === undefined ? {} : { byteOffset }),
  });
}

/** A sibling temporary name that shares the target's folder, so the final rename is atomic. */
export function temporaryPathFor(finalPath: string): string {
  const dir = path.dirname(finalPath);
  return path.join(dir, `.${path.basename(finalPath)}.${process.pid}.${randomBytes(4).toString('hex')}.partial`);
}

/**
 * Writes a file so that readers see either nothing or the complete file: data goes to a
 * temporary sibling, is flushed to disk, then renamed over the target. On failure the temporary
 * is removed and the target left as it was.
 */
export function writeFileAtomic(finalPath: string, data: Uint8Array | string): void {
  const writer = new AtomicFileWriter(finalPath);
  try {
    writer.write(typeof data === 'string' ? Buffer.from(data) : data);
    writer.commit();
  } catch (error) {
    writer.abort();
    throw error;
  }
}

/**
 * Streams into a temporary sibling; `commit()` flushes and renames, `abort()` removes it. OS errors
 * surface as `writeFailure`s naming the final path.
 */
export class AtomicFileWriter {
  readonly finalPath: string;
  readonly temporaryPath: string;
  private fd: number;
  private position = 0;

  constructor(finalPath: string) {
    this.finalPath = finalPath;
    this.temporaryPath = temporaryPathFor(finalPath);
    try {
      this.fd = fs.openSync(this.temporaryPath, 'w');
    } catch (error) {
      throw writeFailure(error, finalPath);
    }
  }

  get bytesWritten(): number {
    return this.position;
  }

  write(chunk: Uint8Array): void {
    this.writeWhole(chunk, this.position);
    this.position += chunk.byteLength;
  }

  /** Writes at an absolute position (for headers patched after the body is known). */
  writeAt(chunk: Uint8Array, position: number): void {
    this.writeWhole(chunk, position);
  }

  /** A write may be short (a disk or size limit reached mid-way): continue until all is written or the OS says why not. */
  private writeWhole(chunk: Uint8Array, position: number): void {
    let offset = 0;
    try {
      while (offset < chunk.byteLength) {
        offset += fs.writeSync(this.fd, chunk, offset, chunk.byteLength - offset, position + offset);
      }
    } catch (error) {
      throw writeFailure(error, this.finalPath, position + offset);
    }
  }

  commit(): void {
    try {
      fs.fsyncSync(this.fd);
      const fd = this.fd;
      this.fd = -1; // released by close even when close reports an error
      fs.closeSync(fd);
      fs.renameSync(this.temporaryPath, this.finalPath);
    } catch (error) {
      throw writeFailure(error, this.finalPath);
    }
  }

  /** Removes the temporary; never throws, so that it can run while another error is on its way up. */
  abort(): void {
    const fd = this.fd;
    this.fd = -1;
    try {
      if (fd >= 0) fs.closeSync(fd);
      fs.rmSync(this.temporaryPath, { force: true });
    } catch {
      // The error being handled matters more; removeStalePartials clears a leftover later.
    }
  }
}

/** Removes temporaries left behind by a crash in `dir` (not recursive). */
export function removeStalePartials(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let removed = 0;
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith('.') && name.endsWith('.partial')) {
      fs.rmSync(path.join(dir, name), { force: true });
      removed += 1;
    }
  }
  return removed;
}
