import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { JobKind } from '../jobs/jobKind.ts';
import { methods } from '../contract/contract.ts';
import { jobStagingDir } from '../store/project.ts';
import { commitStagedDataset, datasetFolderForJob, discardStagedDataset, resumeCommit } from './staging.ts';
import { convertSegyFile, expandSegyPaths, planSegyImport, type SegyImportedPart } from './segyImport.ts';
import { throwIfCancelled } from '../util/abort.ts';
import type { SegyLayout } from '../io/segy/reader.ts';

type Params = z.output<(typeof methods)['import.segy']['args']>;
interface State {
  files: string[];
  /** File indices per dataset to make (see planSegyImport); absent in a checkpoint of an older version. */
  groups?: number[][];
  labels?: string[];
  /** One per converted file, in file order; each staged in the subfolder of its group. */
  parts: SegyImportedPart[];
}

/** A converted file as a checkpoint holds it; one written before migration 6 kept its interval in meta. */
function partOfCheckpoint(part: SegyImportedPart): SegyImportedPart {
  if (typeof part.sampleIntervalMs === 'number') return part;
  const { sampleIntervalMs, ...meta } = part.meta as SegyImportedPart['meta'] & { sampleIntervalMs: number };
  return { ...part, sampleIntervalMs, meta };
}

/** Staging subfolder of group `g`; the dataset folder under arrays/ that it becomes. */
const stagedGroup = (g: number): string => `group${g + 1}`;
const groupFolder = (jobId: number, g: number): string => (g === 0 ? datasetFolderForJob(jobId) : `${datasetFolderForJob(jobId)}-${g + 1}`);

/**
 * SEG-Y files → one dataset per sampling (usually one), one sample per file; resumes after the last
 * completed file.
 */
export const importSegyJob: JobKind<Params, State, { datasetId: number; datasetIds: number[] }> = {
  kind: 'import.segy',
  paramsSchema: methods['import.segy'].args as unknown as z.ZodType<Params>,
  title: (p) => `Import SEG-Y: ${p.name ?? path.basename(p.paths[0])}${p.paths.length > 1 ? ` and ${p.paths.length - 1} more` : ''}`,
  async run(ctx, params) {
    const staging = jobStagingDir(ctx.projectDir, ctx.jobId);
    // A checkpoint without groups staged its files differently: start again.
    const resumed = ctx.resumeState?.groups ? ctx.resumeState : undefined;
    if (!resumed) fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    const files = resumed?.files ?? expandSegyPaths(params.paths);
    let groups = resumed?.groups;
    let labels = resumed?.labels ?? [];
    // Layouts read for the plan in this run; a resumed run reads each remaining file's headers once, in convertSegyFile.
    let layouts: SegyLayout[] = [];
    const parts = (resumed?.parts ?? []).map(partOfCheckpoint);
    if (!groups) {
      ctx.log(`Importing ${files.length} SEG-Y file(s), gathers keyed by ${params.gatherKey}${params.resample ? `, resampled to ${params.resample.sources}×${params.resample.timeSamples}×${params.resample.receivers}` : ''}.`);
      const plan = planSegyImport(files, params.resample, { onNotice: (message) => ctx.log(message, 'warn') });
      groups = plan.groups;
      labels = plan.labels;
      layouts = plan.layouts;
      for (const warning of plan.warnings) ctx.log(warning, 'warn');
      ctx.checkpoint({ files, groups, labels, parts });
    }
    const groupOf = new Map(groups.flatMap((members, g) => members.map((i) => [i, g] as const)));
    const totalBytes = files.reduce((sum, f) => sum + fs.statSync(f).size, 0);
    let doneBytes = files.slice(0, parts.length).reduce((sum, f) => sum + fs.statSync(f).size, 0);
    for (let index = parts.length; index < files.length; index += 1) {
      throwIfCancelled(ctx.signal);
      const file = files[index];
      const size = fs.statSync(file).size;
      const part = await convertSegyFile(layouts[index] ?? file, path.join(staging, stagedGroup(groupOf.get(index)!)), `file${index + 1}`, {
        gatherKey: params.gatherKey,
        target: params.resample,
        signal: ctx.signal,
        onNotice: (message) => ctx.log(message, 'warn'),
        onProgress: (p) => ctx.progress({ done: doneBytes + (size * p.done) / Math.max(1, p.total), total: totalBytes, unit: 'bytes', message: path.basename(file) }),
      });
      parts.push(part);
      doneBytes += size;
      ctx.checkpoint({ files, groups, labels, parts });
      ctx.log(part.meta.resampling?.summary ?? `${path.basename(file)}: ${part.seismicShape![0]} gathers of ${part.seismicShape![1]} samples × ${part.seismicShape![2]} traces.`);
      ctx.progress({ done: doneBytes, total: totalBytes, unit: 'bytes' });
    }
    const baseName = params.name ?? (files.length === 1 ? path.basename(files[0]) : `${path.basename(path.dirname(files[0]))} (${files.length} SEG-Y files)`);
    const datasetIds: number[] = [];
    for (const [g, members] of groups.entries()) {
      const folder = groupFolder(ctx.jobId, g);
      // An earlier run cut short while committing this group: finish that, do not build it again.
      const committed = resumeCommit(ctx.projectDir, ctx.catalogue, ctx.jobId, { staged: stagedGroup(g), folder });
      if (committed) {
        datasetIds.push(committed.id);
        continue;
      }
      const groupFiles = members.map((i) => files[i]);
      const groupParts = members.map((i) => parts[i]);
      const dataset = commitStagedDataset(
        ctx.projectDir,
        ctx.catalogue,
        ctx.jobId,
        {
          name: groups.length === 1 ? baseName : `${baseName} (${labels[g]})`,
          kind: 'segy',
          source: groupFiles.length === 1 ? groupFiles[0] : path.dirname(groupFiles[0]),
          sampleIntervalMs: groupParts[0].sampleIntervalMs,
          gridSpacingM: null,
          meta: {
            gatherKey: params.gatherKey,
            files: groupFiles,
            ...(params.resample
              ? {
                  resampling: {
                    target: { ...params.resample, sampleIntervalMs: params.resample.sampleIntervalMs ?? null },
                    files: groupParts.map((p) => p.meta.resampling),
                  },
                }
              : {}),
            paddedTraces: groupParts.reduce((sum, p) => sum + (p.meta.paddedTraces ?? 0), 0),
          },
          createdByJob: ctx.jobId,
          parts: groupParts,
        },
        { staged: stagedGroup(g), folder },
      );
      datasetIds.push(dataset.id);
    }
    // Every dataset is committed (each renamed its own subfolder away): nothing staged is left to keep.
    fs.rmSync(staging, { recursive: true, force: true });
    return { datasetId: datasetIds[0], datasetIds };
  },
  discard: (ctx) => {
    const groups = (ctx.resumeState as State | undefined)?.groups ?? [[]];
    discardStagedDataset(ctx.projectDir, ctx.catalogue, ctx.jobId, groups.map((_, g) => groupFolder(ctx.jobId, g)));
  },
};
