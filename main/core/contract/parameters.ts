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

// ---------- data ----------

/** The SEG-Y trace header field (a segyio TraceField name) whose value changes from one shot gather to the next. */
export const defaultGatherKey = 'FieldRecord';
export const gatherKeyParameter = parameter(z.string().min(1).default(defaultGatherKey), { title: 'Gather key', description: 'trace header field that groups traces into shot gathers' });

/** OpenFWI's files hold 500 samples each. */
export const OPENFWI_SAMPLES_PER_FILE = 500;
export const samplesPerFileParameter = parameter(z.number().int().min(1).max(100_000).default(OPENFWI_SAMPLES_PER_FILE), { title: 'Samples per file', description: 'samples per data/model file', unit: 'samples' });

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
