import { z } from 'zod';
import type { JobKind, JobServices } from '../jobs/jobKind.ts';
import type { FdPoolService } from '../physics/pool.ts';
import { methods } from '../contract/contract.ts';
import { jobStagingDir } from '../store/project.ts';
import { projectGeometry } from '../physics/projectGeometry.ts';
import { commitStagedDataset, discardStagedDataset, resumeCommit } from './staging.ts';
import { synthesizeDataset, type SynthesisState } from '../physics/synthesis.ts';
import { recordedSamples } from '../physics/acquisition.ts';
import { sampleIntervalMs } from '../contract/acquisitionGeometry.ts';

type Params = z.output<(typeof methods)['physics.synthesize']['args']>;

/** A seeded family of velocity models plus their FD seismic → a new dataset; resumes batch by batch. */
export const synthesizeJob: JobKind<Params, SynthesisState, { datasetId: number }, JobServices & FdPoolService> = {
  kind: 'physics.synthesize',
  paramsSchema: methods['physics.synthesize'].args as unknown as z.ZodType<Params>,
  title: (p) => `Synthesise ${p.count} ${p.family} pairs (seed ${p.seed})`,
  async run(ctx, params) {
    // An earlier run that was cut short while committing: finish that, do not build the dataset again.
    const committed = resumeCommit(ctx.projectDir, ctx.catalogue, ctx.jobId);
    if (committed) return { datasetId: committed.id };
    const geometry = projectGeometry(ctx.catalogue);
    const staging = jobStagingDir(ctx.projectDir, ctx.jobId);
    const result = await synthesizeDataset(
      { family: params.family, count: params.count, seed: params.seed, geometry, destDir: staging, samplesPerFile: params.samplesPerFile },
      {
        pool: ctx.services.fdPool(),
        signal: ctx.signal,
        resumeState: ctx.resumeState,
        checkpoint: (state) => ctx.checkpoint(state),
        onProgress: (p) => ctx.progress(p),
        onNotice: (message) => ctx.log(message, 'warn'),
      },
    );
    if (result.resumedFrom > 0) ctx.log(`Resumed after ${result.resumedFrom} committed samples.`);
    const { state } = result;
    const seismicShape = [geometry.sources.length, recordedSamples(geometry), geometry.receivers.length];
    const dataset = commitStagedDataset(ctx.projectDir, ctx.catalogue, ctx.jobId, {
      name: params.name ?? `${params.family} × ${params.count} (seed ${params.seed})`,
      kind: 'synthetic',
      source: null,
      sampleIntervalMs: sampleIntervalMs(geometry),
      gridSpacingM: geometry.spacingMeters,
      meta: { family: params.family, seed: params.seed, geometry },
      createdByJob: ctx.jobId,
      parts: state.files.map((f) => ({
        nSamples: f.samples,
        seismicFile: f.data,
        velocityFile: f.model,
        seismicShape,
        velocityShape: [1, state.nz, state.nx],
      })),
    });
    return { datasetId: dataset.id };
  },
  discard: (ctx) => discardStagedDataset(ctx.projectDir, ctx.catalogue, ctx.jobId),
};
