/**
 * The editor of the project's acquisition geometry (Settings): reads the contract's geometry,
 * describes it in words, and turns the editor's form back into a geometry for
 * `project.setGeometry`, which the studio checks again. Positions are grid cells: x = column,
 * z = row (depth), from 0. Pure: no DOM.
 */
import {
  acquisitionGeometrySchema,
  pmlWidthCellsSchema,
  sampleIntervalMs,
  spongeWidthCellsSchema,
  type AcquisitionGeometry,
  type BoundarySpec,
  type GridCell,
} from '../../../main/core/contract/acquisitionGeometry.ts';

export type { AcquisitionGeometry, GridCell };

/** Reads a `project.geometry` answer; throws naming the fields it could not read. */
export function readGeometry(payload: unknown): AcquisitionGeometry {
  const parsed = acquisitionGeometrySchema.safeParse(payload);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.map(String).join('.') || '(geometry)').join(', ');
    throw new Error(`The studio's acquisition geometry cannot be read here (fields: ${fields}).`);
  }
  return parsed.data;
}

/** Receivers as an arithmetic range at one depth, when they are one; null for an irregular list. */
export function receiverRange(cells: readonly GridCell[]): { fromX: number; toX: number; stepX: number; z: number } | null {
  if (cells.length === 0) return null;
  const z0 = cells[0].z;
  const step = cells.length > 1 ? cells[1].x - cells[0].x : 1;
  if (step <= 0) return null;
  for (let i = 0; i < cells.length; i++) {
    if (cells[i].z !== z0 || cells[i].x !== cells[0].x + i * step) return null;
  }
  return { fromX: cells[0].x, toX: cells[cells.length - 1].x, stepX: step, z: z0 };
}

const fmt = (v: number) => String(Number(v.toPrecision(6)));

/** One line per property, in words, for the read-only view. */
export function describeGeometry(g: AcquisitionGeometry): { label: string; value: string }[] {
  const dx = g.spacingMeters;
  const dtMs = g.timeStepSeconds * 1000;
  const sourceDepths = [...new Set(g.sources.map((s) => s.z))];
  const range = receiverRange(g.receivers);
  const recorded = Math.ceil(g.steps / g.recordEverySteps);
  return [
    { label: 'Grid spacing', value: `${fmt(dx)} m (x and z)` },
    { label: 'Time step', value: `${fmt(dtMs)} ms` },
    { label: 'Steps', value: `${g.steps} (${fmt(g.steps * dtMs)} ms modelled)` },
    { label: 'Recorded', value: `every ${g.recordEverySteps} step${g.recordEverySteps === 1 ? '' : 's'}: ${recorded} samples at ${fmt(sampleIntervalMs(g))} ms` },
    {
      label: 'Wavelet',
      value: `${g.wavelet.kind === 'ricker' ? 'Ricker' : g.wavelet.kind}, ${fmt(g.wavelet.peakFrequencyHz)} Hz peak at ${fmt(g.wavelet.delaySeconds * 1000)} ms${g.wavelet.lengthSteps ? `, ${g.wavelet.lengthSteps} samples` : ''}`,
    },
    {
      label: 'Sources',
      value: `${g.sources.length} at x = ${g.sources.map((s) => fmt(s.x * dx)).join(', ')} m, ${sourceDepths.length === 1 ? `depth ${fmt(sourceDepths[0] * dx)} m (row ${sourceDepths[0]})` : 'various depths'}`,
    },
    {
      label: 'Receivers',
      value: range
        ? `${g.receivers.length} from x = ${fmt(range.fromX * dx)} to ${fmt(range.toX * dx)} m every ${fmt(range.stepX * dx)} m, depth ${fmt(range.z * dx)} m (row ${range.z})`
        : `${g.receivers.length} at listed cells`,
    },
    {
      label: 'Boundary',
      value: g.boundary.kind === 'openfwi-sponge' ? "OpenFWI's damping sponge (120 cells)" : g.boundary.kind === 'sponge' ? `Damping sponge, ${g.boundary.widthCells} cells` : `Perfectly matched layer, ${g.boundary.widthCells} cells`,
    },
    { label: 'Top surface', value: g.topSurface === 'free' ? 'Free surface (p = 0)' : 'Absorbing' },
  ];
}

const boundaryWidthSchema = { sponge: spongeWidthCellsSchema, pml: pmlWidthCellsSchema };
/** The width a boundary kind starts with when chosen in the editor. */
export const defaultBoundaryCells = { sponge: 40, pml: 20 };

/** The editor's fields, as text so that half-typed values survive. */
export interface GeometryForm {
  spacingM: string;
  dtMs: string;
  steps: string;
  recordEvery: string;
  peakHz: string;
  delayMs: string;
  boundary: BoundarySpec['kind'];
  /** Width of a 'sponge' or 'pml' boundary. */
  boundaryCells: string;
  topSurface: AcquisitionGeometry['topSurface'];
  sourceXs: string;
  sourceZ: string;
  receiverFromX: string;
  receiverToX: string;
  receiverStepX: string;
  receiverZ: string;
}
export type GeometryField = keyof GeometryForm;

