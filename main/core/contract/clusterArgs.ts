/**
 * The options of `wavediff generate` and `wavediff synth` that run a form's parameters on a
 * cluster (cluster.submit's `args`): what the Generate and Synthesise dialogs send when they run on
 * Slurm. Each array task adds --shard I/N and --out. Depends on the contract alone.
 */
import type { GenerationSampler } from './parameters.ts';

export interface GenerationOnCluster {
  stage1: string;
  stage2: string;
  inversionnet: string;
  count: number;
  batchSize: number;
  sampler: GenerationSampler;
  seed: number;
  physicsCheck: boolean;
}

/** A model of the open project lives in its folder on this machine, which the cluster does not see. */
export function clusterModelProblem(ref: string): string | null {
  return ref.startsWith('project:') ? 'A model of this project is not on the cluster: choose the shipped default, or copy the model folder to the cluster and run wavediff cluster submit with its path.' : null;
}

/** `default:stage1` (the studio's reference to a shipped model) is `default` on the command line. */
const commandLineModel = (ref: string): string => (ref.startsWith('default:') ? 'default' : ref);

export function generationClusterArgs(p: GenerationOnCluster): string[] {
  const sampler = p.sampler.kind === 'ddpm' ? ['--sampler', 'ddpm'] : ['--sampler', p.sampler.kind, '--steps', String(p.sampler.steps), ...(p.sampler.kind === 'ddim' ? ['--eta', String(p.sampler.eta)] : [])];
  return [
    '--stage1', commandLineModel(p.stage1),
    '--stage2', commandLineModel(p.stage2),
    '--inversionnet', commandLineModel(p.inversionnet),
    '--count', String(p.count),
    '--batch-size', String(p.batchSize),
    ...sampler,
    '--seed', String(p.seed),
    ...(p.physicsCheck ? [] : ['--no-physics']),
    '--no-segy',
  ];
}

export function synthesisClusterArgs(p: { family: string; count: number; seed: number; samplesPerFile: number }): string[] {
  return ['--family', p.family, '--count', String(p.count), '--seed', String(p.seed), '--samples-per-file', String(p.samplesPerFile)];
}
