import { afterAll, describe, expect, test } from 'vitest';
import { WorkerPool, type TaskDone } from './workerPool.ts';
import type { PoolTestReport, PoolTestResult, PoolTestTask } from './testdata/poolTasks.worker.ts';

const entry = new URL('./testdata/poolTasks.worker.ts', import.meta.url);
type TestPool = WorkerPool<PoolTestTask, PoolTestResult, 'started'>;

const pools: TestPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
});
function pool(size: number, options: { terminateMidTask?: boolean; onWorkerStart?: (worker: number) => void } = {}): TestPool {
  const created: TestPool = new WorkerPool({ entry, size, name: 'test pool', terminateMidTask: options.terminateMidTask ?? true, onWorkerStart: options.onWorkerStart });
  pools.push(created);
  return created;
}

/** A gate task: it tells when it has started on a worker and blocks there until opened. */
function gated(workers: TestPool, options: { signal?: AbortSignal } = {}) {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const done = workers.run({ op: 'gate', gate }, { signal: options.signal, onUpdate: () => markStarted() }) as Promise<TaskDone<PoolTestReport>>;
  return {
    started,
    done,
    open: () => {
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
    },
  };
}

/** One single-worker pool for the tests that leave it as they found it (each worker takes seconds to start here). */
let single: TestPool | undefined;
const singleWorker = (): TestPool => (single ??= pool(1));

const report = (workers: TestPool) => workers.run({ op: 'report' }) as Promise<TaskDone<PoolTestReport>>;

