import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CliCommand, CliIo, OptionSpec, ParsedArgs } from '../command.ts';
import { StudioError } from '../../core/contract/errors.ts';
import type { Studio } from '../../core/app/studio.ts';
import type { JobInfo } from '../../core/contract/contract.ts';
import type { ProbeReport } from '../../core/generation/probe.ts';
import { checkGenerationParams } from '../../core/generation/paramChecks.ts';
import type { ModelRefs } from '../../core/generation/pipeline.ts';
import { defaultSampler, generationParameters, samplerKindSchema, samplerParameters, samplesPerFileParameter, type GenerationSampler } from '../../core/contract/parameters.ts';
import { parseShard } from '../../core/io/chunkedSet.ts';
import { parameterOption, parameterOptionOrDefault, usageLine } from '../parameterOptions.ts';
import { awaitJob, call, followJob, withProject, withScratchProject } from '../studioSession.ts';
import { positiveInteger } from '../physicsArgs.ts';

function wholeNumber(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed)) throw new StudioError('bad_input', `--${option} ${String(value)}: use a whole number ≥ 0.`);
  return parsed;
}

export function samplerOption(v: ParsedArgs['values']): GenerationSampler {
  const kind = samplerKindSchema.safeParse(v.sampler ?? defaultSampler.kind);
  if (!kind.success) throw new StudioError('bad_input', `--sampler ${String(v.sampler)}: choose ${samplerKindSchema.options.join(', ')}.`);
  if (kind.data === 'ddpm') return { kind: 'ddpm' };
  const defaultSteps = defaultSampler.kind === 'ddpm' ? undefined : defaultSampler.steps;
  if (kind.data === 'ab3') return { kind: 'ab3', steps: parameterOption(v.steps, 'steps', samplerParameters.ab3Steps) ?? defaultSteps! };
  return {
    kind: 'ddim',
    steps: parameterOption(v.steps, 'steps', samplerParameters.ddimSteps) ?? defaultSteps!,
    eta: parameterOptionOrDefault(v.eta, 'eta', samplerParameters.eta),
  };
}

export function modelRefs(v: ParsedArgs['values']): ModelRefs {
  const model = (v.model as string | undefined) ?? 'default';
  return {
    stage1: (v.stage1 as string | undefined) ?? model,
    stage2: (v.stage2 as string | undefined) ?? model,
    inversionnet: (v.inversionnet as string | undefined) ?? model,
  };
}

/** Options `generate` and `probe` share: the models, the count and the sampler (see MODEL_USAGE). */
export const MODEL_AND_SAMPLER_OPTIONS: Record<string, OptionSpec> = {
    model: { type: 'string' },
    stage1: { type: 'string' },
    stage2: { type: 'string' },
    inversionnet: { type: 'string' },
    count: { type: 'string' },
    sampler: { type: 'string' },
    steps: { type: 'string' },
    eta: { type: 'string' },
    seed: { type: 'string' },
};

export const MODEL_USAGE = `  --model REF          all three models: 'default' (shipped, native-models/default/), 'project:ID' or a folder
  --stage1 REF, --stage2 REF, --inversionnet REF   one model each (override --model)
  --sampler S          ${samplerKindSchema.options.join(' | ')} (default ${defaultSampler.kind})
${usageLine('--steps N', samplerParameters.ab3Steps)} (default ${defaultSampler.kind === 'ddpm' ? '–' : defaultSampler.steps})
${usageLine('--eta E', samplerParameters.eta)}
${usageLine('--seed S', generationParameters.seed)}`;

