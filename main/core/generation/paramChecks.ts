import type { Project } from '../store/project.ts';
import { StudioError } from '../contract/errors.ts';
import { resolveGenerationModels, scheduleLength, type GenerationSampler, type ModelRefs } from './pipeline.ts';

/**
 * Checks made before a generation job is recorded: the three models exist (a missing shipped
 * default names native-models/default/) and the sampler's steps fit the stage-2 schedule. Graphs
 * are loaded (and checked against their manifests) when the job starts.
 */
export function checkGenerationParams(params: ModelRefs & { sampler: GenerationSampler; seed: number; count: number }, project: Project | null): void {
  const entries = resolveGenerationModels({ stage1: params.stage1, stage2: params.stage2, inversionnet: params.inversionnet }, project);
  const timesteps = scheduleLength(entries.stage2);
  if (params.sampler.kind !== 'ddpm' && params.sampler.steps > timesteps) {
    throw new StudioError('bad_input', `sampler.steps = ${params.sampler.steps}: the stage-2 model ${entries.stage2.ref} has ${timesteps} timesteps; use at most ${timesteps}.`);
  }
  if (params.seed + params.count - 1 > Number.MAX_SAFE_INTEGER) throw new StudioError('bad_input', `seed + count exceeds the largest safe integer.`);
}
