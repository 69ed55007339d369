/**
 * The compression lab with the committed default stage-1 model (onnxruntime-node): the command
 * line's contract JSON on the demo project's seismic, its sizes and the learned methods' scores
 * checked against a direct computation from stage 1's own encode/quantise/decode and node's zlib;
 * and a tiny study on held-out synthesis through the contract, with its report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { missing } from '../util/testing/requirement.ts';
import { appRoot, resourcesDir } from '../util/paths.ts';
import { readNpy } from '../io/npy.ts';
import { OnnxSessionPool } from '../ml/onnxPool.ts';
import { loadStage1 } from '../ml/reconstruct.ts';
import { shippedModelsDir } from '../ml/modelRegistry.ts';
import { Studio } from '../app/studio.ts';
import { studioJobKinds } from '../app/jobKinds.ts';
import { dispatch } from '../api/handlers.ts';
import type { JobInfo, StudyInfo, StudyReport } from '../contract/contract.ts';
import { COMPRESSION_METHODS } from './compression.ts';

const seismicFile = path.join(resourcesDir(), 'demo', 'openfwi', 'openfwi-style pairs', 'data1.npy');
const present = fs.existsSync(path.join(shippedModelsDir(), 'stage1', 'manifest.json')) && fs.existsSync(seismicFile);
const METRICS = ['ratio', 'size_pct', 'bytes', 'snr_db', 'psnr_db', 'ssim', 'corr', 'nrms', 'mae', 'amp', 'phase'];

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-compression-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** SNR and NRMS straight from their definitions, for the check of the learned methods. */
function direct(s: Float32Array, r: Float32Array): { snr: number; nrms: number } {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < s.length; i++) {
    signal += s[i] ** 2;
    noise += (s[i] - r[i]) ** 2;
  }
  return { snr: 10 * Math.log10(signal / noise), nrms: Math.sqrt(noise / signal) };
}

describe.skipIf(missing('the default stage-1 model and the demo seismic (committed)', present))('compression lab', () => {
  it('wavediff study compression --seismic S.npy --model default --json prints the contract JSON', async () => {
    const run = spawnSync(process.execPath, [path.join(appRoot(), 'bin', 'wavediff.mjs'), 'study', 'compression', '--seismic', seismicFile, '--model', 'default', '--threads', '2', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, WAVEDIFF_DATA_DIR: path.join(dir, 'cli-data') },
    });
    expect(run.status, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as { methods: Record<string, Record<string, number | null>> };
    expect(Object.keys(printed)).toEqual(['methods']);
    expect(Object.keys(printed.methods)).toEqual([...COMPRESSION_METHODS]);
    for (const m of COMPRESSION_METHODS) expect(Object.keys(printed.methods[m]).sort(), m).toEqual([...METRICS].sort());

    const { data: seismic, shape } = readNpy(seismicFile);
    const [n, sources, time, receivers] = shape;
    const bytes = seismic.byteLength;
    // Stored sizes: float32 latent [8, 16, 16]; 9-bit codes on 16 × 16; B bits a value plus lo/hi per gather.
    expect(printed.methods.latent.ratio).toBe(bytes / (n * 8 * 16 * 16 * 4));
    expect(printed.methods.codes.ratio).toBe(bytes / (n * Math.ceil((16 * 16 * 9) / 8)));
    for (const bits of [4, 6, 8, 12, 16]) {
      expect(printed.methods[`quant${bits}`].ratio).toBe(bytes / (n * sources * (Math.ceil((time * receivers * bits) / 8) + 8)));
    }
    const deflated = Array.from({ length: n }, (_, i) => zlib.deflateSync(Buffer.from(seismic.buffer, i * (bytes / n), bytes / n)).length).reduce((a, b) => a + b, 0);
    expect(printed.methods.deflate.ratio).toBe(bytes / deflated);
    for (const lossless of ['zstd', 'deflate']) {
      expect(printed.methods[lossless]).toMatchObject({ snr_db: null, psnr_db: null, nrms: 0, mae: 0, ssim: 1, corr: 1, amp: 0, phase: 0 });
      expect(printed.methods[lossless].ratio).toBeGreaterThan(1);
    }
    // More bits, better fidelity and less compression.
    const snr = [4, 6, 8, 12, 16].map((b) => printed.methods[`quant${b}`].snr_db as number);
    for (let i = 1; i < snr.length; i++) expect(snr[i]).toBeGreaterThan(snr[i - 1] + 5);

    // The learned methods against stage 1 run directly: codes = encode → quantise → decode; latent = encode → decode.
    const pool = new OnnxSessionPool({ workers: 1, intraOpThreads: 1 });
    try {
      const stage1 = await loadStage1(pool, 'default', null);
      const latent = await stage1.encode(seismic, n);
      const viaLatent = direct(seismic, await stage1.decodeSeismic(latent, n));
      const viaCodes = direct(seismic, await stage1.decodeSeismic(await stage1.quantize(latent, n), n));
      expect(Math.abs((printed.methods.latent.snr_db as number) - viaLatent.snr)).toBeLessThan(1e-3);
      expect(Math.abs((printed.methods.codes.snr_db as number) - viaCodes.snr)).toBeLessThan(1e-3);
      expect(Math.abs((printed.methods.codes.nrms as number) - viaCodes.nrms)).toBeLessThan(1e-4);
      // The continuous latent is not the quantised one: the two reconstructions differ.
      expect(viaLatent.snr).not.toBe(viaCodes.snr);
    } finally {
      await pool.close();
    }
  }, 180_000);

  it('runs on held-out pairs through the contract and writes its report with trade-off plots and spectra', async () => {
    const studio = new Studio({ dataDir: path.join(dir, 'user'), shell: 'cli', jobKinds: studioJobKinds() });
    try {
      studio.user.updateSettings({ workerThreads: 2 });
      await studio.createProject(path.join(dir, 'project'), 'compression test');
      const started = (await dispatch(studio, 'study.start', { kind: 'compression', params: { count: 1 } })) as JobInfo;
      const job = await studio.jobs.waitFor(started.id);
      expect(job.status, job.error ?? '').toBe('done');
      const [study] = (await dispatch(studio, 'study.list', {})) as StudyInfo[];
      expect(study).toMatchObject({ kind: 'compression', status: 'done', params: { count: 1, stage1: 'default', sampleIntervalMs: 1 } });
      const report = (await dispatch(studio, 'study.open', { studyId: study.id })) as StudyReport;
      expect(report.markdown).toMatch(/^# Compression lab: 1 held-out pair, default/);
      expect(report.markdown).toContain('1 held-out pair of');
      expect(report.table.rows.map((r) => r[0])).toEqual([
        'stage-1 latent (continuous)', 'stage-1 codes (discrete)', 'uniform 4 bit', 'uniform 6 bit', 'uniform 8 bit', 'uniform 12 bit', 'uniform 16 bit', 'zstd (lossless)', 'deflate (lossless)',
      ]);
      expect(report.plots.map((p) => p.file)).toEqual(['plots/tradeoff-snr.png', 'plots/tradeoff-ssim.png', 'plots/tradeoff-nrms.png', 'plots/tradeoff-amp.png', 'plots/tradeoff-phase.png', 'plots/spectra.png']);
      const spectra = report.results.spectra as { frequency_hz: number[]; original: number[]; methods: Record<string, number[]> };
      expect(spectra.frequency_hz[1]).toBeCloseTo(1 / 1.024, 9);
      expect(spectra.methods.zstd).toEqual(spectra.original);
      expect(Object.keys(study.summary!)).toEqual(['methods']);
    } finally {
      await studio.shutdown();
    }
  }, 180_000);
});
