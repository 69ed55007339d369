import { useEffect, useState } from 'react';
import { FormControl, IconButton, InputLabel, MenuItem, Select, Stack, TextField, Tooltip } from '@mui/material';
import ChevronLeftIcon from '@mui/icons-material/ChevronLeft';
import ChevronRightIcon from '@mui/icons-material/ChevronRight';
import type { DatasetInfo } from '../../../main/core/contract/contract.ts';
import { intParam } from '../app/routes.ts';

/**
 * The dataset and sample a viewer shows: from the URL's `dataset` and `sample` at first, then the first
 * of `datasets` (sample 0) whenever the chosen one is not among them.
 */
export function useDatasetSample(datasets: DatasetInfo[], params: Record<string, string>) {
  const [datasetId, setDatasetId] = useState<number | null>(() => (params.dataset ? intParam(params, 'dataset', -1) : null));
  const [sample, setSample] = useState(() => intParam(params, 'sample', 0));
  useEffect(() => {
    if (datasets.length > 0 && !datasets.some((d) => d.id === datasetId)) {
      setDatasetId(datasets[0].id);
      setSample(0);
    }
  }, [datasets, datasetId]);
  return { datasetId, setDatasetId, sample, setSample };
}

export function DatasetSelect({
  datasets,
  value,
  onChange,
  testId,
}: {
  datasets: DatasetInfo[];
  value: number | null;
  onChange: (id: number) => void;
  testId: string;
}) {
  const known = datasets.some((d) => d.id === value);
  return (
    <FormControl fullWidth size="small">
      <InputLabel id={`${testId}-label`}>Dataset</InputLabel>
      <Select
        labelId={`${testId}-label`}
        label="Dataset"
        value={known && value !== null ? String(value) : ''}
        onChange={(e) => onChange(Number(e.target.value))}
        data-testid={testId}
        slotProps={{ input: { 'data-testid': `${testId}-input` } as object }}
      >
        {datasets.map((d) => (
          <MenuItem key={d.id} value={String(d.id)} data-testid={`${testId}-option`} data-dataset-id={d.id}>
            {d.name}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

/**
 * An index chooser (sample, source) with previous/next buttons. The text field commits on Enter or
 * blur, so typing "12" does not fetch sample 1 first.
 */
export function IndexStepper({
  label,
  value,
  count,
  onChange,
  testId,
}: {
  label: string;
  value: number;
  /** Number of valid indices; null when unknown (no upper bound). */
  count: number | null;
  onChange: (index: number) => void;
  testId: string;
}) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const max = count === null ? Number.MAX_SAFE_INTEGER : Math.max(0, count - 1);
  const commit = () => {
    const parsed = Number.parseInt(text, 10);
    if (Number.isFinite(parsed)) onChange(Math.min(max, Math.max(0, parsed)));
    else setText(String(value));
  };
  return (
    <Stack direction="row" sx={{ alignItems: 'center' }} spacing={0.5}>
      <Tooltip title={`Previous ${label.toLowerCase()}`}>
        <span>
          <IconButton aria-label={`Previous ${label.toLowerCase()}`} disabled={value <= 0} onClick={() => onChange(value - 1)} data-testid={`${testId}-prev`}>
            <ChevronLeftIcon />
          </IconButton>
        </span>
      </Tooltip>
      <TextField
        label={label}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
        helperText={count === null ? ' ' : `of ${count} (0–${max})`}
        sx={{ flex: 1 }}
        slotProps={{ htmlInput: { 'data-testid': testId, inputMode: 'numeric', 'aria-label': label } }}
      />
      <Tooltip title={`Next ${label.toLowerCase()}`}>
        <span>
          <IconButton aria-label={`Next ${label.toLowerCase()}`} disabled={value >= max} onClick={() => onChange(value + 1)} data-testid={`${testId}-next`}>
            <ChevronRightIcon />
          </IconButton>
        </span>
      </Tooltip>
    </Stack>
  );
}
