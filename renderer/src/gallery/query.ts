/** The gallery's filter and sort controls as `gallery.query` arguments. Pure. */
import type { MethodArgs } from '../../../main/core/contract/contract.ts';

export type SortKey = 'id' | 'pde_rel_l2' | 'pde_mse' | 'inv_mae' | 'inv_rmse' | 'inv_ssim' | 'seed';
export type InvMetric = 'inv_mae' | 'inv_rmse' | 'inv_ssim';

export interface GalleryFilter {
  runId: number | null;
  model: string | null;
  sampler: string | null;
  seed: number | null;
  tag: string | null;
  pdeMin: number | null;
  pdeMax: number | null;
  invMetric: InvMetric;
  invMin: number | null;
  invMax: number | null;
}

export const emptyFilter: GalleryFilter = { runId: null, model: null, sampler: null, seed: null, tag: null, pdeMin: null, pdeMax: null, invMetric: 'inv_mae', invMin: null, invMax: null };

export type SampleFilterArgs = Omit<MethodArgs<'gallery.query'>, 'sort' | 'descending' | 'offset' | 'limit'>;

/** The filter as the contract's sampleFilterSchema, leaving out what is not set. */
export function filterArgs(filter: GalleryFilter): SampleFilterArgs {
  const args: SampleFilterArgs = {};
  if (filter.runId !== null) args.runId = filter.runId;
  if (filter.model !== null) args.model = filter.model;
  if (filter.sampler !== null) args.sampler = filter.sampler;
  if (filter.seed !== null) args.seed = filter.seed;
  if (filter.tag !== null) args.tag = filter.tag;
  if (filter.pdeMin !== null) args.pdeMin = filter.pdeMin;
  if (filter.pdeMax !== null) args.pdeMax = filter.pdeMax;
  if (filter.invMin !== null || filter.invMax !== null) {
    args.invMetric = filter.invMetric;
    if (filter.invMin !== null) args.invMin = filter.invMin;
    if (filter.invMax !== null) args.invMax = filter.invMax;
  }
  return args;
}

/** One page of the query. */
export function pageArgs(filter: GalleryFilter, sort: SortKey, descending: boolean, page: number, pageSize: number): MethodArgs<'gallery.query'> {
  return { ...filterArgs(filter), sort, descending, offset: page * pageSize, limit: pageSize };
}

/** How many filters are set (for the "clear filters" affordance). */
export function activeFilterCount(filter: GalleryFilter): number {
  return Object.keys(filterArgs(filter)).filter((k) => k !== 'invMetric').length;
}

/** A number typed into a filter field: null when empty, undefined when it is not a number. */
export function parseFilterNumber(text: string, integer = false): number | null | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) return undefined;
  return value;
}

/** Whether a lower value of the sort key means a better sample (SSIM is the one where higher is better). */
export function lowerIsBetter(sort: SortKey): boolean {
  return sort !== 'inv_ssim';
}
