import type { ReactNode } from 'react';
import { Box, Slider, Typography, type SxProps, type Theme } from '@mui/material';

export interface LabelledSliderProps {
  /** Element id of the label, which names the slider (`aria-labelledby`). */
  labelId: string;
  /** `data-testid` of the slider's `<input>`. */
  testId: string;
  label: ReactNode;
  /** `data-testid` of the label, where a test reads it. */
  labelTestId?: string;
  noWrap?: boolean;
  value: number;
  min: number;
  max: number;
  step: number;
  onChange: (value: number) => void;
  sx?: SxProps<Theme>;
}

/** A small slider under a line of text that names it (and usually shows its value). */
export function LabelledSlider({ labelId, testId, label, labelTestId, noWrap, value, min, max, step, onChange, sx }: LabelledSliderProps) {
  return (
    <Box sx={sx}>
      <Typography variant="body2" id={labelId} noWrap={noWrap} data-testid={labelTestId}>
        {label}
      </Typography>
      <Slider
        value={value}
        min={min}
        max={max}
        step={step}
        onChange={(_e, v) => onChange(v as number)}
        size="small"
        slotProps={{ input: { 'aria-labelledby': labelId, 'data-testid': testId } as object }}
      />
    </Box>
  );
}
