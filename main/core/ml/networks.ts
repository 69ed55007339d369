/**
 * The three networks as the app runs them: ONNX graphs in an OnnxSessionPool, fed and read in
 * physical units. Seismic is float32 [B, sources, time, receivers] in OpenFWI's amplitude units,
 * velocity float32 [B, 1, depth, width] in m/s, latents [B, C, H, W]. Normalisation and resizing
 * follow each model's manifest.json (native-models/README.md).
 */
import path from 'node:path';
import fs from 'node:fs';
import type { OnnxSessionPool, OnnxRunResult } from './onnxPool.ts';
import type { ModelEntry } from './modelRegistry.ts';
import { StudioError } from '../contract/errors.ts';
import {
  denormalizeSeismicInPlace,
  denormalizeVelocityInPlace,
  normalizeSeismicInPlace,
  resizePlanes,
  type SeismicNormalization,
  type VelocityNormalization,
} from './preprocess.ts';
import { onnxEpsilonModel } from './denoiser.ts';
import { makeNoiseSchedule, scheduleSpecFromManifest, type NoiseSchedule } from './schedule.ts';
import type { EpsilonModel } from './samplers.ts';

interface GraphSpec {
  file: string;
  inputs: { name: string; shape: (number | string)[] }[];
  outputs: { name: string; shape: (number | string)[] }[];
}

interface Manifest {
  kind: string;
  graphs: Record<string, GraphSpec>;
  normalization: { seismic: SeismicNormalization; velocity: VelocityNormalization };
  preprocess?: { seismic?: { size: [number, number] | null }; velocity?: { size: [number, number] | null } };
  training?: { data?: { seismic_shape?: number[]; velocity_shape?: number[] } };
  latent?: { shape: (number | string)[]; scale?: number; fingerprint?: string; space_fingerprint?: string };
  schedule?: unknown;
  stage1?: { fingerprint?: string; latent_space_fingerprint?: string };
}

function manifestOf(entry: ModelEntry): Manifest {
  const m = entry.manifest as unknown as Manifest;
  if (!m.graphs || !m.normalization) {
    throw new StudioError('bad_file', `${path.join(entry.folder, 'manifest.json')}: not a WaveDiffusion model manifest (no graphs or normalization).`);
  }
  return m;
}

function graph(entry: ModelEntry, manifest: Manifest, name: string): GraphSpec {
  const spec = manifest.graphs[name];
  if (!spec) throw new StudioError('bad_file', `${path.join(entry.folder, 'manifest.json')} lists no graph '${name}' for a ${manifest.kind} model.`);
  const file = path.join(entry.folder, spec.file);
  if (!fs.existsSync(file)) throw new StudioError('not_found', `${file} is missing: the ${manifest.kind} model's manifest lists it.`);
  return spec;
}

/** Checks the graph the session loaded against what the manifest declares for it. */
function checkDeclaredShapes(pool: OnnxSessionPool, key: string, spec: GraphSpec, entry: ModelEntry): void {
  const info = pool.modelInfo(key);
  for (const declared of spec.inputs) {
    const actual = info.inputs.find((i) => i.name === declared.name);
    const same = actual && actual.shape.length === declared.shape.length && actual.shape.every((d, i) => typeof d !== 'number' || typeof declared.shape[i] !== 'number' || d === declared.shape[i]);
    if (!same) {
      throw new StudioError(
        'bad_file',
        `${path.join(entry.folder, spec.file)} disagrees with its manifest: input '${declared.name}' is declared [${declared.shape.join(', ')}] but the graph has ${actual ? `[${actual.shape.join(', ')}]` : 'no such input'}.`,
      );
    }
  }
}

async function loadGraph(pool: OnnxSessionPool, entry: ModelEntry, manifest: Manifest, name: string): Promise<string> {
  const spec = graph(entry, manifest, name);
  const key = `${entry.ref}#${name}`;
  if (!pool.loadedModels.includes(key)) await pool.loadModel(key, path.join(entry.folder, spec.file));
  checkDeclaredShapes(pool, key, spec, entry);
  return key;
}

