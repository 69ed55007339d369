import { describe, expect, it } from 'vitest';
import { concatenated } from './typedArrays.ts';

describe('concatenated', () => {
  it('joins the parts in order, of the type asked for, leaving the parts as they were', () => {
    const a = new Float32Array([1, 2]);
    const b = new Float32Array([]);
    const c = new Float32Array([3.5, -4, 5]);
    const joined = concatenated([a, b, c], Float32Array);
    expect(joined).toBeInstanceOf(Float32Array);
    expect(Array.from(joined)).toEqual([1, 2, 3.5, -4, 5]);
    joined[0] = 9;
    expect(a[0]).toBe(1);
    expect(Array.from(concatenated([new Float64Array([0.1]), new Float64Array([0.2])], Float64Array))).toEqual([0.1, 0.2]);
    expect(concatenated([], Float32Array).length).toBe(0);
  });
});
