import fs from 'node:fs';
import os from 'node:os';
import { StudioError } from '../core/contract/errors.ts';
import { readNpy } from '../core/io/npy.ts';
import { openfwiGeometry } from '../core/physics/acquisition.ts';
import { type AcquisitionGeometry } from '../core/contract/acquisitionGeometry.ts';
import { KERNEL_CHOICES, type KernelChoice } from '../core/physics/kernels.ts';
import { FdWorkerPool } from '../core/physics/pool.ts';
import type { CliIo } from './command.ts';

/** Option parsing shared by `forward`, `synth` and `deviation`. */

export interface VelocityBatch {
  /** [N, nz, nx] in m/s (the memory of OpenFWI's [N, 1, nz, nx]). */
  velocityMps: Float32Array;
  n: number;
  nz: number;
  nx: number;
}

/** Reads a velocity .npy: [N, 1, nz, nx], [N, nz, nx] or [nz, nx], m/s. */
export function readVelocityFile(file: string, io: CliIo, command: string): VelocityBatch {
  const array = readNpy(file, { onNotice: (message) => io.stderr.write(`wavediff ${command}: note: ${message}\n`) });
  const s = array.shape;
  let dims: [number, number, number] | null = null;
  if (s.length === 4 && s[1] === 1) dims = [s[0], s[2], s[3]];
  else if (s.length === 3) dims = [s[0], s[1], s[2]];
  else if (s.length === 2) dims = [1, s[0], s[1]];
  if (!dims) {
    throw new StudioError('bad_input', `${file}: velocity shape [${s.join(', ')}] is not [N, 1, depth, width], [N, depth, width] or [depth, width].`);
  }
  const [n, nz, nx] = dims;
  return { velocityMps: array.data, n, nz, nx };
}

/** The geometry from --geometry FILE.json, or OpenFWI's (only for 70 × 70 models). */
export function geometryOption(value: unknown, shape: { nz: number; nx: number }): AcquisitionGeometry {
  if (typeof value === 'string') {
    let text: string;
    try {
      text = fs.readFileSync(value, 'utf8');
    } catch (error) {
      throw new StudioError('not_found', `--geometry ${value}: cannot read the file (${(error as Error).message}).`);
    }
    try {
      return JSON.parse(text) as AcquisitionGeometry;
    } catch (error) {
      throw new StudioError('bad_file', `--geometry ${value}: not valid JSON (${(error as Error).message}).`);
    }
  }
  if (shape.nz !== 70 || shape.nx !== 70) {
    throw new StudioError('bad_input', `The default geometry is OpenFWI's, for 70 × 70 models; these are ${shape.nz} × ${shape.nx} (depth × width). Give --geometry FILE.json.`);
  }
  return openfwiGeometry();
}

export function positiveInteger(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < 1) {
    throw new StudioError('bad_input', `--${option} ${String(value)}: use a whole number ≥ 1.`);
  }
  return parsed;
}

export function kernelOption(value: unknown): KernelChoice {
  if (value === undefined) return 'auto';
  if (typeof value === 'string' && (KERNEL_CHOICES as readonly string[]).includes(value)) return value as KernelChoice;
  throw new StudioError('bad_input', `--kernel ${String(value)}: choose one of ${KERNEL_CHOICES.join(', ')}.`);
}

/** A worker pool of --threads workers (default: every core), or none for one thread. */
export function poolOption(value: unknown, kernel: KernelChoice): FdWorkerPool | undefined {
  const threads = positiveInteger(value, 'threads', os.availableParallelism());
  return threads > 1 ? new FdWorkerPool({ size: threads, kernel }) : undefined;
}

export const PHYSICS_COMMON_USAGE = `  --geometry FILE.json  acquisition geometry (default: OpenFWI's, for 70 × 70 models)
  --threads N           worker threads (default: all cores; 1 runs on the main thread)
  --kernel K            auto | native | wasm | ts (default auto: native addon if built, else wasm)`;
