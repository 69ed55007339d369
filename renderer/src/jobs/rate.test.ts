import { describe, expect, it } from 'vitest';
import { addSample, ratePerSecond } from './rate.ts';

describe('job rate', () => {
  it('measures units per second over recent samples', () => {
    let samples = addSample([], { atMs: 0, done: 0 });
    expect(ratePerSecond(samples)).toBeNull();
    samples = addSample(samples, { atMs: 1000, done: 10 });
    samples = addSample(samples, { atMs: 2000, done: 30 });
    expect(ratePerSecond(samples)).toBe(15);
  });

  it('forgets samples outside the window and restarts when progress goes back', () => {
    let samples = addSample([], { atMs: 0, done: 0 });
    samples = addSample(samples, { atMs: 20_000, done: 100 });
    samples = addSample(samples, { atMs: 21_000, done: 110 });
    expect(ratePerSecond(samples)).toBe(10);
    samples = addSample(samples, { atMs: 22_000, done: 5 });
    expect(samples).toEqual([{ atMs: 22_000, done: 5 }]);
  });
});