describe('WorkerPool', () => {
  test('runs one task per worker and queues the rest until a worker is free', async () => {
    const workers = pool(2);
    const events: string[] = [];
    const [a, b, c] = [gated(workers), gated(workers), gated(workers)];
    void c.started.then(() => events.push('c started'));
    await Promise.all([a.started, b.started]);
    events.push('a and b started');
    a.open();
    const aDone = await a.done;
    events.push('a done');
    await c.started;
    b.open();
    c.open();
    const [bDone, cDone] = await Promise.all([b.done, c.done]);
    expect(events).toEqual(['a and b started', 'a done', 'c started']);
    expect(new Set([aDone.worker, bDone.worker])).toEqual(new Set([0, 1]));
    expect(cDone.worker).toBe(aDone.worker); // c waited for a's worker
    expect(cDone.result.threadId).toBe(aDone.result.threadId);
    expect(workers.startedWorkers).toEqual([0, 1]);
  });

  test('transferred buffers are moved when the task is sent to a worker, and results come back transferred', async () => {
    const workers = singleWorker();
    const blocker = gated(workers);
    const values = Float32Array.from([1, -2, 3]);
    const squared = workers.run({ op: 'square', values }, { transfer: [values.buffer] });
    expect(values.byteLength).toBe(12); // still queued behind the gate: not sent yet
    blocker.open();
    const { result } = await squared;
    expect(values.byteLength).toBe(0);
    expect(result).toBeInstanceOf(Float32Array);
    expect(Array.from(result as Float32Array)).toEqual([1, 4, 9]);
    await blocker.done;
    const more = Float32Array.from([5]);
    const sentAtOnce = workers.run({ op: 'square', values: more }, { transfer: [more.buffer] });
    expect(more.byteLength).toBe(0); // a free worker: sent at once
    expect(Array.from((await sentAtOnce).result as Float32Array)).toEqual([25]);
  });

  test('cancelling a queued task drops it; cancelling a running one tells its worker to stop; the worker takes the next task', async () => {
    const workers = singleWorker();
    const before = await report(workers);
    const runningCancel = new AbortController();
    const queuedCancel = new AbortController();
    const running = gated(workers, { signal: runningCancel.signal });
    const queued = gated(workers, { signal: queuedCancel.signal });
    const next = report(workers);
    await running.started;
    queuedCancel.abort();
    await expect(queued.done).rejects.toMatchObject({ code: 'cancelled', message: 'Cancelled by the user.' });
    runningCancel.abort();
    await expect(running.done).rejects.toMatchObject({ code: 'cancelled' });
    const after = await next;
    expect(after.result.threadId).toBe(before.result.threadId);
    expect(after.result.tasksRun).toBe(before.result.tasksRun + 2); // the report and the running gate; the queued gate never ran
    expect(after.result.gatesCancelled).toBe(before.result.gatesCancelled + 1);
    // an aborted signal rejects before the task is queued
    await expect(workers.run({ op: 'report' }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'cancelled' });
  });

  test("a failing task rejects with the worker's code and message; the worker stays", async () => {
    const workers = singleWorker();
    const before = await report(workers);
    await expect(workers.run({ op: 'fail', code: 'bad_input', message: 'grid 3 × 3 is too small' })).rejects.toMatchObject({
      code: 'bad_input',
      message: 'grid 3 × 3 is too small',
    });
    expect((await report(workers)).result.threadId).toBe(before.result.threadId);
  });

  test('a worker that dies mid-task rejects that task with a clear error; a new worker replaces it and is set up again', async () => {
    let starts = 0;
    const workers: TestPool = pool(1, {
      onWorkerStart: (worker) => {
        starts += 1;
        void workers.runOn(worker, { op: 'remember', value: `set-up ${starts}` });
      },
    });
    const first = await report(workers);
    expect(first.result.remembered).toEqual(['set-up 1']);

    const exiting = workers.run({ op: 'exit', exitCode: 3 });
    const queued = report(workers);
    await expect(exiting).rejects.toMatchObject({
      code: 'internal',
      message: 'A worker thread of the test pool stopped during a task (it exited with code 3); the task failed. The pool starts a new worker for the next task.',
    });
    const replaced = await queued;
    expect(replaced.result.threadId).not.toBe(first.result.threadId);
    expect(replaced.result.remembered).toEqual(['set-up 2']);

    await expect(workers.run({ op: 'crash', message: 'kernel fault at row 12' })).rejects.toMatchObject({
      code: 'internal',
      message: expect.stringContaining('stopped during a task (kernel fault at row 12)'),
    });
    const again = await workers.run({ op: 'remember', value: 'after' });
    expect((again.result as PoolTestReport).remembered).toEqual(['set-up 3', 'after']);
    expect(starts).toBe(3);
    expect(workers.startedWorkers).toEqual([0]);
  });

  test('close() rejects queued tasks, terminates workers in the middle of a task where allowed, and refuses new work', async () => {
    const workers = pool(1);
    const running = gated(workers);
    const queued = report(workers);
    await running.started;
    const outcomes = Promise.all([
      expect(running.done).rejects.toMatchObject({ code: 'cancelled', message: 'The test pool was closed.' }),
      expect(queued).rejects.toMatchObject({ code: 'cancelled', message: 'The test pool was closed.' }),
    ]);
    await workers.close();
    await outcomes;
    await expect(report(workers)).rejects.toMatchObject({ code: 'conflict', message: 'The test pool is closed; create a new one.' });
    expect(workers.startedWorkers).toEqual([]);
  });

  test('close() without terminateMidTask lets the running task finish, then the workers release what they hold and exit', async () => {
    const workers = pool(1, { terminateMidTask: false });
    const closedFlag = new Int32Array(new SharedArrayBuffer(4));
    await workers.run({ op: 'remember', value: 'session', closedFlag });
    const running = gated(workers);
    const queued = report(workers);
    await running.started;
    const closing = workers.close();
    await expect(queued).rejects.toMatchObject({ code: 'cancelled' });
    expect(Atomics.load(closedFlag, 0)).toBe(0);
    running.open();
    await expect(running.done).resolves.toMatchObject({ worker: 0 });
    await closing;
    expect(Atomics.load(closedFlag, 0)).toBe(1);
    expect(workers.startedWorkers).toEqual([]);
  });

  test('sizes must be whole numbers ≥ 1', () => {
    expect(() => new WorkerPool({ entry, size: 0, name: 'test pool', terminateMidTask: true })).toThrow('test pool size = 0 must be a whole number ≥ 1.');
    expect(() => new WorkerPool({ entry, size: 1.5, name: 'test pool', terminateMidTask: true })).toThrow(/whole number/);
  });
});
