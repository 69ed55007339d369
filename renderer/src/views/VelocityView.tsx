import { useEffect, useMemo, useState } from 'react';
import { Alert, Box, Button, LinearProgress, Paper, Stack, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import RestartAltIcon from '@mui/icons-material/RestartAlt';
import type { DatasetInfo } from '../../../main/core/contract/contract.ts';
import { useApiQuery } from '../api/hooks.ts';
import { replaceRoute, useNavigation } from '../app/navigation.ts';
import { ColorBar } from '../components/ColorBar.tsx';
import { EmptyState, ErrorAlert, ViewHeader } from '../components/common.tsx';
import { PlotCanvas } from '../components/PlotCanvas.tsx';
import { useDecodedFloat32, useLastResponse } from '../components/plotData.ts';
import { rgbaToCanvas } from '../components/raster.ts';
import { DatasetSelect, IndexStepper, useDatasetSample } from '../components/selectors.tsx';
import { useGridAxes, velocityReadout } from '../components/VelocityPlot.tsx';
import { formatNumber, formatShape } from '../app/humanReadable.ts';
import { colormap, type ColormapName } from '../plot/colormaps.ts';
import { valuesToRgba } from '../plot/image.ts';
import { fullWindow, isFullWindow, type DataWindow } from '../plot/viewport.ts';

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
        subtitle={dataset ? `${dataset.name} · ${dataset.nSamples} samples · per sample ${formatShape(dataset.velocityShape)} (channels × depth × width)` : undefined}
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
  const [mapName, setMapName] = useState<ColormapName>('turbo');
  const [hover, setHover] = useState<{ col: number; row: number } | null>(null);
  const shown = useLastResponse(query.data);
  const decoded = useDecodedFloat32(shown?.velocityMps);
  const grid = decoded?.grid ?? null;
  const nDepth = grid?.shape[0] ?? 0;
  const nWidth = grid?.shape[1] ?? 0;
  const lut = colormap(mapName);
  const min = shown?.min ?? 0;
  const max = shown?.max ?? 1;

  const raster = useMemo(() => (grid && grid.shape.length === 2 ? rgbaToCanvas(valuesToRgba(grid.values, lut, min, max), nWidth, nDepth) : null), [grid, lut, min, max, nWidth, nDepth]);
  const extent = useMemo(() => ({ cols: Math.max(1, nWidth), rows: Math.max(1, nDepth) }), [nWidth, nDepth]);
  const [view, setView] = useState<DataWindow>(() => fullWindow(extent));
  useEffect(() => setView(fullWindow(extent)), [extent]);

  const spacing = shown?.gridSpacingM ?? dataset.gridSpacingM ?? null;
  const { xAxis, yAxis } = useGridAxes(spacing);

  const readout = hover && grid ? velocityReadout(hover, spacing, xAxis, yAxis, grid.values[hover.row * nWidth + hover.col]) : '';

  // Keep the plot's aspect ratio physical (square cells) within the available width.
  const aspect = nWidth > 0 ? nDepth / nWidth : 1;

  return (
    <Box sx={{ display: 'flex', gap: 2, alignItems: 'flex-start' }}>
      <Paper variant="outlined" sx={{ width: 280, flexShrink: 0, p: 2, display: 'flex', flexDirection: 'column', gap: 1.5 }}>
        <DatasetSelect datasets={datasets} value={dataset.id} onChange={onDataset} testId="velocity-dataset" />
        <IndexStepper label="Sample" value={sample} count={dataset.nSamples} onChange={onSample} testId="velocity-sample" />
        <Typography variant="overline" color="text.secondary">
          Colour map
        </Typography>
        <ToggleButtonGroup exclusive size="small" fullWidth value={mapName} onChange={(_e, v: ColormapName | null) => v && setMapName(v)} aria-label="Colour map">
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
        <Button variant="outlined" startIcon={<RestartAltIcon />} disabled={isFullWindow(view, extent)} onClick={() => setView(fullWindow(extent))} data-testid="velocity-reset-view">
          Reset zoom
        </Button>
        <Typography variant="caption" color="text.secondary">
          Wheel zooms (Shift: distance only, Alt: depth only), drag pans, double-click resets.
        </Typography>
      </Paper>
      <Paper variant="outlined" sx={{ flex: 1, minWidth: 0 }}>
        <Box sx={{ height: 4 }}>{query.loading && <LinearProgress data-testid="velocity-loading" />}</Box>
        <Stack direction="row" sx={{ px: 2, pt: 1, gap: 2, alignItems: 'baseline', flexWrap: 'wrap' }}>
          <Typography variant="subtitle2" data-testid="velocity-title">
            Sample {sample}
            {grid ? ` · ${nDepth} × ${nWidth} (depth × width)` : ''}
            {spacing ? ` · ${formatNumber(spacing)} m grid` : ''}
          </Typography>
          {shown && (
            <Typography variant="caption" color="text.secondary" data-testid="velocity-stats">
              {formatNumber(shown.min)} – {formatNumber(shown.max)} m/s
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
          <Box sx={{ display: 'flex', p: 1, gap: 1 }}>
            <Box sx={{ flex: 1, minWidth: 0, aspectRatio: `${1 / Math.min(2, Math.max(0.25, aspect))} / 1`, maxHeight: '70vh', minHeight: 320 }}>
              <PlotCanvas
                testId="velocity-canvas"
                ariaLabel={`Velocity map, sample ${sample}`}
                extent={extent}
                image={raster}
                xAxis={xAxis}
                yAxis={yAxis}
                xAxisPosition="top"
                view={view}
                onViewChange={setView}
                onHover={setHover}
                onReset={() => setView(fullWindow(extent))}
              />
            </Box>
            <Box sx={{ alignSelf: 'stretch', display: 'flex' }}>
              <ColorBar lut={lut} min={min} max={max} label="m/s" testId="velocity-colorbar" />
            </Box>
          </Box>
        )}
      </Paper>
    </Box>
  );
}
