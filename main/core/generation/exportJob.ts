import path from 'node:path';
import type { z } from 'zod';
import type { JobKind, JobServices } from '../jobs/jobKind.ts';
import type { FdPoolService } from '../physics/pool.ts';
import { methods } from '../contract/contract.ts';
import { exportGenerated, type GeneratedExportResult } from './generatedSamples.ts';

type Params = z.output<(typeof methods)['export.generated']['args']>;

/** Generated samples (a run, a filter or a selection) → OpenFWI pairs, metrics.csv/json and SEG-Y in a folder outside the project. */
export const exportGeneratedJob: JobKind<Params, never, GeneratedExportResult, JobServices & FdPoolService> = {
  kind: 'export.generated',
  paramsSchema: methods['export.generated'].args as unknown as z.ZodType<Params>,
  title: (p) => `Export generated samples${p.runId !== undefined ? ` of run ${p.runId}` : p.sampleIds ? ` (${p.sampleIds.length} selected)` : ' (filtered)'} to ${path.basename(p.folder)}`,
  async run(ctx, params) {
    const result = await exportGenerated(
      ctx.projectDir,
      ctx.catalogue,
      { runId: params.runId, filter: params.filter, sampleIds: params.sampleIds },
      params.folder,
      {
        fdPool: ctx.services.fdPool(),
        segy: params.segy,
        overwrite: params.overwrite,
        samplesPerFile: params.samplesPerFile,
        signal: ctx.signal,
        onProgress: (p) => ctx.progress(p),
        onNotice: (message) => ctx.log(message, 'warn'),
      },
    );
    ctx.log(`Wrote ${result.samples} samples to ${result.folder}: ${result.files.join(', ')}${result.recomputed ? ` (pde_rel_l2 computed for ${result.recomputed})` : ''}.`);
    return result;
  },
};