const dims = (shape: (number | string)[], batch: number): number[] => shape.map((d) => (typeof d === 'number' ? d : batch));
const product = (values: number[]): number => values.reduce((a, b) => a * b, 1);

/** Runs a one-input graph. The pool transfers (detaches) feeds, so callers' arrays are sent as copies. */
async function runSingle(pool: OnnxSessionPool, key: string, input: string, data: Float32Array, shape: number[], output: string, onRun?: (r: OnnxRunResult) => void): Promise<Float32Array> {
  const result = await pool.run(key, { [input]: { data: data.slice(), dims: shape } });
  onRun?.(result);
  const out = result.outputs[output]?.data;
  if (!(out instanceof Float32Array)) throw new StudioError('bad_file', `${key}: output '${output}' is missing or not float32.`);
  return out;
}

export interface RunObserver {
  /** Called after every ONNX run with its provider and duration (for generation records and benchmarks). */
  onRun?: (result: OnnxRunResult) => void;
}

/** Stage 1: encoder, quantiser and the two decoders of the shared latent space. */
export class Stage1Network {
  readonly entry: ModelEntry;
  readonly manifest: Manifest;
  /** Per-sample native shapes: seismic [sources, time, receivers], velocity [1, depth, width]. */
  readonly seismicShape: number[];
  readonly velocityShape: number[];
  /** Per-sample latent shape [C, H, W]. */
  readonly latentShape: number[];
  private readonly networkSeismic: number[];
  private readonly networkVelocity: number[];
  private readonly keys: Record<'encoder' | 'quantizer' | 'decoder_seismic' | 'decoder_velocity', string>;
  private readonly pool: OnnxSessionPool;

  private constructor(pool: OnnxSessionPool, entry: ModelEntry, manifest: Manifest, keys: Stage1Network['keys']) {
    this.pool = pool;
    this.entry = entry;
    this.manifest = manifest;
    this.keys = keys;
    ({ seismicShape: this.seismicShape, velocityShape: this.velocityShape } = stage1SampleShapes(manifest));
    this.networkSeismic = (manifest.graphs.encoder.inputs[0].shape.slice(1) as number[]);
    this.networkVelocity = (manifest.graphs.decoder_velocity.outputs[0].shape.slice(1) as number[]);
    this.latentShape = manifest.graphs.encoder.outputs[0].shape.slice(1) as number[];
  }

  static async load(pool: OnnxSessionPool, entry: ModelEntry): Promise<Stage1Network> {
    const manifest = manifestOf(entry);
    const keys = {
      encoder: await loadGraph(pool, entry, manifest, 'encoder'),
      quantizer: await loadGraph(pool, entry, manifest, 'quantizer'),
      decoder_seismic: await loadGraph(pool, entry, manifest, 'decoder_seismic'),
      decoder_velocity: await loadGraph(pool, entry, manifest, 'decoder_velocity'),
    };
    return new Stage1Network(pool, entry, manifest, keys);
  }

  /** Physical seismic [B, S, T, R] → continuous latents [B, C, H, W]. */
  async encode(seismic: Float32Array, batch: number, observer: RunObserver = {}): Promise<Float32Array> {
    const [sources, time, receivers] = this.seismicShape;
    if (seismic.length !== batch * sources * time * receivers) {
      throw new StudioError('bad_input', `Seismic of ${seismic.length} values is not [${batch}, ${this.seismicShape.join(', ')}] as the stage-1 model ${this.entry.ref} expects.`);
    }
    const normalized = normalizeSeismicInPlace(Float32Array.from(seismic), this.manifest.normalization.seismic);
    const [, netTime, netReceivers] = this.networkSeismic;
    const resized = resizePlanes(normalized, batch * sources, time, receivers, netTime, netReceivers);
    return runSingle(this.pool, this.keys.encoder, 'seismic', resized, [batch, ...this.networkSeismic], 'latent', observer.onRun);
  }

