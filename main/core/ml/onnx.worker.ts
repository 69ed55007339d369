// Worker thread of OnnxSessionPool: owns onnxruntime-node InferenceSessions created from model bytes
// sent to it (a session cannot move between threads). Messages are handled strictly one at a time:
// session creation and run() block this thread, and a run must never overlap a load or a release.
import { parentPort } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { toWireError } from '../contract/errors.ts';

export type ProviderChoice = 'auto' | 'cpu' | 'cuda';
export type ExecutionProviderName = 'cuda' | 'cpu';

/** Element types a feed or an output may have, with their typed arrays. */
export type OnnxTensorType = 'float32' | 'int64' | 'int32' | 'float64' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'uint32' | 'uint64' | 'bool';

export interface WireTensor {
  type: OnnxTensorType;
  data: ArrayBufferView;
  dims: number[];
}

/** An input or output as the graph declares it; symbolic dimensions stay strings ('batch'). */
export interface GraphValueInfo {
  name: string;
  type: string;
  shape: (number | string)[];
}

export type OnnxWorkerRequest =
  | { kind: 'load'; requestId: number; key: string; label: string; bytes: Uint8Array; provider: ProviderChoice; intraOpThreads: number }
  | { kind: 'run'; requestId: number; key: string; feeds: Record<string, WireTensor> }
  | { kind: 'unload'; requestId: number; key: string }
  | { kind: 'close' };

export type OnnxWorkerReply =
  | {
      kind: 'loaded';
      requestId: number;
      provider: ExecutionProviderName;
      /** Why CUDA was not used, when it was tried and failed. */
      cudaFailure?: string;
      inputs: GraphValueInfo[];
      outputs: GraphValueInfo[];
    }
  | { kind: 'ran'; requestId: number; outputs: Record<string, WireTensor>; provider: ExecutionProviderName; runMs: number }
  | { kind: 'unloaded'; requestId: number }
  | { kind: 'error'; requestId: number; code: string; message: string };

const port = parentPort;
if (!port) throw new Error('onnx.worker.ts must run in a worker thread (OnnxSessionPool starts it).');

interface LoadedSession {
  session: InferenceSession;
  provider: ExecutionProviderName;
  label: string;
}

// A missing CUDA provider is logged by onnxruntime's process-wide logger as an error on stderr, whatever
// the session's logSeverityLevel; every failure also reaches us as an exception, which the pool reports.
ort.env.logLevel = 'fatal';

const sessions = new Map<string, LoadedSession>();
/** Set after the CUDA provider failed once: later loads in 'auto' go straight to the CPU. */
let cudaFailure: string | undefined;

function sessionOptions(providers: ExecutionProviderName[], intraOpThreads: number, quiet: boolean): InferenceSession.SessionOptions {
  return {
    executionProviders: providers,
    intraOpNumThreads: intraOpThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: quiet ? 4 : 3,
  };
}

/** onnxruntime's first line, without its colour codes and source locations. */
function ortMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\u001b\[[0-9;]*m/g, '').split('\n')[0].trim();
}

async function load(request: Extract<OnnxWorkerRequest, { kind: 'load' }>): Promise<OnnxWorkerReply> {
  const previous = sessions.get(request.key);
  if (previous) {
    await previous.session.release();
    sessions.delete(request.key);
  }
  let session: InferenceSession | undefined;
  let provider: ExecutionProviderName = 'cpu';
  let failure: string | undefined;
  if (request.provider === 'cuda' || (request.provider === 'auto' && cudaFailure === undefined)) {
    try {
      // ['cuda', 'cpu'] throws when the CUDA provider is missing instead of falling back (onnxruntime-node 1.30)
      session = await ort.InferenceSession.create(request.bytes, sessionOptions(['cuda', 'cpu'], request.intraOpThreads, true));
      provider = 'cuda';
    } catch (error) {
      failure = ortMessage(error);
      if (request.provider === 'cuda') {
        return {
          kind: 'error',
          requestId: request.requestId,
          code: 'unsupported',
          message: `${request.label}: the CUDA execution provider could not be used (${failure}). Choose 'auto' or 'cpu', or install onnxruntime-node's CUDA binaries.`,
        };
      }
    }
  } else if (request.provider === 'auto') {
    failure = cudaFailure;
  }
  if (!session) {
    try {
      session = await ort.InferenceSession.create(request.bytes, sessionOptions(['cpu'], request.intraOpThreads, false));
    } catch (error) {
      return {
        kind: 'error',
        requestId: request.requestId,
        code: 'bad_file',
        message: `${request.label} is not a model onnxruntime can load (${ortMessage(error)}). Re-export it (opset ≤ 17) or choose another file.`,
      };
    }
    provider = 'cpu';
    if (failure !== undefined && request.provider === 'auto' && cudaFailure === undefined) cudaFailure = failure;
  }
  sessions.set(request.key, { session, provider, label: request.label });
  const describe = (list: readonly InferenceSession.ValueMetadata[]): GraphValueInfo[] =>
    list.map((value) =>
      value.isTensor ? { name: value.name, type: value.type, shape: [...value.shape] } : { name: value.name, type: 'non-tensor', shape: [] },
    );
  return {
    kind: 'loaded',
    requestId: request.requestId,
    provider,
    cudaFailure: provider === 'cpu' && request.provider === 'auto' ? failure : undefined,
    inputs: describe(session.inputMetadata),
    outputs: describe(session.outputMetadata),
  };
}

