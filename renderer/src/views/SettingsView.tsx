import { useEffect, useState } from 'react';
import { Box, Button, FormControlLabel, Paper, Stack, Switch, TextField, Typography } from '@mui/material';
import { settingsSchema, type Settings } from '../../../main/core/contract/contract.ts';
import { OPENFWI_VELOCITY_RANGE_MPS } from '../../../main/core/contract/velocityRange.ts';
import { useApiAction, useApiQuery } from '../api/hooks.ts';
import { useNotify } from '../app/notices.tsx';
import { ErrorAlert, ViewHeader } from '../components/common.tsx';
import { PathField } from '../components/PathField.tsx';
import { GeometrySection } from './GeometrySection.tsx';
import { ClusterSection } from './ClusterSection.tsx';

interface Form {
  autoPython: boolean;
  pythonPath: string;
  workerThreads: string;
  maxConcurrentJobs: string;
  velocityMinMps: string;
  velocityMaxMps: string;
}

function toForm(s: Settings): Form {
  return {
    autoPython: s.pythonPath === null,
    pythonPath: s.pythonPath ?? '',
    workerThreads: String(s.workerThreads),
    maxConcurrentJobs: String(s.maxConcurrentJobs),
    velocityMinMps: String(s.velocityDisplayRangeMps.min),
    velocityMaxMps: String(s.velocityDisplayRangeMps.max),
  };
}

