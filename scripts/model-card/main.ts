/**
 * Evaluates the shipped default models and writes their model card (npm run models:card):
 *   native-models/default/card.json   the figures (a test checks the models still reproduce them)
 *   native-models/MODEL_CARD.md       the card, made from card.json alone (scripts/model-card/cardMarkdown.ts)
 *   native-models/learning-curves.png and native-models/campaign/curves.json, from the campaign's logs
 *
 *   npm run models:card -- --curves ~/.cache/wavediff-studio/training/{stage1,inversionnet,stage2}.jsonl
 *   WAVEDIFF_CARD_CURVES="a.jsonl b.jsonl" npm run models:card
 * Without logs, an existing native-models/campaign/curves.json redraws the PNG; without either the card
 * says that no curves exist yet. PROBE_COUNT sets the generation probe's samples (16).
 */
import fs from 'node:fs';
import path from 'node:path';
import { OnnxSessionPool } from '../../main/core/ml/onnxPool.ts';
import { FdWorkerPool } from '../../main/core/physics/pool.ts';
import { evaluateShippedModels } from './modelCard.ts';
import { TRAINING_MEAN_SET, trainingMeans } from './trainingMeans.ts';
import { assessTargets, PUBLISHED_INVERSIONNET, type CardGeneration } from './cardTargets.ts';
import { learningCurves, type LearningCurves } from './learningCurves.ts';
import { renderModelCard, type ModelCard } from './cardMarkdown.ts';
import { modelMegabytes, trainingRecords } from './cardTraining.ts';
import { runProbe } from '../../main/core/generation/probe.ts';
import { shippedModels, shippedModelsDir } from '../../main/core/ml/modelRegistry.ts';
import { appRoot } from '../../main/core/util/paths.ts';
import { synthesisFingerprint } from '../synthesis-fingerprint.ts';
import { writeFileAtomic } from '../../main/core/util/atomicFile.ts';
import type { Progress } from '../../main/core/util/progress.ts';

function curveLogs(argv: string[]): string[] {
  const unknown = argv.filter((a) => a.startsWith('--') && a !== '--curves');
  if (unknown.length) throw new Error(`model-card: unknown option ${unknown.join(' ')} (use --curves FILE...)`);
  const given = argv.slice(argv.indexOf('--curves') + 1);
  if (argv.includes('--curves') && given.length === 0) throw new Error('model-card: --curves needs the campaign logs, e.g. ~/.cache/wavediff-studio/training/*.jsonl');
  const env = (process.env.WAVEDIFF_CARD_CURVES ?? '').split(/\s+/).filter(Boolean);
  return (argv.includes('--curves') ? given : env).map((f) => path.resolve(f));
}

let lastLine = 0;
const progress = (p: Progress): void => {
  const now = Date.now();
  if (now - lastLine < 5000 && p.done !== p.total) return;
  lastLine = now;
  console.log(`  ${p.done}/${p.total} ${p.unit ?? ''} ${p.message ?? ''}`);
};

const started = Date.now();
const root = appRoot();
const logs = curveLogs(process.argv.slice(2));
const probeCount = Number(process.env.PROBE_COUNT ?? 16);
const onnx = new OnnxSessionPool({ onNotice: (m) => console.log(`note: ${m}`) });
const fd = new FdWorkerPool();
try {
  // Keyed by what the synthesis makes (as the campaign's data cache is): changed families must not
  // reuse the means of the old ones.
  const meansCache = path.join('.bench', 'model-card', `training-means-${await synthesisFingerprint(fd)}`);
  console.log(`Trivial predictors: per-pixel means of the training synthesis (cached in ${meansCache})…`);
  const means = await trainingMeans(TRAINING_MEAN_SET, path.join(root, meansCache), fd, { onProgress: progress });

  console.log('Evaluating on the fixed held-out set and real OpenFWI models…');
  const metrics = await evaluateShippedModels(onnx, fd, { means, onProgress: progress });

  console.log(`Generation probe on ${probeCount} samples (AB3, 20 steps)…`);
  const probe = await runProbe(onnx, fd, { stage1: 'default', stage2: 'default', inversionnet: 'default' }, null, { count: probeCount, seed: 0, sampler: { kind: 'ab3', steps: 20 }, onProgress: progress });
  const generation: CardGeneration = {
    samples: probeCount,
    sampler: 'AB3, 20 steps',
    generated_mean_pde_rel_l2: probe.denoised.mean,
    reconstruction_mean_pde_rel_l2: probe.reconstruction.mean,
    generated_over_reconstruction: probe.denoised.mean / probe.reconstruction.mean,
    random_mean_pde_rel_l2: probe.random.mean,
    holdout_seed: probe.holdout.seed,
    curve: probe.curve.map((c) => ({ step: c.step, t: c.t, mean_pde_rel_l2: c.mean })),
  };

  const summary = path.join(root, 'native-models', 'campaign', 'curves.json');
  const png = path.join(root, 'native-models', 'learning-curves.png');
  let curves: LearningCurves | null = null;
  if (logs.length || fs.existsSync(summary)) {
    console.log(logs.length ? `Learning curves from ${logs.join(', ')}…` : `Learning curves redrawn from ${path.relative(root, summary)}…`);
    curves = await learningCurves({ logs, summary, png });
  }
  const curveSources = curves ? (JSON.parse(fs.readFileSync(summary, 'utf8')) as { kinds: Record<string, { log: string }> }).kinds : {};

  const models = shippedModels();
  const card: ModelCard = {
    ...metrics,
    generation,
    targets: assessTargets({ ...metrics, generation }),
    published: PUBLISHED_INVERSIONNET,
    trivial: { ...TRAINING_MEAN_SET, samples: means.samples, cache: meansCache },
    training: trainingRecords(models),
    onnx_megabytes: modelMegabytes(models),
    curves: curves
      ? { summary: path.relative(root, summary), png: path.relative(root, png), logs: Object.values(curveSources).map((k) => k.log), trends: curves.trends }
      : null,
  };
  writeFileAtomic(path.join(shippedModelsDir(), 'card.json'), `${JSON.stringify(card, null, 2)}\n`);
  const markdown = renderModelCard(card);
  writeFileAtomic(path.join(root, 'native-models', 'MODEL_CARD.md'), markdown);
  console.log(markdown);
  console.log(`models:card finished in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
} finally {
  await onnx.close();
  await fd.close();
}
