/**
 * The Train… and Generate forms: text fields → the contract's arguments, or a message per field that
 * says what is wrong. Pure, so the rules are tested without a browser.
 */
import type { MethodArgs, NetworkKind } from '../../../main/core/contract/contract.ts';
import {
  boundsOf,
  defaultOf,
  defaultSampler,
  generationParameters,
  numberFromText,
  numberInRange,
  samplerParameters,
  trainingParameters,
  type SamplerKind,
} from '../../../main/core/contract/parameters.ts';

export type { NetworkKind, SamplerKind };

export type FieldErrors<K extends string> = Partial<Record<K, string>>;
export type FormResult<A, K extends string> = { ok: true; args: A } | { ok: false; errors: FieldErrors<K> };

/** An integer in [min, max] from a text field, or the message to show under it (for values the contract does not declare). */
export function parseIntField(text: string, label: string, min: number, max: number): number | string {
  return numberInRange(text, label, { minimum: min, maximum: max, integer: true });
}

/** A number in [min, max] from a text field, or the message to show under it. */
export function parseNumberField(text: string, label: string, min: number, max: number): number | string {
  return numberInRange(text, label, { minimum: min, maximum: max, integer: false });
}

const text = (value: number | undefined): string => (value === undefined ? '' : String(value));

export interface TrainForm {
  network: NetworkKind;
  datasetId: number | null;
  valDatasetId: number | null;
  steps: string;
  batchSize: string;
  threads: string;
  seed: string;
  name: string;
  stage1Model: string;
  logEvery: string;
  previewEvery: string;
  evalEvery: string;
}

export type TrainField = keyof TrainForm;

/** The Train… dialog's fields before the user changes them: the contract's defaults. */
export const trainFormDefaults: Pick<TrainForm, 'steps' | 'batchSize' | 'threads' | 'seed'> = {
  steps: text(defaultOf(trainingParameters.steps)),
  batchSize: text(defaultOf(trainingParameters.batchSize)),
  threads: text(defaultOf(trainingParameters.threads)),
  seed: text(defaultOf(trainingParameters.seed)),
};

/** Validates the Train… dialog; empty batch size means the trainer's default, empty intervals its defaults. */
export function trainArgs(form: TrainForm, maxThreads: number): FormResult<MethodArgs<'train.start'>, TrainField> {
  const errors: FieldErrors<TrainField> = {};
  if (form.datasetId === null) errors.datasetId = 'Choose a dataset with seismic and velocity.';
  if (form.valDatasetId !== null && form.valDatasetId === form.datasetId) errors.valDatasetId = 'The held-out dataset must differ from the training dataset.';
  const steps = numberFromText(form.steps, trainingParameters.steps);
  if (typeof steps === 'string') errors.steps = steps;
  let batchSize: number | undefined;
  if (form.batchSize.trim() !== '') {
    const parsed = numberFromText(form.batchSize, trainingParameters.batchSize);
    if (typeof parsed === 'string') errors.batchSize = parsed;
    else batchSize = parsed;
  }
  const threadBounds = boundsOf(trainingParameters.threads);
  const threads = numberFromText(form.threads, trainingParameters.threads, undefined, { ...threadBounds, maximum: Math.max(threadBounds.minimum, Math.min(threadBounds.maximum, maxThreads)) });
  if (typeof threads === 'string') errors.threads = threads;
  const seed = numberFromText(form.seed, trainingParameters.seed);
  if (typeof seed === 'string') errors.seed = seed;
  if (form.name.length > 200) errors.name = 'Name must be at most 200 characters.';
  if (form.network === 'stage2' && !form.stage1Model) errors.stage1Model = 'Stage 2 learns the latent space of a stage-1 model: choose one.';
  const extraArgs: string[] = [];
  const intervals: [TrainField, string, string][] = [
    ['logEvery', '--log-every', 'Log every'],
    ['previewEvery', '--preview-every', 'Preview every'],
    ['evalEvery', '--eval-every', 'Metrics every'],
  ];
  for (const [field, flag, label] of intervals) {
    const text = form[field] as string;
    if (text.trim() === '') continue;
    const parsed = parseIntField(text, label, field === 'logEvery' ? 1 : 0, 10_000_000);
    if (typeof parsed === 'string') errors[field] = parsed;
    else extraArgs.push(flag, String(parsed));
  }
  if (Object.keys(errors).length > 0 || typeof steps === 'string' || typeof threads === 'string' || typeof seed === 'string' || form.datasetId === null) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    args: {
      network: form.network,
      datasetId: form.datasetId,
      ...(form.valDatasetId !== null ? { valDatasetId: form.valDatasetId } : {}),
      steps,
      ...(batchSize !== undefined ? { batchSize } : {}),
      threads,
      seed,
      ...(form.name.trim() ? { name: form.name.trim() } : {}),
      ...(form.network === 'stage2' ? { stage1Model: form.stage1Model } : {}),
      extraArgs,
    },
  };
}

