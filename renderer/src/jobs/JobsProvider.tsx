import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { JobInfo } from '../../../main/core/contract/contract.ts';
import { useStudio } from '../api/context.tsx';
import { useApiEvent, useOnReconnect } from '../api/hooks.ts';
import { addSample, ratePerSecond, type ProgressSample } from './rate.ts';

export interface JobsState {
  /** Newest first, as `job.list` returns them, kept current by `job.updated` events. */
  jobs: JobInfo[];
  /** Units of progress per second for running jobs (by job id), when measurable. */
  rates: ReadonlyMap<number, number>;
  runningCount: number;
  error: Error | null;
  loaded: boolean;
  refresh: () => void;
}

const JobsContext = createContext<JobsState | null>(null);

/** Jobs are active while queued or running. */
export function isActive(job: JobInfo): boolean {
  return job.status === 'queued' || job.status === 'running';
}

/** One subscription for the whole app: the jobs panel and the navigation badge share it. */
export function JobsProvider({ children }: { children: ReactNode }) {
  const client = useStudio();
  const [jobs, setJobs] = useState<JobInfo[]>([]);
  const [error, setError] = useState<Error | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [rates, setRates] = useState<ReadonlyMap<number, number>>(new Map());
  const samples = useRef(new Map<number, ProgressSample[]>());
  const sequence = useRef(0);

  const refresh = useCallback(() => {
    const mine = ++sequence.current;
    client.call('job.list', {}).then(
      (list) => {
        if (mine !== sequence.current) return;
        setJobs(list);
        setError(null);
        setLoaded(true);
      },
      (e: unknown) => {
        if (mine !== sequence.current) return;
        // Without a project there are no jobs to show; that is not an error for this panel.
        if ((e as { code?: string }).code === 'no_project') {
          setJobs([]);
          setError(null);
        } else {
          setError(e as Error);
        }
        setLoaded(true);
      },
    );
  }, [client]);

  useEffect(refresh, [refresh]);
  useOnReconnect(refresh);
  useApiEvent('project.changed', () => {
    samples.current.clear();
    setRates(new Map());
    refresh();
  });

  useApiEvent('job.updated', (job) => {
    // Merged by id, so an update that arrives before the first list answer is not lost.
    setJobs((current) => {
      const index = current.findIndex((j) => j.id === job.id);
      if (index < 0) return [job, ...current].sort((a, b) => b.id - a.id);
      const next = current.slice();
      next[index] = job;
      return next;
    });
    if (job.status === 'running') {
      const history = addSample(samples.current.get(job.id) ?? [], { atMs: Date.now(), done: job.progress.done });
      samples.current.set(job.id, history);
      const rate = ratePerSecond(history);
      setRates((current) => {
        const next = new Map(current);
        if (rate === null) next.delete(job.id);
        else next.set(job.id, rate);
        return next;
      });
    } else if (samples.current.has(job.id)) {
      samples.current.delete(job.id);
      setRates((current) => {
        const next = new Map(current);
        next.delete(job.id);
        return next;
      });
    }
  });

  const value = useMemo<JobsState>(
    () => ({ jobs, rates, runningCount: jobs.filter((j) => j.status === 'running').length, error, loaded, refresh }),
    [jobs, rates, error, loaded, refresh],
  );
  return <JobsContext.Provider value={value}>{children}</JobsContext.Provider>;
}

/** The open project's jobs, following `job.updated` events. */
export function useJobs(): JobsState {
  const state = useContext(JobsContext);
  if (!state) throw new Error('useJobs() needs a <JobsProvider> above it.');
  return state;
}
