import { useCallback, useEffect, useRef, useState } from 'react';
import { Box } from '@mui/material';
import { axisTicks, cellToValue, type AxisScale } from '../plot/axes.ts';
import { formatTick } from '../plot/ticks.ts';
import { panBy, screenToData, zoomAt, type DataWindow, type Extent, type PlotRect } from '../plot/viewport.ts';

export interface PlotOverlayContext {
  ctx: CanvasRenderingContext2D;
  view: DataWindow;
  rect: PlotRect;
}

export interface PlotCanvasProps {
  extent: Extent;
  /** The raster at one pixel per cell, drawn scaled into the plot area; null draws nothing (e.g. wiggle only). */
  image: CanvasImageSource | null;
  /** Drawn after the image, clipped to the plot area (wiggle traces, markers). */
  drawOverlay?: (overlay: PlotOverlayContext) => void;
  xAxis: AxisScale;
  yAxis: AxisScale;
  /** Seismic convention puts the receiver axis on top. */
  xAxisPosition?: 'top' | 'bottom';
  view: DataWindow;
  onViewChange: (view: DataWindow) => void;
  /** Called with the cell under the pointer, or null when it leaves the data. */
  onHover?: (cell: { col: number; row: number } | null) => void;
  /** Double-click resets the view. */
  onReset?: () => void;
  /**
   * When given, dragging paints cells instead of panning (editors): called with each cell under the
   * pointer while the button is down, then once with phase 'end'. The wheel still zooms.
   */
  onPaint?: (cell: { col: number; row: number }, phase: 'start' | 'move' | 'end') => void;
  background?: string;
  /**
   * Equal physical units per pixel on both axes (a velocity model's true 1:1 aspect): the plot area
   * shrinks along one axis to fit the visible window, keeping its top-left corner.
   */
  equalAspect?: boolean;
  testId: string;
  ariaLabel: string;
  height?: number | string;
}

const MARGIN = { left: 64, right: 16, top: 16, bottom: 16 };
const AXIS_BAND = 40;
const WHEEL_ZOOM_PER_PIXEL = 0.0015;

/**
 * A zoomable, pannable plot of a cell raster with physical axes. Zoom and pan only change the data
 * window that is mapped onto the plot area; the raster itself is never rebuilt for them.
 * Wheel: zoom about the cursor (Shift: horizontal only, Alt: vertical only). Drag: pan. Double-click: reset.
 */
