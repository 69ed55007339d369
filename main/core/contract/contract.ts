/**
 * The studio's API: every method and event that crosses a process boundary, declared once.
 * Preload, the WebSocket server, the renderer client and the handlers all derive their types
 * from here, and every receiving side validates against these schemas.
 *
 * This file may be imported by the renderer: it must depend on nothing but zod and its own folder.
 */
import { z } from 'zod';
import { modelQualitySchema } from './modelQuality.ts';
import { acquisitionGeometrySchema } from './acquisitionGeometry.ts';
import {
  clusterSettingsSchema,
  clusterShardsParameter,
  clusterWorkSchema,
  defaultSampler,
  gatherKeyParameter,
  generationParameters,
  generationSamplerSchema,
  movieFramesPerSecondParameter,
  optionalSamplesPerFile,
  refinedInversionParameters,
  samplesPerFileParameter,
  shardParameter,
  studyKindNames,
  studyStartSchema,
  trainingParameters,
} from './parameters.ts';
import { segyInfoSchema } from './segyInfo.ts';

// ---------- shared shapes ----------

export const progressSchema = z.object({
  done: z.number(),
  total: z.number(),
  unit: z.string().optional(),
  message: z.string().optional(),
});

export const jobStatusSchema = z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted', 'discarded']);
export type JobStatus = z.infer<typeof jobStatusSchema>;

export const jobInfoSchema = z.object({
  id: z.number().int(),
  kind: z.string(),
  title: z.string(),
  status: jobStatusSchema,
  progress: progressSchema,
  /** Seconds to completion estimated from the progress rate of this run; null when unknown. */
  etaSeconds: z.number().nullable(),
  error: z.string().nullable(),
  /** The error's code (see errors.ts) when the job failed; null otherwise. */
  errorCode: z.string().nullable(),
  result: z.unknown().nullable(),
  createdAt: z.string(),
  /** When its last run started (a resumed job's earlier runs are in runSeconds). */
  startedAt: z.string().nullable(),
  /** When it last stopped: finished, failed, was cancelled or interrupted. */
  finishedAt: z.string().nullable(),
  /** Seconds it ran over all its runs, not counting the time between them; the current run is not included while it runs. */
  runSeconds: z.number(),
  /**
   * Whether running it again can help: an interrupted or cancelled run continues from its last
   * checkpoint; a failed one only when it did not fail on its parameters or its data.
   */
  resumable: z.boolean(),
  /** Whether it trains a model whose curves train.events holds: a training run here or on a cluster (the Models view lists these). */
  trainsModel: z.boolean(),
});
export type JobInfo = z.infer<typeof jobInfoSchema>;

export const jobEventSchema = z.object({
  id: z.number().int(),
  at: z.string(),
  level: z.enum(['info', 'warn', 'error']),
  message: z.string(),
});
export type JobEvent = z.infer<typeof jobEventSchema>;

/** Per-sample shapes: seismic [sources, time, receivers], velocity [channels, depth, width]. */
export const datasetPartSchema = z.object({
  partIndex: z.number().int(),
  nSamples: z.number().int(),
  seismicFile: z.string().nullable(),
  velocityFile: z.string().nullable(),
  headersFile: z.string().nullable(),
  /** uint8 [N, sources, receivers]: 1 where a trace was recorded, 0 where it is zero padding; null when every trace is recorded. */
  traceMaskFile: z.string().nullable(),
  seismicShape: z.array(z.number().int()).nullable(),
  velocityShape: z.array(z.number().int()).nullable(),
  /** Time between this part's stored samples, ms, where the part has its own (a SEG-Y file's); null: the dataset's. */
  sampleIntervalMs: z.number().nullable(),
  meta: z.record(z.string(), z.unknown()),
});
export type DatasetPart = z.infer<typeof datasetPartSchema>;

export const datasetKindSchema = z.enum(['segy', 'openfwi', 'synthetic', 'forward', 'generated']);

export const datasetInfoSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  kind: datasetKindSchema,
  nSamples: z.number().int(),
  source: z.string().nullable(),
  hasSeismic: z.boolean(),
  hasVelocity: z.boolean(),
  /** Per-sample seismic shape [sources, time, receivers] when all parts agree, else null. */
  seismicShape: z.array(z.number().int()).nullable(),
  /** Per-sample velocity shape [channels, depth, width] when all parts agree, else null. */
  velocityShape: z.array(z.number().int()).nullable(),
  /** Time sampling of the seismic in milliseconds, and the velocity grid spacing in metres. */
  sampleIntervalMs: z.number().nullable(),
  gridSpacingM: z.number().nullable(),
  meta: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type DatasetInfo = z.infer<typeof datasetInfoSchema>;

export const datasetDetailSchema = datasetInfoSchema.extend({ parts: z.array(datasetPartSchema) });
export type DatasetDetail = z.infer<typeof datasetDetailSchema>;

export const projectInfoSchema = z.object({
  folder: z.string(),
  name: z.string(),
  createdAt: z.string(),
  isDemo: z.boolean(),
});
export type ProjectInfo = z.infer<typeof projectInfoSchema>;

