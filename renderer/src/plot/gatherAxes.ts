/**
 * Physical receiver axes of a shot gather from its receivers' positions (offsets or coordinates),
 * and the traces that carry no signal. Pure: no DOM.
 */
import type { AxisScale } from './axes.ts';

/** Relative misfit (of the step) a position may have and still lie on an evenly spaced axis. */
const EVEN_TOLERANCE = 0.01;

/**
 * A linear axis value(i) = origin + i · step through per-receiver positions (null for padding),
 * or null when fewer than two are known, they do not change, or they are not evenly spaced.
 */
export function evenAxis(positions: readonly (number | null)[], label: string): AxisScale | null {
  const known = positions.flatMap((v, i) => (v === null || !Number.isFinite(v) ? [] : [i]));
  if (known.length < 2) return null;
  const first = known[0];
  const last = known[known.length - 1];
  const step = (positions[last]! - positions[first]!) / (last - first);
  if (!(Math.abs(step) > 0)) return null;
  const origin = positions[first]! - first * step;
  for (const i of known) if (Math.abs(positions[i]! - (origin + i * step)) > EVEN_TOLERANCE * Math.abs(step)) return null;
  return { label, step, origin };
}

/** Recorded receivers (not in `padded`) whose samples are all zero: dead traces. */
export function deadReceivers(gather: Float32Array, nTime: number, nReceivers: number, padded: ReadonlySet<number>): number[] {
  const dead: number[] = [];
  for (let r = 0; r < nReceivers; r++) {
    if (padded.has(r)) continue;
    let live = false;
    for (let t = 0; t < nTime && !live; t++) live = gather[t * nReceivers + r] !== 0;
    if (!live) dead.push(r);
  }
  return dead;
}
