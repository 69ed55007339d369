import { useEffect, useState } from 'react';
import {
  Box,
  Button,
  FormControl,
  FormControlLabel,
  IconButton,
  InputLabel,
  LinearProgress,
  ListItemText,
  MenuItem,
  Paper,
  Select,
  Stack,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Tooltip,
  Typography,
} from '@mui/material';
import CasinoIcon from '@mui/icons-material/Casino';
import { velocityFamilySchema, type DatasetInfo, type JobInfo, type PdeDeviationSummary } from '../../../main/core/contract/contract.ts';
import { useApiAction } from '../api/hooks.ts';
import { RunOnCluster, readRunOn, runOnDefaults, type RunOnForm } from '../components/RunOnCluster.tsx';
import { synthesisClusterArgs } from '../../../main/core/contract/clusterArgs.ts';
import { ErrorAlert } from '../components/common.tsx';
import { FormDialog } from '../components/FormDialog.tsx';
import { IndexStepper } from '../components/selectors.tsx';
import { formatCount, formatNumber } from '../app/humanReadable.ts';
import { boundsOf, OPENFWI_SAMPLES_PER_FILE, samplesPerFileParameter } from '../../../main/core/contract/parameters.ts';

type VelocityFamily = (typeof velocityFamilySchema.options)[number];

/** What each OpenFWI-style family draws, in a line. */
const FAMILY_DESCRIPTIONS: Record<VelocityFamily, { title: string; description: string }> = {
  'flatvel-a': { title: 'FlatVel-A', description: 'Flat layers, velocity increasing with depth (simpler)' },
  'flatvel-b': { title: 'FlatVel-B', description: 'Flat layers in any order, more layers, sharper contrasts (harder)' },
  'curvevel-a': { title: 'CurveVel-A', description: 'Curved (folded) layers, velocity increasing with depth (simpler)' },
  'curvevel-b': { title: 'CurveVel-B', description: 'Curved layers in any order, larger folds (harder)' },
  'flatfault-a': { title: 'FlatFault-A', description: 'Flat layers cut by 1–2 faults, velocity increasing with depth (simpler)' },
  'flatfault-b': { title: 'FlatFault-B', description: 'Flat layers in any order cut by faults with larger throws (harder)' },
  'curvefault-a': { title: 'CurveFault-A', description: 'Curved layers cut by 1–2 faults, velocity increasing with depth (simpler)' },
  'curvefault-b': { title: 'CurveFault-B', description: 'Curved layers in any order cut by faults (harder)' },
};

const randomSeed = () => Math.floor(Math.random() * 2 ** 31);

function wholeNumber(text: string, min: number, max: number): number | null {
  const v = Number(text);
  return text.trim() !== '' && Number.isInteger(v) && v >= min && v <= max ? v : null;
}

