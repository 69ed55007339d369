import { describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../main/core/contract/contract.ts';
import { describeJobTimes, formatCount } from '../app/humanReadable.ts';
import { failureNotice, interruptedNotice } from './jobNotices.ts';

const job = (over: Partial<JobInfo>): JobInfo => ({
  id: 1,
  kind: 'import.segy',
  title: 'Import SEG-Y: f3.sgy',
  status: 'running',
  progress: { done: 0, total: 10 },
  etaSeconds: null,
  error: null,
  errorCode: null,
  result: null,
  createdAt: '2026-11-23T10:00:00.000Z',
  startedAt: '2026-11-23T10:00:05.000Z',
  finishedAt: null,
  runSeconds: 0,
  resumable: false,
  trainsModel: false,
  ...over,
});
const local = (iso: string) => {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

describe('job texts', () => {
  it('counts with the right noun', () => {
    expect(formatCount(1, 'sample')).toBe('1 sample');
    expect(formatCount(2, 'sample')).toBe('2 samples');
    expect(formatCount(1200, 'part')).toBe('1,200 parts');
    expect(formatCount(0, 'file')).toBe('0 files');
    expect(formatCount(3, 'job was', 'jobs were')).toBe('3 jobs were');
  });

  it('says how a job stopped and how long it ran over all its runs', () => {
    const done = describeJobTimes(job({ status: 'done', startedAt: '2026-11-23T12:00:00.000Z', finishedAt: '2026-11-23T12:01:00.000Z', runSeconds: 185 }));
    expect(done).toMatch(new RegExp(`finished \\S+ ${local('2026-11-23T12:01:00.000Z')} · took 3 min 05 s$`));
    const interrupted = describeJobTimes(job({ status: 'interrupted', finishedAt: '2026-11-23T12:01:00.000Z', runSeconds: 42 }));
    expect(interrupted).toMatch(/ · interrupted \S+ \d\d:\d\d · ran 42 s$/);
    expect(interrupted).not.toMatch(/finished|took/);
    expect(describeJobTimes(job({ status: 'failed', finishedAt: '2026-11-23T12:01:00.000Z', runSeconds: 0 }))).toMatch(/ · failed \S+ \d\d:\d\d$/);
    expect(describeJobTimes(job({ status: 'running', runSeconds: 30 }))).toMatch(/ · started \S+ \d\d:\d\d$/);
  });

  it('notices a failure seen happening, with its error and whether resuming helps', () => {
    const failed = job({ status: 'failed', error: "Dataset 'f3' holds seismic only.", resumable: false });
    expect(failureNotice('running', failed)).toBe("Import SEG-Y: f3.sgy failed: Dataset 'f3' holds seismic only.");
    expect(failureNotice('queued', { ...failed, resumable: true })).toMatch(/You can resume it from the Jobs view\.$/);
    // Failed before this window watched it, or a repeated update: the Jobs view shows it, no notice.
    expect(failureNotice(undefined, failed)).toBeNull();
    expect(failureNotice('failed', failed)).toBeNull();
    expect(failureNotice('running', job({ status: 'done' }))).toBeNull();
  });

  it('announces interrupted jobs, naming a few', () => {
    expect(interruptedNotice([job({ status: 'done' }), job({ status: 'failed' })])).toBeNull();
    expect(interruptedNotice([job({ status: 'interrupted', title: 'Train stage1' })])).toBe(
      '1 job was interrupted before finishing (“Train stage1”). Resume or discard it in the Jobs view.',
    );
    const many = interruptedNotice([1, 2, 3, 4, 5].map((id) => job({ id, status: 'interrupted', title: `Job ${id}` })));
    expect(many).toBe('5 jobs were interrupted before finishing (“Job 1”, “Job 2”, “Job 3”, and 2 more). Resume or discard them in the Jobs view.');
  });
});