export interface GenerateForm {
  stage1: string;
  stage2: string;
  inversionnet: string;
  count: string;
  batchSize: string;
  sampler: SamplerKind;
  steps: string;
  eta: string;
  seed: string;
  physicsCheck: boolean;
  name: string;
}

export type GenerateField = keyof GenerateForm;

/** The generation form's sampler fields and batch size before the user changes them: the contract's defaults. */
export const generateFormDefaults: Pick<GenerateForm, 'batchSize' | 'sampler' | 'steps' | 'eta'> = {
  batchSize: text(defaultOf(generationParameters.batchSize)),
  sampler: defaultSampler.kind,
  steps: text(defaultSampler.kind === 'ddpm' ? undefined : defaultSampler.steps),
  eta: text(defaultOf(samplerParameters.eta)),
};

/** Validates the generation parameters against the contract's ranges. */
export function generateArgs(form: GenerateForm): FormResult<MethodArgs<'generate.start'>, GenerateField> {
  const errors: FieldErrors<GenerateField> = {};
  if (!form.stage1) errors.stage1 = 'Choose a stage-1 model.';
  if (!form.stage2) errors.stage2 = 'Choose a stage-2 model.';
  if (!form.inversionnet) errors.inversionnet = 'Choose an InversionNet model.';
  const count = numberFromText(form.count, generationParameters.count);
  if (typeof count === 'string') errors.count = count;
  const batchSize = numberFromText(form.batchSize, generationParameters.batchSize);
  if (typeof batchSize === 'string') errors.batchSize = batchSize;
  const seed = numberFromText(form.seed, generationParameters.seed);
  if (typeof seed === 'string') errors.seed = seed;
  let sampler: MethodArgs<'generate.start'>['sampler'] = { kind: 'ddpm' };
  if (form.sampler !== 'ddpm') {
    const steps = numberFromText(form.steps, form.sampler === 'ab3' ? samplerParameters.ab3Steps : samplerParameters.ddimSteps);
    if (typeof steps === 'string') errors.steps = steps;
    if (form.sampler === 'ddim') {
      const eta = numberFromText(form.eta, samplerParameters.eta);
      if (typeof eta === 'string') errors.eta = eta;
      if (typeof steps === 'number' && typeof eta === 'number') sampler = { kind: 'ddim', steps, eta };
    } else if (typeof steps === 'number') {
      sampler = { kind: 'ab3', steps };
    }
  }
  if (form.name.length > 200) errors.name = 'Name must be at most 200 characters.';
  if (Object.keys(errors).length > 0 || typeof count === 'string' || typeof batchSize === 'string' || typeof seed === 'string') return { ok: false, errors };
  return {
    ok: true,
    args: {
      stage1: form.stage1,
      stage2: form.stage2,
      inversionnet: form.inversionnet,
      count,
      batchSize,
      sampler,
      seed,
      physicsCheck: form.physicsCheck,
      ...(form.name.trim() ? { name: form.name.trim() } : {}),
    },
  };
}

/** The model to preselect for a kind: the shipped default when there is one, else the newest project model. */
export function defaultModelRef(models: readonly { ref: string; kind: string; source: string; createdAt: string }[], kind: NetworkKind): string {
  const shipped = models.find((m) => m.kind === kind && m.source === 'shipped');
  if (shipped) return shipped.ref;
  const project = models.filter((m) => m.kind === kind).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return project[0]?.ref ?? '';
}
