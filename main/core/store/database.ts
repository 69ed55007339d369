import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { StudioError } from '../contract/errors.ts';
import { migrations as releasedMigrations, type Migration } from './migrations.ts';

export type SqliteDatabase = Database.Database;

function checksum(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex');
}

interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
}

/**
 * Checks a catalogue's schema against the migrations this studio ships and returns those not yet
 * applied. Refuses, without writing anything, a catalogue from a newer studio or one whose applied
 * migrations were edited.
 */
function pendingMigrations(db: SqliteDatabase, file: string, migrations: Migration[]): Migration[] {
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > known) {
    throw new StudioError(
      'newer_database',
      `The project catalogue ${file} has schema version ${current}, but this version of WaveDiffusion Studio knows only up to ${known}. ` +
        'Open it with a newer studio; it was left untouched.',
    );
  }
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() !== undefined;
  const applied = hasTable
    ? (db.prepare('SELECT version, name, checksum FROM schema_migrations ORDER BY version').all() as AppliedMigration[])
    : [];
  for (const row of applied) {
    const migration = migrations.find((m) => m.version === row.version);
    if (migration && checksum(migration) !== row.checksum) {
      throw new StudioError(
        'internal',
        `Migration ${row.version} (${row.name}) of ${file} was applied from a different text than this studio ships. ` +
          'Released migrations must never be edited; add a new one instead.',
      );
    }
  }
  const appliedVersions = new Set(applied.map((r) => r.version));
  return [...migrations].sort((a, b) => a.version - b.version).filter((m) => !appliedVersions.has(m.version));
}

/**
 * Opens (creating if needed) a catalogue database in WAL mode and brings its schema up to date.
 * A database written by a newer studio, or whose applied migrations were edited, is refused
 * before anything is written to it. Only the process holding the project's write lock calls this.
 */
export function openCatalogueDatabase(file: string, migrations: Migration[] = releasedMigrations): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(file);
  } catch (error) {
    throw new StudioError('io', `Cannot open the project catalogue ${file}: ${(error as Error).message}`);
  }
  try {
    const pending = pendingMigrations(db, file, migrations);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    for (const migration of pending) {
      db.transaction(() => {
        db.exec(migration.sql);
        db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)').run(
          migration.version,
          migration.name,
          checksum(migration),
          new Date().toISOString(),
        );
        db.pragma(`user_version = ${migration.version}`);
      })();
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Thrown by openCatalogueReadOnly for a catalogue whose schema a writer must upgrade first. */
export function isOutdatedCatalogue(error: unknown): boolean {
  return error instanceof StudioError && error.details?.outdatedCatalogue === true;
}

/**
 * Opens a catalogue for reading only: SQLite refuses every write on this connection, and opening it
 * sets no pragma and applies no migration. A catalogue that still needs migrations is refused with an
 * error that `isOutdatedCatalogue` recognises.
 */
export function openCatalogueReadOnly(file: string, migrations: Migration[] = releasedMigrations): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 5000 });
  } catch (error) {
    throw new StudioError('io', `Cannot open the project catalogue ${file} for reading: ${(error as Error).message}`);
  }
  try {
    const pending = pendingMigrations(db, file, migrations);
    if (pending.length > 0) {
      throw new StudioError(
        'conflict',
        `The project catalogue ${file} is from an earlier release (schema ${db.pragma('user_version', { simple: true }) as number}); ` +
          'open the project for writing once (in the studio, or with a wavediff command that changes it) to upgrade it.',
        { outdatedCatalogue: true },
      );
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
