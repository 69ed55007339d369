import { useCallback, useEffect, useRef, useState } from 'react';
import {
  Box,
  Button,
  Chip,
  Collapse,
  LinearProgress,
  Paper,
  Stack,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
  type ChipProps,
} from '@mui/material';
import StopIcon from '@mui/icons-material/Stop';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import DeleteOutlineIcon from '@mui/icons-material/DeleteOutlined';
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import ExpandLessIcon from '@mui/icons-material/ExpandLess';
import type { JobEvent, JobInfo, JobStatus } from '../../../main/core/contract/contract.ts';
import { useStudio } from '../api/context.tsx';
import { useApiAction, useApiEvent } from '../api/hooks.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { EmptyState, ErrorAlert, ViewHeader } from '../components/common.tsx';
import { describeJobTimes, formatDuration, formatQuantity, formatRate, formatTimestamp, progressFraction } from '../app/humanReadable.ts';
import { isActive, useJobs } from '../jobs/JobsProvider.tsx';

type Filter = 'all' | 'active' | 'attention' | 'finished';

const statusColour: Record<JobStatus, ChipProps['color']> = {
  queued: 'default',
  running: 'primary',
  done: 'success',
  failed: 'error',
  cancelled: 'warning',
  interrupted: 'warning',
  discarded: 'default',
};

function needsAttention(job: JobInfo): boolean {
  return job.status === 'interrupted' || (job.status === 'cancelled' && job.resumable);
}

export function JobsView() {
  const { jobs, rates, error, loaded } = useJobs();
  const [filter, setFilter] = useState<Filter>('all');
  const counts = {
    active: jobs.filter(isActive).length,
    attention: jobs.filter(needsAttention).length,
  };
  const shown = jobs.filter((job) =>
    filter === 'all' ? true : filter === 'active' ? isActive(job) : filter === 'attention' ? needsAttention(job) : !isActive(job) && !needsAttention(job),
  );

  return (
    <Box sx={{ maxWidth: 1100 }}>
      <ViewHeader
        title="Jobs"
        subtitle="Imports, exports, synthesis, training and generation run here; interrupted work can resume from its last checkpoint."
        actions={
          <ToggleButtonGroup exclusive size="small" value={filter} onChange={(_e, v: Filter | null) => v && setFilter(v)} aria-label="Filter jobs">
            <ToggleButton value="all" data-testid="jobs-filter-all">
              All ({jobs.length})
            </ToggleButton>
            <ToggleButton value="active" data-testid="jobs-filter-active">
              Active ({counts.active})
            </ToggleButton>
            <ToggleButton value="attention" data-testid="jobs-filter-attention">
              Interrupted ({counts.attention})
            </ToggleButton>
            <ToggleButton value="finished" data-testid="jobs-filter-finished">
              Finished
            </ToggleButton>
          </ToggleButtonGroup>
        }
      />
      <ErrorAlert error={error} testId="jobs-error" />
      {loaded && jobs.length === 0 && (
        <EmptyState title="No jobs yet" testId="jobs-empty">
          <span>Imports and exports started from the Datasets view appear here with their progress and log.</span>
        </EmptyState>
      )}
      {loaded && jobs.length > 0 && shown.length === 0 && (
        <Typography color="text.secondary" data-testid="jobs-none-match">
          No jobs match this filter.
        </Typography>
      )}
      <Stack spacing={1.5} data-testid="job-list">
        {shown.map((job) => (
          <JobCard key={job.id} job={job} rate={rates.get(job.id) ?? null} />
        ))}
      </Stack>
    </Box>
  );
}

