/**
 * What resampling a SEG-Y file onto a training grid did, in numbers and in words: source and
 * target sample intervals, record lengths, traces per gather and receiver spacings, which gathers
 * were picked, and warnings where the grid invents data (more receivers than recorded traces) or
 * changes the physical time span (zeros appended, or the record cut).
 */
import path from 'node:path';
import type { TraceGeometry } from '../io/segy/fields.ts';

export interface ResamplingTarget {
  sources: number;
  timeSamples: number;
  receivers: number;
  sampleIntervalMs?: number;
}

interface TimeAxis {
  sampleIntervalMs: number;
  samples: number;
  /** samples × interval. */
  recordLengthMs: number;
}

interface SpacingRange {
  min: number;
  max: number;
}

export interface ResamplingReport {
  file: string;
  gathers: { from: number; to: number; key: string; keyValues: number[] };
  time: { from: TimeAxis; to: TimeAxis };
  receivers: {
    /** Traces per picked gather in the file. */
    from: { min: number; max: number };
    to: number;
    /** Receiver spacing in metres over the picked gathers, before and after; null where the headers do not give it. */
    spacingM: { from: SpacingRange | null; to: SpacingRange | null; source: 'GroupX/GroupY' | 'offset' | null };
  };
  summary: string;
  warnings: string[];
}

