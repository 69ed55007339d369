import { describe, expect, it } from 'vitest';
import { describeGeometry, fromForm, readGeometry, receiverRange, toForm } from './geometryForm.ts';

/** OpenFWI's geometry as `project.geometry` sends it. */
const openfwi = {
  spacingMeters: 10,
  timeStepSeconds: 0.001,
  steps: 1000,
  recordEverySteps: 1,
  wavelet: { kind: 'ricker', peakFrequencyHz: 15, delaySeconds: 0.073, lengthSteps: 147 },
  sources: [0, 17, 34, 52, 69].map((x) => ({ x, z: 1 })),
  receivers: Array.from({ length: 70 }, (_, x) => ({ x, z: 1 })),
  boundary: { kind: 'openfwi-sponge' },
  topSurface: 'absorbing' as const,
};

describe('acquisition geometry in the renderer', () => {
  it('reads and describes a geometry in words and metres', () => {
    const lines = Object.fromEntries(describeGeometry(readGeometry(openfwi)).map((l) => [l.label, l.value]));
    expect(lines['Grid spacing']).toBe('10 m (x and z)');
    expect(lines['Recorded']).toBe('every 1 step: 1000 samples at 1 ms');
    expect(lines['Wavelet']).toBe('Ricker, 15 Hz peak at 73 ms, 147 samples');
    expect(lines['Sources']).toBe('5 at x = 0, 170, 340, 520, 690 m, depth 10 m (row 1)');
    expect(lines['Receivers']).toBe('70 from x = 0 to 690 m every 10 m, depth 10 m (row 1)');
    expect(lines['Boundary']).toMatch(/OpenFWI/);
  });

  it('names the fields it cannot read', () => {
    expect(() => readGeometry({ ...openfwi, steps: 'many' })).toThrow(/steps/);
  });

  it('recognises receivers laid out as a range, and an irregular list', () => {
    expect(receiverRange([{ x: 2, z: 3 }, { x: 5, z: 3 }, { x: 8, z: 3 }])).toEqual({ fromX: 2, toX: 8, stepX: 3, z: 3 });
    expect(receiverRange([{ x: 2, z: 3 }, { x: 5, z: 3 }, { x: 9, z: 3 }])).toBeNull();
  });

  it('round-trips through the form unchanged', () => {
    const g = readGeometry(openfwi);
    const back = fromForm(toForm(g), g);
    expect(back.errors).toBeNull();
    expect(back.geometry).toEqual(openfwi);
  });

  it('builds an edited geometry and drops the wavelet length when dt changes', () => {
    const g = readGeometry(openfwi);
    const form = { ...toForm(g), dtMs: '0.5', steps: '2000', recordEvery: '2', boundary: 'sponge' as const, boundaryCells: '60', topSurface: 'free' as const, sourceXs: '10; 35 60', receiverFromX: '0', receiverToX: '69', receiverStepX: '3' };
    const result = fromForm(form, g);
    expect(result.errors).toBeNull();
    const edited = result.geometry!;
    expect(edited.timeStepSeconds).toBe(0.0005);
    expect(edited.wavelet).toEqual({ kind: 'ricker', peakFrequencyHz: 15, delaySeconds: 0.073 });
    expect(edited.sources).toEqual([{ x: 10, z: 1 }, { x: 35, z: 1 }, { x: 60, z: 1 }]);
    expect(edited.receivers).toHaveLength(24);
    expect(edited.boundary).toEqual({ kind: 'sponge', widthCells: 60 });
  });

  it('keeps a PML boundary when another field is saved', () => {
    const pml = readGeometry({ ...openfwi, boundary: { kind: 'pml', widthCells: 20 } });
    const result = fromForm({ ...toForm(pml), peakHz: '12' }, pml);
    expect(result.errors).toBeNull();
    expect(result.geometry!.boundary).toEqual({ kind: 'pml', widthCells: 20 });
    expect(result.geometry!.wavelet.peakFrequencyHz).toBe(12);
  });

  it('describes a PML boundary in words', () => {
    const lines = Object.fromEntries(describeGeometry(readGeometry({ ...openfwi, boundary: { kind: 'pml', widthCells: 20 } })).map((l) => [l.label, l.value]));
    expect(lines['Boundary']).toBe('Perfectly matched layer, 20 cells');
  });

  it('reports problems per field', () => {
    const g = readGeometry(openfwi);
    const result = fromForm({ ...toForm(g), spacingM: '0', recordEvery: '2000', topSurface: 'free', sourceZ: '0', sourceXs: 'a', boundary: 'sponge', boundaryCells: '5' }, g);
    expect(result.errors).toEqual({
      spacingM: 'A number above 0.',
      recordEvery: 'At most the number of steps (1000).',
      sourceZ: 'Row ≥ 1: the free surface holds p = 0 on row 0.',
      sourceXs: 'Column indices ≥ 0, separated by commas.',
      boundaryCells: 'A whole number from 20 to 400.',
    });
  });
});
