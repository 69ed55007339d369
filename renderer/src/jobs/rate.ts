/**
 * Progress rate of running jobs, measured in the renderer from successive `job.updated` events
 * (the contract carries progress and an ETA, not a rate).
 */

export interface ProgressSample {
  atMs: number;
  done: number;
}

/** Samples older than this (relative to the newest) are dropped: the rate follows recent speed. */
export const RATE_WINDOW_MS = 10_000;
/** Below this span the rate is too noisy to show. */
export const RATE_MIN_SPAN_MS = 500;

/** Appends a sample, dropping old ones and restarting when progress went backwards (a resumed or new run). */
export function addSample(samples: readonly ProgressSample[], sample: ProgressSample): ProgressSample[] {
  const last = samples.at(-1);
  if (last && (sample.done < last.done || sample.atMs < last.atMs)) return [sample];
  if (last && sample.done === last.done && samples.length > 1 && sample.atMs - last.atMs < RATE_MIN_SPAN_MS) return samples.slice();
  const kept = samples.filter((s) => sample.atMs - s.atMs <= RATE_WINDOW_MS);
  kept.push(sample);
  return kept;
}

/** Units per second over the window, or null when there is not enough history. */
export function ratePerSecond(samples: readonly ProgressSample[]): number | null {
  if (samples.length < 2) return null;
  const first = samples[0];
  const last = samples[samples.length - 1];
  const spanMs = last.atMs - first.atMs;
  if (spanMs < RATE_MIN_SPAN_MS) return null;
  return ((last.done - first.done) * 1000) / spanMs;
}
