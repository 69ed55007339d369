import { describe, expect, it } from 'vitest';
import { describeDatasetMeta, humaniseKey } from './meta.ts';

const openfwiGeometry = {
  spacingMeters: 10,
  timeStepSeconds: 0.001,
  steps: 1000,
  recordEverySteps: 1,
  wavelet: { kind: 'ricker', peakFrequencyHz: 15, delaySeconds: 0.1 },
  sources: [0, 17, 34, 52, 69].map((x) => ({ x, z: 1 })),
  receivers: Array.from({ length: 70 }, (_, x) => ({ x, z: 0 })),
  boundary: { kind: 'openfwi-sponge' },
  topSurface: 'free',
};

describe('dataset meta in words', () => {
  it('names a SEG-Y import\'s gather key and files, and leaves out what is empty or shown elsewhere', () => {
    const rows = describeDatasetMeta({
      sampleIntervalMs: 4,
      gatherKey: 'FieldRecord',
      files: ['/data/survey/line1.sgy', '/data/survey/line2.sgy'],
      resample: null,
      paddedTraces: 0,
    });
    expect(rows).toEqual([
      { label: 'Gathers grouped by', value: 'FieldRecord (trace header field)' },
      { label: 'Files', value: '2 files: line1.sgy, line2.sgy' },
    ]);
    expect(describeDatasetMeta({ files: ['/a/one.sgy'] })).toEqual([{ label: 'Files', value: '1 file: one.sgy' }]);
  });

  it('describes a synthetic dataset\'s geometry in words instead of JSON', () => {
    const rows = describeDatasetMeta({ family: 'flatvel-a', seed: 7, geometry: openfwiGeometry, gridSpacingM: 10 });
    expect(rows.slice(0, 2)).toEqual([
      { label: 'Velocity family', value: 'flatvel-a' },
      { label: 'Seed', value: '7' },
    ]);
    expect(rows.find((r) => r.label === 'Geometry: receivers')?.value).toBe('70 from x = 0 to 690 m every 10 m, depth 0 m (row 0)');
    expect(rows.every((r) => !r.value.includes('{'))).toBe(true);
  });

  it('writes unknown keys and nested values in words', () => {
    expect(humaniseKey('velocityRangeMps')).toBe('Velocity range mps');
    expect(describeDatasetMeta({ fromDataset: 3, stage1Ref: 'default', range: { min: 1500, max: 4500 } })).toEqual([
      { label: 'Modelled from', value: 'dataset 3' },
      { label: 'Stage1 ref', value: 'default' },
      { label: 'Range', value: 'min 1,500; max 4,500' },
    ]);
  });
});
