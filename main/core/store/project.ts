import fs from 'node:fs';
import path from 'node:path';
import { isOutdatedCatalogue, openCatalogueDatabase, openCatalogueReadOnly, type SqliteDatabase } from './database.ts';
import { Catalogue } from './catalogue.ts';
import { ProjectWriteLock, projectWriter, type LockHolder } from './writeLock.ts';
import { StudioError } from '../contract/errors.ts';
import { removeStalePartials } from '../util/atomicFile.ts';
import type { ProjectInfo } from '../contract/contract.ts';

export const catalogueFileName = 'project.sqlite';
export const arraysFolderName = 'arrays';
/** Jobs build their output here and move it under arrays/ only when it is complete. */
export const stagingFolderName = '.staging';

/** Where a job builds its output until it is complete: arrays/.staging/job-<id>/ */
/** Absolute path of a file the catalogue records relative to the project's arrays/ (never outside it). */
export function projectArrayPath(projectDir: string, relative: string): string {
  const arraysDir = path.join(path.resolve(projectDir), arraysFolderName);
  const resolved = path.resolve(arraysDir, relative);
  if (!resolved.startsWith(arraysDir + path.sep)) {
    throw new StudioError('bad_input', `Array path ${relative} points outside the project's arrays folder.`);
  }
  return resolved;
}

export function jobStagingDir(projectDir: string, jobId: number): string {
  return path.join(projectDir, arraysFolderName, stagingFolderName, `job-${jobId}`);
}

export interface OpenOptions {
  /**
   * Open for reading only: take no lock, write nothing (no migration, no sweep, no job marked
   * interrupted). Listing commands open projects this way while another process may write them.
   */
  readOnly?: boolean;
  /** What this process is, for the message another writer gets (default: its command line). */
  holder?: string;
}

/** This process's command line, as the lock records it when the opener names nothing better. */
export function processDescription(): string {
  const script = process.argv[1] ? path.basename(process.argv[1]) : 'node';
  return [script, ...process.argv.slice(2)].join(' ');
}

/**
 * An open project: a folder with `project.sqlite` (the catalogue) and `arrays/` (bulk `.npy` data
 * in OpenFWI's layout, one sub-folder per dataset).
 *
 * Exactly one process writes a project at a time: opening it for writing takes the project's write
 * lock (writeLock.ts) until `close()` or the end of the process; a second writer is refused with a
 * message naming the holder. Read-only openers take no lock and change nothing.
 */
export class Project {
  readonly folder: string;
  readonly catalogue: Catalogue;
  /** The write lock this process holds; null when the project is open read-only. */
  readonly lock: ProjectWriteLock | null;

  private constructor(folder: string, catalogue: Catalogue, lock: ProjectWriteLock | null) {
    this.folder = folder;
    this.catalogue = catalogue;
    this.lock = lock;
  }

  get readOnly(): boolean {
    return this.lock === null;
  }

  /**
   * The process that writes this project: this one when it holds the lock, else the live holder
   * (read-only openers), or null when nobody writes it now.
   */
  writer(): LockHolder | null {
    return this.lock ? this.lock.holder : projectWriter(this.folder);
  }

  /** Throws when this process opened the project read-only. */
  requireWritable(what: string): void {
    if (!this.lock) {
      throw new StudioError('conflict', `Cannot ${what}: the project ${this.folder} is open read-only in this process. Open it for writing (in the studio, or with a wavediff command that changes it).`);
    }
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
    return projectArrayPath(this.folder, relative);
  }

  info(): ProjectInfo {
    return {
      folder: this.folder,
      name: this.catalogue.getMeta('name') ?? path.basename(this.folder),
      createdAt: this.catalogue.getMeta('created_at') ?? '',
      isDemo: this.catalogue.getMeta('is_demo') === 'true',
    };
  }

  static create(folder: string, name: string, options: { isDemo?: boolean; holder?: string } = {}): Project {
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
    const lock = ProjectWriteLock.acquire(absolute, options.holder ?? processDescription());
    try {
      // Another creator may have finished between the checks above and the lock.
      if (fs.existsSync(path.join(absolute, catalogueFileName))) {
        throw new StudioError('conflict', `${absolute} already holds a project. Open it instead of creating a new one.`);
      }
      const catalogue = new Catalogue(openCatalogueDatabase(path.join(absolute, catalogueFileName)));
      catalogue.setMeta('name', name);
      catalogue.setMeta('created_at', new Date().toISOString());
      if (options.isDemo) catalogue.setMeta('is_demo', 'true');
      return new Project(absolute, catalogue, lock);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  static open(folder: string, options: OpenOptions = {}): Project {
    const absolute = path.resolve(folder);
    const file = path.join(absolute, catalogueFileName);
    if (!fs.existsSync(file)) {
      throw new StudioError('not_found', `${absolute} is not a WaveDiffusion project (no ${catalogueFileName}). Create a project there or choose another folder.`);
    }
    const holder = options.holder ?? processDescription();
    if (options.readOnly) return new Project(absolute, new Catalogue(openReadOnly(absolute, file, holder)), null);
    const lock = ProjectWriteLock.acquire(absolute, holder);
    try {
      const catalogue = new Catalogue(openCatalogueDatabase(file));
      const project = new Project(absolute, catalogue, lock);
      fs.mkdirSync(project.arraysDir, { recursive: true });
      // Safe only under the lock: no other process has unfinished output here.
      project.sweepOrphans();
      return project;
    } catch (error) {
      lock.release();
      throw error;
    }
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
    this.lock?.release();
  }
}

/**
 * The catalogue opened read-only. One from an earlier release is first upgraded under the write lock,
 * as any opener would (when another process holds the lock, that writer has upgraded it already or
 * the refusal names it).
 */
function openReadOnly(projectDir: string, file: string, holder: string): SqliteDatabase {
  try {
    return openCatalogueReadOnly(file);
  } catch (error) {
    if (!isOutdatedCatalogue(error)) throw error;
  }
  const lock = ProjectWriteLock.acquire(projectDir, `${holder} (upgrading the catalogue)`);
  try {
    openCatalogueDatabase(file).close();
  } finally {
    lock.release();
  }
  return openCatalogueReadOnly(file);
}
