import path from 'node:path';
import type { CliCommand, CliIo } from '../command.ts';
import fs from 'node:fs';
import { StudioError } from '../../core/contract/errors.ts';
import { OPENFWI_MODEL_SHAPE, VELOCITY_FAMILIES, parseVelocityFamily, type VelocityFamily } from '../../core/physics/families.ts';
import type { SynthesisResult } from '../../core/physics/synthesis.ts';
import { PHYSICS_COMMON_USAGE, computeOptions, geometryOption, positiveInteger } from '../physicsArgs.ts';
import { awaitJob, call, followJob, jobsWithParams, withProject, withScratchProject, type CliCompute } from '../studioSession.ts';
import { methods, type JobInfo, type MethodArgs } from '../../core/contract/contract.ts';
import { OPENFWI_SAMPLES_PER_FILE, samplesPerFileParameter } from '../../core/contract/parameters.ts';
import { parameterOptionOrDefault, usageLine } from '../parameterOptions.ts';
import { WHOLE_RUN, parseShard, shardSamples } from '../../core/io/chunkedSet.ts';

/** Options that describe a folder synthesis only: a project job uses the project's geometry and the studio's threads. */
const FOLDER_ONLY_OPTIONS = ['out', 'shape', 'geometry', 'threads', 'kernel', 'velocity-only', 'shard'] as const;

/**
 * `wavediff synth --project DIR`: the synthesis as a job of the project (physics.synthesize), so the
 * dataset appears in its catalogue. Running the same command again continues the interrupted job
 * with the same parameters, as `wavediff jobs resume ID` does.
 */
async function synthesizeIntoProject(
  folder: string,
  params: { family: VelocityFamily; count: number; seed: number; samplesPerFile: number; name?: string },
  json: boolean,
  io: CliIo,
): Promise<number> {
  return withProject(folder, io, async (studio) => {
    const catalogue = studio.requireProject().catalogue;
    const same = studio.jobs.list().find((j) => j.kind === 'physics.synthesize' && j.resumable && sameSynthesis(catalogue.getJob(j.id).params, params));
    let started: JobInfo;
    if (same) {
      io.stderr.write(`wavediff synth: continuing the interrupted synthesis (job ${same.id}).\n`);
      started = await call(studio, 'job.resume', { jobId: same.id });
    } else {
      started = await call(studio, 'physics.synthesize', params);
    }
    const status = await followJob(studio, started, io);
    if (status === 0 && json) io.stdout.write(`${JSON.stringify({ jobId: started.id, ...(studio.jobs.get(started.id).result as object) })}\n`);
    return status;
  });
}

/** Whether a job's recorded parameters are those of this command. */
function sameSynthesis(recorded: unknown, params: { family: VelocityFamily; count: number; seed: number; samplesPerFile: number; name?: string }): boolean {
  const r = recorded as Partial<typeof params>;
  return r.family === params.family && r.count === params.count && r.seed === params.seed && r.samplesPerFile === params.samplesPerFile && r.name === params.name;
}

/**
 * `wavediff synth --out DIR`: the synthesis as a job (physics.synthesizeFolder) of the command's
 * scratch project for DIR. Running the same command again continues its interrupted job from the
 * job's checkpoint, or finds it finished.
 */
async function synthesizeIntoFolder(args: MethodArgs<'physics.synthesizeFolder'>, compute: CliCompute, json: boolean, io: CliIo): Promise<number> {
  const params = methods['physics.synthesizeFolder'].args.parse(args);
  const range = shardSamples(params.count, params.samplesPerFile, params.shard ?? WHOLE_RUN);
  return withScratchProject(params.folder, 'wavediff synth', io, compute, async (studio) => {
    const earlier = jobsWithParams(studio, 'physics.synthesizeFolder', params);
    const finished = earlier.find((j) => j.status === 'done' && folderHolds(params.folder, (j.result as SynthesisResult).state));
    const interrupted = earlier.find((j) => j.resumable);
    let result: SynthesisResult;
    if (finished) {
      result = { ...(finished.result as SynthesisResult), resumedFrom: range.end - range.start };
    } else {
      if (interrupted) io.stderr.write(`wavediff synth: continuing the interrupted synthesis (job ${interrupted.id}).\n`);
      const loggedBefore = interrupted ? studio.requireProject().catalogue.jobEvents(interrupted.id).at(-1)?.id : undefined;
      const started: JobInfo = interrupted ? await call(studio, 'job.resume', { jobId: interrupted.id }) : await call(studio, 'physics.synthesizeFolder', params);
      const done = await awaitJob(studio, started, io, { label: 'synth', resumeHint: 'Run the same command again to continue.', loggedBefore });
      result = done.result as SynthesisResult;
    }
    const resumed = result.resumedFrom > 0 ? ` (continued from sample ${range.start + result.resumedFrom})` : '';
    const what = params.velocityOnly ? 'velocity models' : 'samples';
    if (params.shard) {
      const fileCount = range.endFile - range.firstFile;
      const files = fileCount === 0 ? 'no files (more shards than files) ' : fileCount === 1 ? `file ${range.firstFile}, ` : `files ${range.firstFile}–${range.endFile - 1}, `;
      io.stderr.write(`synth: shard ${params.shard.index}/${params.shard.count} of ${params.count} ${what} of ${params.family}: ${files}${fileCount === 0 ? '' : `samples ${range.start}–${range.end - 1} (${range.end - range.start}) `}in ${params.folder}${resumed}\n`);
    } else {
      io.stderr.write(`synth: ${params.count} ${what} of ${params.family} in ${params.folder}${resumed}\n`);
    }
    if (json) io.stdout.write(`${JSON.stringify({ destDir: result.destDir, ...result.state })}\n`);
    return 0;
  });
}

