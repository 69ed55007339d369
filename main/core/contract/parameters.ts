/**
 * Every parameter a person sets — in a form, on the command line, or through the Python trainer —
 * declared once with its default, range, unit and meaning. The contract's methods use these
 * schemas; the CLI's defaults and usage text, the renderer's forms and messages, and
 * native-models/wavediff_models/training_params.schema.json (see `trainingParamsJsonSchema`) are
 * derived from them. Depends on zod alone.
 */
import { z } from 'zod';

/** What a person reads about a parameter. */
export interface ParameterMeta {
  /** Its name in a form ('Sampler steps'). */
  title: string;
  /** What it does, in a few words, as CLI usage lines say it ('optimiser steps'). */
  description: string;
  /** The unit of a number ('m/s', 'samples'); omitted for counts whose description says it. */
  unit?: string;
}

function parameter<S extends z.ZodType>(schema: S, meta: ParameterMeta): S {
  return schema.meta({ ...meta }) as S;
}

const SEED_MAX = 2 ** 31 - 1;

// ---------- training (train.start, wavediff train, TrainDialog, native-models train.py) ----------

export const trainingParameters = {
  steps: parameter(z.number().int().min(1).max(10_000_000).default(1000), { title: 'Steps', description: 'optimiser steps', unit: 'steps' }),
  batchSize: parameter(z.number().int().min(1).max(4096).optional(), { title: 'Batch size', description: "samples per optimiser step (default: the trainer's per network)", unit: 'samples' }),
  threads: parameter(z.number().int().min(1).max(256).default(1), { title: 'Threads', description: 'torch threads', unit: 'threads' }),
  seed: parameter(z.number().int().min(0).max(SEED_MAX).default(0), { title: 'Seed', description: 'training seed' }),
};

// ---------- generation (generate.start, wavediff generate/probe, GenerateView) ----------

export const samplerKindSchema = parameter(z.enum(['ddpm', 'ddim', 'ab3']), {
  title: 'Sampler',
  description: 'ddpm (the full chain), ddim, or ab3 (third-order Adams–Bashforth)',
});
export type SamplerKind = z.infer<typeof samplerKindSchema>;

const samplerSteps = (minimum: number) =>
  parameter(z.number().int().min(minimum).max(1000), { title: 'Sampler steps', description: 'network evaluations for ddim and ab3', unit: 'network evaluations' });

export const samplerParameters = {
  ddimSteps: samplerSteps(1),
  /** Third-order Adams–Bashforth needs two steps to start. */
  ab3Steps: samplerSteps(2),
  eta: parameter(z.number().min(0).max(1).default(0), { title: 'η', description: 'DDIM η from 0 to 1' }),
};

/** The sampler of a generation: the full DDPM chain, DDIM with n steps and η, or third-order Adams–Bashforth with n steps. */
export const generationSamplerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ddpm') }),
  z.object({ kind: z.literal('ddim'), steps: samplerParameters.ddimSteps, eta: samplerParameters.eta }),
  z.object({ kind: z.literal('ab3'), steps: samplerParameters.ab3Steps }),
]);
/** The one sampler type: what a person chooses, as the contract delivers it (η filled in). */
export type GenerationSampler = z.output<typeof generationSamplerSchema>;

/** The sampler a generation uses unless told otherwise. */
export const defaultSampler: GenerationSampler = { kind: 'ab3', steps: 20 };

/** 'DDPM', 'DDIM 50', 'AB3 20': the short name of a sampler in titles and names. */
export function samplerShortName(sampler: GenerationSampler): string {
  return sampler.kind === 'ddpm' ? 'DDPM' : `${sampler.kind.toUpperCase()} ${sampler.steps}`;
}

export const generationParameters = {
  count: parameter(z.number().int().min(1).max(1_000_000), { title: 'Count', description: 'number of pairs', unit: 'pairs' }),
  batchSize: parameter(z.number().int().min(1).max(256).default(4), { title: 'Batch size', description: 'samples per batch (results do not depend on it)', unit: 'samples' }),
  seed: parameter(z.number().int().min(0).max(SEED_MAX).default(0), { title: 'Seed', description: 'sample i uses seed + i' }),
};

// ---------- studies (study.start, wavediff study, StudiesView) ----------

const modelRef = (network: string) =>
  parameter(z.string().min(1).default('default'), { title: `${network} model`, description: `${network} model: default, project:ID or a model folder` });

/** The study kinds, in the order the Studies view offers them; each has its parameters below. */
export const studyKindNames = ['latent-sampling', 'fidelity', 'refined-inversion', 'augmentation-value', 'compression'] as const;
export type StudyKindName = (typeof studyKindNames)[number];

