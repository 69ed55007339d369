import { describe, expect, it } from 'vitest';
import { activeFilterCount, emptyFilter, filterArgs, pageArgs, parseFilterNumber } from './query.ts';

describe('gallery query', () => {
  it('leaves unset filters out', () => {
    expect(filterArgs(emptyFilter)).toEqual({});
    expect(activeFilterCount(emptyFilter)).toBe(0);
  });
  it('passes set filters and the inversion metric only with a bound', () => {
    const filter = { ...emptyFilter, runId: 2, sampler: 'ab3', pdeMax: 0.2, invMetric: 'inv_ssim' as const };
    expect(filterArgs(filter)).toEqual({ runId: 2, sampler: 'ab3', pdeMax: 0.2 });
    expect(filterArgs({ ...filter, invMin: 0.5 })).toEqual({ runId: 2, sampler: 'ab3', pdeMax: 0.2, invMetric: 'inv_ssim', invMin: 0.5 });
    expect(activeFilterCount({ ...filter, invMin: 0.5 })).toBe(4);
  });
  it('turns a page number into offset and limit', () => {
    expect(pageArgs({ ...emptyFilter, seed: 7 }, 'pde_rel_l2', true, 3, 200)).toEqual({ seed: 7, sort: 'pde_rel_l2', descending: true, offset: 600, limit: 200 });
  });
  it('parses typed numbers', () => {
    expect(parseFilterNumber('')).toBeNull();
    expect(parseFilterNumber(' 0.25 ')).toBe(0.25);
    expect(parseFilterNumber('abc')).toBeUndefined();
    expect(parseFilterNumber('1.5', true)).toBeUndefined();
    expect(parseFilterNumber('12', true)).toBe(12);
  });
});
