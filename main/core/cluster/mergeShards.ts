/**
 * `wavediff merge DIR… --out DIR`: the shards of one synthesis or generation run (chunked sets, see
 * io/chunkedSet.ts) gathered into the set one unsharded run writes. Every shard's manifest is checked
 * before anything is written: the same run (arguments, seed, models, geometry), chunks laid out as
 * the run's chunk size says, no sample missing, none twice, and every chunk file's sha256. The chunk
 * files are then hard-linked into the output folder (copied where a link is impossible, e.g. across
 * file systems), the per-sample metrics tables joined in sample order, and the manifest written last.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../contract/errors.ts';
import { throwIfCancelled } from '../util/abort.ts';
import { writeFileAtomic } from '../util/atomicFile.ts';
import type { WorkOptions } from '../util/progress.ts';
import {
  MANIFEST_FILE,
  WHOLE_RUN,
  canonicalJson,
  checkChunkFiles,
  chunkFileNames,
  linkOrCopyFile,
  readManifest,
  shardSamples,
  writeManifest,
  type ChunkRecord,
  type ChunkedSetManifest,
} from '../io/chunkedSet.ts';
import { SYNTHESIS_RECORD, readSynthesisRecord, type SynthesisState } from '../physics/synthesis.ts';
import { mergeGenerationMetrics } from '../generation/metricsTable.ts';

export interface MergeResult {
  folder: string;
  kind: ChunkedSetManifest['kind'];
  samples: number;
  chunks: number;
  shards: number;
  /** Chunk files copied because a hard link was impossible. */
  copied: number;
  files: string[];
}

interface ShardSet {
  folder: string;
  manifest: ChunkedSetManifest;
}

const shardName = (s: ShardSet): string => `${s.folder} (shard ${s.manifest.shard.index}/${s.manifest.shard.count})`;

function sampleRange(first: number, samples: number): string {
  return samples === 1 ? `sample ${first}` : `samples ${first}–${first + samples - 1}`;
}

/** The first difference between two values, as 'key.sub: A there, B in REF' text; null when equal. */
function firstDifference(a: unknown, b: unknown, where = ''): string | null {
  if (canonicalJson(a) === canonicalJson(b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], where ? `${where}.${key}` : key);
      if (found) return found;
    }
  }
  const text = (v: unknown): string => {
    const json = JSON.stringify(v) ?? 'absent';
    return json.length > 80 ? `${json.slice(0, 77)}…` : json;
  };
  return `${where || 'value'} ${text(a)} there, ${text(b)}`;
}

/** Refuses shards of different runs: the first shard given is the reference. */
function checkSameRun(shards: ShardSet[]): void {
  const [reference] = shards;
  for (const shard of shards.slice(1)) {
    const m = shard.manifest;
    const r = reference.manifest;
    const difference =
      (m.kind !== r.kind ? `kind ${m.kind} there, ${r.kind}` : null) ??
      firstDifference(m.run, r.run, 'run') ??
      firstDifference({ seismicShape: m.seismicShape, velocityShape: m.velocityShape, models: m.models, geometry: m.geometry }, { seismicShape: r.seismicShape, velocityShape: r.velocityShape, models: r.models, geometry: r.geometry });
    if (difference) {
      throw new StudioError('conflict', `${shardName(shard)} is a shard of another run than ${shardName(reference)}: ${difference} in ${reference.folder}. Merge the shards of one run only.`, { folder: shard.folder });
    }
  }
}

/** Checks that a shard's chunks are the run's files they claim to be, and its samples what its shard makes. */
function checkLayout(shard: ShardSet): void {
  const m = shard.manifest;
  const expected = shardSamples(m.count, m.samplesPerFile, m.shard);
  if (m.samples.start !== expected.start || m.samples.end !== expected.end) {
    throw new StudioError('bad_file', `${shardName(shard)}: its manifest lists samples ${m.samples.start}–${m.samples.end - 1}, but shard ${m.shard.index}/${m.shard.count} of ${m.count} samples at ${m.samplesPerFile} a file holds ${expected.start}–${expected.end - 1}; run that shard again.`, { folder: shard.folder });
  }
  let next = m.samples.start;
  for (const chunk of m.chunks) {
    const k = Math.floor(chunk.first / m.samplesPerFile) + 1;
    const names = chunkFileNames(k);
    const samples = Math.min(m.samplesPerFile, m.count - chunk.first);
    const velocityOnly = m.seismicShape === null;
    if (chunk.first !== next || chunk.first % m.samplesPerFile !== 0 || chunk.samples !== samples || chunk.model !== names.model || chunk.data !== (velocityOnly ? null : names.data)) {
      throw new StudioError('bad_file', `${shardName(shard)}: its manifest's chunk ${chunk.model} (${sampleRange(chunk.first, chunk.samples)}) is not file ${k} of the run (${names.model}, ${sampleRange((k - 1) * m.samplesPerFile, samples)}) or does not follow sample ${next - 1}; run that shard again.`, { folder: shard.folder });
    }
    next += chunk.samples;
  }
  if (next !== m.samples.end) {
    throw new StudioError('bad_file', `${shardName(shard)}: its chunks end at sample ${next - 1} but the shard holds samples up to ${m.samples.end - 1}; run that shard again.`, { folder: shard.folder });
  }
}

