import { useMemo, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Checkbox,
  Chip,
  FormControl,
  InputLabel,
  LinearProgress,
  MenuItem,
  Paper,
  Select,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Tooltip,
  Typography,
} from '@mui/material';
import AddIcon from '@mui/icons-material/Add';
import DeleteIcon from '@mui/icons-material/Delete';
import SaveAltIcon from '@mui/icons-material/SaveAlt';
import type { StudyInfo } from '../../../main/core/contract/contract.ts';
import { samplerKindSchema, studyKindLabels, studyKindNames, type StudyKindName } from '../../../main/core/contract/parameters.ts';
import { useApiAction, useApiQuery } from '../api/hooks.ts';
import { useNavigation } from '../app/navigation.ts';
import { ErrorAlert, EmptyState, ViewHeader } from '../components/common.tsx';
import { FormDialog } from '../components/FormDialog.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { PathField } from '../components/PathField.tsx';
import { useJobs } from '../jobs/JobsProvider.tsx';
import { formatTimestamp, progressFraction } from '../app/humanReadable.ts';
import { MarkdownReport } from '../studies/MarkdownReport.tsx';
import { canCompare, studyFields, studyFormDefaults, studyParamsFromForm, type StudyFormValues } from '../studies/studyForm.ts';

const STUDY_TABLES = ['studies'];

function NewStudyDialog({ open, onClose, onStarted }: { open: boolean; onClose: () => void; onStarted: () => void }) {
  const start = useApiAction('study.start');
  const [kind, setKind] = useState<StudyKindName>(studyKindNames[0]);
  const [values, setValues] = useState<StudyFormValues>(() => studyFormDefaults(studyKindNames[0]));
  const [touched, setTouched] = useState(false);
  const result = studyParamsFromForm(kind, values);
  const errors = touched && !result.ok ? result.errors : {};
  const set = (name: string, value: string) => setValues((v) => ({ ...v, [name]: value }));
  const submit = async () => {
    setTouched(true);
    if (!result.ok) return;
    await start.run({ kind, params: result.params } as never).then(onStarted, () => undefined);
  };
  return (
    <FormDialog open={open} onClose={onClose} idPrefix="study" title="New study" error={start.error} submitLabel="Start" submitDisabled={start.busy} onSubmit={submit}>
      <FormControl size="small">
        <InputLabel id="study-kind-label">Study</InputLabel>
        <Select
          labelId="study-kind-label"
          label="Study"
          value={kind}
          data-testid="study-kind"
          onChange={(e) => {
            const next = e.target.value as StudyKindName;
            setKind(next);
            setValues(studyFormDefaults(next));
          }}
        >
          {studyKindNames.map((k) => (
            <MenuItem key={k} value={k}>
              {studyKindLabels[k]}
            </MenuItem>
          ))}
        </Select>
      </FormControl>
      {studyFields(kind).map((field) =>
        field.kind === 'sampler' ? (
          <Stack key={field.name} direction="row" spacing={1}>
            <FormControl size="small" sx={{ minWidth: 140 }}>
              <InputLabel id="study-sampler-label">Sampler</InputLabel>
              <Select labelId="study-sampler-label" label="Sampler" value={values.samplerKind} onChange={(e) => set('samplerKind', e.target.value)} data-testid="study-field-samplerKind">
                {samplerKindSchema.options.map((s) => (
                  <MenuItem key={s} value={s}>
                    {s.toUpperCase()}
                  </MenuItem>
                ))}
              </Select>
            </FormControl>
            {values.samplerKind !== 'ddpm' && (
              <TextField
                size="small"
                label="Sampler steps"
                value={values.samplerSteps}
                onChange={(e) => set('samplerSteps', e.target.value)}
                error={Boolean(errors.samplerSteps)}
                helperText={errors.samplerSteps}
                slotProps={{ htmlInput: { 'data-testid': 'study-field-samplerSteps' } }}
              />
            )}
          </Stack>
        ) : (
          <TextField
            key={field.name}
            size="small"
            label={field.unit ? `${field.title} (${field.unit})` : field.title}
            value={values[field.name] ?? ''}
            onChange={(e) => set(field.name, e.target.value)}
            error={Boolean(errors[field.name])}
            helperText={errors[field.name] ?? field.description}
            slotProps={{ htmlInput: { 'data-testid': `study-field-${field.name}` } }}
          />
        ),
      )}
    </FormDialog>
  );
}

