import { useEffect, useMemo, useState } from 'react';
import {
  Box,
  Button,
  Chip,
  FormControl,
  FormControlLabel,
  InputLabel,
  LinearProgress,
  MenuItem,
  Paper,
  Select,
  Stack,
  Switch,
  Typography,
} from '@mui/material';
import StopIcon from '@mui/icons-material/Stop';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import type { JobInfo } from '../../../main/core/contract/contract.ts';
import { useStudio } from '../api/context.tsx';
import { useApiAction } from '../api/hooks.ts';
import { ArrayImage } from '../components/ArrayImage.tsx';
import { ErrorAlert } from '../components/common.tsx';
import { LineChart } from '../components/LineChart.tsx';
import { formatDuration, formatRate, progressFraction } from '../app/humanReadable.ts';
import { absPercentile, finiteRange } from '../plot/amplitude.ts';
import { colormap } from '../plot/colormaps.ts';
import { decodeFloat32, type Float32Grid } from '../plot/decode.ts';
import { formatMetric, formatParameters } from '../models/format.ts';
import { lossKeys, metricKeys, seriesOf, trainingLabels, type PreviewEntry } from '../models/trainingSeries.ts';
import { useTrainingCurves } from '../models/useTrainingCurves.ts';

/** One training job: live curves from its trainer messages, its reconstructions, cancel and resume. */
export function TrainingRunPanel({ job }: { job: JobInfo }) {
  const { curves, error } = useTrainingCurves(job.id);
  const [logScale, setLogScale] = useState(true);
  const cancel = useApiAction('job.cancel');
  const resume = useApiAction('job.resume');

  const losses = useMemo(() => seriesOf(curves.progress, lossKeys(curves), trainingLabels), [curves]);
  const lr = useMemo(() => seriesOf(curves.progress, ['lr'], trainingLabels), [curves]);
  const throughput = useMemo(() => seriesOf(curves.progress, ['samples_per_s'], trainingLabels), [curves]);
  const metrics = useMemo(() => seriesOf(curves.metrics, metricKeys(curves), trainingLabels), [curves]);
  const start = curves.start;
  const lastProgress = curves.progress.at(-1)?.values;
  const fraction = progressFraction(job.progress);
  const active = job.status === 'queued' || job.status === 'running';
  const canResume = (job.status === 'interrupted' || job.status === 'cancelled' || job.status === 'failed') && job.resumable;
  const lastMetrics = curves.metrics.at(-1);

  return (
    <Paper variant="outlined" sx={{ p: 2 }} data-testid="training-run" data-job-id={job.id} data-status={job.status} data-step={curves.latestStep}>
      <Stack direction="row" sx={{ alignItems: 'center', gap: 1, flexWrap: 'wrap', mb: 1 }}>
        <Typography variant="h6" sx={{ flex: 1, minWidth: 240 }} data-testid="training-run-title">
          {job.title}
        </Typography>
        <Chip size="small" label={job.status} color={job.status === 'done' ? 'success' : job.status === 'failed' ? 'error' : job.status === 'running' ? 'primary' : 'default'} data-testid="training-run-status" />
        {active && (
          <Button startIcon={<StopIcon />} color="warning" variant="outlined" disabled={cancel.busy} onClick={() => void cancel.run({ jobId: job.id }).catch(() => undefined)} data-testid="training-cancel">
            Cancel
          </Button>
        )}
        {canResume && (
          <Button startIcon={<PlayArrowIcon />} variant="outlined" disabled={resume.busy} onClick={() => void resume.run({ jobId: job.id }).catch(() => undefined)} data-testid="training-resume">
            Resume
          </Button>
        )}
      </Stack>
      <ErrorAlert error={cancel.error ?? resume.error} testId="training-action-error" />
      <ErrorAlert error={error} testId="training-events-error" />
      {job.error && job.status !== 'done' && (
        <Typography variant="body2" color="error" sx={{ mb: 1, whiteSpace: 'pre-wrap' }} data-testid="training-run-error">
          {job.error}
        </Typography>
      )}
      {active && <LinearProgress variant={fraction === null ? 'indeterminate' : 'determinate'} value={(fraction ?? 0) * 100} sx={{ mb: 1 }} />}
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }} data-testid="training-run-summary">
        {[
          `step ${curves.latestStep}${curves.totalSteps ? ` of ${curves.totalSteps}` : ''}`,
          start ? `${String(start.device ?? '?')}, ${String(start.threads ?? '?')} thread${start.threads === 1 ? '' : 's'}, torch ${String(start.torch_version ?? '?')}` : null,
          start && typeof start.parameters === 'number' ? `${formatParameters(start.parameters)} parameters` : null,
          start && typeof start.train_samples === 'number' ? `${start.train_samples} training / ${String(start.val_samples ?? '?')} held-out samples, batch ${String(start.batch_size ?? '?')}` : null,
          lastProgress && typeof lastProgress.elapsed_s === 'number' ? `trained ${formatDuration(lastProgress.elapsed_s)}` : null,
          active && job.etaSeconds !== null ? `ETA ${formatDuration(job.etaSeconds)}` : null,
          start?.resumed ? 'resumed' : null,
        ]
          .filter(Boolean)
          .join(' · ')}
      </Typography>

      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: '1fr 1fr' }, gap: 2 }}>
        <Box>
          <Stack direction="row" sx={{ alignItems: 'center' }}>
            <Typography variant="subtitle2" sx={{ flex: 1 }}>
              Losses
            </Typography>
            <FormControlLabel
              control={<Switch size="small" checked={logScale} onChange={(e) => setLogScale(e.target.checked)} slotProps={{ input: { 'data-testid': 'training-loss-log' } as object }} />}
              label={<Typography variant="caption">Log scale</Typography>}
            />
          </Stack>
          <LineChart series={losses} yScale={logScale ? 'log' : 'linear'} yLabel="Loss" testId="training-loss-chart" emptyText="No loss reported yet." />
        </Box>
        <Box>
          <Stack direction="row" sx={{ alignItems: 'baseline', gap: 1, minHeight: 38, flexWrap: 'wrap' }}>
            <Typography variant="subtitle2">Held-out metrics</Typography>
            {lastMetrics && (
              <Typography variant="caption" color="text.secondary" data-testid="training-metrics-latest">
                step {lastMetrics.step}: {Object.entries(lastMetrics.values).slice(0, 4).map(([k, v]) => `${trainingLabels[k] ?? k} ${formatMetric(v)}`).join(' · ')}
              </Typography>
            )}
          </Stack>
          <LineChart series={metrics} yLabel="Metric" testId="training-metrics-chart" emptyText="Metrics come at the end of training, or every “Metrics every” steps." />
        </Box>
        <Box>
          <Typography variant="subtitle2">Learning rate</Typography>
          <LineChart series={lr} height={160} yLabel="LR" testId="training-lr-chart" emptyText="No learning rate reported yet." formatValue={(v) => (v === null ? '—' : v.toExponential(2))} />
        </Box>
        <Box>
          <Typography variant="subtitle2">
            Throughput {lastProgress && typeof lastProgress.samples_per_s === 'number' ? `(${formatRate(lastProgress.samples_per_s, 'samples')})` : ''}
          </Typography>
          <LineChart series={throughput} height={160} yLabel="samples/s" testId="training-throughput-chart" emptyText="No throughput reported yet." />
        </Box>
      </Box>

      <PreviewSection jobId={job.id} previews={curves.previews} />
    </Paper>
  );
}

