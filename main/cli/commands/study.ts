import os from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import type { CliCommand, CliIo, OptionSpec, ParsedArgs } from '../command.ts';
import { StudioError } from '../../core/contract/errors.ts';
import type { Studio } from '../../core/app/studio.ts';
import type { StudyInfo } from '../../core/contract/contract.ts';
import { defaultSampler, samplerKindSchema, samplerParameters, studyKindLabels, studyKindNames, studyParameters, type StudyKindName, type StudyStartInput } from '../../core/contract/parameters.ts';
import type { StudyJobResult } from '../../core/studies/studyJob.ts';
import { parameterOption, usageLine } from '../parameterOptions.ts';
import { positiveInteger } from '../physicsArgs.ts';
import { awaitJob, call, withProject, withScratchProject } from '../studioSession.ts';
import { samplerOption } from './generate.ts';

const MODEL_FIELDS = ['stage1', 'stage2', 'inversionnet'];
/** Parameters that are file paths, with their option: --seismic FILE sets seismicFile. */
const FILE_FIELDS: Record<string, string> = { seismicFile: 'seismic' };
const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The number parameters of a study kind, as command-line options (the models and the sampler have their own). */
function numberFields(kind: StudyKindName): [string, z.ZodType][] {
  return Object.entries(studyParameters[kind].shape).filter(([name]) => !MODEL_FIELDS.includes(name) && name !== 'sampler' && !(name in FILE_FIELDS)) as [string, z.ZodType][];
}

function kindUsage(kind: StudyKindName): string {
  const fields = Object.keys(studyParameters[kind].shape);
  const models = MODEL_FIELDS.filter((m) => fields.includes(m));
  const lines = [
    `  wavediff study ${kind} [options] [--json]`,
    `    ${studyKindLabels[kind]}. Options:`,
    ...(models.length
      ? [`      --model REF          the models (${models.join(', ')}): 'default' (shipped), 'project:ID' (with --project) or a folder; --${models.join(' REF, --')} REF override it`]
      : []),
    ...(fields.includes('sampler')
      ? [
          `      --sampler S          ${samplerKindSchema.options.join(' | ')} (default ${defaultSampler.kind})`,
          `    ${usageLine('--steps N', samplerParameters.ab3Steps)} (default ${defaultSampler.kind === 'ddpm' ? '–' : defaultSampler.steps})`,
          `    ${usageLine('--eta E', samplerParameters.eta)}`,
        ]
      : []),
    ...Object.entries(FILE_FIELDS).filter(([name]) => fields.includes(name)).map(([name, option]) => `    ${usageLine(`--${option} FILE`, studyParameters[kind].shape[name as keyof (typeof studyParameters)[typeof kind]['shape']] as z.ZodType)}`),
    ...numberFields(kind).map(([name, schema]) => `    ${usageLine(`--${kebab(name)} N`, schema)}`),
  ];
  return lines.join('\n');
}

function studyParams(kind: StudyKindName, v: ParsedArgs['values']): Record<string, unknown> {
  const fields = Object.keys(studyParameters[kind].shape);
  const params: Record<string, unknown> = {};
  for (const m of MODEL_FIELDS) if (fields.includes(m)) params[m] = (v[m] as string | undefined) ?? (v.model as string | undefined) ?? 'default';
  if (fields.includes('sampler')) params.sampler = samplerOption(v);
  for (const [name, option] of Object.entries(FILE_FIELDS)) if (fields.includes(name) && typeof v[option] === 'string') params[name] = path.resolve(v[option] as string);
  for (const [name, schema] of numberFields(kind)) {
    const value = parameterOption(v[kebab(name)], kebab(name), schema);
    if (value !== undefined) params[name] = value;
  }
  return params;
}

const numberOptions: Record<string, OptionSpec> = Object.fromEntries(studyKindNames.flatMap((k) => numberFields(k).map(([name]) => [kebab(name), { type: 'string' as const }])));

function printStudies(studies: StudyInfo[], io: CliIo, json: boolean): void {
  if (json) {
    io.stdout.write(`${JSON.stringify(studies)}\n`);
    return;
  }
  for (const s of studies) io.stdout.write(`${String(s.id).padStart(4)}  ${s.status.padEnd(7)}  ${s.kind.padEnd(18)}  ${s.title}\n      ${s.folder}\n`);
}

