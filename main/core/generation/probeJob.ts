import { z } from 'zod';
import type { JobKind, JobServices } from '../jobs/jobKind.ts';
import type { FdPoolService } from '../physics/pool.ts';
import type { OnnxPoolService } from '../ml/onnxPool.ts';
import { methods } from '../contract/contract.ts';
import { runProbe, type ProbeReport } from './probe.ts';

type Params = z.output<(typeof methods)['generate.probe']['args']>;

/** The trajectory probe (`wavediff probe`); its report is the job's result. A resumed job starts again. */
export const probeJob: JobKind<Params, never, ProbeReport, JobServices & FdPoolService & OnnxPoolService> = {
  kind: 'generate.probe',
  paramsSchema: methods['generate.probe'].args as unknown as z.ZodType<Params>,
  title: (p) => `Trajectory probe of ${p.count} samples (seed ${p.seed})`,
  async run(ctx, params) {
    // Model references name shipped models or folders (the probe does not read the project's models).
    return runProbe(ctx.services.onnxPool(), ctx.services.fdPool(), { stage1: params.stage1, stage2: params.stage2, inversionnet: params.inversionnet }, null, {
      count: params.count,
      seed: params.seed,
      sampler: params.sampler,
      curveSteps: params.curveSteps,
      holdoutSeed: params.holdoutSeed,
      signal: ctx.signal,
      onProgress: (p) => ctx.progress(p),
    });
  },
};
