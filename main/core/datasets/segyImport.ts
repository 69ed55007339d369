import fs from 'node:fs';
import path from 'node:path';
import { listGathers, pickEvenly, readListedGathers, type GatherGrid } from '../io/segy/gathers.ts';
import { TRACE_FIELDS, type TraceHeader } from '../io/segy/fields.ts';
import { NpyWriter } from '../io/npy.ts';
import { openSegyLayout, type SegyLayout } from '../io/segy/reader.ts';
import type { SampleFormatCode } from '../io/segy/sampleFormats.ts';
import { StudioError } from '../contract/errors.ts';
import { throwIfCancelled } from '../util/abort.ts';
import type { WorkOptions } from '../util/progress.ts';
import type { NewDatasetPart } from '../store/catalogue.ts';
import { segyHeadersToStore, type StoredSegyHeaders } from './segyFileHeaders.ts';
import { describeResampling, type ResampledGatherFacts, type ResamplingReport } from './resamplingReport.ts';

export interface SegyImportTarget {
  sources: number;
  timeSamples: number;
  receivers: number;
  sampleIntervalMs?: number;
}

export interface SegyImportedPart extends NewDatasetPart {
  /** Interval of the stored samples (after any resampling). */
  sampleIntervalMs: number;
  meta: {
    sourceFile: string;
    gatherKey: string;
    gatherKeyValues: number[];
    headerFields: string[];
    /** [sample][source] → traces in that gather before padding (receivers beyond are zero). */
    tracesPerGather: number[][];
    /** Zero traces added to make shorter gathers as wide as the widest (marked 0 in the trace mask). */
    paddedTraces: number;
    /** The file's own sampling and sample format, as its headers state them. */
    fileSampleIntervalMs: number;
    fileSamplesPerTrace: number;
    sampleFormat: { code: number; description: string };
    /** What resampling did (intervals, spacings, picked gathers, warnings); null when not resampled. */
    resampling: ResamplingReport | null;
    /** The file's textual and binary headers, for the header viewer. */
    segyHeaders: StoredSegyHeaders;
  };
}

/** Short names of SEG-Y sample formats, for dataset names. */
const FORMAT_SHORT_NAMES: Record<SampleFormatCode, string> = {
  1: 'IBM float',
  2: 'int32',
  3: 'int16',
  5: 'IEEE float',
  6: 'float64',
  7: 'int24',
  8: 'int8',
  9: 'int64',
  10: 'uint32',
  11: 'uint16',
  12: 'uint64',
  15: 'uint24',
  16: 'uint8',
};

/** A file's sampling as its binary header states it. */
export interface SegyFileSampling {
  file: string;
  sampleIntervalUs: number;
  samplesPerTrace: number;
  format: { code: SampleFormatCode; description: string };
}

/** Which files go into which dataset, and why. */
export interface SegyImportPlan {
  sampling: SegyFileSampling[];
  /** File indices per dataset, in file order; one group unless the files' sampling differs. */
  groups: number[][];
  /** Per group, what its files share (for the dataset name when there are several): '4 ms × 75 samples, int16'. */
  labels: string[];
  /** Why files were split or what a merge hides; to be logged as warnings. */
  warnings: string[];
  /** Each file's layout as read for the plan, for converting it without reading its headers again (not for checkpoints). */
  layouts: SegyLayout[];
}

const msText = (us: number): string => `${Number((us / 1000).toPrecision(6))} ms`;

/**
 * Groups the files of one import by sampling. A dataset holds one time axis, so files are never
 * relabelled with another file's interval:
 * - without resampling, files that differ in sample interval, samples per trace or sample format
 *   become separate datasets (a faithful copy of int16 counts and IBM floats in one array would
 *   put incomparable amplitudes side by side);
 * - resampled with a sample interval (a common grid the user asked for), all files form one dataset,
 *   with a warning when their sample formats differ;
 * - resampled without an interval, each file keeps its record length (dt = record / time samples),
 *   so files with different record lengths still become separate datasets.
 */
