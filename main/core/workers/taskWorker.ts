// The worker-thread side of WorkerPool (workerPool.ts): receives tasks, runs them one at a time,
// and answers each with its result or error. A worker entry (`*.worker.ts`) calls serveTasks once.
import { parentPort } from 'node:worker_threads';
import { toWireError, type WireError } from '../contract/errors.ts';

/** Pool → worker. `cancelFlag` is an Int32Array over a SharedArrayBuffer: [0] becomes 1 when the task is cancelled. */
export type PoolToWorker<Task> = { kind: 'task'; taskId: number; task: Task; cancelFlag: Int32Array } | { kind: 'close' };

/** Worker → pool: updates while a task runs, then exactly one result or error. */
export type WorkerToPool<Result, Update> =
  | { kind: 'update'; taskId: number; update: Update }
  | { kind: 'result'; taskId: number; result: Result }
  | { kind: 'error'; taskId: number; error: WireError };

/** A task's result and the buffers in it to transfer (detached in the worker) rather than copy. */
export interface TaskReply<Result> {
  result: Result;
  transfer?: Transferable[];
}

export interface TaskContext<Update> {
  /** Sends an update of the running task (progress, a partial result); transferred buffers are detached here. */
  update(update: Update, transfer?: Transferable[]): void;
  /** True once the pool has cancelled this task: stop between units of work. */
  cancelled(): boolean;
}

export interface TaskHandler<Task, Result, Update> {
  /** Runs one task; throw a StudioError to fail it with a code and message the user can act on. */
  run(task: Task, context: TaskContext<Update>): TaskReply<Result> | Promise<TaskReply<Result>>;
  /** Releases what the worker holds when the pool closes it (after its last task). */
  close?(): void | Promise<void>;
}

/**
 * Serves the pool from this worker thread. Tasks run strictly one after another, so a task never
 * overlaps another's set-up or release (onnxruntime sessions rely on that).
 */
export function serveTasks<Task, Result, Update = never>(entry: string, handler: TaskHandler<Task, Result, Update>): void {
  const port = parentPort;
  if (!port) throw new Error(`${entry} must run in a worker thread (its WorkerPool starts it).`);
  const post = (message: WorkerToPool<Result, Update>, transfer: Transferable[] = []) => port.postMessage(message, transfer as never[]);

  const handle = async (message: PoolToWorker<Task>): Promise<void> => {
    if (message.kind === 'close') {
      await handler.close?.();
      port.close();
      return;
    }
    const { taskId, cancelFlag } = message;
    const context: TaskContext<Update> = {
      update: (update, transfer) => post({ kind: 'update', taskId, update }, transfer),
      cancelled: () => Atomics.load(cancelFlag, 0) !== 0,
    };
    try {
      const reply = await handler.run(message.task, context);
      post({ kind: 'result', taskId, result: reply.result }, reply.transfer);
    } catch (error) {
      post({ kind: 'error', taskId, error: toWireError(error) });
    }
  };

  let previous: Promise<void> = Promise.resolve();
  port.on('message', (message: PoolToWorker<Task>) => {
    previous = previous.then(() => handle(message));
  });
}
