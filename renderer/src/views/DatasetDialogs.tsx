import { useEffect, useState } from 'react';
import {
  Autocomplete,
  Box,
  Button,
  Checkbox,
  Chip,
  FormControlLabel,
  Stack,
  Switch,
  TextField,
  Typography,
} from '@mui/material';
import type { DatasetInfo, JobInfo } from '../../../main/core/contract/contract.ts';
import { useApiAction, useApiQuery } from '../api/hooks.ts';
import { FormDialog } from '../components/FormDialog.tsx';
import { PathField } from '../components/PathField.tsx';
import { PathPickerDialog } from '../components/PathPickerDialog.tsx';
import { defaultGatherKey } from '../../../main/core/contract/parameters.ts';

/** Trace header fields that commonly identify a shot gather (segyio TraceField names); any field name may be typed. */
const GATHER_KEYS = [defaultGatherKey, 'EnergySourcePoint', 'SourceX', 'CDP', 'TRACE_SEQUENCE_FILE'];

const SEGY_FILES = /\.(sgy|segy)$/i;

interface ImportDialogProps {
  open: boolean;
  onClose: () => void;
  onStarted: (job: JobInfo) => void;
}

/** A positive integer from a text field, or null. */
function positiveInt(text: string): number | null {
  const value = Number(text);
  return Number.isInteger(value) && value > 0 ? value : null;
}

