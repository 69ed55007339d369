import { describe, expect, it } from 'vitest';
import { compareSeismic, deviationToJson, pdeDeviation, seismicShapeOf } from './deviation.ts';
import { generateVelocityModels } from './families.ts';
import { forwardModel } from './solver.ts';
import { TINY_SHAPE, tinyGeometry } from './testing/tinyGeometry.ts';

const N = 3;
const shape = { n: N, ...TINY_SHAPE };
const geometry = tinyGeometry();
const velocityMps = generateVelocityModels('curvevel-a', 17, N, { shape: TINY_SHAPE });

describe('pdeDeviation', async () => {
  const seismic = await forwardModel(velocityMps, shape, geometry);

  it('is zero for a pair the solver made', async () => {
    const report = await pdeDeviation(seismic, velocityMps, shape, geometry);
    expect(report.pde_rel_l2).toBeLessThanOrEqual(1e-6);
    expect(report.pde_mse).toBeLessThanOrEqual(1e-12);
    expect(report.samples).toHaveLength(N);
    for (const sample of report.samples) {
      expect(sample.pde_rel_l2_per_source).toHaveLength(2);
      expect(Math.max(...sample.pde_rel_l2_per_source)).toBeLessThanOrEqual(1e-6);
    }
  });

  it('reports a seismic scaled by 1 + ε as relative L2 ε and MSE ε²·mean(s²), per source and overall', async () => {
    const epsilon = 0.01;
    const scaled = seismic.map((v) => v * (1 + epsilon));
    const report = await pdeDeviation(scaled, velocityMps, shape, geometry);
    expect(report.pde_rel_l2).toBeCloseTo(epsilon, 6);
    let meanSquare = 0;
    for (const v of seismic) meanSquare += v * v;
    meanSquare /= seismic.length;
    expect(report.pde_mse / (epsilon * epsilon * meanSquare)).toBeCloseTo(1, 4);
    for (const sample of report.samples) for (const r of sample.pde_rel_l2_per_source) expect(r).toBeCloseTo(epsilon, 6);
  });

  it('computes per-source and per-sample values as their definitions say', () => {
    const seismicShape = seismicShapeOf(N, geometry);
    const observed = seismic.map((v, i) => v + (i % 7 === 0 ? 0.001 * ((i % 13) - 6) : 0));
    const report = compareSeismic(observed, seismic, seismicShape);
    const shot = seismicShape.time * seismicShape.receivers;
    const sample = 1;
    const source = 1;
    let diff = 0;
    let ref = 0;
    for (let k = 0; k < shot; k += 1) {
      const j = (sample * 2 + source) * shot + k;
      diff += (observed[j] - seismic[j]) ** 2;
      ref += seismic[j] ** 2;
    }
    expect(report.samples[sample].pde_mse_per_source[source]).toBeCloseTo(diff / shot, 12);
    expect(report.samples[sample].pde_rel_l2_per_source[source]).toBeCloseTo(Math.sqrt(diff / ref), 9);
    const s = report.samples[sample];
    expect(s.pde_mse).toBeCloseTo((s.pde_mse_per_source[0] + s.pde_mse_per_source[1]) / 2, 12);
  });

  it('grows with a velocity perturbation, about linearly while it is small', async () => {
    const deviationFor = async (delta: number): Promise<number> => {
      const perturbed = velocityMps.map((v) => v * (1 + delta));
      return (await pdeDeviation(seismic, perturbed, shape, geometry)).pde_rel_l2;
    };
    const small = await deviationFor(0.002);
    const double = await deviationFor(0.004);
    const large = await deviationFor(0.05);
    expect(small).toBeGreaterThan(1e-4);
    // First-order Taylor: doubling the perturbation doubles the misfit (to within the quadratic term).
    expect(double / small).toBeGreaterThan(1.8);
    expect(double / small).toBeLessThan(2.2);
    expect(large).toBeGreaterThan(double);
  });

  it('treats an all-zero reference as Infinity, written as null in JSON, and rejects mismatched sizes', async () => {
    const seismicShape = { n: 1, sources: 1, time: 2, receivers: 2 };
    const report = compareSeismic(new Float32Array([1, 0, 0, 0]), new Float32Array(4), seismicShape);
    expect(report.pde_rel_l2).toBe(Infinity);
    expect(compareSeismic(new Float32Array(4), new Float32Array(4), seismicShape).pde_rel_l2).toBe(0);
    expect(JSON.parse(JSON.stringify(deviationToJson(report))).pde_rel_l2).toBeNull();
    await expect(pdeDeviation(seismic.subarray(1), velocityMps, shape, geometry)).rejects.toThrow(/\[3, 2, 60, 16\]/);
  });
});
