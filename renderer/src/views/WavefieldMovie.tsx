import { useCallback, useMemo, useState } from 'react';
import { Alert, Box, Button, LinearProgress, Stack, TextField, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import SaveAltIcon from '@mui/icons-material/SaveAlt';
import FolderOpenIcon from '@mui/icons-material/FolderOpen';
import type { WavefieldResult } from '../../../main/core/contract/contract.ts';
import { useStudio } from '../api/context.tsx';
import { PathField } from '../components/PathField.tsx';
import { PlotCanvas, type PlotOverlayContext } from '../components/PlotCanvas.tsx';
import { rgbaToCanvas } from '../components/raster.ts';
import { formatNumber } from '../app/humanReadable.ts';
import { defaultOf, metaOf, movieFramesPerSecondParameter, numberFromText } from '../../../main/core/contract/parameters.ts';
import type { AxisScale } from '../plot/axes.ts';
import type { ColormapLut } from '../plot/colormaps.ts';
import { fullWindow, type DataWindow } from '../plot/viewport.ts';
import { blendPressureOverVelocity, depthWidthSlice, frameTimeMs, type VolumeShape } from '../plot/wavefield.ts';

/** How bright the velocity model shows under the wave (as in the 3D view's texture). */
const VELOCITY_BRIGHTNESS = 0.55;
/** Pixels per grid cell in exported frames (70 × 70 cells → 280 × 280 px before the caption). */
const EXPORT_SCALE = 4;
/** Frames per saveFrames call: well under the API's message limit. */
const FRAMES_PER_CALL = 20;

export interface MovieInput {
  volume: Float32Array;
  shape: VolumeShape;
  /** [depth, width] m/s */
  velocity: Float32Array;
  velocityMin: number;
  velocityMax: number;
  result: WavefieldResult;
  pressureLut: ColormapLut;
  velocityLut: ColormapLut;
  clip: number;
}

/** One frame's pixels [depth, width]: pressure over the velocity model. */
function frameRgba(input: MovieInput, frame: number): Uint8ClampedArray {
  const pressure = depthWidthSlice(input.volume, input.shape, frame);
  const rgba = blendPressureOverVelocity(pressure, input.velocity, {
    pressureLut: input.pressureLut,
    clip: input.clip,
    velocityLut: input.velocityLut,
    velocityMin: input.velocityMin,
    velocityMax: input.velocityMax,
    velocityBrightness: VELOCITY_BRIGHTNESS,
  });
  return new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength);
}

/** Source (orange star) and receivers (green ticks) at their grid cells, in a plot's pixel space. */
function drawAcquisition(ctx: CanvasRenderingContext2D, result: WavefieldResult, toPx: (col: number, row: number) => [number, number], size: number): void {
  ctx.fillStyle = 'rgba(120, 230, 140, 0.95)';
  for (const r of result.receivers) {
    const [x, y] = toPx(r.x + 0.5, r.z + 0.5);
    ctx.fillRect(x - size / 4, y - size / 2, size / 2, size);
  }
  const [sx, sy] = toPx(result.source.x + 0.5, result.source.z + 0.5);
  ctx.fillStyle = 'rgba(255, 167, 38, 1)';
  ctx.beginPath();
  ctx.arc(sx, sy, size, 0, 2 * Math.PI);
  ctx.fill();
}

/**
 * The plain 2-D movie: pressure snapshots over the velocity model with depth and distance in metres,
 * the source and receivers marked, driven by the same playhead as the 3-D view; the movie can be
 * saved as a GIF or as numbered PNG frames (for an MP4 through ffmpeg).
 */
