import type { CliCommand } from '../command.ts';
import { StudioError } from '../../core/contract/errors.ts';
import { call, followJob, projectFolderFrom, withProject } from '../studioSession.ts';
import { trainingParameters } from '../../core/contract/parameters.ts';
import { parameterOption, usageLine } from '../parameterOptions.ts';

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'Train stage 1, stage 2 or InversionNet on a dataset of a project',
  usage: `Usage:
  wavediff train stage1|stage2|inversionnet --project DIR --dataset ID [options] [-- TRAINER OPTIONS]

Options:
  --dataset ID        dataset of seismic–velocity pairs to train on (see wavediff datasets)
  --val-dataset ID    held-out dataset (default: a seeded 10 % of --dataset)
${usageLine('--steps N', trainingParameters.steps, 20)}
${usageLine('--batch-size B', trainingParameters.batchSize, 20)}
  --stage1 REF        stage 2 only: the stage-1 model ('default:stage1' or 'project:ID')
${usageLine('--threads T', trainingParameters.threads, 20)}
${usageLine('--seed S', trainingParameters.seed, 20)}
  --name NAME         name of the registered model

Runs the PyTorch trainer in native-models/ with the configured Python (Settings, or found
automatically: one with torch). Progress is drawn on the terminal; Ctrl-C checkpoints and stops, and
'wavediff jobs resume ID' continues. Options after -- go to the trainer (native-models/README.md).`,
  options: {
    project: { type: 'string' },
    dataset: { type: 'string' },
    'val-dataset': { type: 'string' },
    steps: { type: 'string' },
    'batch-size': { type: 'string' },
    stage1: { type: 'string' },
    threads: { type: 'string' },
    seed: { type: 'string' },
    name: { type: 'string' },
  },
  async run(args, io) {
    const [network, ...extraArgs] = args.positionals;
    if (network !== 'stage1' && network !== 'stage2' && network !== 'inversionnet') {
      throw new StudioError('bad_input', `Name the network to train: stage1, stage2 or inversionnet (got '${network ?? ''}').`);
    }
    const datasetId = Number(args.values.dataset);
    if (!Number.isInteger(datasetId)) throw new StudioError('bad_input', 'Give the dataset to train on with --dataset ID (see wavediff datasets --project DIR).');
    const v = args.values;
    return withProject(projectFolderFrom(args), io, async (studio) => {
      const job = await call(studio, 'train.start', {
        network,
        datasetId,
        valDatasetId: v['val-dataset'] !== undefined ? Number(v['val-dataset']) : undefined,
        steps: parameterOption(v.steps, 'steps', trainingParameters.steps),
        batchSize: parameterOption(v['batch-size'], 'batch-size', trainingParameters.batchSize),
        stage1Model: v.stage1 as string | undefined,
        threads: parameterOption(v.threads, 'threads', trainingParameters.threads),
        seed: parameterOption(v.seed, 'seed', trainingParameters.seed),
        name: v.name as string | undefined,
        extraArgs,
      });
      const status = await followJob(studio, job, io);
      if (status === 0) io.stdout.write(`${JSON.stringify(studio.jobs.get(job.id).result)}\n`);
      return status;
    });
  },
};

export const modelsCommand: CliCommand = {
  name: 'models',
  summary: 'List the shipped default models and those trained in a project',
  usage: 'Usage:\n  wavediff models [--project DIR] [--json]',
  options: { project: { type: 'string' }, json: { type: 'boolean' } },
  async run(args, io) {
    const print = (models: { ref: string; kind: string; name: string; metrics: Record<string, unknown> | null }[]): number => {
      if (args.values.json) io.stdout.write(`${JSON.stringify(models)}\n`);
      else if (models.length === 0) io.stdout.write('No models yet: the shipped defaults are missing and the project has none.\n');
      else for (const m of models) io.stdout.write(`${m.ref}\t${m.kind}\t${m.name}${m.metrics?.velocity_mae !== undefined ? `\tvelocity MAE ${Number(m.metrics.velocity_mae).toFixed(4)}` : ''}\n`);
      return 0;
    };
    const folder = (args.values.project as string | undefined) ?? process.env.WAVEDIFF_PROJECT;
    if (folder) return withProject(projectFolderFrom(args), io, async (studio) => print(await call(studio, 'model.list', {})), { readOnly: true });
    const { Studio } = await import('../../core/app/studio.ts');
    const { defaultDataDir } = await import('../../core/app/userStore.ts');
    const studio = new Studio({ dataDir: defaultDataDir(), shell: 'cli', jobKinds: [] });
    try {
      return print(await call(studio, 'model.list', {}));
    } finally {
      await studio.shutdown();
    }
  },
};
