import { now, type TableContext } from './tableContext.ts';

/** One JSON-lines message of a training run (progress, metrics, previews, checkpoints). */
export interface TrainingEvent {
  id: number;
  step: number;
  type: string;
  payload: Record<string, unknown>;
  at: string;
}

/** training_events: what the trainer reported during each training job, for curves and previews. */
export function trainingEventsTable(ctx: TableContext) {
  const { db } = ctx;
  const insert = db.prepare<[number, number, string, string, string]>('INSERT INTO training_events (job_id, step, type, payload, at) VALUES (?, ?, ?, ?, ?)');
  const after = db.prepare<[number, number, number], Omit<TrainingEvent, 'payload'> & { payload: string }>(
    'SELECT id, step, type, payload, at FROM training_events WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?',
  );
  return {
    append(jobId: number, step: number, type: string, payload: unknown): void {
      insert.run(jobId, step, type, JSON.stringify(payload), now());
      ctx.changed('training_events');
    },
    list(jobId: number, afterId: number, limit: number): TrainingEvent[] {
      return after.all(jobId, afterId, limit).map((r) => ({ ...r, payload: JSON.parse(r.payload) as Record<string, unknown> }));
    },
  };
}
