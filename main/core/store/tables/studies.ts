import { StudioError } from '../../contract/errors.ts';
import { now, parseJson, type TableContext } from './tableContext.ts';

export type StudyStatus = 'running' | 'done' | 'failed';

export interface StudyRow {
  id: number;
  kind: string;
  title: string;
  jobId: number | null;
  status: StudyStatus;
  params: Record<string, unknown>;
  summary: Record<string, unknown> | null;
  /** Relative to the project folder: studies/<id>. */
  folder: string;
  createdAt: string;
  finishedAt: string | null;
}

interface StudyDbRow {
  id: number;
  kind: string;
  title: string;
  job_id: number | null;
  status: StudyStatus;
  params: string;
  summary: string | null;
  folder: string;
  created_at: string;
  finished_at: string | null;
}

function toStudy(row: StudyDbRow): StudyRow {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    jobId: row.job_id,
    status: row.status,
    params: parseJson(row.params) as Record<string, unknown>,
    summary: parseJson(row.summary) as Record<string, unknown> | null,
    folder: row.folder,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

/** studies: the method's experiments run in this project; their reports are files under studies/<id>/. */
export function studiesTable(ctx: TableContext) {
  const { db } = ctx;
  const insert = db.prepare<[string, string, number | null, string, string, string]>(
    "INSERT INTO studies (kind, title, job_id, status, params, folder, created_at) VALUES (?, ?, ?, 'running', ?, ?, ?)",
  );
  const setFolder = db.prepare<[string, number]>('UPDATE studies SET folder = ? WHERE id = ?');
  const finish = db.prepare<[StudyStatus, string | null, string, number]>('UPDATE studies SET status = ?, summary = ?, finished_at = ? WHERE id = ?');
  const byId = db.prepare<[number], StudyDbRow>('SELECT * FROM studies WHERE id = ?');
  const byJob = db.prepare<[number], StudyDbRow>('SELECT * FROM studies WHERE job_id = ?');
  const all = db.prepare<[], StudyDbRow>('SELECT * FROM studies ORDER BY id DESC');
  const ofKind = db.prepare<[string], StudyDbRow>('SELECT * FROM studies WHERE kind = ? ORDER BY id DESC');
  const remove = db.prepare<[number]>('DELETE FROM studies WHERE id = ?');

  return {
    /** Records a running study of a job; its folder is studies/<id>. */
    create(kind: string, title: string, jobId: number | null, params: unknown): StudyRow {
      const id = db.transaction(() => {
        const inserted = Number(insert.run(kind, title, jobId, JSON.stringify(params), `studies/.new-${jobId ?? 'none'}-${Date.now()}`, now()).lastInsertRowid);
        setFolder.run(`studies/${inserted}`, inserted);
        return inserted;
      })();
      ctx.changed('studies');
      return toStudy(byId.get(id)!);
    },
    get(id: number): StudyRow {
      const row = byId.get(id);
      if (!row) throw new StudioError('not_found', `There is no study ${id} in this project; list them with study.list (wavediff study list).`);
      return toStudy(row);
    },
    ofJob(jobId: number): StudyRow | null {
      const row = byJob.get(jobId);
      return row ? toStudy(row) : null;
    },
    list(kind?: string): StudyRow[] {
      return (kind ? ofKind.all(kind) : all.all()).map(toStudy);
    },
    /** Marks a study done with its headline numbers (after its report files are complete), or failed. */
    finish(id: number, status: Exclude<StudyStatus, 'running'>, summary: unknown): void {
      finish.run(status, summary === null ? null : JSON.stringify(summary), now(), id);
      ctx.changed('studies');
    },
    delete(id: number): void {
      remove.run(id);
      ctx.changed('studies');
    },
  };
}

export type StudiesTable = ReturnType<typeof studiesTable>;
