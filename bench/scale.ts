// Planning figures for cluster runs (`npm run bench:scale`): one shard of a synthesis and of a
// generation, run as an array task runs them (the wavediff command, one core), and the merge of a
// run's shards. Prints seconds of FD and of inference per pair per core, bytes per pair, the
// command's start-up, and the merge's seconds per GB; docs/scale.md turns them into cluster plans.
// Environment: BENCH_PAIRS (pairs per shard, default 4), BENCH_SHARDS (shards merged, default 2).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appRoot } from '../main/core/util/paths.ts';
import { mergeShards } from '../main/core/cluster/mergeShards.ts';

const pairs = Number(process.env.BENCH_PAIRS ?? 4);
const shards = Number(process.env.BENCH_SHARDS ?? 2);
const cli = path.join(appRoot(), 'bin', 'wavediff.mjs');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-bench-scale-'));
// One worker thread: the figures are per core, as a task with --cpus-per-task=1 would see them.
const dataDir = path.join(work, 'user');
fs.mkdirSync(dataDir, { recursive: true });
fs.writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ workerThreads: 1 }));

function wavediff(args: string[]): { seconds: number; stdout: string } {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, WAVEDIFF_DATA_DIR: dataDir } });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`wavediff ${args.join(' ')} failed:\n${run.stderr}`);
  return { seconds, stdout: run.stdout };
}

const npyBytes = (folder: string): number =>
  fs.readdirSync(folder).filter((n) => /^(data|model)\d+\.npy$/.test(n)).reduce((sum, n) => sum + fs.statSync(path.join(folder, n)).size, 0);

try {
  // Start-up: the command doing nothing but start (help text); the first run also fills tsx's cache.
  const startup = Math.min(...[0, 1, 2].map(() => wavediff(['synth', '--help']).seconds));

  // Synthesis: shard 0 of `shards`, `pairs` pairs (one file of `pairs`), FD on one core.
  const synthArgs = ['synth', '--family', 'flatvel-a', '--count', String(pairs * shards), '--samples-per-file', String(pairs), '--seed', '1', '--threads', '1'];
  const synthShards = Array.from({ length: shards }, (_, i) => path.join(work, `synth-shard-${i}`));
  const synth = synthShards.map((out, i) => wavediff([...synthArgs, '--shard', `${i}/${shards}`, '--out', out]).seconds);
  const fdPerPair = (synth[0] - startup) / pairs;
  const synthBytesPerPair = npyBytes(synthShards[0]) / pairs;

  // Generation: shard 0 of `shards` with the shipped models (AB3, 20 steps, FD check and InversionNet).
  const genArgs = ['generate', '--count', String(pairs * shards), '--samples-per-file', String(pairs), '--batch-size', '1', '--seed', '1', '--no-segy', '--json'];
  const genShard = path.join(work, 'generate-shard-0');
  const generated = wavediff([...genArgs, '--shard', `0/${shards}`, '--out', genShard]);
  const report = JSON.parse(generated.stdout.trim().split('\n').pop()!) as { stageSeconds: Record<string, number> };
  const stage = report.stageSeconds;
  const inferencePerPair = ((stage.denoiser ?? 0) + (stage.decoders ?? 0) + (stage.inversion ?? 0)) / pairs;
  const checkPerPair = (stage.fd ?? 0) / pairs;
  const genBytesPerPair = npyBytes(genShard) / pairs;

  // Merge of the synthesis shards, in this process: manifests checked, every chunk's sha256, hard links.
  const merged = path.join(work, 'merged');
  const mergeStarted = process.hrtime.bigint();
  await mergeShards(synthShards, merged);
  const merge = Number(process.hrtime.bigint() - mergeStarted) / 1e9;
  const mergedBytes = npyBytes(merged);

  // What a large merge spends per byte: the sha256 of every chunk file it verifies (links cost no bytes).
  const block = Buffer.alloc(256 * 2 ** 20, 7);
  const hashStarted = process.hrtime.bigint();
  createHash('sha256').update(block).digest();
  const hashSecondsPerGb = (Number(process.hrtime.bigint() - hashStarted) / 1e9) * (1e9 / block.length);

  const f = (x: number, digits = 2) => x.toFixed(digits);
  console.log(`cores on this machine: ${os.availableParallelism()} (figures are for one worker thread)`);
  console.log(`start-up of the wavediff command: ${f(startup)} s`);
  console.log(`synthesis shard: ${pairs} pairs in ${f(synth[0])} s → FD ${f(fdPerPair)} s per pair per core; ${f(synthBytesPerPair / 1e6, 3)} MB per pair`);
  console.log(`generation shard: ${pairs} pairs in ${f(generated.seconds)} s → inference ${f(inferencePerPair)} s per pair (denoiser ${f((stage.denoiser ?? 0) / pairs)}, decoders ${f((stage.decoders ?? 0) / pairs)}, InversionNet ${f((stage.inversion ?? 0) / pairs)}), FD check ${f(checkPerPair)} s per pair; ${f(genBytesPerPair / 1e6, 3)} MB per pair`);
  console.log(`merge of ${shards} shards (${f(mergedBytes / 1e6)} MB, hard links): ${f(merge, 3)} s → ${f(merge / (mergedBytes / 1e9), 1)} s per GB (plus the command's start-up); sha256 of a large set: ${f(hashSecondsPerGb)} s per GB`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
