import path from 'node:path';
import fs from 'node:fs';
import type { JobKind } from '../jobs/jobKind.ts';
import { studyStartSchema, type StudyStart } from '../contract/parameters.ts';
import { writeStudyReport } from './report.ts';
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
 * study row is made when the job first runs; a resumed job computes the study again (studies keep
 * no partial state) into the same folder.
 */
export const studyJob: JobKind<StudyStart, never, StudyJobResult, StudyServices> = {
  kind: 'study',
  paramsSchema: studyStartSchema as unknown as JobKind<StudyStart>['paramsSchema'],
  title: (p) => bindStudy(p).title,
  async run(ctx, start) {
    const study = bindStudy(start);
    const title = study.title;
    const row = ctx.catalogue.studies.ofJob(ctx.jobId) ?? ctx.catalogue.studies.create(start.kind, title, ctx.jobId, start.params);
    const folder = path.join(ctx.projectDir, row.folder);
    let outcome: StudyOutcome;
    try {
      outcome = await study.run({ projectDir: ctx.projectDir, catalogue: ctx.catalogue, services: ctx.services, signal: ctx.signal, progress: (p) => ctx.progress(p), log: (m, l) => ctx.log(m, l) });
      fs.rmSync(folder, { recursive: true, force: true });
      writeStudyReport(folder, { id: row.id, kind: start.kind, title, params: start.params, createdAt: row.createdAt }, outcome);
    } catch (error) {
      ctx.catalogue.studies.finish(row.id, 'failed', null);
      throw error;
    }
    ctx.catalogue.studies.finish(row.id, 'done', outcome.summary);
    ctx.log(`Report written to ${folder}.`);
    return { studyId: row.id, summary: outcome.summary, folder };
  },
};
