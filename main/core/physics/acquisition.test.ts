import { describe, expect, test } from 'vitest';
import { StudioError } from '../contract/errors.ts';
import { checkStability, courantLimit, dampedCourantLimit } from './stability.ts';
import { openfwiGeometry, validateGeometry } from './acquisition.ts';
import { acquisitionGeometrySchema, type AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';
import { loadWasmKernel } from './kernels.ts';
import { padModel, shotSetup } from './paddedGrid.ts';
import { forwardModel } from './solver.ts';
import { sampleWavelet } from './wavelet.ts';

function expectStudioError(run: () => unknown, code: string, ...fragments: string[]): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(StudioError);
    expect((error as StudioError).code).toBe(code);
    for (const fragment of fragments) expect((error as StudioError).message).toContain(fragment);
    return;
  }
  throw new Error('expected a StudioError');
}

describe('openfwiGeometry', () => {
  test('holds OpenFWI’s acquisition and survives JSON', () => {
    const g = openfwiGeometry();
    expect(g.spacingMeters).toBe(10);
    expect(g.timeStepSeconds).toBe(0.001);
    expect(g.steps).toBe(1000);
    expect(g.recordEverySteps).toBe(1);
    expect(g.sources).toEqual([0, 17, 34, 52, 69].map((x) => ({ x, z: 1 })));
    expect(g.receivers).toHaveLength(70);
    expect(g.receivers.every((r, x) => r.x === x && r.z === 1)).toBe(true);
    expect(g.boundary).toEqual({ kind: 'openfwi-sponge' });
    expect(g.topSurface).toBe('absorbing');
    expect(acquisitionGeometrySchema.parse(JSON.parse(JSON.stringify(g)))).toEqual(g);
  });

  test('wavelet: Ricker 15 Hz, 147 samples, peak 1.0 at sample 73', () => {
    const g = openfwiGeometry();
    const w = sampleWavelet(g.wavelet, g.timeStepSeconds, g.steps);
    expect(w[73]).toBe(1);
    for (let k = 0; k < 73; k += 1) expect(w[k]).toBe(w[146 - k]);
    for (let k = 147; k < 1000; k += 1) expect(w[k]).toBe(0);
    const beta = (Math.PI * 15 * 0.001 * (73 - 10)) ** 2;
    expect(w[10]).toBe(Math.fround((1 - 2 * beta) * Math.exp(-beta)));
    expect(Math.abs(w[0])).toBeGreaterThan(0);
  });

  test('padding: 310 × 310, edges replicated, OpenFWI damping profile, x wins in corners', () => {
    const g = openfwiGeometry();
    const velocity = new Float32Array(70 * 70);
    for (let z = 0; z < 70; z += 1) for (let x = 0; x < 70; x += 1) velocity[z * 70 + x] = 1500 + 10 * z + x;
    const m = padModel(velocity, 70, 70, g);
    expect([m.nzPad, m.nxPad, m.padTop, m.padLeft]).toEqual([310, 310, 120, 120]);
    expect(m.velocityMps[0]).toBe(1500); // corner replicates model (0, 0)
    expect(m.velocityMps[309 * 310 + 309]).toBe(1500 + 690 + 69);
    expect(m.velocityMps[5 * 310 + 150]).toBe(1500 + 30); // above the model: row 0 of column 30
    expect(m.alpha[150 * 310 + 150]).toBeCloseTo(((m.velocityMps[150 * 310 + 150] * 0.001) / 10) ** 2, 7);

    const a = 119 * 10;
    const d0 = (3 * 1500 * Math.log(1e7)) / (2 * a);
    const kappa = (i: number): number => Math.fround(d0 * ((i * 10) / a) ** 2 * 0.001);
    expect(m.kappaX[119]).toBe(0); // i = 0 next to the interior
    expect(m.kappaX[0]).toBe(kappa(119));
    expect(m.kappaX[190 + 5]).toBe(kappa(5));
    expect(m.kappaZ[0]).toBe(kappa(119));
    expect(m.kappaZ[150]).toBe(0);
    const kappaAt = (row: number, col: number): number => Math.fround(m.kappaX[col] + Math.fround(m.zMask[col] * m.kappaZ[row]));
    expect(kappaAt(10, 150)).toBe(kappa(109)); // top sponge, inside the x range: z-profile
    expect(kappaAt(10, 100)).toBe(kappa(19)); // corner: the x-profile wins
    expect(kappaAt(10, 119)).toBe(0); // corner column with i = 0 in x: x still wins
    expect(kappaAt(150, 150)).toBe(0);

    const setup = shotSetup(m, g, 1);
    expect([setup.sourceRow, setup.sourceCol]).toEqual([121, 137]);
    expect(setup.sourceAmplitude[73]).toBe(Math.fround((1500 + 10 + 17) * 0.001 * ((1500 + 10 + 17) * 0.001)));
    expect(setup.receiverIndex[5]).toBe(121 * 310 + 125);
  });
});

