/**
 * The Train… and Generate forms: text fields → the contract's arguments, or a message per field that
 * says what is wrong. Pure, so the rules are tested without a browser.
 */
import type { MethodArgs } from '../../../main/core/contract/contract.ts';

export type FieldErrors<K extends string> = Partial<Record<K, string>>;
export type FormResult<A, K extends string> = { ok: true; args: A } | { ok: false; errors: FieldErrors<K> };

/** An integer in [min, max] from a text field, or the message to show under it. */
export function parseIntField(text: string, label: string, min: number, max: number): number | string {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) return `${label} must be a whole number (${min}–${max}).`;
  const value = Number(trimmed);
  if (value < min || value > max) return `${label} must be between ${min} and ${max}.`;
  return value;
}

/** A number in [min, max] from a text field, or the message to show under it. */
export function parseNumberField(text: string, label: string, min: number, max: number): number | string {
  const trimmed = text.trim();
  const value = trimmed === '' ? NaN : Number(trimmed);
  if (!Number.isFinite(value)) return `${label} must be a number (${min}–${max}).`;
  if (value < min || value > max) return `${label} must be between ${min} and ${max}.`;
  return value;
}

export type NetworkKind = 'stage1' | 'stage2' | 'inversionnet';

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

/** Validates the Train… dialog; empty batch size means the trainer's default, empty intervals its defaults. */
export function trainArgs(form: TrainForm, maxThreads: number): FormResult<MethodArgs<'train.start'>, TrainField> {
  const errors: FieldErrors<TrainField> = {};
  if (form.datasetId === null) errors.datasetId = 'Choose a dataset with seismic and velocity.';
  if (form.valDatasetId !== null && form.valDatasetId === form.datasetId) errors.valDatasetId = 'The held-out dataset must differ from the training dataset.';
  const steps = parseIntField(form.steps, 'Steps', 1, 10_000_000);
  if (typeof steps === 'string') errors.steps = steps;
  let batchSize: number | undefined;
  if (form.batchSize.trim() !== '') {
    const parsed = parseIntField(form.batchSize, 'Batch size', 1, 4096);
    if (typeof parsed === 'string') errors.batchSize = parsed;
    else batchSize = parsed;
  }
  const threads = parseIntField(form.threads, 'Threads', 1, Math.max(1, Math.min(256, maxThreads)));
  if (typeof threads === 'string') errors.threads = threads;
  const seed = parseIntField(form.seed, 'Seed', 0, 2 ** 31 - 1);
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

export type SamplerKind = 'ddpm' | 'ddim' | 'ab3';

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

/** Validates the generation parameters against the contract's ranges. */
export function generateArgs(form: GenerateForm): FormResult<MethodArgs<'generate.start'>, GenerateField> {
  const errors: FieldErrors<GenerateField> = {};
  if (!form.stage1) errors.stage1 = 'Choose a stage-1 model.';
  if (!form.stage2) errors.stage2 = 'Choose a stage-2 model.';
  if (!form.inversionnet) errors.inversionnet = 'Choose an InversionNet model.';
  const count = parseIntField(form.count, 'Count', 1, 1_000_000);
  if (typeof count === 'string') errors.count = count;
  const batchSize = parseIntField(form.batchSize, 'Batch size', 1, 256);
  if (typeof batchSize === 'string') errors.batchSize = batchSize;
  const seed = parseIntField(form.seed, 'Seed', 0, 2 ** 31 - 1);
  if (typeof seed === 'string') errors.seed = seed;
  let sampler: MethodArgs<'generate.start'>['sampler'] = { kind: 'ddpm' };
  if (form.sampler !== 'ddpm') {
    const steps = parseIntField(form.steps, 'Sampler steps', form.sampler === 'ab3' ? 2 : 1, 1000);
    if (typeof steps === 'string') errors.steps = steps;
    if (form.sampler === 'ddim') {
      const eta = parseNumberField(form.eta, 'η', 0, 1);
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
