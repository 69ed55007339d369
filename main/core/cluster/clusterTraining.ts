/**
 * A training from the Train dialog (train.start with `cluster`) as the cluster job that `wavediff
 * cluster submit train KIND … --slurm` makes: the trainer's options for the project's dataset, built
 * as a local run builds them (training/trainingJob.ts, trainerArguments), with the job's cores as its
 * threads. The dataset's files are named by their paths on this machine, so the cluster must see the
 * project's folder at the same path (a shared file system).
 */
import path from 'node:path';
import type { z } from 'zod';
import type { methods } from '../contract/contract.ts';
import type { ClusterSettings } from '../contract/parameters.ts';
import type { Catalogue } from '../store/catalogue.ts';
import { StudioError } from '../contract/errors.ts';
import { trainerArguments, trainingFolderName, trainingRunDir } from '../training/trainingJob.ts';
import { trainingRequest } from '../training/trainingSampling.ts';
import { checkClusterWork, clusterJobParamsSchema, type ClusterJobParams } from './clusterJob.ts';
import { resolveClusterFolder, trainRunFolder } from './sbatchScript.ts';

/** Where lists of pairs for cluster trainings are written: in the project, which the cluster sees. */
export const clusterDataListsFolder = (projectDir: string): string => path.join(projectDir, trainingFolderName, 'cluster-data');

export function clusterTrainingParams(project: { folder: string; catalogue: Catalogue }, request: z.output<(typeof methods)['train.start']['args']>, settings: ClusterSettings): ClusterJobParams {
  const { cluster, ...training } = request;
  if (!cluster) throw new Error('clusterTrainingParams: the request does not run on a cluster');
  const out = resolveClusterFolder(cluster.out, settings.sharedFolder);
  checkClusterWork({ work: 'train', shards: 1, out });
  const context = { projectDir: project.folder, catalogue: project.catalogue, log: () => undefined };
  const args = [...trainerArguments(context, training, clusterDataListsFolder(project.folder)), '--threads', String(settings.cpusPerTask)];
  return { work: 'train', args, shards: 1, out, settings, training };
}

/**
 * The training a job runs, for train.sampling and train.preview: its train.start request (null for a
 * `wavediff cluster submit train`, which names no dataset of the project) and the folder its
 * previews lie in (a cluster job's: OUT/run, readable here where this machine sees it).
 */
export function trainingRunOf(project: { folder: string; catalogue: Catalogue }, jobId: number): { request: z.output<(typeof methods)['train.start']['args']> | null; runFolder: string } {
  const job = project.catalogue.getJob(jobId);
  if (job.kind === 'train') return { request: trainingRequest(jobId, job.params), runFolder: trainingRunDir(project.folder, jobId) };
  const cluster = job.kind === 'cluster.run' ? clusterJobParamsSchema.safeParse(job.params) : null;
  if (cluster?.success && cluster.data.work === 'train') return { request: cluster.data.training ?? null, runFolder: trainRunFolder(cluster.data.out) };
  throw new StudioError('bad_input', `Job ${jobId} is a ${job.kind} job, not a training run.`);
}