/** The output's data as a typed array that owns its whole buffer, so it can be transferred. */
function ownedData(data: ArrayBufferView): ArrayBufferView {
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && !(data.buffer instanceof SharedArrayBuffer)) return data;
  return (data as unknown as { slice(): ArrayBufferView }).slice();
}

async function run(request: Extract<OnnxWorkerRequest, { kind: 'run' }>): Promise<{ reply: OnnxWorkerReply; transfer: ArrayBuffer[] }> {
  const loaded = sessions.get(request.key);
  if (!loaded) {
    return { reply: { kind: 'error', requestId: request.requestId, code: 'not_found', message: `No model '${request.key}' is loaded in this worker.` }, transfer: [] };
  }
  const feeds: Record<string, Tensor> = {};
  for (const [name, tensor] of Object.entries(request.feeds)) {
    feeds[name] = new ort.Tensor(tensor.type, tensor.data as Tensor.DataType, tensor.dims);
  }
  const started = performance.now();
  let results: InferenceSession.ReturnType;
  try {
    results = await loaded.session.run(feeds);
  } catch (error) {
    return {
      reply: { kind: 'error', requestId: request.requestId, code: 'bad_input', message: `${loaded.label}: onnxruntime refused the run: ${ortMessage(error)}` },
      transfer: [],
    };
  }
  const runMs = performance.now() - started;
  const outputs: Record<string, WireTensor> = {};
  const transfer: ArrayBuffer[] = [];
  for (const [name, value] of Object.entries(results)) {
    const tensor = value as Tensor;
    if (tensor.location !== 'cpu' || typeof tensor.data === 'string' || Array.isArray(tensor.data)) {
      return {
        reply: { kind: 'error', requestId: request.requestId, code: 'unsupported', message: `${loaded.label}: output '${name}' has type ${tensor.type}, which the studio cannot read.` },
        transfer: [],
      };
    }
    const data = ownedData(tensor.data as ArrayBufferView);
    outputs[name] = { type: tensor.type as OnnxTensorType, data, dims: [...tensor.dims] };
    transfer.push(data.buffer as ArrayBuffer);
  }
  return { reply: { kind: 'ran', requestId: request.requestId, outputs, provider: loaded.provider, runMs }, transfer };
}

async function handle(request: OnnxWorkerRequest): Promise<void> {
  try {
    switch (request.kind) {
      case 'load':
        port!.postMessage(await load(request));
        return;
      case 'run': {
        const { reply, transfer } = await run(request);
        port!.postMessage(reply, transfer);
        return;
      }
      case 'unload': {
        const loaded = sessions.get(request.key);
        sessions.delete(request.key);
        if (loaded) await loaded.session.release();
        port!.postMessage({ kind: 'unloaded', requestId: request.requestId } satisfies OnnxWorkerReply);
        return;
      }
      case 'close':
        for (const loaded of sessions.values()) await loaded.session.release();
        sessions.clear();
        port!.close();
        return;
    }
  } catch (error) {
    if (request.kind === 'close') throw error;
    const wire = toWireError(error);
    port!.postMessage({ kind: 'error', requestId: request.requestId, code: wire.code, message: wire.message } satisfies OnnxWorkerReply);
  }
}

let queue: Promise<void> = Promise.resolve();
port.on('message', (request: OnnxWorkerRequest) => {
  queue = queue.then(() => handle(request));
});
