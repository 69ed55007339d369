import { describe, expect, it } from 'vitest';
import { clampWindow, dataToScreen, fullWindow, isFullWindow, panBy, screenToData, zoomAt } from './viewport.ts';

const extent = { cols: 100, rows: 50 };

describe('viewport', () => {
  it('zooms about the anchor, keeping the point under the cursor fixed', () => {
    const w = zoomAt(fullWindow(extent), 2, 0.25, 0.5, extent);
    expect(w).toEqual({ x0: 12.5, x1: 62.5, y0: 12.5, y1: 37.5 });
    // The anchor (x = 25, y = 25) is still at fraction 0.25, 0.5.
    expect((25 - w.x0) / (w.x1 - w.x0)).toBeCloseTo(0.25, 12);
  });

  it('zooms one axis when given a pair of factors', () => {
    expect(zoomAt(fullWindow(extent), [1, 2], 0.5, 0, extent)).toEqual({ x0: 0, x1: 100, y0: 0, y1: 25 });
  });

  it('does not zoom out beyond the extent nor in below two cells', () => {
    expect(zoomAt(fullWindow(extent), 0.5, 0.3, 0.3, extent)).toEqual(fullWindow(extent));
    const deep = zoomAt(fullWindow(extent), 1e6, 0.5, 0.5, extent);
    expect(deep.x1 - deep.x0).toBe(2);
    expect(deep.y1 - deep.y0).toBe(2);
    expect(deep.x0).toBeCloseTo(49, 9);
  });

  it('pans by a fraction of the view and stops at the edges', () => {
    const zoomed = { x0: 40, x1: 60, y0: 10, y1: 20 };
    expect(panBy(zoomed, 0.5, 0, extent)).toEqual({ x0: 30, x1: 50, y0: 10, y1: 20 });
    expect(panBy(zoomed, -10, 10, extent)).toEqual({ x0: 80, x1: 100, y0: 0, y1: 10 });
  });

  it('clamps a window into the extent', () => {
    expect(clampWindow({ x0: -10, x1: 10, y0: 45, y1: 55 }, extent)).toEqual({ x0: 0, x1: 20, y0: 40, y1: 50 });
    expect(isFullWindow(clampWindow({ x0: -500, x1: 500, y0: -1, y1: 99 }, extent), extent)).toBe(true);
  });

  it('converts between data and screen coordinates', () => {
    const rect = { left: 50, top: 20, width: 400, height: 200 };
    const w = { x0: 10, x1: 30, y0: 0, y1: 50 };
    expect(dataToScreen(w, rect, 20, 25)).toEqual([250, 120]);
    expect(screenToData(w, rect, 250, 120)).toEqual([20, 25]);
  });
});
