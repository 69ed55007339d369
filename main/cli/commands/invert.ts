import path from 'node:path';
import type { CliCommand } from '../command.ts';
import { StudioError } from '../../core/contract/errors.ts';
import { NpyWriter, openNpy, readNpyRows } from '../../core/io/npy.ts';
import { loadVelocityPredictor, predictVelocity, type InversionChoice } from '../../core/ml/invert.ts';
import { ProgressBar } from '../progressBar.ts';
import { cliAbortSignal } from '../interrupt.ts';
import { positiveInteger } from '../physicsArgs.ts';
import { cliOnnxPool, withModelProject } from '../modelArgs.ts';

export const invertCommand: CliCommand = {
  name: 'invert',
  summary: 'Predict velocity models from seismic with a trained network',
  usage: `Usage:
  wavediff invert --seismic S.npy --out V.npy [--model default] [--network inversionnet|stage1] [--batch-size 8]

S.npy is float32 [N, 5, 1000, 70] in physical units as OpenFWI stores it; V.npy is written as float32
[N, 1, 70, 70] in m/s. --model is 'default' (the shipped models), 'project:ID' with --project DIR, or a
model folder. --network defaults to the more accurate one (by the model card for the defaults).`,
  options: {
    seismic: { type: 'string' },
    out: { type: 'string' },
    model: { type: 'string' },
    network: { type: 'string' },
    'batch-size': { type: 'string' },
    threads: { type: 'string' },
    project: { type: 'string' },
  },
  async run(args, io) {
    const v = args.values;
    if (!v.seismic || !v.out) throw new StudioError('bad_input', 'Give --seismic S.npy and --out V.npy.');
    const choice = (v.network as string | undefined) ?? 'auto';
    if (!['inversionnet', 'stage1', 'auto'].includes(choice)) throw new StudioError('bad_input', `--network ${choice}: use inversionnet or stage1.`);
    const file = openNpy(path.resolve(v.seismic as string));
    const pool = cliOnnxPool(v.threads, io);
    try {
      return await withModelProject(v.project as string | undefined, async (project) => {
        const predictor = await loadVelocityPredictor(pool, (v.model as string | undefined) ?? 'default', choice as InversionChoice, project);
        const expected = predictor.seismicShape;
        if (file.shape.length !== 4 || expected.some((d, i) => file.shape[i + 1] !== d)) {
          throw new StudioError('bad_input', `${file.path}: seismic [${file.shape.join(', ')}] does not match the ${predictor.network} model's [N, ${expected.join(', ')}].`);
        }
        const samples = file.shape[0];
        const writer = new NpyWriter(path.resolve(v.out as string), { shape: [samples, ...predictor.velocityShape] });
        const bar = new ProgressBar(io, `invert (${predictor.network}, ${predictor.modelRef})`);
        try {
          await predictVelocity(predictor, (start, count) => readNpyRows(file, start, count), samples, (velocity) => writer.write(velocity), {
            batchSize: positiveInteger(v['batch-size'], 'batch-size', 8),
            signal: cliAbortSignal,
            onProgress: bar.update,
          });
          writer.commit();
        } catch (error) {
          writer.abort();
          throw error;
        }
        bar.finish(`wrote ${samples} velocity models to ${v.out}`);
        return 0;
      });
    } finally {
      await pool.close();
    }
  },
};
