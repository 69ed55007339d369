import { useEffect, useState } from 'react';
import {
  Alert,
  Button,
  FormControl,
  FormControlLabel,
  FormHelperText,
  InputLabel,
  MenuItem,
  Radio,
  RadioGroup,
  Select,
  Stack,
  Switch,
  TextField,
  Typography,
} from '@mui/material';
import FolderOpenIcon from '@mui/icons-material/FolderOpen';
import { useApiAction } from '../api/hooks.ts';
import { useStudio } from '../api/context.tsx';
import { describeDistribution, distributionOffsets, nothingBelowMessage, suggestedThreshold, summarise, type PdeDistribution } from '../gallery/pdeDistribution.ts';
import { formatCount, formatNumber } from '../app/humanReadable.ts';
import { useNotify } from '../app/notices.tsx';
import { FormDialog } from '../components/FormDialog.tsx';
import { PathField } from '../components/PathField.tsx';
import { parseIntField, parseNumberField } from '../models/forms.ts';
import { ExportQualityNotice } from '../models/ModelQuality.tsx';
import { activeFilterCount, filterArgs, type GalleryFilter, type InvMetric } from '../gallery/query.ts';

/**
 * The PDE deviation distribution of the samples in scope (a run, or all), read from the sorted
 * gallery a row at a time; null while loading or when it cannot be read.
 */
function usePdeDistribution(open: boolean, runId: number | undefined, k: number): PdeDistribution | null {
  const client = useStudio();
  const [distribution, setDistribution] = useState<PdeDistribution | null>(null);
  useEffect(() => {
    if (!open) return;
    let current = true;
    const scope = { pdeMin: 0, sort: 'pde_rel_l2' as const, ...(runId !== undefined ? { runId } : {}) };
    void (async () => {
      const { total } = await client.call('gallery.query', { ...scope, limit: 1 });
      const values = new Map<number, number>();
      for (const offset of distributionOffsets(total, k)) {
        const page = await client.call('gallery.query', { ...scope, offset, limit: 1 });
        values.set(offset, page.samples[0]?.pde_rel_l2 ?? NaN);
      }
      if (current) setDistribution(summarise(total, k, (offset) => values.get(offset) ?? NaN));
    })().catch(() => {
      if (current) setDistribution(null);
    });
    return () => {
      current = false;
    };
  }, [client, open, runId, k]);
  return distribution;
}

/**
 * "Challenging samples": physically valid (PDE deviation ≤ a threshold) yet hard for InversionNet —
 * the top K by inversion error, tagged (`gallery.challenging`).
 */
export function ChallengingDialog({ open, runId, onClose, onDone }: { open: boolean; runId: number | null; onClose: () => void; onDone: (tag: string) => void }) {
  const action = useApiAction('gallery.challenging');
  const notify = useNotify();
  const [pdeMax, setPdeMax] = useState('0.1');
  const [k, setK] = useState('20');
  const [metric, setMetric] = useState<InvMetric>('inv_mae');
  const [tag, setTag] = useState('challenging');
  const [scope, setScope] = useState<'run' | 'all'>('run');
  /** Why the last search tagged nothing; the gallery stays as it was. */
  const [nothing, setNothing] = useState<string | null>(null);
  useEffect(() => {
    if (open) action.clearError();
    setNothing(null);
  }, [open, action.clearError]);

  const pde = parseNumberField(pdeMax, 'PDE deviation threshold', 1e-12, 1e12);
  const count = parseIntField(k, 'K', 1, 100_000);
  const tagError = tag.trim() === '' || tag.length > 100 ? 'A tag of 1–100 characters.' : null;
  const valid = typeof pde === 'number' && typeof count === 'number' && !tagError;
  const scopedRun = scope === 'run' && runId !== null ? runId : undefined;
  const distribution = usePdeDistribution(open, scopedRun, typeof count === 'number' ? count : 20);
  const suggestion = distribution ? suggestedThreshold(distribution) : null;

  const submit = async () => {
    if (!valid) return;
    setNothing(null);
    try {
      const tagged = await action.run({ pdeMax: pde, k: count, metric, tag: tag.trim(), ...(scopedRun !== undefined ? { runId: scopedRun } : {}) });
      if (tagged.length === 0) {
        // Filtering the gallery to an empty tag would hide every sample: say why here instead.
        setNothing(nothingBelowMessage(pde, distribution));
        return;
      }
      notify('success', `Tagged ${formatCount(tagged.length, 'sample')} '${tag.trim()}'.`);
      onDone(tag.trim());
    } catch {
      // shown in the dialog
    }
  };

  return (
    <FormDialog
      open={open}
      onClose={onClose}
      idPrefix="challenging"
      title="Challenging samples"
      error={action.error}
      submitLabel="Find and tag"
      submitDisabled={!valid || action.busy}
      onSubmit={() => void submit()}
    >
      <Typography variant="body2" color="text.secondary">
        Samples the physics accepts (PDE deviation at most the threshold) but InversionNet inverts worst: the top K by inversion error are tagged and shown.
      </Typography>
      <Typography variant="body2" data-testid="challenging-distribution">
        {distribution ? describeDistribution(distribution) : 'Reading the PDE deviations…'}
      </Typography>
      {nothing && (
        <Alert
          severity="info"
          data-testid="challenging-nothing"
          action={
            suggestion !== null ? (
              <Button color="inherit" size="small" onClick={() => setPdeMax(String(suggestion))} data-testid="challenging-use-suggestion">
                Use {formatNumber(suggestion)}
              </Button>
            ) : undefined
          }
        >
          {nothing}
        </Alert>
      )}
      <Stack direction="row" spacing={2}>
        <TextField
          label="PDE deviation ≤"
          value={pdeMax}
          onChange={(e) => setPdeMax(e.target.value)}
          error={typeof pde === 'string'}
          helperText={typeof pde === 'string' ? pde : 'Relative L2 of ŝ − f(v̂).'}
          fullWidth
          slotProps={{ htmlInput: { 'data-testid': 'challenging-pde-max', inputMode: 'decimal' } }}
        />
        <TextField
          label="K"
          value={k}
          onChange={(e) => setK(e.target.value)}
          error={typeof count === 'string'}
          helperText={typeof count === 'string' ? count : 'Samples to tag.'}
          fullWidth
          slotProps={{ htmlInput: { 'data-testid': 'challenging-k', inputMode: 'numeric' } }}
        />
      </Stack>
      <Stack direction="row" spacing={2}>
        <FormControl fullWidth>
          <InputLabel id="challenging-metric-label">Inversion error</InputLabel>
          <Select labelId="challenging-metric-label" label="Inversion error" value={metric} onChange={(e) => setMetric(e.target.value as InvMetric)} data-testid="challenging-metric">
            <MenuItem value="inv_mae">MAE (highest first)</MenuItem>
            <MenuItem value="inv_rmse">RMSE (highest first)</MenuItem>
            <MenuItem value="inv_ssim">SSIM (lowest first)</MenuItem>
          </Select>
        </FormControl>
        <TextField
          label="Tag"
          value={tag}
          onChange={(e) => setTag(e.target.value)}
          error={Boolean(tagError)}
          helperText={tagError ?? ' '}
          fullWidth
          slotProps={{ htmlInput: { 'data-testid': 'challenging-tag' } }}
        />
      </Stack>
      {runId !== null && (
        <RadioGroup row value={scope} onChange={(e) => setScope(e.target.value as 'run' | 'all')}>
          <FormControlLabel value="run" control={<Radio slotProps={{ input: { 'data-testid': 'challenging-scope-run' } as object }} />} label={`Run ${runId}`} />
          <FormControlLabel value="all" control={<Radio slotProps={{ input: { 'data-testid': 'challenging-scope-all' } as object }} />} label="All runs" />
        </RadioGroup>
      )}
    </FormDialog>
  );
}

