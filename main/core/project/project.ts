import fs from 'node:fs';
import path from 'node:path';
import { openCatalogueDatabase } from './database.ts';
import { Catalogue } from './catalogue.ts';
import { StudioError } from '../util/errors.ts';
import { removeStalePartials } from '../util/atomicFile.ts';
import type { ProjectInfo } from '../api/contract.ts';

export const catalogueFileName = 'project.sqlite';
export const arraysFolderName = 'arrays';
/** Jobs build their output here and move it under arrays/ only when it is complete. */
export const stagingFolderName = '.staging';

/** Where a job builds its output until it is complete: arrays/.staging/job-<id>/ */
export function jobStagingDir(projectDir: string, jobId: number): string {
  return path.join(projectDir, arraysFolderName, stagingFolderName, `job-${jobId}`);
}

/**
 * An open project: a folder with `project.sqlite` (the catalogue) and `arrays/` (bulk `.npy` data
 * in OpenFWI's layout, one sub-folder per dataset).
 */
export class Project {
  readonly folder: string;
  readonly catalogue: Catalogue;

  private constructor(folder: string, catalogue: Catalogue) {
    this.folder = folder;
    this.catalogue = catalogue;
  }

  get arraysDir(): string {
    return path.join(this.folder, arraysFolderName);
  }

  get stagingDir(): string {
    return path.join(this.arraysDir, stagingFolderName);
  }

  /** The staging folder of one job: where its unfinished output lives until it is committed. */
  jobStagingDir(jobId: number): string {
    return jobStagingDir(this.folder, jobId);
  }

  /** Absolute path of a file recorded in the catalogue relative to arrays/. */
  arrayPath(relative: string): string {
    const resolved = path.resolve(this.arraysDir, relative);
    if (!resolved.startsWith(this.arraysDir + path.sep)) {
      throw new StudioError('bad_input', `Array path ${relative} points outside the project's arrays folder.`);
    }
    return resolved;
  }

  info(): ProjectInfo {
    return {
      folder: this.folder,
      name: this.catalogue.getMeta('name') ?? path.basename(this.folder),
      createdAt: this.catalogue.getMeta('created_at') ?? '',
      isDemo: this.catalogue.getMeta('is_demo') === 'true',
    };
  }

  static create(folder: string, name: string, options: { isDemo?: boolean } = {}): Project {
    const absolute = path.resolve(folder);
    if (fs.existsSync(absolute)) {
      if (!fs.statSync(absolute).isDirectory()) {
        throw new StudioError('conflict', `${absolute} is a file, not a folder. Choose a new or empty folder for the project.`);
      }
      if (fs.existsSync(path.join(absolute, catalogueFileName))) {
        throw new StudioError('conflict', `${absolute} already holds a project. Open it instead of creating a new one.`);
      }
      const visible = fs.readdirSync(absolute).filter((n) => !n.startsWith('.'));
      if (visible.length > 0) {
        throw new StudioError('conflict', `${absolute} is not empty (${visible.length} entries). Choose a new or empty folder for the project.`);
      }
    }
    fs.mkdirSync(path.join(absolute, arraysFolderName), { recursive: true });
    const catalogue = new Catalogue(openCatalogueDatabase(path.join(absolute, catalogueFileName)));
    catalogue.setMeta('name', name);
    catalogue.setMeta('created_at', new Date().toISOString());
    if (options.isDemo) catalogue.setMeta('is_demo', 'true');
    return new Project(absolute, catalogue);
  }

  static open(folder: string): Project {
    const absolute = path.resolve(folder);
    const file = path.join(absolute, catalogueFileName);
    if (!fs.existsSync(file)) {
      throw new StudioError('not_found', `${absolute} is not a WaveDiffusion project (no ${catalogueFileName}). Create a project there or choose another folder.`);
    }
    const catalogue = new Catalogue(openCatalogueDatabase(file));
    const project = new Project(absolute, catalogue);
    fs.mkdirSync(project.arraysDir, { recursive: true });
    project.sweepOrphans();
    return project;
  }

  /**
   * Removes what a crash left that no catalogue row points at: dataset and model folders without a
   * row, staging folders of jobs that can no longer resume, and temporary files.
   */
  sweepOrphans(): void {
    const recorded = new Set(this.catalogue.datasetFolders());
    for (const entry of fs.readdirSync(this.arraysDir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === stagingFolderName) continue;
      if (!recorded.has(entry.name)) fs.rmSync(path.join(this.arraysDir, entry.name), { recursive: true, force: true });
    }
    for (const folder of recorded) removeStalePartials(path.join(this.arraysDir, folder));
    const modelsDir = path.join(this.folder, 'models');
    if (fs.existsSync(modelsDir)) {
      const models = new Set(this.catalogue.modelFolders());
      for (const entry of fs.readdirSync(modelsDir, { withFileTypes: true })) {
        if (entry.isDirectory() && !models.has(entry.name)) fs.rmSync(path.join(modelsDir, entry.name), { recursive: true, force: true });
      }
    }
    if (fs.existsSync(this.stagingDir)) {
      const resumable = new Set(this.catalogue.jobsWithStatus('queued', 'running', 'interrupted', 'cancelled').map((j) => `job-${j.id}`));
      for (const entry of fs.readdirSync(this.stagingDir)) {
        if (!resumable.has(entry)) fs.rmSync(path.join(this.stagingDir, entry), { recursive: true, force: true });
      }
    }
  }

  close(): void {
    this.catalogue.close();
  }
}
