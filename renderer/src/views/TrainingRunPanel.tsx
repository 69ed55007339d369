import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Box,
  Button,
  Chip,
  FormControl,
  InputLabel,
  LinearProgress,
  MenuItem,
  Paper,
  Select,
  Stack,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from '@mui/material';
import StopIcon from '@mui/icons-material/Stop';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import type { JobInfo, TrainingSampling } from '../../../main/core/contract/contract.ts';
import { useStudio } from '../api/context.tsx';
import { useApiAction, useApiQuery } from '../api/hooks.ts';
import { ColorBar } from '../components/ColorBar.tsx';
import { PlotCanvas } from '../components/PlotCanvas.tsx';
import { rgbaToCanvas } from '../components/raster.ts';
import { VelocityPlot } from '../components/VelocityPlot.tsx';
import { normalisedErrorToMps, normalisedToMps, OPENFWI_VELOCITY_RANGE_MPS } from '../../../main/core/contract/velocityRange.ts';
import { valuesToRgba } from '../plot/image.ts';
import { fullWindow, type DataWindow } from '../plot/viewport.ts';
import { ErrorAlert } from '../components/common.tsx';
import { LabelledSlider } from '../components/LabelledSlider.tsx';
import { LineChart, SERIES_COLOURS } from '../components/LineChart.tsx';
import { autoScale } from '../plot/smoothing.ts';
import { formatDuration, formatNumber, formatRate, progressFraction } from '../app/humanReadable.ts';
import { absPercentile } from '../plot/amplitude.ts';
import { colormap } from '../plot/colormaps.ts';
import { decodeFloat32, type Float32Grid } from '../plot/decode.ts';
import { formatMetric, formatParameters } from '../models/format.ts';
import { chartUnit, keysOfRuns, lossKeys, metricKeys, panelSeries, trainingLabels, type PreviewEntry, type RunCurves, type TrainingCurves } from '../models/trainingSeries.ts';
import { useTrainingCurves } from '../models/useTrainingCurves.ts';
import { seismicPreviewAxes, velocityPreviewAxes } from '../models/previewAxes.ts';

/** One training job: live curves from its trainer messages, its reconstructions, cancel and resume. */
export function TrainingRunPanel({ job, compareCandidates = [] }: { job: JobInfo; compareCandidates?: readonly JobInfo[] }) {
  const { curves, error } = useTrainingCurves(job.id);
  const cancel = useApiAction('job.cancel');
  const resume = useApiAction('job.resume');

  const start = curves.start;
  const lastProgress = curves.progress.at(-1)?.values;
  const fraction = progressFraction(job.progress);
  const active = job.status === 'queued' || job.status === 'running';
  const canResume = (job.status === 'interrupted' || job.status === 'cancelled' || job.status === 'failed') && job.resumable;

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
          start ? paddedTracesText(start.padded_traces, start.held_out_padded_traces) : null,
          lastProgress && typeof lastProgress.elapsed_s === 'number' ? `trained ${formatDuration(lastProgress.elapsed_s)}` : null,
          lastProgress && typeof lastProgress.samples_per_s === 'number' ? formatRate(lastProgress.samples_per_s, 'samples') : null,
          active && job.etaSeconds !== null ? `ETA ${formatDuration(job.etaSeconds)}` : null,
          start?.resumed ? 'resumed' : null,
        ]
          .filter(Boolean)
          .join(' · ')}
      </Typography>

      <CurvePanels job={job} curves={curves} compareCandidates={compareCandidates} />

      <PreviewSection jobId={job.id} previews={curves.previews} />
    </Paper>
  );
}

/** The trainer's count of padded traces it masks out of the seismic loss; null when there are none. */
function paddedTracesText(training: unknown, heldOut: unknown): string | null {
  const n = typeof training === 'number' ? training : 0;
  const m = typeof heldOut === 'number' ? heldOut : 0;
  if (n + m === 0) return null;
  return `${n} training + ${m} held-out padded trace${n + m === 1 ? '' : 's'} masked out of the seismic loss`;
}

/** TensorBoard's default smoothing weight. */
const DEFAULT_SMOOTHING = 0.6;
type ScaleMode = 'auto' | 'linear' | 'log';

/**
 * The run's curves as small multiples, one axis per quantity (a seismic relative L2 of 45 no longer
 * flattens an MAE of 0.05): each loss term, each held-out metric (velocity errors in m/s), the
 * learning rate and the throughput; smoothed with TensorBoard's EMA, with other runs overlaid.
 */
