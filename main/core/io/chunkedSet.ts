/**
 * A chunked set: what `wavediff synth --out` and `wavediff generate --out` write, one shard of a run
 * or the whole of it. The samples of a run (global indices 0 … count−1) lie in fixed-size chunk files
 * in OpenFWI's layout and naming: chunk k (k = 1, 2, …) is `data{k}.npy` (seismic [n, sources, time,
 * receivers]) and `model{k}.npy` (velocity [n, 1, depth, width], m/s) with samples
 * [(k−1)·C, min(k·C, count)), C = samples per file. `manifest.json` beside them records the run, the
 * shard, each chunk's samples and the sha256 of its files.
 *
 * Shards are contiguous runs of whole chunks: of K = ⌈count / C⌉ chunks, shard I of N holds chunks
 * ⌊I·K/N⌋+1 … ⌊(I+1)·K/N⌋ under their global names (shard 1/3 of 10 samples at C = 4 holds data2.npy
 * and model2.npy, samples 4–7). A shard's files are therefore the very files of the unsharded set, and
 * merging shards is checking their manifests and gathering their files. A shard may be empty (N > K).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { StudioError } from '../contract/errors.ts';
import { SHARDS_MAX, type Shard } from '../contract/parameters.ts';
import { temporaryPathFor, writeFileAtomic } from '../util/atomicFile.ts';

export const CHUNKED_SET_FORMAT = 'wavediff-chunked-set/1';
export const MANIFEST_FILE = 'manifest.json';

/** The whole run as one shard: what a run without --shard writes. */
export const WHOLE_RUN: Shard = { index: 0, count: 1 };

export interface ShardSamples {
  /** Number of the shard's first chunk file (1-based); `endFile` is one past its last. */
  firstFile: number;
  endFile: number;
  /** Global indices of the shard's samples: [start, end). */
  start: number;
  end: number;
}

/** Which chunks and samples shard `shard` of a run of `count` samples, `samplesPerFile` a chunk, makes. */
export function shardSamples(count: number, samplesPerFile: number, shard: Shard): ShardSamples {
  if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(samplesPerFile) || samplesPerFile < 1) {
    throw new StudioError('bad_input', `A chunked set needs a whole count ≥ 1 and samples per file ≥ 1 (got ${count} and ${samplesPerFile}).`);
  }
  if (!Number.isInteger(shard.index) || !Number.isInteger(shard.count) || shard.count < 1 || shard.count > SHARDS_MAX || shard.index < 0 || shard.index >= shard.count) {
    throw new StudioError('bad_input', `Shard ${shard.index}/${shard.count}: write I/N with 0 ≤ I < N ≤ ${SHARDS_MAX}.`);
  }
  const files = Math.ceil(count / samplesPerFile);
  const firstChunk = Math.floor((shard.index * files) / shard.count);
  const endChunk = Math.floor(((shard.index + 1) * files) / shard.count);
  return { firstFile: firstChunk + 1, endFile: endChunk + 1, start: Math.min(firstChunk * samplesPerFile, count), end: Math.min(endChunk * samplesPerFile, count) };
}

/** The file names of chunk k (1-based). */
export function chunkFileNames(k: number): { data: string; model: string } {
  return { data: `data${k}.npy`, model: `model${k}.npy` };
}

/** 'I/N' → the shard, with a message naming `label` for anything else. */
export function parseShard(text: string, label = '--shard'): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const shard = match ? { index: Number(match[1]), count: Number(match[2]) } : null;
  if (!shard || shard.count < 1 || shard.count > SHARDS_MAX || shard.index >= shard.count) {
    throw new StudioError('bad_input', `${label} ${text}: write I/N, the shard I (0 … N−1) of N shards, e.g. 0/3, with N ≤ ${SHARDS_MAX}.`, { field: label });
  }
  return shard;
}

const chunkSchema = z.object({
  /** Null when the set holds velocity models only. */
  data: z.string().nullable(),
  model: z.string(),
  /** Global index of the chunk's first sample: it holds samples [first, first + samples). */
  first: z.number().int().min(0),
  samples: z.number().int().min(1),
  sha256: z.object({ data: z.string().regex(/^[0-9a-f]{64}$/).nullable(), model: z.string().regex(/^[0-9a-f]{64}$/) }),
});
export type ChunkRecord = z.output<typeof chunkSchema>;

