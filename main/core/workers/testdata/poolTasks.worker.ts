// Worker entry for the WorkerPool tests (workerPool.test.ts): small tasks that exercise each part
// of the pool — transfer, blocking until the test opens a gate, cancellation, a failing task, a
// worker that dies mid-task, per-worker state, and the close hook.
import { threadId } from 'node:worker_threads';
import { StudioError } from '../../contract/errors.ts';
import { serveTasks } from '../taskWorker.ts';

export type PoolTestTask =
  /** Squares the values; the result is transferred back. */
  | { op: 'square'; values: Float32Array }
  /** Sends 'started', then blocks until gate[0] ≠ 0 or the task is cancelled. */
  | { op: 'gate'; gate: Int32Array }
  /** Fails with a StudioError of this code and message. */
  | { op: 'fail'; code: 'bad_input'; message: string }
  /** Sends 'started', then ends the thread with this exit code (in the middle of the task). */
  | { op: 'exit'; exitCode: number }
  /** Sends 'started', then throws outside any task handler (an uncaught error kills the thread). */
  | { op: 'crash'; message: string }
  /** Keeps a value in this worker (as a session is kept), and a flag the close hook sets. */
  | { op: 'remember'; value: string; closedFlag?: Int32Array }
  | { op: 'report' };

export interface PoolTestReport {
  threadId: number;
  /** Tasks this worker ran before this one. */
  tasksRun: number;
  /** Gate tasks that stopped because they were cancelled. */
  gatesCancelled: number;
  remembered: string[];
}

export type PoolTestResult = Float32Array | PoolTestReport;

let tasksRun = 0;
let gatesCancelled = 0;
const remembered: string[] = [];
let closedFlag: Int32Array | undefined;

serveTasks<PoolTestTask, PoolTestResult, 'started'>('poolTasks.worker.ts', {
  run(task, context) {
    tasksRun += 1;
    switch (task.op) {
      case 'square': {
        const squared = task.values.map((v) => v * v);
        return { result: squared, transfer: [squared.buffer] };
      }
      case 'gate':
        context.update('started');
        while (Atomics.load(task.gate, 0) === 0) {
          if (context.cancelled()) {
            gatesCancelled += 1;
            break;
          }
          Atomics.wait(task.gate, 0, 0, 10);
        }
        return { result: report() };
      case 'fail':
        throw new StudioError(task.code, task.message);
      case 'exit':
        context.update('started');
        process.exit(task.exitCode);
      case 'crash':
        context.update('started');
        setImmediate(() => {
          throw new Error(task.message);
        });
        return new Promise(() => undefined);
      case 'remember':
        remembered.push(task.value);
        closedFlag = task.closedFlag ?? closedFlag;
        return { result: report() };
      case 'report':
        return { result: report() };
    }
  },
  close() {
    if (closedFlag) Atomics.store(closedFlag, 0, 1);
  },
});

function report(): PoolTestReport {
  return { threadId, tasksRun: tasksRun - 1, gatesCancelled, remembered: [...remembered] };
}