export function ImportSegyDialog({ open, onClose, onStarted }: ImportDialogProps) {
  const start = useApiAction('import.segy');
  const [paths, setPaths] = useState<string[]>([]);
  const [typedPath, setTypedPath] = useState('');
  const [name, setName] = useState('');
  const [gatherKey, setGatherKey] = useState(defaultGatherKey);
  const [resample, setResample] = useState(false);
  const [sources, setSources] = useState('5');
  const [timeSamples, setTimeSamples] = useState('1000');
  const [receivers, setReceivers] = useState('70');
  const [intervalMs, setIntervalMs] = useState('');
  const [picking, setPicking] = useState(false);
  // The header fields of the first file chosen, each with the gathers it would make.
  const keyScan = useApiQuery('segy.gatherKeys', open && paths.length > 0 ? { path: paths[0] } : null, { refreshOnProjectChange: false });
  const scanned = keyScan.data?.candidates ?? null;
  const keyOptions = scanned && scanned.length > 0 ? scanned.map((c) => c.field) : GATHER_KEYS;
  const chosenKey = scanned?.find((c) => c.field === gatherKey.trim()) ?? null;
  const keyHelp = keyScan.loading
    ? 'Scanning the trace headers of the first file…'
    : chosenKey
      ? `${chosenKey.gathers} gathers of ${chosenKey.minTraces === chosenKey.maxTraces ? chosenKey.minTraces : `${chosenKey.minTraces}–${chosenKey.maxTraces}`} traces in ${keyScan.data!.scannedTraces < keyScan.data!.traces ? `the first ${keyScan.data!.scannedTraces} of ${keyScan.data!.traces} traces of ` : ''}${keyScan.data!.file.split(/[\\/]/).pop()}.`
      : scanned && gatherKey.trim()
        ? `${gatherKey.trim()} does not split the first file into gathers (it is the same on every trace, or different on each); pick a listed field.`
        : 'Traces with the same value of this field form one shot gather.';

  useEffect(() => {
    if (open) start.clearError();
  }, [open, start.clearError]);

  const addPaths = (more: string[]) => setPaths((p) => [...p, ...more.filter((m) => m && !p.includes(m))]);
  const addTypedPath = () => {
    if (!typedPath.trim()) return;
    addPaths([typedPath.trim()]);
    setTypedPath('');
  };
  const resampleValid =
    !resample ||
    (positiveInt(sources) !== null &&
      (positiveInt(timeSamples) ?? 0) >= 2 &&
      (positiveInt(receivers) ?? 0) >= 2 &&
      (intervalMs.trim() === '' || Number(intervalMs) > 0));
  const valid = paths.length > 0 && gatherKey.trim().length > 0 && resampleValid;

  const submit = async () => {
    try {
      const job = await start.run({
        paths,
        name: name.trim() || undefined,
        gatherKey: gatherKey.trim(),
        resample: resample
          ? {
              sources: positiveInt(sources)!,
              timeSamples: positiveInt(timeSamples)!,
              receivers: positiveInt(receivers)!,
              sampleIntervalMs: intervalMs.trim() === '' ? undefined : Number(intervalMs),
            }
          : null,
      });
      setPaths([]);
      setName('');
      onStarted(job);
    } catch {
      // shown in the dialog
    }
  };

  return (
    <>
      <FormDialog
        open={open}
        onClose={onClose}
        idPrefix="import-segy"
        title="Import SEG-Y shot gathers"
        error={start.error}
        submitLabel="Start import"
        submitDisabled={!valid || start.busy}
        onSubmit={() => void submit()}
      >
        <Box>
          <Typography variant="subtitle2" gutterBottom>
            Files or folders on the studio machine
          </Typography>
          <Stack direction="row" sx={{ gap: 1, flexWrap: 'wrap', mb: 1 }} data-testid="import-segy-paths">
            {paths.length === 0 && (
              <Typography variant="body2" color="text.secondary">
                None chosen yet. A folder imports every .sgy/.segy file in it. Files that differ in sample interval, samples per trace or format become separate datasets.
              </Typography>
            )}
            {paths.map((p) => (
              <Chip key={p} label={p} onDelete={() => setPaths((all) => all.filter((x) => x !== p))} data-testid="import-segy-path" sx={{ maxWidth: '100%' }} />
            ))}
          </Stack>
          <Stack direction="row" spacing={1}>
            <TextField
              fullWidth
              label="Path"
              placeholder="/data/survey/line1.sgy"
              value={typedPath}
              onChange={(e) => setTypedPath(e.target.value)}
              onKeyDown={(e) => {
                // Enter adds the typed path; it does not start the import.
                if (e.key !== 'Enter') return;
                e.preventDefault();
                addTypedPath();
              }}
              slotProps={{ htmlInput: { 'data-testid': 'import-segy-path-input', spellCheck: false } }}
            />
            <Button disabled={!typedPath.trim()} onClick={addTypedPath} data-testid="import-segy-path-add">
              Add
            </Button>
            <Button variant="outlined" onClick={() => setPicking(true)} data-testid="import-segy-browse" sx={{ flexShrink: 0 }}>
              Browse…
            </Button>
          </Stack>
        </Box>
        <TextField
          label="Dataset name (optional)"
          value={name}
          onChange={(e) => setName(e.target.value)}
          slotProps={{ htmlInput: { 'data-testid': 'import-segy-name', maxLength: 200 } }}
        />
        <Autocomplete
          freeSolo
          options={keyOptions}
          value={gatherKey}
          onInputChange={(_e, v) => setGatherKey(v)}
          renderOption={(props, field) => {
            const { key, ...rest } = props as typeof props & { key: string };
            const c = scanned?.find((x) => x.field === field);
            return (
              <li key={key} {...rest} data-testid="import-segy-gather-key-option">
                <Box sx={{ display: 'flex', width: '100%', gap: 2 }}>
                  <Box sx={{ fontFamily: 'monospace', flex: 1 }}>{field}</Box>
                  {c && (
                    <Typography variant="caption" color="text.secondary">
                      {c.gathers} gathers · {c.minTraces === c.maxTraces ? c.minTraces : `${c.minTraces}–${c.maxTraces}`} traces each
                    </Typography>
                  )}
                </Box>
              </li>
            );
          }}
          renderInput={(params) => (
            <TextField
              {...params}
              label="Gather key (trace header field)"
              helperText={keyHelp}
              error={Boolean(scanned && gatherKey.trim() && !chosenKey)}
              slotProps={{ ...params.slotProps, htmlInput: { ...params.slotProps.htmlInput, 'data-testid': 'import-segy-gather-key' } }}
            />
          )}
        />
        <FormControlLabel
          control={<Switch checked={resample} onChange={(e) => setResample(e.target.checked)} slotProps={{ input: { 'data-testid': 'import-segy-resample' } as object }} />}
          label="Resample each sample to sources × time × receivers"
        />
        {resample && (
          <Stack direction="row" spacing={1}>
            <TextField label="Sources" value={sources} onChange={(e) => setSources(e.target.value)} error={positiveInt(sources) === null} slotProps={{ htmlInput: { 'data-testid': 'import-segy-sources', inputMode: 'numeric' } }} />
            <TextField label="Time samples" value={timeSamples} onChange={(e) => setTimeSamples(e.target.value)} error={(positiveInt(timeSamples) ?? 0) < 2} slotProps={{ htmlInput: { 'data-testid': 'import-segy-time-samples', inputMode: 'numeric' } }} />
            <TextField label="Receivers" value={receivers} onChange={(e) => setReceivers(e.target.value)} error={(positiveInt(receivers) ?? 0) < 2} slotProps={{ htmlInput: { 'data-testid': 'import-segy-receivers', inputMode: 'numeric' } }} />
            <TextField
              label="Interval (ms)"
              placeholder="keep"
              value={intervalMs}
              onChange={(e) => setIntervalMs(e.target.value)}
              error={intervalMs.trim() !== '' && !(Number(intervalMs) > 0)}
              helperText="Empty keeps each file's record length; an interval puts all files on one grid"
              slotProps={{ htmlInput: { 'data-testid': 'import-segy-interval', inputMode: 'decimal' } }}
            />
          </Stack>
        )}
      </FormDialog>
      <PathPickerDialog
        open={picking}
        title="Choose SEG-Y files, or a folder of them"
        mode="filesOrFolder"
        fileFilter={SEGY_FILES}
        onClose={() => setPicking(false)}
        onSelect={(chosen) => {
          setPicking(false);
          addPaths(chosen);
        }}
      />
    </>
  );
}

