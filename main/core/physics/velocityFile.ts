import { StudioError } from '../contract/errors.ts';
import { openNpy, readNpy } from '../io/npy.ts';

/** The batch a velocity .npy holds: N models of nz × nx cells. */
export interface VelocityBatchShape {
  n: number;
  nz: number;
  nx: number;
}

export interface VelocityBatch extends VelocityBatchShape {
  /** [N, nz, nx] in m/s (the memory of OpenFWI's [N, 1, nz, nx]). */
  velocityMps: Float32Array;
}

function batchShape(file: string, s: readonly number[]): VelocityBatchShape {
  if (s.length === 4 && s[1] === 1) return { n: s[0], nz: s[2], nx: s[3] };
  if (s.length === 3) return { n: s[0], nz: s[1], nx: s[2] };
  if (s.length === 2) return { n: 1, nz: s[0], nx: s[1] };
  throw new StudioError('bad_input', `${file}: velocity shape [${s.join(', ')}] is not [N, 1, depth, width], [N, depth, width] or [depth, width].`);
}

/** The batch shape of a velocity .npy from its header alone. */
export function velocityFileShape(file: string): VelocityBatchShape {
  return batchShape(file, openNpy(file).shape);
}

/** Reads a velocity .npy: [N, 1, nz, nx], [N, nz, nx] or [nz, nx], m/s. */
export function readVelocityFile(file: string, onNotice?: (message: string) => void): VelocityBatch {
  const array = readNpy(file, { onNotice });
  return { ...batchShape(file, array.shape), velocityMps: array.data };
}
