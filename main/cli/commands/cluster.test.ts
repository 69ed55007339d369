/**
 * `wavediff cluster submit`: what it refuses before anything reaches Slurm, and the options the
 * Generate and Synthesise dialogs send for the cluster side, read back by the commands that run them.
 */
import { describe, it, expect } from 'vitest';
import { parseArgs } from 'node:util';
import { runCliCaptured } from '../testing/runCliCaptured.ts';
import { generateCommand } from './generate.ts';
import { synthCommand } from './synth.ts';
import { generationClusterArgs, synthesisClusterArgs, clusterModelProblem } from '../../core/contract/clusterArgs.ts';

describe('wavediff cluster submit refuses before submitting', () => {
  it.each([
    [['cluster', 'submit', 'generate', '--count', '4', '--shards', '2', '--out', '/scratch/a'], /add --slurm/],
    [['cluster', 'submit', 'generate', '--count', '4', '--shards', '2', '--slurm'], /--out DIR/],
    [['cluster', 'submit', 'generate', '--count', '4', '--shard', '0/2', '--shards', '2', '--out', '/scratch/a', '--slurm'], /--shard is the cluster's to set/],
    [['cluster', 'submit', 'generate', '--cuont', '4', '--shards', '2', '--out', '/scratch/a', '--slurm'], /generate options: Unknown option '--cuont'/],
    [['cluster', 'submit', 'synth', '--family', 'flatvel-a', '--shards', '0', '--out', '/scratch/a', '--slurm'], /shards/],
    [['cluster', 'submit', 'render', '--out', '/scratch/a', '--slurm'], /generate, synth, train/],
    [['cluster', 'submit', 'train', 'stage1', '--device', 'cpu', '--out', '/scratch/a', '--slurm'], /chooses --device itself/],
  ])('%j', async (argv, message) => {
    const run = await runCliCaptured(argv);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(message);
  });
});

describe("the dialogs' options for the cluster side", () => {
  it('are read back by wavediff generate and wavediff synth as the parameters they came from', () => {
    const generation = generationClusterArgs({ stage1: 'default:stage1', stage2: '/models/s2', inversionnet: 'default:inversionnet', count: 1000, batchSize: 8, sampler: { kind: 'ddim', steps: 25, eta: 0.5 }, seed: 7, physicsCheck: false });
    const read = parseArgs({ args: generation, options: generateCommand.options, strict: true }).values;
    expect(read).toMatchObject({ stage1: 'default', stage2: '/models/s2', inversionnet: 'default', count: '1000', 'batch-size': '8', sampler: 'ddim', steps: '25', eta: '0.5', seed: '7', 'no-physics': true, 'no-segy': true });
    const synthesis = synthesisClusterArgs({ family: 'curvevel-b', count: 2000, seed: 3, samplesPerFile: 500 });
    expect(parseArgs({ args: synthesis, options: synthCommand.options, strict: true }).values).toMatchObject({ family: 'curvevel-b', count: '2000', seed: '3', 'samples-per-file': '500' });
    expect(clusterModelProblem('project:4')).toMatch(/not on the cluster/);
    expect(clusterModelProblem('default:stage2')).toBeNull();
  });
});
