import type { SqliteDatabase } from '../database.ts';

/**
 * What a table module of the catalogue is given: the database connection, which never leaves
 * main/core/store/, and the report of the tables a write touched (open views refresh on it).
 */
export interface TableContext {
  readonly db: SqliteDatabase;
  changed(...tables: string[]): void;
}

export const now = (): string => new Date().toISOString();

export const parseJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));
