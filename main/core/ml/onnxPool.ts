/**
 * ONNX inference off the main event loop: a pool of worker threads (onnx.worker.ts), each owning an
 * onnxruntime-node InferenceSession per loaded model, created from the model's bytes (sessions cannot
 * move between threads). Facts this follows (ARCHITECTURE.md, "Compute"): session creation and run()
 * block their thread; `worker.terminate()` during a run aborts the whole process, so runs are
 * cancelled between runs and `close()` waits for the ones in flight; `['cuda', 'cpu']` throws when
 * the CUDA provider is missing, so each worker then creates the session again with `['cpu']` and the
 * pool reports it once through onNotice; two workers × one intra-op thread beat one × two, and
 * workers × threads stays within the cores the user allows.
 *
 * Feeds are checked against the graph before they are sent: names, element type, rank, fixed sizes,
 * and symbolic sizes ('batch') that must agree across inputs. Feed arrays that own their whole
 * buffer are transferred (they are detached after `run()`); views into a larger or shared buffer are
 * copied first. Outputs come back transferred.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { StudioError, type StudioErrorCode } from '../contract/errors.ts';
import type { WorkOptions } from '../util/progress.ts';
import { startWorker } from '../workers/startWorker.ts';
import type {
  ExecutionProviderName,
  GraphValueInfo,
  OnnxTensorType,
  OnnxWorkerReply,
  OnnxWorkerRequest,
  ProviderChoice,
  WireTensor,
} from './onnx.worker.ts';

export type { ExecutionProviderName, GraphValueInfo, OnnxTensorType, ProviderChoice } from './onnx.worker.ts';

/** Typed arrays a feed may hold, by the graph's element type. */
export type OnnxFeedData = Float32Array | BigInt64Array | Int32Array;

export interface OnnxFeed {
  data: OnnxFeedData;
  dims: readonly number[];
}

export interface OnnxOutput {
  type: OnnxTensorType;
  /** Float32Array for float32, BigInt64Array for int64, Int32Array for int32, … */
  data: ArrayBufferView;
  dims: number[];
}

export interface OnnxRunResult {
  outputs: Record<string, OnnxOutput>;
  /** The execution provider the session that ran this used. */
  provider: ExecutionProviderName;
  /** Index of the worker thread that ran it. */
  worker: number;
  /** Wall time of session.run() in the worker, for display (never for decisions). */
  runMs: number;
}

export interface OnnxModelInfo {
  key: string;
  /** The file path, or the name given with the bytes: used in every message about the model. */
  label: string;
  bytes: number;
  inputs: GraphValueInfo[];
  outputs: GraphValueInfo[];
  /** The provider the sessions use (the same in every worker). */
  provider: ExecutionProviderName;
}

export interface OnnxPoolOptions {
  /** Cores the user allows the pool; default os.availableParallelism(). */
  cores?: number;
  /** Worker threads; default min(2, cores). */
  workers?: number;
  /** onnxruntime intra-op threads per session; default max(1, floor(cores / workers)). */
  intraOpThreads?: number;
  /** 'auto' (default): CUDA if its provider loads, else the CPU with a notice; 'cpu'; 'cuda' (required). */
  provider?: ProviderChoice;
  /** Non-fatal findings, such as the fallback from CUDA to the CPU. */
  onNotice?: (message: string) => void;
}

const FEED_TYPES: Record<string, { type: OnnxTensorType; array: string }> = {
  Float32Array: { type: 'float32', array: 'Float32Array' },
  BigInt64Array: { type: 'int64', array: 'BigInt64Array' },
  Int32Array: { type: 'int32', array: 'Int32Array' },
};
const ARRAY_FOR_TYPE: Record<string, string> = { float32: 'Float32Array', int64: 'BigInt64Array', int32: 'Int32Array' };

interface Pending {
  resolve: (reply: OnnxWorkerReply) => void;
  reject: (error: Error) => void;
}

interface Slot {
  index: number;
  worker: Worker;
  /** Requests sent to this worker and not yet answered, by request id. */
  pending: Map<number, Pending>;
  /** A run is in flight on this worker. */
  running: boolean;
  exited: Promise<void>;
  lost?: Error;
}