export function toForm(g: AcquisitionGeometry): GeometryForm {
  const range = receiverRange(g.receivers);
  return {
    spacingM: fmt(g.spacingMeters),
    dtMs: fmt(g.timeStepSeconds * 1000),
    steps: String(g.steps),
    recordEvery: String(g.recordEverySteps),
    peakHz: fmt(g.wavelet.peakFrequencyHz),
    delayMs: fmt(g.wavelet.delaySeconds * 1000),
    boundary: g.boundary.kind,
    boundaryCells: String(g.boundary.kind === 'openfwi-sponge' ? defaultBoundaryCells.sponge : g.boundary.widthCells),
    topSurface: g.topSurface,
    sourceXs: g.sources.map((s) => s.x).join(', '),
    sourceZ: String(g.sources[0]?.z ?? 1),
    receiverFromX: String(range?.fromX ?? g.receivers[0]?.x ?? 0),
    receiverToX: String(range?.toX ?? g.receivers[g.receivers.length - 1]?.x ?? 0),
    receiverStepX: String(range?.stepX ?? 1),
    receiverZ: String(range?.z ?? g.receivers[0]?.z ?? 1),
  };
}

/**
 * The form as a geometry, starting from `base` (so fields the form does not show are kept), or the
 * problems per field. Checks only what the form can tell on its own; the studio checks the rest.
 */
export function fromForm(form: GeometryForm, base: AcquisitionGeometry): { geometry: AcquisitionGeometry; errors: null } | { geometry: null; errors: Partial<Record<GeometryField, string>> } {
  const errors: Partial<Record<GeometryField, string>> = {};
  const positive = (field: GeometryField, text: string): number => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || v <= 0) errors[field] = 'A number above 0.';
    return v;
  };
  const whole = (field: GeometryField, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isInteger(v) || v < min || v > max) errors[field] = max < Number.MAX_SAFE_INTEGER ? `A whole number from ${min} to ${max}.` : `A whole number ≥ ${min}.`;
    return v;
  };
  const spacing = positive('spacingM', form.spacingM);
  const dtMs = positive('dtMs', form.dtMs);
  const steps = whole('steps', form.steps, 1, acquisitionGeometrySchema.shape.steps.maxValue ?? undefined);
  const recordEvery = whole('recordEvery', form.recordEvery, 1);
  if (!errors.steps && !errors.recordEvery && recordEvery > steps) errors.recordEvery = `At most the number of steps (${steps}).`;
  const peak = positive('peakHz', form.peakHz);
  const delayMs = Number(form.delayMs);
  if (form.delayMs.trim() === '' || !Number.isFinite(delayMs) || delayMs < 0) errors.delayMs = 'A number ≥ 0.';
  const width = form.boundary === 'openfwi-sponge' ? null : boundaryWidthSchema[form.boundary];
  const boundaryCells = width ? whole('boundaryCells', form.boundaryCells, width.minValue ?? 1, width.maxValue ?? undefined) : 0;
  const sourceZ = whole('sourceZ', form.sourceZ, 0);
  if (!errors.sourceZ && form.topSurface === 'free' && sourceZ === 0) errors.sourceZ = 'Row ≥ 1: the free surface holds p = 0 on row 0.';
  const xs = form.sourceXs.split(/[\s,;]+/).filter(Boolean).map(Number);
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 0)) errors.sourceXs = 'Column indices ≥ 0, separated by commas.';
  const fromX = whole('receiverFromX', form.receiverFromX, 0);
  const toX = whole('receiverToX', form.receiverToX, 0);
  const stepX = whole('receiverStepX', form.receiverStepX, 1);
  const receiverZ = whole('receiverZ', form.receiverZ, 0);
  if (!errors.receiverFromX && !errors.receiverToX && toX < fromX) errors.receiverToX = `At least the first column (${fromX}).`;
  if (Object.keys(errors).length > 0) return { geometry: null, errors };

  const dtSeconds = dtMs / 1000;
  const sameDt = Math.abs(dtSeconds - base.timeStepSeconds) < 1e-12;
  const { lengthSteps, ...waveletRest } = base.wavelet;
  const receivers: GridCell[] = [];
  for (let x = fromX; x <= toX; x += stepX) receivers.push({ x, z: receiverZ });
  return {
    errors: null,
    geometry: {
      ...base,
      spacingMeters: spacing,
      timeStepSeconds: dtSeconds,
      steps,
      recordEverySteps: recordEvery,
      // The wavelet's sample count is tied to dt; a new dt lets the studio choose it again.
      wavelet: { ...waveletRest, kind: 'ricker', peakFrequencyHz: peak, delaySeconds: delayMs / 1000, ...(sameDt && lengthSteps !== undefined ? { lengthSteps } : {}) },
      sources: xs.map((x) => ({ x, z: sourceZ })),
      receivers,
      boundary: form.boundary === 'openfwi-sponge' ? { kind: 'openfwi-sponge' } : { kind: form.boundary, widthCells: boundaryCells },
      topSurface: form.topSurface,
    },
  };
}
