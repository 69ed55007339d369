import { afterAll, describe, expect, test, vi } from 'vitest';
import { SizedPools } from './sizedPools.ts';
import { WorkerPool } from './workerPool.ts';
import type { PoolTestResult, PoolTestTask } from './testdata/poolTasks.worker.ts';

const entry = new URL('./testdata/poolTasks.worker.ts', import.meta.url);
type TestPool = WorkerPool<PoolTestTask, PoolTestResult, 'started'>;

const keepers: SizedPools<TestPool>[] = [];
afterAll(async () => {
  await Promise.all(keepers.map((keeper) => keeper.close()));
});
function sizedPools(): SizedPools<TestPool> {
  const keeper = new SizedPools((size): TestPool => new WorkerPool({ entry, size, name: `test pool of ${size}`, terminateMidTask: true }));
  keepers.push(keeper);
  return keeper;
}

describe('SizedPools', () => {
  test('a borrower keeps its pool across a resize; new work gets the new size; the old pool closes when the last borrower gives it back', async () => {
    const pools = sizedPools();
    let setting = 1;
    const job = pools.lend(() => setting);
    const old = job.pool();
    expect(old.size).toBe(1);
    expect(pools.current(1)).toBe(old);

    setting = 2;
    const latest = pools.current(setting);
    expect(latest).not.toBe(old);
    expect(latest.size).toBe(2);
    expect(job.pool()).toBe(old);
    expect(old.closed).toBe(false);
    await expect(old.run({ op: 'report' })).resolves.toMatchObject({ worker: 0 }); // the job's work still runs

    const laterJob = pools.lend(() => setting);
    expect(laterJob.pool()).toBe(latest);
    await job.release();
    expect(old.closed).toBe(true);
    await expect(old.run({ op: 'report' })).rejects.toMatchObject({ code: 'conflict' });
    expect(latest.closed).toBe(false);
    await laterJob.release(); // the current pool stays open for the next user
    expect(latest.closed).toBe(false);
    expect(pools.current(2)).toBe(latest);
    expect(() => job.pool()).toThrow(/released/);
  });

  test('a pool replaced while a call runs on it without a loan closes once that call is done, not before', async () => {
    const pools = sizedPools();
    const old = pools.current(1);
    const gate = new Int32Array(new SharedArrayBuffer(4));
    let markStarted!: () => void;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    const running = old.run({ op: 'gate', gate }, { onUpdate: () => markStarted() });
    await started;
    expect(pools.current(2)).not.toBe(old);
    expect(old.closed).toBe(false);
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    await expect(running).resolves.toMatchObject({ worker: 0 });
    await vi.waitFor(() => expect(old.closed).toBe(true));
  });
});