function JobCard({ job, rate }: { job: JobInfo; rate: number | null }) {
  const [showLog, setShowLog] = useState(job.status === 'failed');
  const [confirmDiscard, setConfirmDiscard] = useState(false);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const cancel = useApiAction('job.cancel');
  const resume = useApiAction('job.resume');
  const discard = useApiAction('job.discard');
  const fraction = progressFraction(job.progress);
  const running = job.status === 'running';
  // The studio decides what can resume (`resumable`); what it left behind can be discarded once it stopped unfinished.
  const stoppedUnfinished = job.status === 'interrupted' || job.status === 'cancelled' || job.status === 'failed';
  const canResume = stoppedUnfinished && job.resumable;
  const canDiscard = stoppedUnfinished;
  const unit = job.progress.unit;

  return (
    <Paper variant="outlined" sx={{ p: 2 }} data-testid="job" data-job-id={job.id} data-job-kind={job.kind} data-status={job.status}>
      <Stack direction="row" sx={{ alignItems: 'center', gap: 1.5, flexWrap: 'wrap' }}>
        <Box sx={{ flex: 1, minWidth: 240 }}>
          <Typography variant="subtitle1" sx={{ fontWeight: 600 }} data-testid="job-title">
            {job.title}
          </Typography>
          <Typography variant="caption" color="text.secondary">
            #{job.id} · {job.kind} · <span data-testid="job-times">{describeJobTimes(job)}</span>
          </Typography>
        </Box>
        <Chip label={job.status} color={statusColour[job.status]} variant={running ? 'filled' : 'outlined'} size="small" data-testid="job-status" />
        {isActive(job) && (
          <Button color="warning" variant="outlined" startIcon={<StopIcon />} disabled={cancel.busy}
            // A queued job has done nothing yet; a running one loses the work since its last checkpoint.
            onClick={() => (running ? setConfirmCancel(true) : void cancel.run({ jobId: job.id }).catch(() => {}))}
            data-testid="job-cancel"
          >
            Cancel
          </Button>
        )}
        {canResume && (
          <Button variant="contained" startIcon={<PlayArrowIcon />} disabled={resume.busy} onClick={() => void resume.run({ jobId: job.id }).catch(() => {})} data-testid="job-resume">
            Resume
          </Button>
        )}
        {canDiscard && (
          <Button color="error" variant="outlined" startIcon={<DeleteOutlineIcon />} disabled={discard.busy} onClick={() => setConfirmDiscard(true)} data-testid="job-discard">
            Discard
          </Button>
        )}
      </Stack>

      {(isActive(job) || job.status === 'interrupted' || job.status === 'cancelled' || fraction !== null) && job.status !== 'done' && (
        <Box sx={{ mt: 1.5 }}>
          <LinearProgress
            variant={fraction === null && isActive(job) ? 'indeterminate' : 'determinate'}
            value={(fraction ?? 0) * 100}
            color={job.status === 'interrupted' || job.status === 'cancelled' ? 'warning' : job.status === 'failed' ? 'error' : 'primary'}
            data-testid="job-progress"
            aria-label={`Progress of ${job.title}`}
            sx={{ height: 6, borderRadius: 3 }}
          />
          <Stack direction="row" sx={{ mt: 0.75, gap: 2, flexWrap: 'wrap' }}>
            <Typography variant="body2" data-testid="job-progress-text">
              {job.progress.total > 0
                ? `${formatQuantity(job.progress.done, unit)} of ${formatQuantity(job.progress.total, unit)} (${Math.floor((fraction ?? 0) * 100)} %)`
                : formatQuantity(job.progress.done, unit)}
            </Typography>
            {running && (
              <>
                <Typography variant="body2" color="text.secondary" data-testid="job-eta">
                  ETA: {formatDuration(job.etaSeconds)}
                </Typography>
                <Typography variant="body2" color="text.secondary" data-testid="job-rate">
                  Rate: {formatRate(rate, unit)}
                </Typography>
              </>
            )}
            {job.progress.message && (
              <Typography variant="body2" color="text.secondary" sx={{ flex: 1, minWidth: 200 }} noWrap title={job.progress.message}>
                {job.progress.message}
              </Typography>
            )}
          </Stack>
        </Box>
      )}
      {job.error && (
        <Typography variant="body2" color={job.status === 'failed' ? 'error' : 'warning'} sx={{ mt: 1, whiteSpace: 'pre-wrap' }} data-testid="job-error">
          {job.error}
        </Typography>
      )}
      {job.status === 'failed' && !job.resumable && (
        <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }} data-testid="job-not-resumable">
          It failed on its parameters or its data, so running it again would fail the same way: start a new one with what the message asks for, then discard this one.
        </Typography>
      )}
      <ErrorAlert error={cancel.error ?? resume.error ?? discard.error} testId="job-action-error" />
      <Button size="small" sx={{ mt: 1 }} startIcon={showLog ? <ExpandLessIcon /> : <ExpandMoreIcon />} onClick={() => setShowLog((s) => !s)} data-testid="job-log-toggle" aria-expanded={showLog}>
        Log
      </Button>
      <Collapse in={showLog} unmountOnExit>
        <JobLog jobId={job.id} />
      </Collapse>
      <ConfirmDialog
        open={confirmCancel}
        title={`Cancel “${job.title}”?`}
        confirmLabel="Cancel job"
        dismissLabel="Keep running"
        danger
        busy={cancel.busy}
        testId="job-cancel-dialog"
        onClose={() => setConfirmCancel(false)}
        onConfirm={() => void cancel.run({ jobId: job.id }).then(() => setConfirmCancel(false), () => setConfirmCancel(false))}
      >
        It stops at its next checkpoint. You can resume it later from there, or discard what it has made so far.
      </ConfirmDialog>
      <ConfirmDialog
        open={confirmDiscard}
        title={`Discard “${job.title}”?`}
        confirmLabel="Discard"
        danger
        busy={discard.busy}
        testId="job-discard-dialog"
        onClose={() => setConfirmDiscard(false)}
        onConfirm={() => void discard.run({ jobId: job.id }).then(() => setConfirmDiscard(false), () => setConfirmDiscard(false))}
      >
        What this job left behind (temporary files, a half-made dataset) is removed; it cannot be resumed afterwards.
      </ConfirmDialog>
    </Paper>
  );
}

