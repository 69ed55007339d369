import { Box, Typography } from '@mui/material';
import { colormapGradient, type ColormapLut } from '../plot/colormaps.ts';

/** A compact horizontal colour bar for small images (gallery thumbnails): the map with its end values and unit. */
export function ColorStrip({ lut, min, max, unit, width, testId }: { lut: ColormapLut; min: number; max: number; unit: string; width: number; testId: string }) {
  return (
    <Box sx={{ width }} data-testid={testId} data-min={min} data-max={max} role="img" aria-label={`Colour bar from ${min} to ${max} ${unit}`}>
      <Box sx={{ height: 5, borderRadius: 0.5, background: colormapGradient(lut) }} />
      <Box sx={{ display: 'flex', justifyContent: 'space-between', fontSize: 9.5, lineHeight: 1.3, color: 'text.secondary', fontFamily: 'monospace' }}>
        <Typography component="span" sx={{ fontSize: 'inherit', fontFamily: 'inherit' }}>
          {min}
        </Typography>
        <Typography component="span" sx={{ fontSize: 'inherit', fontFamily: 'inherit' }}>
          {max} {unit}
        </Typography>
      </Box>
    </Box>
  );
}