type ExportScope = 'run' | 'filter' | 'selection';

/** Export generated samples (a run, the current filter, or the selection) as OpenFWI .npy pairs with metrics CSV/JSON and SEG-Y (`export.generated`). */
export function ExportGeneratedDialog({ open, filter, runId, selection, onClose }: { open: boolean; filter: GalleryFilter; runId: number | null; selection: number[]; onClose: () => void }) {
  const action = useApiAction('export.generated');
  const notify = useNotify();
  const [scope, setScope] = useState<ExportScope>('filter');
  const [folder, setFolder] = useState('');
  const [segy, setSegy] = useState(true);
  const [overwrite, setOverwrite] = useState(false);
  useEffect(() => {
    if (!open) return;
    action.clearError();
    setScope(selection.length > 0 ? 'selection' : runId !== null && activeFilterCount(filter) === 1 ? 'run' : 'filter');
  }, [open, action.clearError, selection.length, runId, filter]);

  const valid = folder.trim() !== '' && (scope !== 'selection' || selection.length > 0) && (scope !== 'run' || runId !== null);
  const submit = async () => {
    if (!valid) return;
    try {
      const scopeArgs = scope === 'run' ? { runId: runId! } : scope === 'selection' ? { sampleIds: selection } : { filter: filterArgs(filter) };
      const job = await action.run({ folder: folder.trim(), segy, overwrite, ...scopeArgs });
      notify('info', `Export started (job ${job.id}); follow it in Jobs.`);
      onClose();
    } catch {
      // shown in the dialog
    }
  };

  return (
    <FormDialog
      open={open}
      onClose={onClose}
      idPrefix="gallery-export"
      title="Export generated samples"
      error={action.error}
      submitLabel="Export"
      submitDisabled={!valid || action.busy}
      onSubmit={() => void submit()}
    >
      <ExportQualityNotice runId={scope === 'run' ? runId : null} />
      <RadioGroup value={scope} onChange={(e) => setScope(e.target.value as ExportScope)}>
        <FormControlLabel value="run" disabled={runId === null} control={<Radio slotProps={{ input: { 'data-testid': 'gallery-export-scope-run' } as object }} />} label={runId !== null ? `Run ${runId}` : 'A run (filter the gallery by run first)'} />
        <FormControlLabel value="filter" control={<Radio slotProps={{ input: { 'data-testid': 'gallery-export-scope-filter' } as object }} />} label={activeFilterCount(filter) > 0 ? 'Every sample matching the current filters' : 'Every generated sample'} />
        <FormControlLabel value="selection" disabled={selection.length === 0} control={<Radio slotProps={{ input: { 'data-testid': 'gallery-export-scope-selection' } as object }} />} label={`The selection (${selection.length})`} />
      </RadioGroup>
      <PathField
        label="Folder on the studio machine"
        value={folder}
        onChange={setFolder}
        helperText="data*.npy / model*.npy pairs (OpenFWI layout), metrics.csv and metrics.json"
        spellCheck
        inputTestId="gallery-export-folder"
        browseTestId="gallery-export-browse"
        browseIcon={<FolderOpenIcon />}
        pickerTitle="Choose the export folder"
      />
      <FormControlLabel control={<Switch checked={segy} onChange={(e) => setSegy(e.target.checked)} slotProps={{ input: { 'data-testid': 'gallery-export-segy' } as object }} />} label="Also write SEG-Y" />
      <FormControlLabel control={<Switch checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} slotProps={{ input: { 'data-testid': 'gallery-export-overwrite' } as object }} />} label="Overwrite files already in the folder" />
      <FormHelperText>The export runs as a job.</FormHelperText>
    </FormDialog>
  );
}
