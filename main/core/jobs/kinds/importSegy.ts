import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { JobKind } from '../jobKind.ts';
import { methods } from '../../api/contract.ts';
import { jobStagingDir } from '../../project/project.ts';
import { commitStagedDataset } from '../../datasets/staging.ts';
import { convertSegyFile, expandSegyPaths, type SegyImportedPart } from '../../datasets/segyImport.ts';
import { throwIfCancelled } from '../../util/abort.ts';

type Params = z.output<(typeof methods)['import.segy']['args']>;
interface State {
  files: string[];
  parts: SegyImportedPart[];
}

/** SEG-Y files → one dataset, one sample per file; resumes after the last completed file. */
export const importSegyJob: JobKind<Params, State, { datasetId: number }> = {
  kind: 'import.segy',
  paramsSchema: methods['import.segy'].args as unknown as z.ZodType<Params>,
  title: (p) => `Import SEG-Y: ${p.name ?? path.basename(p.paths[0])}${p.paths.length > 1 ? ` and ${p.paths.length - 1} more` : ''}`,
  async run(ctx, params) {
    const staging = jobStagingDir(ctx.projectDir, ctx.jobId);
    fs.mkdirSync(staging, { recursive: true });
    const files = ctx.resumeState?.files ?? expandSegyPaths(params.paths);
    const parts = [...(ctx.resumeState?.parts ?? [])];
    if (!ctx.resumeState) {
      ctx.log(`Importing ${files.length} SEG-Y file(s), gathers keyed by ${params.gatherKey}${params.resample ? `, resampled to ${params.resample.sources}×${params.resample.timeSamples}×${params.resample.receivers}` : ''}.`);
      ctx.checkpoint({ files, parts });
    }
    const totalBytes = files.reduce((sum, f) => sum + fs.statSync(f).size, 0);
    let doneBytes = files.slice(0, parts.length).reduce((sum, f) => sum + fs.statSync(f).size, 0);
    for (let index = parts.length; index < files.length; index += 1) {
      throwIfCancelled(ctx.signal);
      const file = files[index];
      const size = fs.statSync(file).size;
      const part = await convertSegyFile(file, staging, `file${index + 1}`, {
        gatherKey: params.gatherKey,
        target: params.resample,
        signal: ctx.signal,
        onNotice: (message) => ctx.log(message, 'warn'),
        onProgress: (p) => ctx.progress({ done: doneBytes + (size * p.done) / Math.max(1, p.total), total: totalBytes, unit: 'bytes', message: path.basename(file) }),
      });
      parts.push(part);
      doneBytes += size;
      ctx.checkpoint({ files, parts });
      ctx.log(`${path.basename(file)}: ${part.seismicShape![0]} gathers of ${part.seismicShape![1]} samples × ${part.seismicShape![2]} traces.`);
      ctx.progress({ done: doneBytes, total: totalBytes, unit: 'bytes' });
    }
    const dataset = commitStagedDataset(ctx.projectDir, ctx.catalogue, ctx.jobId, {
      name: params.name ?? (files.length === 1 ? path.basename(files[0]) : `${path.basename(path.dirname(files[0]))} (${files.length} SEG-Y files)`),
      kind: 'segy',
      source: files.length === 1 ? files[0] : path.dirname(files[0]),
      meta: { sampleIntervalMs: parts[0].meta.sampleIntervalMs, gatherKey: params.gatherKey, resample: params.resample, files },
      createdByJob: ctx.jobId,
      parts,
    });
    return { datasetId: dataset.id };
  },
};
