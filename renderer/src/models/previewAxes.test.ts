import { describe, expect, it } from 'vitest';
import type { TrainingSampling } from '../../../main/core/contract/contract.ts';
import { cellToValue } from '../plot/axes.ts';
import { resizedAxis, seismicPreviewAxes, velocityPreviewAxes } from './previewAxes.ts';

/**
 * Where torch's adaptive_avg_pool (the trainer's area resize, data.py resize_area) puts output cell
 * k of a linear ramp value(i) = origin + i·step: the mean over input cells floor(k·N/n) … ceil((k+1)·N/n) − 1.
 */
function pooledRamp(origin: number, step: number, stored: number, shown: number, k: number): number {
  const first = Math.floor((k * stored) / shown);
  const last = Math.ceil(((k + 1) * stored) / shown) - 1;
  return origin + (step * (first + last)) / 2;
}

/** Centre of cell k on an axis (cell k spans data coordinates [k, k + 1)). */
const centre = (axis: { step: number; origin: number; label: string }, k: number) => cellToValue(axis, k + 0.5);

const openfwi: TrainingSampling = {
  datasetId: 1,
  datasetName: 'flatvel-a',
  seismicShape: [5, 1000, 70],
  velocityShape: [1, 70, 70],
  sampleIntervalMs: 1,
  gridSpacingM: 10,
  positions: {
    // The middle source of OpenFWI's five sits at grid column 34 (340 m); receivers every 10 m.
    offset: Array.from({ length: 70 }, (_, r) => 10 * (r - 34)),
    receiverX: Array.from({ length: 70 }, (_, r) => 10 * r),
    sourceX: 340,
    lengthUnit: 'm',
    basis: 'the acquisition geometry the data was modelled with',
  },
};

describe('resizedAxis', () => {
  it('puts each area-averaged cell where the pooled stored positions average to', () => {
    for (const [stored, shown] of [
      [1000, 250],
      [70, 70],
      [70, 35],
    ]) {
      const axis = resizedAxis({ label: 't', step: 0.5, origin: 3 }, stored, shown);
      for (let k = 0; k < shown; k++) expect(centre(axis, k)).toBeCloseTo(pooledRamp(3, 0.5, stored, shown, k), 9);
    }
  });

  it('is within half a stored cell of torch’s windows when the factor is not whole', () => {
    const axis = resizedAxis({ label: 'x', step: 10, origin: 0 }, 70, 32);
    for (let k = 0; k < 32; k++) expect(Math.abs(centre(axis, k) - pooledRamp(0, 10, 70, 32, k))).toBeLessThanOrEqual(5);
  });
});

describe('seismicPreviewAxes', () => {
  it('gives a 250-sample preview of 1000 samples at 1 ms a 4 ms time axis over the same 0–999 ms, and offsets in m', () => {
    const { xAxis, yAxis, physical } = seismicPreviewAxes(openfwi, 250, 70);
    expect(physical).toBe(true);
    expect(yAxis).toMatchObject({ label: 'Time (ms)', step: 4, origin: 1.5 });
    expect(centre(yAxis, 0)).toBe(1.5);
    expect(centre(yAxis, 249)).toBe(997.5);
    expect(xAxis).toMatchObject({ label: 'Offset (m)', step: 10, origin: -340 });
  });

  it('falls back to the preview’s cells when the dataset is gone or has no sampling', () => {
    expect(seismicPreviewAxes(null, 250, 70)).toEqual({ xAxis: { label: 'Receiver', step: 1, origin: 0 }, yAxis: { label: 'Time sample', step: 1, origin: 0 }, physical: false });
    const noPositions = seismicPreviewAxes({ ...openfwi, positions: null }, 1000, 70);
    expect(noPositions.physical).toBe(false);
    expect(noPositions.yAxis).toMatchObject({ label: 'Time (ms)', step: 1, origin: 0 });
    expect(noPositions.xAxis.label).toBe('Receiver');
  });

  it('uses receiver x where the offsets are not evenly spaced', () => {
    const split: TrainingSampling = { ...openfwi, positions: { ...openfwi.positions!, offset: openfwi.positions!.offset.map((o) => Math.abs(o!)) } };
    expect(seismicPreviewAxes(split, 1000, 70).xAxis).toMatchObject({ label: 'Receiver x (m)', step: 10, origin: 0 });
  });
});

describe('velocityPreviewAxes', () => {
  it('scales the grid spacing by the resize on each axis', () => {
    const { xAxis, yAxis, physical } = velocityPreviewAxes(openfwi, 35, 70);
    expect(physical).toBe(true);
    expect(xAxis).toMatchObject({ label: 'Distance (m)', step: 10, origin: 0 });
    expect(yAxis).toMatchObject({ label: 'Depth (m)', step: 20, origin: 5 });
  });

  it('falls back to grid cells without a grid spacing', () => {
    expect(velocityPreviewAxes({ ...openfwi, gridSpacingM: null }, 70, 70).physical).toBe(false);
  });
});
