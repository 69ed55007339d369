import { useEffect, useState } from 'react';
import {
  Box,
  Button,
  Chip,
  Divider,
  IconButton,
  LinearProgress,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Tooltip,
  Typography,
} from '@mui/material';
import FileUploadIcon from '@mui/icons-material/FileUpload';
import FileDownloadIcon from '@mui/icons-material/FileDownload';
import EditIcon from '@mui/icons-material/Edit';
import DeleteIcon from '@mui/icons-material/Delete';
import WavesIcon from '@mui/icons-material/Waves';
import LayersIcon from '@mui/icons-material/Layers';
import CheckIcon from '@mui/icons-material/Check';
import CloseIcon from '@mui/icons-material/Close';
import ScienceIcon from '@mui/icons-material/Science';
import ViewInArIcon from '@mui/icons-material/ViewInAr';
import BoltIcon from '@mui/icons-material/Bolt';
import type { DatasetInfo, JobInfo } from '../../../main/core/contract/contract.ts';
import { useApiAction, useApiQuery } from '../api/hooks.ts';
import { useNavigation } from '../app/navigation.ts';
import { useNotify } from '../app/notices.tsx';
import { intParam } from '../app/routes.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { EmptyState, ErrorAlert, ViewHeader } from '../components/common.tsx';
import { formatCount, formatNumber, formatShape, formatTimestamp } from '../app/humanReadable.ts';
import { describeDatasetMeta } from '../datasets/meta.ts';
import { ExportOpenFwiDialog, ExportSegyDialog, ImportOpenFwiDialog, ImportSegyDialog } from './DatasetDialogs.tsx';
import { DeviationCheck, ForwardDialog, SynthesizeDialog } from './PhysicsDialogs.tsx';

const datasetTables = ['datasets', 'dataset_parts'];

