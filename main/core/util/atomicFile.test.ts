import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeFailure } from './atomicFile.ts';
import { StudioError } from '../contract/errors.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atomic-file-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const linux = process.platform === 'linux';

describe('OS errors while writing name the destination and say what to do', () => {
  it.skipIf(!linux)('a full disk (a real ENOSPC from /dev/full)', () => {
    const fd = fs.openSync('/dev/full', 'w');
    let osError: unknown;
    try {
      fs.writeSync(fd, Buffer.alloc(4096));
    } catch (error) {
      osError = error;
    } finally {
      fs.closeSync(fd);
    }
    expect((osError as NodeJS.ErrnoException).code).toBe('ENOSPC');
    const destination = path.join(dir, 'project', 'arrays', 'seismic.npy');
    const error = writeFailure(osError, destination, 8192);
    expect(error).toBeInstanceOf(StudioError);
    const studioError = error as StudioError;
    expect(studioError.code).toBe('io');
    expect(studioError.message).toContain(destination);
    expect(studioError.message).toContain('at byte 8192');
    expect(studioError.message).toMatch(/disk is full.*Free space/);
    expect(studioError.message).toContain('ENOSPC');
    expect(studioError.details).toMatchObject({ file: destination, errno: 'ENOSPC', byteOffset: 8192 });
  });

  it('errors that are not OS errors pass through unchanged', () => {
    const own = new StudioError('bad_input', 'x');
    expect(writeFailure(own, '/tmp/a')).toBe(own);
    const plain = new TypeError('y');
    expect(writeFailure(plain, '/tmp/a')).toBe(plain);
  });

  it.skipIf(!linux)('the npy and atomic writers under a file-size limit: an io error naming the file, no partial left, no short file renamed in place', () => {
    const script = fileURLToPath(new URL('./testdata/writeUnderFileSizeLimit.ts', import.meta.url));
    const folder = fs.mkdtempSync(path.join(dir, 'limited-'));
    // 64 KiB (bash counts `ulimit -f` in KiB); node ignores SIGXFSZ, so the kernel's refusal arrives as EFBIG.
    const run = spawnSync('bash', ['-c', 'ulimit -f 64 && exec "$0" --import tsx "$1" "$2"', process.execPath, script, folder], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const results = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(results.map((r) => r.name)).toEqual(['npy', 'text']);
    for (const [result, file] of [
      [results[0], path.join(folder, 'velocity.npy')],
      [results[1], path.join(folder, 'metrics.csv')],
    ] as const) {
      expect(result.thrown, `${result.name} was written whole past the limit`).not.toBeNull();
      expect(result.thrown).toMatchObject({ type: 'StudioError', code: 'io', details: { file, errno: 'EFBIG' } });
      expect(result.thrown.message).toContain(file);
      expect(result.thrown.message).toMatch(/at byte \d+/);
      expect(result.thrown.message).toContain('EFBIG');
    }
    expect(fs.readdirSync(folder)).toEqual([]);
  });
});