/** `physics.synthesize`: velocity models of a family, modelled with the project's geometry, as a resumable job. */
export function SynthesizeDialog({ open, onClose, onStarted }: { open: boolean; onClose: () => void; onStarted: (job: JobInfo) => void }) {
  const start = useApiAction('physics.synthesize');
  const submitToCluster = useApiAction('cluster.submit');
  const [runOn, setRunOn] = useState<RunOnForm>(runOnDefaults);
  const [family, setFamily] = useState<VelocityFamily>('flatvel-a');
  const [count, setCount] = useState('100');
  const [seed, setSeed] = useState(() => String(randomSeed()));
  const [name, setName] = useState('');
  const [perFile, setPerFile] = useState(String(OPENFWI_SAMPLES_PER_FILE));

  useEffect(() => {
    if (open) {
      start.clearError();
      setSeed(String(randomSeed()));
    }
  }, [open, start.clearError]);

  const countValue = wholeNumber(count, 1, 1_000_000);
  const seedValue = wholeNumber(seed, 0, 2 ** 31 - 1);
  const perFileBounds = boundsOf(samplesPerFileParameter);
  const perFileValue = wholeNumber(perFile, perFileBounds.minimum, perFileBounds.maximum);
  const cluster = readRunOn(runOn);
  const valid = countValue !== null && seedValue !== null && perFileValue !== null && name.length <= 200 && (!runOn.onCluster || cluster.ok);

  const submit = async () => {
    if (!valid) return;
    try {
      const job =
        runOn.onCluster && cluster.ok
          ? await submitToCluster.run({ work: 'synth', args: synthesisClusterArgs({ family, count: countValue, seed: seedValue, samplesPerFile: perFileValue }), shards: cluster.shards, out: cluster.out })
          : await start.run({ family, count: countValue, seed: seedValue, name: name.trim() || undefined, samplesPerFile: perFileValue });
      setName('');
      onStarted(job);
    } catch {
      // shown in the dialog
    }
  };

  return (
    <FormDialog
      open={open}
      onClose={onClose}
      idPrefix="synthesize"
      title="Synthesise velocity models and their seismic"
      error={start.error ?? submitToCluster.error}
      submitLabel={runOn.onCluster ? 'Submit to Slurm' : 'Synthesise'}
      submitDisabled={!valid || start.busy || submitToCluster.busy}
      onSubmit={() => void submit()}
    >
      <Typography variant="body2" color="text.secondary">
        OpenFWI-style models are drawn from a family and forward-modelled with this project's acquisition geometry (Settings → Project geometry). The job can be stopped and resumed.
      </Typography>
      <FormControl fullWidth>
        <InputLabel id="synthesize-family-label">Family</InputLabel>
        <Select
          labelId="synthesize-family-label"
          label="Family"
          value={family}
          onChange={(e) => setFamily(e.target.value as VelocityFamily)}
          data-testid="synthesize-family"
          renderValue={(v) => `${FAMILY_DESCRIPTIONS[v as VelocityFamily].title} — ${FAMILY_DESCRIPTIONS[v as VelocityFamily].description}`}
        >
          {velocityFamilySchema.options.map((f) => (
            <MenuItem key={f} value={f} data-testid="synthesize-family-option" data-family={f}>
              <ListItemText primary={FAMILY_DESCRIPTIONS[f].title} secondary={FAMILY_DESCRIPTIONS[f].description} />
            </MenuItem>
          ))}
        </Select>
      </FormControl>
      <Stack direction="row" spacing={2}>
        <TextField
          label="Samples"
          value={count}
          onChange={(e) => setCount(e.target.value)}
          error={countValue === null}
          helperText={countValue === null ? 'A whole number from 1 to 1,000,000.' : 'Velocity–seismic pairs to make'}
          slotProps={{ htmlInput: { 'data-testid': 'synthesize-count', inputMode: 'numeric' } }}
          sx={{ flex: 1 }}
        />
        <Stack direction="row" sx={{ flex: 1, alignItems: 'flex-start' }}>
          <TextField
            label="Seed"
            value={seed}
            onChange={(e) => setSeed(e.target.value)}
            error={seedValue === null}
            helperText={seedValue === null ? 'A whole number from 0 to 2147483647.' : 'The same seed makes the same models'}
            slotProps={{ htmlInput: { 'data-testid': 'synthesize-seed', inputMode: 'numeric' } }}
            sx={{ flex: 1 }}
          />
          <Tooltip title="New random seed">
            <IconButton aria-label="New random seed" onClick={() => setSeed(String(randomSeed()))} data-testid="synthesize-seed-random" sx={{ mt: 1 }}>
              <CasinoIcon />
            </IconButton>
          </Tooltip>
        </Stack>
      </Stack>
      <Stack direction="row" spacing={2}>
        <TextField
          label="Dataset name (optional)"
          value={name}
          onChange={(e) => setName(e.target.value)}
          helperText={`Default: named after the family and seed`}
          slotProps={{ htmlInput: { 'data-testid': 'synthesize-name', maxLength: 200 } }}
          sx={{ flex: 2 }}
        />
        <TextField
          label="Samples per file"
          value={perFile}
          onChange={(e) => setPerFile(e.target.value)}
          error={perFileValue === null}
          helperText={perFileValue === null ? `A whole number from ${perFileBounds.minimum} to ${perFileBounds.maximum.toLocaleString('en-GB')}.` : `OpenFWI uses ${OPENFWI_SAMPLES_PER_FILE}`}
          slotProps={{ htmlInput: { 'data-testid': 'synthesize-samples-per-file', inputMode: 'numeric' } }}
          sx={{ flex: 1 }}
        />
      </Stack>
      <RunOnCluster value={runOn} onChange={setRunOn} idPrefix="synthesize" showErrors={runOn.out !== ''} />
      {runOn.onCluster && (
        <Typography variant="body2" color="text.secondary" data-testid="synthesize-cluster-note">
          Each task makes whole files ({perFileValue ?? OPENFWI_SAMPLES_PER_FILE} samples each) with the cluster's default OpenFWI geometry; the merged set lands in the folder on the cluster, not in this project.
        </Typography>
      )}
    </FormDialog>
  );
}

