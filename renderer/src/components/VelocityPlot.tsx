import { useEffect, useMemo, useState } from 'react';
import { Box, Typography } from '@mui/material';
import { formatNumber } from '../app/humanReadable.ts';
import type { AxisScale } from '../plot/axes.ts';
import type { ColormapLut } from '../plot/colormaps.ts';
import { valuesToRgba } from '../plot/image.ts';
import { fullWindow, type DataWindow } from '../plot/viewport.ts';
import { ColorBar } from './ColorBar.tsx';
import { cellValue, PlotCanvas, type PlotOverlayContext } from './PlotCanvas.tsx';
import { rgbaToCanvas } from './raster.ts';

export interface VelocityPlotProps {
  /** [nz, nx] in m/s */
  velocityMps: Float32Array;
  nz: number;
  nx: number;
  spacingM: number | null;
  lut: ColormapLut;
  min: number;
  max: number;
  testId: string;
  ariaLabel: string;
  /** Height of the plot in pixels; the width follows the model's physical aspect ratio up to the space available. */
  height?: number;
  /** Axes of a grid whose cells are not spacingM square (a resized preview); default: from spacingM. */
  axes?: { xAxis: AxisScale; yAxis: AxisScale };
  drawOverlay?: (overlay: PlotOverlayContext) => void;
  onPaint?: (cell: { col: number; row: number }, phase: 'start' | 'move' | 'end') => void;
}

/** The axes of a velocity grid [depth, width]: metres when its grid spacing is known, grid indices otherwise. */
export function useGridAxes(spacingM: number | null): { xAxis: AxisScale; yAxis: AxisScale } {
  return useMemo(
    () =>
      spacingM
        ? { xAxis: { label: 'Distance (m)', step: spacingM, origin: 0 }, yAxis: { label: 'Depth (m)', step: spacingM, origin: 0 } }
        : { xAxis: { label: 'Grid column', step: 1, origin: 0 }, yAxis: { label: 'Grid row', step: 1, origin: 0 } },
    [spacingM],
  );
}

/** The hover readout of a velocity grid: where the cell is, then its velocity in m/s. */
export function velocityReadout(cell: { col: number; row: number }, spacingM: number | null, xAxis: AxisScale, yAxis: AxisScale, valueMps: number): string {
  const position = spacingM ? `x ${formatNumber(cellValue(xAxis, cell.col))} m, z ${formatNumber(cellValue(yAxis, cell.row))} m` : `column ${cell.col}, row ${cell.row}`;
  return `${position} · ${formatNumber(valueMps)} m/s`;
}

/** A velocity model [depth, width] with physical axes, a hover readout in m/s and its colour bar (`<testId>-colorbar`). */
export function VelocityPlot({ velocityMps, nz, nx, spacingM, lut, min, max, testId, ariaLabel, height = 340, axes, drawOverlay, onPaint }: VelocityPlotProps) {
  const [hover, setHover] = useState<{ col: number; row: number } | null>(null);
  const raster = useMemo(() => rgbaToCanvas(valuesToRgba(velocityMps, lut, min, max), nx, nz), [velocityMps, lut, min, max, nx, nz]);
  const extent = useMemo(() => ({ cols: Math.max(1, nx), rows: Math.max(1, nz) }), [nx, nz]);
  const [view, setView] = useState<DataWindow>(() => fullWindow(extent));
  useEffect(() => setView(fullWindow(extent)), [extent]);
  const gridAxes = useGridAxes(spacingM);
  const { xAxis, yAxis } = axes ?? gridAxes;
  const aspect = (nx * Math.abs(xAxis.step)) / (nz * Math.abs(yAxis.step) || 1);
  const readout = hover ? velocityReadout(hover, spacingM, xAxis, yAxis, velocityMps[hover.row * nx + hover.col]) : '';
  return (
    <Box>
      <Typography variant="caption" component="div" sx={{ px: 1, fontFamily: 'monospace', height: 20, color: 'text.secondary' }} data-testid={`${testId}-readout`}>
        {readout}
      </Typography>
      <Box sx={{ display: 'flex', gap: 1, height, width: `${Math.round((height - 40) * aspect) + 80 + 92}px`, maxWidth: '100%' }}>
        <Box sx={{ flex: 1, minWidth: 0 }}>
          <PlotCanvas
            testId={testId}
            ariaLabel={ariaLabel}
            extent={extent}
            image={raster}
            drawOverlay={drawOverlay}
            xAxis={xAxis}
            yAxis={yAxis}
            xAxisPosition="top"
            view={view}
            onViewChange={setView}
            onHover={setHover}
            onReset={() => setView(fullWindow(extent))}
            onPaint={onPaint}
          />
        </Box>
        <ColorBar lut={lut} min={min} max={max} label="m/s" testId={`${testId}-colorbar`} />
      </Box>
    </Box>
  );
}
