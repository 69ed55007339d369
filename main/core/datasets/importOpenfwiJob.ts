import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { JobKind } from '../jobs/jobKind.ts';
import { methods } from '../contract/contract.ts';
import { jobStagingDir } from '../store/project.ts';
import { commitStagedDataset, discardStagedDataset, resumeCommit } from './staging.ts';
import { importOpenfwiFolder } from '../io/openfwi.ts';
import { checkPairsAgainstGeometry } from './pairGeometry.ts';
import { projectGeometry } from '../physics/projectGeometry.ts';

type Params = z.output<(typeof methods)['import.openfwi']['args']>;

/** OpenFWI's grid: 10 m cells and 1 ms time samples (OPENFWI.md); its files do not record them. */
export const openfwiGridSpacingM = 10;
export const openfwiSampleIntervalMs = 1;

/**
 * An OpenFWI folder → one dataset. Files are validated, then copied (reflinked where the file
 * system can) into the job's staging folder and committed together; a rerun after a crash copies
 * again from the start, since copying is cheap next to what a partial state would cost to verify.
 */
export const importOpenfwiJob: JobKind<Params, never, { datasetId: number }> = {
  kind: 'import.openfwi',
  paramsSchema: methods['import.openfwi'].args as unknown as z.ZodType<Params>,
  title: (p) => `Import OpenFWI: ${p.name ?? path.basename(p.folder)}`,
  async run(ctx, params) {
    // An earlier run that was cut short while committing: finish that, do not build the dataset again.
    const committed = resumeCommit(ctx.projectDir, ctx.catalogue, ctx.jobId);
    if (committed) return { datasetId: committed.id };
    const staging = jobStagingDir(ctx.projectDir, ctx.jobId);
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    const description = await importOpenfwiFolder(params.folder, staging, {
      signal: ctx.signal,
      overwrite: true,
      check: (dataset) => checkPairsAgainstGeometry(dataset, projectGeometry(ctx.catalogue)),
      onProgress: (p) => ctx.progress({ ...p, message: p.message }),
      onNotice: (message) => ctx.log(message, 'warn'),
    });
    ctx.log(
      `${description.samples} samples in ${description.parts.length} part(s): velocity ${JSON.stringify(description.velocitySampleShape)}` +
        (description.seismicSampleShape ? `, seismic ${JSON.stringify(description.seismicSampleShape)}` : ' (velocity only)'),
    );
    const dataset = commitStagedDataset(ctx.projectDir, ctx.catalogue, ctx.jobId, {
      name: params.name ?? path.basename(path.resolve(params.folder)),
      kind: 'openfwi',
      source: path.resolve(params.folder),
      sampleIntervalMs: openfwiSampleIntervalMs,
      gridSpacingM: openfwiGridSpacingM,
      meta: { layout: description.kind },
      createdByJob: ctx.jobId,
      parts: description.parts.map((part) => ({
        nSamples: part.samples,
        seismicFile: part.seismicFile,
        velocityFile: part.velocityFile,
        seismicShape: part.seismicShape ? part.seismicShape.slice(1) : null,
        velocityShape: part.velocityShape.slice(1),
        meta: { sourceSeismicFile: part.sourceSeismicFile ?? null, sourceVelocityFile: part.sourceVelocityFile ?? null, velocityRangeMps: part.velocityRangeMps },
      })),
    });
    return { datasetId: dataset.id };
  },
  discard: (ctx) => discardStagedDataset(ctx.projectDir, ctx.catalogue, ctx.jobId),
};
