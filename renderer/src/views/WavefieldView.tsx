import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  FormControl,
  IconButton,
  InputLabel,
  LinearProgress,
  MenuItem,
  Paper,
  Select,
  Stack,
  Tab,
  Tabs,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
  Tooltip,
  Typography,
} from '@mui/material';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import PauseIcon from '@mui/icons-material/Pause';
import BoltIcon from '@mui/icons-material/Bolt';
import type { Float32Payload, WavefieldResult } from '../../../main/core/contract/contract.ts';
import { useApiAction, useApiQuery } from '../api/hooks.ts';
import { replaceRoute, useNavigation } from '../app/navigation.ts';
import { ColorBar } from '../components/ColorBar.tsx';
import { EmptyState, ErrorAlert, ViewHeader } from '../components/common.tsx';
import { LabelledSlider } from '../components/LabelledSlider.tsx';
import { PlotCanvas, type PlotOverlayContext } from '../components/PlotCanvas.tsx';
import { rgbaToCanvas } from '../components/raster.ts';
import { DatasetSelect, IndexStepper, useDatasetSample } from '../components/selectors.tsx';
import { VelocityPlot } from '../components/VelocityPlot.tsx';
import { WavefieldScene, type WavefieldDisplay } from '../components/WavefieldScene.tsx';
import { formatNumber } from '../app/humanReadable.ts';
import { displayClip } from '../plot/amplitude.ts';
import type { AxisScale } from '../plot/axes.ts';
import { colormap } from '../plot/colormaps.ts';
import { decodeFloat32, float32ToBase64 } from '../plot/decode.ts';
import { valuesToRgba } from '../plot/image.ts';
import { gridRange, VELOCITY_LIMITS_MPS } from '../plot/velocityModel.ts';
import { fullWindow, type DataWindow } from '../plot/viewport.ts';
import { advancePlayhead, checkVolume, frameTimeMs, type VolumeShape } from '../plot/wavefield.ts';
import { readGeometry } from '../physics/geometryForm.ts';
import { MovieFrameExport, WavefieldMovie, type MovieInput } from './WavefieldMovie.tsx';
import { editedGrid, initialEditorState, VelocityEditor, type VelocityEditorState } from './VelocityEditor.tsx';

type ModelSource = 'dataset' | 'editor';

/** A finished run, decoded once. */
interface WavefieldRun {
  result: WavefieldResult;
  label: string;
  volume: Float32Array;
  shape: VolumeShape;
  /** [depth, width] m/s the wave ran through */
  velocity: Float32Array;
  velocityMin: number;
  velocityMax: number;
  /** [time, receivers] */
  seismic: Float32Array;
  nTime: number;
  nReceivers: number;
}

const SPEEDS = [0.05, 0.1, 0.25, 0.5, 1];

