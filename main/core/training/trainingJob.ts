import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { JobContext, JobKind } from '../jobs/jobKind.ts';
import type { Catalogue, ModelRow } from '../store/catalogue.ts';
import { arraysFolderName } from '../store/project.ts';
import { methods, type NetworkKind } from '../contract/contract.ts';
import { StudioError } from '../contract/errors.ts';
import { requirePython } from './python.ts';
import { runTrainerModule, type TrainerMessage } from './trainerProcess.ts';
import { modelsFolderName, resolveModel } from '../ml/modelRegistry.ts';
import { paddedTraceCount, trainerDataPath } from './trainerData.ts';
import { throwIfCancelled } from '../util/abort.ts';

type Params = z.output<(typeof methods)['train.start']['args']>;
interface State {
  runDir: string;
  started: boolean;
}

export const trainingFolderName = 'training';

export function trainingRunDir(projectDir: string, jobId: number): string {
  return path.join(projectDir, trainingFolderName, `job-${jobId}`);
}

/** The trainer's data and schedule: `python -m wavediff_models.train NETWORK --data … --steps … …`. */
export interface TrainerOptions {
  network: NetworkKind;
  /** --data: a dataset's folder or a pair list (trainerData.ts). */
  dataPath: string;
  /** --val-data; without it the trainer holds out a seeded fraction of --data. */
  valDataPath?: string;
  steps: number;
  batchSize?: number;
  seed: number;
  /** Further trainer options (native-models/README.md). */
  extraArgs: string[];
}

/** The trainer's arguments for `options`, without --out, --threads and --device (they depend on where it runs). */
export function trainerOptionArguments(options: TrainerOptions): string[] {
  const args = [options.network, '--data', options.dataPath, '--steps', String(options.steps), '--seed', String(options.seed)];
  if (options.valDataPath) args.push('--val-data', options.valDataPath);
  if (options.batchSize) args.push('--batch-size', String(options.batchSize));
  args.push(...options.extraArgs);
  return args;
}

/** One run of the trainer on this machine. */
export interface TrainingRun {
  python: string;
  /** What trainerOptionArguments (or trainerArguments) gives. */
  args: string[];
  /** --out: checkpoint.pt, previews/, model/. */
  runDir: string;
  threads: number;
  /** Continue from runDir/checkpoint.pt where there is one (--resume). */
  resume: boolean;
  signal: AbortSignal;
  onMessage(message: TrainerMessage): void;
  onLog(line: string): void;
}

/**
 * Runs the trainer to its 'done' message, which it returns. An abort of `signal` sends SIGTERM (the
 * trainer checkpoints first) and ends in a 'cancelled' error; `resume` continues from that checkpoint.
 */
export async function runTraining(run: TrainingRun): Promise<TrainerMessage> {
  const args = [...run.args, '--out', run.runDir, '--threads', String(run.threads)];
  if (run.resume && fs.existsSync(path.join(run.runDir, 'checkpoint.pt'))) args.push('--resume');
  throwIfCancelled(run.signal);
  const trainer = runTrainerModule(run.python, 'train', args, { onMessage: run.onMessage, onLog: run.onLog });
  const stop = (): void => trainer.stop();
  run.signal.addEventListener('abort', stop);
  let last: TrainerMessage;
  try {
    last = await trainer.finished;
  } finally {
    run.signal.removeEventListener('abort', stop);
  }
  if (last.type === 'stopped') throw new StudioError('cancelled', `Training stopped at step ${last.step}; resume continues from its checkpoint.`);
  return last;
}

/**
 * Trains one network with the PyTorch trainer in native-models/, as a child process with the
 * interpreter from the settings (or one found automatically). Its JSON lines become job progress and
 * training events; cancel sends SIGTERM (the trainer checkpoints first) and resume continues from
 * that checkpoint; the exported model registers itself in the project.
 */
export const trainingJob: JobKind<Params, State, { modelId: number; modelRef: string; metrics: unknown }> = {
  kind: 'train',
  trainsModel: () => true,
  paramsSchema: methods['train.start'].args as unknown as z.ZodType<Params>,
  title: (p) => (p.name ? `Train “${p.name}”: ${p.network} on dataset ${p.datasetId} (${p.steps} steps)` : `Train ${p.network} on dataset ${p.datasetId} (${p.steps} steps)`),
  async run(ctx, params) {
    const folder = `${params.network}-job${ctx.jobId}`;
    // An earlier run cut short between registering the model and finishing: the model is there, the job is done.
    const registered = registeredModel(ctx.catalogue, folder);
    if (registered) return { modelId: registered.id, modelRef: `project:${registered.id}`, metrics: registered.manifest.metrics ?? null };
    const dataset = ctx.catalogue.getReadyDataset(params.datasetId);
    const python = await requirePython(ctx.services.settings().pythonPath);
    ctx.log(`Python ${python.pythonVersion} at ${python.path}, torch ${python.torchVersion}${python.cudaAvailable ? ' with CUDA' : ' (CPU)'}.`);
    const runDir = ctx.resumeState?.runDir ?? trainingRunDir(ctx.projectDir, ctx.jobId);
    fs.mkdirSync(runDir, { recursive: true });
    const args = trainerArguments(ctx, params, runDir);
    const resume = Boolean(ctx.resumeState?.started);
    ctx.checkpoint({ runDir, started: true });
    const last = await runTraining({
      python: python.path,
      args,
      runDir,
      threads: params.threads,
      resume,
      signal: ctx.signal,
      onMessage: (message: TrainerMessage) => recordTrainerMessage(ctx, message, params.steps),
      onLog: (line) => {
        if (/warn|error/i.test(line)) ctx.log(line, 'warn');
      },
    });

    const model = registerTrainedModel(ctx, last, { folder, kind: params.network, name: params.name ?? `${params.network} on ${dataset.name} (${params.steps} steps)` });
    return { modelId: model.id, modelRef: `project:${model.id}`, metrics: last.metrics ?? null };
  },
  discard(ctx, _params) {
    if (ctx.resumeState?.runDir) fs.rmSync(ctx.resumeState.runDir, { recursive: true, force: true });
  },
};

