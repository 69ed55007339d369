import fs from 'node:fs';
import path from 'node:path';
import { listGathers, pickEvenly, readShotGathers, type GatherGrid } from '../io/segy/gathers.ts';
import { TRACE_FIELDS, type TraceHeader } from '../io/segy/fields.ts';
import { NpyWriter } from '../io/npy.ts';
import { StudioError } from '../util/errors.ts';
import { throwIfCancelled } from '../util/abort.ts';
import type { WorkOptions } from '../util/progress.ts';
import type { NewDatasetPart } from '../project/catalogue.ts';

export interface SegyImportTarget {
  sources: number;
  timeSamples: number;
  receivers: number;
  sampleIntervalMs?: number;
}

export interface SegyImportedPart extends NewDatasetPart {
  meta: {
    sourceFile: string;
    gatherKey: string;
    gatherKeyValues: number[];
    headerFields: string[];
    /** [sample][source] → traces in that gather before padding (receivers beyond are zero). */
    tracesPerGather: number[][];
    sampleIntervalMs: number;
  };
}

const segyExtension = /\.(sgy|segy)$/i;

/** Expands the user's selection (files and folders) into the SEG-Y files to import, in a stable order. */
export function expandSegyPaths(paths: string[]): string[] {
  const files: string[] = [];
  for (const given of paths) {
    const absolute = path.resolve(given);
    if (!fs.existsSync(absolute)) throw new StudioError('not_found', `${absolute} does not exist.`);
    if (fs.statSync(absolute).isDirectory()) {
      const inFolder = fs
        .readdirSync(absolute)
        .filter((n) => segyExtension.test(n))
        .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
        .map((n) => path.join(absolute, n));
      if (inFolder.length === 0) throw new StudioError('not_found', `${absolute} holds no .sgy or .segy files.`);
      files.push(...inFolder);
    } else {
      files.push(absolute);
    }
  }
  return [...new Set(files)];
}

/**
 * Converts one SEG-Y file into one sample of OpenFWI's layout, streaming one gather at a time:
 * seismic `[1, gathers, time, receivers]` (gathers padded with zero traces to the widest one, or
 * resampled to `target`), and its trace headers `[1, gathers, traces, fields]` int32 (raw values).
 * Files are written into `outDir` as `<stem>.seismic.npy` / `<stem>.headers.npy` through temporaries.
 */
export async function convertSegyFile(
  file: string,
  outDir: string,
  stem: string,
  options: WorkOptions & { gatherKey: string; target: SegyImportTarget | null },
): Promise<SegyImportedPart> {
  const listing = await listGathers(file, { key: options.gatherKey, signal: options.signal, onNotice: options.onNotice });
  if (listing.gathers.length === 0) throw new StudioError('bad_file', `${file}: the file has no traces to group into shot gathers.`);
  const { layout } = listing;
  const target = options.target;
  const chosen = target ? pickEvenly(listing.gathers.length, target.sources) : listing.gathers.map((_, i) => i);
  const chosenSet = new Set(chosen);
  const widest = Math.max(...chosen.map((i) => listing.gathers[i].traceIndices.length));
  const timeSamples = target ? target.timeSamples : layout.samplesPerTrace;
  const receivers = target ? target.receivers : widest;
  const grid: GatherGrid | undefined = target
    ? { timeSamples: target.timeSamples, receivers: target.receivers, sampleIntervalUs: target.sampleIntervalMs ? target.sampleIntervalMs * 1000 : undefined }
    : undefined;
  const fields = TRACE_FIELDS.map((f) => f.name);
  const seismicName = `${stem}.seismic.npy`;
  const headersName = `${stem}.headers.npy`;
  const seismic = new NpyWriter(path.join(outDir, seismicName), { shape: [1, chosen.length, timeSamples, receivers] });
  const headers = new NpyWriter(path.join(outDir, headersName), { shape: [1, chosen.length, widest, fields.length], dtype: 'i4' });
  const tracesPerGather: number[] = [];
  const keyValues: number[] = [];
  let sampleIntervalUs = layout.sampleIntervalUs;
  try {
    const ordering = listing.contiguous ? 'contiguous' : 'indexed';
    let written = 0;
    for await (const gather of readShotGathers(file, { key: options.gatherKey, ordering, resample: grid, signal: options.signal, onNotice: options.onNotice })) {
      throwIfCancelled(options.signal);
      if (!chosenSet.has(gather.gatherIndex)) continue;
      sampleIntervalUs = gather.sampleIntervalUs;
      const padded = new Float32Array(timeSamples * receivers);
      if (gather.receivers === receivers) padded.set(gather.traces);
      else for (let t = 0; t < timeSamples; t += 1) padded.set(gather.traces.subarray(t * gather.receivers, (t + 1) * gather.receivers), t * receivers);
      seismic.write(padded);
      const headerRows = new Int32Array(widest * fields.length);
      gather.headers.forEach((h: TraceHeader, r) => fields.forEach((name, f) => (headerRows[r * fields.length + f] = h[name as keyof TraceHeader])));
      headers.write(headerRows);
      tracesPerGather.push(gather.headers.length);
      keyValues.push(gather.keyValue);
      written += 1;
      options.onProgress?.({ done: written, total: chosen.length, unit: 'gathers' });
    }
    seismic.commit();
    headers.commit();
  } catch (error) {
    seismic.abort();
    headers.abort();
    throw error;
  }
  return {
    nSamples: 1,
    seismicFile: seismicName,
    velocityFile: null,
    headersFile: headersName,
    seismicShape: [chosen.length, timeSamples, receivers],
    velocityShape: null,
    meta: {
      sourceFile: file,
      gatherKey: listing.key,
      gatherKeyValues: keyValues,
      headerFields: fields,
      tracesPerGather: [tracesPerGather],
      sampleIntervalMs: sampleIntervalUs / 1000,
    },
  };
}
