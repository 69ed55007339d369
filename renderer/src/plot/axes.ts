/**
 * Physical axes for cell-indexed rasters: cell i covers [i, i+1) in data coordinates and its centre
 * (i + 0.5) sits at origin + i·step in physical units (a time sample at i·dt, a grid node at i·dx).
 */
import { niceStep, niceTicks } from './ticks.ts';

export interface AxisScale {
  label: string;
  /** Physical units per cell (ms per sample, metres per grid cell, 1 for indices). */
  step: number;
  /** Physical value at the centre of cell 0. */
  origin: number;
}

export function cellToValue(axis: AxisScale, coordinate: number): number {
  return axis.origin + (coordinate - 0.5) * axis.step;
}

export function valueToCell(axis: AxisScale, value: number): number {
  return (value - axis.origin) / axis.step + 0.5;
}

/** Tick values and their data coordinates for the visible span [c0, c1] of an axis. */
export function axisTicks(axis: AxisScale, c0: number, c1: number, maxTicks: number): { value: number; coordinate: number; step: number }[] {
  const v0 = cellToValue(axis, c0);
  const v1 = cellToValue(axis, c1);
  let values = niceTicks(v0, v1, maxTicks);
  let step = niceStep(Math.abs(v1 - v0), maxTicks);
  // Index axes never show fractional ticks.
  if (axis.step === 1 && axis.origin === 0 && step < 1) {
    step = 1;
    values = values.filter((v) => Number.isInteger(v));
  }
  return values.map((value) => ({ value, coordinate: valueToCell(axis, value), step }));
}
