/**
 * The cluster job ('cluster.run'): work submitted to Slurm and followed as a job of the project.
 * Its progress counts finished tasks (and the merge) and its message lists each task's state; its
 * checkpoint holds the Slurm job ids, so a resume after the studio stopped re-attaches by polling.
 */
import type { z } from 'zod';
import type { JobKind } from '../jobs/jobKind.ts';
import { isProjectClosing } from '../jobs/jobManager.ts';
import { methods } from '../contract/contract.ts';
import { clusterSettingsSchema } from '../contract/parameters.ts';
import { ClusterShell } from './clusterShell.ts';
import { followClusterRun, type ClusterRunResult, type ClusterRunState } from './clusterRun.ts';
import { checkClusterFolder } from './sbatchScript.ts';
import { StudioError } from '../contract/errors.ts';

/** What cluster.submit records: the work and the cluster settings it was submitted with (a resume uses the same). */
export const clusterJobParamsSchema = methods['cluster.submit'].args.extend({ settings: clusterSettingsSchema });
export type ClusterJobParams = z.output<typeof clusterJobParamsSchema>;

/** Refuses work the scripts cannot express, before anything is submitted. */
export function checkClusterWork(params: Pick<ClusterJobParams, 'work' | 'shards' | 'out'>): void {
  checkClusterFolder(params.out);
  if (params.work === 'train' && params.shards !== 1) throw new StudioError('bad_input', `Training runs as one GPU job, not ${params.shards} shards: leave out --shards.`);
}

export const clusterJob: JobKind<ClusterJobParams, ClusterRunState, ClusterRunResult> = {
  kind: 'cluster.run',
  paramsSchema: clusterJobParamsSchema,
  followsExternalWork: true,
  title: (p) => (p.work === 'train' ? `Slurm: train on a GPU → ${p.out}` : `Slurm: ${p.work} in ${p.shards} tasks → ${p.out}`),
  async run(ctx, params) {
    const { settings, ...spec } = params;
    return followClusterRun(spec, settings, ctx.resumeState, {
      shell: new ClusterShell(settings.commandPrefix),
      signal: ctx.signal,
      checkpoint: ctx.checkpoint,
      log: ctx.log,
      progress: ctx.progress,
      leavesJobsRunning: isProjectClosing,
    });
  },
};
