/**
 * A training job's JSON-lines messages (`train.events`, native-models/README.md "Protocol") folded
 * into chart series: losses, learning rate and throughput from `progress`, held-out metrics from
 * `metrics`, and the kept `preview` messages. Events are added incrementally (fetched with afterId).
 */
import type { TrainingEvent } from '../../../main/core/contract/contract.ts';
import { normalisedErrorToMps } from '../../../main/core/contract/velocityRange.ts';
import type { ChartSeries } from '../plot/lineChart.ts';
import { emaSmooth } from '../plot/smoothing.ts';

export interface PreviewEntry {
  step: number;
  /** Preview name (seismic_target, velocity_prediction, …) → absolute path of its float32 .npy. */
  files: Record<string, string>;
}

export interface TrainingCurves {
  /** Id of the newest event folded in: the next fetch asks for afterId = lastId. */
  lastId: number;
  start: Record<string, unknown> | null;
  /** The final message, when there is one: done, stopped or error. */
  end: { type: string; payload: Record<string, unknown> } | null;
  progress: { step: number; values: Record<string, number | null> }[];
  metrics: { step: number; values: Record<string, number | null> }[];
  previews: PreviewEntry[];
  latestStep: number;
  totalSteps: number | null;
}

export const emptyCurves: TrainingCurves = { lastId: 0, start: null, end: null, progress: [], metrics: [], previews: [], latestStep: 0, totalSteps: null };

/** Keys of a `progress` message that are not per-step values. */
const PROGRESS_META = new Set(['type', 'step', 'total_steps']);
/** Keys of a `metrics` message that are not metrics. */
const METRICS_META = new Set(['type', 'step', 'split', 'samples', 'samples_seen', 'denoise_timestep']);

/** The numeric (or null: non-finite) top-level values of a message, without its meta keys. */
function numericValues(payload: Record<string, unknown>, meta: Set<string>): Record<string, number | null> {
  const values: Record<string, number | null> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (meta.has(key)) continue;
    if (typeof value === 'number') values[key] = Number.isFinite(value) ? value : null;
    else if (value === null) values[key] = null;
  }
  return values;
}

/** Folds new events (ids above `curves.lastId`, in id order) into the curves; returns a new object. */
export function addTrainingEvents(curves: TrainingCurves, events: readonly TrainingEvent[]): TrainingCurves {
  const fresh = events.filter((e) => e.id > curves.lastId).sort((a, b) => a.id - b.id);
  if (fresh.length === 0) return curves;
  const next: TrainingCurves = {
    ...curves,
    progress: curves.progress.slice(),
    metrics: curves.metrics.slice(),
    previews: curves.previews.slice(),
  };
  for (const event of fresh) {
    const payload = event.payload;
    const step = typeof payload.step === 'number' ? payload.step : event.step;
    next.lastId = event.id;
    switch (event.type) {
      case 'start':
        next.start = payload;
        // A resumed run starts again from its checkpoint: later steps of the stopped run are replaced.
        dropFrom(next, step);
        next.end = null;
        if (typeof payload.total_steps === 'number') next.totalSteps = payload.total_steps;
        break;
      case 'progress':
        upsertByStep(next.progress, { step, values: numericValues(payload, PROGRESS_META) });
        if (typeof payload.total_steps === 'number') next.totalSteps = payload.total_steps;
        break;
      case 'metrics':
        upsertByStep(next.metrics, { step, values: numericValues(payload, METRICS_META) });
        break;
      case 'preview': {
        const files: Record<string, string> = {};
        if (payload.files && typeof payload.files === 'object') {
          for (const [name, file] of Object.entries(payload.files as Record<string, unknown>)) if (typeof file === 'string') files[name] = file;
        }
        upsertByStep(next.previews, { step, files });
        break;
      }
      case 'done':
      case 'stopped':
      case 'error':
        next.end = { type: event.type, payload };
        break;
    }
    if (step > next.latestStep || event.type === 'start') next.latestStep = step;
  }
  return next;
}

function upsertByStep<T extends { step: number }>(list: T[], entry: T): void {
  let i = list.length;
  while (i > 0 && list[i - 1].step > entry.step) i--;
  if (i > 0 && list[i - 1].step === entry.step) list[i - 1] = entry;
  else list.splice(i, 0, entry);
}

function dropFrom(curves: TrainingCurves, step: number): void {
  curves.progress = curves.progress.filter((p) => p.step <= step);
  curves.metrics = curves.metrics.filter((p) => p.step <= step);
}

