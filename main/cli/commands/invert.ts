import path from 'node:path';
import type { CliCommand } from '../command.ts';
import { StudioError } from '../../core/contract/errors.ts';
import type { Studio } from '../../core/app/studio.ts';
import { positiveInteger } from '../physicsArgs.ts';
import { awaitJob, call, withProject, withScratchProject } from '../studioSession.ts';
import { refinedInversionParameters } from '../../core/contract/parameters.ts';
import { parameterOptionOrDefault, usageLine } from '../parameterOptions.ts';

export const invertCommand: CliCommand = {
  name: 'invert',
  summary: 'Predict velocity models from seismic with a trained network',
  usage: `Usage:
  wavediff invert --seismic S.npy --out V.npy [--model default] [--network inversionnet|stage1|refined] [--batch-size 8]
                  [--refine-steps K --candidates M --seed S]

S.npy is float32 [N, 5, 1000, 70] in physical units as OpenFWI stores it; V.npy is written as float32
[N, 1, 70, 70] in m/s. --model is 'default' (the shipped models), 'project:ID' with --project DIR, or a
model folder. --network defaults to the more accurate one (by the model card for the defaults).
--network refined encodes with stage 1, runs stage 2's last K denoising steps, and at each step keeps
the one of M candidate latents whose decoded seismic is closest to the input (L2); sample i of the
file draws its candidates from its own stream of --seed:
${usageLine('--refine-steps K', refinedInversionParameters.refineSteps)}
${usageLine('--candidates M', refinedInversionParameters.candidates)}
${usageLine('--seed S', refinedInversionParameters.seed)}
With --project the inversion runs as a job of that project (in its Jobs panel); --threads sets the
cores onnxruntime uses (default 1).`,
  options: {
    seismic: { type: 'string' },
    out: { type: 'string' },
    model: { type: 'string' },
    network: { type: 'string' },
    'batch-size': { type: 'string' },
    'refine-steps': { type: 'string' },
    candidates: { type: 'string' },
    seed: { type: 'string' },
    threads: { type: 'string' },
    project: { type: 'string' },
  },
  async run(args, io) {
    const v = args.values;
    if (!v.seismic || !v.out) throw new StudioError('bad_input', 'Give --seismic S.npy and --out V.npy.');
    const choice = (v.network as string | undefined) ?? 'auto';
    if (!['inversionnet', 'stage1', 'refined', 'auto'].includes(choice)) throw new StudioError('bad_input', `--network ${choice}: use inversionnet, stage1 or refined.`);
    const params = {
      seismicFile: path.resolve(v.seismic as string),
      out: path.resolve(v.out as string),
      model: (v.model as string | undefined) ?? 'default',
      network: choice as 'inversionnet' | 'stage1' | 'refined' | 'auto',
      batchSize: positiveInteger(v['batch-size'], 'batch-size', 8),
      refineSteps: parameterOptionOrDefault(v['refine-steps'], 'refine-steps', refinedInversionParameters.refineSteps),
      candidates: parameterOptionOrDefault(v.candidates, 'candidates', refinedInversionParameters.candidates),
      seed: parameterOptionOrDefault(v.seed, 'seed', refinedInversionParameters.seed),
    };
    const threads = positiveInteger(v.threads, 'threads', 1);
    const work = async (studio: Studio): Promise<number> => {
      const started = await call(studio, 'ml.invertFile', params);
      const done = await awaitJob(studio, started, io, { label: 'invert', resumeHint: 'Run the same command again.' });
      const result = done.result as { samples: number };
      io.stderr.write(`invert: wrote ${result.samples} velocity models to ${v.out}\n`);
      return 0;
    };
    // Models of a project ('project:ID') are the project's: the job runs there. Otherwise in a temporary project.
    return typeof v.project === 'string' ? withProject(path.resolve(v.project), io, work, { threads }) : withScratchProject(null, 'wavediff invert', io, { threads }, work);
  },
};
