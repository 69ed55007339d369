import { describe, expect, it } from 'vitest';
import type { TrainingEvent } from '../../../main/core/contract/contract.ts';
import { addTrainingEvents, emptyCurves, lossKeys, metricKeys, seriesOf } from './trainingSeries.ts';

let nextId = 1;
function event(type: string, payload: Record<string, unknown>): TrainingEvent {
  return { id: nextId++, step: typeof payload.step === 'number' ? payload.step : 0, type, payload: { type, ...payload }, at: '2026-01-01T00:00:00Z' };
}

describe('addTrainingEvents', () => {
  nextId = 1;
  const events = [
    event('start', { step: 0, total_steps: 20, device: 'cpu' }),
    event('progress', { step: 10, total_steps: 20, loss: 0.5, loss_seismic_l1: 0.3, loss_velocity_l1: 0.2, loss_vq: null, lr: 1e-3, samples_per_s: 12 }),
    event('preview', { step: 10, dir: '/p/10', files: { velocity_target: '/p/10/velocity_target.npy', bad: 3 } }),
    event('metrics', { step: 10, split: 'validation', samples: 4, velocity_mae: 0.2, velocity_ssim: 0.5, seismic_relative_l2: 0.9 }),
    event('progress', { step: 20, total_steps: 20, loss: 0.25, loss_seismic_l1: 0.15, loss_velocity_l1: 0.1, loss_vq: 0.01, lr: 5e-4, samples_per_s: 14 }),
    event('done', { step: 20, kind: 'stage1' }),
  ];

  it('folds progress, metrics, previews and the end', () => {
    const curves = addTrainingEvents(emptyCurves, events);
    expect(curves.lastId).toBe(6);
    expect(curves.totalSteps).toBe(20);
    expect(curves.latestStep).toBe(20);
    expect(curves.progress.map((p) => p.step)).toEqual([10, 20]);
    expect(curves.progress[0].values).toEqual({ loss: 0.5, loss_seismic_l1: 0.3, loss_velocity_l1: 0.2, loss_vq: null, lr: 1e-3, samples_per_s: 12 });
    expect(curves.metrics[0].values).toEqual({ velocity_mae: 0.2, velocity_ssim: 0.5, seismic_relative_l2: 0.9 });
    expect(curves.previews).toEqual([{ step: 10, files: { velocity_target: '/p/10/velocity_target.npy' } }]);
    expect(curves.end?.type).toBe('done');
  });

  it('gives the same result incrementally and ignores events already seen', () => {
    const once = addTrainingEvents(emptyCurves, events);
    let curves = emptyCurves;
    for (const e of events) curves = addTrainingEvents(curves, [e]);
    curves = addTrainingEvents(curves, events.slice(0, 3));
    expect(curves).toEqual(once);
  });

  it('replaces the steps after the checkpoint when a run resumes', () => {
    let curves = addTrainingEvents(emptyCurves, events.slice(0, 5));
    curves = addTrainingEvents(curves, [event('stopped', { step: 20 }), event('start', { step: 10, total_steps: 30, resumed: true })]);
    expect(curves.progress.map((p) => p.step)).toEqual([10]);
    expect(curves.end).toBeNull();
    expect(curves.totalSteps).toBe(30);
    expect(curves.latestStep).toBe(10);
  });

  it('names the loss terms and metrics present, in a stable order', () => {
    const curves = addTrainingEvents(emptyCurves, events);
    expect(lossKeys(curves)).toEqual(['loss', 'loss_seismic_l1', 'loss_velocity_l1', 'loss_vq']);
    expect(metricKeys(curves)).toEqual(['velocity_mae', 'velocity_ssim', 'seismic_relative_l2']);
    const [total] = seriesOf(curves.progress, ['loss', 'missing'], { loss: 'total' });
    expect(total).toEqual({ key: 'loss', label: 'total', points: [{ x: 10, y: 0.5 }, { x: 20, y: 0.25 }] });
    expect(seriesOf(curves.progress, ['missing'])).toEqual([]);
  });
});
