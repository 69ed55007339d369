import { Box, Typography } from '@mui/material';
import { formatTick, niceStep, niceTicks } from '../plot/ticks.ts';
import { SERIES_COLOURS } from './LineChart.tsx';

export interface ProfileCurve {
  label: string;
  /** v(z) in m/s, one value per grid row from the surface down. */
  velocityMps: Float32Array;
}

const MARGIN = { left: 52, right: 12, top: 40, bottom: 12 };

/**
 * Velocity–depth profiles: velocity (m/s) across the top, depth (m, or grid rows) increasing
 * downwards, as a well log is drawn. Each value is a step over its cell, so interfaces stay sharp.
 */
export function VelocityProfile({
  curves,
  spacingM,
  rangeMps,
  title,
  width = 240,
  height,
  testId,
}: {
  curves: ProfileCurve[];
  spacingM: number | null;
  rangeMps: { min: number; max: number };
  title: string;
  width?: number;
  height: number;
  testId: string;
}) {
  const nz = curves[0]?.velocityMps.length ?? 0;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = Math.max(20, height - MARGIN.top - MARGIN.bottom);
  const depthOf = (row: number) => (spacingM ? row * spacingM : row);
  const depthMax = depthOf(nz);
  const vx = (v: number) => MARGIN.left + ((v - rangeMps.min) / (rangeMps.max - rangeMps.min)) * plotW;
  const zy = (depth: number) => MARGIN.top + (depth / Math.max(1e-9, depthMax)) * plotH;
  const vTicks = niceTicks(rangeMps.min, rangeMps.max, Math.max(2, Math.floor(plotW / 60)));
  const vStep = niceStep(rangeMps.max - rangeMps.min, Math.max(2, Math.floor(plotW / 60)));
  const zTicks = niceTicks(0, depthMax, Math.max(2, Math.floor(plotH / 45)));
  const zStep = niceStep(depthMax, Math.max(2, Math.floor(plotH / 45)));
  const text = 'rgba(230,235,240,0.85)';
  return (
    <Box data-testid={testId} sx={{ flexShrink: 0 }}>
      <Typography variant="caption" component="div" sx={{ fontWeight: 600, height: 20 }} data-testid={`${testId}-title`}>
        {title}
      </Typography>
      <svg width={width} height={height} role="img" aria-label={title} style={{ display: 'block', fontFamily: 'system-ui, sans-serif', fontSize: 11 }}>
        <rect x={MARGIN.left} y={MARGIN.top} width={plotW} height={plotH} fill="rgba(255,255,255,0.02)" stroke="rgba(230,235,240,0.35)" />
        {vTicks.map((v) => (
          <g key={`v${v}`}>
            <line x1={vx(v)} x2={vx(v)} y1={MARGIN.top} y2={MARGIN.top + plotH} stroke="rgba(230,235,240,0.08)" />
            <text x={vx(v)} y={MARGIN.top - 6} textAnchor="middle" fill={text}>
              {formatTick(v, vStep)}
            </text>
          </g>
        ))}
        <text x={MARGIN.left + plotW} y={12} textAnchor="end" fill={text} fontWeight={600}>
          Velocity (m/s)
        </text>
        {zTicks.map((z) => (
          <g key={`z${z}`}>
            <line x1={MARGIN.left - 4} x2={MARGIN.left} y1={zy(z)} y2={zy(z)} stroke="rgba(230,235,240,0.35)" />
            <text x={MARGIN.left - 6} y={zy(z)} textAnchor="end" dominantBaseline="middle" fill={text}>
              {formatTick(z, zStep)}
            </text>
          </g>
        ))}
        <text transform={`translate(12 ${MARGIN.top + plotH / 2}) rotate(-90)`} textAnchor="middle" dominantBaseline="middle" fill={text} fontWeight={600}>
          {spacingM ? 'Depth (m)' : 'Grid row'}
        </text>
        {curves.map((curve, k) => {
          let d = '';
          curve.velocityMps.forEach((v, row) => {
            const x = vx(Math.min(rangeMps.max, Math.max(rangeMps.min, v)));
            d += `${row === 0 ? 'M' : 'L'}${x.toFixed(1)},${zy(depthOf(row)).toFixed(1)}L${x.toFixed(1)},${zy(depthOf(row + 1)).toFixed(1)}`;
          });
          return <path key={curve.label} d={d} fill="none" stroke={SERIES_COLOURS[k % SERIES_COLOURS.length]} strokeWidth={1.6} data-testid={`${testId}-curve`} />;
        })}
      </svg>
      <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap', pl: `${MARGIN.left}px`, maxWidth: width }}>
        {curves.map((curve, k) => (
          <Box key={curve.label} sx={{ display: 'flex', alignItems: 'center', gap: 0.5 }}>
            <Box sx={{ width: 12, height: 3, bgcolor: SERIES_COLOURS[k % SERIES_COLOURS.length], borderRadius: 1 }} />
            <Typography variant="caption">{curve.label}</Typography>
          </Box>
        ))}
      </Box>
    </Box>
  );
}
