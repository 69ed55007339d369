import { describe, expect, it } from 'vitest';
import type { TrainingEvent } from '../../../main/core/contract/contract.ts';
import { addTrainingEvents, chartUnit, emptyCurves, inChartUnit, keysOfRuns, lossKeys, metricKeys, panelSeries, seriesOf } from './trainingSeries.ts';

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

describe('panelSeries', () => {
  nextId = 100;
  const curvesA = addTrainingEvents(emptyCurves, [
    event('metrics', { step: 10, velocity_mae: 0.1, seismic_relative_l2: 45 }),
    event('metrics', { step: 20, velocity_mae: 0.05, seismic_relative_l2: 30 }),
  ]);
  const curvesB = addTrainingEvents(emptyCurves, [event('metrics', { step: 10, velocity_mae: 0.2 })]);
  const runs = [
    { jobId: 1, title: 'run A', colour: '#111', curves: curvesA },
    { jobId: 2, title: 'run B', colour: '#222', curves: curvesB },
  ];

  it('charts velocity errors in m/s (1500 m/s per unit of [−1, 1]) and other metrics as reported', () => {
    expect(chartUnit('velocity_mae')).toBe('m/s');
    expect(inChartUnit('velocity_rmse', 0.1)).toBeCloseTo(150, 9);
    expect(inChartUnit('seismic_relative_l2', 45)).toBe(45);
    const [a, b] = panelSeries(runs, 'metrics', 'velocity_mae', 0);
    expect(a.points.map((p) => p.y)).toEqual([expect.closeTo(150, 9), expect.closeTo(75, 9)]);
    expect(b).toMatchObject({ label: 'run B', colour: '#222' });
  });

  it('puts each run in the panel once smoothed, with its raw curve faded behind it', () => {
    const series = panelSeries(runs, 'metrics', 'seismic_relative_l2', 0.5);
    expect(series.map((s) => [s.key, Boolean(s.faded)])).toEqual([
      ['1-raw', true],
      ['1', false],
    ]);
    expect(series[0].points.map((p) => p.y)).toEqual([45, 30]);
    expect(series[1].points[1].y).toBeCloseTo((0.5 * 0.5 * 45 + 0.5 * 30) / (1 - 0.25), 9);
    expect(keysOfRuns(runs, metricKeys)).toEqual(['velocity_mae', 'seismic_relative_l2']);
  });
});
