import fs from 'node:fs';
import path from 'node:path';
import type { Project } from '../store/project.ts';
import { appRoot } from '../util/paths.ts';
import { StudioError } from '../contract/errors.ts';

import { networkKindSchema, type NetworkKind } from '../contract/contract.ts';

export type { NetworkKind };

/** A model the studio can run: one of the shipped defaults or one trained in the open project. */
export interface ModelEntry {
  /** 'default:<kind>' for shipped models, 'project:<id>' for a project's. */
  ref: string;
  name: string;
  kind: NetworkKind;
  source: 'shipped' | 'project';
  /** Absolute folder with the ONNX graphs and manifest.json. */
  folder: string;
  manifest: Record<string, unknown>;
  createdAt: string;
}

export const modelsFolderName = 'models';

/** What model lookup reads of a project: its folder and its catalogue's model rows. */
export type ProjectModelSource = Pick<Project, 'folder' | 'catalogue'>;

/** The shipped default models: native-models/default/<kind>/ (see native-models/MODEL_CARD.md). */
export function shippedModelsDir(): string {
  return path.join(appRoot(), 'native-models', 'default');
}

/** The shipped defaults' model card (native-models/default/card.json, written by scripts/model-card), or null when absent. */
export function shippedCard(): Record<string, unknown> | null {
  const card = path.join(shippedModelsDir(), 'card.json');
  if (!fs.existsSync(card)) return null;
  return JSON.parse(fs.readFileSync(card, 'utf8')) as Record<string, unknown>;
}

function readManifest(folder: string): Record<string, unknown> {
  const file = path.join(folder, 'manifest.json');
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new StudioError('bad_file', `${file}: cannot read the model manifest (${(error as Error).message}).`);
  }
}

export function shippedModels(): ModelEntry[] {
  const dir = shippedModelsDir();
  if (!fs.existsSync(dir)) return [];
  const entries: ModelEntry[] = [];
  for (const kind of networkKindSchema.options) {
    const folder = path.join(dir, kind);
    if (!fs.existsSync(path.join(folder, 'manifest.json'))) continue;
    const manifest = readManifest(folder);
    entries.push({ ref: `default:${kind}`, name: `Default ${kind}`, kind, source: 'shipped', folder, manifest, createdAt: String(manifest.created ?? '') });
  }
  return entries;
}

export function projectModels(project: ProjectModelSource): ModelEntry[] {
  return project.catalogue.listModels().map((m) => ({
    ref: `project:${m.id}`,
    name: m.name,
    kind: m.kind,
    source: 'project' as const,
    folder: path.join(project.folder, modelsFolderName, m.folder),
    manifest: m.manifest,
    createdAt: m.createdAt,
  }));
}

export function listModels(project: ProjectModelSource | null): ModelEntry[] {
  return [...shippedModels(), ...(project ? projectModels(project) : [])];
}

/**
 * Resolves a model reference: 'default' or 'default:<kind>' (the shipped model of `kind`),
 * 'project:<id>', or a folder holding manifest.json.
 */
export function resolveModel(ref: string, kind: NetworkKind, project: ProjectModelSource | null): ModelEntry {
  const wantedRef = ref === 'default' ? `default:${kind}` : ref;
  const known = listModels(project).find((m) => m.ref === wantedRef);
  let entry: ModelEntry | undefined = known;
  if (!entry && fs.existsSync(path.join(ref, 'manifest.json'))) {
    const manifest = readManifest(ref);
    entry = { ref: path.resolve(ref), name: path.basename(ref), kind: manifest.kind as NetworkKind, source: 'project', folder: path.resolve(ref), manifest, createdAt: String(manifest.created ?? '') };
  }
  if (!entry) {
    const available = listModels(project).map((m) => m.ref).join(', ') || 'none';
    throw new StudioError('not_found', `No model '${ref}' (available: ${available}; or give a folder with manifest.json).`);
  }
  if (entry.kind !== kind) {
    const article = (k: string): string => (k === 'inversionnet' ? 'an' : 'a');
    throw new StudioError('bad_input', `Model '${ref}' is ${article(entry.kind)} ${entry.kind} model; ${article(kind)} ${kind} model is needed here.`);
  }
  return entry;
}