/** Each study kind's name in the Studies view, the CLI's usage and the reports. */
export const studyKindLabels: Record<StudyKindName, string> = {
  'latent-sampling': 'Latent sampling',
  'refined-inversion': 'Diffusion-refined inversion',
  compression: 'Compression lab',
  fidelity: 'Distribution fidelity',
  'augmentation-value': 'Augmentation value',
};

/** Diffusion-refined inversion (wavediff invert --network refined, the refined-inversion study). */
export const refinedInversionParameters = {
  refineSteps: parameter(z.number().int().min(1).max(1000).default(10), { title: 'Refinement steps K', description: 'last denoising steps run from the encoded latent', unit: 'steps' }),
  candidates: parameter(z.number().int().min(1).max(10_000).default(100), { title: 'Candidates M', description: 'candidate latents drawn per step, the best by seismic L2 kept', unit: 'latents' }),
  seed: parameter(z.number().int().min(0).max(SEED_MAX).default(0), { title: 'Seed', description: 'seed of the candidates (sample i draws from its own stream)' }),
};

export const interpolationWeights = [0.1, 0.3, 0.5, 0.7, 0.9] as const;

export const studyParameters = {
  'latent-sampling': z.object({
    stage1: modelRef('Stage-1'),
    stage2: modelRef('Stage-2'),
    inversionnet: modelRef('InversionNet'),
    count: parameter(z.number().int().min(1).max(10_000).default(16), { title: 'Count', description: 'pairs per set (random, each interpolation weight, diffusion, reconstruction)', unit: 'pairs' }),
    seed: parameter(z.number().int().min(0).max(SEED_MAX).default(0), { title: 'Seed', description: 'seed of the random latents and the sampler noise (pair i uses seed + i)' }),
    sampler: generationSamplerSchema.default(defaultSampler),
    curvePoints: parameter(z.number().int().min(2).max(1000).default(6), { title: 'Curve points', description: "sampler steps at which the deviation curve is measured (evenly spaced, last included)", unit: 'steps' }),
    statsCount: parameter(z.number().int().min(2).max(10_000).default(64), { title: 'Pairs for latent statistics', description: "training-family pairs encoded for the random latents' mean and std", unit: 'pairs' }),
  }),
  'refined-inversion': z.object({
    stage1: modelRef('Stage-1'),
    stage2: modelRef('Stage-2'),
    count: parameter(z.number().int().min(1).max(10_000).default(8), { title: 'Count', description: "labelled pairs inverted (held-out pairs of the stage-1 model's training families, or the first of the dataset)", unit: 'pairs' }),
    seed: refinedInversionParameters.seed,
    refineSteps: refinedInversionParameters.refineSteps,
    candidates: refinedInversionParameters.candidates,
    oscillation: parameter(z.number().min(0).max(1).default(0.05), { title: 'Oscillation width', description: 'relative half-width of the baseline around the encoded latent (0.05: within 5 %)' }),
    datasetId: parameter(z.number().int().min(1).optional(), { title: 'Labelled dataset', description: "a project dataset of pairs (empty: held-out pairs synthesised from the stage-1 model's training families)" }),
  }),
  compression: z.object({
    stage1: modelRef('Stage-1'),
    count: parameter(z.number().int().min(1).max(100_000).optional(), {
      title: 'Samples',
      description: "seismic samples compressed: the first of the file or dataset (default all), else held-out pairs synthesised from the stage-1 model's training families (default 8)",
      unit: 'samples',
    }),
    datasetId: parameter(z.number().int().min(1).optional(), { title: 'Seismic dataset', description: 'a project dataset with seismic [N, sources, time, receivers] (default: held-out synthesis)' }),
    seismicFile: parameter(z.string().min(1).optional(), { title: 'Seismic file', description: 'a .npy file of seismic [N, sources, time, receivers] in physical units (command line only)' }),
    sampleIntervalMs: parameter(z.number().positive().max(1000).default(1), {
      title: 'Sample interval',
      description: "time step of the seismic, for the spectra's frequency axis (a dataset's own is used when it records one)",
      unit: 'ms',
    }),
  }),
  fidelity: z.object({
    stage1: modelRef('Stage-1'),
    stage2: modelRef('Stage-2'),
    inversionnet: modelRef('InversionNet'),
    count: parameter(z.number().int().min(2).max(10_000).default(32), { title: 'Count', description: 'pairs per set (real and generated)', unit: 'pairs' }),
    seed: parameter(z.number().int().min(0).max(SEED_MAX).default(0), { title: 'Seed', description: 'seed of the sampler noise, the bootstrap and the embedding' }),
    sampler: generationSamplerSchema.default(defaultSampler),
    bootstrap: parameter(z.number().int().min(0).max(10_000).default(50), { title: 'Bootstrap resamples', description: "resamples of both sets for the Fréchet distance's spread", unit: 'resamples' }),
    datasetId: parameter(z.number().int().min(1).optional(), { title: 'Real dataset', description: "a project dataset of pairs as the real set (its first count pairs; default: held-out pairs synthesised from the stage-1 model's training families)" }),
    generatedDatasetId: parameter(z.number().int().min(1).optional(), {
      title: 'Generated dataset',
      description: "a project dataset of generated pairs, e.g. a generation run's (its first count pairs; default: count fresh samples of the stage-2 model)",
    }),
  }),
  'augmentation-value': z.object({
    datasetId: parameter(z.number().int().min(1), { title: 'Real dataset', description: 'a project dataset of labelled pairs (seismic and velocity): the real set, split by the seed into a training pool and a held-out set' }),
    generatedDatasetId: parameter(z.number().int().min(1).optional(), {
      title: 'Generated dataset',
      description: "a project dataset of generated pairs, e.g. a generation run's (default: the newest generation run's)",
    }),
    realCount: parameter(z.number().int().min(4).max(1_000_000).default(200), { title: 'Real pairs', description: 'real pairs used at most (a seeded choice when the dataset holds more)', unit: 'pairs' }),
    heldOutPercent: parameter(z.number().min(1).max(90).default(20), { title: 'Held out', description: 'share of the real pairs held out for evaluation, never trained on', unit: '%' }),
    realPercent: parameter(z.number().min(1).max(100).default(25), { title: 'Real share n', description: 'share of the real training pool that arms (a) and (c) train on', unit: '%' }),
    generatedCount: parameter(z.number().int().min(2).max(1_000_000).default(2000), { title: 'Generated pairs', description: 'generated pairs used at most (its first)', unit: 'pairs' }),
    trainSteps: parameter(z.number().int().min(1).max(10_000_000).default(400), { title: 'Steps per run', description: 'optimiser steps of each InversionNet trained from scratch (the same for every arm)', unit: 'steps' }),
    batchSize: parameter(z.number().int().min(2).max(4096).default(8), { title: 'Batch size', description: 'samples per optimiser step of every run', unit: 'samples' }),
    curvePoints: parameter(z.number().int().min(1).max(1000).default(10), { title: 'Curve points', description: 'held-out evaluations per run for the learning curves (evenly spaced, last included)', unit: 'evaluations' }),
    seed: parameter(z.number().int().min(0).max(SEED_MAX).default(0), { title: 'Seed', description: 'seed of the splits and of every training run' }),
    challengingCount: parameter(z.number().int().min(0).max(1_000_000).default(200), {
      title: 'Challenging samples',
      description: 'generated samples picked as challenging (half fine-tuned on, half held out); 0 leaves the fine-tuning variant out',
      unit: 'pairs',
    }),
    challengingPdeMax: parameter(z.number().positive().max(1000).default(0.5), { title: 'Challenging PDE ceiling', description: 'largest PDE deviation (pde_rel_l2) of a challenging sample: physically valid, yet hardest for InversionNet' }),
    fineTuneSteps: parameter(z.number().int().min(1).max(10_000_000).default(200), { title: 'Fine-tuning steps', description: 'optimiser steps of each fine-tuning run of the variant', unit: 'steps' }),
  }),
} satisfies Record<StudyKindName, z.ZodObject>;