export const chunkedSetManifestSchema = z.object({
  format: z.literal(CHUNKED_SET_FORMAT),
  kind: z.enum(['synthesis', 'generation']),
  /** Every argument that decides the samples (seed, count, samples per file, models, geometry, …): equal in all shards of one run. */
  run: z.record(z.string(), z.unknown()),
  /** Samples of the whole run. */
  count: z.number().int().min(1),
  samplesPerFile: z.number().int().min(1),
  seed: z.number().int(),
  shard: z.object({ index: z.number().int().min(0), count: z.number().int().min(1) }),
  /** Global indices of this folder's samples: [start, end). */
  samples: z.object({ start: z.number().int().min(0), end: z.number().int().min(0) }),
  /** One sample's seismic [sources, time, receivers] (null: velocity only) and velocity [1, depth, width]. */
  seismicShape: z.array(z.number().int()).nullable(),
  velocityShape: z.array(z.number().int()),
  /** Model references and the sha256 of each model's manifest (generation), else null. */
  models: z.record(z.string(), z.unknown()).nullable(),
  geometry: z.unknown(),
  chunks: z.array(chunkSchema),
  /** The per-sample table beside the chunks (one row per global index), or null. */
  metrics: z.string().nullable(),
});
export type ChunkedSetManifest = z.output<typeof chunkedSetManifestSchema>;

/** sha256 of a file's bytes, read in blocks. */
export function sha256OfFile(file: string): string {
  const hash = createHash('sha256');
  const block = Buffer.allocUnsafe(8 << 20);
  const fd = fs.openSync(file, 'r');
  try {
    for (;;) {
      const n = fs.readSync(fd, block, 0, block.length, null);
      if (n === 0) break;
      hash.update(block.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** The chunk records of files [firstFile, endFile) in `folder`, with their checksums. */
export function describeChunks(folder: string, layout: { count: number; samplesPerFile: number; firstFile: number; endFile: number; velocityOnly: boolean }): ChunkRecord[] {
  const chunks: ChunkRecord[] = [];
  for (let k = layout.firstFile; k < layout.endFile; k += 1) {
    const names = chunkFileNames(k);
    const first = (k - 1) * layout.samplesPerFile;
    chunks.push({
      data: layout.velocityOnly ? null : names.data,
      model: names.model,
      first,
      samples: Math.min(layout.samplesPerFile, layout.count - first),
      sha256: { data: layout.velocityOnly ? null : sha256OfFile(path.join(folder, names.data)), model: sha256OfFile(path.join(folder, names.model)) },
    });
  }
  return chunks;
}

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export function writeManifest(folder: string, manifest: ChunkedSetManifest): void {
  writeFileAtomic(path.join(folder, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** The manifest of the set in `folder`; a missing or unreadable one is an error naming the folder. */
export function readManifest(folder: string): ChunkedSetManifest {
  const file = path.join(folder, MANIFEST_FILE);
  if (!fs.existsSync(file)) {
    throw new StudioError('not_found', `${folder}: no ${MANIFEST_FILE}; it is not a finished shard or set of wavediff synth/generate --out (run its command again to finish it).`, { file });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new StudioError('bad_file', `${file} is not JSON (${(error as Error).message}); run the shard's command again to rewrite it.`, { file });
  }
  const result = chunkedSetManifestSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new StudioError('bad_file', `${file}: ${issue.path.join('.') || 'the manifest'}: ${issue.message}; it is not a ${CHUNKED_SET_FORMAT} manifest this version reads.`, { file });
  }
  return result.data;
}

/** Checks that a chunk's files exist with the sha256 the manifest records; `label` names the folder in messages. */
export function checkChunkFiles(folder: string, chunk: ChunkRecord, label: string = folder): void {
  const samples = chunk.samples === 1 ? `sample ${chunk.first}` : `samples ${chunk.first}–${chunk.first + chunk.samples - 1}`;
  for (const [file, expected] of [[chunk.model, chunk.sha256.model], [chunk.data, chunk.sha256.data]] as const) {
    if (file === null) continue;
    const filePath = path.join(folder, file);
    if (!fs.existsSync(filePath)) {
      throw new StudioError('not_found', `${label}: ${file} (${samples}) is missing; run the command that made it again.`, { file: filePath });
    }
    const actual = sha256OfFile(filePath);
    if (actual !== expected) {
      throw new StudioError('bad_file', `${label}: ${file} has sha256 ${actual}, not the ${expected} its manifest records: the file is damaged or was changed. Run the command that made it again.`, { file: filePath });
    }
  }
}

/**
 * Places `source` at `target` by a hard link (no copy, where both lie on one file system), else by a
 * copy; atomically either way. Returns whether it copied. Chunk files are never written again, so a
 * link shares nothing that changes.
 */
export function linkOrCopyFile(source: string, target: string): boolean {
  const temporary = temporaryPathFor(target);
  let copied = false;
  try {
    try {
      fs.linkSync(source, temporary);
    } catch {
      fs.copyFileSync(source, temporary);
      copied = true;
    }
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  return copied;
}
