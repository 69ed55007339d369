import { describe, expect, it } from 'vitest';
import { ThumbnailCache } from './thumbnailCache.ts';

function deferredFetcher() {
  const calls: { key: string; resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  const fetch = (key: string) => new Promise<string>((resolve, reject) => calls.push({ key, resolve, reject }));
  return { calls, fetch };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('ThumbnailCache', () => {
  it('limits concurrent fetches and serves the newest requests first', async () => {
    const { calls, fetch } = deferredFetcher();
    const cache = new ThumbnailCache(fetch, 10, 2);
    const got: string[] = [];
    for (const key of ['a', 'b', 'c', 'd']) cache.request(key, (v) => got.push(`${key}=${String(v)}`));
    // a and b start at once; of the queued c and d, the newer request goes first.
    expect(calls.map((c) => c.key)).toEqual(['a', 'b']);
    expect(cache.pendingCount()).toBe(2);
    calls[0].resolve('A');
    await tick();
    expect(got).toEqual(['a=A']);
    expect(calls.map((c) => c.key)).toEqual(['a', 'b', 'd']);
    expect(cache.inFlightCount()).toBe(2);
  });

  it('drops withdrawn requests before they start and shares one fetch between listeners', async () => {
    const { calls, fetch } = deferredFetcher();
    const cache = new ThumbnailCache(fetch, 10, 1);
    const got: string[] = [];
    cache.request('a', (v) => got.push(`first ${String(v)}`));
    const withdraw = cache.request('b', () => got.push('b'));
    cache.request('a', (v) => got.push(`second ${String(v)}`));
    withdraw();
    calls[0].resolve('A');
    await tick();
    expect(got).toEqual(['first A', 'second A']);
    expect(calls.map((c) => c.key)).toEqual(['a']);
    expect(cache.pendingCount()).toBe(0);
  });

  it('answers from the cache and evicts the least recently used', async () => {
    const { calls, fetch } = deferredFetcher();
    const cache = new ThumbnailCache(fetch, 2, 4);
    for (const key of ['a', 'b']) cache.request(key, () => undefined);
    calls.forEach((c) => c.resolve(c.key.toUpperCase()));
    await tick();
    expect(cache.get('a')).toBe('A'); // a is now the most recent
    cache.request('c', () => undefined);
    calls[2].resolve('C');
    await tick();
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    let answer = '';
    cache.request('c', (v) => (answer = String(v)));
    expect(answer).toBe('C');
    expect(calls).toHaveLength(3);
  });

  it('passes errors on without caching them', async () => {
    const { calls, fetch } = deferredFetcher();
    const cache = new ThumbnailCache(fetch, 2, 1);
    let result: unknown;
    cache.request('a', (v) => (result = v));
    calls[0].reject(new Error('gone'));
    await tick();
    expect((result as Error).message).toBe('gone');
    expect(cache.size()).toBe(0);
    expect(cache.inFlightCount()).toBe(0);
  });
});