  /** Nearest codewords: continuous latents → quantised latents. */
  async quantize(latent: Float32Array, batch: number, observer: RunObserver = {}): Promise<Float32Array> {
    return runSingle(this.pool, this.keys.quantizer, 'latent', latent, [batch, ...this.latentShape], 'latent_quantized', observer.onRun);
  }

  /** Quantised latents → physical seismic [B, S, T, R] at the native grid. */
  async decodeSeismic(quantized: Float32Array, batch: number, observer: RunObserver = {}): Promise<Float32Array> {
    const net = await runSingle(this.pool, this.keys.decoder_seismic, 'latent_quantized', quantized, [batch, ...this.latentShape], 'seismic', observer.onRun);
    const [sources, netTime, netReceivers] = this.networkSeismic;
    const [, time, receivers] = this.seismicShape;
    const native = resizePlanes(net, batch * sources, netTime, netReceivers, time, receivers);
    return denormalizeSeismicInPlace(native === net ? Float32Array.from(net) : native, this.manifest.normalization.seismic);
  }

  /** Quantised latents → velocity [B, 1, depth, width] in m/s at the native grid. */
  async decodeVelocity(quantized: Float32Array, batch: number, observer: RunObserver = {}): Promise<Float32Array> {
    const net = await runSingle(this.pool, this.keys.decoder_velocity, 'latent_quantized', quantized, [batch, ...this.latentShape], 'velocity', observer.onRun);
    const [, netDepth, netWidth] = this.networkVelocity;
    const [, depth, width] = this.velocityShape;
    const native = resizePlanes(net, batch, netDepth, netWidth, depth, width);
    return denormalizeVelocityInPlace(native === net ? Float32Array.from(net) : native, this.manifest.normalization.velocity);
  }

  /** Seismic → (reconstructed seismic, its velocity) through the shared latent space. */
  async reconstruct(seismic: Float32Array, batch: number, observer: RunObserver = {}): Promise<{ seismic: Float32Array; velocityMps: Float32Array; latent: Float32Array }> {
    const latent = await this.encode(seismic, batch, observer);
    const quantized = await this.quantize(latent, batch, observer);
    return { seismic: await this.decodeSeismic(quantized, batch, observer), velocityMps: await this.decodeVelocity(quantized, batch, observer), latent };
  }
}

/** Stage 2: the latent denoiser with its schedule and latent scale. */
export class Stage2Network {
  readonly entry: ModelEntry;
  readonly schedule: NoiseSchedule;
  /** x₀ = latentScale · encoder latent; generated x₀ is divided by it before quantising. */
  readonly latentScale: number;
  readonly latentShape: number[];
  /** What the denoiser was trained on: the stage-1 manifest's latent section as it was then. */
  readonly trainedOn: NonNullable<Manifest['stage1']>;
  private readonly key: string;
  private readonly pool: OnnxSessionPool;

  private constructor(pool: OnnxSessionPool, entry: ModelEntry, manifest: Manifest, key: string) {
    this.pool = pool;
    this.entry = entry;
    this.key = key;
    this.schedule = makeNoiseSchedule(scheduleSpecFromManifest(manifest.schedule as never, path.join(entry.folder, 'manifest.json')));
    this.latentScale = Number(manifest.latent?.scale ?? 1);
    this.latentShape = manifest.graphs.denoiser.inputs[0].shape.slice(1) as number[];
    this.trainedOn = manifest.stage1 ?? {};
  }

  static async load(pool: OnnxSessionPool, entry: ModelEntry): Promise<Stage2Network> {
    const manifest = entry.manifest as unknown as Manifest;
    if (!manifest.graphs?.denoiser) throw new StudioError('bad_file', `${path.join(entry.folder, 'manifest.json')} has no denoiser graph.`);
    return new Stage2Network(pool, entry, manifest, await loadGraph(pool, entry, manifest, 'denoiser'));
  }