export function DatasetsView({ params }: { params: Record<string, string> }) {
  const list = useApiQuery('dataset.list', {}, { refreshOn: datasetTables });
  const [selected, setSelected] = useState<number | null>(() => (params.dataset ? intParam(params, 'dataset', -1) : null));
  const [dialog, setDialog] = useState<'segy' | 'openfwi' | 'synthesize' | null>(null);
  const notify = useNotify();
  const { navigate } = useNavigation();

  useEffect(() => {
    const datasets = list.data;
    if (datasets && datasets.length > 0 && !datasets.some((d) => d.id === selected)) setSelected(datasets[0].id);
    if (datasets && datasets.length === 0) setSelected(null);
  }, [list.data, selected]);

  const jobStarted = (job: JobInfo) => {
    setDialog(null);
    notify('info', `Started: ${job.title}`, { label: 'Show jobs', onClick: () => navigate('jobs') });
  };

  return (
    <Box>
      <ViewHeader
        title="Datasets"
        subtitle="Seismic [sources × time × receivers] and velocity [channels × depth × width] arrays per sample."
        actions={
          <>
            <Button variant="contained" startIcon={<FileUploadIcon />} onClick={() => setDialog('segy')} data-testid="dataset-import-segy">
              Import SEG-Y…
            </Button>
            <Button variant="outlined" startIcon={<FileUploadIcon />} onClick={() => setDialog('openfwi')} data-testid="dataset-import-openfwi">
              Import OpenFWI…
            </Button>
            <Button variant="outlined" startIcon={<ScienceIcon />} onClick={() => setDialog('synthesize')} data-testid="dataset-synthesize">
              Synthesise…
            </Button>
          </>
        }
      />
      <ErrorAlert error={list.error} testId="datasets-error" />
      {list.data && list.data.length === 0 ? (
        <EmptyState title="No datasets yet" testId="datasets-empty">
          <span>Import SEG-Y shot gathers or an OpenFWI folder (data*.npy / model*.npy). Imports run as jobs.</span>
        </EmptyState>
      ) : (
        <Box sx={{ display: 'flex', gap: 2, alignItems: 'flex-start', flexWrap: { xs: 'wrap', lg: 'nowrap' } }}>
          <Paper variant="outlined" sx={{ flex: '1 1 560px', minWidth: 0 }}>
            <Box sx={{ height: 4 }}>{list.loading && <LinearProgress />}</Box>
            <TableContainer>
              <Table aria-label="Datasets" data-testid="dataset-table">
                <TableHead>
                  <TableRow>
                    <TableCell>Name</TableCell>
                    <TableCell>Kind</TableCell>
                    <TableCell align="right">Samples</TableCell>
                    <TableCell>Seismic / sample</TableCell>
                    <TableCell>Velocity / sample</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {list.data?.map((d) => (
                    <TableRow
                      key={d.id}
                      hover
                      selected={d.id === selected}
                      onClick={() => setSelected(d.id)}
                      sx={{ cursor: 'pointer' }}
                      data-testid="dataset-row"
                      data-dataset-id={d.id}
                      data-dataset-name={d.name}
                      aria-selected={d.id === selected}
                    >
                      <TableCell sx={{ fontWeight: 600 }}>{d.name}</TableCell>
                      <TableCell>
                        <Chip size="small" label={d.kind} variant="outlined" />
                      </TableCell>
                      <TableCell align="right">{d.nSamples}</TableCell>
                      <TableCell>{d.hasSeismic ? formatShape(d.seismicShape) : '—'}</TableCell>
                      <TableCell>{d.hasVelocity ? formatShape(d.velocityShape) : '—'}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </TableContainer>
          </Paper>
          {selected !== null && list.data?.some((d) => d.id === selected) && (
            <DatasetDetailPane key={selected} datasetId={selected} onStarted={jobStarted} />
          )}
        </Box>
      )}
      <ImportSegyDialog open={dialog === 'segy'} onClose={() => setDialog(null)} onStarted={jobStarted} />
      <ImportOpenFwiDialog open={dialog === 'openfwi'} onClose={() => setDialog(null)} onStarted={jobStarted} />
      <SynthesizeDialog open={dialog === 'synthesize'} onClose={() => setDialog(null)} onStarted={jobStarted} />
    </Box>
  );
}

function DatasetDetailPane({ datasetId, onStarted }: { datasetId: number; onStarted: (job: JobInfo) => void }) {
  const detail = useApiQuery('dataset.get', { datasetId }, { refreshOn: datasetTables });
  const rename = useApiAction('dataset.rename');
  const remove = useApiAction('dataset.delete');
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [exporting, setExporting] = useState<'openfwi' | 'segy' | null>(null);
  const [forwarding, setForwarding] = useState(false);
  const { navigate } = useNavigation();
  const notify = useNotify();
  const d = detail.data;

  const saveName = async () => {
    if (!d || !name.trim() || name.trim() === d.name) {
      setEditing(false);
      return;
    }
    try {
      await rename.run({ datasetId, name: name.trim() });
      setEditing(false);
      detail.refresh();
    } catch {
      // shown below
    }
  };

  return (
    <Paper variant="outlined" sx={{ flex: '1 1 380px', minWidth: 320, p: 2 }} data-testid="dataset-detail" data-dataset-id={datasetId}>
      {detail.loading && !d && <LinearProgress />}
      <ErrorAlert error={detail.error ?? rename.error ?? remove.error} testId="dataset-detail-error" />
      {d && (
        <Stack spacing={1.5}>
          {editing ? (
            <Stack
              direction="row"
              spacing={1}
              component="form"
              onSubmit={(e) => {
                e.preventDefault();
                void saveName();
              }}
            >
              <TextField
                fullWidth
                autoFocus
                label="Dataset name"
                value={name}
                onChange={(e) => setName(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Escape') setEditing(false);
                }}
                slotProps={{ htmlInput: { 'data-testid': 'dataset-rename-input', maxLength: 200 } }}
              />
              <IconButton type="submit" aria-label="Save name" disabled={rename.busy || !name.trim()} data-testid="dataset-rename-save">
                <CheckIcon />
              </IconButton>
              <IconButton aria-label="Cancel renaming" onClick={() => setEditing(false)} data-testid="dataset-rename-cancel">
                <CloseIcon />
              </IconButton>
            </Stack>
          ) : (
            <Stack direction="row" sx={{ alignItems: 'center', gap: 1 }}>
              <Typography variant="h6" sx={{ flex: 1, wordBreak: 'break-word' }} data-testid="dataset-detail-name">
                {d.name}
              </Typography>
              <Tooltip title="Rename">
                <IconButton
                  aria-label="Rename dataset"
                  data-testid="dataset-rename"
                  onClick={() => {
                    setName(d.name);
                    setEditing(true);
                  }}
                >
                  <EditIcon />
                </IconButton>
              </Tooltip>
              <Tooltip title="Delete">
                <IconButton aria-label="Delete dataset" color="error" data-testid="dataset-delete" onClick={() => setConfirmDelete(true)}>
                  <DeleteIcon />
                </IconButton>
              </Tooltip>
            </Stack>
          )}
          <Stack direction="row" sx={{ gap: 1, flexWrap: 'wrap' }}>
            <Button variant="contained" startIcon={<WavesIcon />} disabled={!d.hasSeismic} onClick={() => navigate('seismic', { dataset: String(d.id) })} data-testid="dataset-view-seismic">
              Shot gathers
            </Button>
            <Button variant="contained" startIcon={<LayersIcon />} disabled={!d.hasVelocity} onClick={() => navigate('velocity', { dataset: String(d.id) })} data-testid="dataset-view-velocity">
              Velocity maps
            </Button>
            <Button variant="contained" startIcon={<ViewInArIcon />} disabled={!d.hasVelocity} onClick={() => navigate('wavefield', { dataset: String(d.id) })} data-testid="dataset-view-wavefield">
              Wavefield
            </Button>
            {d.hasSeismic && (
              <Button variant="outlined" startIcon={<FileDownloadIcon />} onClick={() => setExporting('segy')} data-testid="dataset-export-segy">
                Export SEG-Y…
              </Button>
            )}
            {/* OpenFWI pairs need velocity models: not offered for seismic alone. */}
            {d.hasVelocity && (
              <Button variant="outlined" startIcon={<FileDownloadIcon />} onClick={() => setExporting('openfwi')} data-testid="dataset-export-openfwi">
                Export OpenFWI…
              </Button>
            )}
            {d.hasVelocity && (
              <Button variant="outlined" startIcon={<BoltIcon />} onClick={() => setForwarding(true)} data-testid="dataset-forward">
                Forward-model…
              </Button>
            )}
          </Stack>
          {d.hasSeismic && d.hasVelocity && <DeviationCheck dataset={d} />}
          <Divider />
          <Table size="small" aria-label="Dataset properties" data-testid="dataset-properties">
            <TableBody>
              <Property label="Kind" value={d.kind} />
              <Property label="Samples" value={d.nSamples.toLocaleString('en-US')} />
              <Property label="Seismic / sample" value={d.hasSeismic ? `${formatShape(d.seismicShape)} (sources × time × receivers)` : 'none'} />
              <Property label="Velocity / sample" value={d.hasVelocity ? `${formatShape(d.velocityShape)} (channels × depth × width)` : 'none'} />
              <Property label="Sample interval" value={d.sampleIntervalMs === null ? '—' : `${formatNumber(d.sampleIntervalMs)} ms`} />
              <Property label="Grid spacing" value={d.gridSpacingM === null ? '—' : `${formatNumber(d.gridSpacingM)} m`} />
              <Property label="Source" value={d.source ?? '—'} />
              {typeof d.meta.paddedTraces === 'number' && d.meta.paddedTraces > 0 && (
                <Property label="Padded traces" value={`${d.meta.paddedTraces} zero traces added to make shorter gathers as wide as the widest (marked in the trace mask, hatched in the viewer, outside statistics)`} />
              )}
              <ResamplingProperty resampling={d.meta.resampling} />
              <Property label="Created" value={formatTimestamp(d.createdAt)} />
              {describeDatasetMeta(d.meta).map((row) => (
                <Property key={row.label} label={row.label} value={row.value} />
              ))}
            </TableBody>
          </Table>
          <Typography variant="subtitle2">Array files ({formatCount(d.parts.length, 'part')})</Typography>
          <TableContainer sx={{ maxHeight: 260 }}>
            <Table size="small" stickyHeader aria-label="Array files" data-testid="dataset-parts">
              <TableHead>
                <TableRow>
                  <TableCell>#</TableCell>
                  <TableCell align="right">Samples</TableCell>
                  <TableCell>Seismic file</TableCell>
                  <TableCell>Velocity file</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {d.parts.map((p) => (
                  <TableRow key={p.partIndex}>
                    <TableCell>{p.partIndex}</TableCell>
                    <TableCell align="right">{p.nSamples}</TableCell>
                    <TableCell sx={{ wordBreak: 'break-all' }}>{p.seismicFile ?? '—'}</TableCell>
                    <TableCell sx={{ wordBreak: 'break-all' }}>{p.velocityFile ?? '—'}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        </Stack>
      )}
      {d && (
        <>
          <ConfirmDialog
            open={confirmDelete}
            title={`Delete “${d.name}”?`}
            confirmLabel="Delete dataset"
            danger
            busy={remove.busy}
            testId="dataset-delete-dialog"
            onClose={() => setConfirmDelete(false)}
            onConfirm={() =>
              void remove.run({ datasetId }).then(
                () => {
                  setConfirmDelete(false);
                  notify('success', `Deleted ${d.name}.`);
                },
                () => setConfirmDelete(false),
              )
            }
          >
            Its {formatCount(d.nSamples, 'sample')} and array files in the project folder are removed. This cannot be undone.
          </ConfirmDialog>
          <ForwardDialog
            open={forwarding}
            dataset={d}
            onClose={() => setForwarding(false)}
            onStarted={(job) => {
              setForwarding(false);
              onStarted(job);
            }}
          />
          <ExportOpenFwiDialog
            open={exporting === 'openfwi'}
            dataset={d satisfies DatasetInfo}
            onClose={() => setExporting(null)}
            onStarted={(job) => {
              setExporting(null);
              onStarted(job);
            }}
          />
          <ExportSegyDialog
            open={exporting === 'segy'}
            dataset={d}
            onClose={() => setExporting(null)}
            onStarted={(job) => {
              setExporting(null);
              onStarted(job);
            }}
          />
        </>
      )}
    </Paper>
  );
}

/** What resampling did per file (meta.resampling of a SEG-Y import): intervals, spacings, picked gathers, and its warnings. */
function ResamplingProperty({ resampling }: { resampling: unknown }) {
  const files = (resampling as { files?: unknown } | undefined)?.files;
  if (!Array.isArray(files)) return null;
  const reports = files.filter((f): f is { summary: string; warnings: string[] } => typeof f?.summary === 'string' && Array.isArray(f?.warnings));
  return (
    <TableRow data-testid="dataset-resampling">
      <TableCell component="th" scope="row" sx={{ color: 'text.secondary', width: 150, verticalAlign: 'top' }}>
        Resampling
      </TableCell>
      <TableCell sx={{ wordBreak: 'break-word' }}>
        {reports.map((report, i) => (
          <Box key={i} sx={{ mb: 0.5 }}>
            <Typography variant="body2">{report.summary}</Typography>
            {report.warnings.map((warning, j) => (
              <Typography key={j} variant="body2" color="warning.main">
                {warning}
              </Typography>
            ))}
          </Box>
        ))}
      </TableCell>
    </TableRow>
  );
}

function Property({ label, value }: { label: string; value: string }) {
  return (
    <TableRow>
      <TableCell component="th" scope="row" sx={{ color: 'text.secondary', width: 150, verticalAlign: 'top' }}>
        {label}
      </TableCell>
      <TableCell sx={{ wordBreak: 'break-word' }}>{value}</TableCell>
    </TableRow>
  );
}
