import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Chip,
  FormControl,
  FormControlLabel,
  FormHelperText,
  IconButton,
  InputLabel,
  LinearProgress,
  MenuItem,
  Paper,
  Select,
  Stack,
  Switch,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
  Tooltip,
  Typography,
} from '@mui/material';
import AutoAwesomeIcon from '@mui/icons-material/AutoAwesome';
import CasinoIcon from '@mui/icons-material/Casino';
import GridViewIcon from '@mui/icons-material/GridView';
import StopIcon from '@mui/icons-material/Stop';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import { generationParamsSchema, networkKindSchema, type GenerationRunInfo, type JobInfo, type ModelInfo } from '../../../main/core/contract/contract.ts';
import { useApiAction, useApiQuery } from '../api/hooks.ts';
import { useNavigation } from '../app/navigation.ts';
import { ErrorAlert, ViewHeader } from '../components/common.tsx';
import { useJobs } from '../jobs/JobsProvider.tsx';
import { formatDuration, formatRate, formatTimestamp, progressFraction } from '../app/humanReadable.ts';
import { ModelQualityNotice } from '../models/ModelQuality.tsx';
import { RunOnCluster, readRunOn, runOnDefaults, type RunOnForm } from '../components/RunOnCluster.tsx';
import { clusterModelProblem, generationClusterArgs } from '../../../main/core/contract/clusterArgs.ts';
import { defaultModelRef, generateArgs, generateFormDefaults, type GenerateField, type GenerateForm, type NetworkKind, type SamplerKind } from '../models/forms.ts';

const runTables = ['generation_runs', 'generation_samples'];
const randomSeed = () => Math.floor(Math.random() * 2 ** 31);

const KIND_LABELS: Record<NetworkKind, string> = { stage1: 'Stage 1 (autoencoder)', stage2: 'Stage 2 (diffusion)', inversionnet: 'InversionNet (check)' };