export interface ResampledGatherFacts {
  keyValue: number;
  /** Traces of the gather in the file. */
  traces: number;
  /** Their coordinates (scalars applied) and offsets, in receiver order. */
  geometry: TraceGeometry[];
  offsets: Float64Array;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The typical distance between neighbouring traces of a gather: the median non-zero distance
 * between consecutive group coordinates (GroupX/GroupY with the scalar applied), else between
 * consecutive |offset|s; null when neither varies (e.g. a stack, or headers left at zero).
 */
export function receiverSpacing(geometry: TraceGeometry[], offsets: Float64Array): { metres: number; source: 'GroupX/GroupY' | 'offset' } | null {
  const fromGroups: number[] = [];
  for (let i = 1; i < geometry.length; i += 1) {
    const d = Math.hypot(geometry[i].groupX - geometry[i - 1].groupX, geometry[i].groupY - geometry[i - 1].groupY);
    if (d > 0) fromGroups.push(d);
  }
  if (fromGroups.length > 0) return { metres: median(fromGroups), source: 'GroupX/GroupY' };
  const fromOffsets: number[] = [];
  for (let i = 1; i < offsets.length; i += 1) {
    const d = Math.abs(Math.abs(offsets[i]) - Math.abs(offsets[i - 1]));
    if (d > 0) fromOffsets.push(d);
  }
  return fromOffsets.length > 0 ? { metres: median(fromOffsets), source: 'offset' } : null;
}

const round = (value: number, digits = 4): number => Number(value.toPrecision(digits));
const ms = (value: number): string => `${round(value, 6)} ms`;
const rangeText = (r: SpacingRange): string => (round(r.min) === round(r.max) ? `${round(r.min)} m` : `${round(r.min)}–${round(r.max)} m`);

/**
 * Describes one file's resampling from its own sampling (`fileIntervalUs`, `fileSamples`), the
 * picked gathers as the file holds them, and the grid they were resampled to (`outIntervalUs`).
 */
export function describeResampling(input: {
  file: string;
  key: string;
  totalGathers: number;
  gathers: ResampledGatherFacts[];
  fileIntervalUs: number;
  fileSamples: number;
  outIntervalUs: number;
  target: ResamplingTarget;
}): ResamplingReport {
  const { target, gathers } = input;
  const name = path.basename(input.file);
  const from: TimeAxis = { sampleIntervalMs: input.fileIntervalUs / 1000, samples: input.fileSamples, recordLengthMs: (input.fileIntervalUs * input.fileSamples) / 1000 };
  const to: TimeAxis = { sampleIntervalMs: input.outIntervalUs / 1000, samples: target.timeSamples, recordLengthMs: (input.outIntervalUs * target.timeSamples) / 1000 };
  const traces = gathers.map((g) => g.traces);
  const tracesRange = { min: Math.min(...traces), max: Math.max(...traces) };

  // Receivers are resampled with first and last aligned: spacing × (traces − 1) / (receivers − 1).
  const spacings = gathers.map((g) => ({ gather: g, spacing: receiverSpacing(g.geometry, g.offsets) }));
  const known = spacings.filter((s) => s.spacing !== null);
  const spacingFrom = known.length ? { min: Math.min(...known.map((s) => s.spacing!.metres)), max: Math.max(...known.map((s) => s.spacing!.metres)) } : null;
  const stretched = known.map((s) => (s.spacing!.metres * (s.gather.traces - 1)) / Math.max(1, target.receivers - 1));
  const spacingTo = known.length ? { min: Math.min(...stretched), max: Math.max(...stretched) } : null;
  const spacingSource = known.length ? known[0].spacing!.source : null;

  const keyValues = gathers.map((g) => g.keyValue);
  const spacingText = spacingFrom && spacingTo
    ? `spacing ${rangeText(spacingFrom)} → ${rangeText(spacingTo)} (from ${spacingSource})`
    : 'spacing unknown: GroupX/GroupY and offset do not vary in the headers';
  const summary =
    `${name}: time ${ms(from.sampleIntervalMs)} × ${from.samples} = ${ms(from.recordLengthMs)} → ${ms(to.sampleIntervalMs)} × ${to.samples} = ${ms(to.recordLengthMs)}; ` +
    `receivers ${tracesRange.min === tracesRange.max ? tracesRange.min : `${tracesRange.min}–${tracesRange.max}`} → ${target.receivers} per gather (${spacingText}); ` +
    `gathers ${gathers.length} of ${input.totalGathers} (${input.key} ${keyValues.slice(0, 12).join(', ')}${keyValues.length > 12 ? ', …' : ''}).`;

  const warnings: string[] = [];
  const upsampled = gathers.filter((g) => g.traces < target.receivers);
  if (upsampled.length > 0) {
    const fewest = Math.min(...upsampled.map((g) => g.traces));
    const most = Math.max(...upsampled.map((g) => g.traces));
    warnings.push(
      `${name}: ${upsampled.length} of ${gathers.length} picked gathers hold ${fewest === most ? fewest : `${fewest}–${most}`} trace${most === 1 ? '' : 's'}, fewer than the grid's ${target.receivers} receivers, so they were interpolated to ${target.receivers} receivers ` +
        `(${round(target.receivers / fewest, 3)}× as many, ${spacingText}): linear interpolation between neighbouring traces makes up traces that were never recorded.` +
        (tracesRange.min >= 2 ? ` Choose at most ${tracesRange.min} receivers to keep only recorded traces.` : ''),
    );
  }
  // More than half an output sample apart: the grid holds a different stretch of time than the file.
  const spanChange = to.recordLengthMs - from.recordLengthMs;
  if (Math.abs(spanChange) > to.sampleIntervalMs / 2) {
    warnings.push(
      spanChange > 0
        ? `${name}: the file records ${ms(from.recordLengthMs)} but the grid spans ${ms(to.recordLengthMs)} (${to.samples} × ${ms(to.sampleIntervalMs)}): the last ${ms(spanChange)} of every trace are zeros, not data. ` +
            `Leave the interval empty to keep the record length (${ms(from.recordLengthMs / to.samples)} per sample), or choose ${Math.floor(from.recordLengthMs / to.sampleIntervalMs)} time samples.`
        : `${name}: the file records ${ms(from.recordLengthMs)} but the grid spans only ${ms(to.recordLengthMs)} (${to.samples} × ${ms(to.sampleIntervalMs)}): the last ${ms(-spanChange)} of every trace were dropped. ` +
            `Leave the interval empty to keep the whole record, or choose ${Math.ceil(from.recordLengthMs / to.sampleIntervalMs)} time samples.`,
    );
  }
  return {
    file: input.file,
    gathers: { from: input.totalGathers, to: gathers.length, key: input.key, keyValues },
    time: { from, to },
    receivers: { from: tracesRange, to: target.receivers, spacingM: { from: spacingFrom, to: spacingTo, source: spacingSource } },
    summary,
    warnings,
  };
}
