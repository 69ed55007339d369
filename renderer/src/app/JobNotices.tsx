import { useEffect, useRef } from 'react';
import type { JobStatus } from '../../../main/core/contract/contract.ts';
import { useStudio } from '../api/context.tsx';
import { useApiEvent } from '../api/hooks.ts';
import { failureNotice, interruptedNotice } from '../jobs/jobNotices.ts';
import { useNavigation } from './navigation.ts';
import { useNotify } from './notices.tsx';
import { useCurrentProject } from './project.tsx';

/**
 * Tells the user about jobs wherever they are: a job that failed (with its error, in the view where
 * they started it, not only in the Jobs view), and on opening a project the jobs a stop interrupted.
 */
export function JobNotices() {
  const client = useStudio();
  const notify = useNotify();
  const { navigate } = useNavigation();
  const { project } = useCurrentProject();
  const seen = useRef(new Map<number, JobStatus>());
  const showJobs = { label: 'Show jobs', onClick: () => navigate('jobs') };

  useApiEvent('job.updated', (job) => {
    const message = failureNotice(seen.current.get(job.id), job);
    seen.current.set(job.id, job.status);
    if (message) notify('error', message, showJobs);
  });

  const folder = project?.folder ?? null;
  const latest = useRef({ notify, showJobs });
  latest.current = { notify, showJobs };
  useEffect(() => {
    seen.current.clear();
    if (!folder) return;
    let current = true;
    client.call('job.list', {}).then(
      (jobs) => {
        if (!current) return;
        for (const job of jobs) if (!seen.current.has(job.id)) seen.current.set(job.id, job.status);
        const message = interruptedNotice(jobs);
        if (message) latest.current.notify('warn', message, latest.current.showJobs);
      },
      () => {
        // The Jobs view shows why the list cannot be read.
      },
    );
    return () => {
      current = false;
    };
  }, [client, folder]);
  return null;
}
