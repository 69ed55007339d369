import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { JobKind, JobServices } from '../jobs/jobKind.ts';
import type { FdPoolService } from '../physics/pool.ts';
import { methods } from '../contract/contract.ts';
import { jobStagingDir } from '../store/project.ts';
import { projectGeometry } from '../physics/projectGeometry.ts';
import { commitStagedDataset, discardStagedDataset, resumeCommit } from './staging.ts';
import { NpyWriter, openNpy, readNpyRows } from '../io/npy.ts';
import { recordedSamples } from '../physics/acquisition.ts';
import { StudioError } from '../contract/errors.ts';
import { throwIfCancelled } from '../util/abort.ts';
import { sampleIntervalMs } from '../contract/acquisitionGeometry.ts';

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
  title: (p) => `Forward-model dataset ${p.datasetId}`,
  async run(ctx, params) {
    // An earlier run that was cut short while committing: finish that, do not build the dataset again.
    const committed = resumeCommit(ctx.projectDir, ctx.catalogue, ctx.jobId);
    if (committed) return { datasetId: committed.id };
    const source = ctx.catalogue.getReadyDataset(params.datasetId);
    if (!source.hasVelocity) throw new StudioError('bad_input', `Dataset '${source.name}' has no velocity models to forward-model.`);
    const geometry = projectGeometry(ctx.catalogue);
    const pool = ctx.services.fdPool();
    const staging = jobStagingDir(ctx.projectDir, ctx.jobId);
    fs.mkdirSync(staging, { recursive: true });
    const seismicShape = [geometry.sources.length, recordedSamples(geometry), geometry.receivers.length];
    const sampleValues = seismicShape.reduce((a, b) => a * b, 1);
    const batch = Math.max(2, 2 * pool.size);
    let done = source.parts.slice(0, ctx.resumeState?.partsDone ?? 0).reduce((n, p) => n + p.nSamples, 0);

    for (let k = ctx.resumeState?.partsDone ?? 0; k < source.parts.length; k += 1) {
      const part = source.parts[k];
      const velocityFile = openNpy(path.join(ctx.projectDir, 'arrays', part.velocityFile!));
      const [nz, nx] = velocityFile.shape.slice(-2);
      const writer = new NpyWriter(path.join(staging, `data${k + 1}.npy`), { shape: [part.nSamples, ...seismicShape] });
      try {
        for (let start = 0; start < part.nSamples; start += batch) {
          throwIfCancelled(ctx.signal);
          const n = Math.min(batch, part.nSamples - start);
          const velocity = readNpyRows(velocityFile, start, n);
          const seismic = await pool.forwardModel(velocity, { n, nz, nx }, geometry, {
            signal: ctx.signal,
            onNotice: (message) => ctx.log(message, 'warn'),
            onProgress: (p) => ctx.progress({ done: done + p.done / geometry.sources.length, total: source.nSamples, unit: 'samples' }),
          });
          if (seismic.length !== n * sampleValues) throw new StudioError('internal', 'The solver returned an unexpected amount of seismic.');
          writer.write(seismic);
          done += n;
          ctx.progress({ done, total: source.nSamples, unit: 'samples' });
        }
        writer.commit();
      } catch (error) {
        writer.abort();
        throw error;
      }
      fs.copyFileSync(velocityFile.path, path.join(staging, `model${k + 1}.npy`));
      ctx.checkpoint({ partsDone: k + 1 });
    }

    const dataset = commitStagedDataset(ctx.projectDir, ctx.catalogue, ctx.jobId, {
      name: params.name ?? `${source.name} — modelled`,
      kind: 'forward',
      source: `dataset ${source.id} (${source.name})`,
      sampleIntervalMs: sampleIntervalMs(geometry),
      gridSpacingM: geometry.spacingMeters,
      meta: { fromDataset: source.id, geometry },
      createdByJob: ctx.jobId,
      parts: source.parts.map((part, k) => ({
        nSamples: part.nSamples,
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
