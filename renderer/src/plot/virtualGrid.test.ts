import { describe, expect, it } from 'vitest';
import { gridGeometry, itemsOfRows, pagesOfItems, scrollToItem, visibleRows } from './virtualGrid.ts';

describe('gridGeometry', () => {
  it('fits whole cells with gaps between them', () => {
    // 4 cells of 150 and 3 gaps of 10 need 630 px.
    expect(gridGeometry(630, 100_000, 150, 200, 10)).toEqual({ columns: 4, rowHeight: 210, rows: 25_000, contentHeight: 25_000 * 210 - 10 });
    expect(gridGeometry(629, 10, 150, 200, 10).columns).toBe(3);
  });
  it('keeps at least one column and handles no items', () => {
    expect(gridGeometry(50, 3, 150, 200, 10).columns).toBe(1);
    expect(gridGeometry(800, 0, 150, 200, 10)).toMatchObject({ rows: 0, contentHeight: 0 });
  });
});

describe('visibleRows', () => {
  const geometry = gridGeometry(630, 100_000, 150, 200, 10); // rowHeight 210, 25,000 rows
  it('covers the viewport plus overscan', () => {
    expect(visibleRows(0, 600, geometry, 2)).toEqual({ first: 0, end: 5 });
    // 2100 px down is row 10; 600 px shows rows 10..12 (ceil(2700/210) = 13).
    expect(visibleRows(2100, 600, geometry, 2)).toEqual({ first: 8, end: 15 });
  });
  it('stays inside the grid at the end and for overscrolled or empty grids', () => {
    const last = visibleRows(geometry.contentHeight - 600, 600, geometry, 2);
    expect(last.end).toBe(25_000);
    expect(visibleRows(geometry.contentHeight + 5000, 600, geometry, 1)).toEqual({ first: 24_998, end: 25_000 });
    expect(visibleRows(0, 600, gridGeometry(630, 0, 150, 200, 10), 2)).toEqual({ first: 0, end: 0 });
    expect(visibleRows(-50, 600, geometry, 0)).toEqual({ first: 0, end: 3 });
  });
  it('renders a bounded number of rows wherever it is scrolled', () => {
    for (const top of [0, 1234, 500_000, 5_000_000]) {
      const w = visibleRows(top, 900, geometry, 2);
      expect(w.end - w.first).toBeLessThanOrEqual(Math.ceil(900 / 210) + 1 + 4);
    }
  });
});

describe('itemsOfRows and pagesOfItems', () => {
  it('turns rows into item indices, clipped to the count', () => {
    expect(itemsOfRows({ first: 2, end: 5 }, 4, 100)).toEqual({ start: 8, end: 20 });
    expect(itemsOfRows({ first: 24, end: 26 }, 4, 101)).toEqual({ start: 96, end: 101 });
  });
  it('lists the pages that hold a range', () => {
    expect(pagesOfItems(0, 20, 100)).toEqual([0]);
    expect(pagesOfItems(95, 205, 100)).toEqual([0, 1, 2]);
    expect(pagesOfItems(100, 200, 100)).toEqual([1]);
    expect(pagesOfItems(5, 5, 100)).toEqual([]);
  });
});

describe('scrollToItem', () => {
  const geometry = gridGeometry(630, 1000, 150, 200, 10);
  it('scrolls the least that shows the item', () => {
    expect(scrollToItem(0, 1000, 600, geometry)).toBe(0);
    expect(scrollToItem(40, 0, 600, geometry)).toBe(11 * 210 - 600);
    expect(scrollToItem(8, 300, 600, geometry)).toBe(300);
  });
});