export function PlotCanvas(props: PlotCanvasProps) {
  const { extent, image, drawOverlay, xAxis, yAxis, view, onViewChange, onHover, onReset, testId, ariaLabel } = props;
  const xTop = (props.xAxisPosition ?? 'top') === 'top';
  const containerRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const drag = useRef<{ x: number; y: number; view: DataWindow; pointerId: number } | null>(null);
  const paint = useRef<{ pointerId: number; last: { col: number; row: number } | null } | null>(null);
  const onPaint = props.onPaint;

  const equalAspect = props.equalAspect ?? false;
  const rectFor = useCallback(
    (width: number, height: number): PlotRect => {
      const top = MARGIN.top + (xTop ? AXIS_BAND - 16 : 0);
      const bottom = MARGIN.bottom + (xTop ? 0 : AXIS_BAND - 16);
      const rect = { left: MARGIN.left, top, width: Math.max(10, width - MARGIN.left - MARGIN.right), height: Math.max(10, height - top - bottom) };
      if (!equalAspect) return rect;
      // height / width = (visible depth span) / (visible distance span), both in physical units.
      const aspect = ((view.y1 - view.y0) * Math.abs(yAxis.step)) / ((view.x1 - view.x0) * Math.abs(xAxis.step));
      if (!(aspect > 0) || !Number.isFinite(aspect)) return rect;
      if (rect.height > rect.width * aspect) return { ...rect, height: Math.max(10, rect.width * aspect) };
      return { ...rect, width: Math.max(10, rect.height / aspect) };
    },
    [xTop, equalAspect, view, xAxis.step, yAxis.step],
  );

  useEffect(() => {
    const el = containerRef.current;
    if (!el) return;
    const observer = new ResizeObserver((entries) => {
      const box = entries[0].contentRect;
      setSize({ width: Math.floor(box.width), height: Math.floor(box.height) });
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // Draw on every change, batched to the next animation frame.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || size.width === 0 || size.height === 0) return;
    const frame = requestAnimationFrame(() => {
      const dpr = window.devicePixelRatio || 1;
      if (canvas.width !== Math.round(size.width * dpr) || canvas.height !== Math.round(size.height * dpr)) {
        canvas.width = Math.round(size.width * dpr);
        canvas.height = Math.round(size.height * dpr);
      }
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, size.width, size.height);
      const rect = rectFor(size.width, size.height);
      ctx.fillStyle = props.background ?? '#0b0e11';
      ctx.fillRect(rect.left, rect.top, rect.width, rect.height);

      ctx.save();
      ctx.beginPath();
      ctx.rect(rect.left, rect.top, rect.width, rect.height);
      ctx.clip();
      if (image) {
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(image, view.x0, view.y0, view.x1 - view.x0, view.y1 - view.y0, rect.left, rect.top, rect.width, rect.height);
      }
      drawOverlay?.({ ctx, view, rect });
      ctx.restore();

      drawAxes(ctx, rect, view, xAxis, yAxis, xTop);
    });
    return () => cancelAnimationFrame(frame);
  }, [size, image, drawOverlay, view, xAxis, yAxis, xTop, rectFor, props.background]);

  // Wheel zoom needs a non-passive listener to keep the page from scrolling.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const onWheel = (event: WheelEvent) => {
      const bounds = canvas.getBoundingClientRect();
      const rect = rectFor(bounds.width, bounds.height);
      const sx = event.clientX - bounds.left;
      const sy = event.clientY - bounds.top;
      if (sx < rect.left || sx > rect.left + rect.width || sy < rect.top || sy > rect.top + rect.height) return;
      event.preventDefault();
      const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
      const factor = Math.exp(-delta * WHEEL_ZOOM_PER_PIXEL);
      const pair: [number, number] = event.shiftKey ? [factor, 1] : event.altKey ? [1, factor] : [factor, factor];
      onViewChange(zoomAt(latestView.current, pair, (sx - rect.left) / rect.width, (sy - rect.top) / rect.height, extent));
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });
    return () => canvas.removeEventListener('wheel', onWheel);
  }, [extent, onViewChange, rectFor]);

  const latestView = useRef(view);
  latestView.current = view;

  const cellAt = (event: React.PointerEvent<HTMLCanvasElement>): { col: number; row: number } | null => {
    const bounds = event.currentTarget.getBoundingClientRect();
    const rect = rectFor(bounds.width, bounds.height);
    const sx = event.clientX - bounds.left;
    const sy = event.clientY - bounds.top;
    if (sx < rect.left || sx > rect.left + rect.width || sy < rect.top || sy > rect.top + rect.height) return null;
    const [x, y] = screenToData(view, rect, sx, sy);
    const col = Math.floor(x);
    const row = Math.floor(y);
    return col >= 0 && col < extent.cols && row >= 0 && row < extent.rows ? { col, row } : null;
  };

  return (
    <Box ref={containerRef} sx={{ position: 'relative', width: '100%', height: props.height ?? '100%', minHeight: 240 }}>
      <canvas
        ref={canvasRef}
        data-testid={testId}
        role="img"
        aria-label={ariaLabel}
        style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', cursor: drag.current ? 'grabbing' : 'crosshair', touchAction: 'none' }}
        onPointerDown={(event) => {
          if (event.button !== 0) return;
          event.currentTarget.setPointerCapture(event.pointerId);
          if (onPaint) {
            const cell = cellAt(event);
            paint.current = { pointerId: event.pointerId, last: cell };
            if (cell) onPaint(cell, 'start');
            return;
          }
          drag.current = { x: event.clientX, y: event.clientY, view, pointerId: event.pointerId };
        }}
        onPointerMove={(event) => {
          const painting = paint.current;
          if (onPaint && painting && painting.pointerId === event.pointerId) {
            const cell = cellAt(event);
            if (cell && (cell.col !== painting.last?.col || cell.row !== painting.last?.row)) {
              painting.last = cell;
              onPaint(cell, 'move');
            }
            onHover?.(cell);
            return;
          }
          const start = drag.current;
          if (start && start.pointerId === event.pointerId) {
            const bounds = event.currentTarget.getBoundingClientRect();
            const rect = rectFor(bounds.width, bounds.height);
            onViewChange(panBy(start.view, (event.clientX - start.x) / rect.width, (event.clientY - start.y) / rect.height, extent));
            return;
          }
          onHover?.(cellAt(event));
        }}
        onPointerUp={(event) => {
          if (drag.current?.pointerId === event.pointerId) drag.current = null;
          const painting = paint.current;
          if (painting && painting.pointerId === event.pointerId) {
            paint.current = null;
            if (painting.last) onPaint?.(painting.last, 'end');
          }
        }}
        onPointerCancel={() => {
          drag.current = null;
          paint.current = null;
        }}
        onPointerLeave={() => onHover?.(null)}
        onDoubleClick={() => onReset?.()}
      />
    </Box>
  );
}