function ExportDialog({ study, onClose }: { study: StudyInfo | null; onClose: () => void }) {
  const exporter = useApiAction('study.export');
  const [folder, setFolder] = useState('');
  const [done, setDone] = useState<string | null>(null);
  return (
    <FormDialog
      open={study !== null}
      onClose={() => {
        setDone(null);
        onClose();
      }}
      idPrefix="study-export"
      title={`Export study ${study?.id ?? ''}`}
      error={exporter.error}
      submitLabel="Export"
      submitDisabled={exporter.busy || folder.trim() === ''}
      onSubmit={() => {
        if (study) void exporter.run({ studyId: study.id, folder: folder.trim() }).then((r) => setDone(`${r.files.length} files written to ${r.folder}.`), () => undefined);
      }}
    >
      <PathField label="Folder" value={folder} onChange={setFolder} inputTestId="study-export-folder" browseTestId="study-export-browse" pickerTitle="Export the report into" />
      {done && <Alert severity="success">{done}</Alert>}
    </FormDialog>
  );
}

function StudyReportPanel({ studyId, testId }: { studyId: number; testId: string }) {
  const report = useApiQuery('study.open', { studyId }, { refreshOn: STUDY_TABLES });
  if (report.error) return <ErrorAlert error={report.error} testId={`${testId}-error`} />;
  if (!report.data) return <LinearProgress />;
  return (
    <Paper variant="outlined" sx={{ p: 2, minWidth: 0, flex: 1 }}>
      <MarkdownReport report={report.data} testId={testId} />
    </Paper>
  );
}

