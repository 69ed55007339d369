import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { StudioError } from '../contract/errors.ts';
import { appRoot } from '../util/paths.ts';
import { runShotTs } from './kernelTs.ts';
import { shotSeismicLength, shotSnapshotFrames, type ShotResult, type ShotSetup } from './paddedGrid.ts';

/** Which implementation of the FD update runs a shot. 'auto': native where built, else wasm. */
export type KernelChoice = 'auto' | 'native' | 'wasm' | 'ts';
export type KernelName = 'native' | 'wasm' | 'ts';
export const KERNEL_CHOICES: readonly KernelChoice[] = ['auto', 'native', 'wasm', 'ts'];

export interface FdKernel {
  name: KernelName;
  runShot(setup: ShotSetup): ShotResult;
}

/** Integer parameters of `fd_run_shot` in native/fd_kernel.c, in this order. */
function shotParameters(setup: ShotSetup): number[] {
  const m = setup.model;
  return [
    m.nzPad,
    m.nxPad,
    m.freeSurface ? 1 : 0,
    setup.steps,
    setup.recordEverySteps,
    setup.snapshotEverySteps,
    m.padTop,
    m.padLeft,
    m.nz,
    m.nx,
    setup.sourceRow,
    setup.sourceCol,
    setup.receiverIndex.length,
    m.pml ? 1 : 0,
  ];
}

const EMPTY = new Float32Array(0);

/** The PML's coefficient vectors in the kernel's order (empty for a sponge). */
function pmlVectors(setup: ShotSetup): [Float32Array, Float32Array, Float32Array, Float32Array] {
  const pml = setup.model.pml;
  return pml ? [pml.ax, pml.bx, pml.az, pml.bz] : [EMPTY, EMPTY, EMPTY, EMPTY];
}

const tsKernel: FdKernel = { name: 'ts', runShot: runShotTs };

/** Where the committed WebAssembly kernel lives (rebuilt by `npm run build:wasm`). */
export function wasmKernelPath(): string {
  const beside = path.join(path.dirname(fileURLToPath(import.meta.url)), 'wasm', 'fd_kernel.wasm');
  if (fs.existsSync(beside)) return beside;
  return path.join(appRoot(), 'main', 'core', 'physics', 'wasm', 'fd_kernel.wasm');
}

/** Where node-gyp puts the native addon (`npm run build:native`). */
export function nativeAddonPath(): string {
  return path.join(appRoot(), 'native', 'addon', 'build', 'Release', 'fd_addon.node');
}

interface WasmExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  fd_workspace_floats(nzPad: number, nxPad: number, pml: number): number;
  fd_run_shot(...args: number[]): number;
}

const WASM_PAGE = 65536;

