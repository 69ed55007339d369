import { useEffect, useMemo, useState } from 'react';
import {
  FormControl,
  FormHelperText,
  InputLabel,
  ListItemText,
  MenuItem,
  Select,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import type { JobInfo } from '../../../main/core/contract/contract.ts';
import { useApiAction, useApiQuery } from '../api/hooks.ts';
import { ErrorAlert } from '../components/common.tsx';
import { FormDialog } from '../components/FormDialog.tsx';
import { RunOnCluster, readRunOn, runOnDefaults, type RunOnForm } from '../components/RunOnCluster.tsx';
import { trainArgs, trainFormDefaults, type NetworkKind, type TrainField, type TrainForm } from '../models/forms.ts';

export const NETWORK_LABELS: Record<NetworkKind, { title: string; description: string }> = {
  stage1: { title: 'Stage 1 (VQ autoencoder)', description: 'Joint seismic–velocity latent space; reconstructs both' },
  stage2: { title: 'Stage 2 (latent diffusion)', description: "Denoiser in a stage-1 model's latent space; generates pairs" },
  inversionnet: { title: 'InversionNet', description: 'Seismic → velocity; checks generated pairs' },
};

const initialForm: TrainForm = {
  network: 'inversionnet',
  datasetId: null,
  valDatasetId: null,
  ...trainFormDefaults,
  name: '',
  stage1Model: '',
  logEvery: '',
  previewEvery: '',
  evalEvery: '',
};

/**
 * "Train…": a network on a dataset of seismic–velocity pairs with the PyTorch trainer (`train.start`),
 * on this machine or as one Slurm job (the Run-on choice of the Generate and Synthesise dialogs).
 */
export function TrainDialog({ open, onClose, onStarted }: { open: boolean; onClose: () => void; onStarted: (job: JobInfo) => void }) {
  const start = useApiAction('train.start');
  const datasets = useApiQuery('dataset.list', open ? {} : null, { refreshOn: ['datasets'] });
  const models = useApiQuery('model.list', open ? {} : null, { refreshOn: ['models'] });
  const info = useApiQuery('app.info', open ? {} : null, { refreshOnProjectChange: false });
  const [form, setForm] = useState<TrainForm>(initialForm);
  const [touched, setTouched] = useState(false);
  const [runOn, setRunOn] = useState<RunOnForm>(runOnDefaults);

  const pairs = useMemo(() => (datasets.data ?? []).filter((d) => d.hasSeismic && d.hasVelocity), [datasets.data]);
  const stage1Models = useMemo(() => (models.data ?? []).filter((m) => m.kind === 'stage1'), [models.data]);

  useEffect(() => {
    if (!open) return;
    start.clearError();
    setTouched(false);
  }, [open, start.clearError]);
  // Preselect the newest dataset of pairs and a stage-1 model once they are known.
  useEffect(() => {
    if (form.datasetId === null && pairs.length > 0) setForm((f) => ({ ...f, datasetId: pairs[0].id }));
  }, [pairs, form.datasetId]);
  useEffect(() => {
    if (!form.stage1Model && stage1Models.length > 0) setForm((f) => ({ ...f, stage1Model: stage1Models[0].ref }));
  }, [stage1Models, form.stage1Model]);

  const result = trainArgs(form, info.data?.cores ?? 256);
  const cluster = readRunOn(runOn);
  const blocked = !result.ok || (runOn.onCluster && !cluster.ok);
  const errors = touched && !result.ok ? result.errors : {};
  const set = <K extends TrainField>(key: K, value: TrainForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const field = (key: TrainField, label: string, helper: string, testId: string) => (
    <TextField
      label={label}
      value={form[key] as string}
      onChange={(e) => set(key, e.target.value as never)}
      error={Boolean(errors[key])}
      helperText={errors[key] ?? helper}
      fullWidth
      slotProps={{ htmlInput: { 'data-testid': testId, inputMode: 'numeric' } }}
    />
  );

  const submit = async () => {
    setTouched(true);
    if (!result.ok || (runOn.onCluster && !cluster.ok)) return;
    try {
      const job = await start.run(runOn.onCluster && cluster.ok ? { ...result.args, cluster: { out: cluster.out } } : result.args);
      setForm((f) => ({ ...f, name: '' }));
      onStarted(job);
    } catch {
      // shown in the dialog
    }
  };

  return (
    <FormDialog
      open={open}
      onClose={onClose}
      idPrefix="train"
      title="Train a network"
      maxWidth="md"
      error={start.error}
      submitLabel={runOn.onCluster ? 'Submit to Slurm' : 'Start training'}
      submitDisabled={start.busy || (touched && blocked)}
      onSubmit={() => void submit()}
    >
      <ErrorAlert error={datasets.error} testId="train-datasets-error" />
      <FormControl fullWidth>
        <InputLabel id="train-network-label">Network</InputLabel>
        <Select
          labelId="train-network-label"
          label="Network"
          value={form.network}
          onChange={(e) => set('network', e.target.value as NetworkKind)}
          data-testid="train-network"
          renderValue={(v) => NETWORK_LABELS[v as NetworkKind].title}
        >
          {(Object.keys(NETWORK_LABELS) as NetworkKind[]).map((kind) => (
            <MenuItem key={kind} value={kind} data-testid="train-network-option" data-network={kind}>
              <ListItemText primary={NETWORK_LABELS[kind].title} secondary={NETWORK_LABELS[kind].description} />
            </MenuItem>
          ))}
        </Select>
      </FormControl>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
        <FormControl fullWidth error={Boolean(errors.datasetId)}>
          <InputLabel id="train-dataset-label">Training data</InputLabel>
          <Select
            labelId="train-dataset-label"
            label="Training data"
            value={form.datasetId === null ? '' : String(form.datasetId)}
            onChange={(e) => set('datasetId', Number(e.target.value))}
            data-testid="train-dataset"
          >
            {pairs.map((d) => (
              <MenuItem key={d.id} value={String(d.id)} data-testid="train-dataset-option" data-dataset-id={d.id}>
                {d.name} ({d.nSamples} pairs)
              </MenuItem>
            ))}
          </Select>
          <FormHelperText>{errors.datasetId ?? (pairs.length === 0 && datasets.data ? 'No dataset has both seismic and velocity: synthesise or import one.' : 'Datasets with seismic and velocity.')}</FormHelperText>
        </FormControl>
        <FormControl fullWidth error={Boolean(errors.valDatasetId)}>
          <InputLabel id="train-val-dataset-label">Held-out data</InputLabel>
          <Select
            labelId="train-val-dataset-label"
            label="Held-out data"
            value={form.valDatasetId === null ? 'none' : String(form.valDatasetId)}
            onChange={(e) => set('valDatasetId', e.target.value === 'none' ? null : Number(e.target.value))}
            data-testid="train-val-dataset"
          >
            <MenuItem value="none" data-testid="train-val-dataset-option" data-dataset-id="none">
              A split of the training data
            </MenuItem>
            {pairs.map((d) => (
              <MenuItem key={d.id} value={String(d.id)} data-testid="train-val-dataset-option" data-dataset-id={d.id}>
                {d.name} ({d.nSamples} pairs)
              </MenuItem>
            ))}
          </Select>
          <FormHelperText>{errors.valDatasetId ?? 'Metrics and previews use held-out samples.'}</FormHelperText>
        </FormControl>
      </Stack>
      {form.network === 'stage2' && (
        <FormControl fullWidth error={Boolean(errors.stage1Model)}>
          <InputLabel id="train-stage1-label">Stage-1 model</InputLabel>
          <Select
            labelId="train-stage1-label"
            label="Stage-1 model"
            value={form.stage1Model}
            onChange={(e) => set('stage1Model', e.target.value)}
            data-testid="train-stage1"
          >
            {stage1Models.map((m) => (
              <MenuItem key={m.ref} value={m.ref} data-testid="train-stage1-option" data-model-ref={m.ref}>
                {m.name} ({m.ref})
              </MenuItem>
            ))}
          </Select>
          <FormHelperText>{errors.stage1Model ?? (stage1Models.length === 0 ? 'No stage-1 model yet: train one first.' : 'Stage 2 learns this model’s latent space.')}</FormHelperText>
        </FormControl>
      )}
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
        {field('steps', 'Steps', 'Optimiser steps.', 'train-steps')}
        {field('batchSize', 'Batch size', 'Empty: the network’s default.', 'train-batch-size')}
        {field('threads', 'Threads', runOn.onCluster ? 'On Slurm: the job’s CPUs per task.' : `PyTorch CPU threads${info.data ? ` (${info.data.cores} cores)` : ''}.`, 'train-threads')}
        {field('seed', 'Seed', 'Initialisation and batches.', 'train-seed')}
      </Stack>
      <Typography variant="subtitle2">Reports</Typography>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
        {field('logEvery', 'Loss every', 'Steps between loss reports (10).', 'train-log-every')}
        {field('previewEvery', 'Preview every', 'Steps between reconstructions (200; 0: at the end).', 'train-preview-every')}
        {field('evalEvery', 'Metrics every', 'Steps between held-out metrics (0: at the end).', 'train-eval-every')}
      </Stack>
      <TextField
        label="Name"
        value={form.name}
        onChange={(e) => set('name', e.target.value)}
        error={Boolean(errors.name)}
        helperText={errors.name ?? 'Optional; the model is registered under this name.'}
        fullWidth
        slotProps={{ htmlInput: { 'data-testid': 'train-name' } }}
      />
      <RunOnCluster
        value={runOn}
        onChange={setRunOn}
        idPrefix="train"
        showErrors={touched}
        withShards={false}
        outHelper="The trainer's run, its progress.jsonl and logs/ land here."
      />
      {runOn.onCluster && (
        <Typography variant="body2" color="text.secondary" data-testid="train-cluster-note">
          One Slurm job with the GPUs, CPUs (its threads) and time limit of Settings → Slurm cluster. The cluster reads the dataset from this project’s folder by its path here, so the project must lie on a file system the cluster shares. The curves appear in Training runs as the job writes its progress; the model is registered here when it is done.
        </Typography>
      )}
    </FormDialog>
  );
}