/** study.start's arguments: the kind and its parameters (missing ones take their defaults). Add a line per study kind. */
export const studyStartSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('latent-sampling'), params: studyParameters['latent-sampling'].prefault({}) }),
  z.object({ kind: z.literal('refined-inversion'), params: studyParameters['refined-inversion'].prefault({}) }),
  z.object({ kind: z.literal('compression'), params: studyParameters.compression.prefault({}) }),
  z.object({ kind: z.literal('fidelity'), params: studyParameters.fidelity.prefault({}) }),
  z.object({ kind: z.literal('augmentation-value'), params: studyParameters['augmentation-value'] }),
]);
export type StudyStart = z.output<typeof studyStartSchema>;
/** study.start's arguments as sent (parameters with defaults may be left out). */
export type StudyStartInput = z.input<typeof studyStartSchema>;

export type StudyParams<K extends StudyKindName> = z.output<(typeof studyParameters)[K]>;

// ---------- data ----------

/** The SEG-Y trace header field (a segyio TraceField name) whose value changes from one shot gather to the next. */
export const defaultGatherKey = 'FieldRecord';
export const gatherKeyParameter = parameter(z.string().min(1).default(defaultGatherKey), { title: 'Gather key', description: 'trace header field that groups traces into shot gathers' });

/** OpenFWI's files hold 500 samples each. */
export const OPENFWI_SAMPLES_PER_FILE = 500;
/** The chunk size of a set written to a folder: every data{k}.npy/model{k}.npy but the last holds this many pairs. */
export const samplesPerFileParameter = parameter(z.number().int().min(1).max(100_000).default(OPENFWI_SAMPLES_PER_FILE), { title: 'Samples per file', description: 'samples per data/model file', unit: 'samples' });
/** The same, absent unless given (where another record supplies the default). */
export const optionalSamplesPerFile = samplesPerFileParameter.unwrap().optional();

