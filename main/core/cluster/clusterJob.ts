/**
 * The cluster job ('cluster.run'): work submitted to Slurm and followed as a job of the project.
 * Its progress counts finished tasks (and the merge) — or, for training, the trainer's steps — and
 * its message lists each task's state; its checkpoint holds the Slurm job ids, so a resume after the
 * studio stopped re-attaches by polling. A training job's JSON-lines progress becomes the job's
 * training events as a local run's does (the Models view's curves), and its exported model is
 * registered in the project where this machine sees the cluster's folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { JobContext, JobKind } from '../jobs/jobKind.ts';
import { isProjectClosing } from '../jobs/jobManager.ts';
import { methods, networkKindSchema } from '../contract/contract.ts';
import { clusterSettingsSchema } from '../contract/parameters.ts';
import { ClusterShell } from './clusterShell.ts';
import { followClusterRun, type ClusterRunResult, type ClusterRunState } from './clusterRun.ts';
import { checkClusterFolder, logsFolder, trainProgressFile } from './sbatchScript.ts';
import { StudioError } from '../contract/errors.ts';
import { recordTrainerMessage, registeredModel, registerTrainedModel } from '../training/trainingJob.ts';

/**
 * What cluster.submit records: the work and the cluster settings it was submitted with (a resume
 * uses the same); a training submitted from the Train dialog (train.start with `cluster`) also
 * records that request, which names the model and the dataset whose sampling the previews use.
 */
export const clusterJobParamsSchema = methods['cluster.submit'].args.extend({
  settings: clusterSettingsSchema,
  training: methods['train.start'].args.optional(),
});
export type ClusterJobParams = z.output<typeof clusterJobParamsSchema>;

export type ClusterJobResult = ClusterRunResult & { modelId?: number; modelRef?: string };

/** Refuses work the scripts cannot express, before anything is submitted. */
export function checkClusterWork(params: Pick<ClusterJobParams, 'work' | 'shards' | 'out'>): void {
  checkClusterFolder(params.out);
  if (params.work === 'train' && params.shards !== 1) throw new StudioError('bad_input', `Training runs as one GPU job, not ${params.shards} shards: leave out --shards.`);
}

/**
 * The model a finished cluster training exported, registered in the project like a local run's
 * (copied into models/KIND-jobN) when its folder (a path on the cluster) is visible here too.
 */
function registerClusterModel(ctx: JobContext<ClusterRunState>, params: ClusterJobParams, result: ClusterRunResult): ClusterJobResult {
  const done = result.trainerDone;
  const named = networkKindSchema.safeParse(done?.kind ?? params.training?.network ?? params.args[0]);
  if (!named.success) throw new StudioError('bad_input', `The trained network '${String(done?.kind ?? params.args[0])}' is none of ${networkKindSchema.options.join(', ')}.`);
  const kind = named.data;
  const folder = `${kind}-job${ctx.jobId}`;
  const earlier = registeredModel(ctx.catalogue, folder);
  if (earlier) return { ...result, modelId: earlier.id, modelRef: `project:${earlier.id}` };
  if (!done) {
    throw new StudioError('io', `The training job ended without the trainer's 'done' line in ${trainProgressFile(params.out)}; read its log in ${logsFolder(params.out)}.`);
  }
  const modelDir = typeof done.model_dir === 'string' ? done.model_dir : null;
  if (!modelDir) return result;
  if (!fs.existsSync(path.join(modelDir, 'manifest.json'))) {
    ctx.log(`The trained model is in ${modelDir} on the cluster, which this machine does not see: it is not registered in the project. Copy that folder here and use it by its path (e.g. wavediff generate --${kind} DIR).`, 'warn');
    return result;
  }
  const steps = params.training?.steps ?? done.step;
  const name = params.training?.name ?? `${kind} trained on Slurm (${String(steps)} steps)`;
  const model = registerTrainedModel(ctx, done, { folder, kind, name });
  return { ...result, modelId: model.id, modelRef: `project:${model.id}` };
}

export const clusterJob: JobKind<ClusterJobParams, ClusterRunState, ClusterJobResult> = {
  kind: 'cluster.run',
  paramsSchema: clusterJobParamsSchema,
  followsExternalWork: true,
  trainsModel: (p) => (p as Partial<ClusterJobParams> | null)?.work === 'train',
  title: (p) => {
    if (p.work !== 'train') return `Slurm: ${p.work} in ${p.shards} tasks → ${p.out}`;
    const what = p.training ? (p.training.name ? `“${p.training.name}”: ${p.training.network}` : p.training.network) : (p.args[0] ?? 'a network');
    return `Slurm: train ${what} on ${p.settings.gpus > 0 ? 'a GPU' : 'the CPU'} → ${p.out}`;
  },
  async run(ctx, params) {
    const { settings, training, ...spec } = params;
    const plannedSteps = training?.steps ?? 0;
    const result = await followClusterRun(spec, settings, ctx.resumeState, {
      shell: new ClusterShell(settings.commandPrefix),
      signal: ctx.signal,
      checkpoint: ctx.checkpoint,
      log: ctx.log,
      progress: ctx.progress,
      leavesJobsRunning: isProjectClosing,
      // The job's progress in steps comes from followClusterRun; each message is a training event, as a local run's.
      trainerMessage: (message) => recordTrainerMessage({ jobId: ctx.jobId, catalogue: ctx.catalogue, log: ctx.log }, message, plannedSteps),
    });
    return params.work === 'train' ? registerClusterModel(ctx, params, result) : result;
  },
};
