/**
 * A SEG-Y import reads each file's headers once (for the plan), scans its gather key once, and reads,
 * decodes and resamples only the gathers it keeps; what it writes equals the gathers read and
 * resampled one by one through the streaming reader.
 */
import { describe, it, expect, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sharedDir } from '../util/paths.ts';
import { openNpy, readNpyRows } from '../io/npy.ts';
import { openSegyLayout } from '../io/segy/reader.ts';
import { listGathers, pickEvenly, readShotGathers } from '../io/segy/gathers.ts';
import { convertSegyFile, planSegyImport, type SegyImportTarget } from './segyImport.ts';

const segyDir = path.join(sharedDir(), 'testdata', 'segy');
/** segyio's shot gathers: 4 gathers by FieldRecord, each a run of consecutive traces. */
const shotGatherFile = path.join(segyDir, 'segyio__shot-gather.sgy');
/** segyio's F3 cube: by CDP its 18 gathers are spread over the file (every 18th trace). */
const f3File = path.join(segyDir, 'segyio__f3.sgy');

let dir = '';
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('SEG-Y import reads each file once', () => {
  const cases: { file: string; key: string; target: SegyImportTarget }[] = [
    { file: shotGatherFile, key: 'FieldRecord', target: { sources: 2, timeSamples: 40, receivers: 8 } },
    { file: f3File, key: 'CDP', target: { sources: 3, timeSamples: 50, receivers: 6, sampleIntervalMs: 3 } },
  ];

  it('opens each file once, scans its gather key once, and decodes and resamples only the gathers it keeps', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-segy-once-'));
    const opened: string[] = [];
    const countingOpen: typeof openSegyLayout = (file, options) => {
      opened.push(file);
      return openSegyLayout(file, options);
    };
    for (const [index, { file, key, target }] of cases.entries()) {
      const plan = planSegyImport([file], target, { openLayout: countingOpen });
      const layout = plan.layouts[0];
      const part = await convertSegyFile(layout, dir, `file${index + 1}`, { gatherKey: key, target });

      // The truth, from a listing and a streaming read of its own (which resamples every gather).
      const listing = await listGathers(file, { key });
      const kept = pickEvenly(listing.gathers.length, target.sources);
      const keptTraces = kept.reduce((sum, g) => sum + listing.gathers[g].traceIndices.length, 0);
      expect(keptTraces).toBeLessThan(layout.traceCount);
      expect(layout.reads).toEqual({ fieldScans: 1, tracesDecoded: keptTraces });
      expect(part.meta.gatherKeyValues).toEqual(kept.map((g) => listing.gathers[g].keyValue));
      expect(part.meta.tracesPerGather).toEqual([kept.map((g) => listing.gathers[g].traceIndices.length)]);

      const grid = { timeSamples: target.timeSamples, receivers: target.receivers, sampleIntervalUs: target.sampleIntervalMs ? target.sampleIntervalMs * 1000 : undefined };
      const expected: Float32Array[] = [];
      for await (const gather of readShotGathers(file, { key, ordering: listing.contiguous ? 'contiguous' : 'indexed', resample: grid })) {
        if (kept.includes(gather.gatherIndex)) expected.push(gather.traces);
      }
      const seismic = readNpyRows(openNpy(path.join(dir, part.seismicFile!)), 0, 1);
      const perGather = target.timeSamples * target.receivers;
      expect(seismic.length).toBe(kept.length * perGather);
      expected.forEach((traces, g) => expect(seismic.subarray(g * perGather, (g + 1) * perGather)).toEqual(traces));
    }
    expect(opened).toEqual(cases.map((c) => c.file));
  });

  it('without resampling keeps every gather and decodes every trace once', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-segy-once-'));
    const layout = openSegyLayout(f3File);
    const part = await convertSegyFile(layout, dir, 'file1', { gatherKey: 'CDP', target: null });
    expect(layout.reads).toEqual({ fieldScans: 1, tracesDecoded: layout.traceCount });
    expect(part.seismicShape).toEqual([18, 75, 23]);
    // Gathers spread over the file: read from wherever their traces lie, still without a second scan.
    expect((await listGathers(f3File, { key: 'CDP' })).contiguous).toBe(false);
  });
});
