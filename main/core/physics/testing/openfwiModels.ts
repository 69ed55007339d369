import path from 'node:path';
import { parseNpyHeader } from '../../io/npy.ts';
import { readZipEntry } from '../../io/zip.ts';
import { StudioError } from '../../contract/errors.ts';
import { sharedDir } from '../../util/paths.ts';

/** The shared real OpenFWI velocity zips (shared/testdata/openfwi), by family. */
export const OPENFWI_VELOCITY_ZIPS = {
  FlatVelA: 'FlatVelA_test_vmodel.zip',
  CurveVelA: 'CurveVelA_test_vmodel.zip',
  FlatFaultA: 'FlatFaultA_test_vmodel.zip',
} as const;

/**
 * Reads samples [start, start + count) of a real OpenFWI velocity file (`vmodel11.npy` or
 * `vmodel12.npy`, float32 [500, 1, 70, 70] m/s) from a shared zip: [count, 70, 70].
 */
export function readOpenfwiVelocity(
  family: keyof typeof OPENFWI_VELOCITY_ZIPS,
  start: number,
  count: number,
  entry: 'vmodel11.npy' | 'vmodel12.npy' = 'vmodel11.npy',
): Float32Array {
  const zipPath = path.join(sharedDir(), 'testdata', 'openfwi', OPENFWI_VELOCITY_ZIPS[family]);
  const bytes = readZipEntry(zipPath, entry);
  const header = parseNpyHeader(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), `${zipPath}:${entry}`);
  const sampleValues = header.shape.slice(1).reduce((a, b) => a * b, 1);
  if (header.descr !== '<f4' || header.fortranOrder || sampleValues !== 70 * 70 || start + count > header.shape[0]) {
    throw new StudioError('bad_file', `${zipPath}:${entry} is not the expected little-endian float32 [500, 1, 70, 70] array.`);
  }
  const out = new Float32Array(count * sampleValues);
  const from = bytes.byteOffset + header.dataOffset + start * sampleValues * 4;
  out.set(new Float32Array(bytes.buffer.slice(from, from + count * sampleValues * 4)));
  return out;
}