  /**
   * Refuses a stage-1 model of another latent space than the one this denoiser was trained on. The
   * latent space is the encoder, quantiser and seismic preprocessing: a stage 1 whose decoders alone were
   * retrained keeps its stage-2 models. Manifests from before latent-space fingerprints compare the
   * whole stage-1 fingerprint.
   */
  checkPairedWith(stage1: Stage1Network): void {
    const latent = stage1.manifest.latent;
    const [trained, offered] = this.trainedOn.latent_space_fingerprint && latent?.space_fingerprint
      ? [this.trainedOn.latent_space_fingerprint, latent.space_fingerprint]
      : [this.trainedOn.fingerprint, latent?.fingerprint];
    if (trained && offered && trained !== offered) {
      throw new StudioError('bad_input', `Stage-2 model ${this.entry.ref} was trained on another latent space than that of stage-1 model ${stage1.entry.ref} (latent fingerprints differ); pick the matching pair.`);
    }
  }

  epsilonModel(options: { signal?: AbortSignal } & RunObserver = {}): EpsilonModel {
    return onnxEpsilonModel(this.pool, this.key, this.latentShape, options);
  }
}

/** One sample's seismic [sources, time, receivers] and velocity [1, depth, width] a stage-1 model decodes, from its manifest. */
export function stage1SampleShapes(manifest: object): { seismicShape: number[]; velocityShape: number[] } {
  const data = (manifest as Partial<Manifest>).training?.data;
  return { seismicShape: data?.seismic_shape ?? [5, 1000, 70], velocityShape: data?.velocity_shape ?? [1, 70, 70] };
}

/** InversionNet: seismic → velocity. */
export class InversionNetwork {
  readonly entry: ModelEntry;
  readonly manifest: Manifest;
  /** Per-sample native shapes: seismic [sources, time, receivers], velocity [1, depth, width]. */
  readonly seismicShape: number[];
  readonly velocityShape: number[];
  /** The graph's seismic input [sources, time, receivers] (time averaged by the manifest's preprocessing). */
  private readonly networkSeismic: number[];
  private readonly key: string;
  private readonly pool: OnnxSessionPool;

  private constructor(pool: OnnxSessionPool, entry: ModelEntry, manifest: Manifest, key: string) {
    this.pool = pool;
    this.entry = entry;
    this.manifest = manifest;
    this.key = key;
    this.networkSeismic = manifest.graphs.inversionnet.inputs[0].shape.slice(1) as number[];
    this.seismicShape = manifest.training?.data?.seismic_shape ?? this.networkSeismic;
    this.velocityShape = manifest.graphs.inversionnet.outputs[0].shape.slice(1) as number[];
  }

  static async load(pool: OnnxSessionPool, entry: ModelEntry): Promise<InversionNetwork> {
    const manifest = manifestOf(entry);
    return new InversionNetwork(pool, entry, manifest, await loadGraph(pool, entry, manifest, 'inversionnet'));
  }

  /** Physical seismic [B, S, T, R] → velocity [B, 1, depth, width] in m/s. */
  async invert(seismic: Float32Array, batch: number, observer: RunObserver = {}): Promise<Float32Array> {
    if (seismic.length !== batch * product(this.seismicShape)) {
      throw new StudioError('bad_input', `Seismic of ${seismic.length} values is not [${batch}, ${this.seismicShape.join(', ')}] as InversionNet ${this.entry.ref} expects.`);
    }
    const normalized = normalizeSeismicInPlace(Float32Array.from(seismic), this.manifest.normalization.seismic);
    const [sources, time, receivers] = this.seismicShape;
    const [, netTime, netReceivers] = this.networkSeismic;
    const resized = resizePlanes(normalized, batch * sources, time, receivers, netTime, netReceivers);
    const velocity = await runSingle(this.pool, this.key, 'seismic', resized, dims(['batch', ...this.networkSeismic], batch), 'velocity', observer.onRun);
    return denormalizeVelocityInPlace(Float32Array.from(velocity), this.manifest.normalization.velocity);
  }
}