export function WavefieldView({ params }: { params: Record<string, string> }) {
  const datasets = useApiQuery('dataset.list', {}, { refreshOn: ['datasets', 'dataset_parts'] });
  const velocityDatasets = useMemo(() => (datasets.data ?? []).filter((d) => d.hasVelocity), [datasets.data]);
  const geometryQuery = useApiQuery('project.geometry', {});
  const geometry = useMemo(() => {
    try {
      return geometryQuery.data ? readGeometry(geometryQuery.data) : null;
    } catch {
      return null;
    }
  }, [geometryQuery.data]);
  const [source, setSource] = useState<ModelSource>(params.model === 'editor' ? 'editor' : 'dataset');
  const { datasetId, setDatasetId, sample, setSample } = useDatasetSample(velocityDatasets, params);
  const [editor, setEditor] = useState<VelocityEditorState>(initialEditorState);
  const [shot, setShot] = useState(0);
  const [everySteps, setEverySteps] = useState('10');
  const [run, setRun] = useState<WavefieldRun | null>(null);
  const wavefield = useApiAction('physics.wavefield');
  const { navigate } = useNavigation();

  useEffect(() => {
    const query: Record<string, string> = source === 'editor' ? { model: 'editor' } : datasetId === null ? {} : { dataset: String(datasetId), sample: String(sample) };
    replaceRoute({ view: 'wavefield', params: query });
  }, [source, datasetId, sample]);

  const dataset = velocityDatasets.find((d) => d.id === datasetId) ?? null;
  const safeSample = dataset ? Math.min(sample, Math.max(0, dataset.nSamples - 1)) : 0;
  const mapQuery = useApiQuery('dataset.velocityMap', source === 'dataset' && dataset ? { datasetId: dataset.id, sample: safeSample } : null, { refreshOn: ['dataset_parts'] });
  const map = useMemo(() => {
    if (!mapQuery.data) return null;
    try {
      const grid = decodeFloat32(mapQuery.data.velocityMps);
      return { nz: grid.shape[0], nx: grid.shape[1], values: grid.values, min: mapQuery.data.min, max: mapQuery.data.max, error: null };
    } catch (error) {
      return { nz: 0, nx: 0, values: new Float32Array(0), min: 0, max: 0, error: error as Error };
    }
  }, [mapQuery.data]);

  const spacingM = geometry?.spacingMeters ?? 10;
  const nShots = geometry?.sources.length ?? 1;
  const everyStepsValue = Number(everySteps);
  const everyProblem = Number.isInteger(everyStepsValue) && everyStepsValue >= 1 && everyStepsValue <= 10_000 ? null : 'A whole number from 1 to 10000.';
  const framesEstimate = geometry && !everyProblem ? Math.ceil(geometry.steps / everyStepsValue) : null;

  // The model the Run button would use, with the reason it cannot run yet.
  const candidate = useMemo((): { values: Float32Array; nz: number; nx: number; label: string } | { problem: string } => {
    if (source === 'dataset') {
      if (!dataset) return { problem: 'Choose a dataset with velocity models.' };
      if (!map || map.error) return { problem: 'The velocity model is still loading.' };
      return { values: map.values, nz: map.nz, nx: map.nx, label: `${dataset.name}, sample ${safeSample}` };
    }
    const grid = editedGrid(editor);
    const { min, max } = gridRange(grid);
    if (min < VELOCITY_LIMITS_MPS.min || max > VELOCITY_LIMITS_MPS.max) {
      return { problem: `The edited model holds ${min}–${max} m/s; keep velocities within ${VELOCITY_LIMITS_MPS.min}–${VELOCITY_LIMITS_MPS.max} m/s.` };
    }
    return { values: grid.velocityMps, nz: grid.nz, nx: grid.nx, label: `edited model (${editor.startLabel}, ${editor.edits.length} edits)` };
  }, [source, dataset, map, safeSample, editor]);

  const start = async () => {
    if ('problem' in candidate || everyProblem) return;
    const payload: Float32Payload = { shape: [candidate.nz, candidate.nx], base64: float32ToBase64(candidate.values) };
    const velocity = candidate.values.slice();
    try {
      const result = await wavefield.run({ velocityMps: payload, shot: Math.min(shot, nShots - 1), everySteps: everyStepsValue });
      const snapshots = decodeFloat32(result.snapshots);
      const [frames, nz, nx] = snapshots.shape;
      const shape = { frames, nz, nx };
      checkVolume(snapshots.values, shape);
      const seismic = decodeFloat32(result.seismic);
      const { min, max } = gridRange({ nz, nx, velocityMps: velocity });
      setRun({
        result,
        label: `${candidate.label}, shot ${Math.min(shot, nShots - 1)}`,
        volume: snapshots.values,
        shape,
        velocity,
        velocityMin: min,
        velocityMax: max,
        seismic: seismic.values,
        nTime: seismic.shape[0],
        nReceivers: seismic.shape[1],
      });
    } catch {
      // shown below the Run button
    }
  };

  if (datasets.data && velocityDatasets.length === 0 && source === 'dataset') {
    return (
      <>
        <ViewHeader title="Wavefield" />
        <EmptyState title="No dataset with velocity models" testId="wavefield-empty">
          <span>Import or synthesise velocity models, or build one by hand in the velocity editor.</span>
          <Stack direction="row" spacing={1}>
            <Button variant="contained" onClick={() => navigate('datasets')} data-testid="wavefield-go-datasets">
              Go to datasets
            </Button>
            <Button variant="outlined" onClick={() => setSource('editor')} data-testid="wavefield-open-editor">
              Open the velocity editor
            </Button>
          </Stack>
        </EmptyState>
      </>
    );
  }

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
      <ViewHeader
        title="Wavefield"
        subtitle="One shot modelled with the project's geometry: pressure over the velocity model in 3D, with its shot gather."
      />
      <ErrorAlert error={datasets.error ?? geometryQuery.error} testId="wavefield-datasets-error" />
      <Tabs value={source} onChange={(_e, v: ModelSource) => setSource(v)} aria-label="Velocity model">
        <Tab value="dataset" label="Dataset sample" data-testid="wavefield-tab-dataset" />
        <Tab value="editor" label="Velocity editor" data-testid="wavefield-tab-editor" />
      </Tabs>
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'flex-start', flexWrap: { xs: 'wrap', lg: 'nowrap' } }}>
        <Paper variant="outlined" sx={{ width: 280, flexShrink: 0, p: 2, display: 'flex', flexDirection: 'column', gap: 1.5 }}>
          {source === 'dataset' && dataset && (
            <>
              <DatasetSelect
                datasets={velocityDatasets}
                value={dataset.id}
                onChange={(id) => {
                  setDatasetId(id);
                  setSample(0);
                }}
                testId="wavefield-dataset"
              />
              <IndexStepper label="Sample" value={safeSample} count={dataset.nSamples} onChange={setSample} testId="wavefield-sample" />
            </>
          )}
          {source === 'editor' && (
            <Typography variant="body2" color="text.secondary">
              Runs the model from the editor on the right.
            </Typography>
          )}
          <FormControl size="small" fullWidth>
            <InputLabel id="wavefield-shot-label">Shot</InputLabel>
            <Select labelId="wavefield-shot-label" label="Shot" value={String(Math.min(shot, nShots - 1))} onChange={(e) => setShot(Number(e.target.value))} data-testid="wavefield-shot">
              {(geometry?.sources ?? [{ x: 0, z: 0 }]).map((s, i) => (
                <MenuItem key={i} value={String(i)} data-testid="wavefield-shot-option" data-shot={i}>
                  Shot {i} · x {formatNumber(s.x * spacingM)} m, z {formatNumber(s.z * spacingM)} m
                </MenuItem>
              ))}
            </Select>
          </FormControl>
          <TextField
            label="Snapshot every (steps)"
            value={everySteps}
            onChange={(e) => setEverySteps(e.target.value)}
            error={Boolean(everyProblem)}
            helperText={everyProblem ?? (framesEstimate && geometry ? `${framesEstimate} frames, one per ${formatNumber(everyStepsValue * geometry.timeStepSeconds * 1000)} ms` : ' ')}
            slotProps={{ htmlInput: { 'data-testid': 'wavefield-every', inputMode: 'numeric' } }}
          />
          <Button variant="contained" startIcon={<BoltIcon />} disabled={'problem' in candidate || Boolean(everyProblem) || wavefield.busy} onClick={() => void start()} data-testid="wavefield-run">
            {wavefield.busy ? 'Modelling…' : 'Run'}
          </Button>
          {'problem' in candidate && source === 'editor' && (
            <Alert severity="warning" data-testid="wavefield-model-problem">
              {candidate.problem}
            </Alert>
          )}
          {wavefield.busy && <LinearProgress data-testid="wavefield-running" />}
          <ErrorAlert error={wavefield.error} testId="wavefield-error" onClose={wavefield.clearError} />
        </Paper>
        <Box sx={{ flex: 1, minWidth: 0 }}>
          {source === 'dataset' ? (
            <Paper variant="outlined" sx={{ p: 1.5 }}>
              <Box sx={{ height: 4 }}>{mapQuery.loading && <LinearProgress data-testid="wavefield-velocity-loading" />}</Box>
              <Typography variant="subtitle2" data-testid="wavefield-velocity-title">
                Velocity model · sample {safeSample}
                {map && !map.error ? ` · ${map.nz} × ${map.nx} (depth × width) · ${formatNumber(map.min)} – ${formatNumber(map.max)} m/s` : ''}
              </Typography>
              <ErrorAlert error={mapQuery.error ?? map?.error} testId="wavefield-velocity-error" />
              {map && !map.error && (
                <VelocityPlot
                  velocityMps={map.values}
                  nz={map.nz}
                  nx={map.nx}
                  spacingM={mapQuery.data?.gridSpacingM ?? dataset?.gridSpacingM ?? spacingM}
                  lut={colormap('turbo')}
                  min={map.min}
                  max={map.max}
                  testId="wavefield-velocity"
                  ariaLabel={`Velocity model, sample ${safeSample}`}
                  height={300}
                />
              )}
            </Paper>
          ) : (
            <VelocityEditor state={editor} onChange={setEditor} datasets={velocityDatasets} spacingM={spacingM} />
          )}
        </Box>
      </Box>
      {run && <WavefieldResultPanel key={run.volume.length + run.label} run={run} />}
    </Box>
  );
}

