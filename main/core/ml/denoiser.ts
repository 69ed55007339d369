/**
 * The bridge between a stage-2 denoiser loaded in an OnnxSessionPool and the samplers: an
 * `EpsilonModel` that feeds x_t [B, ...latentShape] float32 and the timestep index per sample
 * ([B], float32 as native-models exports it, or int64/int32 if the graph says so) and returns ε̂.
 * Graph names default to native-models' export: inputs 'x_t' and 'timestep', output 'eps'.
 */
import { StudioError } from '../contract/errors.ts';
import type { OnnxRunResult, OnnxSessionPool, OnnxFeed } from './onnxPool.ts';
import type { EpsilonModel } from './samplers.ts';

export interface DenoiserGraphNames {
  xT?: string;
  timestep?: string;
  eps?: string;
}

export interface DenoiserOptions {
  names?: DenoiserGraphNames;
  signal?: AbortSignal;
  /** Called after every run: the provider that ran it, for the generation record. */
  onRun?: (result: OnnxRunResult) => void;
}

export function onnxEpsilonModel(pool: OnnxSessionPool, key: string, sampleShape: readonly number[], options: DenoiserOptions = {}): EpsilonModel {
  const xName = options.names?.xT ?? 'x_t';
  const timestepName = options.names?.timestep ?? 'timestep';
  const epsName = options.names?.eps ?? 'eps';
  const info = pool.modelInfo(key);
  const timestepInput = info.inputs.find((value) => value.name === timestepName);
  if (!timestepInput) {
    throw new StudioError('bad_input', `${info.label} has no timestep input '${timestepName}'; its inputs are ${info.inputs.map((v) => v.name).join(', ')}.`);
  }
  if (!info.outputs.some((value) => value.name === epsName)) {
    throw new StudioError('bad_input', `${info.label} has no output '${epsName}'; its outputs are ${info.outputs.map((v) => v.name).join(', ')}.`);
  }
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  return async (xT, timesteps) => {
    const batch = timesteps.length;
    let timestepData: OnnxFeed['data'];
    if (timestepInput.type === 'int64') timestepData = BigInt64Array.from(timesteps, (t) => BigInt(t));
    else if (timestepInput.type === 'int32') timestepData = Int32Array.from(timesteps);
    else timestepData = Float32Array.from(timesteps);
    const result = await pool.run(
      key,
      {
        [xName]: { data: xT, dims: [batch, ...sampleShape] },
        [timestepName]: { data: timestepData, dims: [batch] },
      },
      { signal: options.signal },
    );
    options.onRun?.(result);
    const eps = result.outputs[epsName]?.data;
    if (!(eps instanceof Float32Array) || eps.length !== batch * sampleSize) {
      throw new StudioError('bad_file', `${info.label}: output '${epsName}' is not float32 [${batch}, ${sampleShape.join(', ')}].`);
    }
    return eps;
  };
}