/** Whether the folder still holds every file a finished synthesis wrote. */
function folderHolds(folder: string, state: SynthesisResult['state']): boolean {
  return state.files.every((f) => fs.existsSync(path.join(folder, f.model)) && (state.velocityOnly || fs.existsSync(path.join(folder, f.data))));
}

function shapeOption(value: unknown): { nz: number; nx: number } {
  if (value === undefined) return { ...OPENFWI_MODEL_SHAPE };
  const match = typeof value === 'string' ? /^(\d+)x(\d+)$/i.exec(value.trim()) : null;
  if (!match) throw new StudioError('bad_input', `--shape ${String(value)}: write DEPTHxWIDTH in cells, e.g. 70x70.`);
  return { nz: Number(match[1]), nx: Number(match[2]) };
}

export const synthCommand: CliCommand = {
  name: 'synth',
  summary: 'Synthesise an OpenFWI-style dataset: seeded velocity models of a family and their seismic',
  usage: `Usage: wavediff synth --family F --count N --seed S [--out DIR] [--shard I/N] [--velocity-only] [--threads N] [--kernel K]
       wavediff synth --family F --count N --seed S --project DIR [--name NAME] [--samples-per-file K]

Generates N velocity models of family F from seed S (sample i depends only on S and i), forward-models
them and writes data1.npy/model1.npy, … (${OPENFWI_SAMPLES_PER_FILE} samples per file), manifest.json (run, shard,
samples and sha256 of every file) and synthesis.json into DIR. Resumable:
run the same command again with the same --out to continue after Ctrl-C or a crash (the job is kept
in a project of the command's own in the user's data folder, not in DIR). With --velocity-only it writes
model1.npy, … alone, for forward modelling elsewhere (e.g. on a GPU: python3 -m
wavediff_models.forward_torch --velocity DIR/model1.npy --out DIR/data1.npy).

With --shard I/N it makes shard I (0 … N−1) of N: of the run's K files, files ⌊I·K/N⌋+1 … ⌊(I+1)·K/N⌋
under their own names (contiguous blocks of whole files; shard 1/3 of --count 10 --samples-per-file 4
is data2.npy/model2.npy, samples 4–7). Sample i is the same in every shard layout, so
wavediff merge DIR0 DIR1 … --out DIR gathers the N shard folders into the files one run writes.

With --project the synthesis runs as a job of that project with the project's acquisition geometry
and becomes one of its datasets once complete; after Ctrl-C or a crash, run the same command again
(or wavediff jobs resume ID --project DIR) to continue it.

Families: ${VELOCITY_FAMILIES.join(', ')}

Options:
  --family F            velocity family
  --count N             number of samples
  --seed S              dataset seed (whole number)
  --out DIR             destination folder (default ./F-seedS)
  --shard I/N           make shard I (from 0) of N only (see above)
${usageLine('--samples-per-file K', samplesPerFileParameter, 22)}
  --shape DxW           model size in cells (default 70x70; other sizes need --geometry)
  --velocity-only       write the velocity models only (no forward modelling)
  --project DIR         synthesise into this project as a job (not with --out, --shard, --shape,
                        --geometry, --threads, --kernel or --velocity-only)
  --name NAME           name of the project's new dataset
  --json                print the synthesis record (with --project: the job and dataset ids) as JSON on stdout
${PHYSICS_COMMON_USAGE}
`,
  options: {
    family: { type: 'string' },
    count: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    'samples-per-file': { type: 'string' },
    shape: { type: 'string' },
    geometry: { type: 'string' },
    threads: { type: 'string' },
    kernel: { type: 'string' },
    'velocity-only': { type: 'boolean', default: false },
    shard: { type: 'string' },
    project: { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  async run(args, io) {
    const v = args.values;
    if (typeof v.family !== 'string' || v.count === undefined || v.seed === undefined || args.positionals.length > 0) {
      io.stderr.write(`wavediff synth: give --family, --count and --seed.\n\n${this.usage}`);
      return 2;
    }
    const family = parseVelocityFamily(v.family, '--family');
    const count = positiveInteger(v.count, 'count', 1);
    const seed = Number(v.seed);
    if (typeof v.seed !== 'string' || !/^-?\d+$/.test(v.seed.trim()) || !Number.isSafeInteger(seed)) {
      throw new StudioError('bad_input', `--seed ${String(v.seed)}: use a whole number.`);
    }
    const samplesPerFile = parameterOptionOrDefault(v['samples-per-file'], 'samples-per-file', samplesPerFileParameter);
    if (typeof v.project === 'string') {
      const clash = FOLDER_ONLY_OPTIONS.filter((option) => (option === 'velocity-only' ? v[option] === true : v[option] !== undefined));
      if (clash.length > 0) {
        throw new StudioError('bad_input', `--project runs the synthesis as a job with the project's geometry and the studio's threads; leave out ${clash.map((o) => `--${o}`).join(', ')}.`);
      }
      const name = typeof v.name === 'string' ? v.name : undefined;
      return synthesizeIntoProject(path.resolve(v.project), { family, count, seed, samplesPerFile, name }, v.json === true, io);
    }
    if (v.name !== undefined) throw new StudioError('bad_input', '--name names a project dataset: use it with --project DIR.');
    const shape = shapeOption(v.shape);
    const geometry = geometryOption(v.geometry, shape);
    const folder = path.resolve(typeof v.out === 'string' ? v.out : `${family}-seed${seed}`);
    const velocityOnly = v['velocity-only'] === true;
    const shard = typeof v.shard === 'string' ? parseShard(v.shard) : undefined;
    return synthesizeIntoFolder({ folder, family, count, seed, samplesPerFile, shape, geometry, velocityOnly, ...(shard ? { shard } : {}) }, computeOptions(v), v.json === true, io);
  },
};
