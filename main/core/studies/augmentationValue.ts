/**
 * Study 4, augmentation value (the WaveDiffusion paper's Tables 2–4): does InversionNet get better
 * on real data when generated pairs are added to its training set? One study trains InversionNet
 * from scratch with one recipe and budget (`trainSteps` steps of `batchSize`, the trainer's defaults
 * otherwise, seed `seed`) on
 *   (a) n % of a real training pool, (b) generated pairs only, (c) generated pairs + the same n % real,
 * and, where the generated set comes from a physics-checked generation run, fine-tunes (a) for
 * `fineTuneSteps` on (d) the same real pairs only and (e) those plus half of the challenging samples
 * (the studio's 'select challenging' rule: PDE deviation ≤ `challengingPdeMax`, largest InversionNet
 * error), holding out the other half. Every model is evaluated on the held-out real pairs (never
 * trained on) and the held-out challenging samples with the exported ONNX graph, as every other
 * velocity metric of the studio (generation/metrics.ts).
 *
 * Training is the studio's trainer (training/trainingJob.ts, runTraining) on pair lists that name the
 * chosen rows of the datasets' own files (no copies). Each run lives in studies/<id>/runs/<arm>/ and is
 * a resumable unit: a resumed study reuses finished runs whose plan is unchanged and continues an
 * interrupted one from its checkpoint.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DatasetDetail } from '../contract/contract.ts';
import { StudioError } from '../contract/errors.ts';
import type { StudyParams } from '../contract/parameters.ts';
import { locateSample } from '../datasets/sampleAccess.ts';
import { velocityError, type VelocityError } from '../generation/metrics.ts';
import { loadVelocityPredictor, predictVelocity } from '../ml/invert.ts';
import type { CatalogueDataset } from '../store/tables/datasets.ts';
import { arraysFolderName, projectArrayPath } from '../store/project.ts';
import { requirePython } from '../training/python.ts';
import { partPairEntry, synthesisRecordFamily } from '../training/trainerData.ts';
import { runTraining, trainerOptionArguments } from '../training/trainingJob.ts';
import type { TrainerMessage } from '../training/trainerProcess.ts';
import { throwIfCancelled } from '../util/abort.ts';
import { writeFileAtomic } from '../util/atomicFile.ts';
import { mixSeed, Random } from '../util/random.ts';
import type { StudyContext, StudyKind, StudyOutcome, StudyPlot } from './studyKind.ts';
import { readDatasetRows } from './studyInputs.ts';

type Params = StudyParams<'augmentation-value'>;

export const ARM_IDS = ['real', 'generated', 'generated_real', 'finetune_original', 'finetune_challenging'] as const;
export type ArmId = (typeof ARM_IDS)[number];

/** Seed streams of the splits (mixSeed(seed, stream)). */
const REAL_SPLIT_STREAM = 0xa06e0001;
const CHALLENGING_SPLIT_STREAM = 0xa06e0002;
/** Threads of every training run: one, so that a rerun on any machine gives the same weights. */
const TRAINING_THREADS = 1;
const RUNS_FOLDER = 'runs';

/** Some samples of one dataset, by index in dataset order. */
interface SampleSet {
  dataset: CatalogueDataset;
  indices: number[];
}

interface ArmPlan {
  id: ArmId;
  label: string;
  data: SampleSet[];
  steps: number;
  /** Fine-tuning starts from this arm's exported weights. */
  initFrom?: ArmId;
}

export interface SetMetrics {
  samples: number;
  mae: number;
  rmse: number;
  ssim: number;
}

interface CurvePoint {
  step: number;
  mae: number;
  rmse: number;
  ssim: number;
}

export interface ArmResult {
  id: ArmId;
  label: string;
  /** Pairs the trainer trained on, by its own 'start' message. */
  trainSamples: number;
  steps: number;
  samplesSeen: number;
  /** The exported model, relative to the project folder. */
  modelFolder: string;
  initFrom: ArmId | null;
  data: { datasetId: number; indices: number[] }[];
  real: SetMetrics;
  challenging: SetMetrics | null;
  /** The trainer's held-out metrics during training (split 'validation' = held-out real, 'challenging'). */
  curves: { real: CurvePoint[]; challenging: CurvePoint[]; loss: [number, number][] };
  /** The trainer's own final metrics (PyTorch, EMA weights; RMSE pooled over all pixels). */
  trainerMetrics: Record<string, unknown>;
}

