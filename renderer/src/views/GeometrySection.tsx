import { useEffect, useMemo, useState } from 'react';
import { Box, Button, FormControl, InputLabel, LinearProgress, MenuItem, Paper, Select, Stack, Table, TableBody, TableCell, TableRow, TextField, Typography } from '@mui/material';
import { useApiAction, useApiQuery } from '../api/hooks.ts';
import { useCurrentProject } from '../app/project.tsx';
import { useNotify } from '../app/notices.tsx';
import { ErrorAlert } from '../components/common.tsx';
import { defaultBoundaryCells, describeGeometry, fromForm, readGeometry, toForm, type AcquisitionGeometry, type GeometryField, type GeometryForm } from '../physics/geometryForm.ts';

/** The open project's acquisition geometry: read in words, edit the common fields, or restore OpenFWI's. */
export function GeometrySection() {
  const { project } = useCurrentProject();
  const query = useApiQuery('project.geometry', project ? {} : null);
  const save = useApiAction('project.setGeometry');
  const notify = useNotify();
  const [editing, setEditing] = useState(false);
  const [form, setForm] = useState<GeometryForm | null>(null);

  const read = useMemo(() => {
    if (!query.data) return null;
    try {
      return { geometry: readGeometry(query.data), error: null };
    } catch (error) {
      return { geometry: null, error: error as Error };
    }
  }, [query.data]);
  const geometry = read?.geometry ?? null;

  useEffect(() => {
    if (geometry && !editing) setForm(toForm(geometry));
  }, [geometry, editing]);

  if (!project) {
    return (
      <Paper variant="outlined" sx={{ p: 3 }} data-testid="geometry-section">
        <Typography variant="subtitle1" sx={{ fontWeight: 600 }}>
          Project geometry
        </Typography>
        <Typography variant="body2" color="text.secondary" data-testid="geometry-no-project">
          Open a project to see and change its acquisition geometry.
        </Typography>
      </Paper>
    );
  }

  const result = form && geometry ? fromForm(form, geometry) : null;
  const errors: Partial<Record<GeometryField, string>> = result?.errors ?? {};
  const field = (key: GeometryField, label: string, helper: string, width = 160) => (
    <TextField
      label={label}
      value={form?.[key] ?? ''}
      onChange={(e) => form && setForm({ ...form, [key]: e.target.value })}
      error={Boolean(errors[key])}
      helperText={errors[key] ?? helper}
      sx={{ width }}
      slotProps={{ htmlInput: { 'data-testid': `geometry-${key}`, spellCheck: false } }}
    />
  );

  const submit = async (geometryOrNull: AcquisitionGeometry | null) => {
    try {
      const saved = await save.run({ geometry: geometryOrNull });
      setEditing(false);
      setForm(toForm(readGeometry(saved)));
      query.refresh();
      notify('success', geometryOrNull === null ? "Restored OpenFWI's acquisition geometry." : 'Acquisition geometry saved.');
    } catch {
      // shown below
    }
  };

  return (
    <Paper variant="outlined" sx={{ p: 3 }} data-testid="geometry-section">
      <Stack direction="row" sx={{ alignItems: 'baseline', gap: 2, flexWrap: 'wrap' }}>
        <Box sx={{ flex: 1 }}>
          <Typography variant="subtitle1" sx={{ fontWeight: 600 }}>
            Project geometry
          </Typography>
          <Typography variant="body2" color="text.secondary">
            Acquisition geometry of “{project.name}”: forward modelling, synthesis, wavefields and PDE checks use it.
          </Typography>
        </Box>
        {!editing && (
          <Button variant="outlined" disabled={!geometry} onClick={() => setEditing(true)} data-testid="geometry-edit">
            Edit
          </Button>
        )}
        <Button disabled={save.busy} onClick={() => void submit(null)} data-testid="geometry-restore">
          Restore OpenFWI's
        </Button>
      </Stack>
      <Box sx={{ height: 4, my: 1 }}>{(query.loading || save.busy) && <LinearProgress />}</Box>
      <ErrorAlert error={query.error ?? read?.error} testId="geometry-load-error" />
      <ErrorAlert error={save.error} testId="geometry-error" onClose={save.clearError} />
      {geometry && !editing && (
        <Table size="small" aria-label="Acquisition geometry" data-testid="geometry-summary">
          <TableBody>
            {describeGeometry(geometry).map((line) => (
              <TableRow key={line.label} data-testid="geometry-summary-row" data-label={line.label}>
                <TableCell component="th" scope="row" sx={{ color: 'text.secondary', width: 140 }}>
                  {line.label}
                </TableCell>
                <TableCell>{line.value}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {geometry && editing && form && (
        <Stack
          spacing={2}
          component="form"
          onSubmit={(e) => {
            e.preventDefault();
            if (result?.geometry) void submit(result.geometry);
          }}
        >
          <Typography variant="overline" color="text.secondary">
            Grid and time
          </Typography>
          <Stack direction="row" sx={{ gap: 2, flexWrap: 'wrap' }}>
            {field('spacingM', 'Grid spacing (m)', 'dx = dz')}
            {field('dtMs', 'Time step (ms)', 'dt')}
            {field('steps', 'Steps', 'Updates per shot')}
            {field('recordEvery', 'Record every', 'Steps per sample')}
          </Stack>
          <Typography variant="overline" color="text.secondary">
            Ricker wavelet
          </Typography>
          <Stack direction="row" sx={{ gap: 2, flexWrap: 'wrap' }}>
            {field('peakHz', 'Peak frequency (Hz)', ' ')}
            {field('delayMs', 'Peak time (ms)', 'After the start')}
          </Stack>
          <Typography variant="overline" color="text.secondary">
            Boundaries
          </Typography>
          <Stack direction="row" sx={{ gap: 2, flexWrap: 'wrap', alignItems: 'flex-start' }}>
            <FormControl sx={{ width: 240 }}>
              <InputLabel id="geometry-boundary-label">Sides and bottom</InputLabel>
              <Select
                labelId="geometry-boundary-label"
                label="Sides and bottom"
                value={form.boundary}
                onChange={(e) => {
                  const boundary = e.target.value as GeometryForm['boundary'];
                  const boundaryCells = boundary !== form.boundary && boundary !== 'openfwi-sponge' ? String(defaultBoundaryCells[boundary]) : form.boundaryCells;
                  setForm({ ...form, boundary, boundaryCells });
                }}
                data-testid="geometry-boundary"
              >
                <MenuItem value="openfwi-sponge" data-testid="geometry-boundary-option" data-value="openfwi-sponge">
                  OpenFWI's sponge (120 cells)
                </MenuItem>
                <MenuItem value="sponge" data-testid="geometry-boundary-option" data-value="sponge">
                  Damping sponge, chosen width
                </MenuItem>
                <MenuItem value="pml" data-testid="geometry-boundary-option" data-value="pml">
                  Perfectly matched layer (PML)
                </MenuItem>
              </Select>
            </FormControl>
            {form.boundary === 'sponge' && field('boundaryCells', 'Sponge width (cells)', '20–400; reflects far more than a PML at any width')}
            {form.boundary === 'pml' && field('boundaryCells', 'PML width (cells)', '8–200; about 20 for below −40 dB')}
            <FormControl sx={{ width: 200 }}>
              <InputLabel id="geometry-top-label">Top surface</InputLabel>
              <Select
                labelId="geometry-top-label"
                label="Top surface"
                value={form.topSurface}
                onChange={(e) => setForm({ ...form, topSurface: e.target.value as GeometryForm['topSurface'] })}
                data-testid="geometry-top-surface"
              >
                <MenuItem value="absorbing" data-testid="geometry-top-surface-option" data-value="absorbing">
                  Absorbing
                </MenuItem>
                <MenuItem value="free" data-testid="geometry-top-surface-option" data-value="free">
                  Free surface (p = 0)
                </MenuItem>
              </Select>
            </FormControl>
          </Stack>
          <Typography variant="overline" color="text.secondary">
            Sources and receivers (grid cells: column x, row z)
          </Typography>
          <Stack direction="row" sx={{ gap: 2, flexWrap: 'wrap' }}>
            {field('sourceXs', 'Source columns', 'One shot each, e.g. 0, 17, 34', 260)}
            {field('sourceZ', 'Source row', 'Depth index')}
          </Stack>
          <Stack direction="row" sx={{ gap: 2, flexWrap: 'wrap' }}>
            {field('receiverFromX', 'First receiver column', ' ')}
            {field('receiverToX', 'Last receiver column', ' ')}
            {field('receiverStepX', 'Every (columns)', ' ')}
            {field('receiverZ', 'Receiver row', 'Depth index')}
          </Stack>
          <Stack direction="row" spacing={1}>
            <Button type="submit" variant="contained" disabled={!result?.geometry || save.busy} data-testid="geometry-save">
              Save geometry
            </Button>
            <Button
              onClick={() => {
                setEditing(false);
                save.clearError();
                setForm(toForm(geometry));
              }}
              data-testid="geometry-cancel"
            >
              Cancel
            </Button>
          </Stack>
        </Stack>
      )}
    </Paper>
  );
}