/** Every chunk of the run exactly once: the chunks in order with the shard that holds each. */
function coverage(shards: ShardSet[]): Array<{ chunk: ChunkRecord; shard: ShardSet }> {
  const { count, samplesPerFile } = shards[0].manifest;
  const files = Math.ceil(count / samplesPerFile);
  const byFile = new Map<number, { chunk: ChunkRecord; shard: ShardSet }>();
  for (const shard of shards) {
    for (const chunk of shard.manifest.chunks) {
      const k = Math.floor(chunk.first / samplesPerFile) + 1;
      const other = byFile.get(k);
      if (other) {
        throw new StudioError('conflict', `${sampleRange(chunk.first, chunk.samples)} (${chunk.model}) are in both ${shardName(other.shard)} and ${shardName(shard)}: give each shard once.`, { folder: shard.folder });
      }
      byFile.set(k, { chunk, shard });
    }
  }
  const missing: number[] = [];
  for (let k = 1; k <= files; k += 1) if (!byFile.has(k)) missing.push(k);
  if (missing.length > 0) {
    const layout = shards[0].manifest.shard;
    const absentShards = new Set<number>();
    for (let i = 0; i < layout.count; i += 1) {
      const s = shardSamples(count, samplesPerFile, { index: i, count: layout.count });
      if (missing.some((k) => k >= s.firstFile && k < s.endFile)) absentShards.add(i);
    }
    const ranges = missing.slice(0, 5).map((k) => `${sampleRange((k - 1) * samplesPerFile, Math.min(samplesPerFile, count - (k - 1) * samplesPerFile))} (${chunkFileNames(k).model})`);
    throw new StudioError(
      'bad_input',
      `The shards given leave a gap: ${ranges.join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more files` : ''} of the run's ${count} samples are in none of ${shards.map((s) => s.folder).join(', ')}. ` +
        `Add the folder of shard ${[...absentShards].map((i) => `${i}/${layout.count}`).join(', ')} (or run it first).`,
      { missing },
    );
  }
  return [...byFile.keys()].sort((a, b) => a - b).map((k) => byFile.get(k)!);
}

/** synthesis.json of the merged set: what one unsharded run leaves. */
function mergedSynthesisRecord(shards: ShardSet[]): SynthesisState | null {
  const records = shards.map((s) => readSynthesisRecord(s.folder)).filter((r): r is SynthesisState => r !== undefined);
  if (records.length === 0) return null;
  const { shard: _shard, ...whole } = records[0];
  const files = records.flatMap((r) => r.files).sort((a, b) => Number(/\d+/.exec(a.model)![0]) - Number(/\d+/.exec(b.model)![0]));
  return { ...whole, committedSamples: whole.count, files };
}

export async function mergeShards(folders: readonly string[], outFolder: string, options: WorkOptions = {}): Promise<MergeResult> {
  if (folders.length === 0) throw new StudioError('bad_input', 'Give the shard folders to merge.');
  const out = path.resolve(outFolder);
  const shards: ShardSet[] = folders.map((f) => {
    const folder = path.resolve(f);
    if (folder === out) throw new StudioError('bad_input', `--out ${out} is one of the shard folders; merge into another folder.`);
    return { folder, manifest: readManifest(folder) };
  });
  checkSameRun(shards);
  for (const shard of shards) checkLayout(shard);
  const ordered = coverage(shards);
  const reference = shards[0].manifest;

  const total = ordered.length;
  options.onProgress?.({ done: 0, total, unit: 'files', message: 'checking checksums' });
  for (const [i, { chunk, shard }] of ordered.entries()) {
    throwIfCancelled(options.signal);
    checkChunkFiles(shard.folder, chunk, shardName(shard));
    options.onProgress?.({ done: i + 1, total, unit: 'files', message: 'checking checksums' });
  }

  fs.mkdirSync(out, { recursive: true });
  const clash = fs.readdirSync(out).filter((name) => name === MANIFEST_FILE || /^(data|model)\d+\.npy$/.test(name));
  if (clash.length > 0) {
    throw new StudioError('conflict', `${out} already holds ${clash.slice(0, 4).join(', ')}${clash.length > 4 ? '…' : ''}; merge into an empty folder.`, { folder: out });
  }
  const files: string[] = [];
  let copied = 0;
  for (const [i, { chunk, shard }] of ordered.entries()) {
    throwIfCancelled(options.signal);
    for (const file of [chunk.data, chunk.model]) {
      if (file === null) continue;
      if (linkOrCopyFile(path.join(shard.folder, file), path.join(out, file))) copied += 1;
      files.push(file);
    }
    options.onProgress?.({ done: i + 1, total, unit: 'files', message: 'gathering files' });
  }

  if (reference.kind === 'generation' && reference.metrics) {
    files.push(...mergeGenerationMetrics(shards.map((s) => s.folder), out, reference.count));
  }
  if (reference.kind === 'synthesis') {
    const record = mergedSynthesisRecord(shards);
    if (record) {
      writeFileAtomic(path.join(out, SYNTHESIS_RECORD), `${JSON.stringify(record, null, 2)}\n`);
      files.push(SYNTHESIS_RECORD);
    }
  }
  writeManifest(out, { ...reference, shard: WHOLE_RUN, samples: { start: 0, end: reference.count }, chunks: ordered.map((o) => o.chunk) });
  files.push(MANIFEST_FILE);
  return { folder: out, kind: reference.kind, samples: reference.count, chunks: ordered.length, shards: shards.length, copied, files };
}