/** Series of `keys` (in that order, only those present) over the entries' steps. */
export function seriesOf(entries: readonly { step: number; values: Record<string, number | null> }[], keys: readonly string[], labels: Record<string, string> = {}): ChartSeries[] {
  return keys
    .filter((key) => entries.some((e) => key in e.values))
    .map((key) => ({
      key,
      label: labels[key] ?? key,
      points: entries.filter((e) => key in e.values).map((e) => ({ x: e.step, y: e.values[key] })),
    }));
}

/** The loss terms present in progress messages: `loss` first, then the per-term ones in first-seen order. */
export function lossKeys(curves: TrainingCurves): string[] {
  const keys = new Set<string>();
  for (const p of curves.progress) for (const key of Object.keys(p.values)) if (key === 'loss' || key.startsWith('loss_')) keys.add(key);
  return [...keys].sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : 0));
}

/** The held-out metric names present, velocity ones first. */
export function metricKeys(curves: TrainingCurves): string[] {
  const keys = new Set<string>();
  for (const m of curves.metrics) for (const key of Object.keys(m.values)) keys.add(key);
  const order = ['velocity_mae', 'velocity_rmse', 'velocity_ssim', 'seismic_relative_l2', 'seismic_relative_l2_amplitude', 'eps_mse'];
  return [...keys].sort((a, b) => rank(order, a) - rank(order, b));
}

function rank(order: string[], key: string): number {
  const i = order.indexOf(key);
  return i < 0 ? order.length : i;
}

/** Human labels for the trainer's keys. */
export const trainingLabels: Record<string, string> = {
  loss: 'total',
  loss_seismic_l1: 'seismic L1',
  loss_velocity_l1: 'velocity L1',
  loss_vq: 'VQ',
  loss_eps_mse: 'ε MSE',
  loss_adversarial: 'adversarial',
  loss_discriminator: 'discriminator',
  lr: 'learning rate',
  samples_per_s: 'samples/s',
  velocity_mae: 'velocity MAE',
  velocity_rmse: 'velocity RMSE',
  velocity_ssim: 'velocity SSIM',
  seismic_relative_l2: 'seismic rel. L2',
  seismic_relative_l2_amplitude: 'seismic rel. L2 (amplitude)',
  eps_mse: 'ε MSE',
};

/** Velocity errors the trainer reports on OpenFWI's [−1, 1] scale; charts show them in m/s. */
const VELOCITY_ERROR_KEYS = new Set(['velocity_mae', 'velocity_rmse']);

/** The unit a key is charted in when its label does not say it ('' for ratios, losses, samples/s). */
export function chartUnit(key: string): string {
  return VELOCITY_ERROR_KEYS.has(key) ? 'm/s' : '';
}

/** A reported value in its chart unit: velocity errors × 1500 m/s per normalised unit. */
export function inChartUnit(key: string, value: number | null): number | null {
  if (value === null || !VELOCITY_ERROR_KEYS.has(key)) return value;
  return normalisedErrorToMps(value);
}

/** One run's curves in a comparison, with the colour it keeps in every panel. */
export interface RunCurves {
  jobId: number;
  title: string;
  colour: string;
  curves: TrainingCurves;
}

/**
 * One panel's series: `key` of every run that reported it, in chart units, smoothed with the
 * TensorBoard EMA `smoothing` (the raw values faded behind it when smoothing is on).
 */
export function panelSeries(runs: readonly RunCurves[], source: 'progress' | 'metrics', key: string, smoothing: number): ChartSeries[] {
  const out: ChartSeries[] = [];
  for (const run of runs) {
    const entries = run.curves[source].filter((e) => key in e.values);
    if (entries.length === 0) continue;
    const points = entries.map((e) => ({ x: e.step, y: inChartUnit(key, e.values[key]) }));
    const label = runs.length > 1 ? run.title : (trainingLabels[key] ?? key);
    if (smoothing > 0) out.push({ key: `${run.jobId}-raw`, label, points, colour: run.colour, faded: true });
    out.push({ key: String(run.jobId), label, points: smoothing > 0 ? emaSmooth(points, smoothing) : points, colour: run.colour });
  }
  return out;
}

/** Every key the runs reported in `source`, in the order `order` gives (losses: total first; metrics: velocity first). */
export function keysOfRuns(runs: readonly RunCurves[], pick: (curves: TrainingCurves) => string[]): string[] {
  const keys: string[] = [];
  for (const run of runs) for (const key of pick(run.curves)) if (!keys.includes(key)) keys.push(key);
  return keys;
}
