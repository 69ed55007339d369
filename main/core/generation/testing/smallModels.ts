/**
 * Small real models for the benchmark (bench/generate.ts), which needs torch: 6 synthesised CurveVel-A
 * pairs, then stage 1, InversionNet and stage 2 trained for 2 steps each by native-models' trainer and
 * exported to ONNX (as ml/networks.test.ts does). Untrained in any useful sense, but real graphs with
 * real manifests, shapes and schedules. The generation tests run on the committed defaults instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { synthesizeDataset } from '../../physics/synthesis.ts';
import { openfwiGeometry } from '../../physics/acquisition.ts';
import { FdWorkerPool } from '../../physics/pool.ts';
import { runTrainerModule } from '../../training/trainerProcess.ts';
import { StudioError } from '../../contract/errors.ts';

export interface SmallModels {
  /** Folders holding manifest.json and the ONNX graphs. */
  stage1: string;
  stage2: string;
  inversionnet: string;
  /** The 6 training pairs (data1.npy / model1.npy). */
  dataDir: string;
}

async function train(python: string, dir: string, kind: string, extra: string[]): Promise<string> {
  const out = path.join(dir, `run-${kind}`);
  const run = runTrainerModule(
    python,
    'train',
    [kind, '--data', path.join(dir, 'data'), '--out', out, '--steps', '2', '--batch-size', '2', '--log-every', '1', '--max-val-samples', '2', '--val-fraction', '0.34', ...extra],
    { onMessage: () => undefined, onLog: () => undefined },
  );
  const done = await run.finished;
  if (done.type !== 'done' || typeof done.model_dir !== 'string') throw new StudioError('internal', `Training ${kind} for the test models did not finish.`);
  return done.model_dir;
}

/** Trains the three small models into `dir` (reusing them when `dir/models.json` exists). */
export async function trainSmallModels(python: string, dir: string): Promise<SmallModels> {
  const record = path.join(dir, 'models.json');
  if (fs.existsSync(record)) return JSON.parse(fs.readFileSync(record, 'utf8')) as SmallModels;
  fs.mkdirSync(dir, { recursive: true });
  const pool = new FdWorkerPool({ size: 2 });
  try {
    await synthesizeDataset({ family: 'curvevel-a', count: 6, seed: 3, geometry: openfwiGeometry(), destDir: path.join(dir, 'data') }, { pool });
  } finally {
    await pool.close();
  }
  const [stage1, inversionnet] = await Promise.all([train(python, dir, 'stage1', []), train(python, dir, 'inversionnet', [])]);
  const stage2 = await train(python, dir, 'stage2', ['--stage1', stage1]);
  const models: SmallModels = { stage1, stage2, inversionnet, dataDir: path.join(dir, 'data') };
  fs.writeFileSync(record, JSON.stringify(models));
  return models;
}
