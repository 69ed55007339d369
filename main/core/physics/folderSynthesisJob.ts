import { z } from 'zod';
import type { JobKind, JobServices } from '../jobs/jobKind.ts';
import type { FdPoolService } from './pool.ts';
import { methods } from '../contract/contract.ts';
import { synthesizeDataset, type SynthesisResult, type SynthesisState } from './synthesis.ts';
import type { AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';

type Params = z.output<(typeof methods)['physics.synthesizeFolder']['args']>;

/**
 * A synthesis into a folder outside the project (`wavediff synth --out DIR`): OpenFWI-layout files and
 * synthesis.json, for tools that read folders of pairs. The job's checkpoint is its one resume record.
 */
export const folderSynthesisJob: JobKind<Params, SynthesisState, SynthesisResult, JobServices & FdPoolService> = {
  kind: 'physics.synthesizeFolder',
  paramsSchema: methods['physics.synthesizeFolder'].args as unknown as z.ZodType<Params>,
  title: (p) => `Synthesise ${p.shard ? `shard ${p.shard.index}/${p.shard.count} of ` : ''}${p.count} ${p.family} ${p.velocityOnly ? 'velocity models' : 'pairs'} (seed ${p.seed}) into ${p.folder}`,
  async run(ctx, params) {
    const result = await synthesizeDataset(
      {
        family: params.family,
        count: params.count,
        seed: params.seed,
        geometry: params.geometry as unknown as AcquisitionGeometry,
        destDir: params.folder,
        samplesPerFile: params.samplesPerFile,
        shape: params.shape,
        velocityOnly: params.velocityOnly,
        shard: params.shard,
      },
      {
        pool: params.velocityOnly ? undefined : ctx.services.fdPool(),
        signal: ctx.signal,
        resumeState: ctx.resumeState,
        checkpoint: (state) => ctx.checkpoint(state),
        writeRecord: true,
        onProgress: (p) => ctx.progress(p),
        onNotice: (message) => ctx.log(message, 'warn'),
      },
    );
    if (result.resumedFrom > 0) ctx.log(`Continued after ${result.resumedFrom} committed samples.`);
    return result;
  },
};
