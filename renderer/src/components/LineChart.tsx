import { useEffect, useMemo, useRef, useState } from 'react';
import { Box, Stack, Typography } from '@mui/material';
import { chartTicks, displayDomain, linePath, makeScale, nearestIndex, seriesExtent, type ChartSeries, type ScaleKind } from '../plot/lineChart.ts';
import { formatMetric } from '../models/format.ts';

/** Distinct colours on the dark theme, in series order. */
export const SERIES_COLOURS = ['#5eb1ef', '#f0a35e', '#7ed492', '#e57fd8', '#f2d35c', '#9fa8ff', '#ff7b7b', '#5fd3d0'];

const MARGIN = { left: 56, right: 12, top: 10, bottom: 34 };

function colourOf(series: ChartSeries, index: number): string {
  return series.colour ?? SERIES_COLOURS[index % SERIES_COLOURS.length];
}

export interface LineChartProps {
  series: readonly ChartSeries[];
  yScale?: ScaleKind;
  xLabel?: string;
  yLabel?: string;
  height?: number;
  testId: string;
  /** Said when there is nothing to draw yet. */
  emptyText?: string;
  formatValue?: (value: number | null) => string;
}

/**
 * A line chart of series over steps in SVG, with ticked axes, a legend, and a hover readout of every
 * series' value at the step nearest the pointer (`<testId>-readout`).
 */