function WavefieldResultPanel({ run }: { run: WavefieldRun }) {
  const { shape, result } = run;
  const [display, setDisplay] = useState<WavefieldDisplay>('surface');
  const [frame, setFrame] = useState(() => Math.min(shape.frames - 1, Math.round(shape.frames * 0.3)));
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(0.1);
  const [clipPercent, setClipPercent] = useState(99);
  const [sliceRow, setSliceRow] = useState(() => Math.round(shape.nz / 3));
  const [sliceCol, setSliceCol] = useState(() => Math.round(shape.nx / 2));
  const [heightScale, setHeightScale] = useState(0.08);
  const pressureLut = colormap('seismic');
  const velocityLut = colormap('turbo');
  const clip = useMemo(() => displayClip(run.volume, { kind: 'percentile', percent: clipPercent }, 0), [run.volume, clipPercent]);
  const timeMs = frameTimeMs(frame, result.frameIntervalMs);
  const movieInput: MovieInput = useMemo(
    () => ({ volume: run.volume, shape, velocity: run.velocity, velocityMin: run.velocityMin, velocityMax: run.velocityMax, result, pressureLut, velocityLut, clip }),
    [run, shape, result, pressureLut, velocityLut, clip],
  );

  // Play: advance the playhead with wall time at `speed` × model time.
  const playhead = useRef(frame);
  useEffect(() => {
    if (!playing) return;
    playhead.current = frame;
    let last = performance.now();
    let handle = requestAnimationFrame(function step(now) {
      playhead.current = advancePlayhead(playhead.current, now - last, speed, result.frameIntervalMs, shape.frames);
      last = now;
      setFrame(Math.floor(playhead.current));
      handle = requestAnimationFrame(step);
    });
    return () => cancelAnimationFrame(handle);
    // Restarts only on play/pause and speed; the frame it starts from is read once.
  }, [playing, speed, result.frameIntervalMs, shape.frames]);

  return (
    <Paper variant="outlined" sx={{ p: 2, display: 'flex', flexDirection: 'column', gap: 1.5 }} data-testid="wavefield-result">
      <Stack direction="row" sx={{ alignItems: 'baseline', gap: 2, flexWrap: 'wrap' }}>
        <Typography variant="subtitle1" sx={{ fontWeight: 600 }} data-testid="wavefield-title">
          {run.label}
        </Typography>
        <Typography variant="caption" color="text.secondary" data-testid="wavefield-stats">
          {shape.frames} frames × {shape.nz} × {shape.nx} · every {formatNumber(result.frameIntervalMs)} ms · pressure {formatNumber(result.min)} – {formatNumber(result.max)} · clip ±{formatNumber(clip)}
        </Typography>
      </Stack>
      <Stack direction="row" sx={{ alignItems: 'center', gap: 2, flexWrap: 'wrap' }}>
        <ToggleButtonGroup exclusive size="small" value={display} onChange={(_e, v: WavefieldDisplay | null) => v && setDisplay(v)} aria-label="3D display">
          <ToggleButton value="surface" data-testid="wavefield-display-surface">
            Surface
          </ToggleButton>
          <ToggleButton value="slices" data-testid="wavefield-display-slices">
            Slices x–z–t
          </ToggleButton>
        </ToggleButtonGroup>
        <Tooltip title={playing ? 'Pause' : 'Play'}>
          <IconButton onClick={() => setPlaying((p) => !p)} aria-label={playing ? 'Pause' : 'Play'} data-testid="wavefield-play" data-playing={playing}>
            {playing ? <PauseIcon /> : <PlayArrowIcon />}
          </IconButton>
        </Tooltip>
        <FormControl size="small" sx={{ width: 150 }}>
          <InputLabel id="wavefield-speed-label">Speed (× real time)</InputLabel>
          <Select labelId="wavefield-speed-label" label="Speed (× real time)" value={String(speed)} onChange={(e) => setSpeed(Number(e.target.value))} data-testid="wavefield-speed">
            {SPEEDS.map((s) => (
              <MenuItem key={s} value={String(s)} data-testid="wavefield-speed-option" data-speed={s}>
                {s}×
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <LabelledSlider
          labelId="wavefield-time-label"
          testId="wavefield-frame"
          label={<>t = {formatNumber(timeMs)} ms (frame {frame + 1} of {shape.frames})</>}
          labelTestId="wavefield-time"
          value={frame}
          min={0}
          max={shape.frames - 1}
          step={1}
          onChange={(v) => {
            setPlaying(false);
            setFrame(v);
          }}
          sx={{ flex: 1, minWidth: 220 }}
        />
        <LabelledSlider
          labelId="wavefield-clip-label"
          testId="wavefield-clip"
          label={<>Clip: {clipPercent}th percentile of |p|</>}
          noWrap
          value={clipPercent}
          min={80}
          max={100}
          step={0.5}
          onChange={setClipPercent}
          sx={{ width: 190 }}
        />
        {display === 'surface' ? (
          <LabelledSlider
            labelId="wavefield-height-label"
            testId="wavefield-height"
            label="Relief"
            value={heightScale}
            min={0}
            max={0.4}
            step={0.01}
            onChange={setHeightScale}
            sx={{ width: 160 }}
          />
        ) : (
          <>
            <LabelledSlider
              labelId="wavefield-slice-depth-label"
              testId="wavefield-slice-depth"
              label={<>x–t at z = {formatNumber((sliceRow + 0.5) * result.gridSpacingM)} m</>}
              value={sliceRow}
              min={0}
              max={shape.nz - 1}
              step={1}
              onChange={setSliceRow}
              sx={{ width: 165 }}
            />
            <LabelledSlider
              labelId="wavefield-slice-x-label"
              testId="wavefield-slice-x"
              label={<>z–t at x = {formatNumber((sliceCol + 0.5) * result.gridSpacingM)} m</>}
              value={sliceCol}
              min={0}
              max={shape.nx - 1}
              step={1}
              onChange={setSliceCol}
              sx={{ width: 165 }}
            />
          </>
        )}
      </Stack>
      <Box sx={{ display: 'flex', gap: 1.5, alignItems: 'stretch', flexWrap: { xs: 'wrap', lg: 'nowrap' } }}>
        <Box sx={{ flexShrink: 1, minWidth: 0 }}>
          <WavefieldMovie input={movieInput} frame={frame} />
        </Box>
        <Stack sx={{ flexShrink: 0, height: 480 }}>
          <ColorBar lut={pressureLut} min={-clip} max={clip} label="Pressure" testId="wavefield-colorbar" height="55%" />
          <ColorBar lut={velocityLut} min={run.velocityMin} max={run.velocityMax} label="m/s" testId="wavefield-velocity-colorbar" height="45%" />
        </Stack>
        <Box sx={{ flex: '1 1 320px', minWidth: 0, height: 480, display: 'flex', flexDirection: 'column' }}>
          <Typography variant="subtitle2" data-testid="wavefield-gather-title">
            Shot gather · {run.nTime} × {run.nReceivers} (time × receivers)
          </Typography>
          <Box sx={{ flex: 1, minHeight: 0 }}>
            <WavefieldGather run={run} timeMs={timeMs} clipPercent={clipPercent} />
          </Box>
        </Box>
      </Box>
      <Typography variant="subtitle2">3D: {display === 'surface' ? 'pressure as a surface over the velocity model' : 'slices through x–z–t'}</Typography>
      <Box sx={{ position: 'relative', height: 680, border: 1, borderColor: 'divider', borderRadius: 1, overflow: 'hidden' }}>
        <WavefieldScene
          testId="wavefield-3d"
          volume={run.volume}
          shape={shape}
          velocity={run.velocity}
          velocityMin={run.velocityMin}
          velocityMax={run.velocityMax}
          velocityLut={velocityLut}
          pressureLut={pressureLut}
          clip={clip}
          display={display}
          frame={frame}
          sliceRow={sliceRow}
          sliceCol={sliceCol}
          heightScale={heightScale}
          source={result.source}
          receivers={result.receivers}
          gridSpacingM={result.gridSpacingM}
          frameIntervalMs={result.frameIntervalMs}
        />
        <Typography variant="caption" sx={{ position: 'absolute', left: 8, bottom: 6, color: 'rgba(230,235,240,0.75)', pointerEvents: 'none' }}>
          Drag to orbit · wheel to zoom · right-drag to pan · orange cone: source · green dots: receivers
        </Typography>
      </Box>
      <MovieFrameExport input={movieInput} />
    </Paper>
  );
}

/** The run's shot gather with a line at the time shown in 3D; the same plot as the shot-gather view. */
function WavefieldGather({ run, timeMs, clipPercent }: { run: WavefieldRun; timeMs: number; clipPercent: number }) {
  const { seismic, nTime, nReceivers, result } = run;
  const clip = useMemo(() => displayClip(seismic, { kind: 'percentile', percent: clipPercent }, 0), [seismic, clipPercent]);
  const raster = useMemo(() => rgbaToCanvas(valuesToRgba(seismic, colormap('seismic'), -clip, clip), nReceivers, nTime), [seismic, clip, nReceivers, nTime]);
  const extent = useMemo(() => ({ cols: Math.max(1, nReceivers), rows: Math.max(1, nTime) }), [nReceivers, nTime]);
  const [view, setView] = useState<DataWindow>(() => fullWindow(extent));
  const xAxis: AxisScale = useMemo(() => ({ label: 'Receiver index', step: 1, origin: 0 }), []);
  const yAxis: AxisScale = useMemo(() => ({ label: 'Time (ms)', step: result.sampleIntervalMs, origin: 0 }), [result.sampleIntervalMs]);
  const cursorRow = timeMs / result.sampleIntervalMs;
  const drawCursor = useCallback(
    ({ ctx, view: w, rect }: PlotOverlayContext) => {
      const y = rect.top + ((cursorRow + 0.5 - w.y0) / (w.y1 - w.y0)) * rect.height;
      ctx.strokeStyle = 'rgba(255, 167, 38, 0.95)';
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(rect.left, y);
      ctx.lineTo(rect.left + rect.width, y);
      ctx.stroke();
    },
    [cursorRow],
  );
  return (
    <Box sx={{ height: '100%' }} data-testid="wavefield-gather" data-cursor-ms={timeMs}>
      <PlotCanvas
        testId="wavefield-gather-canvas"
        ariaLabel="Shot gather of this run"
        extent={extent}
        image={raster}
        drawOverlay={drawCursor}
        xAxis={xAxis}
        yAxis={yAxis}
        xAxisPosition="top"
        view={view}
        onViewChange={setView}
        onReset={() => setView(fullWindow(extent))}
      />
    </Box>
  );
}
