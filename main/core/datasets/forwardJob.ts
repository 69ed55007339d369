import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { JobKind, JobServices } from '../jobs/jobKind.ts';
import type { FdPoolService } from '../physics/pool.ts';
import { methods, type DatasetDetail, type DatasetPart } from '../contract/contract.ts';
import { jobStagingDir, projectArrayPath } from '../store/project.ts';
import { projectGeometry } from '../physics/projectGeometry.ts';
import { commitStagedDataset, discardStagedDataset, resumeCommit } from './staging.ts';
import { NpyWriter, openNpy, readNpyRows, writeNpy } from '../io/npy.ts';
import { recordedSamples } from '../physics/acquisition.ts';
import { StudioError } from '../contract/errors.ts';
import { throwIfCancelled } from '../util/abort.ts';
import { sampleIntervalMs } from '../contract/acquisitionGeometry.ts';

/** The rows of each part to model: all of them, or the one part row that holds dataset sample `sample`. */
function selectedRows(dataset: Pick<DatasetDetail, 'name' | 'nSamples' | 'parts'>, sample: number | undefined): { part: DatasetPart; first: number; count: number }[] {
  if (sample === undefined) return dataset.parts.map((part) => ({ part, first: 0, count: part.nSamples }));
  let offset = 0;
  for (const part of dataset.parts) {
    if (sample < offset + part.nSamples) return [{ part, first: sample - offset, count: 1 }];
    offset += part.nSamples;
  }
  throw new StudioError('bad_input', `Sample ${sample} is out of range: dataset '${dataset.name}' holds samples 0–${dataset.nSamples - 1}.`);
}

type Params = z.output<(typeof methods)['physics.forward']['args']>;
interface State {
  partsDone: number;
}

/**
 * A dataset's velocity models → their seismic with the project's geometry, as a new dataset of pairs
 * (velocity copied beside the modelled seismic). Each part file is committed whole; a resumed job
 * continues with the next part.
 */
export const forwardJob: JobKind<Params, State, { datasetId: number }, JobServices & FdPoolService> = {
  kind: 'physics.forward',
  paramsSchema: methods['physics.forward'].args as unknown as z.ZodType<Params>,
  title: (p) => (p.sample === undefined ? `Forward-model dataset ${p.datasetId}` : `Forward-model sample ${p.sample} of dataset ${p.datasetId}`),
  async run(ctx, params) {
    // An earlier run that was cut short while committing: finish that, do not build the dataset again.
    const committed = resumeCommit(ctx.projectDir, ctx.catalogue, ctx.jobId);
    if (committed) return { datasetId: committed.id };
    const source = ctx.catalogue.getReadyDataset(params.datasetId);
    if (!source.hasVelocity) throw new StudioError('bad_input', `Dataset '${source.name}' has no velocity models to forward-model.`);
    const parts = selectedRows(source, params.sample);
    const geometry = projectGeometry(ctx.catalogue);
    const pool = ctx.services.fdPool();
    const staging = jobStagingDir(ctx.projectDir, ctx.jobId);
    fs.mkdirSync(staging, { recursive: true });
    const seismicShape = [geometry.sources.length, recordedSamples(geometry), geometry.receivers.length];
    const sampleValues = seismicShape.reduce((a, b) => a * b, 1);
    const batch = Math.max(2, 2 * pool.size);
    const total = parts.reduce((n, p) => n + p.count, 0);
    let done = parts.slice(0, ctx.resumeState?.partsDone ?? 0).reduce((n, p) => n + p.count, 0);

    for (let k = ctx.resumeState?.partsDone ?? 0; k < parts.length; k += 1) {
      const { part, first, count } = parts[k];
      const velocityFile = openNpy(projectArrayPath(ctx.projectDir, part.velocityFile!));
      const [nz, nx] = velocityFile.shape.slice(-2);
      const writer = new NpyWriter(path.join(staging, `data${k + 1}.npy`), { shape: [count, ...seismicShape] });
      try {
        for (let start = first; start < first + count; start += batch) {
          throwIfCancelled(ctx.signal);
          const n = Math.min(batch, first + count - start);
          const velocity = readNpyRows(velocityFile, start, n);
          const seismic = await pool.forwardModel(velocity, { n, nz, nx }, geometry, {
            signal: ctx.signal,
            onNotice: (message) => ctx.log(message, 'warn'),
            onProgress: (p) => ctx.progress({ done: done + p.done / geometry.sources.length, total, unit: 'samples' }),
          });
          if (seismic.length !== n * sampleValues) throw new StudioError('internal', 'The solver returned an unexpected amount of seismic.');
          writer.write(seismic);
          done += n;
          ctx.progress({ done, total, unit: 'samples' });
        }
        writer.commit();
      } catch (error) {
        writer.abort();
        throw error;
      }
      if (count === part.nSamples) fs.copyFileSync(velocityFile.path, path.join(staging, `model${k + 1}.npy`));
      else writeNpy(path.join(staging, `model${k + 1}.npy`), readNpyRows(velocityFile, first, count), [count, ...velocityFile.shape.slice(1)]);
      ctx.checkpoint({ partsDone: k + 1 });
    }

    const dataset = commitStagedDataset(ctx.projectDir, ctx.catalogue, ctx.jobId, {
      name: params.name ?? (params.sample === undefined ? `${source.name} — modelled` : `${source.name} — sample ${params.sample} modelled`),
      kind: 'forward',
      source: `dataset ${source.id} (${source.name})`,
      sampleIntervalMs: sampleIntervalMs(geometry),
      gridSpacingM: geometry.spacingMeters,
      meta: { fromDataset: source.id, ...(params.sample === undefined ? {} : { fromSample: params.sample }), geometry },
      createdByJob: ctx.jobId,
      parts: parts.map(({ part, count }, k) => ({
        nSamples: count,
        seismicFile: `data${k + 1}.npy`,
        velocityFile: `model${k + 1}.npy`,
        seismicShape,
        velocityShape: part.velocityShape,
      })),
    });
    return { datasetId: dataset.id };
  },
  discard: (ctx) => discardStagedDataset(ctx.projectDir, ctx.catalogue, ctx.jobId),
};
