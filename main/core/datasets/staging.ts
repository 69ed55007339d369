import fs from 'node:fs';
import path from 'node:path';
import type { Catalogue, NewDataset } from '../store/catalogue.ts';
import type { DatasetDetail } from '../contract/contract.ts';
import { arraysFolderName, jobStagingDir } from '../store/project.ts';

/** The dataset folder name a job's output gets under arrays/. */
export function datasetFolderForJob(jobId: number): string {
  return `ds-job${jobId}`;
}

/**
 * Where a job stages one dataset and which folder under arrays/ it becomes: by default the job's
 * whole staging folder and `datasetFolderForJob`; a job that makes several datasets stages each in a
 * subfolder (`staged`, relative to its staging folder) and names each one's folder (`folder`).
 */
export interface StagedDatasetPlace {
  staged?: string;
  folder?: string;
}

function stagingOf(projectDir: string, jobId: number, where: StagedDatasetPlace): string {
  return where.staged ? path.join(jobStagingDir(projectDir, jobId), where.staged) : jobStagingDir(projectDir, jobId);
}

/**
 * Commits a dataset built in a job's staging folder, in three steps that each leave a state a
 * resumed job can finish (`resumeCommit`): its rows are inserted as 'building' (in no listing) in one
 * transaction, the staging folder is renamed under arrays/ (atomic on one file system), then the
 * dataset is marked ready. The folder is named by the row from the first step on, so the sweep at
 * the next open keeps it; a row never points at files that are not complete.
 */
export function commitStagedDataset(
  projectDir: string,
  catalogue: Catalogue,
  jobId: number,
  dataset: Omit<NewDataset, 'folder' | 'state'>,
  where: StagedDatasetPlace = {},
): DatasetDetail {
  const folder = where.folder ?? datasetFolderForJob(jobId);
  const relocate = (file: string | null | undefined): string | null => (file ? `${folder}/${file}` : null);
  const inserted = catalogue.insertDataset({
    ...dataset,
    folder,
    state: 'building',
    parts: dataset.parts.map((p) => ({
      ...p,
      seismicFile: relocate(p.seismicFile),
      velocityFile: relocate(p.velocityFile),
      headersFile: relocate(p.headersFile),
      traceMaskFile: relocate(p.traceMaskFile),
    })),
  });
  return finishCommit(projectDir, catalogue, stagingOf(projectDir, jobId, where), inserted.id);
}

/**
 * For a job that runs again after a crash: when an earlier run of it began to commit its dataset
 * (the rows exist), finishes that commit and returns the dataset, which the job then returns as its
 * result instead of building it again; null when no commit began. Call it before the job touches
 * its staging folder: once renamed, the staging folder must not be made again.
 */
export function resumeCommit(projectDir: string, catalogue: Catalogue, jobId: number, where: StagedDatasetPlace = {}): DatasetDetail | null {
  const dataset = catalogue.datasetInFolder(where.folder ?? datasetFolderForJob(jobId));
  return dataset ? finishCommit(projectDir, catalogue, stagingOf(projectDir, jobId, where), dataset.id) : null;
}

function finishCommit(projectDir: string, catalogue: Catalogue, staging: string, datasetId: number): DatasetDetail {
  const dataset = catalogue.getDataset(datasetId);
  if (dataset.state === 'building') {
    // Still there: the rename has not happened (it is atomic, so the folder is whole either here or there).
    if (fs.existsSync(staging)) {
      const finalDir = path.join(projectDir, arraysFolderName, dataset.folder);
      fs.rmSync(finalDir, { recursive: true, force: true });
      fs.renameSync(staging, finalDir);
    }
    catalogue.markDatasetReady(datasetId);
  }
  fs.rmSync(staging, { recursive: true, force: true });
  return catalogue.toPublic(catalogue.getDataset(datasetId));
}

/** For discarding a job that makes staged datasets: removes those whose commit it began but did not finish. */
export function discardStagedDataset(projectDir: string, catalogue: Catalogue, jobId: number, folders: string[] = [datasetFolderForJob(jobId)]): void {
  for (const folder of folders) {
    const dataset = catalogue.datasetInFolder(folder);
    if (!dataset || dataset.state !== 'building') continue;
    catalogue.deleteDataset(dataset.id);
    fs.rmSync(path.join(projectDir, arraysFolderName, dataset.folder), { recursive: true, force: true });
  }
}