export const generateCommand: CliCommand = {
  name: 'generate',
  summary: 'Generate physically checked seismic–velocity pairs and export them as OpenFWI files',
  usage: `Usage: wavediff generate --count N --out DIR [--shard I/N] [options]

Samples N pairs with the diffusion models, decodes seismic and velocity, forward-models every
velocity with the FD solver (PDE deviation), runs InversionNet on the seismic (velocity MAE, RMSE,
SSIM), and exports them into DIR: data1.npy/model1.npy … (seismic [N,5,1000,70], velocity
[N,1,70,70] m/s; 500 pairs a file), metrics.csv and metrics.json (one row per sample),
manifest.json (run, models, samples and sha256 of every file) and seismic.sgy.

Sample i (0 … N−1) is seeded by --seed + i alone. With --shard I/N only shard I (0 … N−1) of N is
made: of the run's K files, files ⌊I·K/N⌋+1 … ⌊(I+1)·K/N⌋ under their own names (contiguous blocks
of whole files; no seismic.sgy). wavediff merge DIR0 DIR1 … --out DIR gathers the N shard folders
into the files one run writes.

Without --project the work is kept in a project of the command's own in the user's data folder (not
in DIR, and not among the recent projects); running the same command again after Ctrl-C or a crash
continues where it stopped (the generation, or the export of a finished one).

Options:
  --count N            number of pairs
  --out DIR            export folder
  --shard I/N          make shard I (from 0) of N only (see above)
${usageLine('--samples-per-file K', samplesPerFileParameter)}
${MODEL_USAGE}
${usageLine('--batch-size B', generationParameters.batchSize)}
  --no-physics         skip the FD check (pde_rel_l2 is then computed for the export)
  --project DIR        generate into this project (the run stays in its gallery)
  --no-segy            do not write seismic.sgy
  --json               print the result as JSON on stdout`,
  options: {
    ...MODEL_AND_SAMPLER_OPTIONS,
    out: { type: 'string' },
    'batch-size': { type: 'string' },
    'no-physics': { type: 'boolean', default: false },
    'no-segy': { type: 'boolean', default: false },
    shard: { type: 'string' },
    'samples-per-file': { type: 'string' },
    project: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  async run(args: ParsedArgs, io: CliIo) {
    const v = args.values;
    if (v.count === undefined || typeof v.out !== 'string' || args.positionals.length > 0) {
      io.stderr.write(`wavediff generate: give --count and --out.\n\n${this.usage}\n`);
      return 2;
    }
    const out = path.resolve(v.out);
    const params = {
      ...modelRefs(v),
      count: parameterOptionOrDefault(v.count, 'count', generationParameters.count),
      batchSize: parameterOptionOrDefault(v['batch-size'], 'batch-size', generationParameters.batchSize),
      sampler: samplerOption(v),
      seed: parameterOptionOrDefault(v.seed, 'seed', generationParameters.seed),
      physicsCheck: !v['no-physics'],
      ...(typeof v.shard === 'string' ? { shard: parseShard(v.shard) } : {}),
      ...(v['samples-per-file'] !== undefined ? { samplesPerFile: parameterOptionOrDefault(v['samples-per-file'], 'samples-per-file', samplesPerFileParameter) } : {}),
    };
    const ownProject = typeof v.project !== 'string';
    // Missing models and impossible steps are reported before any folder is made.
    if (ownProject) checkGenerationParams(params, null);
    const session = <T>(work: (studio: Studio) => Promise<T>): Promise<T> =>
      ownProject ? withScratchProject(out, 'wavediff generate', io, {}, work) : withProject(path.resolve(v.project as string), io, work);
    return session(async (studio) => {
      const catalogue = studio.requireProject().catalogue;
      // A run of the same command that was cut short continues where it stopped, in its own project:
      // the interrupted generation, or the export of the finished one (never a second generation).
      const earlier = ownProject ? studio.jobs.list().filter((j) => j.kind === 'generate' && JSON.stringify(catalogue.getJob(j.id).params) === JSON.stringify({ ...params, name: undefined })) : [];
      const finished = earlier.find((j) => j.status === 'done');
      const interrupted = earlier.find((j) => j.resumable);
      let generation: JobInfo;
      if (finished) {
        io.stderr.write(`wavediff generate: the generation of an earlier run of this command is complete (job ${finished.id}); exporting it.\n`);
        generation = finished;
      } else {
        if (interrupted) io.stderr.write(`wavediff generate: continuing the interrupted run (job ${interrupted.id}).\n`);
        generation = interrupted ? await call(studio, 'job.resume', { jobId: interrupted.id }) : await call(studio, 'generate.start', params);
        const status = await followJob(studio, generation, io);
        if (status !== 0) return status;
      }
      const result = studio.jobs.get(generation.id).result as { runId: number; samples: number; samplesPerSecond: number; provider: string; stageSeconds: Record<string, number> };

      // A shard's seismic.sgy could not be merged with the others': shards write the .npy files alone.
      const segy = !v['no-segy'] && params.shard === undefined;
      const exports = ownProject
        ? studio.jobs.list().filter((j) => {
            const p = catalogue.getJob(j.id).params as { folder?: string; runId?: number; segy?: boolean };
            return j.kind === 'export.generated' && p.folder === out && p.runId === result.runId && p.segy === segy;
          })
        : [];
      const exportedBefore = exports.find((j) => j.status === 'done' && (j.result as { files?: string[] } | null)?.files?.every((f) => fs.existsSync(path.join(out, f))));
      const exportInterrupted = exports.find((j) => j.resumable);
      let exportJob: JobInfo;
      if (exportedBefore) {
        exportJob = exportedBefore;
      } else {
        if (exportInterrupted) io.stderr.write(`wavediff generate: continuing the interrupted export (job ${exportInterrupted.id}).\n`);
        exportJob = exportInterrupted
          ? await call(studio, 'job.resume', { jobId: exportInterrupted.id })
          : await call(studio, 'export.generated', { folder: out, runId: result.runId, segy, overwrite: true });
        const exported = await followJob(studio, exportJob, io);
        if (exported !== 0) return exported;
      }
      const exportResult = studio.jobs.get(exportJob.id).result as { files: string[] };
      const split = Object.entries(result.stageSeconds).map(([k, s]) => `${k} ${s.toFixed(1)} s`).join(', ');
      const shardText = params.shard ? ` (shard ${params.shard.index}/${params.shard.count} of ${params.count})` : '';
      io.stderr.write(`wavediff generate: ${result.samples} pairs${shardText} in ${out} (${result.samplesPerSecond.toFixed(3)} samples/s on ${result.provider}; ${split}).\n`);
      if (v.json) io.stdout.write(`${JSON.stringify({ out, runId: result.runId, samples: result.samples, files: exportResult.files, samplesPerSecond: result.samplesPerSecond, provider: result.provider, stageSeconds: result.stageSeconds })}\n`);
      return 0;
    });
  },
};

export const probeCommand: CliCommand = {
  name: 'probe',
  summary: 'Trajectory probe: PDE deviation of random, denoised and reconstructed pairs, and along the sampler',
  usage: `Usage: wavediff probe --count N [--json] [options]

Measures pde_rel_l2 (OpenFWI geometry) of (a) pairs decoded from random latents without denoising,
(b) denoised samples and the decoded x̂₀ at several sampler steps (the curve), (c) stage-1
reconstructions of held-out pairs synthesised from the model's training families with an unused seed.

Options:
  --count N            samples for each of (a), (b), (c) (default 8)
${MODEL_USAGE}
  --curve-steps LIST   sampler grid steps for the curve, e.g. 0,5,10,19 (default: six, evenly spaced)
  --holdout-seed S     seed of the held-out synthesis (default: one training did not record)
  --threads N          cores for the FD solver and onnxruntime (default: all)
  --json               print {"random": {"mean", "median", …}, "denoised": …, "reconstruction": …, "curve": […], …}`,
  options: {
    ...MODEL_AND_SAMPLER_OPTIONS,
    'curve-steps': { type: 'string' },
    'holdout-seed': { type: 'string' },
    threads: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  async run(args: ParsedArgs, io: CliIo) {
    const v = args.values;
    const threads = positiveInteger(v.threads, 'threads', os.availableParallelism());
    const curveSteps = typeof v['curve-steps'] === 'string' ? v['curve-steps'].split(',').map((s) => wholeNumber(s.trim(), 'curve-steps', 0)) : undefined;
    const params = {
      ...modelRefs(v),
      count: positiveInteger(v.count, 'count', 8),
      seed: parameterOptionOrDefault(v.seed, 'seed', generationParameters.seed),
      sampler: samplerOption(v),
      curveSteps,
      holdoutSeed: v['holdout-seed'] === undefined ? undefined : wholeNumber(v['holdout-seed'], 'holdout-seed', 0),
    };
    return withScratchProject(null, 'wavediff probe', io, { threads }, async (studio) => {
      const started = await call(studio, 'generate.probe', params);
      const report = (await awaitJob(studio, started, io, { label: 'probe', resumeHint: 'Run the same command again.' })).result as ProbeReport;
      io.stderr.write(
        `probe: pde_rel_l2 mean: random ${report.random.mean.toPrecision(4)}, denoised ${report.denoised.mean.toPrecision(4)}, reconstruction ${report.reconstruction.mean.toPrecision(4)} (random/denoised ${report.random_over_denoised.toFixed(2)}×)\n`,
      );
      if (v.json) io.stdout.write(`${JSON.stringify(report)}\n`);
      else {
        io.stdout.write(`random latents    mean ${report.random.mean.toPrecision(4)}  median ${report.random.median.toPrecision(4)}\n`);
        io.stdout.write(`denoised          mean ${report.denoised.mean.toPrecision(4)}  median ${report.denoised.median.toPrecision(4)}\n`);
        io.stdout.write(`reconstruction    mean ${report.reconstruction.mean.toPrecision(4)}  median ${report.reconstruction.median.toPrecision(4)}\n`);
        for (const p of report.curve) io.stdout.write(`step ${String(p.step).padStart(4)} (t=${String(p.t).padStart(3)})  mean ${p.mean.toPrecision(4)}  median ${p.median.toPrecision(4)}\n`);
      }
      return 0;
    });
  },
};
