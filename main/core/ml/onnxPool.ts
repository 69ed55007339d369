/**
 * ONNX inference off the main event loop: a pool of worker threads (onnx.worker.ts), each owning an
 * onnxruntime-node InferenceSession per loaded model, created from the model's bytes (sessions cannot
 * move between threads); the pool keeps each model's bytes so that a worker replacing a lost one
 * loads them again. It is a layer over the generic WorkerPool (workers/workerPool.ts). Facts this
 * follows (ARCHITECTURE.md, "Compute"): session creation and run() block their thread;
 * `worker.terminate()` during a run aborts the whole process, so runs are cancelled between runs
 * and `close()` waits for the ones in flight; `['cuda', 'cpu']` throws when
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
import { StudioError } from '../contract/errors.ts';
import type { WorkOptions } from '../util/progress.ts';
import { WorkerPool } from '../workers/workerPool.ts';
import type { ExecutionProviderName, GraphValueInfo, OnnxTask, OnnxTaskResult, OnnxTensorType, ProviderChoice, WireTensor } from './onnx.worker.ts';

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

/** A job's access to the studio's onnxruntime sessions (worker threads, sized like the FD pool, created on first use). */
export interface OnnxPoolService {
  onnxPool(): OnnxSessionPool;
}

export class OnnxSessionPool {
  readonly workerCount: number;
  readonly intraOpThreads: number;
  readonly providerChoice: ProviderChoice;
  private readonly onNotice?: (message: string) => void;
  private readonly workers: WorkerPool<OnnxTask, OnnxTaskResult>;
  private readonly models = new Map<string, OnnxModelInfo>();
  /** Each loaded model's bytes, for a worker that replaces a lost one. */
  private readonly modelBytes = new Map<string, Uint8Array>();
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
    this.workers = new WorkerPool({
      entry: new URL('./onnx.worker.ts', import.meta.url),
      size: workers,
      name: 'ONNX session pool',
      terminateMidTask: false,
      onWorkerStart: (worker) => this.restoreSessions(worker),
    });
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
    const kept = new Uint8Array(bytes);
    this.workers.startWorkers();
    // Worker 0 first: a corrupt model fails once, with the file named, before the others try.
    const first = await this.loadOn(0, key, label, kept);
    const others = await Promise.all(Array.from({ length: this.workerCount - 1 }, (_, i) => this.loadOn(i + 1, key, label, kept)));
    const replies = [first, ...others];
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
    this.modelBytes.set(key, kept);
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
  async run(key: string, feeds: Record<string, OnnxFeed>, options: { signal?: AbortSignal } = {}): Promise<OnnxRunResult> {
    this.assertOpen();
    if (options.signal?.aborted) throw new StudioError('cancelled', 'Cancelled by the user.');
    checkFeeds(this.modelInfo(key), feeds);
    const { wire, transfer } = wireFeeds(feeds);
    const { result, worker } = await this.workers.run({ kind: 'run', key, feeds: wire }, { transfer, signal: options.signal });
    if (result.kind !== 'ran') throw new StudioError('internal', `Unexpected reply '${result.kind}' to a run.`);
    const outputs: Record<string, OnnxOutput> = {};
    for (const [name, tensor] of Object.entries(result.outputs)) outputs[name] = { type: tensor.type, data: tensor.data, dims: tensor.dims };
    return { outputs, provider: result.provider, worker, runMs: result.runMs };
  }

  /** Releases a model's sessions in every worker (after the runs in flight). */
  async unloadModel(key: string): Promise<void> {
    this.assertOpen();
    this.modelBytes.delete(key);
    if (!this.models.delete(key)) return;
    await Promise.all(this.workers.startedWorkers.map((worker) => this.workers.runOn(worker, { kind: 'unload', key })));
  }

  /** Resolves once no load or run is queued or in progress. */
  whenIdle(): Promise<void> {
    return this.workers.whenIdle();
  }

  /**
   * Stops taking runs, rejects the queued ones ('cancelled'), waits for the runs in flight, then
   * releases the sessions and lets the workers exit. Never terminates a worker inside a run.
   */
  close(): Promise<void> {
    this.closing ??= this.workers.close().then(() => {
      this.models.clear();
      this.modelBytes.clear();
    });
    return this.closing;
  }

  private assertOpen(): void {
    if (this.workers.closed) throw new StudioError('conflict', 'The ONNX session pool is closed; create a new one.');
  }

  private async loadOn(worker: number, key: string, label: string, bytes: Uint8Array): Promise<Extract<OnnxTaskResult, { kind: 'loaded' }>> {
    const copy = new Uint8Array(bytes); // each worker gets (and keeps) its own copy
    const task: OnnxTask = { kind: 'load', key, label, bytes: copy, provider: this.providerChoice, intraOpThreads: this.intraOpThreads };
    const { result } = await this.workers.runOn(worker, task, { transfer: [copy.buffer] });
    if (result.kind !== 'loaded') throw new StudioError('internal', `Unexpected reply '${result.kind}' to a model load.`);
    return result;
  }

  /** A worker started in place of a lost one: it loads the models the others hold before it takes a run. */
  private restoreSessions(worker: number): void {
    for (const key of this.modelBytes.keys()) {
      const info = this.models.get(key)!;
      this.loadOn(worker, key, info.label, this.modelBytes.get(key)!).catch((error: unknown) => {
        this.onNotice?.(`ONNX worker ${worker}, started in place of a lost one, could not load ${info.label}: ${(error as Error).message}`);
      });
    }
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
