/**
 * The velocity editor's model: a starting grid (constant or a dataset sample) plus a list of edits —
 * layers, faults, anomalies — applied in order. Undo drops the last edit; nothing is edited in place.
 * Grids are row-major [depth, width] in m/s, float32; positions are in cells (column x, row z, row 0
 * at the surface). Pure: no DOM, so the tests run in node.
 */

/** Velocities the editor accepts, m/s: slower than air-filled soil is not a rock, faster than any crust is a typo. */
export const VELOCITY_LIMITS_MPS = { min: 300, max: 10_000 } as const;

export interface VelocityGrid {
  nz: number;
  nx: number;
  /** [nz, nx] in m/s */
  velocityMps: Float32Array;
}

export type VelocityEdit =
  /** Everything at and below the interface (fractional row per column) takes `velocityMps`. */
  | { kind: 'layer'; interfaceRows: number[]; velocityMps: number }
  /**
   * A straight fault through (topCol, row 0) at `dipDeg` from the +x axis, measured downwards
   * (60° leans to the right with depth, 120° to the left, 90° is vertical). Cells on `side` of it
   * move down by `throwRows` (negative: up): v'(z, x) = v(z − throw, x), edge rows repeated.
   */
  | { kind: 'fault'; topCol: number; dipDeg: number; throwRows: number; side: 'left' | 'right' }
  /** Cells whose centres lie in the ellipse ((x − cx)/rx)² + ((z − cz)/rz)² ≤ 1 take `velocityMps`. */
  | { kind: 'anomaly'; centreCol: number; centreRow: number; radiusCols: number; radiusRows: number; velocityMps: number };

/** Null when `v` is a velocity the editor accepts, else what is wrong with it. */
export function velocityProblem(v: number, field = 'Velocity'): string | null {
  if (!Number.isFinite(v)) return `${field}: enter a number in m/s.`;
  if (v < VELOCITY_LIMITS_MPS.min || v > VELOCITY_LIMITS_MPS.max) {
    return `${field} ${v} m/s is outside ${VELOCITY_LIMITS_MPS.min}–${VELOCITY_LIMITS_MPS.max} m/s.`;
  }
  return null;
}

export function constantGrid(nz: number, nx: number, velocityMps: number): VelocityGrid {
  if (!Number.isInteger(nz) || !Number.isInteger(nx) || nz < 2 || nx < 2) throw new Error(`A velocity grid needs whole sizes ≥ 2; got ${nz} × ${nx}.`);
  return { nz, nx, velocityMps: new Float32Array(nz * nx).fill(velocityMps) };
}

/** A horizontal interface at `row` across all `nx` columns. */
export function flatInterface(nx: number, row: number): number[] {
  return Array.from({ length: nx }, () => row);
}

/**
 * An interface from a painted stroke of cells: per column, the row linearly interpolated between the
 * painted columns on either side (the mean where a column was painted more than once), held flat
 * beyond the first and last painted column. Empty stroke: null.
 */
export function interfaceFromStroke(stroke: readonly { col: number; row: number }[], nx: number): number[] | null {
  const sums = new Map<number, { total: number; count: number }>();
  for (const p of stroke) {
    if (p.col < 0 || p.col >= nx) continue;
    const s = sums.get(p.col) ?? { total: 0, count: 0 };
    s.total += p.row;
    s.count += 1;
    sums.set(p.col, s);
  }
  const cols = [...sums.keys()].sort((a, b) => a - b);
  if (cols.length === 0) return null;
  const rowAt = (c: number) => sums.get(c)!.total / sums.get(c)!.count;
  const out: number[] = new Array(nx);
  let k = 0;
  for (let x = 0; x < nx; x++) {
    if (x <= cols[0]) out[x] = rowAt(cols[0]);
    else if (x >= cols[cols.length - 1]) out[x] = rowAt(cols[cols.length - 1]);
    else {
      while (cols[k + 1] < x) k++;
      const a = cols[k];
      const b = cols[k + 1];
      out[x] = rowAt(a) + ((rowAt(b) - rowAt(a)) * (x - a)) / (b - a);
    }
  }
  return out;
}

/** The fault's column at depth row z (cell centres): x_f(z) = topCol + (z + ½) · cot(dip). */
export function faultColumnAt(edit: { topCol: number; dipDeg: number }, row: number): number {
  const dip = (edit.dipDeg * Math.PI) / 180;
  return edit.topCol + (row + 0.5) * (Math.cos(dip) / Math.sin(dip));
}

export function applyEdit(grid: VelocityGrid, edit: VelocityEdit): VelocityGrid {
  const { nz, nx } = grid;
  const v = grid.velocityMps;
  const out = new Float32Array(v);
  if (edit.kind === 'layer') {
    for (let x = 0; x < nx; x++) {
      const top = Math.max(0, Math.round(edit.interfaceRows[x] ?? nz));
      for (let z = top; z < nz; z++) out[z * nx + x] = edit.velocityMps;
    }
  } else if (edit.kind === 'fault') {
    const shift = Math.round(edit.throwRows);
    for (let z = 0; z < nz; z++) {
      const xf = faultColumnAt(edit, z);
      const from = Math.min(nz - 1, Math.max(0, z - shift));
      for (let x = 0; x < nx; x++) {
        const centre = x + 0.5;
        const moved = edit.side === 'right' ? centre > xf : centre < xf;
        if (moved) out[z * nx + x] = v[from * nx + x];
      }
    }
  } else {
    const rx = Math.max(0.5, edit.radiusCols);
    const rz = Math.max(0.5, edit.radiusRows);
    const z0 = Math.max(0, Math.floor(edit.centreRow - rz));
    const z1 = Math.min(nz - 1, Math.ceil(edit.centreRow + rz));
    const x0 = Math.max(0, Math.floor(edit.centreCol - rx));
    const x1 = Math.min(nx - 1, Math.ceil(edit.centreCol + rx));
    for (let z = z0; z <= z1; z++) {
      for (let x = x0; x <= x1; x++) {
        const dx = (x - edit.centreCol) / rx;
        const dz = (z - edit.centreRow) / rz;
        if (dx * dx + dz * dz <= 1) out[z * nx + x] = edit.velocityMps;
      }
    }
  }
  return { nz, nx, velocityMps: out };
}

/** The start grid with every edit applied in order. */
export function applyEdits(start: VelocityGrid, edits: readonly VelocityEdit[]): VelocityGrid {
  return edits.reduce(applyEdit, start);
}

export function gridRange(grid: VelocityGrid): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of grid.velocityMps) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return Number.isFinite(min) ? { min, max } : { min: 0, max: 0 };
}

/** A short description of an edit for the edit list, with positions in metres. */
export function describeEdit(edit: VelocityEdit, spacingM: number): string {
  const m = (cells: number) => `${Math.round(cells * spacingM)} m`;
  if (edit.kind === 'layer') {
    const rows = edit.interfaceRows;
    const lo = Math.min(...rows);
    const hi = Math.max(...rows);
    return `Layer ${edit.velocityMps} m/s below ${lo === hi ? m(lo) : `${m(lo)}–${m(hi)}`}`;
  }
  if (edit.kind === 'fault') return `Fault at x ${m(edit.topCol)}, dip ${edit.dipDeg}°, throw ${m(edit.throwRows)} (${edit.side} side)`;
  return `Anomaly ${edit.velocityMps} m/s at (${m(edit.centreCol)}, ${m(edit.centreRow)}), radii ${m(edit.radiusCols)} × ${m(edit.radiusRows)}`;
}
