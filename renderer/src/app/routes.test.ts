import { describe, expect, it } from 'vitest';
import { formatHash, intParam, parseHash } from './routes.ts';

describe('routes', () => {
  it('parses and formats hashes', () => {
    expect(parseHash('#/seismic?dataset=3&sample=1')).toEqual({ view: 'seismic', params: { dataset: '3', sample: '1' } });
    expect(parseHash('')).toEqual({ view: 'projects', params: {} });
    expect(parseHash('#/nowhere')).toEqual({ view: 'projects', params: {} });
    expect(formatHash({ view: 'velocity', params: { dataset: '2', sample: '' } })).toBe('#/velocity?dataset=2');
    expect(parseHash(formatHash({ view: 'jobs', params: { job: '5' } }))).toEqual({ view: 'jobs', params: { job: '5' } });
  });

  it('reads integer parameters with a fallback', () => {
    expect(intParam({ a: '4' }, 'a', 0)).toBe(4);
    expect(intParam({ a: '4.5' }, 'a', 0)).toBe(0);
    expect(intParam({}, 'a', 7)).toBe(7);
  });
});
