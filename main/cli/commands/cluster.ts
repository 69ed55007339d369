import path from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CliCommand, CliIo } from '../command.ts';
import { StudioError } from '../../core/contract/errors.ts';
import type { JobInfo } from '../../core/contract/contract.ts';
import { clusterShardsParameter, clusterWorkSchema, type ClusterWork } from '../../core/contract/parameters.ts';
import type { Studio } from '../../core/app/studio.ts';
import type { ClusterJobResult } from '../../core/cluster/clusterJob.ts';
import { resolveClusterFolder } from '../../core/cluster/sbatchScript.ts';
import { parameterOptionOrDefault, usageLine } from '../parameterOptions.ts';
import { call, followJob, withProject, withScratchProject } from '../studioSession.ts';
import { generateCommand } from './generate.ts';
import { synthCommand } from './synth.ts';

const usage = `Usage: wavediff cluster submit generate|synth … --shards N --out DIR --slurm [--wait]
       wavediff cluster submit train KIND … --out DIR --slurm [--wait]

Submits work to a Slurm cluster and follows it as a job (see wavediff jobs):
  generate, synth   an array of N tasks; task I runs '<studio command> generate|synth … --shard I/N
                    --out DIR/shard-I' (log: DIR/logs/shard-I.job-J.log); a failed task is resubmitted
                    alone, and a task that fails twice fails the run, naming it and its log. When every
                    task is done, '<studio command> merge DIR/shard-0 … --out DIR' runs as a job of its own.
  train KIND …      one GPU job: '<trainer command> KIND … --device cuda --out DIR/run' (--device cpu
                    where Settings → Cluster → GPUs is 0), its JSON-lines progress in DIR/progress.jsonl,
                    read into the job's training curves as it grows (KIND and the options are the
                    trainer's: native-models/README.md; paths are the cluster's). The model it exports
                    is registered in the project when DIR lies on a file system this machine sees.
The options of generate and synth (wavediff generate --help) are passed on; paths are the cluster's.

Options:
${usageLine('--shards N', clusterShardsParameter)}
  --out DIR            result folder on the cluster, without spaces (absolute, or relative to
                       Settings → Cluster → Shared folder)
  --slurm              submit to Slurm (sbatch, squeue, scontrol, scancel; no sacct needed)
  --wait               return once the merged set is in DIR (exit status 0) or a task failed twice (1)
  --project DIR        record the job in this project (default: a project of the command's own)
  --json               print the result as JSON on stdout

Partition, account, time limit, CPUs, memory, GPUs, the cluster-side commands and a command prefix
such as 'ssh user@login' (where this machine is not a login node) are settings (Settings → Cluster,
or settings.json in the studio's data folder). Without --wait the command returns once Slurm has
the work; 'wavediff jobs resume ID' (or the same command with --wait) follows it again, and so does
the studio after a restart. Ctrl-C while waiting cancels the work on the cluster (scancel).`;

/** This command's own options; everything else is passed on to the work. */
interface SubmitOptions {
  work: ClusterWork;
  forwarded: string[];
  shards: string | undefined;
  out: string | undefined;
  project: string | undefined;
  slurm: boolean;
  wait: boolean;
  json: boolean;
}

function splitArguments(argv: string[]): SubmitOptions {
  const [action, workName, ...rest] = argv;
  if (action !== 'submit') throw new StudioError('bad_input', `wavediff cluster: the only action is 'submit' (got '${action ?? ''}'). See wavediff cluster --help.`);
  const work = clusterWorkSchema.safeParse(workName);
  if (!work.success) throw new StudioError('bad_input', `wavediff cluster submit: name the work: ${clusterWorkSchema.options.join(', ')} (got '${workName ?? ''}').`);
  const options: SubmitOptions = { work: work.data, forwarded: [], shards: undefined, out: undefined, project: undefined, slurm: false, wait: false, json: false };
  const valued = { '--shards': 'shards', '--out': 'out', '--project': 'project' } as const;
  const flags = { '--slurm': 'slurm', '--wait': 'wait', '--json': 'json' } as const;
  for (let i = 0; i < rest.length; i++) {
    const [name, inline] = rest[i].split(/=(.*)/s, 2);
    if (name in valued) {
      const value = inline ?? rest[++i];
      if (value === undefined) throw new StudioError('bad_input', `${name} needs a value.`);
      options[valued[name as keyof typeof valued]] = value;
    } else if (name in flags && inline === undefined) {
      options[flags[name as keyof typeof flags]] = true;
    } else {
      options.forwarded.push(rest[i]);
    }
  }
  return options;
}

