import { useEffect, useRef } from 'react';
import type { ColormapLut } from '../plot/colormaps.ts';
import { valuesToRgba } from '../plot/image.ts';

/**
 * A small 2-D array [rows, cols] drawn through a colour map at a fixed display size (thumbnails,
 * training previews). No axes or interaction: the full plots are PlotCanvas and VelocityPlot.
 */
export function ArrayImage({ values, rows, cols, lut, min, max, width, height, testId, ariaLabel, dataName }: {
  values: Float32Array;
  rows: number;
  cols: number;
  lut: ColormapLut;
  min: number;
  max: number;
  width: number;
  height: number;
  testId: string;
  ariaLabel: string;
  dataName?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || rows <= 0 || cols <= 0) return;
    canvas.width = cols;
    canvas.height = rows;
    ctx.putImageData(new ImageData(valuesToRgba(values, lut, min, max) as Uint8ClampedArray<ArrayBuffer>, cols, rows), 0, 0);
  }, [values, rows, cols, lut, min, max]);
  return (
    <canvas
      ref={ref}
      data-testid={testId}
      data-name={dataName}
      role="img"
      aria-label={ariaLabel}
      style={{ width, height, imageRendering: 'pixelated', display: 'block', borderRadius: 2 }}
    />
  );
}