/** Fisher–Yates shuffle with the studio's seeded generator. */
function shuffled(values: number[], seed: number): number[] {
  const out = [...values];
  const rng = new Random(seed);
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = rng.integer(0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const ascending = (values: number[]): number[] => [...values].sort((a, b) => a - b);

function requirePairs(dataset: DatasetDetail, role: string): void {
  if (!dataset.hasSeismic || !dataset.hasVelocity) {
    throw new StudioError('bad_input', `${role} dataset '${dataset.name}' (id ${dataset.id}) needs seismic and velocity; it has ${dataset.hasSeismic ? 'seismic only' : 'velocity only'}. Choose a dataset of pairs.`);
  }
}

/** The family of a synthesised dataset (its synthesis record, or the catalogue's record of the synthesis), which sets the trainer's seismic normalisation. */
function recordedFamily(projectDir: string, dataset: CatalogueDataset): string | null {
  const family = synthesisRecordFamily(projectArrayPath(projectDir, dataset.folder)) ?? dataset.meta.family;
  return typeof family === 'string' ? family : null;
}

/**
 * A trainer pair list (native-models/README.md, "Data") naming `sets`' rows in their own files:
 * one entry per dataset part, its "rows" the samples taken from it.
 */
function pairList(projectDir: string, name: string, sets: SampleSet[], family: string | null): Record<string, unknown> {
  const arraysDir = path.join(projectDir, arraysFolderName);
  const pairs: Record<string, unknown>[] = [];
  for (const set of sets) {
    const byPart = new Map<number, { part: DatasetDetail['parts'][number]; rows: number[] }>();
    for (const index of set.indices) {
      const { part, row } = locateSample(set.dataset, index);
      const entry = byPart.get(part.partIndex) ?? { part, rows: [] };
      entry.rows.push(row);
      byPart.set(part.partIndex, entry);
    }
    for (const { part, rows } of byPart.values()) {
      pairs.push({ ...partPairEntry(arraysDir, part), rows });
    }
  }
  return { name, ...(family ? { families: [family] } : {}), pairs };
}

function describeSets(sets: SampleSet[]): string {
  return sets.map((s) => `${s.indices.length} of '${s.dataset.name}'`).join(' + ');
}

/** Mean over samples of each sample's MAE, RMSE ([−1, 1] scale) and SSIM ([0, 1]). */
function meanMetrics(errors: VelocityError[]): SetMetrics {
  const mean = (pick: (e: VelocityError) => number): number => errors.reduce((s, e) => s + pick(e), 0) / errors.length;
  return { samples: errors.length, mae: mean((e) => e.inv_mae), rmse: mean((e) => e.inv_rmse), ssim: mean((e) => e.inv_ssim) };
}

/** The exported InversionNet of `modelFolder` (onnxruntime, the studio's pool) on `set`, against its labels. */
async function evaluate(ctx: StudyContext, modelFolder: string, set: SampleSet): Promise<SetMetrics> {
  const predictor = await loadVelocityPredictor(ctx.services.onnxPool(), modelFolder, 'inversionnet', { folder: ctx.projectDir, catalogue: ctx.catalogue });
  const [, depth, width] = predictor.velocityShape;
  const plane = depth * width;
  const errors: VelocityError[] = [];
  let next = 0;
  await predictVelocity(
    predictor,
    (start, count) => readDatasetRows(ctx.projectDir, set.dataset, 'seismicFile', set.indices.slice(start, start + count)),
    set.indices.length,
    (predicted) => {
      const count = predicted.length / plane;
      const labels = readDatasetRows(ctx.projectDir, set.dataset, 'velocityFile', set.indices.slice(next, next + count));
      if (labels.length !== predicted.length) {
        throw new StudioError('bad_input', `Dataset '${set.dataset.name}' holds velocity models of another size than InversionNet's [1, ${depth}, ${width}] output.`);
      }
      for (let b = 0; b < count; b += 1) errors.push(velocityError(predicted.subarray(b * plane, (b + 1) * plane), labels.subarray(b * plane, (b + 1) * plane), depth, width));
      next += count;
    },
    { signal: ctx.signal },
  );
  return meanMetrics(errors);
}

export interface Splits {
  real: CatalogueDataset;
  generated: CatalogueDataset;
  realUsed: number;
  heldOut: SampleSet;
  realTrain: SampleSet;
  realPool: number;
  generatedTrain: SampleSet;
  challengingTrain: SampleSet | null;
  challengingHeldOut: SampleSet | null;
  challengingNote: string;
  generationRunId: number | null;
}

function generatedDatasetOf(ctx: StudyContext, params: Params): { dataset: CatalogueDataset; runId: number | null } {
  const runs = ctx.catalogue.generation.listRuns();
  if (params.generatedDatasetId !== undefined) {
    const dataset = ctx.catalogue.getReadyDataset(params.generatedDatasetId);
    return { dataset, runId: runs.find((r) => r.datasetId === dataset.id)?.id ?? null };
  }
  const newest = runs.filter((r) => r.samples > 0).sort((a, b) => b.id - a.id)[0];
  if (!newest) throw new StudioError('bad_input', 'The augmentation study needs generated pairs: generate some first (Generate view or `wavediff generate`), or name a dataset of generated pairs (generatedDatasetId).');
  return { dataset: ctx.catalogue.getReadyDataset(newest.datasetId), runId: newest.id };
}

/** The seeded splits: real pairs → held-out set and training pool (n % of it trained on); challenging samples → halves. */
function makeSplits(ctx: StudyContext, params: Params): Splits {
  const real = ctx.catalogue.getReadyDataset(params.datasetId);
  requirePairs(real, 'The real');
  const { dataset: generated, runId } = generatedDatasetOf(ctx, params);
  requirePairs(generated, 'The generated');
  if (generated.id === real.id) throw new StudioError('bad_input', `The real and the generated dataset are the same ('${real.name}'); choose a dataset of generated pairs.`);
  const realUsed = Math.min(params.realCount, real.nSamples);
  const chosen = shuffled(Array.from({ length: real.nSamples }, (_, i) => i), mixSeed(params.seed, REAL_SPLIT_STREAM)).slice(0, realUsed);
  const heldOutCount = Math.max(1, Math.round((realUsed * params.heldOutPercent) / 100));
  const pool = chosen.slice(heldOutCount);
  const trainCount = Math.min(pool.length, Math.max(2, Math.round((pool.length * params.realPercent) / 100)));
  if (pool.length < 2) {
    throw new StudioError('bad_input', `Dataset '${real.name}' gives ${realUsed} real pairs, ${heldOutCount} of them held out: at least 2 must remain to train on. Use more real pairs (realCount) or hold out fewer (heldOutPercent).`);
  }
  let challengingTrain: SampleSet | null = null;
  let challengingHeldOut: SampleSet | null = null;
  let challengingNote: string;
  if (params.challengingCount === 0) {
    challengingNote = 'The fine-tuning variant was left out (challengingCount 0).';
  } else if (runId === null) {
    challengingNote = `The fine-tuning variant was left out: dataset '${generated.name}' is not a generation run's, so its samples have no PDE deviation or inversion error to pick challenging ones by.`;
  } else {
    const picked = ctx.catalogue.generation
      .challengingSamples({ pdeMax: params.challengingPdeMax, k: params.challengingCount, runId })
      .map((s) => s.sampleIndex)
      .filter((i) => i < generated.nSamples);
    if (picked.length < 2) {
      challengingNote = `The fine-tuning variant was left out: generation run ${runId} has ${picked.length} physics-checked sample${picked.length === 1 ? '' : 's'} with a PDE deviation ≤ ${params.challengingPdeMax}; it needs 2 (one to train on, one held out). Raise challengingPdeMax or generate with the physics check.`;
    } else {
      const order = shuffled(picked, mixSeed(params.seed, CHALLENGING_SPLIT_STREAM));
      const half = Math.floor(order.length / 2);
      challengingTrain = { dataset: generated, indices: ascending(order.slice(0, half)) };
      challengingHeldOut = { dataset: generated, indices: ascending(order.slice(half)) };
      challengingNote = `Challenging samples: the ${picked.length} samples of generation run ${runId} (dataset '${generated.name}') with a PDE deviation ≤ ${params.challengingPdeMax} and the largest InversionNet velocity MAE (the studio's 'select challenging' rule, as in the Gallery), split by the seed into ${challengingTrain.indices.length} to fine-tune on and ${challengingHeldOut.indices.length} held out.`;
    }
  }
  const excluded = new Set(challengingHeldOut?.indices ?? []);
  const generatedIndices = Array.from({ length: generated.nSamples }, (_, i) => i).filter((i) => !excluded.has(i)).slice(0, params.generatedCount);
  if (generatedIndices.length < 2) throw new StudioError('bad_input', `Dataset '${generated.name}' gives ${generatedIndices.length} generated pairs to train on; at least 2 are needed.`);
  return {
    real,
    generated,
    realUsed,
    heldOut: { dataset: real, indices: ascending(chosen.slice(0, heldOutCount)) },
    realTrain: { dataset: real, indices: ascending(pool.slice(0, trainCount)) },
    realPool: pool.length,
    generatedTrain: { dataset: generated, indices: generatedIndices },
    challengingTrain,
    challengingHeldOut,
    challengingNote,
    generationRunId: runId,
  };
}

function armPlans(params: Params, s: Splits): ArmPlan[] {
  const n = `${params.realPercent} % real`;
  const plans: ArmPlan[] = [
    { id: 'real', label: `(a) ${n}`, data: [s.realTrain], steps: params.trainSteps },
    { id: 'generated', label: '(b) generated only', data: [s.generatedTrain], steps: params.trainSteps },
    { id: 'generated_real', label: `(c) generated + ${n}`, data: [s.generatedTrain, s.realTrain], steps: params.trainSteps },
  ];
  if (s.challengingTrain) {
    plans.push(
      { id: 'finetune_original', label: '(d) (a) fine-tuned on original', data: [s.realTrain], steps: params.fineTuneSteps, initFrom: 'real' },
      { id: 'finetune_challenging', label: '(e) (a) fine-tuned on original + challenging', data: [s.realTrain, s.challengingTrain], steps: params.fineTuneSteps, initFrom: 'real' },
    );
  }
  return plans;
}

/** The held-out curves and the training loss from the trainer's messages (a step sent twice, after a resume, keeps its last). */
function curvesOf(messages: TrainerMessage[]): ArmResult['curves'] {
  const bySplit = new Map<string, Map<number, CurvePoint>>();
  const loss = new Map<number, number>();
  for (const m of messages) {
    const step = m.step ?? 0;
    if (m.type === 'metrics' && typeof m.velocity_mae === 'number') {
      const split = String(m.split ?? 'validation');
      const points = bySplit.get(split) ?? new Map<number, CurvePoint>();
      points.set(step, { step, mae: m.velocity_mae, rmse: Number(m.velocity_rmse), ssim: Number(m.velocity_ssim) });
      bySplit.set(split, points);
    }
    if (m.type === 'progress' && typeof m.loss === 'number') loss.set(step, m.loss);
  }
  const sorted = (split: string): CurvePoint[] => [...(bySplit.get(split)?.values() ?? [])].sort((a, b) => a.step - b.step);
  return { real: sorted('validation'), challenging: sorted('challenging'), loss: [...loss.entries()].sort((a, b) => a[0] - b[0]) };
}

function readMessages(file: string): TrainerMessage[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as TrainerMessage];
      } catch {
        return []; // a line cut short by a crash
      }
    });
}