export function WavefieldMovie({ input, frame }: { input: MovieInput; frame: number }) {
  const { shape, result } = input;
  const raster = useMemo(() => rgbaToCanvas(frameRgba(input, frame), shape.nx, shape.nz), [input, frame, shape.nx, shape.nz]);
  const extent = useMemo(() => ({ cols: shape.nx, rows: shape.nz }), [shape.nx, shape.nz]);
  const [view, setView] = useState<DataWindow>(() => fullWindow(extent));
  const xAxis: AxisScale = useMemo(() => ({ label: 'Distance (m)', step: result.gridSpacingM, origin: 0 }), [result.gridSpacingM]);
  const yAxis: AxisScale = useMemo(() => ({ label: 'Depth (m)', step: result.gridSpacingM, origin: 0 }), [result.gridSpacingM]);
  const drawOverlay = useCallback(
    ({ ctx, view: w, rect }: PlotOverlayContext) => {
      const toPx = (col: number, row: number): [number, number] => [rect.left + ((col - w.x0) / (w.x1 - w.x0)) * rect.width, rect.top + ((row - w.y0) / (w.y1 - w.y0)) * rect.height];
      drawAcquisition(ctx, result, toPx, 4);
    },
    [result],
  );
  const aspectWidth = Math.round((420 * shape.nx) / Math.max(1, shape.nz)) + 80;
  return (
    <Box data-testid="wavefield-movie" data-frame={frame}>
      <Typography variant="subtitle2">
        Pressure over the velocity model · t = {formatNumber(frameTimeMs(frame, result.frameIntervalMs))} ms
      </Typography>
      <Box sx={{ height: 460, width: aspectWidth, maxWidth: '100%' }}>
        <PlotCanvas testId="wavefield-movie-canvas" ariaLabel="Pressure snapshot over the velocity model" extent={extent} image={raster} drawOverlay={drawOverlay} xAxis={xAxis} yAxis={yAxis} xAxisPosition="top" view={view} onViewChange={setView} onReset={() => setView(fullWindow(extent))} />
      </Box>
    </Box>
  );
}

const EXPORT_CAPTION_PX = 18;
/** RGBA bytes per wavefield.saveGif call: well under the API's 16 MiB message limit once in base64. */
const GIF_BYTES_PER_CALL = 6 * 1024 * 1024;

/** Draws frame `f` of the movie as exported: scaled, the acquisition marked, its time and extent in a caption. */
function drawExportFrame(ctx: CanvasRenderingContext2D, input: MovieInput, f: number): void {
  const { shape, result } = input;
  ctx.fillStyle = '#101418';
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.drawImage(rgbaToCanvas(frameRgba(input, f), shape.nx, shape.nz), 0, EXPORT_CAPTION_PX, shape.nx * EXPORT_SCALE, shape.nz * EXPORT_SCALE);
  drawAcquisition(ctx, result, (col, row) => [col * EXPORT_SCALE, EXPORT_CAPTION_PX + row * EXPORT_SCALE], 3);
  ctx.fillStyle = '#e6ebf0';
  ctx.font = '12px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.fillText(`t = ${formatNumber(frameTimeMs(f, result.frameIntervalMs))} ms · ${formatNumber(shape.nx * result.gridSpacingM)} m × ${formatNumber(shape.nz * result.gridSpacingM)} m`, 4, EXPORT_CAPTION_PX / 2);
}

/** Base64 of bytes, in slices (String.fromCharCode takes a bounded number of arguments). */
function bytesToBase64(bytes: Uint8ClampedArray): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

type ExportFormat = 'png' | 'gif';

/**
 * Renders every frame at EXPORT_SCALE with its time and the acquisition marked, and saves them as
 * numbered PNG files in a folder (ffmpeg makes an MP4 of them) or as one looping GIF.
 */
