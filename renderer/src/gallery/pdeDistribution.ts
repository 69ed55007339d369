/**
 * The distribution of generated samples' PDE deviation (pde_rel_l2), from a few rows of the sorted
 * gallery: its quantiles for the "Challenging samples" dialog, and a threshold to suggest when the
 * one typed admits no sample. Pure: the caller fetches the value at each offset.
 */
import { formatNumber } from '../app/humanReadable.ts';

export const PDE_QUANTILES = [0.1, 0.25, 0.5, 0.75, 0.9] as const;

export interface PdeDistribution {
  /** Samples with a PDE deviation (generated with the physics check). */
  total: number;
  quantiles: { q: number; value: number }[];
  /** The K-th smallest deviation: the least threshold that admits K samples; null when there are fewer. */
  kth: number | null;
}

/** Offset (0-based, ascending order) of quantile q among `total` sorted values. */
export function quantileOffset(total: number, q: number): number {
  return Math.min(total - 1, Math.max(0, Math.ceil(q * total) - 1));
}

/** The offsets whose values `summarise` needs, without repeats. */
export function distributionOffsets(total: number, k: number): number[] {
  if (total <= 0) return [];
  const offsets = PDE_QUANTILES.map((q) => quantileOffset(total, q));
  if (k <= total) offsets.push(k - 1);
  return [...new Set(offsets)].sort((a, b) => a - b);
}

export function summarise(total: number, k: number, valueAt: (offset: number) => number): PdeDistribution {
  return {
    total,
    quantiles: total > 0 ? PDE_QUANTILES.map((q) => ({ q, value: valueAt(quantileOffset(total, q)) })) : [],
    kth: total > 0 && k <= total ? valueAt(k - 1) : null,
  };
}

/** x rounded up to two significant digits (0.01234 → 0.013), so the suggestion admits what it promises. */
export function ceilSignificant(x: number, digits = 2): number {
  if (!(x > 0) || !Number.isFinite(x)) return x;
  const scale = 10 ** (Math.floor(Math.log10(x)) - digits + 1);
  return Number((Math.ceil(x / scale - 1e-9) * scale).toPrecision(digits));
}

/**
 * A threshold to suggest: at least the K-th smallest deviation (so K samples qualify) and at least
 * the median (so the K hardest are chosen among half the samples, not the only K there are).
 */
export function suggestedThreshold(d: PdeDistribution): number | null {
  if (d.total === 0) return null;
  const median = d.quantiles.find((x) => x.q === 0.5)!.value;
  return ceilSignificant(Math.max(median, d.kth ?? d.quantiles[d.quantiles.length - 1].value));
}

/** "PDE deviation of 240 samples: 10 % ≤ 0.21, 25 % ≤ 0.35, median 0.52, 75 % ≤ 0.80, 90 % ≤ 0.95." */
export function describeDistribution(d: PdeDistribution): string {
  if (d.total === 0) return 'No sample here has a PDE deviation: they were generated without the physics check.';
  const parts = d.quantiles.map(({ q, value }) => (q === 0.5 ? `median ${formatNumber(value)}` : `${Math.round(q * 100)} % ≤ ${formatNumber(value)}`));
  return `PDE deviation of ${d.total.toLocaleString('en-US')} sample${d.total === 1 ? '' : 's'}: ${parts.join(', ')}.`;
}

/** Why a threshold admitted no sample, and what to try. */
export function nothingBelowMessage(threshold: number, d: PdeDistribution | null): string {
  if (!d) return `No sample has a PDE deviation ≤ ${formatNumber(threshold)}; nothing was tagged.`;
  if (d.total === 0) return describeDistribution(d);
  const lowest = d.quantiles[0]?.value;
  const suggestion = suggestedThreshold(d);
  return (
    `No sample has a PDE deviation ≤ ${formatNumber(threshold)}, so nothing was tagged` +
    `${lowest !== undefined ? ` (10 % of the samples are at or below ${formatNumber(lowest)})` : ''}.` +
    (suggestion !== null ? ` Try ${formatNumber(suggestion)}.` : '')
  );
}