function align64(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

/** The WebAssembly-SIMD kernel: one instance per thread, its memory reused from shot to shot. */
function createWasmKernel(): FdKernel {
  const bytes = fs.readFileSync(wasmKernelPath());
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  const exports = instance.exports as unknown as WasmExports;
  const heapBase = align64(Number(exports.__heap_base.value));

  return {
    name: 'wasm',
    runShot(setup: ShotSetup): ShotResult {
      const m = setup.model;
      const cells = m.nzPad * m.nxPad;
      const seismicLength = shotSeismicLength(setup);
      const snapshotLength = shotSnapshotFrames(setup) * m.nz * m.nx;
      // Layout in linear memory (bytes, each block 64-byte aligned).
      let cursor = heapBase;
      const take = (floats: number): number => {
        const at = cursor;
        cursor = align64(cursor + floats * 4);
        return at;
      };
      const alphaAt = take(cells);
      const kappaXAt = take(m.nxPad);
      const zMaskAt = take(m.nxPad);
      const kappaZAt = take(m.nzPad);
      const pmlAt = pmlVectors(setup).map((vector) => take(vector.length));
      const amplitudeAt = take(setup.steps);
      const receiverAt = take(setup.receiverIndex.length);
      const workspaceAt = take(exports.fd_workspace_floats(m.nzPad, m.nxPad, m.pml ? 1 : 0));
      const seismicAt = take(seismicLength);
      const snapshotAt = take(snapshotLength);
      const needed = cursor - exports.memory.buffer.byteLength;
      if (needed > 0) exports.memory.grow(Math.ceil(needed / WASM_PAGE));

      const buffer = exports.memory.buffer;
      new Float32Array(buffer, alphaAt, cells).set(m.alpha);
      new Float32Array(buffer, kappaXAt, m.nxPad).set(m.kappaX);
      new Float32Array(buffer, zMaskAt, m.nxPad).set(m.zMask);
      new Float32Array(buffer, kappaZAt, m.nzPad).set(m.kappaZ);
      pmlVectors(setup).forEach((vector, i) => new Float32Array(buffer, pmlAt[i], vector.length).set(vector));
      new Float32Array(buffer, amplitudeAt, setup.steps).set(setup.sourceAmplitude);
      new Int32Array(buffer, receiverAt, setup.receiverIndex.length).set(setup.receiverIndex);

      const status = exports.fd_run_shot(
        ...shotParameters(setup),
        alphaAt,
        kappaXAt,
        zMaskAt,
        kappaZAt,
        ...pmlAt,
        amplitudeAt,
        receiverAt,
        workspaceAt,
        seismicAt,
        snapshotAt,
      );
      if (status !== 0) throw new StudioError('internal', `The WebAssembly FD kernel rejected the shot (status ${status}).`);
      return {
        seismic: new Float32Array(buffer, seismicAt, seismicLength).slice(),
        snapshots: new Float32Array(buffer, snapshotAt, snapshotLength).slice(),
      };
    },
  };
}

interface NativeAddon {
  runShot(
    parameters: Int32Array,
    alpha: Float32Array,
    kappaX: Float32Array,
    zMask: Float32Array,
    kappaZ: Float32Array,
    pmlAx: Float32Array,
    pmlBx: Float32Array,
    pmlAz: Float32Array,
    pmlBz: Float32Array,
    amplitude: Float32Array,
    receiverIndex: Int32Array,
    seismic: Float32Array,
    snapshots: Float32Array,
  ): void;
  /** SIMD width the addon was compiled for, in floats. */
  vectorFloats: number;
}

function createNativeKernel(addon: NativeAddon): FdKernel {
  return {
    name: 'native',
    runShot(setup: ShotSetup): ShotResult {
      const m = setup.model;
      const seismic = new Float32Array(shotSeismicLength(setup));
      const snapshots = new Float32Array(shotSnapshotFrames(setup) * m.nz * m.nx);
      addon.runShot(
        Int32Array.from(shotParameters(setup)),
        m.alpha,
        m.kappaX,
        m.zMask,
        m.kappaZ,
        ...pmlVectors(setup),
        setup.sourceAmplitude,
        setup.receiverIndex,
        seismic,
        snapshots,
      );
      return { seismic, snapshots };
    },
  };
}

let wasmKernel: FdKernel | undefined;
let nativeKernel: FdKernel | null | undefined;
let nativeFailure = '';

/** The native addon's kernel, or null (with the reason in `nativeKernelProblem()`) when it is not built. */
export function loadNativeKernel(): FdKernel | null {
  if (nativeKernel !== undefined) return nativeKernel;
  const addonPath = nativeAddonPath();
  if (!fs.existsSync(addonPath)) {
    nativeFailure = `the native FD addon is not built (${addonPath} is missing; run \`npm run build:native\`)`;
    nativeKernel = null;
    return null;
  }
  try {
    const require = createRequire(import.meta.url);
    nativeKernel = createNativeKernel(require(addonPath) as NativeAddon);
  } catch (error) {
    nativeFailure = `the native FD addon at ${addonPath} failed to load (${(error as Error).message}); rebuild it with \`npm run build:native\``;
    nativeKernel = null;
  }
  return nativeKernel;
}

export function nativeKernelProblem(): string {
  loadNativeKernel();
  return nativeFailure;
}

/** Forgets a failed native load so a freshly built addon is picked up (used after building it). */
export function resetNativeKernel(): void {
  if (nativeKernel === null) nativeKernel = undefined;
}

export function loadWasmKernel(): FdKernel {
  wasmKernel ??= createWasmKernel();
  return wasmKernel;
}

/**
 * Resolves a kernel choice. 'auto' takes the native addon where it is built, else the portable
 * WebAssembly kernel with a notice; asking for 'native' where it is missing is an error.
 */
export function resolveKernel(choice: KernelChoice = 'auto', onNotice?: (message: string) => void): FdKernel {
  switch (choice) {
    case 'ts':
      return tsKernel;
    case 'wasm':
      return loadWasmKernel();
    case 'native': {
      const native = loadNativeKernel();
      if (!native) throw new StudioError('unsupported', `Kernel 'native' was requested but ${nativeFailure}.`);
      return native;
    }
    case 'auto': {
      const native = loadNativeKernel();
      if (native) return native;
      onNotice?.(`Using the portable WebAssembly FD kernel: ${nativeFailure}.`);
      return loadWasmKernel();
    }
    default:
      throw new StudioError('bad_input', `Unknown FD kernel '${String(choice)}'; use one of ${KERNEL_CHOICES.join(', ')}.`);
  }
}