export function MovieFrameExport({ input }: { input: MovieInput }) {
  const client = useStudio();
  const [format, setFormat] = useState<ExportFormat>('gif');
  const [folder, setFolder] = useState('');
  const [gifFile, setGifFile] = useState('');
  const [fpsText, setFpsText] = useState(String(defaultOf(movieFramesPerSecondParameter)));
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [saved, setSaved] = useState<{ format: ExportFormat; where: string; count: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fps = numberFromText(fpsText, movieFramesPerSecondParameter);
  const target = format === 'png' ? folder.trim() : gifFile.trim();

  const save = async () => {
    const { shape } = input;
    setError(null);
    setSaved(null);
    const canvas = document.createElement('canvas');
    canvas.width = shape.nx * EXPORT_SCALE;
    canvas.height = shape.nz * EXPORT_SCALE + EXPORT_CAPTION_PX;
    const ctx = canvas.getContext('2d', { willReadFrequently: format === 'gif' });
    if (!ctx) return setError('This browser cannot draw the frames (no 2-D canvas).');
    ctx.imageSmoothingEnabled = false;
    const perCall = format === 'png' ? FRAMES_PER_CALL : Math.max(1, Math.floor(GIF_BYTES_PER_CALL / (canvas.width * canvas.height * 4)));
    try {
      for (let first = 0; first < shape.frames; first += perCall) {
        const batch: string[] = [];
        for (let f = first; f < Math.min(shape.frames, first + perCall); f++) {
          drawExportFrame(ctx, input, f);
          batch.push(format === 'png' ? canvas.toDataURL('image/png').slice('data:image/png;base64,'.length) : bytesToBase64(ctx.getImageData(0, 0, canvas.width, canvas.height).data));
        }
        if (format === 'png') {
          await client.call('wavefield.saveFrames', { folder: target, firstIndex: first, pngBase64: batch });
        } else {
          await client.call('wavefield.saveGif', { file: target, firstIndex: first, frameCount: shape.frames, width: canvas.width, height: canvas.height, framesPerSecond: fps as number, rgbaBase64: batch });
        }
        setProgress({ done: first + batch.length, total: shape.frames });
      }
      setSaved({ format, where: target, count: shape.frames });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setProgress(null);
    }
  };

  return (
    <Stack spacing={1} sx={{ maxWidth: 560 }} data-testid="wavefield-frames-export">
      <ToggleButtonGroup exclusive size="small" value={format} onChange={(_e, v: ExportFormat | null) => v && setFormat(v)} aria-label="Movie export format">
        <ToggleButton value="gif" data-testid="wavefield-export-gif">
          GIF
        </ToggleButton>
        <ToggleButton value="png" data-testid="wavefield-export-png">
          PNG frames (for MP4)
        </ToggleButton>
      </ToggleButtonGroup>
      {format === 'png' ? (
        <PathField label="Folder for PNG frames" value={folder} onChange={setFolder} inputTestId="wavefield-frames-folder" browseTestId="wavefield-frames-browse" browseIcon={<FolderOpenIcon />} pickerTitle="Choose a folder for the frames" helperText={`frame_0000.png … one per snapshot (${input.shape.frames}); an MP4 of them: ffmpeg -framerate 10 -i frame_%04d.png -pix_fmt yuv420p movie.mp4`} />
      ) : (
        <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
          <Box sx={{ flex: 1 }}>
            <PathField label="GIF file" value={gifFile} onChange={setGifFile} inputTestId="wavefield-gif-file" browseTestId="wavefield-gif-browse" browseIcon={<FolderOpenIcon />} pickerMode="file" pickerTitle="Choose the GIF file" placeholder="/path/to/wavefield.gif" helperText={`${input.shape.frames} frames, looping; 256 colours per frame`} />
          </Box>
          <TextField
            label={metaOf(movieFramesPerSecondParameter).title}
            value={fpsText}
            onChange={(e) => setFpsText(e.target.value)}
            error={typeof fps === 'string'}
            helperText={typeof fps === 'string' ? fps : 'frames/s'}
            sx={{ width: 150 }}
            slotProps={{ htmlInput: { 'data-testid': 'wavefield-gif-fps', inputMode: 'numeric' } }}
          />
        </Stack>
      )}
      <Box>
        <Button variant="outlined" startIcon={<SaveAltIcon />} disabled={target === '' || progress !== null || (format === 'gif' && typeof fps === 'string')} onClick={() => void save()} data-testid="wavefield-frames-save">
          {format === 'png' ? 'Save PNG frames' : 'Save GIF'}
        </Button>
      </Box>
      {progress && <LinearProgress variant="determinate" value={(100 * progress.done) / progress.total} data-testid="wavefield-frames-progress" />}
      {saved && (
        <Alert severity="success" data-testid="wavefield-frames-saved" data-count={saved.count} data-format={saved.format}>
          {saved.format === 'png' ? `Saved ${saved.count} frames in ${saved.where}.` : `Saved a ${saved.count}-frame GIF as ${saved.where}.`}
        </Alert>
      )}
      {error && (
        <Alert severity="error" data-testid="wavefield-frames-error">
          {error}
        </Alert>
      )}
    </Stack>
  );
}