export const recentProjectSchema = z.object({
  folder: z.string(),
  name: z.string(),
  openedAt: z.string(),
  exists: z.boolean(),
});
export type RecentProject = z.infer<typeof recentProjectSchema>;

/** A colour range for velocity maps, m/s. */
export const velocityDisplayRangeSchema = z
  .object({ min: z.number().min(0).max(20_000), max: z.number().min(0).max(20_000) })
  .refine((r) => r.max > r.min, { message: 'The upper velocity must exceed the lower one.' });

export const settingsSchema = z.object({
  /** Python interpreter with torch for training; null = find one automatically. */
  pythonPath: z.string().nullable(),
  /** Worker threads for the FD solver and inference; 0 = all cores. */
  workerThreads: z.number().int().min(0).max(256),
  /** Jobs that may run at once. */
  maxConcurrentJobs: z.number().int().min(1).max(8),
  /** Colour range of every velocity map, so that samples and datasets compare by colour. */
  velocityDisplayRangeMps: velocityDisplayRangeSchema,
  /** Where `Run on: Slurm cluster` sends work (partition, account, limits, the cluster-side commands). */
  cluster: clusterSettingsSchema,
});
export type Settings = z.infer<typeof settingsSchema>;

/** A float32 array sent as base64 of its little-endian bytes, with its shape. */
export const float32PayloadSchema = z.object({
  shape: z.array(z.number().int()),
  base64: z.string(),
});
export type Float32Payload = z.infer<typeof float32PayloadSchema>;

/**
 * Where the receivers of one gather lie: from the acquisition geometry (modelled and OpenFWI data:
 * offset = spacing × (receiver x − source x)) or from the SEG-Y trace headers. Null entries are
 * padding traces. Lengths are in `lengthUnit` (null where a SEG-Y file does not state metres or feet).
 */
export const gatherPositionsSchema = z.object({
  /** Signed source–receiver offset per receiver. */
  offset: z.array(z.number().nullable()),
  /** Receiver x coordinate per receiver; null throughout when the headers hold no coordinates. */
  receiverX: z.array(z.number().nullable()),
  sourceX: z.number().nullable(),
  lengthUnit: z.enum(['m', 'ft']).nullable(),
  /** Where the positions came from, in words. */
  basis: z.string(),
});
export type GatherPositions = z.infer<typeof gatherPositionsSchema>;

export const shotGatherSchema = z.object({
  datasetId: z.number().int(),
  sample: z.number().int(),
  source: z.number().int(),
  nSources: z.number().int(),
  /** [time, receivers] */
  traces: float32PayloadSchema,
  sampleIntervalMs: z.number().nullable(),
  /** Receivers of this gather that are zero padding, not traces of the file (a shorter gather padded to the widest). */
  paddedReceivers: z.array(z.number().int()),
  /** Over the recorded traces only. */
  min: z.number(),
  max: z.number(),
  rms: z.number(),
  /** Null when neither a geometry nor the trace headers place the receivers. */
  positions: gatherPositionsSchema.nullable(),
});
export type ShotGather = z.infer<typeof shotGatherSchema>;

export const velocityMapSchema = z.object({
  datasetId: z.number().int(),
  sample: z.number().int(),
  /** [depth, width] in m/s */
  velocityMps: float32PayloadSchema,
  gridSpacingM: z.number().nullable(),
  min: z.number(),
  max: z.number(),
});
export type VelocityMap = z.infer<typeof velocityMapSchema>;

export const traceHeaderTableSchema = z.object({
  fields: z.array(z.string()),
  /** One row per trace of the gather, raw stored integers in `fields` order. */
  rows: z.array(z.array(z.number())),
});
export type TraceHeaderTable = z.infer<typeof traceHeaderTableSchema>;

/** The file headers of an imported SEG-Y file, as the file states them. */
export const segyFileHeadersSchema = z.object({
  file: z.string(),
  textEncoding: z.enum(['ebcdic', 'ascii']),
  /** The 3200-byte textual header as 40 cards of 80 characters. */
  textHeader: z.array(z.string()),
  /** Each extended textual header as its cards. */
  extendedTextHeaders: z.array(z.array(z.string())),
  /** Binary header words by name, with their 1-based byte position. */
  binaryHeader: z.array(z.object({ name: z.string(), byte: z.number().int(), value: z.number() })),
});
export type SegyFileHeaders = z.infer<typeof segyFileHeadersSchema>;

/** How a trace header field would group a SEG-Y file's traces into gathers. */
export const gatherKeyCandidateSchema = z.object({
  field: z.string(),
  gathers: z.number().int(),
  minTraces: z.number().int(),
  maxTraces: z.number().int(),
});
export type GatherKeyCandidate = z.infer<typeof gatherKeyCandidateSchema>;

export const fsEntrySchema = z.object({
  name: z.string(),
  path: z.string(),
  kind: z.enum(['folder', 'file']),
  sizeBytes: z.number().nullable(),
});
export const fsListingSchema = z.object({
  folder: z.string(),
  parent: z.string().nullable(),
  entries: z.array(fsEntrySchema),
});
export type FsListing = z.infer<typeof fsListingSchema>;

