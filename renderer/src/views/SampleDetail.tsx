import { useEffect, useMemo, useState } from 'react';
import {
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  LinearProgress,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableRow,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from '@mui/material';
import ViewInArIcon from '@mui/icons-material/ViewInAr';
import type { SampleDetail } from '../../../main/core/contract/contract.ts';
import { useApiAction, useApiQuery } from '../api/hooks.ts';
import { useNavigation } from '../app/navigation.ts';
import { ColorBar } from '../components/ColorBar.tsx';
import { ErrorAlert } from '../components/common.tsx';
import { PlotCanvas } from '../components/PlotCanvas.tsx';
import { rgbaToCanvas } from '../components/raster.ts';
import { VelocityPlot } from '../components/VelocityPlot.tsx';
import { formatMetric } from '../models/format.ts';
import { normalisedErrorToMps } from '../../../main/core/contract/velocityRange.ts';
import { absPercentile, finiteRange } from '../plot/amplitude.ts';
import type { AxisScale } from '../plot/axes.ts';
import { colormap } from '../plot/colormaps.ts';
import { decodeFloat32, type Float32Grid } from '../plot/decode.ts';
import { valuesToRgba } from '../plot/image.ts';
import { fullWindow, type DataWindow } from '../plot/viewport.ts';

const seismicLut = colormap('seismic');
const velocityLut = colormap('turbo');

/**
 * One generated sample: decoded seismic ŝ per source beside f(v̂) (the FD seismic of the decoded
 * velocity) and ŝ − f(v̂) on one amplitude scale; the decoded velocity v̂, InversionNet(ŝ) and its
 * error map; the metrics; and the way to its wavefield.
 */
export function SampleDetailDialog({ sampleId, onClose }: { sampleId: number; onClose: () => void }) {
  const detail = useApiQuery('gallery.sample', { sampleId, withModelled: true });
  const { navigate } = useNavigation();
  const sample = detail.data?.sample;
  return (
    <Dialog open onClose={onClose} maxWidth="xl" fullWidth data-testid="gallery-detail" data-sample-id={sampleId} aria-labelledby="gallery-detail-title">
      <DialogTitle id="gallery-detail-title" data-testid="gallery-detail-title">
        Sample {sampleId}
        {sample ? ` · run ${sample.runId} #${sample.sampleIndex} · seed ${sample.seed} · ${sample.sampler.toUpperCase()} ${sample.steps} steps · ${sample.model}` : ''}
      </DialogTitle>
      <DialogContent dividers>
        {detail.loading && !detail.data && (
          <Box data-testid="gallery-detail-loading">
            <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
              Loading the sample and forward-modelling its velocity…
            </Typography>
            <LinearProgress />
          </Box>
        )}
        <ErrorAlert error={detail.error} testId="gallery-detail-error" />
        {detail.data && <DetailBody detail={detail.data} />}
      </DialogContent>
      <DialogActions>
        <Button
          startIcon={<ViewInArIcon />}
          disabled={!sample || sample.datasetId === null}
          onClick={() => sample && sample.datasetId !== null && navigate('wavefield', { dataset: String(sample.datasetId), sample: String(sample.sampleIndex) })}
          data-testid="gallery-detail-wavefield"
        >
          Open wavefield
        </Button>
        <Box sx={{ flex: 1 }} />
        <Button onClick={onClose} data-testid="gallery-detail-close">
          Close
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function DetailBody({ detail }: { detail: SampleDetail }) {
  const decoded = useMemo(() => {
    const grid = (p: SampleDetail['seismic'] | null) => (p ? decodeFloat32(p) : null);
    return {
      seismic: grid(detail.seismic)!,
      modelled: grid(detail.modelled),
      difference: grid(detail.difference),
      velocity: grid(detail.velocityMps)!,
      inverted: grid(detail.invertedMps)!,
    };
  }, [detail]);
  const nSources = decoded.seismic.shape[0];
  const [source, setSource] = useState(0);
  useEffect(() => setSource((s) => Math.min(s, nSources - 1)), [nSources]);
  const s = detail.sample;

  // One amplitude scale for ŝ, f(v̂) and their difference, so the difference reads against the data.
  const clip = useMemo(() => absPercentile(decoded.seismic.values, 99) || 1, [decoded.seismic]);
  const [depth, width] = decoded.velocity.shape;
  const velocityRange = useMemo(() => {
    const [a0, a1] = finiteRange(decoded.velocity.values);
    const [b0, b1] = finiteRange(decoded.inverted.values);
    return [Math.min(a0, b0), Math.max(a1, b1)] as const;
  }, [decoded]);
  const inversionError = useMemo(() => {
    const out = new Float32Array(decoded.inverted.values.length);
    let maxAbs = 0;
    for (let i = 0; i < out.length; i++) {
      out[i] = decoded.inverted.values[i] - decoded.velocity.values[i];
      if (Math.abs(out[i]) > maxAbs) maxAbs = Math.abs(out[i]);
    }
    return { values: out, maxAbs: maxAbs || 1 };
  }, [decoded]);

  return (
    <Stack spacing={1.5}>
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: '350px 1fr' }, gap: 2 }}>
        <MetricsTable detail={detail} />
        <Box>
          <Stack direction="row" sx={{ alignItems: 'center', gap: 2, mb: 1 }}>
            <Typography variant="subtitle2">Seismic, source</Typography>
            <ToggleButtonGroup exclusive size="small" value={source} onChange={(_, v: number | null) => v !== null && setSource(v)} aria-label="Source" data-testid="gallery-detail-source">
              {Array.from({ length: nSources }, (_, k) => (
                <ToggleButton key={k} value={k} data-testid="gallery-detail-source-option" data-source={k}>
                  {k + 1}
                  {s.pde_rel_l2_per_source?.[k] !== undefined && s.pde_rel_l2_per_source[k] !== null ? ` (${formatMetric(s.pde_rel_l2_per_source[k], 2)})` : ''}
                </ToggleButton>
              ))}
            </ToggleButtonGroup>
            <Typography variant="caption" color="text.secondary">
              (per-source PDE deviation in brackets) · amplitude ±{formatMetric(clip, 3)}
            </Typography>
          </Stack>
          <Stack direction="row" sx={{ gap: 1, alignItems: 'stretch' }}>
            <SeismicPanel title="Decoded seismic ŝ" grid={decoded.seismic} source={source} clip={clip} sampleIntervalMs={detail.sampleIntervalMs} testId="gallery-detail-seismic" />
            {decoded.modelled && decoded.difference ? (
              <>
                <SeismicPanel title="f(v̂): FD seismic of v̂" grid={decoded.modelled} source={source} clip={clip} sampleIntervalMs={detail.sampleIntervalMs} testId="gallery-detail-modelled" />
                <SeismicPanel title="ŝ − f(v̂)" grid={decoded.difference} source={source} clip={clip} sampleIntervalMs={detail.sampleIntervalMs} testId="gallery-detail-difference" />
              </>
            ) : (
              <Typography variant="body2" color="text.secondary" sx={{ alignSelf: 'center', p: 2 }} data-testid="gallery-detail-no-modelled">
                f(v̂) could not be modelled for this sample.
              </Typography>
            )}
            <Box sx={{ height: 260, pt: 2.5 }}>
              <ColorBar lut={seismicLut} min={-clip} max={clip} label="amplitude" testId="gallery-detail-seismic-colorbar" />
            </Box>
          </Stack>
        </Box>
      </Box>
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: '1fr 1fr 1fr' }, gap: 2 }}>
        <Box>
          <Typography variant="subtitle2">Decoded velocity v̂</Typography>
          <VelocityPlot velocityMps={decoded.velocity.values} nz={depth} nx={width} spacingM={detail.gridSpacingM} lut={velocityLut} min={velocityRange[0]} max={velocityRange[1]} height={240} testId="gallery-detail-velocity" ariaLabel="Decoded velocity" />
        </Box>
        <Box>
          <Typography variant="subtitle2">InversionNet(ŝ)</Typography>
          <VelocityPlot velocityMps={decoded.inverted.values} nz={depth} nx={width} spacingM={detail.gridSpacingM} lut={velocityLut} min={velocityRange[0]} max={velocityRange[1]} height={240} testId="gallery-detail-inverted" ariaLabel="InversionNet's velocity from the decoded seismic" />
        </Box>
        <Box>
          <Typography variant="subtitle2">Inversion error: InversionNet(ŝ) − v̂</Typography>
          <VelocityPlot velocityMps={inversionError.values} nz={depth} nx={width} spacingM={detail.gridSpacingM} lut={seismicLut} min={-inversionError.maxAbs} max={inversionError.maxAbs} height={240} testId="gallery-detail-error-map" ariaLabel="Inversion error map" />
        </Box>
      </Box>
    </Stack>
  );
}