/** Studies: the method's experiments run in this project, their reports, and two of a kind side by side. */
export function StudiesView({ params }: { params: Record<string, string> }) {
  const studies = useApiQuery('study.list', {}, { refreshOn: STUDY_TABLES });
  const remove = useApiAction('study.delete');
  const { jobs } = useJobs();
  const { navigate } = useNavigation();
  const [dialogOpen, setDialogOpen] = useState(false);
  const [deleting, setDeleting] = useState<StudyInfo | null>(null);
  const [exporting, setExporting] = useState<StudyInfo | null>(null);
  const shown = useMemo(() => (params.open ?? '').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0).slice(0, 2), [params.open]);
  const list = studies.data ?? [];
  const byId = new Map(list.map((s) => [s.id, s]));
  const show = (ids: number[]) => navigate('studies', ids.length ? { open: ids.join(',') } : {});
  const toggle = (study: StudyInfo) => {
    if (shown.includes(study.id)) show(shown.filter((id) => id !== study.id));
    else show([...shown.filter((id) => byId.get(id)?.kind === study.kind), study.id].slice(-2));
  };
  const shownStudies = shown.map((id) => byId.get(id)).filter((s): s is StudyInfo => s !== undefined && s.status === 'done');
  const comparing = canCompare(shownStudies.map((s) => s.kind));

  return (
    <Box sx={{ p: 3 }}>
      <ViewHeader
        title="Studies"
        subtitle="The method's experiments on your models and data, each with a report (Markdown, plots, every number) kept in the project's studies/ folder. Tick two studies of one kind to compare them."
        actions={
          <Button variant="contained" startIcon={<AddIcon />} onClick={() => setDialogOpen(true)} data-testid="studies-new">
            New study
          </Button>
        }
      />
      <ErrorAlert error={studies.error ?? remove.error} testId="studies-error" />
      {studies.data && list.length === 0 ? (
        <EmptyState title="No studies yet" testId="studies-empty">
          <Typography variant="body2">Start one with New study: latent sampling measures how physically consistent decoded pairs are, from random latents to diffusion samples.</Typography>
        </EmptyState>
      ) : (
        <Paper variant="outlined" sx={{ mb: 3 }}>
          <Table size="small" data-testid="studies-table">
            <TableHead>
              <TableRow>
                <TableCell padding="checkbox" />
                <TableCell>#</TableCell>
                <TableCell>Study</TableCell>
                <TableCell>Title</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>Started</TableCell>
                <TableCell align="right">Actions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {list.map((study) => {
                const job = study.jobId === null ? undefined : jobs.find((j) => j.id === study.jobId);
                const fraction = job && job.status === 'running' ? progressFraction(job.progress) : null;
                return (
                  <TableRow key={study.id} hover selected={shown.includes(study.id)} data-testid={`study-row-${study.id}`}>
                    <TableCell padding="checkbox">
                      <Checkbox checked={shown.includes(study.id)} disabled={study.status !== 'done'} onChange={() => toggle(study)} slotProps={{ input: { 'aria-label': `Show study ${study.id}` } }} data-testid={`study-show-${study.id}`} />
                    </TableCell>
                    <TableCell>{study.id}</TableCell>
                    <TableCell>{studyKindLabels[study.kind]}</TableCell>
                    <TableCell>{study.title}</TableCell>
                    <TableCell sx={{ minWidth: 160 }}>
                      <Chip size="small" label={study.status} color={study.status === 'done' ? 'success' : study.status === 'failed' ? 'error' : 'info'} data-testid={`study-status-${study.id}`} />
                      {study.status === 'running' && job && (
                        <Tooltip title={job.progress.message ?? ''}>
                          <LinearProgress variant={fraction === null ? 'indeterminate' : 'determinate'} value={(fraction ?? 0) * 100} sx={{ mt: 0.5 }} />
                        </Tooltip>
                      )}
                      {study.status === 'failed' && job?.error && (
                        <Typography variant="caption" color="error" sx={{ display: 'block' }}>
                          {job.error}
                        </Typography>
                      )}
                    </TableCell>
                    <TableCell>{formatTimestamp(study.createdAt)}</TableCell>
                    <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                      <Button size="small" disabled={study.status !== 'done'} onClick={() => show([study.id])} data-testid={`study-open-${study.id}`}>
                        Open
                      </Button>
                      <Button size="small" startIcon={<SaveAltIcon />} disabled={study.status !== 'done'} onClick={() => setExporting(study)} data-testid={`study-export-${study.id}`}>
                        Export
                      </Button>
                      <Button size="small" color="error" startIcon={<DeleteIcon />} disabled={study.status === 'running' && job?.status === 'running'} onClick={() => setDeleting(study)} data-testid={`study-delete-${study.id}`}>
                        Delete
                      </Button>
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </Paper>
      )}
      {shownStudies.length === 2 && !comparing && <Alert severity="info">Two studies compare side by side only when they are of the same kind.</Alert>}
      <Stack direction="row" spacing={2} sx={{ alignItems: 'flex-start' }} data-testid={comparing ? 'studies-compare' : 'studies-report'}>
        {(comparing ? shownStudies : shownStudies.slice(-1)).map((s, i) => (
          <StudyReportPanel key={s.id} studyId={s.id} testId={`study-report-${i}`} />
        ))}
      </Stack>
      <NewStudyDialog
        open={dialogOpen}
        onClose={() => setDialogOpen(false)}
        onStarted={() => {
          setDialogOpen(false);
          studies.refresh();
        }}
      />
      <ExportDialog study={exporting} onClose={() => setExporting(null)} />
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete study ${deleting?.id ?? ''}?`}
        confirmLabel="Delete"
        danger
        busy={remove.busy}
        testId="study-delete-confirm"
        onClose={() => setDeleting(null)}
        onConfirm={() => {
          if (!deleting) return;
          void remove.run({ studyId: deleting.id }).then(() => {
            show(shown.filter((id) => id !== deleting.id));
            setDeleting(null);
          }, () => setDeleting(null));
        }}
      >
        Its report folder ({deleting?.folder}) is removed with it.
      </ConfirmDialog>
    </Box>
  );
}
