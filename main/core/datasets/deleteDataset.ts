import fs from 'node:fs';
import path from 'node:path';
import type { Project } from '../store/project.ts';

/** Removes the catalogue rows first, so no row ever points at deleted files; then the folder. */
export function deleteDataset(project: Project, datasetId: number): void {
  const { folder } = project.catalogue.getReadyDataset(datasetId);
  project.catalogue.deleteDataset(datasetId);
  fs.rmSync(path.join(project.arraysDir, folder), { recursive: true, force: true });
}