async function runStudy(kind: StudyKindName, args: ParsedArgs, io: CliIo): Promise<number> {
  const v = args.values;
  const params = studyParams(kind, v);
  const threads = positiveInteger(v.threads, 'threads', os.availableParallelism());
  const work = async (studio: Studio): Promise<number> => {
    // The contract validates the parameters where it receives them (a missing datasetId is refused there).
    const started = await call(studio, 'study.start', { kind, params } as StudyStartInput);
    const done = await awaitJob(studio, started, io, { label: kind });
    const result = done.result as StudyJobResult;
    if (typeof v.out === 'string') {
      const exported = await call(studio, 'study.export', { studyId: result.studyId, folder: path.resolve(v.out), overwrite: true });
      io.stderr.write(`study: report written to ${exported.folder}\n`);
    } else if (typeof v.project === 'string') {
      io.stderr.write(`study: report ${result.studyId} in ${result.folder}\n`);
    } else {
      io.stderr.write('study: the report was not kept (give --out DIR, or --project DIR to keep it in a project).\n');
    }
    io.stdout.write(v.json ? `${JSON.stringify(result.summary)}\n` : `${JSON.stringify(result.summary, null, 2)}\n`);
    return 0;
  };
  return typeof v.project === 'string' ? withProject(path.resolve(v.project), io, work, { threads }) : withScratchProject(null, `wavediff study ${kind}`, io, { threads }, work);
}

export const studyCommand: CliCommand = {
  name: 'study',
  summary: "Run the method's studies (latent sampling, distribution fidelity, refined inversion, augmentation value, compression lab) and keep their reports",
  usage: `Usage:
${studyKindNames.map(kindUsage).join('\n')}
  wavediff study list --project DIR [--kind KIND] [--json]

Each study runs as a job and writes a report (report.md, results.json with every number, the seeds
and the model ids, plots/*.png) under the project's studies/<id>/ folder. With --project DIR it is
kept there (Studies view); --out DIR copies the report into DIR; without either it runs in a
temporary project and only its numbers are printed. --json prints the study's headline numbers as
one JSON document on stdout:
  latent-sampling: {"random": {"mean", "median"}, "interpolation": {"mean", "median", "by_weight": {"0.1": …}},
                    "diffusion": {"mean", "median"}, "reconstruction": {"mean", "median"}}   (pde_rel_l2)
  refined-inversion: {"stage1": {"mae", "rmse", "ssim"}, "refined": {…}, "oscillation": {…},
                      "spread_skill": {"ratio", "rmse", "spread", "members"} | null}   (velocity on OpenFWI's scale)
  compression:     {"methods": {NAME: {"ratio", "size_pct", "bytes", "snr_db", "psnr_db", "ssim", "corr", "nrms",
                    "mae", "amp", "phase"}}}, NAME: latent, codes, quant4, quant6, quant8, quant12, quant16, zstd,
                    deflate; metrics on the seismic in its physical units; snr_db and psnr_db null when exact
                    (lossless). Input: --seismic S.npy, --dataset-id N (with --project), else held-out pairs.
  fidelity:        {"velocity": {"fd", "fd_bootstrap": {"mean", "std", "p05", "p95", "resamples"},
                    "spectrum_rmse": {"low", "mid", "high"}, "features", "dimension"}, "seismic": {…}, "real", "generated"}
  augmentation-value: {"arms": {ARM: {"label", "train_samples", "steps", "real": {"mae", "rmse", "ssim"},
                    "challenging": {…} | null}}, "held_out": {"real", "challenging"}, "generated_helps",
                    "challenging_helps" (null without the variant)}, ARM: real, generated, generated_real,
                    finetune_original, finetune_challenging; InversionNet trained per arm by the PyTorch trainer.
                    Needs --project DIR and --dataset-id N (labelled real pairs); generated pairs: --generated-dataset-id N
                    or the project's newest generation run.
Common options: --project DIR, --out DIR, --threads N (cores for the FD solver and onnxruntime; default all).`,
  options: {
    model: { type: 'string' },
    stage1: { type: 'string' },
    stage2: { type: 'string' },
    inversionnet: { type: 'string' },
    seismic: { type: 'string' },
    sampler: { type: 'string' },
    steps: { type: 'string' },
    eta: { type: 'string' },
    ...numberOptions,
    kind: { type: 'string' },
    project: { type: 'string' },
    out: { type: 'string' },
    threads: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  async run(args, io) {
    const [what, ...extra] = args.positionals;
    if (extra.length) throw new StudioError('bad_input', `Unexpected arguments: ${extra.join(' ')}. See wavediff study --help.`);
    if (what === 'list') {
      if (typeof args.values.project !== 'string') throw new StudioError('bad_input', 'Give --project DIR: the studies of which project?');
      const kind = args.values.kind as string | undefined;
      if (kind !== undefined && !(studyKindNames as readonly string[]).includes(kind)) throw new StudioError('bad_input', `--kind ${kind}: choose ${studyKindNames.join(', ')}.`);
      return withProject(path.resolve(args.values.project), io, async (studio) => {
        printStudies(await call(studio, 'study.list', { kind: kind as StudyKindName | undefined }), io, Boolean(args.values.json));
        return 0;
      }, { readOnly: true });
    }
    if (!what || !(studyKindNames as readonly string[]).includes(what)) {
      throw new StudioError('bad_input', `${what ? `Unknown study '${what}'` : 'Name a study'}: choose ${studyKindNames.join(', ')} or list.`);
    }
    return runStudy(what as StudyKindName, args, io);
  },
};