export function ImportOpenFwiDialog({ open, onClose, onStarted }: ImportDialogProps) {
  const start = useApiAction('import.openfwi');
  const [folder, setFolder] = useState('');
  const [name, setName] = useState('');

  useEffect(() => {
    if (open) start.clearError();
  }, [open, start.clearError]);

  const submit = async () => {
    try {
      const job = await start.run({ folder: folder.trim(), name: name.trim() || undefined });
      setFolder('');
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
      idPrefix="import-openfwi"
      title="Import an OpenFWI folder"
      error={start.error}
      submitLabel="Start import"
      submitDisabled={!folder.trim() || start.busy}
      onSubmit={() => void submit()}
    >
      <Typography variant="body2" color="text.secondary">
        A folder of data*.npy [N, sources, time, receivers] and model*.npy [N, 1, depth, width] pairs, float32.
      </Typography>
      <PathField
        required
        label="Folder"
        value={folder}
        onChange={setFolder}
        inputTestId="import-openfwi-folder"
        browseTestId="import-openfwi-browse"
        pickerTitle="Choose an OpenFWI folder"
      />
      <TextField label="Dataset name (optional)" value={name} onChange={(e) => setName(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'import-openfwi-name', maxLength: 200 } }} />
    </FormDialog>
  );
}

