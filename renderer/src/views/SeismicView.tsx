import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  FormControlLabel,
  LinearProgress,
  Paper,
  Stack,
  Switch,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from '@mui/material';
import RestartAltIcon from '@mui/icons-material/RestartAlt';
import type { DatasetInfo, GatherPositions } from '../../../main/core/contract/contract.ts';
import { useApiQuery } from '../api/hooks.ts';
import { replaceRoute, useNavigation } from '../app/navigation.ts';
import { intParam } from '../app/routes.ts';
import { EmptyState, ErrorAlert, ViewHeader } from '../components/common.tsx';
import { LabelledSlider } from '../components/LabelledSlider.tsx';
import { cellValue, PlotCanvas, type PlotOverlayContext } from '../components/PlotCanvas.tsx';
import { useDecodedFloat32, useLastResponse } from '../components/plotData.ts';
import { rgbaToCanvas } from '../components/raster.ts';
import { DatasetSelect, IndexStepper } from '../components/selectors.tsx';
import { TraceHeaderTable } from '../components/TraceHeaderTable.tsx';
import { ColorBar } from '../components/ColorBar.tsx';
import { formatCount, formatNumber, formatShape } from '../app/humanReadable.ts';
import { absPercentile, agc, displayClip, type ClipMode } from '../plot/amplitude.ts';
import type { AxisScale } from '../plot/axes.ts';
import { colormap, type ColormapName } from '../plot/colormaps.ts';
import { valuesToRgba } from '../plot/image.ts';
import { fullWindow, isFullWindow, type DataWindow } from '../plot/viewport.ts';
import { wiggleReceiverStep, wiggleTraces } from '../plot/wiggle.ts';
import { deadReceivers, evenAxis } from '../plot/gatherAxes.ts';
import { GatherSpectra } from './GatherSpectra.tsx';
import { SegyHeadersDialog } from './SegyHeadersDialog.tsx';

type DisplayMode = 'density' | 'wiggle' | 'both';
type ReceiverAxisKind = 'offset' | 'receiverX' | 'index';

const INDEX_AXIS: AxisScale = { label: 'Receiver index', step: 1, origin: 0 };

const datasetTables = ['datasets', 'dataset_parts'];

export function SeismicView({ params }: { params: Record<string, string> }) {
  const datasets = useApiQuery('dataset.list', {}, { refreshOn: datasetTables });
  const seismicDatasets = useMemo(() => (datasets.data ?? []).filter((d) => d.hasSeismic), [datasets.data]);
  const [datasetId, setDatasetId] = useState<number | null>(() => (params.dataset ? intParam(params, 'dataset', -1) : null));
  const [sample, setSample] = useState(() => intParam(params, 'sample', 0));
  const [source, setSource] = useState(() => intParam(params, 'source', 0));
  const { navigate } = useNavigation();

  // Default to the first dataset with seismic once the list is known.
  useEffect(() => {
    if (seismicDatasets.length > 0 && !seismicDatasets.some((d) => d.id === datasetId)) {
      setDatasetId(seismicDatasets[0].id);
      setSample(0);
      setSource(0);
    }
  }, [seismicDatasets, datasetId]);

  useEffect(() => {
    if (datasetId === null) return;
    replaceRoute({ view: 'seismic', params: { dataset: String(datasetId), sample: String(sample), source: String(source) } });
  }, [datasetId, sample, source]);

  const dataset = seismicDatasets.find((d) => d.id === datasetId) ?? null;

  if (datasets.data && seismicDatasets.length === 0) {
    return (
      <>
        <ViewHeader title="Shot gathers" />
        <EmptyState title="No dataset with seismic data" testId="seismic-empty">
          <span>Import SEG-Y shot gathers or an OpenFWI folder to view its shot gathers here.</span>
          <Button variant="contained" onClick={() => navigate('datasets')} data-testid="seismic-go-datasets">
            Go to datasets
          </Button>
        </EmptyState>
      </>
    );
  }

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', height: '100%', minHeight: 560 }}>
      <ViewHeader
        title="Shot gathers"
        subtitle={dataset ? `${dataset.name} · ${formatCount(dataset.nSamples, 'sample')} · per sample ${formatShape(dataset.seismicShape)} (sources × time × receivers)` : undefined}
      />
      <ErrorAlert error={datasets.error} testId="seismic-datasets-error" />
      {dataset && (
        <GatherPanel
          key={dataset.id}
          datasets={seismicDatasets}
          dataset={dataset}
          sample={Math.min(sample, Math.max(0, dataset.nSamples - 1))}
          source={source}
          onDataset={(id) => {
            setDatasetId(id);
            setSample(0);
            setSource(0);
          }}
          onSample={setSample}
          onSource={setSource}
        />
      )}
    </Box>
  );
}

