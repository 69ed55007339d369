import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Chip,
  LinearProgress,
  List,
  ListItemButton,
  ListItemText,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Tooltip,
  Typography,
} from '@mui/material';
import ModelTrainingIcon from '@mui/icons-material/ModelTraining';
import type { ModelInfo } from '../../../main/core/contract/contract.ts';
import { useApiQuery } from '../api/hooks.ts';
import { replaceRoute, useNavigation } from '../app/navigation.ts';
import { intParam } from '../app/routes.ts';
import { EmptyState, ErrorAlert, ViewHeader } from '../components/common.tsx';
import { useJobs } from '../jobs/JobsProvider.tsx';
import { formatTimestamp, progressFraction } from '../app/humanReadable.ts';
import { formatMetric, formatParameters, trainingSummary } from '../models/format.ts';
import { QualityChips, useModelQuality } from '../models/ModelQuality.tsx';
import { normalisedErrorToMps } from '../../../main/core/contract/velocityRange.ts';
import { NETWORK_LABELS, TrainDialog } from './TrainDialog.tsx';

const KIND_SHORT: Record<ModelInfo['kind'], string> = { stage1: 'Stage 1', stage2: 'Stage 2', inversionnet: 'InversionNet' };
import { TrainingRunPanel } from './TrainingRunPanel.tsx';

/** Models and training: the models the studio can run, the Python it trains with, and training runs with live curves. */
export function ModelsView({ params }: { params: Record<string, string> }) {
  const models = useApiQuery('model.list', {}, { refreshOn: ['models'] });
  const python = useApiQuery('python.detect', {}, { refreshOnProjectChange: false });
  const { jobs } = useJobs();
  // Training runs here and on a cluster: both report their curves as training events.
  const trainingJobs = useMemo(() => jobs.filter((j) => j.trainsModel), [jobs]);
  const [dialogOpen, setDialogOpen] = useState(false);
  const [selected, setSelected] = useState<number | null>(() => (params.job ? intParam(params, 'job', -1) : null));

  // Follow the newest run until the user picks one.
  const job = trainingJobs.find((j) => j.id === selected) ?? trainingJobs[0] ?? null;
  useEffect(() => {
    replaceRoute({ view: 'models', params: job ? { job: String(job.id) } : {} });
  }, [job]);

  return (
    <>
      <ViewHeader
        title="Models"
        subtitle="Shipped default models and those trained in this project; training runs with their curves and reconstructions."
        actions={
          <Button variant="contained" startIcon={<ModelTrainingIcon />} onClick={() => setDialogOpen(true)} data-testid="models-train">
            Train…
          </Button>
        }
      />
      <PythonStatus probe={python.data} loading={python.loading} error={python.error} />
      <ErrorAlert error={models.error} testId="models-error" />
      <Typography variant="h6" sx={{ mb: 1 }}>
        Models
      </Typography>
      {models.data && models.data.length === 0 ? (
        <EmptyState title="No models yet" testId="models-empty">
          <span>The shipped defaults are not installed and no model was trained in this project. Train one with “Train…”.</span>
        </EmptyState>
      ) : (
        <ModelTable models={models.data ?? []} loading={models.loading && !models.data} />
      )}

      <Typography variant="h6" sx={{ mt: 3, mb: 1 }}>
        Training runs
      </Typography>
      {trainingJobs.length === 0 ? (
        <Typography variant="body2" color="text.secondary" data-testid="training-runs-empty">
          No training run in this project yet.
        </Typography>
      ) : (
        <Box sx={{ display: 'flex', gap: 2, alignItems: 'flex-start', flexDirection: { xs: 'column', md: 'row' } }}>
          <Paper variant="outlined" sx={{ width: { xs: '100%', md: 280 }, flexShrink: 0, maxHeight: 640, overflow: 'auto' }}>
            <List dense disablePadding data-testid="training-runs">
              {trainingJobs.map((j) => {
                const fraction = progressFraction(j.progress);
                return (
                  <ListItemButton
                    key={j.id}
                    selected={job?.id === j.id}
                    onClick={() => setSelected(j.id)}
                    data-testid="training-run-item"
                    data-job-id={j.id}
                    data-status={j.status}
                    aria-selected={job?.id === j.id}
                  >
                    <ListItemText
                      primary={j.title}
                      secondary={
                        <>
                          {j.status} · {formatTimestamp(j.createdAt)}
                          {j.status === 'running' && <LinearProgress variant={fraction === null ? 'indeterminate' : 'determinate'} value={(fraction ?? 0) * 100} sx={{ mt: 0.5 }} />}
                        </>
                      }
                    />
                  </ListItemButton>
                );
              })}
            </List>
          </Paper>
          <Box sx={{ flex: 1, minWidth: 0, width: '100%' }}>{job && <TrainingRunPanel key={job.id} job={job} compareCandidates={trainingJobs} />}</Box>
        </Box>
      )}
      <TrainDialog
        open={dialogOpen}
        onClose={() => setDialogOpen(false)}
        onStarted={(started) => {
          setDialogOpen(false);
          setSelected(started.id);
        }}
      />
    </>
  );
}