export function ExportOpenFwiDialog({ open, dataset, onClose, onStarted }: { open: boolean; dataset: DatasetInfo; onClose: () => void; onStarted: (job: JobInfo) => void }) {
  const start = useApiAction('export.openfwi');
  const [folder, setFolder] = useState('');
  const [overwrite, setOverwrite] = useState(false);

  useEffect(() => {
    if (open) start.clearError();
  }, [open, start.clearError]);

  const submit = async () => {
    try {
      onStarted(await start.run({ datasetId: dataset.id, folder: folder.trim(), overwrite }));
    } catch {
      // shown in the dialog
    }
  };

  return (
    <FormDialog
      open={open}
      onClose={onClose}
      idPrefix="export-openfwi"
      title={`Export “${dataset.name}” as OpenFWI`}
      error={start.error}
      submitLabel="Start export"
      submitDisabled={!folder.trim() || start.busy}
      onSubmit={() => void submit()}
    >
      <Typography variant="body2" color="text.secondary">
        Writes data*.npy and model*.npy pairs (float32) into the folder.
      </Typography>
      <PathField
        required
        label="Folder"
        value={folder}
        onChange={setFolder}
        inputTestId="export-openfwi-folder"
        browseTestId="export-openfwi-browse"
        pickerTitle="Choose the export folder"
      />
      <FormControlLabel
        control={<Checkbox checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} slotProps={{ input: { 'data-testid': 'export-openfwi-overwrite' } as object }} />}
        label="Overwrite existing files in the folder"
      />
    </FormDialog>
  );
}

/** A file name from a dataset name: letters, digits, dot, dash and underscore kept, the rest as '_'. */
export function segyFileName(datasetName: string): string {
  const stem = datasetName.replace(/\.(sgy|segy)$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '');
  return `${stem || 'dataset'}.sgy`;
}

export function ExportSegyDialog({ open, dataset, onClose, onStarted }: { open: boolean; dataset: DatasetInfo; onClose: () => void; onStarted: (job: JobInfo) => void }) {
  const start = useApiAction('export.segy');
  const [folder, setFolder] = useState('');
  const [fileName, setFileName] = useState(() => segyFileName(dataset.name));
  const [overwrite, setOverwrite] = useState(false);

  useEffect(() => {
    if (!open) return;
    start.clearError();
    setFileName(segyFileName(dataset.name));
  }, [open, start.clearError, dataset.name]);

  const nameProblem = /[\\/]/.test(fileName) ? 'A file name, without folders.' : !fileName.trim() ? 'Give the file a name.' : null;
  const submit = async () => {
    try {
      const dir = folder.trim().replace(/[\\/]+$/, '');
      onStarted(await start.run({ datasetId: dataset.id, file: `${dir}/${fileName.trim()}`, overwrite }));
    } catch {
      // shown in the dialog
    }
  };

  return (
    <FormDialog
      open={open}
      onClose={onClose}
      idPrefix="export-segy"
      title={`Export “${dataset.name}” as SEG-Y`}
      error={start.error}
      submitLabel="Start export"
      submitDisabled={!folder.trim() || nameProblem !== null || start.busy}
      onSubmit={() => void submit()}
    >
      <Typography variant="body2" color="text.secondary">
        One SEG-Y file (rev 2, IEEE floats): a trace per sample, source and recorded receiver, with the dataset's sample interval and the source and receiver
        coordinates in the trace headers. Zero traces that padded shorter gathers are left out.
      </Typography>
      <PathField
        required
        label="Folder"
        value={folder}
        onChange={setFolder}
        inputTestId="export-segy-folder"
        browseTestId="export-segy-browse"
        pickerTitle="Choose the folder for the SEG-Y file"
      />
      <TextField
        required
        label="File name"
        value={fileName}
        onChange={(e) => setFileName(e.target.value)}
        error={nameProblem !== null}
        helperText={nameProblem ?? ' '}
        slotProps={{ htmlInput: { 'data-testid': 'export-segy-file-name', spellCheck: false } }}
      />
      <FormControlLabel
        control={<Checkbox checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} slotProps={{ input: { 'data-testid': 'export-segy-overwrite' } as object }} />}
        label="Overwrite the file if it exists"
      />
    </FormDialog>
  );
}
