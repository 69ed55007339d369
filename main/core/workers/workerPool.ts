import type { Worker } from 'node:worker_threads';
import { StudioError } from '../contract/errors.ts';
import { startWorker } from './startWorker.ts';
import type { PoolToWorker, WorkerToPool } from './taskWorker.ts';

export interface WorkerPoolOptions {
  /** The worker entry, a module that calls serveTasks (taskWorker.ts). */
  entry: URL;
  /** Worker threads at most; they start when work needs them. */
  size: number;
  /** What the pool is, in messages ('FD worker pool'). */
  name: string;
  /**
   * Whether close() may terminate a worker in the middle of a task (the task is rejected). Not for
   * onnxruntime: terminating its thread inside run() aborts the whole process; close() then waits
   * for the tasks in flight and lets the workers exit after them.
   */
  terminateMidTask: boolean;
  /**
   * Called when a worker thread starts, the first time or replacing a lost one: tasks it queues on
   * that worker with runOn() run there before any other (a replacement loads what the lost one held).
   */
  onWorkerStart?: (worker: number) => void;
}

export interface TaskOptions<Update> {
  /** Buffers in the task to move to the worker rather than copy: the caller's views are detached when the task is sent. */
  transfer?: Transferable[];
  /** Cancels the task: a queued one is dropped, a running one is told to stop; either way it rejects at once with 'cancelled'. */
  signal?: AbortSignal;
  /** Updates the worker sends while the task runs, until the task settles. */
  onUpdate?: (update: Update) => void;
}

export interface TaskDone<Result> {
  result: Result;
  /** Index of the worker (0 … size − 1) that ran the task. */
  worker: number;
}

interface PoolTask<Task, Result, Update> {
  task: Task;
  transfer: Transferable[];
  onUpdate?: (update: Update) => void;
  /** [0] becomes 1 when the task's signal aborts; the worker reads it between units of work. */
  cancelFlag: Int32Array;
  /** The queue holding it while it waits. */
  queue: PoolTask<Task, Result, Update>[] | null;
  settled: boolean;
  resolve: (done: TaskDone<Result>) => void;
  reject: (error: unknown) => void;
}

/**
 * The flag a task's worker reads to stop early: one per abort signal (the tasks of one FD run share
 * it, and are all cancelled together), a flag that is never set for tasks without a signal.
 */
const cancelFlags = new WeakMap<AbortSignal, Int32Array>();
const neverCancelled = new Int32Array(new SharedArrayBuffer(4));
function cancelFlagOf(signal: AbortSignal | undefined): Int32Array {
  if (!signal) return neverCancelled;
  let flag = cancelFlags.get(signal);
  if (!flag) {
    flag = new Int32Array(new SharedArrayBuffer(4));
    cancelFlags.set(signal, flag);
  }
  return flag;
}

interface Slot<Task, Result, Update> {
  index: number;
  worker: Worker | null;
  /** The task its worker runs; kept until the worker answers, even after the task was cancelled. */
  running: { taskId: number; task: PoolTask<Task, Result, Update> } | null;
  /** Tasks for this worker only (runOn); they go before shared ones. */
  own: PoolTask<Task, Result, Update>[];
}

/**
 * A fixed number of worker threads serving one kind of task, one task per worker at a time: a
 * shared queue, per-worker queues (a model loaded on each worker), transferred buffers, cancellation,
 * replacement of a worker that dies (its task rejects, naming why), and close. The domain pools
 * (FD solver, ONNX sessions) are thin layers over it; results never depend on which worker ran a task.
 */