export const resampleTargetSchema = z.object({
  sources: z.number().int().min(1).max(10_000),
  timeSamples: z.number().int().min(2).max(1_000_000),
  receivers: z.number().int().min(2).max(100_000),
  sampleIntervalMs: z.number().positive().optional(),
});

/** Velocity families the synthesiser draws from (OpenFWI's, simpler A and harder B variants). */
export const velocityFamilySchema = z.enum([
  'flatvel-a',
  'flatvel-b',
  'curvevel-a',
  'curvevel-b',
  'flatfault-a',
  'flatfault-b',
  'curvefault-a',
  'curvefault-b',
]);

export const pdeDeviationSchema = z.object({
  pde_rel_l2: z.number().nullable(),
  pde_mse: z.number(),
  pde_rel_l2_per_source: z.array(z.number().nullable()),
  pde_mse_per_source: z.array(z.number()),
});
export type PdeDeviationSummary = z.infer<typeof pdeDeviationSchema>;

export const wavefieldSchema = z.object({
  /** [frames, depth, width] pressure of the model's interior */
  snapshots: float32PayloadSchema,
  /** [time, receivers] of the same shot */
  seismic: float32PayloadSchema,
  frameIntervalMs: z.number(),
  sampleIntervalMs: z.number(),
  gridSpacingM: z.number(),
  source: z.object({ x: z.number().int(), z: z.number().int() }),
  receivers: z.array(z.object({ x: z.number().int(), z: z.number().int() })),
  min: z.number(),
  max: z.number(),
});
export type WavefieldResult = z.infer<typeof wavefieldSchema>;

export const networkKindSchema = z.enum(['stage1', 'stage2', 'inversionnet']);
export type NetworkKind = z.infer<typeof networkKindSchema>;