/** `physics.forward`: model a dataset's velocity models with the project's geometry into a new dataset. */
export function ForwardDialog({ open, dataset, onClose, onStarted }: { open: boolean; dataset: DatasetInfo; onClose: () => void; onStarted: (job: JobInfo) => void }) {
  const start = useApiAction('physics.forward');
  const [name, setName] = useState('');
  const [oneSample, setOneSample] = useState(false);
  const [sample, setSample] = useState(0);
  useEffect(() => {
    if (open) {
      start.clearError();
      setName(`${dataset.name} (forward-modelled)`.slice(0, 200));
    }
  }, [open, start.clearError, dataset.name]);
  const submit = async () => {
    try {
      onStarted(await start.run({ datasetId: dataset.id, name: name.trim() || undefined, sample: oneSample ? sample : undefined }));
    } catch {
      // shown in the dialog
    }
  };
  return (
    <FormDialog
      open={open}
      onClose={onClose}
      idPrefix="forward"
      title={<>Forward-model “{dataset.name}”</>}
      error={start.error}
      submitLabel="Forward-model"
      submitDisabled={start.busy}
      onSubmit={() => void submit()}
    >
      <Typography variant="body2" color="text.secondary">
        Models the seismic of its {formatCount(dataset.nSamples, 'velocity model')}, or of one you choose, with this project's acquisition geometry, into a new dataset; runs as a job.
      </Typography>
      <FormControlLabel
        control={<Switch checked={oneSample} onChange={(e) => setOneSample(e.target.checked)} slotProps={{ input: { 'data-testid': 'forward-one-sample' } as object }} />}
        label="Only one sample"
      />
      {oneSample && <IndexStepper label="Sample" value={sample} count={dataset.nSamples} onChange={setSample} testId="forward-sample" />}
      <TextField label="New dataset name" value={name} onChange={(e) => setName(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'forward-name', maxLength: 200 } }} />
    </FormDialog>
  );
}

/** `dataset.deviation` for one sample: how far its seismic is from the FD seismic of its velocity. */
export function DeviationCheck({ dataset }: { dataset: DatasetInfo }) {
  const check = useApiAction('dataset.deviation');
  const [sample, setSample] = useState(0);
  const [result, setResult] = useState<{ sample: number; summary: PdeDeviationSummary } | null>(null);
  const run = async () => {
    try {
      setResult({ sample, summary: await check.run({ datasetId: dataset.id, sample }) });
    } catch {
      setResult(null);
    }
  };
  const percent = (v: number | null) => (v === null ? '—' : `${formatNumber(v * 100)} %`);
  return (
    <Paper variant="outlined" sx={{ p: 1.5 }} data-testid="deviation">
      <Typography variant="subtitle2">PDE deviation</Typography>
      <Typography variant="caption" color="text.secondary" component="div" sx={{ mb: 1 }}>
        Relative L2 distance between a sample's seismic and the FD seismic of its velocity with the project's geometry: ≈ 0 when the pair obeys the wave equation.
      </Typography>
      <Stack direction="row" sx={{ gap: 1, alignItems: 'flex-start' }}>
        <Box sx={{ flex: 1 }}>
          <IndexStepper label="Sample" value={sample} count={dataset.nSamples} onChange={setSample} testId="deviation-sample" />
        </Box>
        <Button variant="outlined" disabled={check.busy} onClick={() => void run()} data-testid="deviation-check" sx={{ mt: 1 }}>
          Check
        </Button>
      </Stack>
      {check.busy && <LinearProgress data-testid="deviation-running" />}
      <ErrorAlert error={check.error} testId="deviation-error" />
      {result && (
        <Box data-testid="deviation-result" data-sample={result.sample} data-rel-l2={result.summary.pde_rel_l2 ?? ''}>
          <Typography variant="body2" sx={{ my: 1 }}>
            Sample {result.sample}: relative L2{' '}
            <Box component="span" sx={{ fontWeight: 700, fontFamily: 'monospace' }} data-testid="deviation-rel-l2">
              {result.summary.pde_rel_l2 === null ? '— (the seismic is all zero)' : formatNumber(result.summary.pde_rel_l2)}
            </Box>{' '}
            ({percent(result.summary.pde_rel_l2)}) · MSE {formatNumber(result.summary.pde_mse)}
          </Typography>
          <Table size="small" aria-label="PDE deviation per source">
            <TableHead>
              <TableRow>
                <TableCell>Source</TableCell>
                <TableCell align="right">Relative L2</TableCell>
                <TableCell align="right">MSE</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {result.summary.pde_rel_l2_per_source.map((rel, i) => (
                <TableRow key={i} data-testid="deviation-source" data-source={i}>
                  <TableCell>{i}</TableCell>
                  <TableCell align="right" sx={{ fontFamily: 'monospace' }}>
                    {rel === null ? '—' : formatNumber(rel)}
                  </TableCell>
                  <TableCell align="right" sx={{ fontFamily: 'monospace' }}>
                    {formatNumber(result.summary.pde_mse_per_source[i] ?? Number.NaN)}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
    </Paper>
  );
}