export function SettingsView() {
  const settings = useApiQuery('settings.get', {}, { refreshOnProjectChange: false });
  const info = useApiQuery('app.info', {}, { refreshOnProjectChange: false });
  const update = useApiAction('settings.update');
  const notify = useNotify();
  const [form, setForm] = useState<Form | null>(null);

  useEffect(() => {
    if (settings.data) setForm(toForm(settings.data));
  }, [settings.data]);

  const candidate = form
    ? {
        pythonPath: form.autoPython ? null : form.pythonPath.trim(),
        workerThreads: Number(form.workerThreads),
        maxConcurrentJobs: Number(form.maxConcurrentJobs),
        velocityDisplayRangeMps: { min: Number(form.velocityMinMps), max: Number(form.velocityMaxMps) },
      }
    : null;
  const parsed = candidate ? settingsSchema.omit({ cluster: true }).safeParse(candidate) : null;
  const ranges: Partial<Record<keyof Settings, string>> = {
    workerThreads: 'A whole number from 0 (all cores) to 256.',
    maxConcurrentJobs: 'A whole number from 1 to 8.',
    velocityDisplayRangeMps: 'Two velocities from 0 to 20000 m/s, the upper above the lower.',
  };
  const fieldError = (field: keyof Settings): string | undefined =>
    parsed?.error?.issues.some((i) => i.path[0] === field) ? (ranges[field] ?? 'Invalid value.') : undefined;
  const pythonMissing = form !== null && !form.autoPython && form.pythonPath.trim() === '';
  const dirty = settings.data && candidate ? JSON.stringify(settings.data) !== JSON.stringify({ ...settings.data, ...candidate }) : false;
  const cores = info.data?.cores;

  const save = async () => {
    if (!parsed?.success || pythonMissing) return;
    try {
      const saved = await update.run(parsed.data);
      setForm(toForm(saved));
      settings.refresh();
      notify('success', 'Settings saved.');
    } catch {
      // shown below
    }
  };

  return (
    <Box sx={{ maxWidth: 720 }}>
      <ViewHeader title="Settings" subtitle={info.data ? `WaveDiffusion Studio ${info.data.version} · ${info.data.shell} shell · ${info.data.platform} · ${info.data.cores} cores` : undefined} />
      <ErrorAlert error={settings.error ?? update.error} testId="settings-error" />
      {form && (
        <Paper
          variant="outlined"
          sx={{ p: 3 }}
          component="form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <Stack spacing={3}>
            <Box>
              <Typography variant="subtitle1" sx={{ fontWeight: 600 }}>
                Python for training
              </Typography>
              <Typography variant="body2" color="text.secondary" gutterBottom>
                An interpreter with PyTorch; training runs it as a child process.
              </Typography>
              <FormControlLabel
                control={
                  <Switch
                    checked={form.autoPython}
                    onChange={(e) => setForm({ ...form, autoPython: e.target.checked })}
                    slotProps={{ input: { 'data-testid': 'settings-python-auto' } as object }}
                  />
                }
                label="Find one automatically"
              />
              {!form.autoPython && (
                <PathField
                  mt={1}
                  label="Python interpreter path"
                  placeholder="/usr/bin/python3"
                  value={form.pythonPath}
                  onChange={(pythonPath) => setForm({ ...form, pythonPath })}
                  error={pythonMissing}
                  helperText={pythonMissing ? 'Enter a path, or let the studio find one.' : ' '}
                  inputTestId="settings-python-path"
                  browseTestId="settings-python-browse"
                  pickerTitle="Choose the Python interpreter"
                  pickerMode="file"
                  pickerStartsAtValue={false}
                />
              )}
            </Box>
            <TextField
              label="Worker threads"
              type="number"
              value={form.workerThreads}
              onChange={(e) => setForm({ ...form, workerThreads: e.target.value })}
              error={Boolean(fieldError('workerThreads'))}
              helperText={fieldError('workerThreads') ?? `Threads for the FD solver and inference; 0 uses all ${cores ?? ''} cores.`.replace('  ', ' ')}
              slotProps={{ htmlInput: { 'data-testid': 'settings-worker-threads', min: 0, max: 256, step: 1 } }}
              sx={{ maxWidth: 360 }}
            />
            <TextField
              label="Jobs at once"
              type="number"
              value={form.maxConcurrentJobs}
              onChange={(e) => setForm({ ...form, maxConcurrentJobs: e.target.value })}
              error={Boolean(fieldError('maxConcurrentJobs'))}
              helperText={fieldError('maxConcurrentJobs') ?? 'How many jobs may run at the same time (1–8); the rest wait in the queue.'}
              slotProps={{ htmlInput: { 'data-testid': 'settings-max-jobs', min: 1, max: 8, step: 1 } }}
              sx={{ maxWidth: 360 }}
            />
            <Box>
              <Typography variant="subtitle1" sx={{ fontWeight: 600 }}>
                Velocity colour range
              </Typography>
              <Typography variant="body2" color="text.secondary" gutterBottom>
                Every velocity map is coloured over this range, so samples and datasets compare by colour (OpenFWI's models span {OPENFWI_VELOCITY_RANGE_MPS.min}–{OPENFWI_VELOCITY_RANGE_MPS.max} m/s).
              </Typography>
              <Stack direction="row" spacing={2}>
                <TextField
                  label="Lowest (m/s)"
                  type="number"
                  value={form.velocityMinMps}
                  onChange={(e) => setForm({ ...form, velocityMinMps: e.target.value })}
                  error={Boolean(fieldError('velocityDisplayRangeMps'))}
                  slotProps={{ htmlInput: { 'data-testid': 'settings-velocity-min', min: 0, max: 20000, step: 100 } }}
                  sx={{ maxWidth: 170 }}
                />
                <TextField
                  label="Highest (m/s)"
                  type="number"
                  value={form.velocityMaxMps}
                  onChange={(e) => setForm({ ...form, velocityMaxMps: e.target.value })}
                  error={Boolean(fieldError('velocityDisplayRangeMps'))}
                  helperText={fieldError('velocityDisplayRangeMps') ?? ' '}
                  slotProps={{ htmlInput: { 'data-testid': 'settings-velocity-max', min: 0, max: 20000, step: 100 } }}
                  sx={{ maxWidth: 360 }}
                />
              </Stack>
            </Box>
            <Stack direction="row" spacing={1}>
              <Button type="submit" variant="contained" disabled={!parsed?.success || pythonMissing || !dirty || update.busy} data-testid="settings-save">
                Save
              </Button>
              <Button disabled={!dirty} onClick={() => settings.data && setForm(toForm(settings.data))} data-testid="settings-revert">
                Revert
              </Button>
            </Stack>
          </Stack>
        </Paper>
      )}
      <Box sx={{ mt: 3 }}>
        <GeometrySection />
      </Box>
      <Box sx={{ mt: 3 }}>
        <ClusterSection />
      </Box>
    </Box>
  );
}
