/**
 * Zoom and pan as a visible window onto a 2-D array, in data coordinates. The array's cell (col, row)
 * covers [col, col+1) × [row, row+1); the full extent is [0, cols] × [0, rows]. Rendering maps this
 * window onto the plot rectangle, so zooming never touches the decoded data.
 */

export interface DataWindow {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export interface Extent {
  cols: number;
  rows: number;
}

export function fullWindow(extent: Extent): DataWindow {
  return { x0: 0, x1: extent.cols, y0: 0, y1: extent.rows };
}

/** Smallest visible span in cells along each axis. */
export const MIN_SPAN_CELLS = 2;

/** Keeps a window inside the extent and no smaller than MIN_SPAN_CELLS, preserving its centre where possible. */
export function clampWindow(w: DataWindow, extent: Extent): DataWindow {
  const [x0, x1] = clampSpan(w.x0, w.x1, extent.cols);
  const [y0, y1] = clampSpan(w.y0, w.y1, extent.rows);
  return { x0, x1, y0, y1 };
}

function clampSpan(a: number, b: number, size: number): [number, number] {
  const minSpan = Math.min(size, MIN_SPAN_CELLS);
  let span = Math.min(size, Math.max(minSpan, b - a));
  if (!Number.isFinite(span) || span <= 0) span = size;
  let start = (a + b) / 2 - span / 2;
  if (!Number.isFinite(start)) start = 0;
  start = Math.min(Math.max(0, start), size - span);
  return [start, start + span];
}

/**
 * Zooms by `factor` (> 1 zooms in; a pair zooms the axes differently, 1 leaves one alone) about an
 * anchor given as a fraction (0..1) of the plot width and height, so the data point under the cursor
 * stays under the cursor: x' = ax + (x − ax) / factor.
 */
export function zoomAt(w: DataWindow, factor: number | readonly [number, number], fx: number, fy: number, extent: Extent): DataWindow {
  const [kx, ky] = typeof factor === 'number' ? [factor, factor] : factor;
  const ax = w.x0 + (w.x1 - w.x0) * fx;
  const ay = w.y0 + (w.y1 - w.y0) * fy;
  const next = {
    x0: ax + (w.x0 - ax) / kx,
    x1: ax + (w.x1 - ax) / kx,
    y0: ay + (w.y0 - ay) / ky,
    y1: ay + (w.y1 - ay) / ky,
  };
  return clampZoom(next, extent, ax, ay);
}

/** Like clampWindow, but when a span hits its limit it keeps the anchor's fraction instead of the centre. */
function clampZoom(w: DataWindow, extent: Extent, ax: number, ay: number): DataWindow {
  const [x0, x1] = clampSpanAbout(w.x0, w.x1, extent.cols, ax);
  const [y0, y1] = clampSpanAbout(w.y0, w.y1, extent.rows, ay);
  return { x0, x1, y0, y1 };
}

function clampSpanAbout(a: number, b: number, size: number, anchor: number): [number, number] {
  const span = b - a;
  const minSpan = Math.min(size, MIN_SPAN_CELLS);
  const clampedSpan = Math.min(size, Math.max(minSpan, span));
  const fraction = span > 0 ? (anchor - a) / span : 0.5;
  let start = anchor - fraction * clampedSpan;
  start = Math.min(Math.max(0, start), size - clampedSpan);
  return [start, start + clampedSpan];
}

/** Pans by a screen displacement given as a fraction of the plot size (dragging right moves the data right). */
export function panBy(w: DataWindow, dxFraction: number, dyFraction: number, extent: Extent): DataWindow {
  const dx = -(w.x1 - w.x0) * dxFraction;
  const dy = -(w.y1 - w.y0) * dyFraction;
  const [x0, x1] = shiftSpan(w.x0, w.x1, dx, extent.cols);
  const [y0, y1] = shiftSpan(w.y0, w.y1, dy, extent.rows);
  return { x0, x1, y0, y1 };
}

function shiftSpan(a: number, b: number, delta: number, size: number): [number, number] {
  const span = b - a;
  const start = Math.min(Math.max(0, a + delta), Math.max(0, size - span));
  return [start, start + span];
}

export function isFullWindow(w: DataWindow, extent: Extent): boolean {
  const eps = 1e-9;
  return Math.abs(w.x0) < eps && Math.abs(w.y0) < eps && Math.abs(w.x1 - extent.cols) < eps && Math.abs(w.y1 - extent.rows) < eps;
}

/** Plot rectangle in CSS pixels. */
export interface PlotRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Data → screen: x maps [x0, x1] onto [left, left+width], y maps [y0, y1] onto [top, top+height] (down). */
export function dataToScreen(w: DataWindow, rect: PlotRect, x: number, y: number): [number, number] {
  return [
    rect.left + ((x - w.x0) / (w.x1 - w.x0)) * rect.width,
    rect.top + ((y - w.y0) / (w.y1 - w.y0)) * rect.height,
  ];
}

export function screenToData(w: DataWindow, rect: PlotRect, sx: number, sy: number): [number, number] {
  return [
    w.x0 + ((sx - rect.left) / rect.width) * (w.x1 - w.x0),
    w.y0 + ((sy - rect.top) / rect.height) * (w.y1 - w.y0),
  ];
}