// ---------- shards (wavediff synth/generate --shard I/N, wavediff merge) ----------

export const SHARDS_MAX = 100_000;
/**
 * One of N shards of a run written to a folder: shard I (from 0) makes the I-th of N contiguous runs
 * of whole files of the set (see main/core/io/chunkedSet.ts); the N shards merged are the unsharded set.
 */
export const shardParameter = parameter(
  z
    .object({ index: z.number().int().min(0).max(SHARDS_MAX - 1), count: z.number().int().min(1).max(SHARDS_MAX) })
    .refine((s) => s.index < s.count, { message: 'the shard I of I/N counts from 0 and must be below N' }),
  { title: 'Shard', description: 'I/N: make shard I (0 … N−1) of N, whole files of the set each' },
);
export type Shard = z.output<typeof shardParameter>;

// ---------- a Slurm cluster (Settings → Cluster, wavediff cluster submit) ----------

/** A Slurm time limit as sbatch reads it: minutes, MM:SS, HH:MM:SS or D-HH[:MM[:SS]]. */
const slurmTimeLimit = /^(\d+|\d+:\d{2}|\d+:\d{2}:\d{2}|\d+-\d+(:\d{2}(:\d{2})?)?)$/;
/** A word that is safe on a shell line and in an #SBATCH directive (no spaces, quotes or `$`). */
const slurmWord = /^[A-Za-z0-9_.,:@+=\/-]*$/;

export const clusterParameters = {
  partition: parameter(z.string().regex(slurmWord, 'a partition name (letters, digits, _ . , : - only)').default(''), { title: 'Partition', description: "Slurm partition (empty: the cluster's default)" }),
  account: parameter(z.string().regex(slurmWord, 'an account name (letters, digits, _ . - only)').default(''), { title: 'Account', description: "Slurm account to charge (empty: the user's default)" }),
  timeLimit: parameter(z.string().regex(slurmTimeLimit, 'a Slurm time such as 04:00:00 or 1-00:00:00').default('04:00:00'), { title: 'Time limit', description: 'wall-clock limit of each task (HH:MM:SS or D-HH:MM:SS)' }),
  cpusPerTask: parameter(z.number().int().min(1).max(1024).default(4), { title: 'CPUs per task', description: 'cores of each array task (FD solver and inference threads)', unit: 'cores' }),
  memory: parameter(z.string().regex(/^\d+[KMGT]?$/, 'a size such as 8G or 16000M').default('8G'), { title: 'Memory', description: 'memory of each task (sbatch --mem: 8G, 16000M)' }),
  gpus: parameter(z.number().int().min(0).max(16).default(1), { title: 'GPUs', description: 'GPUs of a training job', unit: 'GPUs' }),
  studioCommand: parameter(z.string().min(1).max(500).default('wavediff'), { title: 'Studio command', description: 'the wavediff command on the cluster (e.g. "npx --prefix /opt/wavediff wavediff")' }),
  trainerCommand: parameter(z.string().min(1).max(500).default('python3 -m wavediff_models.train'), { title: 'Trainer command', description: 'the PyTorch trainer on the cluster (native-models on its PYTHONPATH)' }),
  commandPrefix: parameter(z.string().max(500).default(''), { title: 'Command prefix', description: 'runs sbatch, squeue, scontrol and scancel through it when this machine is not a login node (e.g. "ssh user@login")' }),
  sharedFolder: parameter(z.string().max(1000).default(''), { title: 'Shared folder', description: "a folder on the cluster's side that a relative result folder lies in (empty: give absolute folders)" }),
  pollSeconds: parameter(z.number().min(0.2).max(3600).default(10), { title: 'Poll interval', description: 'seconds between squeue polls', unit: 's' }),
};

