import fs from 'node:fs';
import path from 'node:path';
import type { StudyInfo } from '../contract/contract.ts';
import { studyKindNames, type StudyKindName, type StudyStart } from '../contract/parameters.ts';
import { resolveGenerationModel } from '../generation/pipeline.ts';
import type { NetworkKind } from '../ml/modelRegistry.ts';
import { StudioError } from '../contract/errors.ts';
import type { Catalogue, StudyRow } from '../store/catalogue.ts';

/** A catalogue row as the contract's studyInfoSchema carries it (the folder made absolute). */
export function studyInfo(projectDir: string, row: StudyRow): StudyInfo {
  return { ...row, kind: row.kind as StudyKindName, folder: path.join(projectDir, row.folder) };
}

export function listStudies(projectDir: string, catalogue: Catalogue, kind?: StudyKindName): StudyInfo[] {
  return catalogue.studies
    .list(kind)
    .filter((row) => (studyKindNames as readonly string[]).includes(row.kind))
    .map((row) => studyInfo(projectDir, row));
}

/** Deletes a study's row and report folder; refused while its job may still write it. */
export function deleteStudy(projectDir: string, catalogue: Catalogue, studyId: number, jobIsActive: (jobId: number) => boolean): void {
  const row = catalogue.studies.get(studyId);
  if (row.jobId !== null && jobIsActive(row.jobId)) {
    throw new StudioError('conflict', `Study ${studyId} is still running (job ${row.jobId}); cancel the job in the Jobs view first.`);
  }
  fs.rmSync(path.join(projectDir, row.folder), { recursive: true, force: true });
  catalogue.studies.delete(studyId);
}

/**
 * Refuses, before a job is recorded, a study whose models or dataset do not exist: a job that can
 * only fail would sit in the Jobs view offering Resume.
 */
export function checkStudyStart(start: StudyStart, projectDir: string, catalogue: Catalogue): void {
  const params = start.params as Record<string, unknown>;
  for (const kind of ['stage1', 'stage2', 'inversionnet'] as NetworkKind[]) {
    if (typeof params[kind] === 'string') resolveGenerationModel(params[kind], kind, { folder: projectDir, catalogue });
  }
  for (const key of ['datasetId', 'generatedDatasetId']) if (typeof params[key] === 'number') catalogue.getReadyDataset(params[key]);
}