export const modelInfoSchema = z.object({
  /** 'default:<kind>' for a shipped model, 'project:<id>' for one trained in the project. */
  ref: z.string(),
  name: z.string(),
  kind: networkKindSchema,
  source: z.enum(['shipped', 'project']),
  createdAt: z.string(),
  parameters: z.number().nullable(),
  metrics: z.record(z.string(), z.unknown()).nullable(),
  training: z.record(z.string(), z.unknown()).nullable(),
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;

export const trainingEventSchema = z.object({
  id: z.number().int(),
  step: z.number().int(),
  type: z.string(),
  payload: z.record(z.string(), z.unknown()),
  at: z.string(),
});
export type TrainingEvent = z.infer<typeof trainingEventSchema>;

/**
 * The physical sampling of the arrays a training run previews: its held-out dataset's (the
 * validation dataset when it has one, else the training dataset). The trainer resizes arrays to
 * its network sizes, so a preview cell spans (stored cells / preview cells) stored cells.
 */
export const trainingSamplingSchema = z.object({
  datasetId: z.number().int(),
  datasetName: z.string(),
  /** Stored seismic per sample [sources, time, receivers] and velocity [channels, depth, width]. */
  seismicShape: z.array(z.number().int()).nullable(),
  velocityShape: z.array(z.number().int()).nullable(),
  sampleIntervalMs: z.number().nullable(),
  gridSpacingM: z.number().nullable(),
  /** The previewed gather's receivers (the middle source, as the trainer previews it) in the dataset's first sample. */
  positions: gatherPositionsSchema.nullable(),
});
export type TrainingSampling = z.infer<typeof trainingSamplingSchema>;

export const pythonProbeSchema = z.object({
  found: z.object({ path: z.string(), pythonVersion: z.string(), torchVersion: z.string(), cudaAvailable: z.boolean() }).nullable(),
  tried: z.array(z.object({ path: z.string(), problem: z.string().nullable() })),
  installHint: z.string(),
});

// ---------- generation and gallery ----------

export { generationSamplerSchema, type GenerationSampler } from './parameters.ts';

export const generationParamsSchema = z.object({
  /** Model references: 'default' (the shipped model), 'project:<id>' or a model folder. */
  stage1: z.string().min(1).default('default'),
  stage2: z.string().min(1).default('default'),
  inversionnet: z.string().min(1).default('default'),
  count: generationParameters.count,
  batchSize: generationParameters.batchSize,
  sampler: generationSamplerSchema.default(defaultSampler),
  /** Sample i uses seed + i. */
  seed: generationParameters.seed,
  /** Forward-model every decoded velocity and store the PDE deviation. */
  physicsCheck: z.boolean().default(true),
  name: z.string().min(1).max(200).optional(),
  /** Make only this shard of the `count` samples: whole files of `samplesPerFile` (io/chunkedSet.ts). */
  shard: shardParameter.optional(),
  /** The file size of the set the run is exported to, which places a shard's samples; default 500. */
  samplesPerFile: optionalSamplesPerFile,
});

export const generationRunSchema = z.object({
  id: z.number().int(),
  jobId: z.number().int().nullable(),
  datasetId: z.number().int().nullable(),
  stage1Ref: z.string(),
  stage2Ref: z.string(),
  inversionRef: z.string(),
  sampler: z.string(),
  samplerLabel: z.string(),
  steps: z.number().int(),
  seed: z.number().int(),
  count: z.number().int(),
  batchSize: z.number().int(),
  physicsCheck: z.boolean(),
  provider: z.string().nullable(),
  createdAt: z.string(),
  samples: z.number().int(),
});
export type GenerationRunInfo = z.infer<typeof generationRunSchema>;

export const generatedSampleSchema = z.object({
  id: z.number().int(),
  runId: z.number().int(),
  sampleIndex: z.number().int(),
  datasetId: z.number().int().nullable(),
  seed: z.number().int(),
  model: z.string(),
  sampler: z.string(),
  steps: z.number().int(),
  provider: z.string(),
  /** ‖ŝ − f(v̂)‖₂/‖f(v̂)‖₂ over all sources, time samples and receivers; null without the physics check. */
  pde_rel_l2: z.number().nullable(),
  pde_mse: z.number().nullable(),
  pde_rel_l2_per_source: z.array(z.number().nullable()).nullable(),
  /** InversionNet(ŝ) against v̂: MAE and RMSE on [−1, 1], SSIM on [0, 1]. */
  inv_mae: z.number(),
  inv_rmse: z.number(),
  inv_ssim: z.number(),
  createdAt: z.string(),
  tags: z.array(z.string()),
});
export type GeneratedSample = z.infer<typeof generatedSampleSchema>;

export const sampleFilterSchema = z.object({
  pdeMin: z.number().optional(),
  pdeMax: z.number().optional(),
  invMetric: z.enum(['inv_mae', 'inv_rmse', 'inv_ssim']).optional(),
  invMin: z.number().optional(),
  invMax: z.number().optional(),
  model: z.string().optional(),
  sampler: z.string().optional(),
  seed: z.number().int().optional(),
  runId: z.number().int().optional(),
  tag: z.string().min(1).max(100).optional(),
});

export const sampleSortSchema = z.enum(['pde_rel_l2', 'pde_mse', 'inv_mae', 'inv_rmse', 'inv_ssim', 'seed', 'id']);

export const sampleDetailSchema = z.object({
  sample: generatedSampleSchema,
  /** [sources, time, receivers] decoded seismic ŝ, physical amplitude */
  seismic: float32PayloadSchema,
  /** [depth, width] decoded velocity v̂, m/s */
  velocityMps: float32PayloadSchema,
  /** [depth, width] InversionNet(ŝ), m/s */
  invertedMps: float32PayloadSchema,
  /** [sources, time, receivers] f(v̂) with the run's geometry and ŝ − f(v̂); null unless asked for */
  modelled: float32PayloadSchema.nullable(),
  difference: float32PayloadSchema.nullable(),
  sampleIntervalMs: z.number(),
  gridSpacingM: z.number(),
});
export type SampleDetail = z.infer<typeof sampleDetailSchema>;

// ---------- studies ----------

export const studyKindSchema = z.enum(studyKindNames);

export const studyInfoSchema = z.object({
  id: z.number().int(),
  kind: studyKindSchema,
  title: z.string(),
  jobId: z.number().int().nullable(),
  /** running until the report is written; failed when its job failed or was given up. */
  status: z.enum(['running', 'done', 'failed']),
  /** The parameters as the study ran with them (defaults filled in): with the seeds and model ids, enough to reproduce it. */
  params: z.record(z.string(), z.unknown()),
  /** The study's headline numbers (what `wavediff study <kind> --json` prints); null until done. */
  summary: z.record(z.string(), z.unknown()).nullable(),
  /** The report's folder: the project's studies/<id>/. */
  folder: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type StudyInfo = z.infer<typeof studyInfoSchema>;

/** A results table: one row per compared set or method, cells as numbers (null: not measured) or text. */
export const studyTableSchema = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.array(z.union([z.string(), z.number(), z.null()]))),
});
export type StudyTable = z.infer<typeof studyTableSchema>;

export const studyReportSchema = z.object({
  study: studyInfoSchema,
  /** report.md; its images name files of `plots` (plots/<name>.png). */
  markdown: z.string(),
  /** results.json: every number, the seeds and the model ids. */
  results: z.record(z.string(), z.unknown()),
  table: studyTableSchema,
  plots: z.array(z.object({ file: z.string(), title: z.string(), pngBase64: z.string() })),
});
export type StudyReport = z.infer<typeof studyReportSchema>;

const datasetRef = z.object({ datasetId: z.number().int() });
const jobRef = z.object({ jobId: z.number().int() });
const none = z.object({}).strict();

// ---------- methods ----------

function method<A extends z.ZodType, R extends z.ZodType>(args: A, result: R, summary: string) {
  return { args, result, summary };
}

export const methods = {
  'app.info': method(
    none,
    z.object({ version: z.string(), shell: z.enum(['electron', 'browser']), platform: z.string(), cores: z.number().int() }),
    'Version and runtime of the studio.',
  ),
  'settings.get': method(none, settingsSchema, 'Current user settings.'),
  'settings.update': method(settingsSchema.partial(), settingsSchema, 'Change some settings; returns all of them.'),

  'project.current': method(none, projectInfoSchema.nullable(), 'The open project, if any.'),
  'project.create': method(
    z.object({ folder: z.string().min(1), name: z.string().min(1).max(200) }),
    projectInfoSchema,
    'Create a project in a new or empty folder and open it.',
  ),
  'project.open': method(z.object({ folder: z.string().min(1) }), projectInfoSchema, 'Open an existing project folder.'),
  'project.openDemo': method(none, projectInfoSchema, 'Open the built-in demo project, creating it on first use.'),
  'project.close': method(none, z.null(), 'Close the open project.'),
  'project.recent': method(none, z.array(recentProjectSchema), 'Recently opened projects, newest first.'),
  'project.forget': method(z.object({ folder: z.string() }), z.array(recentProjectSchema), 'Remove a project from the recent list (its files stay).'),

  'fs.list': method(
    z.object({ folder: z.string().optional(), showFiles: z.boolean().optional() }),
    fsListingSchema,
    'List a folder on the studio machine (for choosing paths in the browser shell).',
  ),

  'dataset.list': method(none, z.array(datasetInfoSchema), 'Datasets of the open project.'),
  'dataset.get': method(datasetRef, datasetDetailSchema, 'One dataset with its array files.'),
  'dataset.rename': method(datasetRef.extend({ name: z.string().min(1).max(200) }), datasetInfoSchema, 'Rename a dataset.'),
  'dataset.delete': method(datasetRef, z.null(), 'Delete a dataset and its array files.'),
  'dataset.shotGather': method(
    datasetRef.extend({ sample: z.number().int().min(0), source: z.number().int().min(0) }),
    shotGatherSchema,
    'One shot gather [time, receivers] of a sample.',
  ),
  'dataset.velocityMap': method(
    datasetRef.extend({ sample: z.number().int().min(0) }),
    velocityMapSchema,
    'The velocity model [depth, width] of a sample, in m/s.',
  ),
  'dataset.traceHeaders': method(
    datasetRef.extend({ sample: z.number().int().min(0), source: z.number().int().min(0) }),
    traceHeaderTableSchema,
    'Trace headers of one gather (SEG-Y datasets).',
  ),

  'import.segy': method(
    z.object({
      paths: z.array(z.string().min(1)).min(1),
      name: z.string().min(1).max(200).optional(),
      gatherKey: gatherKeyParameter,
      resample: resampleTargetSchema.nullable().default(null),
    }),
    jobInfoSchema,
    'Import SEG-Y shot gathers (files, or folders of files) as a dataset; runs as a job.',
  ),
  'import.openfwi': method(
    z.object({ folder: z.string().min(1), name: z.string().min(1).max(200).optional() }),
    jobInfoSchema,
    'Import an OpenFWI folder of data*.npy / model*.npy pairs; runs as a job.',
  ),
  'import.chunkedSet': method(
    z.object({ folder: z.string().min(1), name: z.string().min(1).max(200).optional() }),
    jobInfoSchema,
    "Register a whole chunked set (the --out folder of wavediff synth/generate without --shard, or of wavediff merge) as a dataset: its manifest's checksums and geometry are checked, its files hard-linked into the project (copied across file systems); runs as a job.",
  ),
  'export.openfwi': method(
    datasetRef.extend({ folder: z.string().min(1), overwrite: z.boolean().default(false) }),
    jobInfoSchema,
    'Export a dataset as OpenFWI .npy pairs into a folder; runs as a job.',
  ),

  'project.geometry': method(none, acquisitionGeometrySchema, "The project's acquisition geometry (OpenFWI's unless changed)."),
  'project.setGeometry': method(
    z.object({ geometry: acquisitionGeometrySchema.nullable() }),
    acquisitionGeometrySchema,
    "Set the project's acquisition geometry (null restores OpenFWI's); it is checked before it is stored.",
  ),
  'physics.synthesize': method(
    z.object({
      family: velocityFamilySchema,
      count: z.number().int().min(1).max(1_000_000),
      seed: z.number().int().min(0).max(2 ** 31 - 1),
      name: z.string().min(1).max(200).optional(),
      samplesPerFile: samplesPerFileParameter,
    }),
    jobInfoSchema,
    "Synthesise OpenFWI-style velocity models of a family and model their seismic with the project's geometry; runs as a resumable job.",
  ),
  'physics.forward': method(
    datasetRef.extend({
      name: z.string().min(1).max(200).optional(),
      /** Only this sample (its index in the dataset), as a dataset of one pair; all samples when absent. */
      sample: z.number().int().min(0).optional(),
    }),
    jobInfoSchema,
    "Model the seismic of a dataset's velocity models (all, or one chosen sample) with the project's geometry, into a new dataset; runs as a job.",
  ),
  'physics.wavefield': method(
    z.object({
      /** [depth, width] in m/s */
      velocityMps: float32PayloadSchema,
      shot: z.number().int().min(0).default(0),
      everySteps: z.number().int().min(1).max(10_000).default(10),
    }),
    wavefieldSchema,
    "Model one shot over a velocity model with the project's geometry, keeping wavefield snapshots for the 3D view.",
  ),
  'dataset.deviation': method(
    datasetRef.extend({ sample: z.number().int().min(0) }),
    pdeDeviationSchema,
    "PDE deviation of one seismic–velocity pair: its seismic against the FD seismic of its velocity with the project's geometry.",
  ),

  'python.detect': method(none, pythonProbeSchema, 'Find the Python interpreter used for training (the configured one, else one with torch).'),
  'model.list': method(none, z.array(modelInfoSchema), 'Shipped default models and the models trained in the open project.'),
  'train.start': method(
    z.object({
      network: networkKindSchema,
      datasetId: z.number().int(),
      valDatasetId: z.number().int().optional(),
      steps: trainingParameters.steps,
      batchSize: trainingParameters.batchSize,
      /** Stage 2 only: the stage-1 model whose latent space it learns ('default:stage1' or 'project:<id>'). */
      stage1Model: z.string().optional(),
      name: z.string().min(1).max(200).optional(),
      threads: trainingParameters.threads,
      seed: trainingParameters.seed,
      /** Further trainer options (native-models/README.md), e.g. ["--codebook-size", "1024"]. */
      extraArgs: z.array(z.string().regex(/^(--[a-z0-9-]+|[A-Za-z0-9_.,:+-]+)$/, 'a trainer option or a plain value')).max(40).default([]),
      /**
       * Run on a Slurm cluster instead of this machine: one job as `wavediff cluster submit train` makes
       * (Settings → Cluster), its result in `out` on the cluster (relative: under the shared folder). The
       * cluster reads the dataset (and a stage-1 model) at their paths on this machine: a shared file system.
       */
      cluster: z.object({ out: z.string().min(1).max(1000) }).optional(),
    }),
    jobInfoSchema,
    'Train a network on a dataset of pairs with the PyTorch trainer, here or as a Slurm job (cluster); runs as a resumable job, streams its curves and registers the model.',
  ),
  'train.events': method(
    z.object({ jobId: z.number().int(), afterId: z.number().int().optional() }),
    z.array(trainingEventSchema),
    "A training job's progress, metrics and preview messages, for curves.",
  ),
  'train.sampling': method(
    z.object({ jobId: z.number().int() }),
    trainingSamplingSchema.nullable(),
    "The sampling (Δt, Δx, stored shapes, receiver positions) of a training run's previewed dataset, for axes in physical units; null when that dataset is gone.",
  ),
  'train.preview': method(
    z.object({ jobId: z.number().int(), file: z.string() }),
    float32PayloadSchema,
    "One preview array (a .npy the trainer wrote under the job's run folder).",
  ),

  'generate.start': method(
    generationParamsSchema,
    jobInfoSchema,
    'Generate seismic–velocity pairs with the diffusion models, check each with the FD solver and InversionNet; runs as a resumable job.',
  ),
  'cluster.submit': method(
    z.object({
      work: clusterWorkSchema,
      /** The options of `wavediff synth|generate` (or of the trainer, for train) as the cluster side runs them, without --shard and --out. */
      args: z.array(z.string().max(1000)).max(200),
      shards: clusterShardsParameter,
      /** The result folder, a path on the cluster's side (relative: under Settings → Cluster → Shared folder). */
      out: z.string().min(1).max(1000),
    }),
    jobInfoSchema,
    'Submit a synthesis or generation as a Slurm array (merged when every task is done), or a training as one GPU job; followed as a job of the project.',
  ),
  'generate.runs': method(none, z.array(generationRunSchema), 'Generation runs of the open project, newest first.'),
  'gallery.query': method(
    sampleFilterSchema.extend({
      sort: sampleSortSchema.default('id'),
      descending: z.boolean().default(false),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(10_000).default(200),
    }),
    z.object({ total: z.number().int(), samples: z.array(generatedSampleSchema) }),
    'One page of generated samples matching a filter, sorted by a metric.',
  ),
  'gallery.sample': method(
    z.object({ sampleId: z.number().int(), withModelled: z.boolean().default(false) }),
    sampleDetailSchema,
    "A generated sample's arrays and metrics; with withModelled, f(v̂) and ŝ − f(v̂) are computed with the FD pool.",
  ),
  'gallery.tag': method(
    z.object({ sampleIds: z.array(z.number().int()).min(1).max(100_000), tag: z.string().min(1).max(100) }),
    z.object({ changed: z.number().int() }),
    'Tag generated samples.',
  ),
  'gallery.untag': method(
    z.object({ sampleIds: z.array(z.number().int()).min(1).max(100_000), tag: z.string().min(1).max(100) }),
    z.object({ changed: z.number().int() }),
    'Remove a tag from generated samples.',
  ),
  'gallery.tags': method(none, z.array(z.object({ tag: z.string(), count: z.number().int() })), 'Tags in use and their sample counts.'),
  'gallery.challenging': method(
    z.object({
      pdeMax: z.number().positive(),
      k: z.number().int().min(1).max(100_000),
      metric: z.enum(['inv_mae', 'inv_rmse', 'inv_ssim']).default('inv_mae'),
      runId: z.number().int().optional(),
      tag: z.string().min(1).max(100).default('challenging'),
    }),
    z.array(generatedSampleSchema),
    'Physically valid yet hard: the top-K by inversion error among samples with pde_rel_l2 ≤ pdeMax, tagged and returned.',
  ),
  'export.generated': method(
    z.object({
      folder: z.string().min(1),
      runId: z.number().int().optional(),
      filter: sampleFilterSchema.optional(),
      sampleIds: z.array(z.number().int()).min(1).max(1_000_000).optional(),
      segy: z.boolean().default(true),
      overwrite: z.boolean().default(false),
      /** Samples per data/model file; default the run's (its samplesPerFile), else 500. */
      samplesPerFile: optionalSamplesPerFile,
    }),
    jobInfoSchema,
    'Export generated samples (a run, a filter or a selection) as OpenFWI .npy pairs with metrics.csv/metrics.json, and SEG-Y (a whole run: as a chunked set with manifest.json, its files numbered by the run\'s sample indices); runs as a job.',
  ),

  'job.list': method(none, z.array(jobInfoSchema), 'Jobs of the open project, newest first.'),
  'job.events': method(jobRef.extend({ afterId: z.number().int().optional() }), z.array(jobEventSchema), 'Log lines of a job.'),
  'job.cancel': method(jobRef, jobInfoSchema, 'Cancel a queued or running job.'),
  'job.resume': method(jobRef, jobInfoSchema, 'Continue an interrupted or cancelled job from its last checkpoint.'),
  'job.discard': method(jobRef, jobInfoSchema, 'Give up an interrupted or cancelled job and remove what it left.'),

  'dataset.segyHeaders': method(
    datasetRef.extend({ sample: z.number().int().min(0) }),
    segyFileHeadersSchema,
    'The textual and binary headers of the SEG-Y file a sample was imported from.',
  ),
  'segy.gatherKeys': method(
    z.object({ path: z.string().min(1) }),
    z.object({ file: z.string(), traces: z.number().int(), scannedTraces: z.number().int(), candidates: z.array(gatherKeyCandidateSchema) }),
    'The trace header fields that split a SEG-Y file (the first file of a folder; its first 10,000 traces) into gathers, with the gathers each makes.',
  ),
  'model.quality': method(
    none,
    z.array(modelQualitySchema),
    "Every model judged against the declared quality limits (velocity MAE on real OpenFWI families, seismic reconstruction, PDE deviation of generated pairs), with a warning in words where it fails.",
  ),
  'wavefield.saveFrames': method(
    z.object({
      /** Absolute folder on the studio machine (created if missing). */
      folder: z.string().min(1),
      /** Number of the first frame: frames are written as frame_<firstIndex + k>.png. */
      firstIndex: z.number().int().min(0).max(99_999),
      /** PNG files, base64; a movie is sent in several calls to stay under the message limit. */
      pngBase64: z.array(z.string().min(1)).min(1).max(200),
    }),
    z.object({ files: z.array(z.string()) }),
    'Save frames of the wavefield movie as numbered PNG files in a folder.',
  ),
  'wavefield.saveGif': method(
    z.object({
      /** Absolute path of the .gif on the studio machine (its folder is created if missing). */
      file: z.string().min(1),
      /** Index of the first frame sent; 0 starts the GIF afresh, later batches continue it in order. */
      firstIndex: z.number().int().min(0).max(99_999),
      /** Frames of the whole movie: the batch holding the last one completes the GIF. */
      frameCount: z.number().int().min(1).max(100_000),
      width: z.number().int().min(1).max(4096),
      height: z.number().int().min(1).max(4096),
      framesPerSecond: movieFramesPerSecondParameter,
      /** RGBA pixels [height, width, 4] per frame, base64; a movie is sent in several calls to stay under the message limit. */
      rgbaBase64: z.array(z.string().min(1)).min(1).max(200),
    }),
    z.object({ file: z.string(), framesWritten: z.number().int(), complete: z.boolean() }),
    'Write the wavefield movie as a looping animated GIF (one 256-colour palette per frame), from frames sent in order in batches.',
  ),
  'export.segy': method(
    datasetRef.extend({ file: z.string().min(1), overwrite: z.boolean().default(false) }),
    jobInfoSchema,
    "Export a dataset's seismic as one SEG-Y file (a trace per sample, source and recorded receiver, with its sample interval and coordinates); runs as a job.",
  ),
  'physics.synthesizeFolder': method(
    z.object({
      folder: z.string().min(1),
      family: velocityFamilySchema,
      count: z.number().int().min(1).max(1_000_000),
      seed: z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
      samplesPerFile: samplesPerFileParameter,
      /** Velocity model size in cells. */
      shape: z.object({ nz: z.number().int().min(1), nx: z.number().int().min(1) }).default({ nz: 70, nx: 70 }),
      geometry: acquisitionGeometrySchema,
      /** Write the velocity models only (their seismic is modelled elsewhere). */
      velocityOnly: z.boolean().default(false),
      /** Make only this shard's files (whole files of the set); absent: the whole run. */
      shard: shardParameter.optional(),
    }),
    jobInfoSchema,
    'Synthesise OpenFWI-style velocity models of a family (and their seismic) into a folder outside the project: data1.npy/model1.npy …, manifest.json and synthesis.json (with shard: only that shard\'s files); runs as a resumable job.',
  ),
  'physics.forwardFile': method(
    z.object({ velocityFile: z.string().min(1), out: z.string().min(1), geometry: acquisitionGeometrySchema }),
    jobInfoSchema,
    'Model the seismic [N, sources, time, receivers] of the velocity models in an .npy file ([N, 1, depth, width], [N, depth, width] or [depth, width], m/s) into another .npy file; runs as a job.',
  ),
  'physics.deviationFiles': method(
    z.object({ seismicFile: z.string().min(1), velocityFile: z.string().min(1), geometry: acquisitionGeometrySchema }),
    jobInfoSchema,
    'PDE deviation of the seismic–velocity pairs in two .npy files (overall, per source, per sample); runs as a job whose result is the report.',
  ),
  'segy.info': method(
    z.object({ file: z.string().min(1), gatherKey: z.string().min(1).optional() }),
    segyInfoSchema,
    'Summarise a SEG-Y file read once: format, byte order, textual and binary headers, sample statistics, first and last trace headers, gathers.',
  ),
  'ml.invertFile': method(
    z.object({
      /** float32 [N, sources, time, receivers] in physical units, as OpenFWI stores it */
      seismicFile: z.string().min(1),
      /** float32 [N, 1, depth, width] in m/s, written whole */
      out: z.string().min(1),
      /** 'default' (the shipped models), 'project:ID' (the open project's) or a model folder */
      model: z.string().min(1).default('default'),
      /** auto: the more accurate network (by the model card for the defaults), else InversionNet; refined: stage 1 refined by stage 2's last denoising steps */
      network: z.enum(['auto', 'inversionnet', 'stage1', 'refined']).default('auto'),
      batchSize: z.number().int().min(1).max(4096).default(8),
      /** refined only: K denoising steps, M candidates per step, the candidates' seed */
      refineSteps: refinedInversionParameters.refineSteps,
      candidates: refinedInversionParameters.candidates,
      seed: refinedInversionParameters.seed,
    }),
    jobInfoSchema,
    'Predict the velocity models of the seismic in an .npy file with a trained network, into another .npy file; runs as a job.',
  ),
  'generate.probe': method(
    z.object({
      stage1: z.string().min(1).default('default'),
      stage2: z.string().min(1).default('default'),
      inversionnet: z.string().min(1).default('default'),
      /** Samples for each of the random, denoised and reconstructed sets. */
      count: z.number().int().min(1).max(10_000).default(8),
      seed: generationParameters.seed,
      sampler: generationSamplerSchema.default(defaultSampler),
      /** Sampler grid steps (0-based) of the curve; default about six, evenly spaced. */
      curveSteps: z.array(z.number().int().min(0)).min(1).optional(),
      /** Seed of the held-out synthesis; default one the stage-1 manifest does not record. */
      holdoutSeed: z.number().int().min(0).optional(),
    }),
    jobInfoSchema,
    'Trajectory probe: PDE deviation of pairs decoded from random latents, of denoised samples (and along the sampler) and of stage-1 reconstructions (OpenFWI geometry); runs as a job whose result is the report.',
  ),
  'study.start': method(studyStartSchema, jobInfoSchema, "Run a study (the method's experiments) with its parameters; runs as a job that writes a report under the project's studies/ folder."),
  'study.list': method(z.object({ kind: studyKindSchema.optional() }), z.array(studyInfoSchema), 'Studies of the open project (optionally of one kind), newest first.'),
  'study.open': method(z.object({ studyId: z.number().int() }), studyReportSchema, "A study's report: its Markdown, every number, the results table and the PNG plots."),
  'study.delete': method(z.object({ studyId: z.number().int() }), z.null(), 'Delete a finished or failed study and its report folder.'),
  'study.export': method(
    z.object({ studyId: z.number().int(), folder: z.string().min(1), overwrite: z.boolean().default(false) }),
    z.object({ folder: z.string(), files: z.array(z.string()) }),
    "Copy a study's report (report.md, results.json, plots/) into a folder.",
  ),
} as const;

export type MethodName = keyof typeof methods;
export type MethodArgs<M extends MethodName> = z.input<(typeof methods)[M]['args']>;
export type MethodParsedArgs<M extends MethodName> = z.output<(typeof methods)[M]['args']>;
export type MethodResult<M extends MethodName> = z.output<(typeof methods)[M]['result']>;

// ---------- events ----------

export const events = {
  'job.updated': jobInfoSchema,
  /** Which catalogue tables a write touched, so views refresh what they show. */
  'catalogue.changed': z.object({ tables: z.array(z.string()) }),
  'project.changed': projectInfoSchema.nullable(),
  /** Something a person should see: a fallback taken, a conversion made. */
  notice: z.object({ level: z.enum(['info', 'warn', 'error']), message: z.string() }),
} as const;

export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}

/** The `{ code, message }` of a failed call, as it crosses the boundary. */
export const wireErrorSchema = z.object({ code: z.string(), message: z.string() });
export type WireErrorPayload = z.infer<typeof wireErrorSchema>;

/** The one interface every shell's client implements: call a method, listen to events. */
export interface StudioApi {
  call<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<MethodResult<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}