/** Refuses options the cluster-side command would reject, before anything is submitted. */
function checkForwarded(work: ClusterWork, forwarded: string[]): void {
  if (work === 'train') {
    if (forwarded.some((a) => a === '--device' || a.startsWith('--device='))) throw new StudioError('bad_input', 'train on the cluster chooses --device itself (cuda on the job\'s GPUs, cpu where Settings → Cluster → GPUs is 0): leave --device out.');
    return;
  }
  const command = work === 'generate' ? generateCommand : synthCommand;
  const own = ['out', 'project', 'shard', 'json'];
  try {
    const parsed = parseArgs({ args: forwarded, options: command.options, allowPositionals: false, strict: true });
    const clash = own.find((name) => parsed.values[name] !== undefined && parsed.values[name] !== false);
    if (clash) throw new StudioError('bad_input', `--${clash} is the cluster's to set for each task: leave it out of the ${work} options.`);
  } catch (error) {
    if (error instanceof StudioError) throw error;
    throw new StudioError('bad_input', `${work} options: ${(error as Error).message} (see wavediff ${work} --help).`);
  }
}

/** Until the job has submitted its work (its first checkpoint) or ended. */
async function submitted(studio: Studio, job: JobInfo): Promise<JobInfo> {
  const catalogue = studio.requireProject().catalogue;
  for (;;) {
    const info = studio.jobs.get(job.id);
    if (catalogue.getJob(job.id).resumeState || !['queued', 'running'].includes(info.status)) return info;
    await sleep(50);
  }
}

export const clusterCommand: CliCommand = {
  name: 'cluster',
  summary: 'Submit synthesis, generation or training to a Slurm cluster and follow it',
  usage,
  options: {},
  rawArguments: true,
  async run(args, io: CliIo) {
    const options = splitArguments(args.positionals);
    if (!options.slurm) throw new StudioError('bad_input', 'wavediff cluster submit: add --slurm (Slurm is the scheduler the studio submits to).');
    if (options.out === undefined) throw new StudioError('bad_input', 'wavediff cluster submit: give the result folder on the cluster with --out DIR.');
    checkForwarded(options.work, options.forwarded);
    const shards = options.work === 'train' ? 1 : parameterOptionOrDefault(options.shards, 'shards', clusterShardsParameter);
    const out = options.out;
    const session = <T>(work: (studio: Studio) => Promise<T>): Promise<T> =>
      options.project === undefined ? withScratchProject(`cluster:${options.out}`, 'wavediff cluster submit', io, {}, work) : withProject(path.resolve(options.project), io, work);
    return session(async (studio) => {
      const catalogue = studio.requireProject().catalogue;
      const request = { work: options.work, args: options.forwarded, shards, out: resolveClusterFolder(out, studio.user.settings().cluster.sharedFolder) };
      // The same command after Ctrl-C or without --wait: follow the run it started instead of submitting again.
      const earlier = studio.jobs.list().find((j) => {
        if (j.kind !== 'cluster.run' || !j.resumable) return false;
        const { settings: _settings, ...recorded } = catalogue.getJob(j.id).params as typeof request & { settings: unknown };
        return JSON.stringify(recorded) === JSON.stringify(request);
      });
      if (earlier) io.stderr.write(`wavediff cluster submit: following the earlier submission (job ${earlier.id}).\n`);
      const job: JobInfo = earlier ? await call(studio, 'job.resume', { jobId: earlier.id }) : await call(studio, 'cluster.submit', request);
      if (!options.wait) {
        const now = await submitted(studio, job);
        if (now.status === 'failed') throw new StudioError((now.errorCode as 'bad_input') ?? 'internal', now.error ?? 'The submission failed.');
        const projectFolder = studio.requireProject().folder;
        io.stderr.write(`${now.title}: submitted. Follow it with: wavediff jobs resume ${job.id} --project ${projectFolder}\n`);
        if (options.json) io.stdout.write(`${JSON.stringify({ jobId: job.id, project: projectFolder, state: catalogue.getJob(job.id).resumeState })}\n`);
        return 0;
      }
      const status = await followJob(studio, job, io);
      if (status !== 0) return status;
      const result = studio.jobs.get(job.id).result as ClusterJobResult;
      const made = result.work === 'train' ? `trained model in ${result.out}/run${result.modelRef ? `, registered as ${result.modelRef}` : ''}` : `merged set in ${result.out}`;
      io.stderr.write(`wavediff cluster submit: ${made} (Slurm jobs ${result.slurmJobIds.join(', ')}).\n`);
      if (options.json) io.stdout.write(`${JSON.stringify({ jobId: job.id, ...result })}\n`);
      return 0;
    });
  },
};