export function planSegyImport(
  files: string[],
  target: SegyImportTarget | null,
  options: WorkOptions & { openLayout?: typeof openSegyLayout } = {},
): SegyImportPlan {
  const openLayout = options.openLayout ?? openSegyLayout;
  const layouts = files.map((file) => openLayout(file, { onNotice: options.onNotice }));
  const sampling: SegyFileSampling[] = layouts.map((layout, i) => ({
    file: files[i],
    sampleIntervalUs: layout.sampleIntervalUs,
    samplesPerTrace: layout.samplesPerTrace,
    format: { code: layout.format.code, description: layout.format.description },
  }));
  const outputIntervalUs = (s: SegyFileSampling): number =>
    target ? (target.sampleIntervalMs ? target.sampleIntervalMs * 1000 : (s.sampleIntervalUs * s.samplesPerTrace) / target.timeSamples) : s.sampleIntervalUs;
  const keyOf = (s: SegyFileSampling): string => {
    if (!target) return `${s.sampleIntervalUs}/${s.samplesPerTrace}/${s.format.code}`;
    if (target.sampleIntervalMs) return 'common';
    return outputIntervalUs(s).toPrecision(9);
  };
  const labelOf = (s: SegyFileSampling): string =>
    target ? `${msText(outputIntervalUs(s))} × ${target.timeSamples} samples` : `${msText(s.sampleIntervalUs)} × ${s.samplesPerTrace} samples, ${FORMAT_SHORT_NAMES[s.format.code]}`;
  const byKey = new Map<string, number>();
  const groups: number[][] = [];
  const labels: string[] = [];
  sampling.forEach((s, index) => {
    const key = keyOf(s);
    let group = byKey.get(key);
    if (group === undefined) {
      group = groups.length;
      byKey.set(key, group);
      groups.push([]);
      labels.push(labelOf(s));
    }
    groups[group].push(index);
  });

  const warnings: string[] = [];
  const name = (s: SegyFileSampling) => path.basename(s.file);
  const listed = (lines: string[]) => (lines.length > 10 ? [...lines.slice(0, 10), `… and ${lines.length - 10} more`] : lines).join('; ');
  if (groups.length > 1) {
    const perFile = sampling.map((s, i) => {
      const group = groups.findIndex((g) => g.includes(i));
      const own = `${msText(s.sampleIntervalUs)} × ${s.samplesPerTrace} samples, ${s.format.description}`;
      return `${name(s)}: ${own}${target ? ` → ${labels[group]}` : ''} (dataset ${group + 1})`;
    });
    const why = target
      ? `resampled to ${target.timeSamples} time samples without a common interval, each file keeps its record length, so their intervals differ`
      : 'they differ in sample interval, samples per trace or sample format';
    warnings.push(
      `The ${files.length} SEG-Y files were kept as ${groups.length} separate datasets, not relabelled with one file's interval: ${why}. ${listed(perFile)}. ` +
        `To make one dataset, resample them to a common grid with an interval: in the import dialog switch on resampling and give the interval; on the command line add --resample SOURCESxTIMExRECEIVERS --dt-ms MS.`,
    );
  }
  for (const group of groups) {
    const formats = new Set(group.map((i) => sampling[i].format.code));
    if (formats.size > 1) {
      warnings.push(
        `The files' sample formats differ (${listed(group.map((i) => `${name(sampling[i])}: ${sampling[i].format.description}`))}), yet they were resampled into one dataset as asked: ` +
          'their amplitudes may be in different units (counts, volts, scaled floats). Import them without resampling to keep them apart.',
      );
    }
  }
  return { sampling, groups, labels, warnings, layouts };
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
 * Converts one SEG-Y file into one sample of OpenFWI's layout, one gather at a time. The file's
 * gather key is scanned once; only the gathers kept (all, or `target.sources` picked evenly) are
 * then read, decoded and resampled:
 * seismic `[1, gathers, time, receivers]` (gathers padded with zero traces to the widest one, or
 * resampled to `target`), its trace headers `[1, gathers, traces, fields]` int32 (raw values), and
 * its trace mask `[1, gathers, receivers]` uint8 (1 = a trace of the file, 0 = padding). Files are
 * written into `outDir` as `<stem>.seismic.npy` / `.headers.npy` / `.tracemask.npy` through
 * temporaries. Padding is announced through `onNotice`.
 */
export async function convertSegyFile(
  source: string | SegyLayout,
  outDir: string,
  stem: string,
  options: WorkOptions & { gatherKey: string; target: SegyImportTarget | null },
): Promise<SegyImportedPart> {
  const listing = await listGathers(source, { key: options.gatherKey, signal: options.signal, onNotice: options.onNotice });
  const file = listing.layout.path;
  if (listing.gathers.length === 0) throw new StudioError('bad_file', `${file}: the file has no traces to group into shot gathers.`);
  const { layout } = listing;
  const target = options.target;
  const chosen = target ? pickEvenly(listing.gathers.length, target.sources) : listing.gathers.map((_, i) => i);
  const widest = Math.max(...chosen.map((i) => listing.gathers[i].traceIndices.length));
  const timeSamples = target ? target.timeSamples : layout.samplesPerTrace;
  const receivers = target ? target.receivers : widest;
  const grid: GatherGrid | undefined = target
    ? { timeSamples: target.timeSamples, receivers: target.receivers, sampleIntervalUs: target.sampleIntervalMs ? target.sampleIntervalMs * 1000 : undefined }
    : undefined;
  const fields = TRACE_FIELDS.map((f) => f.name);
  const seismicName = `${stem}.seismic.npy`;
  const headersName = `${stem}.headers.npy`;
  const maskName = `${stem}.tracemask.npy`;
  const seismic = new NpyWriter(path.join(outDir, seismicName), { shape: [1, chosen.length, timeSamples, receivers] });
  const headers = new NpyWriter(path.join(outDir, headersName), { shape: [1, chosen.length, widest, fields.length], dtype: 'i4' });
  const mask = new NpyWriter(path.join(outDir, maskName), { shape: [1, chosen.length, receivers], dtype: 'u1' });
  const tracesPerGather: number[] = [];
  const keyValues: number[] = [];
  const picked: ResampledGatherFacts[] = [];
  let sampleIntervalUs = layout.sampleIntervalUs;
  try {
    let written = 0;
    for await (const gather of readListedGathers(listing, { keep: chosen, resample: grid, signal: options.signal })) {
      throwIfCancelled(options.signal);
      sampleIntervalUs = gather.sampleIntervalUs;
      const padded = new Float32Array(timeSamples * receivers);
      if (gather.receivers === receivers) padded.set(gather.traces);
      else for (let t = 0; t < timeSamples; t += 1) padded.set(gather.traces.subarray(t * gather.receivers, (t + 1) * gather.receivers), t * receivers);
      seismic.write(padded);
      const headerRows = new Int32Array(widest * fields.length);
      gather.headers.forEach((h: TraceHeader, r) => fields.forEach((name, f) => (headerRows[r * fields.length + f] = h[name as keyof TraceHeader])));
      headers.write(headerRows);
      // Resampled gathers are interpolated from recorded traces over the whole width: no padding.
      mask.write(new Uint8Array(receivers).fill(1, 0, target ? receivers : gather.receivers));
      tracesPerGather.push(gather.headers.length);
      picked.push({ keyValue: gather.keyValue, traces: gather.headers.length, geometry: gather.geometry, offsets: gather.offsets });
      keyValues.push(gather.keyValue);
      written += 1;
      options.onProgress?.({ done: written, total: chosen.length, unit: 'gathers' });
    }
    seismic.commit();
    headers.commit();
    mask.commit();
  } catch (error) {
    seismic.abort();
    headers.abort();
    mask.abort();
    throw error;
  }
  const resampling = target
    ? describeResampling({
        file,
        key: listing.key,
        totalGathers: listing.gathers.length,
        gathers: picked,
        fileIntervalUs: layout.sampleIntervalUs,
        fileSamples: layout.samplesPerTrace,
        outIntervalUs: sampleIntervalUs,
        target,
      })
    : null;
  if (resampling) for (const warning of resampling.warnings) options.onNotice?.(warning);
  const paddedTraces = target ? 0 : tracesPerGather.reduce((sum, n) => sum + receivers - n, 0);
  if (paddedTraces > 0) {
    const short = tracesPerGather.map((n, g) => ({ n, key: keyValues[g] })).filter((g) => g.n < receivers);
    const listed = short.slice(0, 10).map((g) => `${listing.key} ${g.key}: ${receivers - g.n}`).join(', ') + (short.length > 10 ? `, … ${short.length - 10} more` : '');
    options.onNotice?.(
      `${path.basename(file)}: its gathers (by ${listing.key}) hold ${Math.min(...tracesPerGather)} to ${receivers} traces, so ${short.length} of ${tracesPerGather.length} were padded to ${receivers} receivers ` +
        `with ${paddedTraces} zero traces that are not in the file (${listed}). They are marked in the trace mask ${maskName} (1 = recorded, 0 = padding), ` +
        'left out of the shot gathers\' statistics and drawn hatched in the viewer; to give every gather the same receivers from recorded traces instead, import with resampling.',
    );
  }
  return {
    nSamples: 1,
    seismicFile: seismicName,
    velocityFile: null,
    headersFile: headersName,
    traceMaskFile: maskName,
    seismicShape: [chosen.length, timeSamples, receivers],
    velocityShape: null,
    sampleIntervalMs: sampleIntervalUs / 1000,
    meta: {
      sourceFile: file,
      gatherKey: listing.key,
      gatherKeyValues: keyValues,
      headerFields: fields,
      tracesPerGather: [tracesPerGather],
      paddedTraces,
      fileSampleIntervalMs: layout.sampleIntervalUs / 1000,
      fileSamplesPerTrace: layout.samplesPerTrace,
      sampleFormat: { code: layout.format.code, description: layout.format.description },
      resampling,
      segyHeaders: segyHeadersToStore(layout),
    },
  };
}