/**
 * Trains (or reuses) one arm in runs/<id>/ and evaluates its exported model. The plan (trainer
 * arguments and pair lists) is written first; a run whose plan changed starts afresh.
 */
async function runArm(ctx: StudyContext, python: string, plan: ArmPlan, common: { params: Params; splits: Splits; family: string | null; stepsBefore: number; totalSteps: number }): Promise<ArmResult> {
  const { params, splits } = common;
  const runDir = path.join(ctx.folder, RUNS_FOLDER, plan.id);
  const dataFile = path.join(runDir, 'data-pairs.json');
  const valFile = path.join(runDir, 'held-out-real-pairs.json');
  const challengingFile = path.join(runDir, 'held-out-challenging-pairs.json');
  const evalEvery = Math.max(1, Math.ceil(plan.steps / params.curvePoints));
  const extraArgs = ['--log-every', String(Math.max(1, Math.floor(plan.steps / 50))), '--eval-every', String(evalEvery), '--preview-every', '0', '--max-val-samples', String(splits.heldOut.indices.length)];
  if (splits.challengingHeldOut) extraArgs.push('--eval-data', `challenging=${challengingFile}`);
  if (plan.initFrom) extraArgs.push('--init-weights', path.join(ctx.folder, RUNS_FOLDER, plan.initFrom, 'model'));
  const lists = {
    data: pairList(ctx.projectDir, `${plan.label}: ${describeSets(plan.data)}`, plan.data, common.family),
    val: pairList(ctx.projectDir, `held-out real: ${describeSets([splits.heldOut])}`, [splits.heldOut], common.family),
    challenging: splits.challengingHeldOut ? pairList(ctx.projectDir, `held-out challenging: ${describeSets([splits.challengingHeldOut])}`, [splits.challengingHeldOut], common.family) : null,
  };
  const trainerPlan = { steps: plan.steps, batchSize: params.batchSize, seed: params.seed, threads: TRAINING_THREADS, extraArgs, lists };
  const planFile = path.join(runDir, 'plan.json');
  const resultFile = path.join(runDir, 'result.json');
  const messagesFile = path.join(runDir, 'messages.jsonl');
  const samePlan = fs.existsSync(planFile) && fs.readFileSync(planFile, 'utf8') === JSON.stringify(trainerPlan, null, 2);
  if (samePlan && fs.existsSync(resultFile)) {
    ctx.log(`${plan.label}: reusing the finished run in ${runDir}.`);
    return JSON.parse(fs.readFileSync(resultFile, 'utf8')) as ArmResult;
  }
  if (!samePlan) {
    fs.rmSync(runDir, { recursive: true, force: true });
    fs.mkdirSync(runDir, { recursive: true });
    writeFileAtomic(dataFile, JSON.stringify(lists.data, null, 2));
    writeFileAtomic(valFile, JSON.stringify(lists.val, null, 2));
    if (lists.challenging) writeFileAtomic(challengingFile, JSON.stringify(lists.challenging, null, 2));
    writeFileAtomic(planFile, JSON.stringify(trainerPlan, null, 2));
  } else {
    ctx.log(`${plan.label}: continuing the run in ${runDir} from its checkpoint.`);
  }
  ctx.log(`${plan.label}: training InversionNet ${plan.steps} steps on ${describeSets(plan.data)}${plan.initFrom ? `, starting from arm ${plan.initFrom}` : ''}.`);
  const seen: { start?: TrainerMessage } = {};
  const done = await runTraining({
    python,
    args: trainerOptionArguments({ network: 'inversionnet', dataPath: dataFile, valDataPath: valFile, steps: plan.steps, batchSize: params.batchSize, seed: params.seed, extraArgs }),
    runDir,
    threads: TRAINING_THREADS,
    resume: true,
    signal: ctx.signal,
    onMessage: (message) => {
      fs.appendFileSync(messagesFile, `${JSON.stringify(message)}\n`);
      if (message.type === 'start') seen.start = message;
      if (message.type === 'progress' || message.type === 'start') {
        const step = message.step ?? 0;
        ctx.progress({ done: common.stepsBefore + step, total: common.totalSteps, unit: 'steps', message: `${plan.label}${typeof message.loss === 'number' ? `: loss ${message.loss.toPrecision(4)}` : ''}` });
      }
    },
    onLog: (line) => {
      if (/warn|error/i.test(line)) ctx.log(line, 'warn');
    },
  });
  const modelDir = String(done.model_dir ?? '');
  if (!modelDir || !fs.existsSync(path.join(modelDir, 'manifest.json'))) throw new StudioError('internal', `${plan.label}: the trainer finished without exporting a model.`);
  throwIfCancelled(ctx.signal);
  ctx.progress({ done: common.stepsBefore + plan.steps, total: common.totalSteps, unit: 'steps', message: `${plan.label}: evaluating` });
  const real = await evaluate(ctx, modelDir, splits.heldOut);
  const challenging = splits.challengingHeldOut ? await evaluate(ctx, modelDir, splits.challengingHeldOut) : null;
  const messages = readMessages(messagesFile);
  const start = seen.start ?? messages.find((m) => m.type === 'start');
  const result: ArmResult = {
    id: plan.id,
    label: plan.label,
    trainSamples: Number(start?.train_samples ?? NaN),
    steps: plan.steps,
    samplesSeen: Number((JSON.parse(fs.readFileSync(path.join(modelDir, 'manifest.json'), 'utf8')) as { training?: { samples_seen?: number } }).training?.samples_seen ?? NaN),
    modelFolder: path.relative(ctx.projectDir, modelDir),
    initFrom: plan.initFrom ?? null,
    data: plan.data.map((s) => ({ datasetId: s.dataset.id, indices: s.indices })),
    real,
    challenging,
    curves: curvesOf(messages),
    trainerMetrics: (done.metrics ?? {}) as Record<string, unknown>,
  };
  writeFileAtomic(resultFile, JSON.stringify(result, null, 2));
  // The exported model (model/, with weights.pt for fine-tuning) is all a finished run needs.
  fs.rmSync(path.join(runDir, 'checkpoint.pt'), { force: true });
  ctx.log(`${plan.label}: held-out real MAE ${real.mae.toPrecision(4)}, RMSE ${real.rmse.toPrecision(4)}, SSIM ${real.ssim.toPrecision(4)}${challenging ? `; held-out challenging MAE ${challenging.mae.toPrecision(4)}` : ''}.`);
  return result;
}

