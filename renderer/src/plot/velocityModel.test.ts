import { describe, expect, it } from 'vitest';
import {
  applyEdit,
  applyEdits,
  constantGrid,
  describeEdit,
  faultColumnAt,
  flatInterface,
  gridRange,
  interfaceFromStroke,
  velocityProblem,
  type VelocityGrid,
} from './velocityModel.ts';

function rows(grid: VelocityGrid): number[][] {
  return Array.from({ length: grid.nz }, (_, z) => [...grid.velocityMps.subarray(z * grid.nx, (z + 1) * grid.nx)]);
}

describe('velocity editor model', () => {
  it('validates velocities against the editor range', () => {
    expect(velocityProblem(2000)).toBeNull();
    expect(velocityProblem(100)).toMatch(/100 m\/s is outside 300–10000 m\/s/);
    expect(velocityProblem(Number.NaN, 'Layer velocity')).toMatch(/^Layer velocity: enter a number/);
  });

  it('adds a flat layer below its interface', () => {
    const grid = applyEdit(constantGrid(4, 3, 1500), { kind: 'layer', interfaceRows: flatInterface(3, 2), velocityMps: 3000 });
    expect(rows(grid)).toEqual([
      [1500, 1500, 1500],
      [1500, 1500, 1500],
      [3000, 3000, 3000],
      [3000, 3000, 3000],
    ]);
  });

  it('interpolates a painted boundary between painted columns and holds it flat outside', () => {
    expect(interfaceFromStroke([{ col: 1, row: 2 }, { col: 3, row: 6 }, { col: 3, row: 4 }], 6)).toEqual([2, 2, 3.5, 5, 5, 5]);
    expect(interfaceFromStroke([], 4)).toBeNull();
  });

  it('offsets the layers on one side of a vertical fault by its throw', () => {
    const layered = applyEdit(constantGrid(4, 4, 1000), { kind: 'layer', interfaceRows: flatInterface(4, 2), velocityMps: 2000 });
    const faulted = applyEdit(layered, { kind: 'fault', topCol: 2, dipDeg: 90, throwRows: 1, side: 'right' });
    expect(rows(faulted)).toEqual([
      [1000, 1000, 1000, 1000],
      [1000, 1000, 1000, 1000],
      [2000, 2000, 1000, 1000],
      [2000, 2000, 2000, 2000],
    ]);
  });

  it('follows the dip: a 45° fault moves one column right per row', () => {
    expect(faultColumnAt({ topCol: 0, dipDeg: 45 }, 0)).toBeCloseTo(0.5);
    expect(faultColumnAt({ topCol: 0, dipDeg: 45 }, 3)).toBeCloseTo(3.5);
    expect(faultColumnAt({ topCol: 4, dipDeg: 135 }, 1)).toBeCloseTo(2.5);
  });

  it('paints an elliptical anomaly by cell centres', () => {
    const grid = applyEdit(constantGrid(5, 5, 1000), { kind: 'anomaly', centreCol: 2, centreRow: 2, radiusCols: 1, radiusRows: 1, velocityMps: 500 });
    expect(rows(grid)).toEqual([
      [1000, 1000, 1000, 1000, 1000],
      [1000, 1000, 500, 1000, 1000],
      [1000, 500, 500, 500, 1000],
      [1000, 1000, 500, 1000, 1000],
      [1000, 1000, 1000, 1000, 1000],
    ]);
  });

  it('applies edits in order without touching the start grid', () => {
    const start = constantGrid(3, 3, 1500);
    const result = applyEdits(start, [
      { kind: 'layer', interfaceRows: flatInterface(3, 1), velocityMps: 2500 },
      { kind: 'anomaly', centreCol: 1, centreRow: 2, radiusCols: 0.5, radiusRows: 0.5, velocityMps: 4000 },
    ]);
    expect(gridRange(start)).toEqual({ min: 1500, max: 1500 });
    expect(rows(result)).toEqual([
      [1500, 1500, 1500],
      [2500, 2500, 2500],
      [2500, 4000, 2500],
    ]);
    expect(gridRange(result)).toEqual({ min: 1500, max: 4000 });
  });

  it('describes edits in metres', () => {
    expect(describeEdit({ kind: 'layer', interfaceRows: [3, 5], velocityMps: 3000 }, 10)).toBe('Layer 3000 m/s below 30 m–50 m');
    expect(describeEdit({ kind: 'fault', topCol: 20, dipDeg: 60, throwRows: 4, side: 'right' }, 10)).toBe('Fault at x 200 m, dip 60°, throw 40 m (right side)');
  });
});
