import { useEffect, useRef } from 'react';
import { Box } from '@mui/material';
import { LUT_SIZE, type ColormapLut } from '../plot/colormaps.ts';
import { formatTick, niceStep, niceTicks } from '../plot/ticks.ts';

/** A vertical colour bar from `min` (bottom) to `max` (top) with ticks and a unit label. */
export function ColorBar({ lut, min, max, label, testId, height = '100%' }: { lut: ColormapLut; min: number; max: number; label: string; testId: string; height?: number | string }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    const box = boxRef.current;
    if (!canvas || !box) return;
    const draw = () => {
      const width = box.clientWidth;
      const heightPx = box.clientHeight;
      if (width === 0 || heightPx === 0) return;
      const dpr = window.devicePixelRatio || 1;
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(heightPx * dpr);
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, width, heightPx);
      const top = 40;
      const bottom = heightPx - 16;
      const barLeft = 8;
      const barWidth = 16;
      const span = bottom - top;
      for (let i = 0; i < LUT_SIZE; i++) {
        const y0 = bottom - ((i + 1) / LUT_SIZE) * span;
        ctx.fillStyle = `rgb(${lut.rgb[i * 3]}, ${lut.rgb[i * 3 + 1]}, ${lut.rgb[i * 3 + 2]})`;
        ctx.fillRect(barLeft, Math.floor(y0), barWidth, Math.ceil(span / LUT_SIZE) + 1);
      }
      ctx.strokeStyle = 'rgba(230,235,240,0.35)';
      ctx.strokeRect(barLeft + 0.5, top + 0.5, barWidth - 1, span - 1);
      ctx.fillStyle = 'rgba(230,235,240,0.85)';
      ctx.font = '11px system-ui, sans-serif';
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'left';
      if (max > min) {
        const maxTicks = Math.max(2, Math.floor(span / 40));
        const step = niceStep(max - min, maxTicks);
        ctx.beginPath();
        for (const value of niceTicks(min, max, maxTicks)) {
          const y = Math.round(bottom - ((value - min) / (max - min)) * span) + 0.5;
          ctx.moveTo(barLeft + barWidth, y);
          ctx.lineTo(barLeft + barWidth + 4, y);
          ctx.fillText(formatTick(value, step), barLeft + barWidth + 6, y);
        }
        ctx.stroke();
      } else {
        ctx.fillText(formatTick(min, 1), barLeft + barWidth + 6, (top + bottom) / 2);
      }
      ctx.font = '600 11px system-ui, sans-serif';
      ctx.textBaseline = 'bottom';
      ctx.fillText(label, barLeft - 4, top - 12);
    };
    draw();
    const observer = new ResizeObserver(draw);
    observer.observe(box);
    return () => observer.disconnect();
  }, [lut, min, max, label]);

  return (
    <Box ref={boxRef} sx={{ position: 'relative', width: 84, height, flexShrink: 0 }}>
      <canvas ref={canvasRef} data-testid={testId} role="img" aria-label={`Colour bar, ${label}, from ${min} to ${max}`} style={{ position: 'absolute', inset: 0, width: '100%', height: '100%' }} />
    </Box>
  );
}
