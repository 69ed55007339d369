import fs from 'node:fs';
import os from 'node:os';
import { StudioError } from '../core/contract/errors.ts';
import { openfwiGeometry } from '../core/physics/acquisition.ts';
import { type AcquisitionGeometry } from '../core/contract/acquisitionGeometry.ts';
import { KERNEL_CHOICES, type KernelChoice } from '../core/physics/kernels.ts';
import type { CliCompute } from './studioSession.ts';

/** Option parsing shared by `forward`, `synth` and `deviation`. */

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

/** The solver's worker threads (--threads, default: every core) and kernel (--kernel) for this command. */
export function computeOptions(values: { threads?: unknown; kernel?: unknown }): CliCompute {
  return { threads: positiveInteger(values.threads, 'threads', os.availableParallelism()), kernel: kernelOption(values.kernel) };
}

export const PHYSICS_COMMON_USAGE = `  --geometry FILE.json  acquisition geometry (default: OpenFWI's, for 70 × 70 models)
  --threads N           worker threads (default: all cores)
  --kernel K            auto | native | wasm | ts (default auto: native addon if built, else wasm)`;
