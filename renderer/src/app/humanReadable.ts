/** Human-readable durations, rates, sizes and shapes for the UI. */

/** 42 s, 3 min 05 s, 2 h 07 min; "—" for null or non-finite. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(s / 3600);
  if (h < 48) return `${h} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** A progress quantity with its unit: "12 samples", "1.5 GiB" for byte counts. */
export function formatQuantity(value: number, unit: string | undefined): string {
  if (unit === 'bytes' || unit === 'B') return formatBytes(value);
  return `${formatNumber(value)}${unit ? ` ${unit}` : ''}`;
}

/** "12.5 samples/s", "3.00 epochs/min" for slow work, "133 MiB/s" for bytes. */
export function formatRate(perSecond: number | null, unit: string | undefined): string {
  if (perSecond === null || !Number.isFinite(perSecond) || perSecond < 0) return '—';
  if (unit === 'bytes' || unit === 'B') return `${formatBytes(perSecond)}/s`;
  const label = unit ? ` ${unit}` : '';
  if (perSecond > 0 && perSecond < 0.1) return `${formatNumber(perSecond * 60)}${label}/min`;
  return `${formatNumber(perSecond)}${label}/s`;
}

/** Three significant digits without exponent for everyday magnitudes. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs === 0) return '0';
  if (abs >= 1000 || Number.isInteger(value)) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 0.01) return value.toFixed(2);
  return value.toExponential(2);
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** "5 × 1000 × 70"; "—" when unknown. */
export function formatShape(shape: readonly number[] | null | undefined): string {
  return shape && shape.length > 0 ? shape.join(' × ') : '—';
}

/** Fraction 0..1 of a progress report; null when the total is unknown (indeterminate bar). */
export function progressFraction(progress: { done: number; total: number }): number | null {
  if (!(progress.total > 0)) return null;
  return Math.min(1, Math.max(0, progress.done / progress.total));
}

/** A timestamp as local date and time, e.g. "2026-11-23 14:39". */
export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** "1 sample", "2 samples", "1,000 parts": a count with its noun, plural unless it is one. */
export function formatCount(count: number, singular: string, plural = `${singular}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? singular : plural}`;
}

/** What a job's times say, by how it ended: "finished …", "interrupted …", "failed …". */
const endedWord: Record<string, string> = {
  done: 'finished',
  failed: 'failed',
  cancelled: 'cancelled',
  interrupted: 'interrupted',
  discarded: 'discarded',
};

/**
 * The times of a job for its card: "created …", then when its last run started (while it runs) or
 * how and when it stopped, and for a finished job how long it ran over all its runs.
 */
export function describeJobTimes(job: {
  status: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  runSeconds: number;
}): string {
  const parts = [`created ${formatTimestamp(job.createdAt)}`];
  const ended = endedWord[job.status];
  if (ended && job.finishedAt) parts.push(`${ended} ${formatTimestamp(job.finishedAt)}`);
  else if (job.status === 'running' && job.startedAt) parts.push(`started ${formatTimestamp(job.startedAt)}`);
  if (job.status === 'done') parts.push(`took ${formatDuration(job.runSeconds)}`);
  // Under a second (a job refused at once) says nothing worth a word.
  else if (job.runSeconds >= 1 && job.status !== 'running' && job.status !== 'queued') parts.push(`ran ${formatDuration(job.runSeconds)}`);
  return parts.join(' · ');
}