interface QueuedRun {
  key: string;
  feeds: Record<string, WireTensor>;
  transfer: ArrayBuffer[];
  resolve: (result: OnnxRunResult) => void;
  reject: (error: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  settled: boolean;
}

/** A job's access to the studio's onnxruntime sessions (worker threads, sized like the FD pool, created on first use). */
export interface OnnxPoolService {
  onnxPool(): OnnxSessionPool;
}

export class OnnxSessionPool {
  readonly workerCount: number;
  readonly intraOpThreads: number;
  readonly providerChoice: ProviderChoice;
  private readonly onNotice?: (message: string) => void;
  private readonly slots: Slot[] = [];
  private readonly models = new Map<string, OnnxModelInfo>();
  private readonly queue: QueuedRun[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private nextRequestId = 1;
  private closed = false;
  private closing: Promise<void> | undefined;
  private cudaNoticeSent = false;

  constructor(options: OnnxPoolOptions = {}) {
    const cores = options.cores ?? os.availableParallelism();
    const whole = (name: string, value: number) => {
      if (!Number.isInteger(value) || value < 1) throw new StudioError('bad_input', `ONNX pool ${name} = ${value} must be a whole number ≥ 1.`);
    };
    whole('cores', cores);
    const workers = options.workers ?? Math.min(2, cores);
    whole('workers', workers);
    const threads = options.intraOpThreads ?? Math.max(1, Math.floor(cores / workers));
    whole('intraOpThreads', threads);
    if (workers * threads > cores) {
      throw new StudioError(
        'bad_input',
        `ONNX pool: ${workers} workers × ${threads} intra-op threads exceeds the ${cores} cores allowed; lower workers or intraOpThreads.`,
      );
    }
    const provider = options.provider ?? 'auto';
    if (provider !== 'auto' && provider !== 'cpu' && provider !== 'cuda') {
      throw new StudioError('bad_input', `ONNX execution provider '${String(provider)}' must be 'auto', 'cpu' or 'cuda'.`);
    }
    this.workerCount = workers;
    this.intraOpThreads = threads;
    this.providerChoice = provider;
    this.onNotice = options.onNotice;
  }

  /** Loads an .onnx file into every worker. A missing, unreadable or corrupt file is an error naming it. */
  async loadModel(key: string, filePath: string, options: WorkOptions = {}): Promise<OnnxModelInfo> {
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(filePath);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new StudioError('not_found', `ONNX model file ${filePath} does not exist; check the model folder or re-export the model.`);
      if (code === 'EISDIR') throw new StudioError('bad_input', `${filePath} is a folder, not an .onnx model file.`);
      throw new StudioError('io', `ONNX model file ${filePath} could not be read: ${(error as Error).message}`);
    }
    return this.loadModelBytes(key, bytes, path.resolve(filePath), options);
  }

  /** Loads a model from its bytes into every worker; `label` names it in messages. */
  async loadModelBytes(key: string, bytes: Uint8Array, label: string, options: WorkOptions = {}): Promise<OnnxModelInfo> {
    this.assertOpen();
    if (!key) throw new StudioError('bad_input', 'An ONNX model needs a non-empty key.');
    if (bytes.byteLength === 0) throw new StudioError('bad_file', `${label} is empty (0 bytes); re-export the model.`);
    this.spawnWorkers();
    const slots = this.liveSlots();
    // Worker 0 first: a corrupt model fails once, with the file named, before the others try.
    const replies: Extract<OnnxWorkerReply, { kind: 'loaded' }>[] = [];
    const send = async (slot: Slot, copy: Uint8Array) => {
      const reply = await this.request(slot, (requestId) => ({
        message: { kind: 'load', requestId, key, label, bytes: copy, provider: this.providerChoice, intraOpThreads: this.intraOpThreads },
        transfer: [copy.buffer as ArrayBuffer],
      }));
      if (reply.kind !== 'loaded') throw new StudioError('internal', `Unexpected reply '${reply.kind}' to a model load.`);
      replies.push(reply);
    };
    const copyOf = () => new Uint8Array(bytes); // each worker gets (and keeps) its own copy
    await send(slots[0], copyOf());
    await Promise.all(slots.slice(1).map((slot) => send(slot, copyOf())));
    const first = replies[0];
    const provider: ExecutionProviderName = replies.every((r) => r.provider === 'cuda') ? 'cuda' : 'cpu';
    const cudaFailure = replies.find((r) => r.cudaFailure)?.cudaFailure;
    if (cudaFailure !== undefined && !this.cudaNoticeSent) {
      this.cudaNoticeSent = true;
      const message = `CUDA execution provider unavailable (${cudaFailure}); running on CPU.`;
      this.onNotice?.(message);
      if (options.onNotice !== this.onNotice) options.onNotice?.(message);
    }
    const info: OnnxModelInfo = { key, label, bytes: bytes.byteLength, inputs: first.inputs, outputs: first.outputs, provider };
    this.models.set(key, info);
    return info;
  }

