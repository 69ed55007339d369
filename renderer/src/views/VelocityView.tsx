import { useEffect, useMemo, useState } from 'react';
import { Alert, Box, Button, FormControlLabel, LinearProgress, Paper, Stack, Switch, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import RestartAltIcon from '@mui/icons-material/RestartAlt';
import type { DatasetInfo } from '../../../main/core/contract/contract.ts';
import { useApiQuery } from '../api/hooks.ts';
import { replaceRoute, useNavigation } from '../app/navigation.ts';
import { ColorBar } from '../components/ColorBar.tsx';
import { EmptyState, ErrorAlert, ViewHeader } from '../components/common.tsx';
import { cellValue, PlotCanvas } from '../components/PlotCanvas.tsx';
import { useDecodedFloat32, useLastResponse } from '../components/plotData.ts';
import { rgbaToCanvas } from '../components/raster.ts';
import { DatasetSelect, IndexStepper, useDatasetSample } from '../components/selectors.tsx';
import { useGridAxes, velocityReadout } from '../components/VelocityPlot.tsx';
import { formatCount, formatNumber, formatShape } from '../app/humanReadable.ts';
import { colormap, type ColormapName } from '../plot/colormaps.ts';
import { valuesToRgba } from '../plot/image.ts';
import { fullWindow, isFullWindow, type DataWindow } from '../plot/viewport.ts';
import { columnProfile, velocityDifference } from '../plot/velocityCompare.ts';
import { VelocityProfile } from '../components/VelocityProfile.tsx';

export function VelocityView({ params }: { params: Record<string, string> }) {
  const datasets = useApiQuery('dataset.list', {}, { refreshOn: ['datasets', 'dataset_parts'] });
  const velocityDatasets = useMemo(() => (datasets.data ?? []).filter((d) => d.hasVelocity), [datasets.data]);
  const { datasetId, setDatasetId, sample, setSample } = useDatasetSample(velocityDatasets, params);
  const { navigate } = useNavigation();

  useEffect(() => {
    if (datasetId === null) return;
    replaceRoute({ view: 'velocity', params: { dataset: String(datasetId), sample: String(sample) } });
  }, [datasetId, sample]);

  const dataset = velocityDatasets.find((d) => d.id === datasetId) ?? null;

  if (datasets.data && velocityDatasets.length === 0) {
    return (
      <>
        <ViewHeader title="Velocity maps" />
        <EmptyState title="No dataset with velocity models" testId="velocity-empty">
          <span>Import an OpenFWI folder with model*.npy files to view its velocity maps here.</span>
          <Button variant="contained" onClick={() => navigate('datasets')} data-testid="velocity-go-datasets">
            Go to datasets
          </Button>
        </EmptyState>
      </>
    );
  }

  return (
    <Box>
      <ViewHeader
        title="Velocity maps"
        subtitle={dataset ? `${dataset.name} · ${formatCount(dataset.nSamples, 'sample')} · per sample ${formatShape(dataset.velocityShape)} (channels × depth × width)` : undefined}
      />
      <ErrorAlert error={datasets.error} testId="velocity-datasets-error" />
      {dataset && (
        <VelocityPanel
          key={dataset.id}
          datasets={velocityDatasets}
          dataset={dataset}
          sample={Math.min(sample, Math.max(0, dataset.nSamples - 1))}
          onDataset={(id) => {
            setDatasetId(id);
            setSample(0);
          }}
          onSample={setSample}
        />
      )}
    </Box>
  );
}

type RangeKind = 'fixed' | 'sample';
type MapKind = 'model' | 'difference';

const PLOT_HEIGHT = 460;

function VelocityPanel({
  datasets,
  dataset,
  sample,
  onDataset,
  onSample,
}: {
  datasets: DatasetInfo[];
  dataset: DatasetInfo;
  sample: number;
  onDataset: (id: number) => void;
  onSample: (sample: number) => void;
}) {
  const query = useApiQuery('dataset.velocityMap', { datasetId: dataset.id, sample }, { refreshOn: ['dataset_parts'] });
  const settings = useApiQuery('settings.get', {}, { refreshOnProjectChange: false });
  const [mapName, setMapName] = useState<ColormapName>('turbo');
  const [rangeKind, setRangeKind] = useState<RangeKind>('fixed');
  const [hover, setHover] = useState<{ col: number; row: number } | null>(null);
  const [profileCol, setProfileCol] = useState<number | null>(null);
  const [compare, setCompare] = useState(false);
  const [otherId, setOtherId] = useState<number>(dataset.id);
  const [otherSample, setOtherSample] = useState(sample === 0 && dataset.nSamples > 1 ? 1 : 0);
  const [mapKind, setMapKind] = useState<MapKind>('model');
  const other = datasets.find((d) => d.id === otherId) ?? dataset;
  const otherQuery = useApiQuery('dataset.velocityMap', compare ? { datasetId: other.id, sample: Math.min(otherSample, Math.max(0, other.nSamples - 1)) } : null, { refreshOn: ['dataset_parts'] });

  const shown = useLastResponse(query.data);
  const decoded = useDecodedFloat32(shown?.velocityMps);
  const grid = decoded?.grid ?? null;
  const otherDecoded = useDecodedFloat32(compare ? otherQuery.data?.velocityMps : undefined);
  const otherGrid = compare ? (otherDecoded?.grid ?? null) : null;
  const nDepth = grid?.shape[0] ?? 0;
  const nWidth = grid?.shape[1] ?? 0;
  const sameShape = Boolean(grid && otherGrid && otherGrid.shape[0] === nDepth && otherGrid.shape[1] === nWidth);
  const difference = useMemo(() => (sameShape && grid && otherGrid ? velocityDifference(grid.values, otherGrid.values) : null), [sameShape, grid, otherGrid]);
  const showingDifference = compare && mapKind === 'difference' && difference !== null;

  const fixedRange = settings.data?.velocityDisplayRangeMps ?? null;
  const range = rangeKind === 'fixed' && fixedRange ? fixedRange : { min: shown?.min ?? 0, max: shown?.max ?? 1 };
  // Δv on a diverging map, symmetric about 0 so that white means "the same".
  const diffSpan = difference ? Math.max(1, difference.maxAbsMps) : 1;
  const lut = colormap(showingDifference ? 'seismic' : mapName);
  const values = showingDifference ? difference!.differenceMps : (grid?.values ?? null);
  const lo = showingDifference ? -diffSpan : range.min;
  const hi = showingDifference ? diffSpan : range.max;

  const raster = useMemo(() => (values && grid && grid.shape.length === 2 ? rgbaToCanvas(valuesToRgba(values, lut, lo, hi), nWidth, nDepth) : null), [values, grid, lut, lo, hi, nWidth, nDepth]);
  const extent = useMemo(() => ({ cols: Math.max(1, nWidth), rows: Math.max(1, nDepth) }), [nWidth, nDepth]);
  const [view, setView] = useState<DataWindow>(() => fullWindow(extent));
  useEffect(() => setView(fullWindow(extent)), [extent]);

  const spacing = shown?.gridSpacingM ?? dataset.gridSpacingM ?? null;
  const { xAxis, yAxis } = useGridAxes(spacing);

  const onHover = (cell: { col: number; row: number } | null) => {
    setHover(cell);
    if (cell) setProfileCol(cell.col);
  };
  const readout =
    hover && grid
      ? showingDifference
        ? `${velocityReadout(hover, spacing, xAxis, yAxis, grid.values[hover.row * nWidth + hover.col])} · Δv ${formatNumber(difference!.differenceMps[hover.row * nWidth + hover.col])} m/s`
        : velocityReadout(hover, spacing, xAxis, yAxis, grid.values[hover.row * nWidth + hover.col])
      : '';

  const column = profileCol !== null && profileCol < nWidth ? profileCol : Math.floor(nWidth / 2);
  const otherLabel = `${other.id === dataset.id ? '' : `${other.name} `}sample ${Math.min(otherSample, Math.max(0, other.nSamples - 1))}`;
  const curves = useMemo(() => {
    if (!grid || nWidth === 0) return [];
    const out = [{ label: `sample ${sample}`, velocityMps: columnProfile(grid.values, nDepth, nWidth, column) }];
    if (sameShape && otherGrid) out.push({ label: otherLabel, velocityMps: columnProfile(otherGrid.values, nDepth, nWidth, column) });
    return out;
  }, [grid, otherGrid, sameShape, nDepth, nWidth, column, sample, otherLabel]);
  const profileRange = useMemo(() => {
    if (rangeKind === 'fixed' && fixedRange) return fixedRange;
    let min = Infinity;
    let max = -Infinity;
    for (const c of curves) for (const v of c.velocityMps) if (Number.isFinite(v)) ((min = Math.min(min, v)), (max = Math.max(max, v)));
    return Number.isFinite(min) && max > min ? { min, max } : { min: (min || 0) - 1, max: (max || 0) + 1 };
  }, [curves, rangeKind, fixedRange]);

  // The canvas as wide as square cells need at PLOT_HEIGHT (PlotCanvas margins: 80 px across, 56 px down).
  const plotWidth = Math.round(((PLOT_HEIGHT - 56) * nWidth) / Math.max(1, nDepth)) + 80;

  // The marker of the profile's column on the map.
  const drawOverlay = useMemo(
    () =>
      ({ ctx, view: w, rect }: { ctx: CanvasRenderingContext2D; view: DataWindow; rect: { left: number; top: number; width: number; height: number } }) => {
        const x = rect.left + ((column + 0.5 - w.x0) / (w.x1 - w.x0)) * rect.width;
        ctx.save();
        ctx.setLineDash([5, 4]);
        ctx.strokeStyle = 'rgba(255,255,255,0.85)';
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(Math.round(x) + 0.5, rect.top);
        ctx.lineTo(Math.round(x) + 0.5, rect.top + rect.height);
        ctx.stroke();
        ctx.restore();
      },
    [column],
  );

  return (
    <Box sx={{ display: 'flex', gap: 2, alignItems: 'flex-start' }}>
      <Paper variant="outlined" sx={{ width: 280, flexShrink: 0, p: 2, display: 'flex', flexDirection: 'column', gap: 1.5 }}>
        <DatasetSelect datasets={datasets} value={dataset.id} onChange={onDataset} testId="velocity-dataset" />
        <IndexStepper label="Sample" value={sample} count={dataset.nSamples} onChange={onSample} testId="velocity-sample" />
        <Typography variant="overline" color="text.secondary">
          Colour map
        </Typography>
        <ToggleButtonGroup exclusive size="small" fullWidth value={mapName} onChange={(_e, v: ColormapName | null) => v && setMapName(v)} aria-label="Colour map" disabled={showingDifference}>
          <ToggleButton value="turbo" data-testid="velocity-colormap-turbo">
            Rainbow
          </ToggleButton>
          <ToggleButton value="viridis" data-testid="velocity-colormap-viridis">
            Viridis
          </ToggleButton>
          <ToggleButton value="greyscale" data-testid="velocity-colormap-greyscale">
            Grey
          </ToggleButton>
        </ToggleButtonGroup>
        <ToggleButtonGroup exclusive size="small" fullWidth value={rangeKind} onChange={(_e, v: RangeKind | null) => v && setRangeKind(v)} aria-label="Colour range" disabled={showingDifference}>
          <ToggleButton value="fixed" data-testid="velocity-range-fixed">
            {fixedRange ? `${formatNumber(fixedRange.min)}–${formatNumber(fixedRange.max)}` : 'Fixed'}
          </ToggleButton>
          <ToggleButton value="sample" data-testid="velocity-range-sample">
            This sample
          </ToggleButton>
        </ToggleButtonGroup>
        <Typography variant="caption" color="text.secondary">
          The fixed range (m/s, set in Settings) colours every sample and dataset alike, so colours compare.
        </Typography>

        <Typography variant="overline" color="text.secondary">
          Compare
        </Typography>
        <FormControlLabel
          control={<Switch checked={compare} onChange={(e) => setCompare(e.target.checked)} slotProps={{ input: { 'data-testid': 'velocity-compare' } as object }} />}
          label="With a second model"
        />
        {compare && (
          <>
            <DatasetSelect datasets={datasets} value={other.id} onChange={(id) => ((setOtherId(id), setOtherSample(0)))} testId="velocity-compare-dataset" />
            <IndexStepper label="Sample" value={Math.min(otherSample, Math.max(0, other.nSamples - 1))} count={other.nSamples} onChange={setOtherSample} testId="velocity-compare-sample" />
            <ToggleButtonGroup exclusive size="small" fullWidth value={mapKind} onChange={(_e, v: MapKind | null) => v && setMapKind(v)} aria-label="Map">
              <ToggleButton value="model" data-testid="velocity-show-model">
                Model
              </ToggleButton>
              <ToggleButton value="difference" data-testid="velocity-show-difference" disabled={!difference}>
                Difference
              </ToggleButton>
            </ToggleButtonGroup>
            {grid && otherGrid && !sameShape && (
              <Alert severity="warning" data-testid="velocity-compare-shape">
                The second model is {otherGrid.shape.join(' × ')} cells, this one {nDepth} × {nWidth}: only models of the same grid can be subtracted.
              </Alert>
            )}
            <ErrorAlert error={otherQuery.error} testId="velocity-compare-error" />
          </>
        )}
        <Button variant="outlined" startIcon={<RestartAltIcon />} disabled={isFullWindow(view, extent)} onClick={() => setView(fullWindow(extent))} data-testid="velocity-reset-view">
          Reset zoom
        </Button>
        <Typography variant="caption" color="text.secondary">
          Cells are square (1:1). Wheel zooms (Shift: distance only, Alt: depth only), drag pans, double-click resets. The profile follows the cursor.
        </Typography>
      </Paper>
      <Paper variant="outlined" sx={{ flex: 1, minWidth: 0 }}>
        <Box sx={{ height: 4 }}>{query.loading && <LinearProgress data-testid="velocity-loading" />}</Box>
        <Stack direction="row" sx={{ px: 2, pt: 1, gap: 2, alignItems: 'baseline', flexWrap: 'wrap' }}>
          <Typography variant="subtitle2" data-testid="velocity-title">
            {showingDifference ? `Sample ${sample} − ${otherLabel}` : `Sample ${sample}`}
            {grid ? ` · ${nDepth} × ${nWidth} (depth × width)` : ''}
            {spacing ? ` · ${formatNumber(spacing)} m grid` : ''}
          </Typography>
          {shown && (
            <Typography variant="caption" color="text.secondary" data-testid="velocity-stats">
              {showingDifference
                ? `largest |Δv| ${formatNumber(difference!.maxAbsMps)} m/s · colours ±${formatNumber(diffSpan)} m/s`
                : `${formatNumber(shown.min)} – ${formatNumber(shown.max)} m/s · colours ${formatNumber(range.min)}–${formatNumber(range.max)} m/s`}
            </Typography>
          )}
        </Stack>
        <Typography variant="caption" component="div" sx={{ px: 2, fontFamily: 'monospace', height: 20, color: 'text.secondary' }} data-testid="velocity-readout">
          {readout}
        </Typography>
        <Box sx={{ px: 1 }}>
          <ErrorAlert error={query.error} testId="velocity-error" />
          {decoded?.error && <Alert severity="error">{decoded.error.message}</Alert>}
        </Box>
        {grid && (
          <Box sx={{ display: 'flex', p: 1, gap: 1, height: PLOT_HEIGHT + 40 }}>
            <Box sx={{ flex: '0 1 auto', width: plotWidth, minWidth: 0, height: PLOT_HEIGHT }}>
              <PlotCanvas
                testId="velocity-canvas"
                ariaLabel={showingDifference ? `Velocity difference, sample ${sample} minus ${otherLabel}` : `Velocity map, sample ${sample}`}
                extent={extent}
                image={raster}
                drawOverlay={drawOverlay}
                xAxis={xAxis}
                yAxis={yAxis}
                xAxisPosition="top"
                equalAspect
                view={view}
                onViewChange={setView}
                onHover={onHover}
                onReset={() => setView(fullWindow(extent))}
              />
            </Box>
            <Box sx={{ display: 'flex', height: PLOT_HEIGHT }}>
              <ColorBar lut={lut} min={lo} max={hi} label={showingDifference ? 'Δv (m/s)' : 'm/s'} testId="velocity-colorbar" />
            </Box>
            <VelocityProfile
              curves={curves}
              spacingM={spacing}
              rangeMps={profileRange}
              title={`Profile at x ${spacing ? `${formatNumber(cellValue(xAxis, column))} m` : `column ${column}`}`}
              height={PLOT_HEIGHT - 20}
              testId="velocity-profile"
            />
          </Box>
        )}
      </Paper>
    </Box>
  );
}