/** A velocity error on OpenFWI's [−1, 1] scale with its value in m/s. */
function withMps(value: number | null): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${formatMetric(value)} (${Math.round(normalisedErrorToMps(value))} m/s)` : formatMetric(value);
}

function MetricsTable({ detail }: { detail: SampleDetail }) {
  const s = detail.sample;
  const untag = useApiAction('gallery.untag');
  const rows: [string, string, string][] = [
    ['PDE deviation (rel. L2)', formatMetric(s.pde_rel_l2), 'pde_rel_l2'],
    ['PDE deviation (MSE)', formatMetric(s.pde_mse), 'pde_mse'],
    ['Inversion MAE', withMps(s.inv_mae), 'inv_mae'],
    ['Inversion RMSE', withMps(s.inv_rmse), 'inv_rmse'],
    ['Inversion SSIM', formatMetric(s.inv_ssim), 'inv_ssim'],
    ['Seed', String(s.seed), 'seed'],
    ['Sampler', `${s.sampler.toUpperCase()}, ${s.steps} steps`, 'sampler'],
    ['Model (stage 2)', s.model, 'model'],
    ['Execution provider', s.provider, 'provider'],
    ['Run / index', `${s.runId} / ${s.sampleIndex}`, 'run'],
  ];
  return (
    <Box>
      <Table size="small" data-testid="gallery-detail-metrics">
        <TableBody>
          {rows.map(([label, value, key]) => (
            <TableRow key={key} data-testid="gallery-detail-metric" data-key={key}>
              <TableCell sx={{ color: 'text.secondary', pl: 0, py: 0.5, whiteSpace: 'nowrap' }}>{label}</TableCell>
              <TableCell sx={{ fontFamily: 'monospace', py: 0.5, whiteSpace: 'nowrap' }}>{value}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <ErrorAlert error={untag.error} testId="gallery-detail-untag-error" />
      <Stack direction="row" sx={{ gap: 0.5, flexWrap: 'wrap', mt: 1 }} data-testid="gallery-detail-tags">
        {s.tags.map((tag) => (
          <Chip key={tag} size="small" color="secondary" variant="outlined" label={tag} onDelete={() => void untag.run({ sampleIds: [s.id], tag }).catch(() => undefined)} data-testid="gallery-detail-tag" data-tag={tag} />
        ))}
      </Stack>
    </Box>
  );
}

/** One source's gather [time, receivers] of a [sources, time, receivers] array, with time and receiver axes. */
function SeismicPanel({ title, grid, source, clip, sampleIntervalMs, testId }: { title: string; grid: Float32Grid; source: number; clip: number; sampleIntervalMs: number; testId: string }) {
  const [, nTime, nReceivers] = grid.shape;
  const gather = useMemo(() => grid.values.subarray(source * nTime * nReceivers, (source + 1) * nTime * nReceivers), [grid, source, nTime, nReceivers]);
  const raster = useMemo(() => rgbaToCanvas(valuesToRgba(gather, seismicLut, -clip, clip), nReceivers, nTime), [gather, clip, nReceivers, nTime]);
  const extent = useMemo(() => ({ cols: nReceivers, rows: nTime }), [nReceivers, nTime]);
  const [view, setView] = useState<DataWindow>(() => fullWindow(extent));
  useEffect(() => setView(fullWindow(extent)), [extent]);
  const xAxis: AxisScale = useMemo(() => ({ label: 'Receiver', step: 1, origin: 0 }), []);
  const yAxis: AxisScale = useMemo(() => ({ label: 'Time (ms)', step: sampleIntervalMs, origin: 0 }), [sampleIntervalMs]);
  return (
    <Box sx={{ flex: 1, minWidth: 0 }}>
      <Typography variant="caption" component="div" sx={{ fontWeight: 600, height: 20 }}>
        {title}
      </Typography>
      <PlotCanvas testId={testId} ariaLabel={`${title}, source ${source + 1}`} extent={extent} image={raster} xAxis={xAxis} yAxis={yAxis} view={view} onViewChange={setView} onReset={() => setView(fullWindow(extent))} height={240} />
    </Box>
  );
}
