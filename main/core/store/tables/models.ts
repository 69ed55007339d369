import { StudioError } from '../../contract/errors.ts';
import { now, type TableContext } from './tableContext.ts';

export interface ModelRow {
  id: number;
  name: string;
  kind: 'stage1' | 'stage2' | 'inversionnet';
  /** Folder under the project's models/ holding the ONNX graphs and manifest.json. */
  folder: string;
  manifest: Record<string, unknown>;
  createdByJob: number | null;
  createdAt: string;
}

export interface NewModel {
  name: string;
  kind: ModelRow['kind'];
  folder: string;
  manifest: unknown;
  createdByJob: number | null;
}

interface ModelDbRow {
  id: number;
  name: string;
  kind: ModelRow['kind'];
  folder: string;
  manifest: string;
  created_by_job: number | null;
  created_at: string;
}

function toModel(row: ModelDbRow): ModelRow {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    folder: row.folder,
    manifest: JSON.parse(row.manifest) as Record<string, unknown>,
    createdByJob: row.created_by_job,
    createdAt: row.created_at,
  };
}

/** models: the networks trained in this project (files under models/<folder>/). */
export function modelsTable(ctx: TableContext) {
  const { db } = ctx;
  const insert = db.prepare<[string, ModelRow['kind'], string, string, number | null, string]>(
    'INSERT INTO models (name, kind, folder, manifest, created_by_job, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const byId = db.prepare<[number], ModelDbRow>('SELECT * FROM models WHERE id = ?');
  const all = db.prepare<[], ModelDbRow>('SELECT * FROM models ORDER BY id');
  const folders = db.prepare<[], { folder: string }>('SELECT folder FROM models');
  const remove = db.prepare<[number]>('DELETE FROM models WHERE id = ?');

  const get = (id: number): ModelRow => {
    const row = byId.get(id);
    if (!row) throw new StudioError('not_found', `There is no model ${id} in this project.`);
    return toModel(row);
  };

  return {
    insert(model: NewModel): ModelRow {
      const info = insert.run(model.name, model.kind, model.folder, JSON.stringify(model.manifest), model.createdByJob, now());
      ctx.changed('models');
      return get(Number(info.lastInsertRowid));
    },
    get,
    list(): ModelRow[] {
      return all.all().map(toModel);
    },
    folders(): string[] {
      return folders.all().map((r) => r.folder);
    },
    delete(id: number): void {
      remove.run(id);
      ctx.changed('models');
    },
  };
}
