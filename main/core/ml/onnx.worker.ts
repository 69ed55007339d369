// Worker thread of OnnxSessionPool: owns onnxruntime-node InferenceSessions created from model bytes
// sent to it (a session cannot move between threads). Tasks run strictly one at a time (serveTasks):
// session creation and run() block this thread, and a run must never overlap a load or a release.
import ort from 'onnxruntime-node';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { StudioError } from '../contract/errors.ts';
import { serveTasks, type TaskReply } from '../workers/taskWorker.ts';

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

/** A task for one worker: create a session from the model's bytes, run one, or release one. */
export type OnnxTask =
  | { kind: 'load'; key: string; label: string; bytes: Uint8Array; provider: ProviderChoice; intraOpThreads: number }
  | { kind: 'run'; key: string; feeds: Record<string, WireTensor> }
  | { kind: 'unload'; key: string };

export type OnnxTaskResult =
  | {
      kind: 'loaded';
      provider: ExecutionProviderName;
      /** Why CUDA was not used, when it was tried and failed. */
      cudaFailure?: string;
      inputs: GraphValueInfo[];
      outputs: GraphValueInfo[];
    }
  | { kind: 'ran'; outputs: Record<string, WireTensor>; provider: ExecutionProviderName; runMs: number }
  | { kind: 'unloaded' };

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

async function load(task: Extract<OnnxTask, { kind: 'load' }>): Promise<OnnxTaskResult> {
  const previous = sessions.get(task.key);
  if (previous) {
    await previous.session.release();
    sessions.delete(task.key);
  }
  let session: InferenceSession | undefined;
  let provider: ExecutionProviderName = 'cpu';
  let failure: string | undefined;
  if (task.provider === 'cuda' || (task.provider === 'auto' && cudaFailure === undefined)) {
    try {
      // ['cuda', 'cpu'] throws when the CUDA provider is missing instead of falling back (onnxruntime-node 1.30)
      session = await ort.InferenceSession.create(task.bytes, sessionOptions(['cuda', 'cpu'], task.intraOpThreads, true));
      provider = 'cuda';
    } catch (error) {
      failure = ortMessage(error);
      if (task.provider === 'cuda') {
        throw new StudioError(
          'unsupported',
          `${task.label}: the CUDA execution provider could not be used (${failure}). Choose 'auto' or 'cpu', or install onnxruntime-node's CUDA binaries.`,
        );
      }
    }
  } else if (task.provider === 'auto') {
    failure = cudaFailure;
  }
  if (!session) {
    try {
      session = await ort.InferenceSession.create(task.bytes, sessionOptions(['cpu'], task.intraOpThreads, false));
    } catch (error) {
      throw new StudioError('bad_file', `${task.label} is not a model onnxruntime can load (${ortMessage(error)}). Re-export it (opset ≤ 17) or choose another file.`);
    }
    provider = 'cpu';
    if (failure !== undefined && task.provider === 'auto' && cudaFailure === undefined) cudaFailure = failure;
  }
  sessions.set(task.key, { session, provider, label: task.label });
  const describe = (list: readonly InferenceSession.ValueMetadata[]): GraphValueInfo[] =>
    list.map((value) =>
      value.isTensor ? { name: value.name, type: value.type, shape: [...value.shape] } : { name: value.name, type: 'non-tensor', shape: [] },
    );
  return {
    kind: 'loaded',
    provider,
    cudaFailure: provider === 'cpu' && task.provider === 'auto' ? failure : undefined,
    inputs: describe(session.inputMetadata),
    outputs: describe(session.outputMetadata),
  };
}

/** The output's data as a typed array that owns its whole buffer, so it can be transferred. */
function ownedData(data: ArrayBufferView): ArrayBufferView {
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && !(data.buffer instanceof SharedArrayBuffer)) return data;
  return (data as unknown as { slice(): ArrayBufferView }).slice();
}

async function run(task: Extract<OnnxTask, { kind: 'run' }>): Promise<TaskReply<OnnxTaskResult>> {
  const loaded = sessions.get(task.key);
  if (!loaded) throw new StudioError('not_found', `No model '${task.key}' is loaded in this worker.`);
  const feeds: Record<string, Tensor> = {};
  for (const [name, tensor] of Object.entries(task.feeds)) {
    feeds[name] = new ort.Tensor(tensor.type, tensor.data as Tensor.DataType, tensor.dims);
  }
  const started = performance.now();
  let results: InferenceSession.ReturnType;
  try {
    results = await loaded.session.run(feeds);
  } catch (error) {
    throw new StudioError('bad_input', `${loaded.label}: onnxruntime refused the run: ${ortMessage(error)}`);
  }
  const runMs = performance.now() - started;
  const outputs: Record<string, WireTensor> = {};
  const transfer: ArrayBuffer[] = [];
  for (const [name, value] of Object.entries(results)) {
    const tensor = value as Tensor;
    if (tensor.location !== 'cpu' || typeof tensor.data === 'string' || Array.isArray(tensor.data)) {
      throw new StudioError('unsupported', `${loaded.label}: output '${name}' has type ${tensor.type}, which the studio cannot read.`);
    }
    const data = ownedData(tensor.data as ArrayBufferView);
    outputs[name] = { type: tensor.type as OnnxTensorType, data, dims: [...tensor.dims] };
    transfer.push(data.buffer as ArrayBuffer);
  }
  return { result: { kind: 'ran', outputs, provider: loaded.provider, runMs }, transfer };
}

serveTasks<OnnxTask, OnnxTaskResult>('onnx.worker.ts', {
  async run(task) {
    switch (task.kind) {
      case 'load':
        return { result: await load(task) };
      case 'run':
        return run(task);
      case 'unload': {
        const loaded = sessions.get(task.key);
        sessions.delete(task.key);
        if (loaded) await loaded.session.release();
        return { result: { kind: 'unloaded' } };
      }
    }
  },
  async close() {
    for (const loaded of sessions.values()) await loaded.session.release();
    sessions.clear();
  },
});