function drawAxes(ctx: CanvasRenderingContext2D, rect: PlotRect, view: DataWindow, xAxis: AxisScale, yAxis: AxisScale, xTop: boolean) {
  const textColour = 'rgba(230,235,240,0.85)';
  const lineColour = 'rgba(230,235,240,0.35)';
  ctx.strokeStyle = lineColour;
  ctx.lineWidth = 1;
  ctx.strokeRect(rect.left + 0.5, rect.top + 0.5, rect.width - 1, rect.height - 1);
  ctx.fillStyle = textColour;
  ctx.font = '11px system-ui, sans-serif';

  // x axis
  const xTicks = axisTicks(xAxis, view.x0, view.x1, Math.max(2, Math.floor(rect.width / 80)));
  const yEdge = xTop ? rect.top : rect.top + rect.height;
  ctx.textAlign = 'center';
  ctx.textBaseline = xTop ? 'bottom' : 'top';
  ctx.beginPath();
  for (const tick of xTicks) {
    const sx = rect.left + ((tick.coordinate - view.x0) / (view.x1 - view.x0)) * rect.width;
    if (sx < rect.left - 0.5 || sx > rect.left + rect.width + 0.5) continue;
    const px = Math.round(sx) + 0.5;
    ctx.moveTo(px, yEdge);
    ctx.lineTo(px, yEdge + (xTop ? -4 : 4));
    ctx.fillText(formatTick(tick.value, tick.step), sx, yEdge + (xTop ? -6 : 6));
  }
  ctx.stroke();
  ctx.font = '600 11px system-ui, sans-serif';
  ctx.textAlign = 'right';
  ctx.textBaseline = xTop ? 'bottom' : 'top';
  // The x label sits at the far end of the axis, clear of the tick labels.
  const labelY = xTop ? rect.top - 20 : rect.top + rect.height + 20;
  ctx.fillText(xAxis.label, rect.left + rect.width, labelY);

  // y axis
  ctx.font = '11px system-ui, sans-serif';
  const yTicks = axisTicks(yAxis, view.y0, view.y1, Math.max(2, Math.floor(rect.height / 50)));
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  ctx.beginPath();
  for (const tick of yTicks) {
    const sy = rect.top + ((tick.coordinate - view.y0) / (view.y1 - view.y0)) * rect.height;
    if (sy < rect.top - 0.5 || sy > rect.top + rect.height + 0.5) continue;
    const py = Math.round(sy) + 0.5;
    ctx.moveTo(rect.left, py);
    ctx.lineTo(rect.left - 4, py);
    ctx.fillText(formatTick(tick.value, tick.step), rect.left - 6, sy);
  }
  ctx.stroke();
  ctx.save();
  ctx.font = '600 11px system-ui, sans-serif';
  ctx.translate(14, rect.top + rect.height / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(yAxis.label, 0, 0);
  ctx.restore();
}

/** The physical value at a cell centre, for readouts. */
export function cellValue(axis: AxisScale, cell: number): number {
  return cellToValue(axis, cell + 0.5);
}