function CurvePanels({ job, curves, compareCandidates }: { job: JobInfo; curves: TrainingCurves; compareCandidates: readonly JobInfo[] }) {
  const [smoothing, setSmoothing] = useState(DEFAULT_SMOOTHING);
  const [scaleMode, setScaleMode] = useState<ScaleMode>('auto');
  const [compared, setCompared] = useState<number[]>([]);
  const [others, setOthers] = useState<Record<number, TrainingCurves>>({});
  const candidates = compareCandidates.filter((j) => j.id !== job.id);
  const onCurves = useCallback((jobId: number, c: TrainingCurves) => setOthers((o) => (o[jobId] === c ? o : { ...o, [jobId]: c })), []);

  const runs: RunCurves[] = useMemo(
    () => [
      { jobId: job.id, title: job.title, colour: SERIES_COLOURS[0], curves },
      ...compared.flatMap((id, k) => {
        const other = candidates.find((j) => j.id === id);
        return other && others[id] ? [{ jobId: id, title: other.title, colour: SERIES_COLOURS[(k + 1) % SERIES_COLOURS.length], curves: others[id] }] : [];
      }),
    ],
    [job.id, job.title, curves, compared, candidates, others],
  );
  const panels = useMemo(() => {
    const list: { key: string; source: 'progress' | 'metrics'; group: string }[] = [
      ...keysOfRuns(runs, lossKeys).map((key) => ({ key, source: 'progress' as const, group: 'Loss' })),
      ...keysOfRuns(runs, metricKeys).map((key) => ({ key, source: 'metrics' as const, group: 'Held-out' })),
      ...['lr', 'samples_per_s'].filter((key) => runs.some((r) => r.curves.progress.some((p) => key in p.values))).map((key) => ({ key, source: 'progress' as const, group: '' })),
    ];
    return list.map((p) => {
      const series = panelSeries(runs, p.source, p.key, p.key === 'lr' || p.key === 'samples_per_s' ? 0 : smoothing);
      const scale = scaleMode === 'auto' ? autoScale(series.map((s) => s.points)) : scaleMode;
      return { ...p, series, scale };
    });
  }, [runs, smoothing, scaleMode]);

  return (
    <Box data-testid="training-curves" data-runs={runs.length}>
      {compared.map((id) => (
        <RunCurvesLoader key={id} jobId={id} onCurves={onCurves} />
      ))}
      <Stack direction="row" sx={{ alignItems: 'center', gap: 2, flexWrap: 'wrap', mb: 1 }}>
        <LabelledSlider
          labelId="training-smoothing-label"
          testId="training-smoothing"
          label={<>Smoothing {smoothing.toFixed(2)}</>}
          noWrap
          value={smoothing}
          min={0}
          max={0.99}
          step={0.01}
          onChange={setSmoothing}
          sx={{ width: 200 }}
        />
        <ToggleButtonGroup exclusive size="small" value={scaleMode} onChange={(_e, v: ScaleMode | null) => v && setScaleMode(v)} aria-label="Y axis">
          <ToggleButton value="auto" data-testid="training-scale-auto">
            Auto axis
          </ToggleButton>
          <ToggleButton value="linear" data-testid="training-scale-linear">
            Linear
          </ToggleButton>
          <ToggleButton value="log" data-testid="training-scale-log">
            Log
          </ToggleButton>
        </ToggleButtonGroup>
        <FormControl size="small" sx={{ minWidth: 260, flex: 1, maxWidth: 520 }} disabled={candidates.length === 0}>
          <InputLabel id="training-compare-label">Overlay runs</InputLabel>
          <Select
            labelId="training-compare-label"
            label="Overlay runs"
            multiple
            value={compared}
            onChange={(e) => setCompared(typeof e.target.value === 'string' ? [] : e.target.value)}
            renderValue={(ids) => ids.map((id) => candidates.find((j) => j.id === id)?.title ?? `#${id}`).join(', ')}
            data-testid="training-compare"
          >
            {candidates.map((j) => (
              <MenuItem key={j.id} value={j.id} data-testid="training-compare-option" data-job-id={j.id}>
                {j.title} · {j.status}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
      </Stack>
      {runs.length > 1 && (
        <Stack direction="row" sx={{ gap: 2, flexWrap: 'wrap', mb: 1 }} data-testid="training-compare-legend">
          {runs.map((r) => (
            <Stack key={r.jobId} direction="row" spacing={0.5} sx={{ alignItems: 'center' }}>
              <Box sx={{ width: 14, height: 3, bgcolor: r.colour, borderRadius: 1 }} />
              <Typography variant="caption">{r.title}</Typography>
            </Stack>
          ))}
        </Stack>
      )}
      {panels.length === 0 ? (
        <Typography variant="body2" color="text.secondary" data-testid="training-curves-empty">
          No losses reported yet; metrics come at the end of training, or every “Metrics every” steps.
        </Typography>
      ) : (
        <Box sx={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(300px, 1fr))', gap: 1.5 }}>
          {panels.map((p) => {
            const unit = chartUnit(p.key);
            const name = trainingLabels[p.key] ?? p.key;
            return (
              <Box key={`${p.source}-${p.key}`} data-testid="training-panel" data-key={p.key} data-source={p.source} data-scale={p.scale}>
                <Typography variant="caption" sx={{ fontWeight: 600 }}>
                  {p.group ? `${p.group}: ` : ''}
                  {name}
                  {unit ? ` (${unit})` : ''}
                  {p.scale === 'log' ? ' · log' : ''}
                </Typography>
                <LineChart
                  series={p.series}
                  yScale={p.scale}
                  yLabel={unit || undefined}
                  height={170}
                  testId={`training-chart-${p.key}`}
                  formatValue={p.key === 'lr' ? (v) => (v === null ? '—' : v.toExponential(2)) : undefined}
                />
              </Box>
            );
          })}
        </Box>
      )}
    </Box>
  );
}

/** Reads another run's curves for the overlay (one hook per run) and hands them up. */
function RunCurvesLoader({ jobId, onCurves }: { jobId: number; onCurves: (jobId: number, curves: TrainingCurves) => void }) {
  const { curves } = useTrainingCurves(jobId);
  useEffect(() => onCurves(jobId, curves), [jobId, curves, onCurves]);
  return null;
}

/** Previews shown at most: the trainer keeps its last 10 preview folders by default (--keep-previews). */
const PREVIEWS_LISTED = 10;

function PreviewSection({ jobId, previews }: { jobId: number; previews: PreviewEntry[] }) {
  const listed = previews.slice(-PREVIEWS_LISTED);
  const [chosen, setChosen] = useState<number | null>(null);
  const samplingQuery = useApiQuery('train.sampling', { jobId }, { refreshOn: ['datasets'] });
  const sampling = samplingQuery.data ?? null;
  // Follow the newest preview unless the user picked an older one that is still listed.
  const entry = listed.find((p) => p.step === chosen) ?? listed.at(-1) ?? null;
  return (
    <Box sx={{ mt: 2 }} data-testid="training-previews">
      <Stack direction="row" sx={{ alignItems: 'center', gap: 2, mb: 1 }}>
        <Typography variant="subtitle2" sx={{ flex: 1 }}>
          Reconstructions of a held-out sample
          {sampling && (
            <Typography component="span" variant="caption" color="text.secondary" data-testid="training-previews-sampling">
              {' '}
              · {sampling.datasetName}
              {sampling.sampleIntervalMs !== null ? `, Δt ${formatNumber(sampling.sampleIntervalMs)} ms` : ''}
              {sampling.gridSpacingM !== null ? `, Δx ${formatNumber(sampling.gridSpacingM)} m` : ''}
            </Typography>
          )}
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
        <PreviewImages key={`${jobId}-${entry.step}`} jobId={jobId} entry={entry} sampling={sampling} />
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

function PreviewImages({ jobId, entry, sampling }: { jobId: number; entry: PreviewEntry; sampling: TrainingSampling | null }) {
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
      {seismic.length > 0 && <PreviewRow items={seismic} kind="seismic" sampling={sampling} />}
      {velocity.length > 0 && <PreviewRow items={velocity} kind="velocity" sampling={sampling} />}
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
 * A row of previews sharing one colour range so they compare, each with axes and a colour bar.
 * Velocity is shown in m/s (the networks' [−1, 1] mapped back through OpenFWI's 1500–4500 m/s), its
 * difference in m/s on a symmetric range; seismic is the networks' normalised amplitude (the
 * trainer's per-dataset scaling), clipped at ±(99th percentile of the target's deviation from its
 * median), its difference on the same range.
 */
function PreviewRow({ items, kind, sampling }: { items: LoadedPreview[]; kind: 'seismic' | 'velocity'; sampling: TrainingSampling | null }) {
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
    <Stack direction="row" sx={{ gap: 2, flexWrap: 'wrap', alignItems: 'flex-start' }}>
      {items.map((p) => {
        const title = PREVIEW_LABELS[p.name] ?? p.name;
        if (!p.grid) {
          return (
            <Box key={p.name} sx={{ width: 160 }} data-testid="training-preview-missing" data-name={p.name}>
              <Typography variant="caption">{title}</Typography>
              <Typography variant="caption" color="text.secondary" component="div">
                {p.error}
              </Typography>
            </Box>
          );
        }
        const shape = p.grid.shape;
        const rows = shape.length >= 2 ? shape[shape.length - 2] : 1;
        const cols = shape[shape.length - 1] ?? 1;
        const slice = p.grid.values.subarray(0, rows * cols);
        const isDifference = p.name.endsWith('difference');
        if (kind === 'velocity') return <VelocityPreview key={p.name} name={p.name} title={title} values={slice} rows={rows} cols={cols} isDifference={isDifference} sampling={sampling} />;
        const min = isDifference ? -seismicScale.half : seismicScale.centre - seismicScale.half;
        const max = isDifference ? seismicScale.half : seismicScale.centre + seismicScale.half;
        return <SeismicPreview key={p.name} name={p.name} title={title} values={slice} rows={rows} cols={cols} min={min} max={max} sampling={sampling} />;
      })}
    </Stack>
  );
}

const previewSeismicLut = colormap('seismic');
const previewVelocityLut = colormap('turbo');
/** PlotCanvas is at least 240 px high. */
const PREVIEW_HEIGHT = 240;

/** A velocity preview in m/s with distance and depth axes in m (the dataset's grid spacing) and its colour bar. */
function VelocityPreview({ name, title, values, rows, cols, isDifference, sampling }: { name: string; title: string; values: Float32Array; rows: number; cols: number; isDifference: boolean; sampling: TrainingSampling | null }) {
  const axes = useMemo(() => velocityPreviewAxes(sampling, rows, cols), [sampling, rows, cols]);
  const { mps, half } = useMemo(() => {
    const out = new Float32Array(values.length);
    let maxAbs = 0;
    for (let i = 0; i < values.length; i++) {
      out[i] = isDifference ? normalisedErrorToMps(values[i]) : normalisedToMps(values[i]);
      if (isDifference && Number.isFinite(out[i])) maxAbs = Math.max(maxAbs, Math.abs(out[i]));
    }
    return { mps: out, half: maxAbs || 1 };
  }, [values, isDifference]);
  return (
    <Box data-testid="training-preview-image" data-name={name} data-unit="m/s" data-axes={axes.physical ? 'physical' : 'grid'}>
      <Typography variant="caption" component="div" sx={{ fontWeight: 600 }}>
        {title}
        {isDifference ? ` · ±${formatMetric(half, 3)} m/s` : ''}
      </Typography>
      <VelocityPlot
        velocityMps={mps}
        nz={rows}
        nx={cols}
        spacingM={axes.physical ? sampling?.gridSpacingM ?? null : null}
        axes={axes}
        lut={isDifference ? previewSeismicLut : previewVelocityLut}
        min={isDifference ? -half : OPENFWI_VELOCITY_RANGE_MPS.min}
        max={isDifference ? half : OPENFWI_VELOCITY_RANGE_MPS.max}
        height={PREVIEW_HEIGHT}
        testId={`training-preview-${name}`}
        ariaLabel={`${title}, ${rows} × ${cols}, m/s`}
      />
    </Box>
  );
}

/** A seismic preview [time, receivers] with time (ms) and offset (m) axes and its colour bar in normalised amplitude. */
function SeismicPreview({ name, title, values, rows, cols, min, max, sampling }: { name: string; title: string; values: Float32Array; rows: number; cols: number; min: number; max: number; sampling: TrainingSampling | null }) {
  const raster = useMemo(() => rgbaToCanvas(valuesToRgba(values, previewSeismicLut, min, max), cols, rows), [values, min, max, cols, rows]);
  const extent = useMemo(() => ({ cols: Math.max(1, cols), rows: Math.max(1, rows) }), [cols, rows]);
  const [view, setView] = useState<DataWindow>(() => fullWindow(extent));
  const { xAxis, yAxis, physical } = useMemo(() => seismicPreviewAxes(sampling, rows, cols), [sampling, rows, cols]);
  return (
    <Box data-testid="training-preview-image" data-name={name} data-unit="normalised" data-axes={physical ? 'physical' : 'grid'}>
      <Typography variant="caption" component="div" sx={{ fontWeight: 600, height: 20 }}>
        {title}
      </Typography>
      <Box sx={{ display: 'flex', gap: 0.5, height: PREVIEW_HEIGHT + 20, width: 300 }}>
        <Box sx={{ flex: 1, minWidth: 0 }}>
          <PlotCanvas testId={`training-preview-${name}`} ariaLabel={`${title}, ${rows} × ${cols}`} extent={extent} image={raster} xAxis={xAxis} yAxis={yAxis} xAxisPosition="top" view={view} onViewChange={setView} onReset={() => setView(fullWindow(extent))} />
        </Box>
        <ColorBar lut={previewSeismicLut} min={min} max={max} label="norm. amp." testId={`training-preview-${name}-colorbar`} />
      </Box>
    </Box>
  );
}