/** Generation: diffusion-model parameters, validated before `generate.start`, and the runs with their progress. */
export function GenerateView() {
  const models = useApiQuery('model.list', {}, { refreshOn: ['models'] });
  const runs = useApiQuery('generate.runs', {}, { refreshOn: runTables });
  const start = useApiAction('generate.start');
  const submitToCluster = useApiAction('cluster.submit');
  const [runOn, setRunOn] = useState<RunOnForm>(runOnDefaults);
  const { jobs, rates } = useJobs();
  const [form, setForm] = useState<GenerateForm>(() => ({
    stage1: '',
    stage2: '',
    inversionnet: '',
    count: '16',
    ...generateFormDefaults,
    seed: String(randomSeed()),
    physicsCheck: true,
    name: '',
  }));
  const [touched, setTouched] = useState(false);
  const set = <K extends GenerateField>(key: K, value: GenerateForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  // Preselect the shipped defaults (else the newest project model) once the list is known, and
  // replace a choice whose model has gone.
  useEffect(() => {
    const list = models.data;
    if (!list) return;
    setForm((f) => {
      const next = { ...f };
      for (const kind of networkKindSchema.options) {
        if (!list.some((m) => m.ref === f[kind] && m.kind === kind)) next[kind] = defaultModelRef(list, kind);
      }
      return next;
    });
  }, [models.data]);

  const result = generateArgs(form);
  const cluster = readRunOn(runOn);
  const modelProblem = runOn.onCluster ? networkKindSchema.options.map((k) => clusterModelProblem(form[k])).find(Boolean) : null;
  const errors = touched && !result.ok ? result.errors : {};
  const blocked = !result.ok || (runOn.onCluster && (!cluster.ok || Boolean(modelProblem)));
  const submit = async () => {
    setTouched(true);
    if (!result.ok || blocked) return;
    try {
      if (runOn.onCluster && cluster.ok) await submitToCluster.run({ work: 'generate', args: generationClusterArgs(generationParamsSchema.parse(result.args)), shards: cluster.shards, out: cluster.out });
      else await start.run(result.args);
      setTouched(false);
      setForm((f) => ({ ...f, seed: String(randomSeed()), name: '' }));
    } catch {
      // shown above the form
    }
  };

  // Runs and generation jobs without a run yet (queued, or failed before they began), newest first.
  const entries = useMemo(() => {
    const list: { key: number; run: GenerationRunInfo | null; job: JobInfo | null }[] = (runs.data ?? []).map((run) => ({
      key: run.jobId ?? -run.id,
      run,
      job: jobs.find((j) => j.id === run.jobId) ?? null,
    }));
    if (runs.data) {
      for (const job of jobs) {
        if (job.kind === 'generate' && job.status !== 'discarded' && !runs.data.some((r) => r.jobId === job.id)) list.push({ key: job.id, run: null, job });
      }
    }
    return list.sort((a, b) => b.key - a.key);
  }, [runs.data, jobs]);

  const missingKinds = models.data ? networkKindSchema.options.filter((k) => !models.data!.some((m) => m.kind === k)) : [];

  return (
    <>
      <ViewHeader title="Generate" subtitle="Sample seismic–velocity pairs with the latent diffusion model; each is checked with the FD solver (PDE deviation) and InversionNet." />
      <Box sx={{ display: 'flex', gap: 3, alignItems: 'flex-start', flexDirection: { xs: 'column', lg: 'row' } }}>
        <Paper variant="outlined" sx={{ p: 2, width: { xs: '100%', lg: 440 }, flexShrink: 0 }}>
          <Stack
            spacing={2}
            component="form"
            data-testid="generate-form"
            onSubmit={(e) => {
              e.preventDefault();
              void submit();
            }}
          >
            <ErrorAlert error={models.error} testId="generate-models-error" />
            <ErrorAlert error={start.error} testId="generate-error" onClose={start.clearError} />
            <ErrorAlert error={submitToCluster.error} testId="generate-cluster-error" onClose={submitToCluster.clearError} />
            {missingKinds.length > 0 && (
              <Alert severity="info" data-testid="generate-missing-models">
                No {missingKinds.map((k) => KIND_LABELS[k]).join(', ')} model yet. Train one in Models (stage 1, then stage 2 on it, and InversionNet).
              </Alert>
            )}
            {networkKindSchema.options.map((kind) => (
              <ModelSelect key={kind} kind={kind} models={models.data ?? []} value={form[kind]} error={errors[kind]} onChange={(ref) => set(kind, ref)} />
            ))}
            {form.stage2 && <ModelQualityNotice stage2Ref={form.stage2} testId="generate-quality-warning" />}
            <Stack direction="row" spacing={2}>
              <TextField
                label="Count"
                value={form.count}
                onChange={(e) => set('count', e.target.value)}
                error={Boolean(errors.count)}
                helperText={errors.count ?? 'Pairs to generate.'}
                fullWidth
                slotProps={{ htmlInput: { 'data-testid': 'generate-count', inputMode: 'numeric' } }}
              />
              <TextField
                label="Batch size"
                value={form.batchSize}
                onChange={(e) => set('batchSize', e.target.value)}
                error={Boolean(errors.batchSize)}
                helperText={errors.batchSize ?? 'Pairs per denoiser call.'}
                fullWidth
                slotProps={{ htmlInput: { 'data-testid': 'generate-batch-size', inputMode: 'numeric' } }}
              />
            </Stack>
            <Box>
              <Typography variant="caption" color="text.secondary" component="div" sx={{ mb: 0.5 }}>
                Sampler
              </Typography>
              <ToggleButtonGroup exclusive size="small" value={form.sampler} onChange={(_, v: SamplerKind | null) => v && set('sampler', v)} aria-label="Sampler">
                <ToggleButton value="ddpm" data-testid="generate-sampler-ddpm">
                  DDPM
                </ToggleButton>
                <ToggleButton value="ddim" data-testid="generate-sampler-ddim">
                  DDIM
                </ToggleButton>
                <ToggleButton value="ab3" data-testid="generate-sampler-ab3">
                  AB3
                </ToggleButton>
              </ToggleButtonGroup>
              <FormHelperText>
                {form.sampler === 'ddpm'
                  ? 'The full ancestral chain: one denoiser call per training timestep (slow, the reference).'
                  : form.sampler === 'ddim'
                    ? 'Deterministic at η = 0; η = 1 adds DDPM-like noise.'
                    : 'Third-order Adams–Bashforth on the probability-flow ODE: good samples in few steps.'}
              </FormHelperText>
            </Box>
            {form.sampler !== 'ddpm' && (
              <Stack direction="row" spacing={2}>
                <TextField
                  label="Steps"
                  value={form.steps}
                  onChange={(e) => set('steps', e.target.value)}
                  error={Boolean(errors.steps)}
                  helperText={errors.steps ?? 'Denoiser calls per sample.'}
                  fullWidth
                  slotProps={{ htmlInput: { 'data-testid': 'generate-steps', inputMode: 'numeric' } }}
                />
                {form.sampler === 'ddim' && (
                  <TextField
                    label="η"
                    value={form.eta}
                    onChange={(e) => set('eta', e.target.value)}
                    error={Boolean(errors.eta)}
                    helperText={errors.eta ?? '0 to 1.'}
                    fullWidth
                    slotProps={{ htmlInput: { 'data-testid': 'generate-eta', inputMode: 'decimal' } }}
                  />
                )}
              </Stack>
            )}
            <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
              <TextField
                label="Seed"
                value={form.seed}
                onChange={(e) => set('seed', e.target.value)}
                error={Boolean(errors.seed)}
                helperText={errors.seed ?? 'Sample i uses seed + i.'}
                fullWidth
                slotProps={{ htmlInput: { 'data-testid': 'generate-seed', inputMode: 'numeric' } }}
              />
              <Tooltip title="Random seed">
                <IconButton aria-label="Random seed" onClick={() => set('seed', String(randomSeed()))} sx={{ mt: 0.5 }} data-testid="generate-seed-random">
                  <CasinoIcon />
                </IconButton>
              </Tooltip>
            </Stack>
            <FormControlLabel
              control={<Switch checked={form.physicsCheck} onChange={(e) => set('physicsCheck', e.target.checked)} slotProps={{ input: { 'data-testid': 'generate-physics-check' } as object }} />}
              label="Physics check: forward-model each velocity and store its PDE deviation"
            />
            <TextField
              label="Name"
              value={form.name}
              onChange={(e) => set('name', e.target.value)}
              error={Boolean(errors.name)}
              helperText={errors.name ?? 'Optional name of the generated dataset.'}
              fullWidth
              slotProps={{ htmlInput: { 'data-testid': 'generate-name' } }}
            />
            <RunOnCluster value={runOn} onChange={setRunOn} idPrefix="generate" showErrors={touched} />
            {modelProblem && (
              <Alert severity="warning" data-testid="generate-cluster-model">
                {modelProblem}
              </Alert>
            )}
            <Button type="submit" variant="contained" startIcon={<AutoAwesomeIcon />} disabled={start.busy || submitToCluster.busy || (touched && blocked)} data-testid="generate-start">
              {runOn.onCluster ? 'Submit to Slurm' : 'Generate'}
            </Button>
          </Stack>
        </Paper>
        <Box sx={{ flex: 1, minWidth: 0, width: '100%' }}>
          <Typography variant="h6" sx={{ mb: 1 }}>
            Runs
          </Typography>
          <ErrorAlert error={runs.error} testId="generate-runs-error" />
          {runs.data && runs.data.length === 0 && (
            <Typography variant="body2" color="text.secondary" data-testid="generate-runs-empty">
              No generation run in this project yet.
            </Typography>
          )}
          <Stack spacing={1.5} data-testid="generate-runs">
            {entries.map((entry) =>
              entry.run ? (
                <RunCard key={`run${entry.run.id}`} run={entry.run} job={entry.job} rate={entry.job ? (rates.get(entry.job.id) ?? null) : null} />
              ) : entry.job ? (
                <Paper key={`job${entry.job.id}`} variant="outlined" sx={{ p: 1.5 }} data-testid="generate-job" data-job-id={entry.job.id} data-status={entry.job.status}>
                  <Typography variant="subtitle2">
                    {entry.job.title} · {entry.job.status}
                  </Typography>
                  {(entry.job.status === 'queued' || entry.job.status === 'running') && <LinearProgress sx={{ my: 1 }} />}
                  {entry.job.error && (
                    <Typography variant="caption" color="error" component="div" sx={{ whiteSpace: 'pre-wrap' }} data-testid="generate-job-error">
                      {entry.job.error}
                    </Typography>
                  )}
                </Paper>
              ) : null,
            )}
          </Stack>
        </Box>
      </Box>
    </>
  );
}

function ModelSelect({ kind, models, value, error, onChange }: { kind: NetworkKind; models: ModelInfo[]; value: string; error?: string; onChange: (ref: string) => void }) {
  const options = useMemo(() => models.filter((m) => m.kind === kind), [models, kind]);
  const chosen = options.find((m) => m.ref === value);
  return (
    <FormControl fullWidth error={Boolean(error)}>
      <InputLabel id={`generate-${kind}-label`}>{KIND_LABELS[kind]}</InputLabel>
      <Select labelId={`generate-${kind}-label`} label={KIND_LABELS[kind]} value={chosen ? value : ''} onChange={(e) => onChange(e.target.value)} data-testid={`generate-${kind}`}>
        {options.map((m) => (
          <MenuItem key={m.ref} value={m.ref} data-testid={`generate-${kind}-option`} data-model-ref={m.ref}>
            {m.name} {m.source === 'shipped' ? '(shipped default)' : `(${m.ref})`}
          </MenuItem>
        ))}
      </Select>
      {(error || options.length === 0) && <FormHelperText>{error ?? 'None available.'}</FormHelperText>}
    </FormControl>
  );
}

function RunCard({ run, job, rate }: { run: GenerationRunInfo; job: JobInfo | null; rate: number | null }) {
  const { navigate } = useNavigation();
  const cancel = useApiAction('job.cancel');
  const resume = useApiAction('job.resume');
  const active = job !== null && (job.status === 'queued' || job.status === 'running');
  const fraction = job ? progressFraction(job.progress) : run.samples / Math.max(1, run.count);
  const canResume = job !== null && (job.status === 'interrupted' || job.status === 'cancelled' || job.status === 'failed') && job.resumable;
  return (
    <Paper variant="outlined" sx={{ p: 1.5 }} data-testid="generate-run" data-run-id={run.id} data-job-id={run.jobId ?? ''} data-status={job?.status ?? 'done'} data-samples={run.samples}>
      <Stack direction="row" sx={{ alignItems: 'center', gap: 1, flexWrap: 'wrap' }}>
        <Typography variant="subtitle2" sx={{ flex: 1, minWidth: 200 }}>
          Run {run.id}: {run.samples} of {run.count} pairs · {run.samplerLabel} · seed {run.seed}
        </Typography>
        {job && <Chip size="small" label={job.status} color={job.status === 'done' ? 'success' : job.status === 'failed' ? 'error' : job.status === 'running' ? 'primary' : 'default'} data-testid="generate-run-status" />}
        <Tooltip title="ONNX Runtime execution provider the denoiser and decoders ran on">
          <Chip size="small" variant="outlined" label={run.provider ? `provider: ${run.provider}` : 'provider: not yet known'} data-testid="generate-run-provider" data-provider={run.provider ?? ''} />
        </Tooltip>
        {active && job && (
          <Button size="small" color="warning" startIcon={<StopIcon />} onClick={() => void cancel.run({ jobId: job.id }).catch(() => undefined)} data-testid="generate-run-cancel">
            Cancel
          </Button>
        )}
        {canResume && job && (
          <Button size="small" startIcon={<PlayArrowIcon />} onClick={() => void resume.run({ jobId: job.id }).catch(() => undefined)} data-testid="generate-run-resume">
            Resume
          </Button>
        )}
        <Button size="small" startIcon={<GridViewIcon />} disabled={run.samples === 0} onClick={() => navigate('gallery', { run: String(run.id) })} data-testid="generate-run-gallery">
          Gallery
        </Button>
      </Stack>
      {active && <LinearProgress variant={fraction === null ? 'indeterminate' : 'determinate'} value={(fraction ?? 0) * 100} sx={{ my: 1 }} data-testid="generate-run-progress" />}
      <Typography variant="caption" color="text.secondary" component="div" data-testid="generate-run-details">
        {[
          // The job's own message has its measured rate and ETA; before the first batch, the renderer's estimate.
          active && job?.progress.message ? job.progress.message : null,
          active && !job?.progress.message ? formatRate(rate, 'samples') : null,
          active && !job?.progress.message && job?.etaSeconds !== null && job?.etaSeconds !== undefined ? `ETA ${formatDuration(job.etaSeconds)}` : null,
          `models ${run.stage1Ref} · ${run.stage2Ref} · ${run.inversionRef}`,
          `batch ${run.batchSize}`,
          run.physicsCheck ? 'physics check on' : 'physics check off',
          formatTimestamp(run.createdAt),
        ]
          .filter(Boolean)
          .join(' · ')}
      </Typography>
      <ErrorAlert error={cancel.error ?? resume.error} testId="generate-run-action-error" />
      {job?.error && job.status !== 'done' && (
        <Typography variant="caption" color="error" component="div" data-testid="generate-run-error">
          {job.error}
        </Typography>
      )}
    </Paper>
  );
}
