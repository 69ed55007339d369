import { useCallback, useEffect, useRef, useState } from 'react';
import { useStudio } from '../api/context.tsx';
import { useApiEvent, useOnReconnect } from '../api/hooks.ts';
import { addTrainingEvents, emptyCurves, type TrainingCurves } from './trainingSeries.ts';

/** train.events returns at most this many rows per call (the catalogue's limit): ask again while full. */
const PAGE_LIMIT = 20_000;
/** Merges bursts of `catalogue.changed` ['training_events'] into one fetch. */
const THROTTLE_MS = 250;

/**
 * A training job's curves, kept current: the first call reads every event, later ones only those
 * after the newest seen (afterId), triggered by `catalogue.changed` naming training_events.
 */
export function useTrainingCurves(jobId: number | null): { curves: TrainingCurves; error: Error | null } {
  const client = useStudio();
  const [curves, setCurves] = useState<TrainingCurves>(emptyCurves);
  const [error, setError] = useState<Error | null>(null);
  const latest = useRef(emptyCurves);
  const running = useRef(false);
  const again = useRef(false);
  const generation = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const fetchMore = useCallback(async () => {
    if (jobId === null) return;
    if (running.current) {
      again.current = true;
      return;
    }
    running.current = true;
    const mine = generation.current;
    try {
      for (;;) {
        const afterId = latest.current.lastId;
        const events = await client.call('train.events', afterId > 0 ? { jobId, afterId } : { jobId });
        if (mine !== generation.current) return;
        latest.current = addTrainingEvents(latest.current, events);
        setCurves(latest.current);
        setError(null);
        if (events.length < PAGE_LIMIT) break;
      }
    } catch (e) {
      if (mine === generation.current) setError(e as Error);
    } finally {
      if (mine === generation.current) {
        running.current = false;
        if (again.current) {
          again.current = false;
          void fetchMore();
        }
      }
    }
  }, [client, jobId]);

  useEffect(() => {
    generation.current++;
    running.current = false;
    again.current = false;
    latest.current = emptyCurves;
    setCurves(emptyCurves);
    setError(null);
    void fetchMore();
    return () => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [fetchMore]);

  useApiEvent('catalogue.changed', (payload) => {
    if (!payload.tables.includes('training_events') || timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      void fetchMore();
    }, THROTTLE_MS);
  });
  useOnReconnect(() => void fetchMore());
  return { curves, error };
}
