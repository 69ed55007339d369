/**
 * One writer per project. The process that opens a project for writing holds a lock on the
 * project's `project.lock` for as long as it keeps the project open; every other process may only
 * read the catalogue.
 *
 * The lock is SQLite's own write lock on `project.lock` (a small rollback-journal database, not the
 * catalogue): the holder keeps a `BEGIN IMMEDIATE` transaction open. That is an OS-level lock
 * (fcntl on POSIX, LockFileEx on Windows), so the kernel drops it the moment the holder exits, however
 * it exits (SIGKILL, a crash, a power cut): a stale lock cannot exist, and a pid reused by another
 * program is never mistaken for the holder. The file also records who holds it (pid, host, command,
 * since when) so that a refused writer can name the holder.
 *
 * POSIX caveat: the kernel drops a process's fcntl locks on a file when that process closes *any*
 * descriptor of it. Nothing in the holding process may open `project.lock` except this module.
 */
import Database from 'better-sqlite3';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { StudioError } from '../contract/errors.ts';

export const lockFileName = 'project.lock';

/** The process that writes a project. */
export interface LockHolder {
  pid: number;
  host: string;
  /** What that process is, in the user's words: `wavediff generate --count 8 …`, `WaveDiffusion Studio (desktop app)`. */
  command: string;
  /** When it took the lock (ISO 8601). */
  since: string;
}

interface HolderRow extends LockHolder {
  token: string;
}

/** How long a writer waits for a lock that a reader is only probing (milliseconds); a real holder keeps it for hours. */
const probeGraceMs = 2000;

function isBusy(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/** BEGIN IMMEDIATE: takes the write lock, or returns false when another connection holds it. */
function tryBegin(db: Database.Database): boolean {
  try {
    db.exec('BEGIN IMMEDIATE');
    return true;
  } catch (error) {
    if (isBusy(error)) return false;
    throw error;
  }
}

function readHolder(db: Database.Database): HolderRow | null {
  try {
    return (db.prepare('SELECT token, pid, host, command, since FROM holder WHERE id = 1').get() as HolderRow | undefined) ?? null;
  } catch (error) {
    if (/no such table/.test((error as Error).message)) return null;
    throw error;
  }
}

/** "wavediff generate --count 8 (pid 4242, since 2025-01-01T10:00:00.000Z)" */
export function describeHolder(holder: LockHolder): string {
  const where = holder.host && holder.host !== os.hostname() ? ` on ${holder.host}` : '';
  return `${holder.command} (pid ${holder.pid}${where}, since ${holder.since})`;
}

function heldElsewhere(projectDir: string, holder: LockHolder | null): StudioError {
  const who = holder ? describeHolder(holder) : 'another process (it has not recorded its name yet)';
  const same = holder?.pid === process.pid && holder.host === os.hostname();
  const message = same
    ? `The project ${projectDir} is already open for writing in this process (${who}). Close it before opening it again.`
    : `The project ${projectDir} is open for writing in another process: ${who}. Only one process writes a project at a time: ` +
      'wait for it to finish or close the project there, then try again. Listing it (wavediff datasets, wavediff jobs) works meanwhile.';
  return new StudioError('conflict', message, { holder });
}

/** The write lock of one project, held until `release()` or the end of the process. */
export class ProjectWriteLock {
  readonly file: string;
  readonly holder: LockHolder;
  /** A holder that stopped without releasing the lock (killed, crashed): this process took over from it. */
  readonly takenOverFrom: LockHolder | null;
  private db: Database.Database | null;

  private constructor(db: Database.Database, file: string, holder: LockHolder, takenOverFrom: LockHolder | null) {
    this.db = db;
    this.file = file;
    this.holder = holder;
    this.takenOverFrom = takenOverFrom;
  }

  /**
   * Takes the write lock of the project in `projectDir` for this process, recording `command` as
   * what holds it. Throws StudioError('conflict') naming the holder when another process has it.
   */
  static acquire(projectDir: string, command: string): ProjectWriteLock {
    const file = path.join(projectDir, lockFileName);
    let db: Database.Database;
    try {
      db = new Database(file, { timeout: probeGraceMs });
    } catch (error) {
      throw new StudioError('io', `Cannot open the project's lock file ${file}: ${(error as Error).message}. Check that the project folder is writable.`);
    }
    try {
      const me: HolderRow = { token: randomUUID(), pid: process.pid, host: os.hostname(), command, since: new Date().toISOString() };
      // The holder row must be committed for others to read it, which releases the lock for a moment:
      // take it, record ourselves, commit, take it again, and keep it only if the row still names us.
      for (let attempt = 0; attempt < 5; attempt += 1) {
        if (!tryBegin(db)) {
          const holder = readHolder(db);
          if (holder?.token !== me.token) throw heldElsewhere(projectDir, holder);
          continue;
        }
        db.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), token TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, command TEXT NOT NULL, since TEXT NOT NULL)');
        const previous = readHolder(db);
        db.prepare('INSERT OR REPLACE INTO holder (id, token, pid, host, command, since) VALUES (1, ?, ?, ?, ?, ?)').run(me.token, me.pid, me.host, me.command, me.since);
        db.exec('COMMIT');
        if (!tryBegin(db)) {
          const holder = readHolder(db);
          if (holder?.token !== me.token) throw heldElsewhere(projectDir, holder);
          continue;
        }
        if (readHolder(db)?.token === me.token) {
          const { token: _token, ...holder } = me;
          // A clean release deletes the row: one left behind belongs to a process that died holding the lock.
          const stale = previous && previous.token !== me.token ? (({ token: _t, ...rest }) => rest)(previous) : null;
          return new ProjectWriteLock(db, file, holder, stale);
        }
        db.exec('ROLLBACK');
      }
      throw new StudioError(
        'conflict',
        `Could not take the write lock of ${projectDir}: other processes kept taking it. Close the other studio windows and wavediff commands on this project and try again.`,
      );
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
      throw error;
    }
  }

  get held(): boolean {
    return this.db !== null;
  }

  /** Lets another process write the project. Idempotent. */
  release(): void {
    const db = this.db;
    if (!db) return;
    this.db = null;
    try {
      db.prepare('DELETE FROM holder WHERE id = 1').run();
      db.exec('COMMIT');
    } catch {
      // Closing the connection below releases the lock all the same; only the record stays behind.
    }
    db.close();
  }
}

/**
 * The process that holds the write lock of the project in `projectDir`, or null when none does.
 * Changes nothing: it takes the lock for an instant only when nobody holds it, and never creates the
 * lock file.
 */
export function projectWriter(projectDir: string): LockHolder | null {
  const file = path.join(projectDir, lockFileName);
  if (!fs.existsSync(file)) return null;
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true, timeout: 0 });
  } catch {
    // A folder this process cannot write (read-only media) cannot be probed; nobody writes it from here either.
    return null;
  }
  try {
    if (tryBegin(db)) {
      db.exec('ROLLBACK');
      return null;
    }
    let row: HolderRow | null = null;
    try {
      row = readHolder(db);
    } catch (error) {
      // The holder is committing its record this very instant.
      if (!isBusy(error)) throw error;
    }
    if (!row) return { pid: 0, host: '', command: 'another process', since: 'just now' };
    const { token: _token, ...holder } = row;
    return holder;
  } finally {
    db.close();
  }
}
