/**
 * The New study dialog's fields, derived from the contract's study parameters: model references
 * (text), the sampler (kind and steps) and numbers with their declared ranges. Pure.
 */
import type { z } from 'zod';
import { defaultOf, defaultSampler, metaOf, numberFromText, samplerParameters, studyParameters, type GenerationSampler, type SamplerKind, type StudyKindName } from '../../../main/core/contract/parameters.ts';

export type StudyFieldKind = 'model' | 'sampler' | 'number';

export interface StudyField {
  name: string;
  kind: StudyFieldKind;
  title: string;
  description: string;
  unit?: string;
  /** Whether an empty field is allowed (the parameter is optional). */
  optional: boolean;
}

const MODEL_FIELDS = ['stage1', 'stage2', 'inversionnet'];

export function studyFields(kind: StudyKindName): StudyField[] {
  // Text parameters other than model references are file paths for the command line (--seismic): the
  // renderer sends no path it did not get from a dialog, so the form leaves them out.
  const inForm = ([name, schema]: [string, z.ZodType]): boolean => MODEL_FIELDS.includes(name) || name === 'sampler' || !schema.safeParse('x').success;
  return (Object.entries(studyParameters[kind].shape as Record<string, z.ZodType>) as [string, z.ZodType][]).filter(inForm).map(([name, schema]): StudyField => {
    if (name === 'sampler') return { name, kind: 'sampler', title: 'Sampler', description: 'sampler of the diffusion samples', optional: false };
    const meta = metaOf(schema);
    return { name, kind: MODEL_FIELDS.includes(name) ? 'model' : 'number', title: meta.title, description: meta.description, unit: meta.unit, optional: schema.safeParse(undefined).success && defaultOf(schema) === undefined };
  });
}

/** Text of every field (the sampler as its kind and steps), as the dialog holds it. */
export type StudyFormValues = Record<string, string>;

export function studyFormDefaults(kind: StudyKindName): StudyFormValues {
  const values: StudyFormValues = {};
  for (const field of studyFields(kind)) {
    if (field.kind === 'sampler') {
      values.samplerKind = defaultSampler.kind;
      values.samplerSteps = defaultSampler.kind === 'ddpm' ? '' : String(defaultSampler.steps);
    } else {
      const value = defaultOf((studyParameters[kind].shape as Record<string, z.ZodType>)[field.name]);
      values[field.name] = value === undefined ? '' : String(value);
    }
  }
  return values;
}

export type StudyFormResult = { ok: true; params: Record<string, unknown> } | { ok: false; errors: Record<string, string> };

export function studyParamsFromForm(kind: StudyKindName, values: StudyFormValues): StudyFormResult {
  const params: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  const shape = studyParameters[kind].shape as Record<string, z.ZodType>;
  for (const field of studyFields(kind)) {
    if (field.kind === 'model') {
      const ref = (values[field.name] ?? '').trim();
      if (ref) params[field.name] = ref;
      else errors[field.name] = `${field.title}: name a model (default, project:ID or a folder).`;
    } else if (field.kind === 'sampler') {
      const samplerKind = values.samplerKind as SamplerKind;
      if (samplerKind === 'ddpm') params.sampler = { kind: 'ddpm' } satisfies GenerationSampler;
      else {
        const steps = numberFromText(values.samplerSteps ?? '', samplerKind === 'ab3' ? samplerParameters.ab3Steps : samplerParameters.ddimSteps);
        if (typeof steps === 'string') errors.samplerSteps = steps;
        else params.sampler = samplerKind === 'ab3' ? { kind: 'ab3', steps } : { kind: 'ddim', steps, eta: 0 };
      }
    } else {
      const text = (values[field.name] ?? '').trim();
      if (text === '' && field.optional) continue;
      const value = numberFromText(text, shape[field.name]);
      if (typeof value === 'string') errors[field.name] = value;
      else params[field.name] = value;
    }
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, params };
}

/** Studies that can be shown side by side: two of the same kind. */
export function canCompare(kinds: string[]): boolean {
  return kinds.length === 2 && kinds[0] === kinds[1];
}
