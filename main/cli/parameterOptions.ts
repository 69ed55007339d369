import type { z } from 'zod';
import { StudioError } from '../core/contract/errors.ts';
import { defaultOf, defaultText, metaOf, numberFromText } from '../core/contract/parameters.ts';

/**
 * Command-line options of the parameters declared in the contract (main/core/contract/parameters.ts):
 * their ranges, defaults and usage lines come from there.
 */

/** A number parameter from its option: undefined when absent, else a number inside the declared range. */
export function parameterOption(value: unknown, option: string, schema: z.ZodType): number | undefined {
  if (value === undefined) return undefined;
  const parsed = numberFromText(String(value), schema, `--${option} ${String(value)}`);
  if (typeof parsed === 'string') throw new StudioError('bad_input', parsed);
  return parsed;
}

/** A number parameter from its option, else its declared default. */
export function parameterOptionOrDefault(value: unknown, option: string, schema: z.ZodType): number {
  const parsed = parameterOption(value, option, schema) ?? (defaultOf(schema) as number | undefined);
  if (parsed === undefined) throw new StudioError('bad_input', `Give --${option} (${metaOf(schema).description}).`);
  return parsed;
}

/** '  --steps N            optimiser steps (default 1000)': the option, then the declared description and default. */
export function usageLine(option: string, schema: z.ZodType, column = 21): string {
  return `  ${option.length < column ? option.padEnd(column) : `${option} `}${metaOf(schema).description}${defaultText(schema)}`;
}