const percent = (to: number, from: number): string => `${to < from ? '−' : '+'}${(Math.abs(to - from) / from * 100).toFixed(1)} %`;
/** Relative MAE changes below this are not called a help or a harm: one small run cannot tell them apart. */
const NOISE_PERCENT = 5;
/** 'helped' / 'did not help', or that the change is within the noise of one small run. */
function effect(to: number, from: number): string {
  if ((Math.abs(to - from) / from) * 100 < NOISE_PERCENT) return `changed the MAE by less than ${NOISE_PERCENT} %, too little for one small run to tell`;
  return to < from ? 'helped' : 'did not help';
}
const fmt = (x: number): string => x.toPrecision(3);

export function augmentationOutcome(params: Params, s: Splits, arms: ArmResult[], family: string | null): StudyOutcome {
  const arm = (id: ArmId): ArmResult | undefined => arms.find((a) => a.id === id);
  const a = arm('real')!;
  const b = arm('generated')!;
  const c = arm('generated_real')!;
  const d = arm('finetune_original');
  const e = arm('finetune_challenging');
  const metricsOf = (m: SetMetrics | null) => (m ? { mae: m.mae, rmse: m.rmse, ssim: m.ssim } : null);
  const generatedHelps = c.real.mae < a.real.mae;
  const challengingHelps = d && e && e.challenging && d.challenging ? e.challenging.mae < d.challenging.mae : null;
  const summary = {
    arms: Object.fromEntries(arms.map((r) => [r.id, { label: r.label, train_samples: r.trainSamples, steps: r.steps, real: metricsOf(r.real), challenging: metricsOf(r.challenging) }])),
    held_out: { real: s.heldOut.indices.length, challenging: s.challengingHeldOut?.indices.length ?? 0 },
    generated_helps: generatedHelps,
    challenging_helps: challengingHelps,
  };
  const verdict = [
    `On ${s.heldOut.indices.length} held-out real pairs, InversionNet trained on generated + ${params.realPercent} % real pairs (c) reached a velocity MAE of ${fmt(c.real.mae)} against ${fmt(a.real.mae)} for the ${params.realPercent} % real pairs alone (a), ${percent(c.real.mae, a.real.mae)}: the ${s.generatedTrain.indices.length} generated pairs ${effect(c.real.mae, a.real.mae)} at this size. Generated pairs alone (b): MAE ${fmt(b.real.mae)} (${percent(b.real.mae, a.real.mae)} against (a)). SSIM: (a) ${fmt(a.real.ssim)}, (b) ${fmt(b.real.ssim)}, (c) ${fmt(c.real.ssim)}.`,
    d && e && d.challenging && e.challenging
      ? `Fine-tuning (a) for ${params.fineTuneSteps} steps on original + challenging samples (e) against original only (d): held-out challenging MAE ${fmt(e.challenging.mae)} vs ${fmt(d.challenging.mae)} (${percent(e.challenging.mae, d.challenging.mae)}), held-out real MAE ${fmt(e.real.mae)} vs ${fmt(d.real.mae)} (${percent(e.real.mae, d.real.mae)}): on the samples like them the challenging samples ${effect(e.challenging.mae, d.challenging.mae)}; on the real ones they ${effect(e.real.mae, d.real.mae)}.`
      : s.challengingNote,
    `Each arm is one training run of ${params.trainSteps} steps of ${params.batchSize} pairs (fine-tuning ${params.fineTuneSteps}) on at most a few hundred real pairs: at this small scale differences of a few percent are within the spread of reruns, which this study does not measure; rerun it with other seeds (or larger sizes where the compute allows) before concluding.`,
  ].join('\n\n');
  const challengingCell = (m: SetMetrics | null, pick: (m: SetMetrics) => number): number | null => (m ? pick(m) : null);
  const table = {
    columns: ['arm', 'training data', 'train pairs', 'steps', 'real MAE', 'real RMSE', 'real SSIM', 'challenging MAE', 'challenging RMSE', 'challenging SSIM'],
    rows: arms.map((r) => [
      r.label,
      r.data.map((d) => `${d.indices.length} of dataset ${d.datasetId}`).join(' + ') + (r.initFrom ? `, from ${r.initFrom}` : ''),
      r.trainSamples,
      r.steps,
      r.real.mae,
      r.real.rmse,
      r.real.ssim,
      challengingCell(r.challenging, (m) => m.mae),
      challengingCell(r.challenging, (m) => m.rmse),
      challengingCell(r.challenging, (m) => m.ssim),
    ]),
  };
  const ascii = (label: string): string => label.replace('−', '-');
  const curvePlot = (name: string, title: string, pick: (r: ArmResult) => CurvePoint[], of: ArmResult[]): StudyPlot => ({
    name,
    title,
    chart: { kind: 'line', title: ascii(title), xLabel: 'training step', yLabel: 'velocity MAE ([-1, 1] scale)', series: of.map((r) => ({ name: r.label, points: pick(r).map((p) => [p.step, p.mae] as [number, number]) })) },
  });
  const plots: StudyPlot[] = [
    curvePlot('learning-curves', 'Held-out real MAE during training', (r) => r.curves.real, arms.filter((r) => !r.initFrom)),
    {
      name: 'training-loss',
      title: 'Training loss (L1 on normalised velocity)',
      chart: { kind: 'line', title: 'Training loss', xLabel: 'training step', yLabel: 'L1 loss', logY: true, series: arms.map((r) => ({ name: r.label, points: r.curves.loss })) },
    },
    {
      name: 'held-out-metrics',
      title: 'Held-out real MAE and RMSE of each arm',
      chart: { kind: 'bar', title: 'Held-out real pairs', xLabel: 'arm', yLabel: '[-1, 1] scale', categories: arms.map((r) => r.label.slice(0, 3)), series: [{ name: 'MAE', values: arms.map((r) => r.real.mae) }, { name: 'RMSE', values: arms.map((r) => r.real.rmse) }] },
    },
  ];
  if (d && e) {
    plots.push(curvePlot('fine-tuning-curves', 'Held-out challenging MAE during fine-tuning', (r) => r.curves.challenging, [d, e]));
    plots.push({
      name: 'challenging-metrics',
      title: 'Fine-tuning: held-out real and challenging MAE',
      chart: {
        kind: 'bar',
        title: 'Fine-tuning on challenging samples',
        xLabel: 'held-out set',
        yLabel: 'velocity MAE',
        categories: ['real', 'challenging'],
        // Short names: a legend of the full labels would cover the bars.
        series: [a, d, e].map((r) => ({ name: r.label.slice(0, 3), values: [r.real.mae, r.challenging?.mae ?? null] })),
      },
    });
  }
  const sizes = [
    `- Real set: dataset '${s.real.name}' (id ${s.real.id}), ${s.realUsed} of its ${s.real.nSamples} pairs (seeded choice, realCount ${params.realCount}); ${s.heldOut.indices.length} held out (${params.heldOutPercent} %), never trained on; of the ${s.realPool} in the training pool, ${s.realTrain.indices.length} (${params.realPercent} %) are arm (a)'s and (c)'s real pairs.`,
    `- Generated set: dataset '${s.generated.name}' (id ${s.generated.id}${s.generationRunId !== null ? `, generation run ${s.generationRunId}` : ''}), ${s.generatedTrain.indices.length} of its ${s.generated.nSamples} pairs: the first ${params.generatedCount} at most (generatedCount)${s.challengingHeldOut ? `, less the ${s.challengingHeldOut.indices.length} held-out challenging samples` : ''}. The generated pairs are a project dataset the user made (Generate view or \`wavediff generate\`, default: the newest generation run's): generating them in the study would repeat the generation job with its physics check, which the challenging variant needs anyway.`,
    `- ${s.challengingNote}`,
    `- Recipe: the studio's InversionNet trainer (native-models, \`python3 -m wavediff_models.train inversionnet\`, width and learning-rate schedule its defaults), ${params.trainSteps} steps of batch ${params.batchSize} from scratch for (a)–(c), ${params.fineTuneSteps} steps for the fine-tuning runs (d), (e) started from (a)'s exported weights; seed ${params.seed} for every run, ${TRAINING_THREADS} torch thread; seismic normalised with the ${family ?? 'default (FlatVel-A)'} family's limits in every run. The trainer evaluates the held-out sets every ${Math.max(1, Math.ceil(params.trainSteps / params.curvePoints))} steps (the learning curves).`,
    '- Metrics: the exported ONNX InversionNet run by the studio (onnxruntime) on the held-out sets; per sample MAE and RMSE of the velocity on OpenFWI\'s [−1, 1] scale and SSIM on [0, 1] (generation/metrics.ts), averaged over samples. The learning curves are the trainer\'s (PyTorch, averaged weights, RMSE pooled over pixels), so their last points differ slightly from the table.',
    `- Scale: this is a small-scale run (${s.realTrain.indices.length} real and ${s.generatedTrain.indices.length} generated training pairs); the paper trains on thousands of pairs for many epochs. Small-scale results are noisy.`,
  ].join('\n');
  return {
    summary,
    results: {
      real: { datasetId: s.real.id, name: s.real.name, used: s.realUsed, heldOut: s.heldOut.indices, train: s.realTrain.indices, pool: s.realPool },
      generated: { datasetId: s.generated.id, name: s.generated.name, generationRunId: s.generationRunId, train: s.generatedTrain.indices.length },
      challenging: s.challengingTrain ? { train: s.challengingTrain.indices, heldOut: s.challengingHeldOut!.indices, pdeMax: params.challengingPdeMax, rule: 'pde_rel_l2 ≤ pdeMax, largest inv_mae first (generation tables, challengingSamples)' } : null,
      seeds: { training: params.seed, realSplit: `mixSeed(${params.seed}, 0x${REAL_SPLIT_STREAM.toString(16)})`, challengingSplit: `mixSeed(${params.seed}, 0x${CHALLENGING_SPLIT_STREAM.toString(16)})` },
      training: { network: 'inversionnet', threads: TRAINING_THREADS, family, trainSteps: params.trainSteps, fineTuneSteps: params.fineTuneSteps, batchSize: params.batchSize },
      arms: arms.map((r) => ({ ...r, data: r.data.map((d) => ({ datasetId: d.datasetId, samples: d.indices.length, indices: d.indices })) })),
      definitions: {
        mae: 'mean over samples of mean |v̂ − v| on v_norm = 2(v − 1500)/3000 − 1',
        rmse: 'mean over samples of √(mean (v̂ − v)²) on v_norm',
        ssim: 'mean over samples of the 11 × 11 Gaussian-window SSIM (σ 1.5, zero-padded) of (v_norm + 1)/2',
      },
    },
    table,
    plots,
    sections: [
      { heading: 'Verdict', markdown: verdict },
      { heading: 'Sizes, data and recipe', markdown: sizes },
    ],
  };
}

