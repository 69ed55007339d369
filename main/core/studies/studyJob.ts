import path from 'node:path';
import fs from 'node:fs';
import type { JobKind } from '../jobs/jobKind.ts';
import { studyStartSchema, type StudyStart } from '../contract/parameters.ts';
import { PLOTS_FOLDER, REPORT_FILE, RESULTS_FILE, writeStudyReport } from './report.ts';
import { bindStudy } from './registry.ts';
import type { StudyOutcome, StudyServices } from './studyKind.ts';

export interface StudyJobResult {
  studyId: number;
  /** The study's headline numbers (what `wavediff study <kind> --json` prints). */
  summary: Record<string, unknown>;
  folder: string;
}

/**
 * Job 'study': runs one study kind and writes its report under the project's studies/<id>/. The
 * study row is made when the job first runs; a resumed job computes the study again into the same
 * folder (a kind may reuse work it kept there, e.g. finished training runs); a discarded one removes
 * its row and folder.
 */
export const studyJob: JobKind<StudyStart, never, StudyJobResult, StudyServices> = {
  kind: 'study',
  paramsSchema: studyStartSchema as unknown as JobKind<StudyStart>['paramsSchema'],
  title: (p) => bindStudy(p).title,
  async run(ctx, start) {
    const study = bindStudy(start);
    const title = study.title;
    const existing = ctx.catalogue.studies.ofJob(ctx.jobId);
    if (existing && existing.status !== 'running') ctx.catalogue.studies.reopen(existing.id);
    const row = existing ?? ctx.catalogue.studies.create(start.kind, title, ctx.jobId, start.params);
    const folder = path.join(ctx.projectDir, row.folder);
    let outcome: StudyOutcome;
    try {
      fs.mkdirSync(folder, { recursive: true });
      outcome = await study.run({ projectDir: ctx.projectDir, folder, catalogue: ctx.catalogue, services: ctx.services, signal: ctx.signal, progress: (p) => ctx.progress(p), log: (m, l) => ctx.log(m, l) });
      // A resumed study's earlier report goes; its kept work (subfolders other than plots/) stays.
      for (const file of [REPORT_FILE, RESULTS_FILE, PLOTS_FOLDER]) fs.rmSync(path.join(folder, file), { recursive: true, force: true });
      writeStudyReport(folder, { id: row.id, kind: start.kind, title, params: start.params, createdAt: row.createdAt }, outcome);
    } catch (error) {
      ctx.catalogue.studies.finish(row.id, 'failed', null);
      throw error;
    }
    ctx.catalogue.studies.finish(row.id, 'done', outcome.summary);
    ctx.log(`Report written to ${folder}.`);
    return { studyId: row.id, summary: outcome.summary, folder };
  },
  discard(ctx) {
    // A study given up leaves neither its row nor a half-written report.
    const row = ctx.catalogue.studies.ofJob(ctx.jobId);
    if (!row) return;
    fs.rmSync(path.join(ctx.projectDir, row.folder), { recursive: true, force: true });
    ctx.catalogue.studies.delete(row.id);
  },
};