export class WorkerPool<Task, Result, Update = never> {
  readonly size: number;
  readonly name: string;
  private readonly entry: URL;
  private readonly terminateMidTask: boolean;
  private readonly onWorkerStart?: (worker: number) => void;
  private readonly slots: Slot<Task, Result, Update>[];
  private readonly shared: PoolTask<Task, Result, Update>[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private nextTaskId = 1;
  private dispatching = false;
  private isClosed = false;
  private closing: Promise<void> | undefined;

  constructor(options: WorkerPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new StudioError('bad_input', `${options.name} size = ${options.size} must be a whole number ≥ 1.`);
    }
    this.size = options.size;
    this.name = options.name;
    this.entry = options.entry;
    this.terminateMidTask = options.terminateMidTask;
    this.onWorkerStart = options.onWorkerStart;
    this.slots = Array.from({ length: options.size }, (_, index) => ({ index, worker: null, running: null, own: [] }));
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Indices of the workers started and not lost. */
  get startedWorkers(): number[] {
    return this.slots.filter((slot) => slot.worker).map((slot) => slot.index);
  }

  /** No task queued or running. */
  get idle(): boolean {
    return this.shared.length === 0 && this.slots.every((slot) => !slot.running && slot.own.length === 0);
  }

  /** Resolves once no task is queued or running. */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Starts every worker not yet started, so that they boot side by side before work reaches them. */
  startWorkers(): void {
    if (this.closed) return;
    for (const slot of this.slots) if (!slot.worker) this.spawn(slot);
    this.dispatch();
  }

  /** Runs a task on the next free worker. */
  run(task: Task, options: TaskOptions<Update> = {}): Promise<TaskDone<Result>> {
    return this.submit(this.shared, task, options);
  }

  /** Runs a task on worker `worker` (started if it is not), after the tasks queued there. */
  runOn(worker: number, task: Task, options: TaskOptions<Update> = {}): Promise<TaskDone<Result>> {
    const slot = this.slots[worker];
    if (!slot) return Promise.reject(new StudioError('bad_input', `${this.name}: no worker ${worker}; it has ${this.size}.`));
    return this.submit(slot.own, task, options);
  }

  /**
   * Stops taking tasks and rejects the queued ones ('cancelled'). Running tasks are rejected and their
   * workers terminated where `terminateMidTask` allows; otherwise they finish first and the workers
   * exit after them (their handler's close() runs). Idempotent.
   */
  close(): Promise<void> {
    if (!this.closing) {
      this.isClosed = true;
      this.closing = this.shutDown();
    }
    return this.closing;
  }

  private submit(queue: PoolTask<Task, Result, Update>[], task: Task, options: TaskOptions<Update>): Promise<TaskDone<Result>> {
    if (this.closed) return Promise.reject(new StudioError('conflict', `The ${this.name} is closed; create a new one.`));
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new StudioError('cancelled', 'Cancelled by the user.'));
    const cancelFlag = cancelFlagOf(signal);
    return new Promise<TaskDone<Result>>((resolve, reject) => {
      const onAbort = (): void => {
        Atomics.store(cancelFlag, 0, 1);
        this.cancel(entry, new StudioError('cancelled', 'Cancelled by the user.'));
      };
      const entry: PoolTask<Task, Result, Update> = {
        task,
        transfer: options.transfer ?? [],
        onUpdate: options.onUpdate,
        cancelFlag,
        queue,
        settled: false,
        resolve: (done) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(done);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(entry);
      this.dispatch();
    });
  }

  private cancel(entry: PoolTask<Task, Result, Update>, error: StudioError): void {
    if (entry.settled) return;
    if (entry.queue) {
      entry.queue.splice(entry.queue.indexOf(entry), 1);
      entry.queue = null;
    }
    this.settle(entry, error);
    this.wakeIfIdle();
  }

  private settle(entry: PoolTask<Task, Result, Update>, error: unknown, done?: TaskDone<Result>): void {
    if (entry.settled) return;
    entry.settled = true;
    if (error !== undefined) entry.reject(error);
    else entry.resolve(done!);
  }

  private dispatch(): void {
    if (this.dispatching || this.closed) return;
    this.dispatching = true;
    try {
      for (const slot of this.slots) if (!slot.running && slot.own.length > 0) this.startNext(slot);
      while (this.shared.length > 0) {
        const slot = this.slots.find((s) => s.worker && !s.running) ?? this.slots.find((s) => !s.running);
        if (!slot) return;
        this.startNext(slot);
      }
    } finally {
      this.dispatching = false;
    }
  }

  private startNext(slot: Slot<Task, Result, Update>): void {
    let worker: Worker;
    try {
      worker = slot.worker ?? this.spawn(slot);
    } catch (error) {
      // The thread could not start (a missing bundled entry): the task that needed it fails with why.
      const entry = slot.own.shift() ?? this.shared.shift()!;
      entry.queue = null;
      this.settle(entry, new StudioError('internal', `The ${this.name} could not start a worker thread: ${(error as Error).message}`));
      return;
    }
    const entry = slot.own.shift() ?? this.shared.shift();
    if (!entry) return;
    entry.queue = null;
    const taskId = this.nextTaskId;
    this.nextTaskId += 1;
    slot.running = { taskId, task: entry };
    const message: PoolToWorker<Task> = { kind: 'task', taskId, task: entry.task, cancelFlag: entry.cancelFlag };
    try {
      worker.postMessage(message, entry.transfer as never[]);
    } catch (error) {
      slot.running = null;
      this.settle(entry, new StudioError('bad_input', `${this.name}: the task cannot be sent to a worker thread: ${(error as Error).message}`));
    }
  }

  private spawn(slot: Slot<Task, Result, Update>): Worker {
    const worker = startWorker(this.entry);
    slot.worker = worker;
    worker.on('message', (message: WorkerToPool<Result, Update>) => this.onMessage(slot, message));
    worker.on('error', (error) => this.onWorkerLost(slot, worker, error.message));
    worker.on('exit', (code) => this.onWorkerLost(slot, worker, `it exited with code ${code}`));
    // The set-up tasks the hook queues go first; dispatching waits until they are all queued.
    const waiting = slot.own.splice(0);
    const dispatching = this.dispatching;
    this.dispatching = true;
    try {
      this.onWorkerStart?.(slot.index);
    } finally {
      this.dispatching = dispatching;
      slot.own.push(...waiting);
    }
    return worker;
  }

  private onMessage(slot: Slot<Task, Result, Update>, message: WorkerToPool<Result, Update>): void {
    const running = slot.running;
    if (!running || running.taskId !== message.taskId) return;
    const entry = running.task;
    if (message.kind === 'update') {
      if (entry.settled || !entry.onUpdate) return;
      try {
        entry.onUpdate(message.update);
      } catch (error) {
        this.cancel(entry, error instanceof StudioError ? error : new StudioError('internal', (error as Error).message));
      }
      return;
    }
    slot.running = null;
    if (message.kind === 'result') this.settle(entry, undefined, { result: message.result, worker: slot.index });
    else this.settle(entry, new StudioError(message.error.code, message.error.message));
    this.dispatch();
    this.wakeIfIdle();
  }

  private onWorkerLost(slot: Slot<Task, Result, Update>, worker: Worker, reason: string): void {
    if (slot.worker !== worker) return;
    slot.worker = null;
    const running = slot.running;
    slot.running = null;
    if (running) {
      const next = this.closed ? '' : ' The pool starts a new worker for the next task.';
      this.settle(running.task, new StudioError('internal', `A worker thread of the ${this.name} stopped during a task (${reason}); the task failed.${next}`));
    }
    this.dispatch();
    this.wakeIfIdle();
  }

  private wakeIfIdle(): void {
    if (this.idle) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private async shutDown(): Promise<void> {
    const closedError = () => new StudioError('cancelled', `The ${this.name} was closed.`);
    for (const entry of [...this.shared.splice(0), ...this.slots.flatMap((slot) => slot.own.splice(0))]) {
      entry.queue = null;
      this.settle(entry, closedError());
    }
    if (this.terminateMidTask) {
      const workers: Worker[] = [];
      for (const slot of this.slots) {
        if (slot.running) {
          this.settle(slot.running.task, closedError());
          slot.running = null;
        }
        if (slot.worker) workers.push(slot.worker);
        slot.worker = null;
      }
      this.wakeIfIdle();
      await Promise.all(workers.map((worker) => worker.terminate()));
      return;
    }
    await this.whenIdle();
    const exits: Promise<unknown>[] = [];
    for (const slot of this.slots) {
      const worker = slot.worker;
      if (!worker) continue;
      exits.push(new Promise((resolve) => worker.once('exit', resolve)));
      worker.postMessage({ kind: 'close' } satisfies PoolToWorker<Task>);
    }
    await Promise.all(exits);
  }
}