export function LineChart({ series, yScale = 'linear', xLabel = 'Step', yLabel, height = 220, testId, emptyText = 'No values yet.', formatValue = formatMetric }: LineChartProps) {
  const boxRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [hoverX, setHoverX] = useState<number | null>(null);

  useEffect(() => {
    const el = boxRef.current;
    if (!el) return;
    const observer = new ResizeObserver((entries) => setWidth(Math.floor(entries[0].contentRect.width)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const layout = useMemo(() => {
    const extent = seriesExtent(series, yScale);
    if (!extent || width === 0) return null;
    const plotWidth = Math.max(20, width - MARGIN.left - MARGIN.right);
    const plotHeight = Math.max(20, height - MARGIN.top - MARGIN.bottom);
    const xDomain = extent.x.min === extent.x.max ? { min: extent.x.min - 1, max: extent.x.max + 1 } : extent.x;
    const yDomain = displayDomain(extent.y, yScale);
    const x = makeScale(xDomain, MARGIN.left, MARGIN.left + plotWidth, 'linear');
    const y = makeScale(yDomain, MARGIN.top + plotHeight, MARGIN.top, yScale);
    const xTicks = chartTicks(xDomain, 'linear', Math.max(2, Math.floor(plotWidth / 80)), true);
    const yTicks = chartTicks(yDomain, yScale, Math.max(2, Math.floor(plotHeight / 36)));
    const paths = series.map((s) => linePath(s.points, x, y, yScale));
    return { plotWidth, plotHeight, xDomain, yDomain, x, y, xTicks, yTicks, paths };
  }, [series, yScale, width, height]);

  const pointCount = series.reduce((n, s) => n + s.points.length, 0);
  const hover = useMemo(() => {
    if (hoverX === null || !layout) return null;
    const step = layout.xDomain.min + ((hoverX - MARGIN.left) / layout.plotWidth) * (layout.xDomain.max - layout.xDomain.min);
    const values = series.map((s) => {
      const i = nearestIndex(s.points, step);
      return i < 0 ? null : s.points[i];
    });
    const nearest = values.reduce<number | null>((best, p) => (p && (best === null || Math.abs(p.x - step) < Math.abs(best - step)) ? p.x : best), null);
    if (nearest === null) return null;
    return { step: nearest, values: series.map((s, k) => (values[k] && values[k].x === nearest ? values[k].y : null)) };
  }, [hoverX, layout, series]);

  return (
    <Box data-testid={testId} data-series={series.length} data-points={pointCount} data-scale={yScale}>
      <Stack direction="row" sx={{ flexWrap: 'wrap', columnGap: 1.5, rowGap: 0, minHeight: 20, alignItems: 'center' }}>
        {series.map((s, k) => (s.faded ? null :
          <Stack key={s.key} direction="row" spacing={0.5} sx={{ alignItems: 'center' }} data-testid={`${testId}-legend`} data-key={s.key}>
            <Box sx={{ width: 12, height: 3, bgcolor: colourOf(s, k), borderRadius: 1 }} />
            <Typography variant="caption">{s.label}</Typography>
          </Stack>
        ))}
        <Box sx={{ flex: 1 }} />
        <Typography variant="caption" color="text.secondary" sx={{ fontFamily: 'monospace' }} data-testid={`${testId}-readout`}>
          {hover ? `${xLabel.toLowerCase()} ${hover.step}: ${series.flatMap((s, k) => (s.faded ? [] : [`${s.label} ${formatValue(hover.values[k])}`])).join(' · ')}` : ''}
        </Typography>
      </Stack>
      <Box ref={boxRef} sx={{ position: 'relative', width: '100%', height }}>
        {!layout ? (
          <Stack sx={{ height: '100%', alignItems: 'center', justifyContent: 'center', border: 1, borderColor: 'divider', borderRadius: 1 }}>
            <Typography variant="body2" color="text.secondary" data-testid={`${testId}-empty`}>
              {emptyText}
            </Typography>
          </Stack>
        ) : (
          <svg
            width={width}
            height={height}
            role="img"
            aria-label={`${yLabel ?? 'Values'} over ${xLabel.toLowerCase()}`}
            onMouseMove={(e) => {
              const bounds = e.currentTarget.getBoundingClientRect();
              const sx = e.clientX - bounds.left;
              setHoverX(sx >= MARGIN.left && sx <= MARGIN.left + layout.plotWidth ? sx : null);
            }}
            onMouseLeave={() => setHoverX(null)}
            style={{ display: 'block', fontFamily: 'system-ui, sans-serif', fontSize: 11 }}
          >
            <rect x={MARGIN.left} y={MARGIN.top} width={layout.plotWidth} height={layout.plotHeight} fill="rgba(255,255,255,0.02)" stroke="rgba(230,235,240,0.35)" />
            {layout.yTicks.map((t) => {
              const py = Math.round(layout.y(t.value)) + 0.5;
              return (
                <g key={`y${t.value}`}>
                  <line x1={MARGIN.left} x2={MARGIN.left + layout.plotWidth} y1={py} y2={py} stroke="rgba(230,235,240,0.08)" />
                  <line x1={MARGIN.left - 4} x2={MARGIN.left} y1={py} y2={py} stroke="rgba(230,235,240,0.35)" />
                  <text x={MARGIN.left - 6} y={py} textAnchor="end" dominantBaseline="middle" fill="rgba(230,235,240,0.85)">
                    {t.label}
                  </text>
                </g>
              );
            })}
            {layout.xTicks.map((t) => {
              const px = Math.round(layout.x(t.value)) + 0.5;
              const bottom = MARGIN.top + layout.plotHeight;
              return (
                <g key={`x${t.value}`}>
                  <line x1={px} x2={px} y1={bottom} y2={bottom + 4} stroke="rgba(230,235,240,0.35)" />
                  <text x={px} y={bottom + 6} textAnchor="middle" dominantBaseline="hanging" fill="rgba(230,235,240,0.85)">
                    {t.label}
                  </text>
                </g>
              );
            })}
            <text x={MARGIN.left + layout.plotWidth} y={height - 2} textAnchor="end" fill="rgba(230,235,240,0.85)" fontWeight={600}>
              {xLabel}
            </text>
            {yLabel && (
              <text transform={`translate(12 ${MARGIN.top + layout.plotHeight / 2}) rotate(-90)`} textAnchor="middle" dominantBaseline="middle" fill="rgba(230,235,240,0.85)" fontWeight={600}>
                {yLabel}
              </text>
            )}
            <g clipPath={`url(#${testId}-clip)`}>
              <clipPath id={`${testId}-clip`}>
                <rect x={MARGIN.left} y={MARGIN.top} width={layout.plotWidth} height={layout.plotHeight} />
              </clipPath>
              {layout.paths.map((d, k) => (
                <path key={series[k].key} d={d} fill="none" stroke={colourOf(series[k], k)} strokeOpacity={series[k].faded ? 0.28 : 1} strokeWidth={series[k].faded ? 1 : 1.6} strokeLinejoin="round" data-testid={`${testId}-line`} data-faded={series[k].faded ? 'true' : undefined} />
              ))}
              {/* Single points (a run with one report so far) would draw no line: mark every point when there are few. */}
              {series.map((s, k) =>
                s.points.length <= 24 && !s.faded
                  ? s.points.map((p) =>
                      p.y !== null && Number.isFinite(p.y) && (yScale === 'linear' || p.y > 0) ? (
                        <circle key={`${s.key}-${p.x}`} cx={layout.x(p.x)} cy={layout.y(p.y)} r={2.5} fill={colourOf(s, k)} />
                      ) : null,
                    )
                  : null,
              )}
              {hover && (
                <line x1={layout.x(hover.step)} x2={layout.x(hover.step)} y1={MARGIN.top} y2={MARGIN.top + layout.plotHeight} stroke="rgba(230,235,240,0.5)" strokeDasharray="3 3" />
              )}
            </g>
          </svg>
        )}
      </Box>
    </Box>
  );
}