/** Previews shown at most: the trainer keeps its last 10 preview folders by default (--keep-previews). */
const PREVIEWS_LISTED = 10;

function PreviewSection({ jobId, previews }: { jobId: number; previews: PreviewEntry[] }) {
  const listed = previews.slice(-PREVIEWS_LISTED);
  const [chosen, setChosen] = useState<number | null>(null);
  // Follow the newest preview unless the user picked an older one that is still listed.
  const entry = listed.find((p) => p.step === chosen) ?? listed.at(-1) ?? null;
  return (
    <Box sx={{ mt: 2 }} data-testid="training-previews">
      <Stack direction="row" sx={{ alignItems: 'center', gap: 2, mb: 1 }}>
        <Typography variant="subtitle2" sx={{ flex: 1 }}>
          Reconstructions of a held-out sample
        </Typography>
        {listed.length > 0 && (
          <FormControl sx={{ minWidth: 160 }}>
            <InputLabel id="training-preview-step-label">Step</InputLabel>
            <Select
              labelId="training-preview-step-label"
              label="Step"
              value={entry ? String(entry.step) : ''}
              onChange={(e) => setChosen(Number(e.target.value))}
              data-testid="training-preview-step"
            >
              {listed.map((p) => (
                <MenuItem key={p.step} value={String(p.step)} data-testid="training-preview-step-option" data-step={p.step}>
                  step {p.step}
                  {p === listed.at(-1) ? ' (latest)' : ''}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
        )}
      </Stack>
      {entry ? (
        <PreviewImages key={`${jobId}-${entry.step}`} jobId={jobId} entry={entry} />
      ) : (
        <Typography variant="body2" color="text.secondary" data-testid="training-previews-empty">
          Previews are written every “Preview every” steps and at the end.
        </Typography>
      )}
    </Box>
  );
}

interface LoadedPreview {
  name: string;
  grid: Float32Grid | null;
  error: string | null;
}

/** Display names of the trainer's preview files. */
const PREVIEW_LABELS: Record<string, string> = {
  seismic_target: 'Seismic target',
  seismic_reconstruction: 'Seismic reconstruction',
  seismic_difference: 'Seismic difference',
  velocity_target: 'Velocity target',
  velocity_reconstruction: 'Velocity reconstruction',
  velocity_prediction: 'Velocity prediction',
  velocity_denoised: 'Velocity denoised (t = 100)',
  velocity_difference: 'Velocity difference',
  sample_seismic: 'Generated seismic',
  sample_velocity: 'Generated velocity',
};
const PREVIEW_ORDER = Object.keys(PREVIEW_LABELS);

function PreviewImages({ jobId, entry }: { jobId: number; entry: PreviewEntry }) {
  const client = useStudio();
  const [loaded, setLoaded] = useState<LoadedPreview[]>([]);
  useEffect(() => {
    let live = true;
    const names = Object.keys(entry.files).sort((a, b) => rank(a) - rank(b));
    void Promise.all(
      names.map(async (name): Promise<LoadedPreview> => {
        try {
          return { name, grid: decodeFloat32(await client.call('train.preview', { jobId, file: entry.files[name] })), error: null };
        } catch (e) {
          return { name, grid: null, error: (e as Error).message };
        }
      }),
    ).then((list) => {
      if (live) setLoaded(list);
    });
    return () => {
      live = false;
    };
  }, [client, jobId, entry]);

  const seismic = loaded.filter((p) => p.name.includes('seismic'));
  const velocity = loaded.filter((p) => !p.name.includes('seismic'));
  return (
    <Stack spacing={1.5} data-testid="training-preview" data-step={entry.step} data-loaded={loaded.length}>
      {seismic.length > 0 && <PreviewRow items={seismic} kind="seismic" />}
      {velocity.length > 0 && <PreviewRow items={velocity} kind="velocity" />}
    </Stack>
  );
}

/** Median of the finite values (a sorted copy; previews are small). */
function medianOf(values: Float32Array): number {
  const finite = Float32Array.from(values.filter((v) => Number.isFinite(v))).sort();
  return finite.length === 0 ? 0 : finite[finite.length >> 1];
}

function rank(name: string): number {
  const i = PREVIEW_ORDER.indexOf(name);
  return i < 0 ? PREVIEW_ORDER.length : i;
}

/**
 * A row of previews sharing one colour range so they compare: seismic ±(99th percentile of |target|),
 * velocity on the networks' normalised [−1, 1]; differences get a symmetric range of their own,
 * written under them.
 */
function PreviewRow({ items, kind }: { items: LoadedPreview[]; kind: 'seismic' | 'velocity' }) {
  const reference = items.find((p) => p.name.endsWith('target'))?.grid ?? items.find((p) => p.grid)?.grid ?? null;
  // Normalised seismic is not centred on zero amplitude: centre the diverging map on the target's
  // median (its quiet background) and clip at the 99th percentile of the deviation from it.
  const seismicScale = useMemo(() => {
    if (kind !== 'seismic' || !reference) return { centre: 0, half: 1 };
    const centre = medianOf(reference.values);
    const shifted = new Float32Array(reference.values.length);
    for (let i = 0; i < shifted.length; i++) shifted[i] = reference.values[i] - centre;
    return { centre, half: absPercentile(shifted, 99) || 1 };
  }, [kind, reference]);
  return (
    <Stack direction="row" sx={{ gap: 2, flexWrap: 'wrap' }}>
      {items.map((p) => {
        if (!p.grid) {
          return (
            <Box key={p.name} sx={{ width: 160 }} data-testid="training-preview-missing" data-name={p.name}>
              <Typography variant="caption">{PREVIEW_LABELS[p.name] ?? p.name}</Typography>
              <Typography variant="caption" color="text.secondary" component="div">
                {p.error}
              </Typography>
            </Box>
          );
        }
        const shape = p.grid.shape;
        const rows = shape.length >= 2 ? shape[shape.length - 2] : 1;
        const cols = shape[shape.length - 1] ?? 1;
        const isDifference = p.name.endsWith('difference');
        const isSeismic = kind === 'seismic';
        let min: number;
        let max: number;
        if (isDifference) {
          const [lo, hi] = finiteRange(p.grid.values);
          const half = isSeismic ? seismicScale.half : Math.max(Math.abs(lo), Math.abs(hi)) || 1;
          min = -half;
          max = half;
        } else if (isSeismic) {
          min = seismicScale.centre - seismicScale.half;
          max = seismicScale.centre + seismicScale.half;
        } else {
          min = -1;
          max = 1;
        }
        const lut = colormap(isSeismic || isDifference ? 'seismic' : 'turbo');
        const width = isSeismic ? 150 : 170;
        const height = isSeismic ? 210 : Math.round((170 * rows) / Math.max(1, cols));
        return (
          <Box key={p.name}>
            <Typography variant="caption" component="div">
              {PREVIEW_LABELS[p.name] ?? p.name}
            </Typography>
            <ArrayImage
              values={p.grid.values}
              rows={rows}
              cols={cols}
              lut={lut}
              min={min}
              max={max}
              width={width}
              height={height}
              testId="training-preview-image"
              dataName={p.name}
              ariaLabel={`${PREVIEW_LABELS[p.name] ?? p.name}, ${rows} × ${cols}`}
            />
            <Typography variant="caption" color="text.secondary" component="div">
              {rows} × {cols} · {isDifference ? `±${formatMetric(max, 2)}` : isSeismic ? `${formatMetric(min, 2)} to ${formatMetric(max, 2)}` : '[−1, 1]'}
            </Typography>
          </Box>
        );
      })}
    </Stack>
  );
}
