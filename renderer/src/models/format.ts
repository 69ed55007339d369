/** Model cards and sample metrics as the Models, Generate and Gallery views write them. */
import { formatDuration } from '../app/humanReadable.ts';

/** 2_800_000 → "2.80 M", 412_000 → "412 k"; "—" when unknown. */
export function formatParameters(count: number | null | undefined): string {
  if (typeof count !== 'number' || !Number.isFinite(count)) return '—';
  if (count >= 1e6) return `${(count / 1e6).toPrecision(3)} M`;
  if (count >= 1e3) return `${(count / 1e3).toPrecision(3)} k`;
  return String(count);
}

/** A metric with four significant digits ("0.1234", "1.234e-5"); "—" for null, undefined or non-finite. */
export function formatMetric(value: unknown, digits = 4): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  if (value !== 0 && Math.abs(value) < 1e-3) return value.toExponential(digits - 1);
  return value.toPrecision(digits).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

export interface TrainingSummary {
  data: string;
  steps: string;
  time: string;
  device: string;
}

/** The training record of a model's manifest (native-models/README.md "manifest.json") in words. */
export function trainingSummary(training: Record<string, unknown> | null): TrainingSummary {
  if (!training) return { data: '—', steps: '—', time: '—', device: '—' };
  const data = (training.data ?? null) as Record<string, unknown> | null;
  const name = data && typeof data.name === 'string' ? data.name : null;
  const n = data && typeof data.N === 'number' ? data.N : null;
  return {
    data: name ? `${name}${n !== null ? ` (${n.toLocaleString('en-US')})` : ''}` : n !== null ? `${n.toLocaleString('en-US')} samples` : '—',
    steps: typeof training.steps === 'number' ? training.steps.toLocaleString('en-US') : '—',
    time: typeof training.training_time_s === 'number' ? formatDuration(training.training_time_s) : '—',
    device: typeof training.device === 'string' ? training.device : '—',
  };
}
