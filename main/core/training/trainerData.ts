import fs from 'node:fs';
import path from 'node:path';
import type { DatasetDetail } from '../contract/contract.ts';
import { SYNTHESIS_RECORD } from '../physics/synthesis.ts';
import { writeFileAtomic } from '../util/atomicFile.ts';

/** Padding traces of a dataset, as its import counted them in each part's meta. */
export function paddedTraceCount(dataset: DatasetDetail): number {
  return dataset.parts.reduce((sum, p) => sum + (p.traceMaskFile && typeof p.meta.paddedTraces === 'number' ? p.meta.paddedTraces : 0), 0);
}

/** The family a synthesis record in a dataset's folder names (it sets the trainer's seismic normalisation), or null. */
export function synthesisRecordFamily(datasetFolder: string): string | null {
  const record = path.join(datasetFolder, SYNTHESIS_RECORD);
  if (!fs.existsSync(record)) return null;
  const family = (JSON.parse(fs.readFileSync(record, 'utf8')) as { family?: unknown }).family;
  return typeof family === 'string' ? family : null;
}

/** One entry of a trainer pair list (data.py, discover_pairs): a part's seismic, velocity and trace mask. */
export function partPairEntry(arraysDir: string, part: DatasetDetail['parts'][number]): Record<string, unknown> {
  const file = (relative: string | null): string | null => (relative ? path.join(arraysDir, relative) : null);
  return { seismic: file(part.seismicFile), velocity: file(part.velocityFile), ...(part.traceMaskFile ? { trace_mask: file(part.traceMaskFile) } : {}) };
}

/**
 * What the trainer's --data / --val-data reads for a dataset: its arrays folder, or, where parts
 * have trace masks, a pair list written into the run folder that names each part's seismic,
 * velocity and trace mask, so the trainer leaves padded traces out of its seismic loss. The list
 * carries the family of a synthesis record as the folder would.
 */
export function trainerDataPath(arraysDir: string, dataset: DatasetDetail & { folder: string }, runDir: string, role: 'data' | 'val-data'): string {
  const folder = path.join(arraysDir, dataset.folder);
  if (!dataset.parts.some((p) => p.traceMaskFile)) return folder;
  const family = synthesisRecordFamily(folder);
  const list: Record<string, unknown> = { name: dataset.name, pairs: dataset.parts.map((p) => partPairEntry(arraysDir, p)), ...(family ? { families: [family] } : {}) };
  const listFile = path.join(runDir, `${role}-pairs.json`);
  writeFileAtomic(listFile, JSON.stringify(list, null, 2));
  return listFile;
}