/**
 * The trainer's options for a training run of the project's data (network, data, steps, batch,
 * seed, stage-1 model and extra options), without --out, --threads and --device, which depend on
 * where it runs (this machine, or a cluster node: cluster/clusterJob.ts). Lists of pairs that
 * leave out padding traces are written into `listDir`.
 */
export function trainerArguments(ctx: Pick<JobContext<unknown>, 'projectDir' | 'catalogue' | 'log'>, params: Params, listDir: string): string[] {
  const dataset = ctx.catalogue.getReadyDataset(params.datasetId);
  if (!dataset.hasSeismic || !dataset.hasVelocity) {
    throw new StudioError('bad_input', `Dataset '${dataset.name}' needs both seismic and velocity to train on; it has ${dataset.hasSeismic ? 'seismic only' : 'velocity only'}.`);
  }
  const arraysDir = path.join(ctx.projectDir, arraysFolderName);
  const valDataset = params.valDatasetId !== undefined ? ctx.catalogue.getReadyDataset(params.valDatasetId) : null;
  // Zero traces that pad shorter gathers are masked out of the seismic loss (the trainer reads the masks).
  for (const d of [dataset, valDataset]) {
    const padded = d ? paddedTraceCount(d) : 0;
    if (d && padded > 0) ctx.log(`Dataset '${d.name}': ${padded} zero traces pad shorter gathers; they are masked out of the seismic loss and metrics.`);
  }
  fs.mkdirSync(listDir, { recursive: true });
  const extraArgs = [...params.extraArgs];
  if (params.network === 'stage2') {
    if (!params.stage1Model) throw new StudioError('bad_input', 'Stage 2 trains in the latent space of a stage-1 model: choose one (stage1Model).');
    extraArgs.unshift('--stage1', resolveModel(params.stage1Model, 'stage1', { folder: ctx.projectDir, catalogue: ctx.catalogue }).folder);
  }
  return trainerOptionArguments({
    network: params.network,
    dataPath: trainerDataPath(arraysDir, dataset, listDir, 'data'),
    valDataPath: valDataset ? trainerDataPath(arraysDir, valDataset, listDir, 'val-data') : undefined,
    steps: params.steps,
    batchSize: params.batchSize,
    seed: params.seed,
    extraArgs,
  });
}

/**
 * One trainer message into the job: a training event (train.events, the Models view's curves) and,
 * for start and progress, the job's progress in steps where `ctx.progress` is given (a cluster job
 * reports its own). The same for a run here and on a cluster.
 */
export function recordTrainerMessage(ctx: Pick<JobContext<unknown>, 'jobId' | 'catalogue' | 'log'> & { progress?: JobContext<unknown>['progress'] }, message: TrainerMessage, plannedSteps: number): void {
  const step = message.step ?? 0;
  ctx.catalogue.appendTrainingEvent(ctx.jobId, step, message.type, message);
  if (ctx.progress && (message.type === 'progress' || message.type === 'start')) {
    ctx.progress({ done: step, total: message.total_steps ?? plannedSteps, unit: 'steps', message: typeof message.loss === 'number' ? `loss ${message.loss.toPrecision(4)}` : undefined });
  }
  if (message.type === 'metrics') ctx.log(`Held-out metrics at step ${step}: ${JSON.stringify(message)}`);
}

/** A model the project registered earlier under `folder` (a run cut short after registering it). */
export function registeredModel(catalogue: Catalogue, folder: string): ModelRow | undefined {
  return catalogue.listModels().find((m) => m.folder === folder);
}

/**
 * Copies the model the trainer exported (`done.model_dir`) into the project's models/`folder` and
 * registers it, created by this job.
 */
export function registerTrainedModel(ctx: Pick<JobContext<unknown>, 'jobId' | 'projectDir' | 'catalogue' | 'log'>, done: TrainerMessage, model: { folder: string; kind: NetworkKind; name: string }): ModelRow {
  const exported = String(done.model_dir ?? '');
  if (!exported || !fs.existsSync(path.join(exported, 'manifest.json'))) throw new StudioError('internal', 'The trainer finished without exporting a model.');
  const destination = path.join(ctx.projectDir, modelsFolderName, model.folder);
  fs.mkdirSync(path.dirname(destination), { recursive: true });
  fs.rmSync(destination, { recursive: true, force: true });
  fs.cpSync(exported, destination, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(destination, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  const row = ctx.catalogue.insertModel({ name: model.name, kind: model.kind, folder: model.folder, manifest, createdByJob: ctx.jobId });
  ctx.log(`Model registered as project:${row.id} (${model.folder}).`);
  return row;
}
