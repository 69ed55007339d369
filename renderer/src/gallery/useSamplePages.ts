import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { GeneratedSample } from '../../../main/core/contract/contract.ts';
import { useStudio } from '../api/context.tsx';
import { useApiEvent, useOnReconnect } from '../api/hooks.ts';
import { pageArgs, type GalleryFilter, type SortKey } from './query.ts';

export const PAGE_SIZE = 200;
/** Merges bursts of sample writes (a generation commits a batch at a time) into one refetch. */
const REFRESH_MS = 400;

interface PageStore {
  key: string;
  pages: Map<number, GeneratedSample[]>;
  stale: Set<number>;
  inFlight: Set<number>;
  total: number | null;
  error: Error | null;
}

function newStore(key: string): PageStore {
  return { key, pages: new Map(), stale: new Set(), inFlight: new Set(), total: null, error: null };
}

/**
 * Pages of `gallery.query` for a filter and sort, fetched as the grid needs them (offset/limit) and
 * cached; a change of filter or sort starts afresh, and sample or tag writes refetch the pages on
 * screen while the old ones stay visible.
 */
export function useSamplePages(filter: GalleryFilter, sort: SortKey, descending: boolean, neededPages: readonly number[]) {
  const client = useStudio();
  const key = JSON.stringify([filter, sort, descending]);
  const store = useRef<PageStore>(newStore(key));
  if (store.current.key !== key) store.current = newStore(key);
  const [version, bump] = useReducer((x: number) => x + 1, 0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(
    (page: number) => {
      const s = store.current;
      if (s.inFlight.has(page)) return;
      s.inFlight.add(page);
      client.call('gallery.query', pageArgs(filter, sort, descending, page, PAGE_SIZE)).then(
        (result) => {
          s.inFlight.delete(page);
          if (store.current !== s) return;
          s.pages.set(page, result.samples);
          s.stale.delete(page);
          s.total = result.total;
          s.error = null;
          bump();
        },
        (error: unknown) => {
          s.inFlight.delete(page);
          if (store.current !== s) return;
          s.error = error as Error;
          if (s.total === null) s.total = 0;
          bump();
        },
      );
    },
    // `key` stands for filter, sort and descending.
    [client, key],
  );

  const neededKey = neededPages.join(',');
  useEffect(() => {
    const s = store.current;
    for (const page of neededPages) if (!s.pages.has(page) || s.stale.has(page)) load(page);
    // neededKey stands for neededPages.
  }, [neededKey, load, version]);

  const invalidate = useCallback(() => {
    const s = store.current;
    for (const page of s.pages.keys()) s.stale.add(page);
    bump();
  }, []);

  useApiEvent('catalogue.changed', (payload) => {
    if (!payload.tables.some((t) => t === 'generation_samples' || t === 'generation_tags')) return;
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      invalidate();
    }, REFRESH_MS);
  });
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  useOnReconnect(invalidate);
  useApiEvent('project.changed', () => {
    store.current = newStore(key);
    bump();
  });

  const s = store.current;
  return {
    total: s.total,
    error: s.error,
    sampleAt: (index: number): GeneratedSample | undefined => s.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE],
    refresh: invalidate,
  };
}
