/** The model card's "data and compute" figures, read from the shipped models' manifests. */
import fs from 'node:fs';
import path from 'node:path';
import type { ModelEntry } from '../../main/core/ml/modelRegistry.ts';
import type { TrainingRecord } from './cardMarkdown.ts';

type Json = Record<string, any>;

/** The manifest's training block (samples seen, time, device…), its data and the network's seismic size (preprocess, else the graph's input). */
export function trainingRecord(entry: ModelEntry | undefined): TrainingRecord {
  const manifest = (entry?.manifest ?? {}) as Json;
  const training = (manifest.training ?? {}) as Json;
  const data = (training.data ?? {}) as Json;
  const seismic = manifest.normalization?.seismic as Json | undefined;
  const input = (manifest.graphs?.encoder ?? manifest.graphs?.inversionnet)?.inputs?.[0]?.shape as unknown[] | undefined;
  const number = (x: unknown): number | null => (typeof x === 'number' ? x : null);
  return {
    parameters: number(manifest.parameters),
    steps: number(training.steps),
    batch_size: number(training.batch_size),
    samples_seen: number(training.samples_seen),
    training_time_s: number(training.training_time_s),
    earlier: earlierRecord(training.earlier),
    device: typeof training.device === 'string' ? training.device : null,
    torch_version: typeof training.torch_version === 'string' ? training.torch_version : null,
    data_pairs: number(data.N),
    families: Array.isArray(data.families) ? data.families.map(String) : Array.isArray(training.families) ? training.families.map(String) : [],
    seismic_limits: seismic && typeof seismic.raw_min === 'number' ? [seismic.raw_min, seismic.raw_max] : null,
    network_seismic_size: Array.isArray(manifest.preprocess?.seismic?.size) ? manifest.preprocess.seismic.size : input ? (input.slice(2) as number[]) : null,
  };
}

function earlierRecord(earlier: unknown): TrainingRecord['earlier'] {
  if (!earlier || typeof earlier !== 'object') return null;
  const e = earlier as Json;
  const keys = ['runs', 'steps', 'samples_seen', 'training_time_s'] as const;
  return keys.every((k) => typeof e[k] === 'number') ? { runs: e.runs, steps: e.steps, samples_seen: e.samples_seen, training_time_s: e.training_time_s } : null;
}

export function trainingRecords(models: ModelEntry[]): Record<'stage1' | 'stage2' | 'inversionnet', TrainingRecord> {
  const of = (kind: string): ModelEntry | undefined => models.find((m) => m.kind === kind);
  return { stage1: trainingRecord(of('stage1')), stage2: trainingRecord(of('stage2')), inversionnet: trainingRecord(of('inversionnet')) };
}

/** Megabytes (10⁶ bytes) of the models' folders. */
export function modelMegabytes(models: ModelEntry[]): number {
  return models.reduce((sum, m) => sum + fs.readdirSync(m.folder).reduce((s, f) => s + fs.statSync(path.join(m.folder, f)).size, 0), 0) / 1e6;
}
