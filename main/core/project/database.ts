import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { StudioError } from '../util/errors.ts';
import { migrations as releasedMigrations, type Migration } from './migrations.ts';

export type SqliteDatabase = Database.Database;

function checksum(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex');
}

/**
 * Opens (creating if needed) a catalogue database in WAL mode and brings its schema up to date.
 * A database written by a newer studio, or whose applied migrations were edited, is refused
 * before anything is written to it.
 */
export function openCatalogueDatabase(file: string, migrations: Migration[] = releasedMigrations): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(file);
  } catch (error) {
    throw new StudioError('io', `Cannot open the project catalogue ${file}: ${(error as Error).message}`);
  }
  try {
    const known = Math.max(0, ...migrations.map((m) => m.version));
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > known) {
      throw new StudioError(
        'newer_database',
        `The project catalogue ${file} has schema version ${current}, but this version of WaveDiffusion Studio knows only up to ${known}. ` +
          'Open it with a newer studio; it was left untouched.',
      );
    }
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const applied = db.prepare('SELECT version, name, checksum FROM schema_migrations ORDER BY version').all() as {
      version: number;
      name: string;
      checksum: string;
    }[];
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
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (appliedVersions.has(migration.version)) continue;
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
