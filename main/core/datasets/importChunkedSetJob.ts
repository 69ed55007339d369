import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { JobKind } from '../jobs/jobKind.ts';
import { methods } from '../contract/contract.ts';
import { StudioError } from '../contract/errors.ts';
import { jobStagingDir } from '../store/project.ts';
import { throwIfCancelled } from '../util/abort.ts';
import { commitStagedDataset, discardStagedDataset, resumeCommit } from './staging.ts';
import { canonicalJson, checkChunkFiles, linkOrCopyFile, readManifest } from '../io/chunkedSet.ts';
import { projectGeometry } from '../physics/projectGeometry.ts';
import { sampleIntervalMs } from '../contract/acquisitionGeometry.ts';

type Params = z.output<(typeof methods)['import.chunkedSet']['args']>;

/**
 * A whole chunked set (the --out folder of an unsharded wavediff synth/generate, or of wavediff
 * merge) → one dataset of the project. Its manifest is checked first: a whole run, the project's
 * acquisition geometry, every file's sha256. The chunk files are then hard-linked into the job's
 * staging folder (no copy, where the set lies on the project's file system), copied otherwise, and
 * committed together; a rerun after a crash places them again from the start.
 */
export const importChunkedSetJob: JobKind<Params, never, { datasetId: number; copied: number }> = {
  kind: 'import.chunkedSet',
  paramsSchema: methods['import.chunkedSet'].args as unknown as z.ZodType<Params>,
  title: (p) => `Register the set in ${p.folder}`,
  async run(ctx, params) {
    const committed = resumeCommit(ctx.projectDir, ctx.catalogue, ctx.jobId);
    if (committed) return { datasetId: committed.id, copied: 0 };
    const folder = path.resolve(params.folder);
    const manifest = readManifest(folder);
    if (manifest.samples.start !== 0 || manifest.samples.end !== manifest.count) {
      throw new StudioError(
        'bad_input',
        `${folder} holds shard ${manifest.shard.index}/${manifest.shard.count} (samples ${manifest.samples.start}–${manifest.samples.end - 1} of ${manifest.count}), not a whole set; merge the shards first (wavediff merge … --out DIR) and register DIR.`,
      );
    }
    const geometry = projectGeometry(ctx.catalogue);
    if (canonicalJson(manifest.geometry) !== canonicalJson(geometry)) {
      throw new StudioError(
        'bad_input',
        `${folder} was made with another acquisition geometry than the project's (manifest.json's "geometry" differs); register it in a project with that geometry, or set the project's geometry to it first.`,
      );
    }
    const staging = jobStagingDir(ctx.projectDir, ctx.jobId);
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    let copied = 0;
    for (const [i, chunk] of manifest.chunks.entries()) {
      throwIfCancelled(ctx.signal);
      checkChunkFiles(folder, chunk);
      for (const file of [chunk.data, chunk.model]) if (file !== null && linkOrCopyFile(path.join(folder, file), path.join(staging, file))) copied += 1;
      ctx.progress({ done: i + 1, total: manifest.chunks.length, unit: 'files' });
    }
    if (copied > 0) ctx.log(`Copied ${copied} files: ${folder} is not on the project's file system.`);
    const dataset = commitStagedDataset(ctx.projectDir, ctx.catalogue, ctx.jobId, {
      name: params.name ?? path.basename(folder),
      kind: manifest.kind === 'generation' ? 'generated' : 'synthetic',
      source: folder,
      sampleIntervalMs: sampleIntervalMs(geometry),
      gridSpacingM: geometry.spacingMeters,
      meta: { chunkedSet: { kind: manifest.kind, run: manifest.run, models: manifest.models }, geometry: geometry },
      createdByJob: ctx.jobId,
      parts: manifest.chunks.map((chunk) => ({
        nSamples: chunk.samples,
        seismicFile: chunk.data,
        velocityFile: chunk.model,
        seismicShape: manifest.seismicShape,
        velocityShape: manifest.velocityShape,
        meta: { firstSample: chunk.first },
      })),
    });
    return { datasetId: dataset.id, copied };
  },
  discard: (ctx) => discardStagedDataset(ctx.projectDir, ctx.catalogue, ctx.jobId),
};
