import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { appRoot } from '../util/paths.ts';
import { openfwiGeometry } from './acquisition.ts';
import { type AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';
import { missing } from '../util/testing/requirement.ts';
import { loadNativeKernel, nativeKernelProblem, resetNativeKernel, resolveKernel, type FdKernel } from './kernels.ts';
import { padModel, shotSetup, type ShotResult } from './paddedGrid.ts';
import { modelWavefield } from './solver.ts';
import { relativeL2 } from './testing/analytic.ts';

const root = appRoot();
const hasCommand = (command: string, args: string[]): boolean => spawnSync(command, args).status === 0;

// Builds the native addon when a C compiler is present (nothing to do when it is up to date), before
// the tests are collected so that a missing addon is reported by missing() below.
if (hasCommand('cc', ['--version']) || hasCommand('gcc', ['--version'])) {
  const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-native.mjs')], { encoding: 'utf8' });
  if (build.status !== 0) console.warn(`native addon build failed:\n${build.stdout}\n${build.stderr}`);
}
resetNativeKernel();
const native: FdKernel | null = loadNativeKernel();
const noNative = missing(`the native FD addon (npm run build:native: a C compiler, make, node-gyp; ${native ? 'built' : nativeKernelProblem()})`, native !== null);

/** A layered model with a dipping interface and a smooth lens, nz × nx, 1600–3600 m/s. */
function testModel(nz: number, nx: number): Float32Array {
  const velocity = new Float32Array(nz * nx);
  for (let z = 0; z < nz; z += 1) {
    for (let x = 0; x < nx; x += 1) {
      const layer = z > nz / 3 + x / 5 ? 2800 : 1800;
      const lens = 800 * Math.exp(-(((z - (2 * nz) / 3) ** 2 + (x - nx / 2) ** 2) / 40));
      velocity[z * nx + x] = layer + lens + ((z * 7 + x * 13) % 11) * 10;
    }
  }
  return velocity;
}

function smallGeometry(topSurface: 'free' | 'absorbing'): AcquisitionGeometry {
  return {
    spacingMeters: 10,
    timeStepSeconds: 0.001,
    steps: 300,
    recordEverySteps: 3,
    wavelet: { kind: 'ricker', peakFrequencyHz: 15, delaySeconds: 0.05 },
    sources: [
      { x: 3, z: 2 },
      { x: 40, z: 20 },
    ],
    receivers: Array.from({ length: 24 }, (_, i) => ({ x: 2 * i, z: i % 5 })),
    boundary: { kind: 'sponge', widthCells: 20 },
    topSurface,
  };
}

function runAll(velocity: Float32Array, nz: number, nx: number, geometry: AcquisitionGeometry, shot: number, snapshotEvery: number): Map<string, ShotResult> {
  const setup = shotSetup(padModel(velocity, nz, nx, geometry), geometry, shot, snapshotEvery);
  const results = new Map<string, ShotResult>();
  for (const kernel of [resolveKernel('ts'), resolveKernel('wasm'), native]) {
    if (kernel) results.set(kernel.name, kernel.runShot(setup));
  }
  return results;
}

function expectAgreement(results: Map<string, ShotResult>): void {
  const reference = results.get('ts')!;
  let energy = 0;
  for (const value of reference.seismic) energy += value * value;
  expect(energy).toBeGreaterThan(0);
  for (const [name, result] of results) {
    if (name === 'ts') continue;
    expect(result.seismic.length).toBe(reference.seismic.length);
    expect(relativeL2(result.seismic, reference.seismic), `${name} seismic`).toBeLessThanOrEqual(1e-5);
    expect(result.snapshots.length).toBe(reference.snapshots.length);
    if (reference.snapshots.length > 0) expect(relativeL2(result.snapshots, reference.snapshots), `${name} snapshots`).toBeLessThanOrEqual(1e-5);
  }
}

describe('kernels agree (ts reference, wasm, native)', () => {
  test('sponge sides and bottom, absorbing top, with snapshots', () => {
    const velocity = testModel(30, 48);
    expectAgreement(runAll(velocity, 30, 48, smallGeometry('absorbing'), 0, 25));
    expectAgreement(runAll(velocity, 30, 48, smallGeometry('absorbing'), 1, 0));
  });

  test('free surface', () => {
    const velocity = testModel(30, 48);
    const results = runAll(velocity, 30, 48, smallGeometry('free'), 0, 50);
    expectAgreement(results);
    // p stays zero on the free surface (model row 0): receivers 0, 5, 10, … sit on it.
    const seismic = results.get('wasm')!.seismic;
    for (let t = 0; t < 100; t += 1) expect(seismic[t * 24]).toBe(0);
  });

  test('PML, absorbing and free top', () => {
    const velocity = testModel(30, 48);
    for (const top of ['absorbing', 'free'] as const) {
      const geometry: AcquisitionGeometry = { ...smallGeometry(top), boundary: { kind: 'pml', widthCells: 12 } };
      expectAgreement(runAll(velocity, 30, 48, geometry, 0, 30));
      expectAgreement(runAll(velocity, 30, 48, geometry, 1, 0));
    }
  });

  test('the OpenFWI geometry (120-cell sponge, periodic wrap) on a real-sized grid', () => {
    const velocity = testModel(70, 70);
    const geometry: AcquisitionGeometry = { ...openfwiGeometry(), steps: 250 };
    expectAgreement(runAll(velocity, 70, 70, geometry, 4, 0));
  });

  test('snapshots are the wavefield the receivers record', async () => {
    const velocity = testModel(30, 48);
    const geometry = { ...smallGeometry('absorbing'), recordEverySteps: 1, steps: 120 };
    const wavefield = await modelWavefield(velocity, 30, 48, geometry, { shot: 1, everySteps: 10, kernel: 'wasm' });
    expect(wavefield.frames).toBe(12);
    expect(wavefield.snapshots.length).toBe(12 * 30 * 48);
    expect(wavefield.frameIntervalSeconds).toBeCloseTo(0.01, 12);
    await expect(modelWavefield(velocity, 30, 48, { ...geometry, steps: 1_000_000 }, { shot: 0, everySteps: 1 })).rejects.toThrow(/GiB.*everySteps ≥/);
    await expect(modelWavefield(velocity, 30, 48, geometry, { shot: 2, everySteps: 10 })).rejects.toThrow(/shot = 2/);
    geometry.receivers.forEach((cell, r) => {
      for (let frame = 0; frame < 12; frame += 1) {
        expect(wavefield.snapshots[frame * 30 * 48 + cell.z * 48 + cell.x]).toBe(wavefield.seismic[frame * 10 * 24 + r]);
      }
    });
  });
});

describe('build artifacts', () => {
  test('the committed WebAssembly kernel is built from the current C source (rebuilt when clang is here)', () => {
    const script = path.join(root, 'scripts', 'build-wasm.mjs');
    let check = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    if (check.status !== 0 && hasCommand('clang', ['--version'])) {
      const build = spawnSync(process.execPath, [script], { encoding: 'utf8' });
      expect(build.status, build.stderr).toBe(0);
      check = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    }
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
  });

  test.skipIf(noNative)("'auto' picks the native addon when it is built", () => {
    const notices: string[] = [];
    expect(resolveKernel('auto', (message) => notices.push(message)).name).toBe('native');
    expect(notices).toEqual([]);
  });

  test.skipIf(native !== null)("without the native addon 'auto' falls back to wasm with a notice", () => {
    const notices: string[] = [];
    expect(resolveKernel('auto', (message) => notices.push(message)).name).toBe('wasm');
    expect(notices[0]).toMatch(/build:native/);
    expect(() => resolveKernel('native')).toThrow(/build:native/);
  });

});
