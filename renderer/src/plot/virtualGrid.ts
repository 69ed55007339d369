/**
 * Window math for a virtualised grid of fixed-size cells: how many columns fit, which rows are on
 * screen (plus overscan), which items that is, and which pages of a paged query hold them.
 * Pure arithmetic, so a grid over 100,000 items renders and fetches only what is visible.
 */

export interface GridGeometry {
  /** Columns that fit the width (at least 1). */
  columns: number;
  /** Height of one row including the gap below it, in pixels. */
  rowHeight: number;
  rows: number;
  /** Height of the whole scrollable content in pixels. */
  contentHeight: number;
}

/** Columns of `cellWidth` with `gap` between them that fit `width`, and the rows `itemCount` items take. */
export function gridGeometry(width: number, itemCount: number, cellWidth: number, cellHeight: number, gap: number): GridGeometry {
  const columns = Math.max(1, Math.floor((Math.max(0, width) + gap) / (cellWidth + gap)));
  const rows = Math.ceil(Math.max(0, itemCount) / columns);
  const rowHeight = cellHeight + gap;
  return { columns, rowHeight, rows, contentHeight: Math.max(0, rows * rowHeight - gap) };
}

export interface RowWindow {
  /** First row to render (inclusive). */
  first: number;
  /** Row after the last one to render (exclusive). */
  end: number;
}

/** Rows intersecting the viewport [scrollTop, scrollTop + viewportHeight), widened by `overscan` rows each side. */
export function visibleRows(scrollTop: number, viewportHeight: number, geometry: GridGeometry, overscan: number): RowWindow {
  if (geometry.rows === 0 || viewportHeight <= 0) return { first: 0, end: 0 };
  const top = Math.max(0, scrollTop);
  const firstVisible = Math.min(geometry.rows - 1, Math.floor(top / geometry.rowHeight));
  const endVisible = Math.min(geometry.rows, Math.ceil((top + viewportHeight) / geometry.rowHeight));
  return { first: Math.max(0, firstVisible - overscan), end: Math.min(geometry.rows, Math.max(endVisible, firstVisible + 1) + overscan) };
}

/** Item indices [start, end) of a row window. */
export function itemsOfRows(window: RowWindow, columns: number, itemCount: number): { start: number; end: number } {
  return { start: Math.min(itemCount, window.first * columns), end: Math.min(itemCount, window.end * columns) };
}

/** Page numbers (of `pageSize` items) that hold the items [start, end). */
export function pagesOfItems(start: number, end: number, pageSize: number): number[] {
  if (end <= start || pageSize <= 0) return [];
  const pages: number[] = [];
  for (let p = Math.floor(start / pageSize); p <= Math.floor((end - 1) / pageSize); p++) pages.push(p);
  return pages;
}

/** The scrollTop that brings item `index` into view with the least movement (unchanged when it already is). */
export function scrollToItem(index: number, scrollTop: number, viewportHeight: number, geometry: GridGeometry): number {
  const row = Math.floor(index / geometry.columns);
  const top = row * geometry.rowHeight;
  const bottom = top + geometry.rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}
