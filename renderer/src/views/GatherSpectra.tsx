import { useEffect, useMemo, useState } from 'react';
import { Box, Paper, Stack, Typography } from '@mui/material';
import { ColorBar } from '../components/ColorBar.tsx';
import { LineChart } from '../components/LineChart.tsx';
import { cellValue, PlotCanvas } from '../components/PlotCanvas.tsx';
import { rgbaToCanvas } from '../components/raster.ts';
import { formatNumber } from '../app/humanReadable.ts';
import type { AxisScale } from '../plot/axes.ts';
import { colormap } from '../plot/colormaps.ts';
import { valuesToRgba } from '../plot/image.ts';
import { averageAmplitudeSpectrum, fkSpectrum, signalBandHz } from '../plot/spectrum.ts';
import { fullWindow, type DataWindow } from '../plot/viewport.ts';

/** Dynamic range of the f–k display, dB below its peak. */
const FK_RANGE_DB = 60;

export interface GatherSpectraProps {
  /** [time, receivers], as recorded (no gain or AGC). */
  gather: Float32Array;
  nTime: number;
  nReceivers: number;
  sampleIntervalMs: number;
  /** Receiver spacing in metres, or null when unknown (the wavenumber is then per trace). */
  receiverSpacing: number | null;
  lengthUnit: string;
  padded: ReadonlySet<number>;
}

/** The average amplitude spectrum (dB vs Hz) and the f–k spectrum of one gather, side by side. */
export function GatherSpectra({ gather, nTime, nReceivers, sampleIntervalMs, receiverSpacing, lengthUnit, padded }: GatherSpectraProps) {
  const dtSeconds = sampleIntervalMs / 1000;
  const spectrum = useMemo(() => averageAmplitudeSpectrum(gather, nTime, nReceivers, dtSeconds, padded), [gather, nTime, nReceivers, dtSeconds, padded]);
  // Shown up to the signal band (where the level falls 60 dB below the peak), not all the way to Nyquist.
  const bandHz = useMemo(() => signalBandHz(spectrum.frequencyHz, spectrum.amplitudeDb), [spectrum]);
  const series = useMemo(
    () => [
      {
        key: 'amplitude',
        label: `mean |P(f)| of ${spectrum.tracesUsed} traces`,
        points: Array.from(spectrum.frequencyHz, (f, m) => ({ x: Math.round(f * 100) / 100, y: spectrum.amplitudeDb[m] })).filter((p) => p.x <= bandHz),
      },
    ],
    [spectrum, bandHz],
  );

  const fk = useMemo(() => fkSpectrum(gather, nTime, nReceivers, dtSeconds, receiverSpacing ?? 1, padded), [gather, nTime, nReceivers, dtSeconds, receiverSpacing, padded]);
  // Frequencies 0 … bandHz, rows flipped so that frequency increases upwards: row i holds f = (nf − 1 − i) · df.
  const nf = Math.min(fk.nf, Math.ceil(bandHz / fk.df) + 1);
  const flipped = useMemo(() => {
    const out = new Float32Array(nf * fk.nk);
    for (let m = 0; m < nf; m++) out.set(fk.amplitudeDb.subarray(m * fk.nk, (m + 1) * fk.nk), (nf - 1 - m) * fk.nk);
    return out;
  }, [fk, nf]);
  const lut = colormap('viridis');
  const raster = useMemo(() => rgbaToCanvas(valuesToRgba(flipped, lut, -FK_RANGE_DB, 0), fk.nk, nf), [flipped, lut, fk.nk, nf]);
  const extent = useMemo(() => ({ cols: fk.nk, rows: nf }), [fk.nk, nf]);
  const [view, setView] = useState<DataWindow>(() => fullWindow(extent));
  useEffect(() => setView(fullWindow(extent)), [extent]);
  const kUnit = receiverSpacing ? `1/${lengthUnit}` : 'cycles/trace';
  const xAxis: AxisScale = useMemo(() => ({ label: `Wavenumber k (${kUnit})`, step: fk.dk, origin: fk.k0 }), [fk.dk, fk.k0, kUnit]);
  const yAxis: AxisScale = useMemo(() => ({ label: 'Frequency (Hz)', step: -fk.df, origin: (nf - 1) * fk.df }), [fk.df, nf]);
  const [hover, setHover] = useState<{ col: number; row: number } | null>(null);
  const readout = hover
    ? `f ${formatNumber(cellValue(yAxis, hover.row))} Hz · k ${formatNumber(cellValue(xAxis, hover.col))} ${kUnit} · ${flipped[hover.row * fk.nk + hover.col].toFixed(1)} dB` +
      (receiverSpacing && cellValue(xAxis, hover.col) !== 0 ? ` · apparent velocity ${formatNumber(cellValue(yAxis, hover.row) / cellValue(xAxis, hover.col))} ${lengthUnit}/s` : '')
    : '';

  return (
    <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }} data-testid="seismic-spectra">
      <Paper variant="outlined" sx={{ flex: '1 1 420px', minWidth: 360, p: 1.5 }}>
        <Typography variant="subtitle2">Amplitude spectrum</Typography>
        <Typography variant="caption" color="text.secondary" component="div" sx={{ mb: 0.5 }}>
          Mean |FFT| over the recorded traces (padding left out), dB relative to its peak; shown to {formatNumber(bandHz)} Hz of {formatNumber(500 / sampleIntervalMs)} Hz (Nyquist).
        </Typography>
        <LineChart series={series} xLabel="Frequency (Hz)" yLabel="Amplitude (dB)" height={300} testId="seismic-spectrum" formatValue={(v) => (v === null ? '—' : `${v.toFixed(1)} dB`)} />
      </Paper>
      <Paper variant="outlined" sx={{ flex: '1 1 420px', minWidth: 360, p: 1.5 }}>
        <Typography variant="subtitle2">f–k spectrum</Typography>
        <Typography variant="caption" color="text.secondary" component="div">
          |P(f, k)| in dB re its peak; a plane wave travelling towards +{receiverSpacing ? 'x' : 'receiver index'} lies on k = f / v.
          {receiverSpacing ? ` Receiver spacing ${formatNumber(receiverSpacing)} ${lengthUnit}.` : ' Receiver spacing unknown: k per trace.'}
        </Typography>
        <Typography variant="caption" component="div" sx={{ fontFamily: 'monospace', height: 20, color: 'text.secondary' }} data-testid="seismic-fk-readout">
          {readout}
        </Typography>
        <Stack direction="row" sx={{ height: 300, gap: 1 }}>
          <Box sx={{ flex: 1, minWidth: 0 }}>
            <PlotCanvas
              testId="seismic-fk"
              ariaLabel="f–k spectrum of the gather"
              extent={extent}
              image={raster}
              xAxis={xAxis}
              yAxis={yAxis}
              xAxisPosition="bottom"
              view={view}
              onViewChange={setView}
              onHover={setHover}
              onReset={() => setView(fullWindow(extent))}
            />
          </Box>
          <ColorBar lut={lut} min={-FK_RANGE_DB} max={0} label="dB" testId="seismic-fk-colorbar" />
        </Stack>
      </Paper>
    </Box>
  );
}