export const clusterSettingsSchema = z.object(clusterParameters);
export type ClusterSettings = z.output<typeof clusterSettingsSchema>;
/** Every cluster setting at its declared default. */
export const defaultClusterSettings: ClusterSettings = clusterSettingsSchema.parse({});

/** What runs on the cluster: an array of shards of a synthesis or generation, or one GPU training job. */
export const clusterWorkSchema = z.enum(['generate', 'synth', 'train']);
export type ClusterWork = z.infer<typeof clusterWorkSchema>;
export const clusterShardsParameter = parameter(z.number().int().min(1).max(10_000).default(4), { title: 'Shards', description: 'array tasks, each making every N-th sample', unit: 'tasks' });

// ---------- wavefield movie (wavefield.saveGif, WavefieldView) ----------

/** GIF delays are whole hundredths of a second, so 1–50 frames per second are shown as set only where 100/fps is whole. */
export const movieFramesPerSecondParameter = parameter(z.number().int().min(1).max(50).default(10), { title: 'Frames per second', description: 'playback rate of the movie', unit: 'frames/s' });

// ---------- reading declarations ----------

export interface NumberBounds {
  minimum: number;
  maximum: number;
  integer: boolean;
}

function numberInside(schema: z.ZodType): z.ZodNumber {
  let inner: z.ZodType = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
  if (!(inner instanceof z.ZodNumber)) throw new Error('not a number parameter');
  return inner;
}

/** The range of a number parameter, and whether it is whole. */
export function boundsOf(schema: z.ZodType): NumberBounds {
  const n = numberInside(schema);
  return { minimum: n.minValue ?? -Number.MAX_VALUE, maximum: n.maxValue ?? Number.MAX_VALUE, integer: n.isInt };
}

/** The declared default of a parameter, or undefined. */
export function defaultOf<S extends z.ZodType>(schema: S): z.output<S> | undefined {
  return schema instanceof z.ZodDefault ? (schema.def.defaultValue as z.output<S>) : undefined;
}

export function metaOf(schema: z.ZodType): ParameterMeta {
  const meta = schema.meta() as ParameterMeta | undefined;
  if (!meta) throw new Error('not a declared parameter');
  return meta;
}

/** A number inside `bounds` from text (a form field, a command-line value), or the message to show. */
export function numberInRange(text: string, label: string, bounds: NumberBounds): number | string {
  const { minimum, maximum, integer } = bounds;
  const trimmed = text.trim();
  const value = trimmed === '' ? NaN : Number(trimmed);
  if (integer ? !/^-?\d+$/.test(trimmed) || !Number.isSafeInteger(value) : !Number.isFinite(value)) {
    return `${label} must be ${integer ? 'a whole number' : 'a number'} (${minimum}–${maximum}).`;
  }
  if (value < minimum || value > maximum) return `${label} must be between ${minimum} and ${maximum}.`;
  return value;
}

/** A declared number parameter from text, or the message to show; `bounds` may narrow it (threads to the cores). */
export function numberFromText(text: string, schema: z.ZodType, label: string = metaOf(schema).title, bounds: NumberBounds = boundsOf(schema)): number | string {
  return numberInRange(text, label, bounds);
}

/** ' (default 1000)' for a usage line, '' without a default. */
export function defaultText(schema: z.ZodType): string {
  const value = defaultOf(schema);
  return value === undefined ? '' : ` (default ${typeof value === 'object' ? JSON.stringify(value) : String(value)})`;
}

// ---------- the trainer's parameters for Python ----------

/** The parameters the Python trainer reads its defaults from, as one object schema. */
export const trainingParamsSchema = z.object(trainingParameters);

/** The path of the committed JSON schema of the trainer's parameters, from the repository root. */
export const trainingParamsSchemaFile = 'native-models/wavediff_models/training_params.schema.json';

/**
 * The text of `trainingParamsSchemaFile`: the JSON schema of the trainer's parameters (properties
 * named as in train.start; train.py maps them to its options). `npm run params-schema` writes it.
 */
export function trainingParamsJsonSchemaText(): string {
  const schema = z.toJSONSchema(trainingParamsSchema, { io: 'input' });
  return `${JSON.stringify({ ...schema, title: 'WaveDiffusion training parameters', $comment: `Generated from main/core/contract/parameters.ts by npm run params-schema; do not edit.` }, null, 2)}\n`;
}
