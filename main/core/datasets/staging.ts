import fs from 'node:fs';
import path from 'node:path';
import type { Catalogue, NewDataset } from '../project/catalogue.ts';
import type { DatasetDetail } from '../api/contract.ts';
import { arraysFolderName, jobStagingDir } from '../project/project.ts';

/** The dataset folder name a job's output gets under arrays/. */
export function datasetFolderForJob(jobId: number): string {
  return `ds-job${jobId}`;
}

/**
 * Commits a dataset built in a job's staging folder: the folder is renamed under arrays/ (atomic on
 * one file system), then the rows are inserted in one transaction. A crash between the two leaves a
 * folder no row points at, which the next open sweeps away; never a row without its files.
 * A job that makes several datasets stages each in a subfolder (`where.staged`, relative to its
 * staging folder) and names each one's folder (`where.folder`).
 */
export function commitStagedDataset(
  projectDir: string,
  catalogue: Catalogue,
  jobId: number,
  dataset: Omit<NewDataset, 'folder'>,
  where: { staged?: string; folder?: string } = {},
): DatasetDetail {
  const folder = where.folder ?? datasetFolderForJob(jobId);
  const finalDir = path.join(projectDir, arraysFolderName, folder);
  fs.rmSync(finalDir, { recursive: true, force: true });
  const stagedDir = where.staged ? path.join(jobStagingDir(projectDir, jobId), where.staged) : jobStagingDir(projectDir, jobId);
  fs.renameSync(stagedDir, finalDir);
  const relocate = (file: string | null | undefined): string | null => (file ? `${folder}/${file}` : null);
  return catalogue.insertDataset({
    ...dataset,
    folder,
    parts: dataset.parts.map((p) => ({
      ...p,
      seismicFile: relocate(p.seismicFile),
      velocityFile: relocate(p.velocityFile),
      headersFile: relocate(p.headersFile),
      traceMaskFile: relocate(p.traceMaskFile),
    })),
  });
}
