import path from 'node:path';
import type { CliCommand } from '../command.ts';
import { mergeShards, type MergeResult } from '../../core/cluster/mergeShards.ts';
import { canonicalJson, readManifest } from '../../core/io/chunkedSet.ts';
import { StudioError } from '../../core/contract/errors.ts';
import { ProgressBar } from '../progressBar.ts';
import { cliAbortSignal } from '../interrupt.ts';
import { call, followJob, withProject } from '../studioSession.ts';

export const mergeCommand: CliCommand = {
  name: 'merge',
  summary: 'Merge the shard folders of one synth or generate run (--shard I/N) into the set one run writes',
  usage: `Usage: wavediff merge DIR1 DIR2 … --out DIR [--project P [--name NAME]] [--json]

Gathers the shard folders that wavediff synth … --shard I/N --out DIRi or wavediff generate …
--shard I/N --out DIRi wrote into DIR: data1.npy/model1.npy, … exactly as one unsharded run with the
same arguments writes them, manifest.json, and (generation) metrics.csv/metrics.json with one row per
sample in sample order (synthesis: synthesis.json). The shard folders are checked first, and nothing
is written when one fails: each must hold a manifest.json of the same run (arguments, seed, models,
geometry), together they must hold every sample once (no gap, no duplicate), and every file must
have the sha256 its manifest records. Files are hard-linked into DIR where it lies on the same file
system as the shards, copied otherwise; DIR must hold no data/model files or manifest yet.

With --project P the merged set then becomes a dataset of project P (a job of it): the set must have
been made with the project's acquisition geometry; its files are hard-linked into the project where
DIR lies on the project's file system, copied otherwise.

Options:
  --out DIR    the merged set's folder
  --project P  register the merged set as a dataset of project P
  --name NAME  the dataset's name (default: DIR's name)
  --json       print {"folder", "kind", "samples", "chunks", "shards", "copied", "files"} on stdout`,
  options: {
    out: { type: 'string' },
    project: { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  async run(args, io) {
    const v = args.values;
    if (typeof v.out !== 'string' || args.positionals.length === 0) {
      io.stderr.write(`wavediff merge: give the shard folders and --out DIR.\n\n${this.usage}\n`);
      return 2;
    }
    const folders = args.positionals.map((p) => path.resolve(p));
    const merge = async (): Promise<MergeResult> => {
      const bar = new ProgressBar(io, 'merge');
      const result = await mergeShards(folders, path.resolve(v.out as string), { signal: cliAbortSignal, onProgress: bar.update });
      bar.finish(
        `${result.samples} ${result.kind === 'generation' ? 'generated pairs' : 'synthesised samples'} in ${result.chunks} files from ${result.shards} shards in ${result.folder}` +
          (result.copied > 0 ? ` (${result.copied} files copied, the rest hard-linked)` : ''),
      );
      return result;
    };
    if (typeof v.project !== 'string') {
      const result = await merge();
      if (v.json) io.stdout.write(`${JSON.stringify(result)}\n`);
      return 0;
    }
    const projectFolder = path.resolve(v.project);
    const name = typeof v.name === 'string' ? v.name : undefined;
    return withProject(projectFolder, io, async (studio) => {
      // A set the project cannot take is refused before anything is merged.
      const geometry = await call(studio, 'project.geometry', {});
      if (canonicalJson(readManifest(folders[0]).geometry) !== canonicalJson(geometry)) {
        throw new StudioError(
          'bad_input',
          `${folders[0]}: the run was made with another acquisition geometry than project ${projectFolder}'s (manifest.json's "geometry" differs); nothing was merged. Use a project with that geometry, or merge without --project.`,
        );
      }
      const result = await merge();
      const job = await call(studio, 'import.chunkedSet', { folder: result.folder, name });
      const status = await followJob(studio, job, io);
      if (status === 0 && v.json) io.stdout.write(`${JSON.stringify({ ...result, jobId: job.id, ...(studio.jobs.get(job.id).result as object) })}\n`);
      return status;
    });
  },
};
