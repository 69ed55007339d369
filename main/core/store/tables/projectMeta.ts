import type { TableContext } from './tableContext.ts';

/** project_meta: the project's name, creation time and demo flag, as key → text. */
export function projectMetaTable(ctx: TableContext) {
  const select = ctx.db.prepare<[string], { value: string }>('SELECT value FROM project_meta WHERE key = ?');
  const upsert = ctx.db.prepare<[string, string]>('INSERT INTO project_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  return {
    get(key: string): string | null {
      return select.get(key)?.value ?? null;
    },
    set(key: string, value: string): void {
      upsert.run(key, value);
      ctx.changed('project_meta');
    },
  };
}