/** Minimum time between log fetches while a job reports progress. */
const LOG_POLL_MS = 500;

/** A job's log lines, fetched incrementally (`afterId`) when the job reports progress. */
function JobLog({ jobId }: { jobId: number }) {
  const client = useStudio();
  const [lines, setLines] = useState<JobEvent[]>([]);
  const [error, setError] = useState<Error | null>(null);
  const lastId = useRef(0);
  const inFlight = useRef(false);
  const again = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const scroller = useRef<HTMLDivElement>(null);

  const fetchMore = useCallback(() => {
    if (inFlight.current) {
      again.current = true;
      return;
    }
    inFlight.current = true;
    client.call('job.events', { jobId, afterId: lastId.current }).then(
      (more) => {
        inFlight.current = false;
        setError(null);
        if (more.length > 0) {
          lastId.current = more[more.length - 1].id;
          setLines((current) => [...current, ...more]);
        }
        if (again.current) {
          again.current = false;
          fetchMore();
        }
      },
      (e: unknown) => {
        inFlight.current = false;
        setError(e as Error);
      },
    );
  }, [client, jobId]);

  useEffect(() => {
    fetchMore();
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
  }, [fetchMore]);

  const schedule = () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      fetchMore();
    }, LOG_POLL_MS);
  };
  useApiEvent('job.updated', (job) => {
    if (job.id === jobId) schedule();
  });
  useApiEvent('catalogue.changed', ({ tables }) => {
    if (tables.includes('job_events')) schedule();
  });

  useEffect(() => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines]);

  return (
    <Box sx={{ mt: 1 }}>
      <ErrorAlert error={error} testId="job-log-error" />
      <Box
        ref={scroller}
        data-testid="job-log"
        sx={{ maxHeight: 240, overflow: 'auto', bgcolor: 'background.default', borderRadius: 1, p: 1, fontFamily: 'monospace', fontSize: 12, border: 1, borderColor: 'divider' }}
      >
        {lines.length === 0 && <Typography variant="caption" color="text.secondary">No log lines yet.</Typography>}
        {lines.map((line) => (
          <Box
            key={line.id}
            data-testid="job-log-line"
            data-level={line.level}
            sx={{ color: line.level === 'error' ? 'error.main' : line.level === 'warn' ? 'warning.main' : 'text.primary', whiteSpace: 'pre-wrap' }}
          >
            <Box component="span" sx={{ color: 'text.secondary', mr: 1 }}>
              {formatTimestamp(line.at).slice(11)}
            </Box>
            {line.message}
          </Box>
        ))}
      </Box>
    </Box>
  );
}
