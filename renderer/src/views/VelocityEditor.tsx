import { useCallback, useMemo, useRef, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Divider,
  List,
  ListItem,
  ListItemText,
  Paper,
  Stack,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from '@mui/material';
import UndoIcon from '@mui/icons-material/Undo';
import RestartAltIcon from '@mui/icons-material/RestartAlt';
import { type DatasetInfo } from '../../../main/core/contract/contract.ts';
import { OPENFWI_VELOCITY_RANGE_MPS } from '../../../main/core/contract/velocityRange.ts';
import { useStudio } from '../api/context.tsx';
import { ErrorAlert } from '../components/common.tsx';
import type { PlotOverlayContext } from '../components/PlotCanvas.tsx';
import { DatasetSelect, IndexStepper } from '../components/selectors.tsx';
import { VelocityPlot } from '../components/VelocityPlot.tsx';
import { colormap } from '../plot/colormaps.ts';
import { decodeFloat32 } from '../plot/decode.ts';
import {
  applyEdits,
  constantGrid,
  describeEdit,
  faultColumnAt,
  flatInterface,
  gridRange,
  interfaceFromStroke,
  VELOCITY_LIMITS_MPS,
  velocityProblem,
  type VelocityEdit,
  type VelocityGrid,
} from '../plot/velocityModel.ts';

export type EditorTool = 'layer' | 'draw' | 'fault' | 'anomaly';

export interface VelocityEditorState {
  start: VelocityGrid;
  /** Where the start grid came from, for titles. */
  startLabel: string;
  edits: VelocityEdit[];
}

export function initialEditorState(): VelocityEditorState {
  return { start: constantGrid(70, 70, 1500), startLabel: 'constant 1500 m/s', edits: [] };
}

/** A number from a text field; NaN when empty. */
const num = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

/**
 * Forward modelling by hand: start from a constant or a dataset sample, then add layers (typed depth
 * or a painted boundary), faults and anomalies; undo drops the last edit. The edited grid is what
 * the wavefield run uses.
 */
export function VelocityEditor({
  state,
  onChange,
  datasets,
  spacingM,
}: {
  state: VelocityEditorState;
  onChange: (state: VelocityEditorState) => void;
  datasets: DatasetInfo[];
  spacingM: number;
}) {
  const client = useStudio();
  const [tool, setTool] = useState<EditorTool>('layer');
  const [size, setSize] = useState({ nz: '70', nx: '70', velocity: '1500' });
  const [sampleSource, setSampleSource] = useState<{ datasetId: number | null; sample: number }>({ datasetId: datasets[0]?.id ?? null, sample: 0 });
  const [loadError, setLoadError] = useState<Error | null>(null);
  const [layer, setLayer] = useState({ depthM: '300', velocity: '2500' });
  const [fault, setFault] = useState({ xM: '350', dipDeg: '60', throwM: '100', side: 'right' as 'left' | 'right' });
  const [anomaly, setAnomaly] = useState({ xM: '350', zM: '450', rxM: '80', rzM: '50', velocity: '4000' });
  const [stroke, setStroke] = useState<{ col: number; row: number }[]>([]);
  const strokeRef = useRef<{ col: number; row: number }[]>([]);

  const grid = useMemo(() => applyEdits(state.start, state.edits), [state.start, state.edits]);
  const range = useMemo(() => gridRange(grid), [grid]);
  const lut = colormap('turbo');
  const cells = (metres: number) => metres / spacingM;
  const addEdit = (edit: VelocityEdit) => onChange({ ...state, edits: [...state.edits, edit] });

  // Validation of each tool's fields (positions must lie in the model, velocities in range).
  const depthM = state.start.nz * spacingM;
  const widthM = state.start.nx * spacingM;
  const inRange = (value: number, lo: number, hi: number, what: string) => (!Number.isFinite(value) ? `${what}: enter a number.` : value < lo || value > hi ? `${what} must be from ${lo} to ${hi}.` : null);
  const sizeProblem =
    inRange(num(size.nz), 8, 400, 'Depth cells') ?? inRange(num(size.nx), 8, 400, 'Width cells') ?? (Number.isInteger(num(size.nz)) && Number.isInteger(num(size.nx)) ? null : 'Cells: whole numbers.') ?? velocityProblem(num(size.velocity), 'Start velocity');
  const layerProblem = inRange(num(layer.depthM), 0, depthM, 'Interface depth (m)') ?? velocityProblem(num(layer.velocity), 'Layer velocity');
  const faultProblem = inRange(num(fault.xM), -widthM, 2 * widthM, 'Fault x (m)') ?? inRange(num(fault.dipDeg), 1, 179, 'Dip (°)') ?? inRange(num(fault.throwM), -depthM, depthM, 'Throw (m)');
  const anomalyProblem =
    inRange(num(anomaly.xM), 0, widthM, 'Centre x (m)') ??
    inRange(num(anomaly.zM), 0, depthM, 'Centre depth (m)') ??
    inRange(num(anomaly.rxM), spacingM / 2, widthM, 'Radius x (m)') ??
    inRange(num(anomaly.rzM), spacingM / 2, depthM, 'Radius z (m)') ??
    velocityProblem(num(anomaly.velocity), 'Anomaly velocity');

  const startFromSample = async () => {
    if (sampleSource.datasetId === null) return;
    setLoadError(null);
    try {
      const map = await client.call('dataset.velocityMap', { datasetId: sampleSource.datasetId, sample: sampleSource.sample });
      const decoded = decodeFloat32(map.velocityMps);
      const [nz, nx] = decoded.shape;
      const name = datasets.find((d) => d.id === sampleSource.datasetId)?.name ?? `dataset ${sampleSource.datasetId}`;
      onChange({ start: { nz, nx, velocityMps: decoded.values.slice() }, startLabel: `${name}, sample ${sampleSource.sample}`, edits: [] });
    } catch (error) {
      setLoadError(error as Error);
    }
  };

  const onPaint = useCallback(
    (cell: { col: number; row: number }, phase: 'start' | 'move' | 'end') => {
      if (tool === 'draw') {
        if (phase === 'start') strokeRef.current = [cell];
        else if (phase === 'move') strokeRef.current = [...strokeRef.current, cell];
        setStroke(strokeRef.current);
        if (phase === 'end') {
          const rows = interfaceFromStroke(strokeRef.current, state.start.nx);
          const v = num(layer.velocity);
          strokeRef.current = [];
          setStroke([]);
          if (rows && velocityProblem(v) === null) onChange({ ...state, edits: [...state.edits, { kind: 'layer', interfaceRows: rows, velocityMps: v }] });
        }
      } else if (phase === 'start') {
        const x = String(Math.round((cell.col + 0.5) * spacingM));
        const z = String(Math.round((cell.row + 0.5) * spacingM));
        if (tool === 'fault') setFault((f) => ({ ...f, xM: x }));
        else if (tool === 'anomaly') setAnomaly((a) => ({ ...a, xM: x, zM: z }));
        else setLayer((l) => ({ ...l, depthM: z }));
      }
    },
    [tool, state, onChange, layer.velocity, spacingM],
  );

  // Previews of what the current tool would add, over the model.
  const drawOverlay = useCallback(
    ({ ctx, view, rect }: PlotOverlayContext) => {
      const sx = (x: number) => rect.left + ((x - view.x0) / (view.x1 - view.x0)) * rect.width;
      const sy = (y: number) => rect.top + ((y - view.y0) / (view.y1 - view.y0)) * rect.height;
      ctx.lineWidth = 2;
      ctx.setLineDash([6, 4]);
      ctx.strokeStyle = 'rgba(255,255,255,0.9)';
      ctx.beginPath();
      if (tool === 'draw' && stroke.length > 0) {
        ctx.setLineDash([]);
        ctx.moveTo(sx(stroke[0].col + 0.5), sy(stroke[0].row + 0.5));
        for (const p of stroke) ctx.lineTo(sx(p.col + 0.5), sy(p.row + 0.5));
      } else if (tool === 'layer' && !layerProblem) {
        const row = cells(num(layer.depthM));
        ctx.moveTo(sx(0), sy(row));
        ctx.lineTo(sx(state.start.nx), sy(row));
      } else if (tool === 'fault' && !faultProblem) {
        const edit = { topCol: cells(num(fault.xM)), dipDeg: num(fault.dipDeg) };
        ctx.moveTo(sx(faultColumnAt(edit, -0.5)), sy(0));
        ctx.lineTo(sx(faultColumnAt(edit, state.start.nz - 0.5)), sy(state.start.nz));
      } else if (tool === 'anomaly' && !anomalyProblem) {
        const cx = sx(cells(num(anomaly.xM)));
        const cy = sy(cells(num(anomaly.zM)));
        const rx = Math.abs(sx(cells(num(anomaly.rxM))) - sx(0));
        const ry = Math.abs(sy(cells(num(anomaly.rzM))) - sy(0));
        ctx.ellipse(cx, cy, rx, ry, 0, 0, 2 * Math.PI);
      }
      ctx.stroke();
      ctx.setLineDash([]);
    },
    [tool, stroke, layer, fault, anomaly, layerProblem, faultProblem, anomalyProblem, state.start.nx, state.start.nz, spacingM],
  );

  const field = (label: string, value: string, set: (v: string) => void, testId: string, width = 120) => (
    <TextField label={label} value={value} onChange={(e) => set(e.target.value)} sx={{ width }} slotProps={{ htmlInput: { 'data-testid': testId, inputMode: 'decimal' } }} />
  );
  const problemText = (problem: string | null, testId: string) =>
    problem ? (
      <Alert severity="warning" data-testid={testId} sx={{ py: 0 }}>
        {problem}
      </Alert>
    ) : null;

  return (
    <Box sx={{ display: 'flex', gap: 2, alignItems: 'flex-start', flexWrap: { xs: 'wrap', lg: 'nowrap' } }} data-testid="velocity-editor">
      <Paper variant="outlined" sx={{ width: 360, flexShrink: 0, p: 2, display: 'flex', flexDirection: 'column', gap: 1.5 }}>
        <Typography variant="overline" color="text.secondary">
          Start from
        </Typography>
        <Stack direction="row" sx={{ gap: 1, flexWrap: 'wrap' }}>
          {field('Depth cells', size.nz, (v) => setSize({ ...size, nz: v }), 'editor-size-depth', 96)}
          {field('Width cells', size.nx, (v) => setSize({ ...size, nx: v }), 'editor-size-width', 96)}
          {field('m/s', size.velocity, (v) => setSize({ ...size, velocity: v }), 'editor-constant-velocity', 96)}
        </Stack>
        {problemText(sizeProblem, 'editor-size-problem')}
        <Button
          variant="outlined"
          disabled={Boolean(sizeProblem)}
          onClick={() => onChange({ start: constantGrid(num(size.nz), num(size.nx), num(size.velocity)), startLabel: `constant ${num(size.velocity)} m/s`, edits: [] })}
          data-testid="editor-start-constant"
        >
          Constant model
        </Button>
        {datasets.length > 0 && (
          <>
            <DatasetSelect datasets={datasets} value={sampleSource.datasetId} onChange={(id) => setSampleSource({ datasetId: id, sample: 0 })} testId="editor-dataset" />
            <IndexStepper
              label="Sample"
              value={sampleSource.sample}
              count={datasets.find((d) => d.id === sampleSource.datasetId)?.nSamples ?? null}
              onChange={(sample) => setSampleSource((s) => ({ ...s, sample }))}
              testId="editor-sample"
            />
            <Button variant="outlined" onClick={() => void startFromSample()} data-testid="editor-start-sample">
              Start from this sample
            </Button>
            <ErrorAlert error={loadError} testId="editor-load-error" />
          </>
        )}
        <Divider />
        <Typography variant="overline" color="text.secondary">
          Tool
        </Typography>
        <ToggleButtonGroup exclusive size="small" fullWidth value={tool} onChange={(_e, v: EditorTool | null) => v && setTool(v)} aria-label="Editing tool">
          <ToggleButton value="layer" data-testid="editor-tool-layer">
            Layer
          </ToggleButton>
          <ToggleButton value="draw" data-testid="editor-tool-draw">
            Draw
          </ToggleButton>
          <ToggleButton value="fault" data-testid="editor-tool-fault">
            Fault
          </ToggleButton>
          <ToggleButton value="anomaly" data-testid="editor-tool-anomaly">
            Anomaly
          </ToggleButton>
        </ToggleButtonGroup>
        {(tool === 'layer' || tool === 'draw') && (
          <>
            <Typography variant="body2" color="text.secondary">
              {tool === 'layer'
                ? 'Everything below a horizontal interface takes the layer velocity. Click the model to pick the depth.'
                : 'Drag across the model to paint a layer boundary; everything below it takes the layer velocity.'}
            </Typography>
            <Stack direction="row" sx={{ gap: 1 }}>
              {tool === 'layer' && field('Interface depth (m)', layer.depthM, (v) => setLayer({ ...layer, depthM: v }), 'editor-layer-depth', 150)}
              {field('Velocity below (m/s)', layer.velocity, (v) => setLayer({ ...layer, velocity: v }), 'editor-layer-velocity', 150)}
            </Stack>
            {problemText(tool === 'layer' ? layerProblem : velocityProblem(num(layer.velocity), 'Layer velocity'), 'editor-layer-problem')}
            {tool === 'layer' && (
              <Button
                variant="contained"
                disabled={Boolean(layerProblem)}
                onClick={() => addEdit({ kind: 'layer', interfaceRows: flatInterface(state.start.nx, cells(num(layer.depthM))), velocityMps: num(layer.velocity) })}
                data-testid="editor-add-layer"
              >
                Add layer
              </Button>
            )}
          </>
        )}
        {tool === 'fault' && (
          <>
            <Typography variant="body2" color="text.secondary">
              A straight fault from x at the surface, dipping at an angle from the horizontal (below 90° it leans right with depth). The chosen side moves down by the throw. Click the model to pick x.
            </Typography>
            <Stack direction="row" sx={{ gap: 1, flexWrap: 'wrap' }}>
              {field('x at surface (m)', fault.xM, (v) => setFault({ ...fault, xM: v }), 'editor-fault-x')}
              {field('Dip (°)', fault.dipDeg, (v) => setFault({ ...fault, dipDeg: v }), 'editor-fault-dip', 80)}
              {field('Throw (m)', fault.throwM, (v) => setFault({ ...fault, throwM: v }), 'editor-fault-throw', 96)}
            </Stack>
            <ToggleButtonGroup exclusive size="small" value={fault.side} onChange={(_e, v: 'left' | 'right' | null) => v && setFault({ ...fault, side: v })} aria-label="Side that moves">
              <ToggleButton value="left" data-testid="editor-fault-side-left">
                Left side moves
              </ToggleButton>
              <ToggleButton value="right" data-testid="editor-fault-side-right">
                Right side moves
              </ToggleButton>
            </ToggleButtonGroup>
            {problemText(faultProblem, 'editor-fault-problem')}
            <Button
              variant="contained"
              disabled={Boolean(faultProblem)}
              onClick={() => addEdit({ kind: 'fault', topCol: cells(num(fault.xM)), dipDeg: num(fault.dipDeg), throwRows: cells(num(fault.throwM)), side: fault.side })}
              data-testid="editor-add-fault"
            >
              Add fault
            </Button>
          </>
        )}
        {tool === 'anomaly' && (
          <>
            <Typography variant="body2" color="text.secondary">
              An ellipse of one velocity (a salt body, a gas pocket). Click the model to pick its centre.
            </Typography>
            <Stack direction="row" sx={{ gap: 1, flexWrap: 'wrap' }}>
              {field('Centre x (m)', anomaly.xM, (v) => setAnomaly({ ...anomaly, xM: v }), 'editor-anomaly-x', 104)}
              {field('Centre depth (m)', anomaly.zM, (v) => setAnomaly({ ...anomaly, zM: v }), 'editor-anomaly-z', 120)}
              {field('Radius x (m)', anomaly.rxM, (v) => setAnomaly({ ...anomaly, rxM: v }), 'editor-anomaly-rx', 104)}
              {field('Radius z (m)', anomaly.rzM, (v) => setAnomaly({ ...anomaly, rzM: v }), 'editor-anomaly-rz', 104)}
              {field('Velocity (m/s)', anomaly.velocity, (v) => setAnomaly({ ...anomaly, velocity: v }), 'editor-anomaly-velocity', 120)}
            </Stack>
            {problemText(anomalyProblem, 'editor-anomaly-problem')}
            <Button
              variant="contained"
              disabled={Boolean(anomalyProblem)}
              onClick={() =>
                addEdit({
                  kind: 'anomaly',
                  centreCol: cells(num(anomaly.xM)) - 0.5,
                  centreRow: cells(num(anomaly.zM)) - 0.5,
                  radiusCols: cells(num(anomaly.rxM)),
                  radiusRows: cells(num(anomaly.rzM)),
                  velocityMps: num(anomaly.velocity),
                })
              }
              data-testid="editor-add-anomaly"
            >
              Add anomaly
            </Button>
          </>
        )}
        <Typography variant="caption" color="text.secondary">
          Velocities from {VELOCITY_LIMITS_MPS.min} to {VELOCITY_LIMITS_MPS.max} m/s. The run checks stability and dispersion against the project geometry.
        </Typography>
      </Paper>
      <Paper variant="outlined" sx={{ flex: 1, minWidth: 360, p: 1.5 }}>
        <Stack direction="row" sx={{ alignItems: 'center', gap: 1, flexWrap: 'wrap' }}>
          <Typography variant="subtitle2" sx={{ flex: 1 }} data-testid="editor-title">
            {state.start.nz} × {state.start.nx} (depth × width) at {spacingM} m · from {state.startLabel} · {state.edits.length} edit{state.edits.length === 1 ? '' : 's'} ·{' '}
            <span data-testid="editor-range">
              {range.min}–{range.max} m/s
            </span>
          </Typography>
          <Button size="small" startIcon={<UndoIcon />} disabled={state.edits.length === 0} onClick={() => onChange({ ...state, edits: state.edits.slice(0, -1) })} data-testid="editor-undo">
            Undo
          </Button>
          <Button size="small" startIcon={<RestartAltIcon />} disabled={state.edits.length === 0} onClick={() => onChange({ ...state, edits: [] })} data-testid="editor-reset">
            Reset
          </Button>
        </Stack>
        <VelocityPlot
          velocityMps={grid.velocityMps}
          nz={grid.nz}
          nx={grid.nx}
          spacingM={spacingM}
          lut={lut}
          min={Math.min(OPENFWI_VELOCITY_RANGE_MPS.min, range.min)}
          max={Math.max(OPENFWI_VELOCITY_RANGE_MPS.max, range.max)}
          testId="editor-canvas"
          ariaLabel="Velocity model being edited"
          height={380}
          drawOverlay={drawOverlay}
          onPaint={onPaint}
        />
        <List dense data-testid="editor-edits" sx={{ maxHeight: 160, overflow: 'auto' }}>
          {state.edits.length === 0 && (
            <ListItem>
              <ListItemText secondary="No edits yet: pick a tool on the left." />
            </ListItem>
          )}
          {state.edits.map((edit, i) => (
            <ListItem key={i} data-testid="editor-edit" data-kind={edit.kind}>
              <ListItemText primary={`${i + 1}. ${describeEdit(edit, spacingM)}`} />
            </ListItem>
          ))}
        </List>
      </Paper>
    </Box>
  );
}

/** The edited model as it will run. */
export function editedGrid(state: VelocityEditorState): VelocityGrid {
  return applyEdits(state.start, state.edits);
}
