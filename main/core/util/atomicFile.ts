import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** A sibling temporary name that shares the target's folder, so the final rename is atomic. */
export function temporaryPathFor(finalPath: string): string {
  const dir = path.dirname(finalPath);
  return path.join(dir, `.${path.basename(finalPath)}.${process.pid}.${randomBytes(4).toString('hex')}.partial`);
}

/**
 * Writes a file so that readers see either nothing or the complete file: data goes to a
 * temporary sibling, is flushed to disk, then renamed over the target.
 */
export function writeFileAtomic(finalPath: string, data: Uint8Array | string): void {
  const tmp = temporaryPathFor(finalPath);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, finalPath);
}

/** Streams into a temporary sibling; `commit()` flushes and renames, `abort()` removes it. */
export class AtomicFileWriter {
  readonly finalPath: string;
  readonly temporaryPath: string;
  private fd: number;
  private position = 0;

  constructor(finalPath: string) {
    this.finalPath = finalPath;
    this.temporaryPath = temporaryPathFor(finalPath);
    this.fd = fs.openSync(this.temporaryPath, 'w');
  }

  get bytesWritten(): number {
    return this.position;
  }

  write(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.byteLength) {
      offset += fs.writeSync(this.fd, chunk, offset, chunk.byteLength - offset, this.position + offset);
    }
    this.position += chunk.byteLength;
  }

  /** Writes at an absolute position (for headers patched after the body is known). */
  writeAt(chunk: Uint8Array, position: number): void {
    fs.writeSync(this.fd, chunk, 0, chunk.byteLength, position);
  }

  commit(): void {
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = -1;
    fs.renameSync(this.temporaryPath, this.finalPath);
  }

  abort(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    fs.rmSync(this.temporaryPath, { force: true });
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
