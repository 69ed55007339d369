import type { Progress } from '../core/util/progress.ts';
import type { CliIo } from './command.ts';

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mmss = `${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

/**
 * A terminal progress bar on stderr with rate and ETA. On a non-terminal it prints a plain line
 * at most every 5 s, so logs of headless runs still show progress without control characters.
 * Rate and ETA count from the first report: a resumed job's first report already holds the work
 * done before the interruption, which took none of this run's time.
 */
export class ProgressBar {
  private readonly io: CliIo;
  private readonly label: string;
  private readonly now: () => number;
  private first: { at: number; done: number } | null = null;
  private lastDraw = -Infinity;
  private lastLength = 0;

  constructor(io: CliIo, label: string, now: () => number = Date.now) {
    this.io = io;
    this.label = label;
    this.now = now;
  }

  update = (progress: Progress): void => {
    const now = this.now();
    this.first ??= { at: now, done: progress.done };
    const finished = progress.total > 0 && progress.done >= progress.total;
    const interval = this.io.interactive ? 100 : 5000;
    if (!finished && now - this.lastDraw < interval) return;
    this.lastDraw = now;
    const elapsed = (now - this.first.at) / 1000;
    const fraction = progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0;
    const rate = elapsed > 0 ? (progress.done - this.first.done) / elapsed : 0;
    const eta = rate > 0 && progress.total > 0 ? Math.max(0, progress.total - progress.done) / rate : NaN;
    const bytes = progress.unit === 'bytes';
    const unit = bytes ? 'MB' : (progress.unit ?? '');
    const scale = bytes ? 1e-6 : 1;
    const amount = (n: number): string => (bytes ? (n * scale).toFixed(1) : String(Math.round(n)));
    const counts = progress.total > 0 ? `${amount(progress.done)}/${amount(progress.total)} ${unit}` : `${amount(progress.done)} ${unit}`;
    const scaledRate = rate * scale;
    const rateText = `${scaledRate >= 100 ? scaledRate.toFixed(0) : scaledRate.toFixed(2)} ${unit}/s`;
    const message = progress.message ? ` ${progress.message}` : '';
    if (this.io.interactive) {
      const width = 28;
      const filled = Math.round(fraction * width);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
      const line = `${this.label} ${bar} ${(fraction * 100).toFixed(1)}% ${counts} ${rateText} ETA ${formatSeconds(eta)}${message}`;
      this.io.stderr.write(`\r${line.padEnd(this.lastLength)}`);
      this.lastLength = line.length;
    } else {
      this.io.stderr.write(`${this.label}: ${(fraction * 100).toFixed(1)}% ${counts} ${rateText} ETA ${formatSeconds(eta)}${message}\n`);
    }
  };

  finish(summary?: string): void {
    if (this.io.interactive && this.lastLength > 0) this.io.stderr.write('\n');
    if (summary) this.io.stderr.write(`${this.label}: ${summary}\n`);
  }
}
