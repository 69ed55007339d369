import type { JobEvent, JobStatus } from '../../contract/contract.ts';
import type { Progress } from '../../util/progress.ts';
import { StudioError } from '../../contract/errors.ts';
import { now, parseJson, type TableContext } from './tableContext.ts';

export interface JobRow {
  id: number;
  kind: string;
  title: string;
  params: unknown;
  status: JobStatus;
  progress: Progress;
  resumeState: unknown;
  result: unknown;
  error: string | null;
  /** StudioErrorCode of a failed job's error; null otherwise (and for jobs that failed before codes were kept). */
  errorCode: string | null;
  /** Seconds run over all runs of the job, up to the end of its last finished run. */
  runSeconds: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

interface JobDbRow {
  id: number;
  kind: string;
  title: string;
  params: string;
  status: JobStatus;
  progress_done: number;
  progress_total: number;
  progress_unit: string | null;
  progress_message: string | null;
  resume_state: string | null;
  result: string | null;
  error: string | null;
  error_code: string | null;
  run_seconds: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

/** What a status change may also set (see setStatus). */
export interface JobStatusFields {
  error?: string | null;
  errorCode?: string | null;
  result?: unknown;
  runSeconds?: number;
  finishedAt?: string;
}

const FINISHED: readonly JobStatus[] = ['done', 'failed', 'cancelled', 'discarded', 'interrupted'];

function toJob(row: JobDbRow): JobRow {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    params: parseJson(row.params),
    status: row.status,
    progress: {
      done: row.progress_done,
      total: row.progress_total,
      unit: row.progress_unit ?? undefined,
      message: row.progress_message ?? undefined,
    },
    resumeState: parseJson(row.resume_state),
    result: parseJson(row.result),
    error: row.error,
    errorCode: row.error_code ?? null,
    runSeconds: row.run_seconds ?? 0,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
  };
}

/** jobs and job_events: every job's parameters, status, progress, checkpoint, result and log. */
export function jobsTable(ctx: TableContext) {
  const { db } = ctx;
  const insert = db.prepare<[string, string, string, JobStatus, string, string]>(
    'INSERT INTO jobs (kind, title, params, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const byId = db.prepare<[number], JobDbRow>('SELECT * FROM jobs WHERE id = ?');
  const listed = db.prepare<[JobStatus, number], JobDbRow>('SELECT * FROM jobs WHERE status != ? ORDER BY id DESC LIMIT ?');
  const withStatus = db.prepare<[string], JobDbRow>('SELECT * FROM jobs WHERE status IN (SELECT value FROM json_each(?)) ORDER BY id');
  const updateStatus = db.prepare<
    [JobStatus, string, string | null, string | null, string | null, number, string | null, number, string | null, number, string | null, number, number]
  >(
    `UPDATE jobs SET status = ?, updated_at = ?,
       started_at = COALESCE(?, started_at),
       finished_at = CASE WHEN ? IS NULL THEN NULL ELSE ? END,
       error = CASE WHEN ? THEN ? ELSE error END,
       error_code = CASE WHEN ? THEN ? ELSE error_code END,
       result = CASE WHEN ? THEN ? ELSE result END,
       run_seconds = run_seconds + ?
     WHERE id = ?`,
  );
  const updateProgress = db.prepare<[number, number, string | null, string | null, string, number]>(
    'UPDATE jobs SET progress_done = ?, progress_total = ?, progress_unit = ?, progress_message = ?, updated_at = ? WHERE id = ?',
  );
  const updateResumeState = db.prepare<[string, string, number]>('UPDATE jobs SET resume_state = ?, updated_at = ? WHERE id = ?');
  const insertEvent = db.prepare<[number, string, JobEvent['level'], string]>('INSERT INTO job_events (job_id, at, level, message) VALUES (?, ?, ?, ?)');
  const eventsAfter = db.prepare<[number, number], JobEvent>('SELECT id, at, level, message FROM job_events WHERE job_id = ? AND id > ? ORDER BY id LIMIT 5000');

  const get = (id: number): JobRow => {
    const row = byId.get(id);
    if (!row) throw new StudioError('not_found', `There is no job ${id} in this project.`);
    return toJob(row);
  };

  return {
    create(kind: string, title: string, params: unknown): JobRow {
      const at = now();
      const info = insert.run(kind, title, JSON.stringify(params), 'queued', at, at);
      ctx.changed('jobs');
      return get(Number(info.lastInsertRowid));
    },
    get,
    list(limit: number): JobRow[] {
      return listed.all('discarded', limit).map(toJob);
    },
    withStatus(statuses: readonly JobStatus[]): JobRow[] {
      return withStatus.all(JSON.stringify(statuses)).map(toJob);
    },
    /**
     * `error` replaces the error text (and `errorCode` its code, cleared with it when not given);
     * `runSeconds` adds the seconds of a run that ends here; `finishedAt` dates the end when it was
     * earlier than now (a run a crash cut short ended at its last update).
     */
    setStatus(id: number, status: JobStatus, fields: JobStatusFields): JobRow {
      const at = now();
      const finishedAt = FINISHED.includes(status) ? (fields.finishedAt ?? at) : null;
      updateStatus.run(
        status,
        at,
        status === 'running' ? at : null,
        finishedAt,
        finishedAt,
        fields.error !== undefined ? 1 : 0,
        fields.error ?? null,
        fields.error !== undefined || fields.errorCode !== undefined ? 1 : 0,
        fields.errorCode ?? null,
        fields.result !== undefined ? 1 : 0,
        fields.result === undefined ? null : JSON.stringify(fields.result),
        fields.runSeconds ?? 0,
        id,
      );
      ctx.changed('jobs');
      return get(id);
    },
    setProgress(id: number, progress: Progress): void {
      updateProgress.run(progress.done, progress.total, progress.unit ?? null, progress.message ?? null, now(), id);
    },
    setResumeState(id: number, state: unknown): void {
      updateResumeState.run(JSON.stringify(state), now(), id);
    },
    appendEvent(jobId: number, level: JobEvent['level'], message: string): void {
      insertEvent.run(jobId, now(), level, message);
      ctx.changed('job_events');
    },
    events(jobId: number, afterId: number): JobEvent[] {
      return eventsAfter.all(jobId, afterId);
    },
  };
}
