/**
 * SEG-Y read throughput: our streaming reader against segyio.
 *
 *   npm run bench:io [-- --size-gb 2 --samples 1000 --format 5]
 *
 * Generates (or reuses, when present with the exact expected size) a SEG-Y file under .bench/,
 * then, each in its own child process so that only the reader's memory counts, reads every trace
 * and sums every sample in float64: our async chunk reader, our sync chunk reader, and segyio
 * (python3 at /usr/bin/python3, reading `f.trace.raw[a:b]` blocks of about the same size).
 * Prints MB/s (file bytes / 10^6 / seconds) and the RSS high-water mark of each reader.
 * The file is usually in the page cache when read (it was just written or read), so this
 * measures decoding and copying, not the disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { SegyWriter } from '../main/core/io/segy/writer.ts';
import { readTraceChunks, readTraceChunksSync, openSegyLayout, DEFAULT_CHUNK_BYTES } from '../main/core/io/segy/reader.ts';
import type { SampleFormatCode } from '../main/core/io/segy/sampleFormats.ts';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = '/usr/bin/python3';

interface ReadResult {
  reader: string;
  seconds: number;
  bytes: number;
  sum: number;
  traces: number;
  maxRssMiB: number;
}

async function childRead(file: string, mode: 'async' | 'sync'): Promise<void> {
  const layout = openSegyLayout(file);
  const started = process.hrtime.bigint();
  let sum = 0;
  let traces = 0;
  const consume = (samples: Float32Array, count: number) => {
    // Four accumulators let the CPU overlap the float64 additions.
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    const n = samples.length - (samples.length % 4);
    for (let i = 0; i < n; i += 4) {
      s0 += samples[i];
      s1 += samples[i + 1];
      s2 += samples[i + 2];
      s3 += samples[i + 3];
    }
    for (let i = n; i < samples.length; i++) s0 += samples[i];
    sum += s0 + s1 + s2 + s3;
    traces += count;
  };
  if (mode === 'async') for await (const chunk of readTraceChunks(layout)) consume(chunk.samples, chunk.traceCount);
  else for (const chunk of readTraceChunksSync(layout)) consume(chunk.samples, chunk.traceCount);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const result: ReadResult = {
    reader: `ours (${mode} chunks)`,
    seconds,
    bytes: layout.fileSizeBytes,
    sum,
    traces,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const SEGYIO_READ = `
import json, resource, sys, time
import numpy as np
import segyio
path, chunk_bytes = sys.argv[1], int(sys.argv[2])
started = time.perf_counter()
total = 0.0
with segyio.open(path, "r", ignore_geometry=True) as f:
    ns = len(f.samples)
    per_chunk = max(1, chunk_bytes // (240 + 4 * ns))
    n = f.tracecount
    for first in range(0, n, per_chunk):
        block = f.trace.raw[first:min(n, first + per_chunk)]
        total += float(block.sum(dtype=np.float64))
seconds = time.perf_counter() - started
import os
print(json.dumps({"reader": "segyio " + segyio.__version__ + " (trace.raw blocks)", "seconds": seconds,
                  "bytes": os.path.getsize(path), "sum": total, "traces": n,
                  "maxRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
`;

function expectedFileSize(traces: number, samples: number, bytesPerSample: number): number {
  return 3600 + traces * (240 + samples * bytesPerSample);
}

function generate(file: string, traces: number, samples: number, format: SampleFormatCode): void {
  const receivers = 70;
  const writer = new SegyWriter(file, {
    samplesPerTrace: samples,
    sampleIntervalUs: 1000,
    format,
    tracesPerEnsemble: receivers,
    textLines: ['WaveDiffusion Studio benchmark file (bench/io.ts)', `${traces} traces of ${samples} samples, ${receivers} per shot`],
  });
  const batch = Math.max(1, Math.floor(DEFAULT_CHUNK_BYTES / (samples * 4)));
  // One batch of a decaying wavelet pattern, reused with a per-batch gain so sums vary.
  const pattern = new Float32Array(batch * samples);
  for (let t = 0; t < batch; t++) {
    for (let s = 0; s < samples; s++) pattern[t * samples + s] = Math.sin(0.07 * s + 0.2 * t) * Math.exp(-s / 700);
  }
  const started = Date.now();
  let lastReport = started;
  try {
    for (let first = 0; first < traces; first += batch) {
      const count = Math.min(batch, traces - first);
      writer.writeTraces(pattern.subarray(0, count * samples), (i) => ({
        FieldRecord: 1 + Math.floor(i / receivers),
        TraceNumber: 1 + (i % receivers),
        offset: 10 * (i % receivers),
        SourceX: 100 * Math.floor(i / receivers),
        GroupX: 10 * (i % receivers),
      }));
      if (Date.now() - lastReport > 2000) {
        lastReport = Date.now();
        process.stderr.write(`  generating: ${((100 * (first + count)) / traces).toFixed(0)}%\n`);
      }
    }
    writer.commit();
  } catch (error) {
    writer.abort();
    throw error;
  }
  process.stderr.write(`  generated in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

function runChild(command: string, args: string[]): ReadResult {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as ReadResult;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'size-gb': { type: 'string', default: '2' },
      samples: { type: 'string', default: '1000' },
      format: { type: 'string', default: '5' },
      'child-read': { type: 'string' },
      mode: { type: 'string', default: 'async' },
    },
  });
  if (values['child-read']) {
    if (values.mode === 'baseline') {
      // The same process with the reader loaded but nothing read: what the runtime itself costs.
      openSegyLayout(values['child-read']);
      const idle: ReadResult = { reader: 'node + tsx, nothing read', seconds: 0, bytes: 0, sum: 0, traces: 0, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
      process.stdout.write(`${JSON.stringify(idle)}\n`);
    } else {
      await childRead(values['child-read'], values.mode === 'sync' ? 'sync' : 'async');
    }
    return;
  }
  const sizeGb = Number(values['size-gb']);
  const samples = Number(values.samples);
  const format = Number(values.format) as SampleFormatCode;
  if (!(sizeGb > 0) || !(samples > 0) || ![1, 5].includes(format)) {
    throw new Error('--size-gb must be > 0, --samples > 0 and --format 1 or 5.');
  }
  const traceBytes = 240 + samples * 4;
  const traces = Math.max(1, Math.round((sizeGb * 1e9 - 3600) / traceBytes));
  const dir = path.join(root, '.bench');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `segy-io-${sizeGb}gb-${samples}ns-f${format}.sgy`);
  const wantBytes = expectedFileSize(traces, samples, 4);
  if (fs.existsSync(file) && fs.statSync(file).size === wantBytes) {
    process.stderr.write(`Reusing ${path.relative(root, file)} (${(wantBytes / 1e9).toFixed(2)} GB)\n`);
  } else {
    fs.rmSync(file, { force: true });
    process.stderr.write(`Generating ${path.relative(root, file)}: ${traces} traces × ${samples} samples, format ${format} (${(wantBytes / 1e9).toFixed(2)} GB)\n`);
    generate(file, traces, samples, format);
  }

  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const self = fileURLToPath(import.meta.url);
  const results: ReadResult[] = [];
  for (const mode of ['async', 'sync']) {
    results.push(runChild(process.execPath, ['--import', tsx, self, '--child-read', file, '--mode', mode]));
  }
  const baseline = runChild(process.execPath, ['--import', tsx, self, '--child-read', file, '--mode', 'baseline']);
  const probe = spawnSync(PYTHON, ['-c', 'import segyio, numpy'], { encoding: 'utf8' });
  let segyio: ReadResult | undefined;
  if (probe.status === 0) {
    segyio = runChild(PYTHON, ['-c', SEGYIO_READ, file, String(DEFAULT_CHUNK_BYTES)]);
    results.push(segyio);
  } else {
    process.stderr.write(`segyio is not available to ${PYTHON}; skipping it (install python3-segyio).\n`);
  }

  const mbps = (r: ReadResult) => r.bytes / 1e6 / r.seconds;
  console.log(`\nSEG-Y streaming read, ${(wantBytes / 1e9).toFixed(2)} GB, ${traces} traces × ${samples} samples, format ${format}, page cache warm`);
  for (const r of results) {
    console.log(
      `  ${r.reader.padEnd(36)} ${r.seconds.toFixed(2).padStart(7)} s  ${mbps(r).toFixed(0).padStart(6)} MB/s  peak RSS ${r.maxRssMiB.toFixed(0).padStart(5)} MiB  sum ${r.sum.toPrecision(10)}`,
    );
  }
  console.log(`  (peak RSS of ${baseline.reader}: ${baseline.maxRssMiB.toFixed(0)} MiB)`);
  if (segyio) {
    for (const ours of results.slice(0, 2)) {
      console.log(`  ${ours.reader} / segyio throughput: ${(mbps(ours) / mbps(segyio)).toFixed(2)}×`);
      const relative = Math.abs(ours.sum - segyio.sum) / Math.max(1e-30, Math.abs(segyio.sum));
      if (relative > 1e-6) console.log(`  WARNING: sums differ by ${relative.toExponential(2)} relative`);
    }
  }
}

await main();