describe('validateGeometry', () => {
  const shape = { nz: 70, nx: 70 };

  test('names the field and the allowed range', () => {
    const g = openfwiGeometry();
    expectStudioError(() => validateGeometry({ ...g, receivers: [...g.receivers.slice(0, 3), { x: 80, z: 1 }] }, shape), 'bad_input', 'receivers[3]', 'x 80', 'x must be < 70');
    expectStudioError(() => validateGeometry({ ...g, steps: -5 }, shape), 'bad_input', 'steps');
    expectStudioError(() => validateGeometry({ ...g, sources: [{ x: 1.5, z: 1 }] }, shape), 'bad_input', 'sources[0].x');
    expectStudioError(() => validateGeometry({ ...g, boundary: { kind: 'pml' } }, shape), 'bad_input', 'boundary');
    expectStudioError(
      () => validateGeometry({ ...g, topSurface: 'free', sources: [{ x: 3, z: 0 }] }, shape),
      'bad_input',
      'sources[0]',
      'free surface',
    );
    expect(validateGeometry(g, shape)).toEqual(g);
  });

  test('forwardModel checks the array against its shape', async () => {
    await expect(forwardModel(new Float32Array(10), { n: 1, nz: 70, nx: 70 }, openfwiGeometry())).rejects.toThrow(/4900/);
  });
});

describe('stability and dispersion', () => {
  test('the CFL limit of leapfrog with the 4th-order Laplacian in 2D is sqrt(3/8)', () => {
    expect(courantLimit(2)).toBeCloseTo(Math.sqrt(3 / 8), 12);
    expect(courantLimit(2)).toBeCloseTo(0.6124, 4);
    expect(courantLimit(1)).toBeCloseTo(Math.sqrt(3 / 4), 12);
  });

  test('OpenFWI passes at its extremes; errors name the value and the limit', () => {
    const g = openfwiGeometry();
    const report = checkStability(g, { minMps: 1500, maxMps: 4500 });
    expect(report.courantNumber).toBeCloseTo(0.45, 12);
    expect(report.maxKappa).toBeCloseTo((3 * 1500 * Math.log(1e7)) / (2 * 1190) * 0.001, 12);
    expect(report.pointsPerWavelength).toBeCloseTo(4, 12);
    expectStudioError(() => checkStability({ ...g, timeStepSeconds: 0.0015 }, { minMps: 1500, maxMps: 4500 }), 'bad_input', '0.6750', '0.6124', 'smaller dt');
    expectStudioError(() => checkStability(g, { minMps: 1400, maxMps: 4500 }), 'bad_input', '3.733', 'below 4', '37.5 Hz');
    expectStudioError(() => checkStability(g, { minMps: 0, maxMps: 4500 }), 'bad_input', 'above 0 m/s');
  });

  test('the computed limits are the real ones: bounded just below, growing just above', () => {
    const n = 40;
    const velocity = new Float32Array(n * n).fill(3000);
    const kernel = loadWasmKernel();
    /** Largest |p| late in the run over largest |p| early, with uniform damping·dt = kappa. */
    const growth = (courant: number, kappa: number): number => {
      const g: AcquisitionGeometry = {
        spacingMeters: 10,
        timeStepSeconds: (courant * 10) / 3000,
        steps: 400,
        recordEverySteps: 1,
        wavelet: { kind: 'ricker', peakFrequencyHz: 15, delaySeconds: 0.02 },
        sources: [{ x: 20, z: 20 }],
        receivers: [{ x: 25, z: 22 }],
        boundary: { kind: 'sponge', widthCells: 20 },
        topSurface: 'absorbing',
      };
      const model = padModel(velocity, n, n, g);
      // A periodic domain with uniform damping: κ_x in the x-sponge columns, κ_z elsewhere.
      for (let col = 0; col < model.nxPad; col += 1) model.kappaX[col] = model.zMask[col] === 0 ? kappa : 0;
      model.kappaZ.fill(kappa);
      const seismic = kernel.runShot(shotSetup(model, g, 0)).seismic;
      const peak = (from: number, to: number): number => {
        let max = 0;
        for (let i = from; i < to; i += 1) max = Math.max(max, Math.abs(seismic[i]));
        return max;
      };
      const late = peak(300, 400);
      return Number.isFinite(late) ? late / peak(0, 100) : Infinity;
    };
    const limit = courantLimit(2);
    expect(growth(limit - 0.005, 0)).toBeLessThan(10);
    expect(growth(limit + 0.01, 0)).toBeGreaterThan(1e6);
    const damped = dampedCourantLimit(0.5, 2);
    expect(damped).toBeCloseTo(limit * Math.sqrt(0.75), 12);
    expect(growth(damped - 0.005, 0.5)).toBeLessThan(10);
    expect(growth(damped + 0.01, 0.5)).toBeGreaterThan(1e6);
  });
});