/** Why offsets or receiver coordinates cannot make an axis ('' when both can). */
function positionProblems(positions: GatherPositions): string {
  const problem = (values: (number | null)[], what: string): string | null => {
    const known = values.filter((v): v is number => v !== null);
    if (known.length === 0) return `no ${what}`;
    if (known.every((v) => v === known[0])) return `${what} ${formatNumber(known[0])} on every trace`;
    return evenAxis(values, what) ? null : `${what} not evenly spaced (see the readout)`;
  };
  const found = [problem(positions.offset, 'offset'), problem(positions.receiverX, 'receiver x')].filter((p): p is string => p !== null);
  return found.length > 0 ? `; ${found.join(', ')}` : '';
}

interface GatherPanelProps {
  datasets: DatasetInfo[];
  dataset: DatasetInfo;
  sample: number;
  source: number;
  onDataset: (id: number) => void;
  onSample: (sample: number) => void;
  onSource: (source: number) => void;
}

function GatherPanel({ datasets, dataset, sample, source, onDataset, onSample, onSource }: GatherPanelProps) {
  const gatherQuery = useApiQuery('dataset.shotGather', { datasetId: dataset.id, sample, source }, { refreshOn: ['dataset_parts'] });
  const [mode, setMode] = useState<DisplayMode>('density');
  const [mapName, setMapName] = useState<ColormapName>('seismic');
  const [gainDb, setGainDb] = useState(0);
  const [clipKind, setClipKind] = useState<'percentile' | 'absolute'>('percentile');
  const [clipPercent, setClipPercent] = useState(99);
  const [clipAbsolute, setClipAbsolute] = useState('');
  const [agcOn, setAgcOn] = useState(false);
  const [agcWindowMs, setAgcWindowMs] = useState(250);
  const [hover, setHover] = useState<{ col: number; row: number } | null>(null);
  const [axisKind, setAxisKind] = useState<ReceiverAxisKind>('offset');
  const [showSpectra, setShowSpectra] = useState(false);
  const [headersOpen, setHeadersOpen] = useState(false);

  // Keep showing the last gather while the next one loads, so stepping through sources does not flash.
  const shown = useLastResponse(gatherQuery.data);
  const decoded = useDecodedFloat32(shown?.traces);
  const grid = decoded?.grid ?? null;
  const nTime = grid?.shape[0] ?? 0;
  const nReceivers = grid?.shape[1] ?? 0;
  const dtMs = shown?.sampleIntervalMs ?? dataset.sampleIntervalMs ?? null;
  const nSources = shown?.nSources ?? dataset.seismicShape?.[0] ?? null;
  const padded = useMemo(() => shown?.paddedReceivers ?? [], [shown]);
  const paddedSet = useMemo(() => new Set(padded), [padded]);
  const dead = useMemo(() => (grid && grid.shape.length === 2 ? deadReceivers(grid.values, nTime, nReceivers, paddedSet) : []), [grid, nTime, nReceivers, paddedSet]);

  const positions = shown?.positions ?? null;
  const lengthUnit = positions?.lengthUnit ?? 'header units';
  const offsetAxis = useMemo(() => (positions ? evenAxis(positions.offset, `Offset (${lengthUnit})`) : null), [positions, lengthUnit]);
  const receiverXAxis = useMemo(() => (positions ? evenAxis(positions.receiverX, `Receiver x (${lengthUnit})`) : null), [positions, lengthUnit]);
  // A kind whose positions cannot make an axis shows indices, and says so.
  const shownKind: ReceiverAxisKind = (axisKind === 'offset' && offsetAxis) || (axisKind === 'receiverX' && receiverXAxis) ? axisKind : 'index';
  const xAxis: AxisScale = (shownKind === 'offset' ? offsetAxis : shownKind === 'receiverX' ? receiverXAxis : null) ?? INDEX_AXIS;
  const receiverSpacing = receiverXAxis ? Math.abs(receiverXAxis.step) : offsetAxis ? Math.abs(offsetAxis.step) : null;

  const agcWindowSamples = dtMs ? Math.max(3, Math.round(agcWindowMs / dtMs)) : Math.max(3, Math.round(agcWindowMs));
  const amplitudes = useMemo(() => {
    if (!grid || grid.shape.length !== 2) return null;
    return agcOn ? agc(grid.values, nTime, nReceivers, agcWindowSamples) : grid.values;
  }, [grid, agcOn, agcWindowSamples, nTime, nReceivers]);

  const clipMode: ClipMode = useMemo(() => {
    const absolute = Number(clipAbsolute);
    return clipKind === 'absolute' && absolute > 0 ? { kind: 'absolute', amplitude: absolute } : { kind: 'percentile', percent: clipPercent };
  }, [clipKind, clipPercent, clipAbsolute]);
  // Padded traces are zeros, not data: they stay out of the percentile clip as out of min/max/rms.
  const paddedTraces = useMemo(() => ({ nReceivers, receivers: padded }), [nReceivers, padded]);
  const clip = useMemo(() => (amplitudes ? displayClip(amplitudes, clipMode, gainDb, paddedTraces) : 1), [amplitudes, clipMode, gainDb, paddedTraces]);

  const raster = useMemo(() => {
    if (!amplitudes || mode === 'wiggle') return null;
    return rgbaToCanvas(valuesToRgba(amplitudes, colormap(mapName), -clip, clip), nReceivers, nTime);
  }, [amplitudes, mode, mapName, clip, nReceivers, nTime]);

  const extent = useMemo(() => ({ cols: Math.max(1, nReceivers), rows: Math.max(1, nTime) }), [nReceivers, nTime]);
  const [view, setView] = useState<DataWindow>(() => fullWindow(extent));
  useEffect(() => setView(fullWindow(extent)), [extent]);

  const drawWiggles = useCallback(
    ({ ctx, view: w, rect }: PlotOverlayContext) => {
      if (!amplitudes || mode === 'density') return;
      const pxPerReceiver = rect.width / (w.x1 - w.x0);
      const traces = wiggleTraces(amplitudes, nTime, nReceivers, {
        firstReceiver: Math.floor(w.x0) - 1,
        lastReceiver: Math.ceil(w.x1),
        receiverStep: wiggleReceiverStep(pxPerReceiver, 4),
        firstSample: Math.floor(w.y0) - 1,
        lastSample: Math.ceil(w.y1),
        clipAmplitude: clip,
        maxDeflection: 0.9 * wiggleReceiverStep(pxPerReceiver, 4),
      });
      // Data → screen; +0.5 puts a trace's zero line and a sample at their cell centres.
      const sx = (x: number) => rect.left + ((x + 0.5 - w.x0) / (w.x1 - w.x0)) * rect.width;
      const sy = (y: number) => rect.top + ((y + 0.5 - w.y0) / (w.y1 - w.y0)) * rect.height;
      const onDensity = mode === 'both';
      ctx.fillStyle = onDensity ? 'rgba(0,0,0,0.75)' : 'rgba(225,230,235,0.9)';
      ctx.strokeStyle = onDensity ? 'rgba(0,0,0,0.8)' : 'rgba(225,230,235,0.95)';
      ctx.lineWidth = 0.8;
      for (const trace of traces) {
        ctx.beginPath();
        for (const lobe of trace.lobes) {
          ctx.moveTo(sx(lobe[0]), sy(lobe[1]));
          for (let i = 2; i < lobe.length; i += 2) ctx.lineTo(sx(lobe[i]), sy(lobe[i + 1]));
          ctx.closePath();
        }
        ctx.fill();
        ctx.beginPath();
        const line = trace.line;
        ctx.moveTo(sx(line[0]), sy(line[1]));
        for (let i = 2; i < line.length; i += 2) ctx.lineTo(sx(line[i]), sy(line[i + 1]));
        ctx.stroke();
      }
    },
    [amplitudes, mode, nTime, nReceivers, clip],
  );

  // Padding traces (zeros added to make a short gather as wide as the widest) are hatched grey: not
  // data. Dead traces (recorded, all zero) are hatched the other way in amber: data, but no signal.
  const drawOverlay = useCallback(
    (overlay: PlotOverlayContext) => {
      const { ctx, view: w, rect } = overlay;
      const hatch = (receivers: number[], fill: string, stroke: string, direction: 1 | -1) => {
        if (receivers.length === 0) return;
        const sx = (x: number) => rect.left + ((x - w.x0) / (w.x1 - w.x0)) * rect.width;
        ctx.save();
        ctx.beginPath();
        for (const r of receivers) if (r + 1 > w.x0 && r < w.x1) ctx.rect(sx(r), rect.top, sx(r + 1) - sx(r), rect.height);
        ctx.clip();
        ctx.fillStyle = fill;
        ctx.fillRect(rect.left, rect.top, rect.width, rect.height);
        ctx.strokeStyle = stroke;
        ctx.lineWidth = 1;
        ctx.beginPath();
        for (let d = -rect.height; d < rect.width + rect.height; d += 8) {
          const x = direction > 0 ? rect.left + d : rect.left + rect.width - d;
          ctx.moveTo(x, rect.top + rect.height);
          ctx.lineTo(x + direction * rect.height, rect.top);
        }
        ctx.stroke();
        ctx.restore();
      };
      hatch(padded, 'rgba(120,124,130,0.6)', 'rgba(40,42,46,0.8)', 1);
      hatch(dead, 'rgba(200,140,40,0.35)', 'rgba(240,170,60,0.9)', -1);
      if (mode !== 'density') drawWiggles(overlay);
    },
    [padded, dead, mode, drawWiggles],
  );

  const yAxis: AxisScale = useMemo(
    () => (dtMs ? { label: 'Time (ms)', step: dtMs, origin: 0 } : { label: 'Time sample', step: 1, origin: 0 }),
    [dtMs],
  );

  const hoverPosition = (col: number): string => {
    if (!positions) return '';
    const offset = positions.offset[col];
    const x = positions.receiverX[col];
    const unit = positions.lengthUnit ?? '';
    return `${offset !== null ? ` · offset ${formatNumber(offset)} ${unit}` : ''}${x !== null ? ` · x ${formatNumber(x)} ${unit}` : ''}`;
  };
  const hoverText =
    hover && amplitudes
      ? `receiver ${hover.col}${paddedSet.has(hover.col) ? ' (padding)' : ''}${hoverPosition(hover.col)} · ${dtMs ? `${formatNumber(cellValue(yAxis, hover.row))} ms` : `sample ${hover.row}`} · amplitude ${formatNumber(amplitudes[hover.row * nReceivers + hover.col])}`
      : '';

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'stretch', minHeight: 520 }}>
        <Paper variant="outlined" sx={{ width: 280, flexShrink: 0, p: 2, display: 'flex', flexDirection: 'column', gap: 1.5, overflow: 'auto' }}>
          <DatasetSelect datasets={datasets} value={dataset.id} onChange={onDataset} testId="seismic-dataset" />
          <IndexStepper label="Sample" value={sample} count={dataset.nSamples} onChange={onSample} testId="seismic-sample" />
          <IndexStepper label="Source" value={Math.min(source, Math.max(0, (nSources ?? 1) - 1))} count={nSources} onChange={onSource} testId="seismic-source" />

          <Typography variant="overline" color="text.secondary">
            Receiver axis
          </Typography>
          <ToggleButtonGroup exclusive size="small" value={shownKind} onChange={(_e, v: ReceiverAxisKind | null) => v && setAxisKind(v)} aria-label="Receiver axis" fullWidth>
            <ToggleButton value="offset" disabled={!offsetAxis} data-testid="seismic-axis-offset">
              Offset
            </ToggleButton>
            <ToggleButton value="receiverX" disabled={!receiverXAxis} data-testid="seismic-axis-x">
              Position
            </ToggleButton>
            <ToggleButton value="index" data-testid="seismic-axis-index">
              Index
            </ToggleButton>
          </ToggleButtonGroup>
          <Typography variant="caption" color="text.secondary" data-testid="seismic-axis-basis">
            {positions ? `Positions from ${positions.basis}${positionProblems(positions)}.` : 'No geometry or trace headers place these receivers: indices only.'}
          </Typography>

          <Typography variant="overline" color="text.secondary">
            Display
          </Typography>
          <ToggleButtonGroup exclusive size="small" value={mode} onChange={(_e, v: DisplayMode | null) => v && setMode(v)} aria-label="Display mode" fullWidth>
            <ToggleButton value="density" data-testid="seismic-mode-density">
              Density
            </ToggleButton>
            <ToggleButton value="wiggle" data-testid="seismic-mode-wiggle">
              Wiggle
            </ToggleButton>
            <ToggleButton value="both" data-testid="seismic-mode-both">
              Both
            </ToggleButton>
          </ToggleButtonGroup>
          <ToggleButtonGroup
            exclusive
            size="small"
            value={mapName}
            onChange={(_e, v: ColormapName | null) => v && setMapName(v)}
            aria-label="Colour map"
            fullWidth
            disabled={mode === 'wiggle'}
          >
            <ToggleButton value="seismic" data-testid="seismic-colormap-seismic">
              Blue–white–red
            </ToggleButton>
            <ToggleButton value="greyscale" data-testid="seismic-colormap-greyscale">
              Greyscale
            </ToggleButton>
          </ToggleButtonGroup>

          <LabelledSlider
            labelId="seismic-gain-label"
            testId="seismic-gain"
            label={<>Gain: {gainDb > 0 ? '+' : ''}{gainDb} dB</>}
            value={gainDb}
            min={-30}
            max={60}
            step={1}
            onChange={setGainDb}
          />

          <Box>
            <ToggleButtonGroup
              exclusive
              size="small"
              value={clipKind}
              fullWidth
              aria-label="Clip"
              onChange={(_e, v: 'percentile' | 'absolute' | null) => {
                if (!v) return;
                if (v === 'absolute' && !(Number(clipAbsolute) > 0) && amplitudes) {
                  setClipAbsolute(formatNumber(absPercentile(amplitudes, clipPercent, paddedTraces)).replace(/,/g, ''));
                }
                setClipKind(v);
              }}
            >
              <ToggleButton value="percentile" data-testid="seismic-clip-percentile">
                Clip percentile
              </ToggleButton>
              <ToggleButton value="absolute" data-testid="seismic-clip-absolute">
                Clip absolute
              </ToggleButton>
            </ToggleButtonGroup>
            {clipKind === 'percentile' ? (
              <LabelledSlider
                labelId="seismic-clip-label"
                testId="seismic-clip-percent"
                label={<>Clip at the {clipPercent}th percentile of |amplitude|</>}
                value={clipPercent}
                min={80}
                max={100}
                step={0.5}
                onChange={setClipPercent}
                sx={{ pt: 1 }}
              />
            ) : (
              <TextField
                sx={{ mt: 1.5 }}
                fullWidth
                label="Clip amplitude"
                value={clipAbsolute}
                onChange={(e) => setClipAbsolute(e.target.value)}
                error={clipAbsolute !== '' && !(Number(clipAbsolute) > 0)}
                helperText={clipAbsolute !== '' && !(Number(clipAbsolute) > 0) ? 'A positive number' : `Gather max |a| ${shown ? formatNumber(Math.max(Math.abs(shown.min), Math.abs(shown.max))) : '—'}`}
                slotProps={{ htmlInput: { 'data-testid': 'seismic-clip-value', inputMode: 'decimal' } }}
              />
            )}
          </Box>

          <FormControlLabel
            control={<Switch checked={agcOn} onChange={(e) => setAgcOn(e.target.checked)} slotProps={{ input: { 'data-testid': 'seismic-agc' } as object }} />}
            label="Automatic gain control"
          />
          {agcOn && (
            <TextField
              label={dtMs ? 'AGC window (ms)' : 'AGC window (samples)'}
              type="number"
              value={agcWindowMs}
              onChange={(e) => setAgcWindowMs(Math.max(1, Number(e.target.value) || 1))}
              helperText={formatCount(agcWindowSamples, 'sample')}
              slotProps={{ htmlInput: { 'data-testid': 'seismic-agc-window', min: 1 } }}
            />
          )}
          <Button
            variant="outlined"
            startIcon={<RestartAltIcon />}
            disabled={isFullWindow(view, extent)}
            onClick={() => setView(fullWindow(extent))}
            data-testid="seismic-reset-view"
          >
            Reset zoom
          </Button>
          <Typography variant="caption" color="text.secondary">
            Wheel zooms (Shift: receivers only, Alt: time only), drag pans, double-click resets.
          </Typography>
          <FormControlLabel
            control={<Switch checked={showSpectra} onChange={(e) => setShowSpectra(e.target.checked)} slotProps={{ input: { 'data-testid': 'seismic-show-spectra' } as object }} />}
            label="Amplitude and f–k spectra"
          />
          {dataset.kind === 'segy' && (
            <Button variant="outlined" onClick={() => setHeadersOpen(true)} data-testid="seismic-file-headers">
              SEG-Y file headers…
            </Button>
          )}
        </Paper>

        <Paper variant="outlined" sx={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column', position: 'relative' }}>
          <Box sx={{ height: 4 }}>{gatherQuery.loading && <LinearProgress data-testid="seismic-loading" />}</Box>
          <Box sx={{ px: 2, pt: 1, display: 'flex', gap: 2, alignItems: 'baseline', flexWrap: 'wrap' }}>
            <Typography variant="subtitle2" data-testid="seismic-title">
              Sample {sample}, source {source}
              {shown ? ` · ${nTime} × ${nReceivers} (time × receivers)` : ''}
            </Typography>
            {shown && (
              <Typography variant="caption" color="text.secondary" data-testid="seismic-stats">
                min {formatNumber(shown.min)} · max {formatNumber(shown.max)} · rms {formatNumber(shown.rms)} · clip ±{formatNumber(clip)}
              </Typography>
            )}
            {padded.length > 0 && (
              <Typography variant="caption" color="warning.main" data-testid="seismic-padding">
                {padded.length} padded trace{padded.length === 1 ? '' : 's'} (hatched grey): zeros, not in the file, left out of min/max/rms
              </Typography>
            )}
            {dead.length > 0 && (
              <Typography variant="caption" sx={{ color: '#f0aa3c' }} data-testid="seismic-dead">
                {dead.length} dead trace{dead.length === 1 ? '' : 's'} (hatched amber): recorded, all zero
              </Typography>
            )}
          </Box>
          <Typography variant="caption" component="div" sx={{ px: 2, fontFamily: 'monospace', height: 20, color: 'text.secondary' }} data-testid="seismic-readout">
            {hoverText}
          </Typography>
          <Box sx={{ px: 1 }}>
            <ErrorAlert error={gatherQuery.error} testId="seismic-error" />
            {decoded?.error && <Alert severity="error">{decoded.error.message}</Alert>}
          </Box>
          <Box sx={{ flex: 1, minHeight: 440, p: 1, display: 'flex', gap: 1 }}>
            {grid && (
              <Box sx={{ flex: 1, minWidth: 0 }}>
                <PlotCanvas
                  testId="seismic-canvas"
                  ariaLabel={`Shot gather: sample ${sample}, source ${source}`}
                  extent={extent}
                  image={raster}
                  drawOverlay={mode === 'density' && padded.length === 0 && dead.length === 0 ? undefined : drawOverlay}
                  xAxis={xAxis}
                  yAxis={yAxis}
                  xAxisPosition="top"
                  view={view}
                  onViewChange={setView}
                  onHover={setHover}
                  onReset={() => setView(fullWindow(extent))}
                  background={mode === 'wiggle' ? '#14181d' : '#0b0e11'}
                />
              </Box>
            )}
            {grid && mode !== 'wiggle' && (
              <ColorBar lut={colormap(mapName)} min={-clip} max={clip} label="Amplitude" testId="seismic-colorbar" />
            )}
          </Box>
        </Paper>
      </Box>
      {showSpectra && grid && grid.shape.length === 2 && (
        <GatherSpectra
          gather={grid.values}
          nTime={nTime}
          nReceivers={nReceivers}
          sampleIntervalMs={dtMs ?? 1}
          receiverSpacing={receiverSpacing}
          lengthUnit={positions?.lengthUnit ?? 'unit'}
          padded={paddedSet}
        />
      )}
      {dataset.kind === 'segy' && <TraceHeaderTable datasetId={dataset.id} sample={sample} source={source} />}
      {dataset.kind === 'segy' && <SegyHeadersDialog datasetId={dataset.id} sample={sample} open={headersOpen} onClose={() => setHeadersOpen(false)} />}
    </Box>
  );
}