export async function runAugmentationValue(ctx: StudyContext, params: Params): Promise<StudyOutcome> {
  const splits = makeSplits(ctx, params);
  const python = await requirePython(ctx.services.settings().pythonPath);
  ctx.log(`Python ${python.pythonVersion} at ${python.path}, torch ${python.torchVersion}.`);
  const family = recordedFamily(ctx.projectDir, splits.real);
  const plans = armPlans(params, splits);
  const totalSteps = plans.reduce((sum, p) => sum + p.steps, 0);
  const arms: ArmResult[] = [];
  let stepsBefore = 0;
  for (const plan of plans) {
    throwIfCancelled(ctx.signal);
    arms.push(await runArm(ctx, python.path, plan, { params, splits, family, stepsBefore, totalSteps }));
    stepsBefore += plan.steps;
  }
  ctx.progress({ done: totalSteps, total: totalSteps, unit: 'steps', message: 'writing the report' });
  return augmentationOutcome(params, splits, arms, family);
}

export const augmentationValueStudy: StudyKind<'augmentation-value'> = {
  kind: 'augmentation-value',
  title: (p) => `Augmentation value: InversionNet on ${p.realPercent} % of dataset ${p.datasetId}, ${p.generatedDatasetId !== undefined ? `dataset ${p.generatedDatasetId}` : 'the newest generated pairs'}, ${p.trainSteps} steps`,
  run: runAugmentationValue,
};