function PythonStatus({ probe, loading, error }: { probe: { found: { path: string; pythonVersion: string; torchVersion: string; cudaAvailable: boolean } | null; tried: { path: string; problem: string | null }[]; installHint: string } | undefined; loading: boolean; error: Error | null }) {
  const { navigate } = useNavigation();
  if (error) return <ErrorAlert error={error} testId="python-status-error" />;
  if (!probe) return loading ? <LinearProgress sx={{ mb: 2 }} data-testid="python-status-loading" /> : null;
  if (probe.found) {
    return (
      <Alert severity="success" sx={{ mb: 2 }} data-testid="python-status" data-found="true">
        Training with Python {probe.found.pythonVersion} at <code>{probe.found.path}</code>, torch {probe.found.torchVersion} ({probe.found.cudaAvailable ? 'CUDA available' : 'CPU only'}).
      </Alert>
    );
  }
  return (
    <Alert
      severity="warning"
      sx={{ mb: 2, whiteSpace: 'pre-wrap' }}
      data-testid="python-status"
      data-found="false"
      action={
        <Button color="inherit" onClick={() => navigate('settings')} data-testid="python-status-settings">
          Settings
        </Button>
      }
    >
      No Python interpreter with torch was found, so models cannot be trained here (generation with existing models still works).
      {probe.tried.length > 0 && `\nTried: ${probe.tried.map((t) => `${t.path}${t.problem ? ` (${t.problem})` : ''}`).join('; ')}`}
      {`\n${probe.installHint}`}
      {'\nChoose an interpreter in Settings.'}
    </Alert>
  );
}

const METRIC_COLUMNS: { key: string; label: string; tip: string; mps?: boolean }[] = [
  { key: 'velocity_mae', label: 'Vel. MAE', tip: 'Velocity mean absolute error, held-out: on OpenFWI’s [−1, 1] scale and in m/s (× 1500 m/s for 1500–4500 m/s)', mps: true },
  { key: 'velocity_rmse', label: 'Vel. RMSE', tip: 'Velocity root-mean-square error, held-out: on [−1, 1] and in m/s', mps: true },
  { key: 'velocity_ssim', label: 'SSIM', tip: 'Structural similarity of (v + 1)/2 (held-out; 1 is perfect)' },
  { key: 'seismic_relative_l2', label: 'Seis. L2', tip: '‖ŝ − s‖₂ / ‖s‖₂ on the normalised seismic (held-out)' },
];

/** The models with their training, held-out metrics and quality at a glance; fits 1440 px without scrolling sideways. */
function ModelTable({ models, loading }: { models: ModelInfo[]; loading: boolean }) {
  const { byRef, error } = useModelQuality();
  return (
    <TableContainer component={Paper} variant="outlined">
      {loading && <LinearProgress />}
      <ErrorAlert error={error} testId="model-quality-error" />
      <Table size="small" data-testid="model-table" sx={{ '& td, & th': { px: 1 } }}>
        <TableHead>
          <TableRow>
            <TableCell>Model</TableCell>
            <TableCell align="right">Params</TableCell>
            <TableCell>Training</TableCell>
            {METRIC_COLUMNS.map((c) => (
              <TableCell key={c.key} align="right">
                <Tooltip title={c.tip}>
                  <span>{c.label}</span>
                </Tooltip>
              </TableCell>
            ))}
            <TableCell>
              <Tooltip title="Against the limits the model card uses: velocity MAE on real FlatVel-A ≤ 0.04 and CurveVel-A ≤ 0.1, seismic reconstruction ≤ 0.25, PDE deviation of generated pairs ≤ 0.35. Hover a mark for its value.">
                <span>Quality</span>
              </Tooltip>
            </TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {models.map((m) => {
            const training = trainingSummary(m.training);
            return (
              <TableRow key={m.ref} data-testid="model-row" data-model-ref={m.ref} data-kind={m.kind} data-source={m.source}>
                <TableCell sx={{ maxWidth: 260 }}>
                  <Typography variant="body2" sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>
                    {m.name}
                    {m.source === 'shipped' && <Chip size="small" variant="outlined" color="primary" label="shipped" sx={{ ml: 1, height: 18 }} />}
                  </Typography>
                  <Typography variant="caption" color="text.secondary" component="div">
                    <Tooltip title={NETWORK_LABELS[m.kind].description}>
                      <span>{KIND_SHORT[m.kind]}</span>
                    </Tooltip>
                    {' · '}
                    <span style={{ fontFamily: 'monospace' }}>{m.ref}</span> · {formatTimestamp(m.createdAt)}
                  </Typography>
                </TableCell>
                <TableCell align="right">{formatParameters(m.parameters)}</TableCell>
                <TableCell sx={{ minWidth: 170, maxWidth: 220 }}>
                  <Typography variant="body2" sx={{ overflowWrap: 'anywhere' }}>
                    {training.data}
                  </Typography>
                  <Typography variant="caption" color="text.secondary">
                    {training.steps} steps · {training.time} · {training.device}
                  </Typography>
                </TableCell>
                {METRIC_COLUMNS.map((c) => {
                  const value = m.metrics?.[c.key];
                  return (
                    <TableCell key={c.key} align="right" data-metric={c.key} sx={{ fontFamily: 'monospace', whiteSpace: 'nowrap' }}>
                      {formatMetric(value, 3)}
                      {c.mps && typeof value === 'number' && (
                        <Typography variant="caption" color="text.secondary" component="div" data-testid="model-metric-mps">
                          {Math.round(normalisedErrorToMps(value))} m/s
                        </Typography>
                      )}
                    </TableCell>
                  );
                })}
                <TableCell data-testid="model-quality" sx={{ minWidth: 180, maxWidth: 340 }}>
                  <QualityChips quality={byRef.get(m.ref)} />
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