  /** What a loaded model takes and gives, and the provider it runs on. */
  modelInfo(key: string): OnnxModelInfo {
    const info = this.models.get(key);
    if (!info) throw new StudioError('not_found', `No ONNX model '${key}' is loaded in this pool; load it first.`);
    return info;
  }

  /** The execution provider a loaded model runs on. */
  providerOf(key: string): ExecutionProviderName {
    return this.modelInfo(key).provider;
  }

  get loadedModels(): string[] {
    return [...this.models.keys()];
  }

  /**
   * Runs a loaded model on the next free worker. Feeds are checked against the graph first; their
   * arrays are transferred (detached) unless they are views into a larger or shared buffer. An abort
   * rejects at once; a run already inside onnxruntime finishes in its worker and is discarded.
   */
  run(key: string, feeds: Record<string, OnnxFeed>, options: { signal?: AbortSignal } = {}): Promise<OnnxRunResult> {
    try {
      this.assertOpen();
      if (options.signal?.aborted) throw new StudioError('cancelled', 'Cancelled by the user.');
      const info = this.modelInfo(key);
      checkFeeds(info, feeds);
      const { wire, transfer } = wireFeeds(feeds);
      return new Promise<OnnxRunResult>((resolve, reject) => {
        const run: QueuedRun = { key, feeds: wire, transfer, resolve, reject, signal: options.signal, settled: false };
        if (options.signal) {
          run.onAbort = () => {
            const index = this.queue.indexOf(run);
            if (index >= 0) this.queue.splice(index, 1);
            this.settle(run, new StudioError('cancelled', 'Cancelled by the user.'));
          };
          options.signal.addEventListener('abort', run.onAbort, { once: true });
        }
        this.queue.push(run);
        this.dispatch();
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Releases a model's sessions in every worker (after the runs in flight). */
  async unloadModel(key: string): Promise<void> {
    this.assertOpen();
    if (!this.models.delete(key)) return;
    await Promise.all(this.liveSlots().map((slot) => this.request(slot, (requestId) => ({ message: { kind: 'unload', requestId, key }, transfer: [] }))));
  }

  /**
   * Stops taking runs, rejects the queued ones ('cancelled'), waits for the runs in flight, then
   * releases the sessions and lets the workers exit. Never terminates a worker inside a run.
   */
  close(): Promise<void> {
    if (!this.closing) this.closing = this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.closed = true;
    for (const run of this.queue.splice(0)) this.settle(run, new StudioError('cancelled', 'The ONNX session pool was closed.'));
    while (this.slots.some((slot) => slot.running && !slot.lost)) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
    for (const slot of this.slots) {
      if (!slot.lost) slot.worker.postMessage({ kind: 'close' } satisfies OnnxWorkerRequest);
    }
    await Promise.all(this.slots.map((slot) => slot.exited));
    this.models.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new StudioError('conflict', 'The ONNX session pool is closed; create a new one.');
  }

  private spawnWorkers(): void {
    if (this.slots.length > 0) return;
    for (let index = 0; index < this.workerCount; index += 1) {
      const worker = startWorker(new URL('./onnx.worker.ts', import.meta.url));
      let markExited!: () => void;
      const exited = new Promise<void>((resolve) => (markExited = resolve));
      const slot: Slot = { index, worker, pending: new Map(), running: false, exited };
      worker.on('message', (reply: OnnxWorkerReply) => {
        const pending = slot.pending.get(reply.requestId);
        if (!pending) return;
        slot.pending.delete(reply.requestId);
        pending.resolve(reply);
      });
      worker.on('error', (error) => this.onWorkerLost(slot, error));
      worker.on('exit', (code) => {
        if (!this.closed) this.onWorkerLost(slot, new Error(`exited with code ${code}`));
        else this.onWorkerLost(slot, new Error('the pool was closed'));
        markExited();
      });
      this.slots.push(slot);
    }
  }

  private liveSlots(): Slot[] {
    const live = this.slots.filter((slot) => !slot.lost);
    if (live.length === 0) {
      const reason = this.slots[0]?.lost?.message ?? 'none started';
      throw new StudioError('internal', `The ONNX worker threads have stopped (${reason}); close this pool and create a new one.`);
    }
    return live;
  }

  private onWorkerLost(slot: Slot, error: Error): void {
    if (slot.lost) return;
    slot.lost = error;
    slot.running = false;
    for (const pending of slot.pending.values()) pending.reject(new StudioError('internal', `An ONNX worker thread stopped: ${error.message}`));
    slot.pending.clear();
    this.wakeIdleWaiters();
    if (!this.closed && this.slots.every((s) => s.lost)) {
      for (const run of this.queue.splice(0)) this.settle(run, new StudioError('internal', `The ONNX worker threads have stopped (${error.message}).`));
    }
    this.dispatch();
  }

  /** Sends one request to a worker and resolves with its reply; an 'error' reply becomes a StudioError. */
  private async request(
    slot: Slot,
    build: (requestId: number) => { message: OnnxWorkerRequest; transfer: ArrayBuffer[] },
  ): Promise<OnnxWorkerReply> {
    if (slot.lost) throw new StudioError('internal', `An ONNX worker thread stopped: ${slot.lost.message}`);
    const requestId = this.nextRequestId;
    this.nextRequestId += 1;
    const { message, transfer } = build(requestId);
    const reply = await new Promise<OnnxWorkerReply>((resolve, reject) => {
      slot.pending.set(requestId, { resolve, reject });
      slot.worker.postMessage(message, transfer);
    });
    if (reply.kind === 'error') throw new StudioError(reply.code as StudioErrorCode, reply.message);
    return reply;
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => !s.lost && !s.running);
      if (!slot) return;
      const run = this.queue.shift()!;
      if (run.settled) continue;
      slot.running = true;
      this.request(slot, (requestId) => ({ message: { kind: 'run', requestId, key: run.key, feeds: run.feeds }, transfer: run.transfer }))
        .then((reply) => {
          if (reply.kind !== 'ran') throw new StudioError('internal', `Unexpected reply '${reply.kind}' to a run.`);
          const outputs: Record<string, OnnxOutput> = {};
          for (const [name, tensor] of Object.entries(reply.outputs)) outputs[name] = { type: tensor.type, data: tensor.data, dims: tensor.dims };
          this.settle(run, undefined, { outputs, provider: reply.provider, worker: slot.index, runMs: reply.runMs });
        })
        .catch((error: unknown) => this.settle(run, error))
        .finally(() => {
          slot.running = false;
          this.wakeIdleWaiters();
          if (!this.closed) this.dispatch();
        });
    }
  }

  private settle(run: QueuedRun, error: unknown, result?: OnnxRunResult): void {
    if (run.settled) return;
    run.settled = true;
    if (run.signal && run.onAbort) run.signal.removeEventListener('abort', run.onAbort);
    if (error !== undefined) run.reject(error);
    else run.resolve(result!);
  }

  private wakeIdleWaiters(): void {
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}

/** Checks names, element types, ranks and sizes of the feeds against the graph's declared inputs. */
export function checkFeeds(info: Pick<OnnxModelInfo, 'label' | 'inputs'>, feeds: Record<string, OnnxFeed>): void {
  const describe = (value: GraphValueInfo) => `${value.name} [${value.shape.join(', ')}] ${value.type}`;
  const expected = info.inputs.map(describe).join(', ');
  const declared = new Map(info.inputs.map((value) => [value.name, value]));
  for (const name of Object.keys(feeds)) {
    if (!declared.has(name)) {
      throw new StudioError('bad_input', `${info.label} has no input '${name}'; its inputs are ${expected}.`);
    }
  }
  const symbolic = new Map<string, { size: number; input: string }>();
  for (const value of info.inputs) {
    const feed = feeds[value.name];
    if (!feed) throw new StudioError('bad_input', `${info.label}: input ${describe(value)} is missing from the feeds.`);
    const feedType = FEED_TYPES[feed.data?.constructor?.name ?? ''];
    if (!feedType) {
      throw new StudioError('bad_input', `${info.label}: input '${value.name}' must be a Float32Array, BigInt64Array or Int32Array.`);
    }
    if (feedType.type !== value.type) {
      const wanted = ARRAY_FOR_TYPE[value.type] ?? value.type;
      throw new StudioError('bad_input', `${info.label}: input '${value.name}' is ${value.type} (${wanted}), but a ${feedType.array} was given.`);
    }
    const dims = [...feed.dims];
    if (dims.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new StudioError('bad_input', `${info.label}: input '${value.name}' has dims [${dims.join(', ')}]; sizes must be whole numbers ≥ 0.`);
    }
    if (value.shape.length > 0 && dims.length !== value.shape.length) {
      throw new StudioError(
        'bad_input',
        `${info.label}: input '${value.name}' has ${dims.length} dimensions [${dims.join(', ')}], the graph declares ${value.shape.length}: [${value.shape.join(', ')}].`,
      );
    }
    value.shape.forEach((declaredSize, axis) => {
      const size = dims[axis];
      if (typeof declaredSize === 'number' && declaredSize > 0) {
        if (size !== declaredSize) {
          throw new StudioError(
            'bad_input',
            `${info.label}: input '${value.name}' axis ${axis} is ${size}, the graph declares ${declaredSize} (shape [${value.shape.join(', ')}], given [${dims.join(', ')}]).`,
          );
        }
      } else if (typeof declaredSize === 'string' && declaredSize !== '') {
        const seen = symbolic.get(declaredSize);
        if (seen && seen.size !== size) {
          throw new StudioError(
            'bad_input',
            `${info.label}: '${declaredSize}' is ${seen.size} for input '${seen.input}' but ${size} for input '${value.name}'.`,
          );
        }
        symbolic.set(declaredSize, { size, input: value.name });
      }
    });
    const elements = dims.reduce((a, b) => a * b, 1);
    if (feed.data.length !== elements) {
      throw new StudioError(
        'bad_input',
        `${info.label}: input '${value.name}' has ${feed.data.length} values, but dims [${dims.join(', ')}] need ${elements}.`,
      );
    }
  }
}

/** Feeds as sent to a worker: arrays that own their buffer are transferred, others copied first. */
function wireFeeds(feeds: Record<string, OnnxFeed>): { wire: Record<string, WireTensor>; transfer: ArrayBuffer[] } {
  const wire: Record<string, WireTensor> = {};
  const transfer: ArrayBuffer[] = [];
  for (const [name, feed] of Object.entries(feeds)) {
    let data = feed.data;
    const buffer = data.buffer;
    const ownsBuffer =
      !(buffer instanceof SharedArrayBuffer) && data.byteOffset === 0 && data.byteLength === buffer.byteLength && !transfer.includes(buffer as ArrayBuffer);
    if (!ownsBuffer) data = data.slice() as OnnxFeedData;
    transfer.push(data.buffer as ArrayBuffer);
    wire[name] = { type: FEED_TYPES[data.constructor.name].type, data, dims: [...feed.dims] };
  }
  return { wire, transfer };
}
