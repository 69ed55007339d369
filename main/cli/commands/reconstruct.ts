import path from 'node:path';
import type { CliCommand } from '../command.ts';
import { StudioError } from '../../core/contract/errors.ts';
import { NpyWriter, openNpy, readNpyRows } from '../../core/io/npy.ts';
import { loadStage1, reconstructThroughStage1 } from '../../core/ml/reconstruct.ts';
import { ProgressBar } from '../progressBar.ts';
import { cliAbortSignal } from '../interrupt.ts';
import { positiveInteger } from '../physicsArgs.ts';
import { cliOnnxPool, withModelProject } from '../modelArgs.ts';

export const reconstructCommand: CliCommand = {
  name: 'reconstruct',
  summary: "Pass seismic through stage 1's shared latent space: reconstructed seismic and its velocity",
  usage: `Usage:
  wavediff reconstruct --seismic S.npy --out-seismic S2.npy --out-velocity V.npy [--model default] [--batch-size 8]

Stage 1 as an autoencoder: seismic → encoder → quantised latent → seismic decoder and velocity decoder.
S.npy is float32 [N, 5, 1000, 70] in physical units as OpenFWI stores it (other dtypes are converted);
S2.npy is written with the same shape and units, V.npy as float32 [N, 1, 70, 70] in m/s. Give either
output or both. --model is 'default' (the shipped models), 'project:ID' with --project DIR, or a model
folder; --threads sets ONNX's intra-op threads (default 1).`,
  options: {
    seismic: { type: 'string' },
    'out-seismic': { type: 'string' },
    'out-velocity': { type: 'string' },
    model: { type: 'string' },
    'batch-size': { type: 'string' },
    threads: { type: 'string' },
    project: { type: 'string' },
  },
  async run(args, io) {
    const v = args.values;
    const seismicOut = v['out-seismic'] as string | undefined;
    const velocityOut = v['out-velocity'] as string | undefined;
    if (!v.seismic || (!seismicOut && !velocityOut)) {
      throw new StudioError('bad_input', 'Give --seismic S.npy and at least one of --out-seismic S2.npy and --out-velocity V.npy.');
    }
    const batchSize = positiveInteger(v['batch-size'], 'batch-size', 8);
    const file = openNpy(path.resolve(v.seismic as string));
    const pool = cliOnnxPool(v.threads, io);
    try {
      return await withModelProject(v.project as string | undefined, async (project) => {
        const stage1 = await loadStage1(pool, (v.model as string | undefined) ?? 'default', project);
        const expected = stage1.seismicShape;
        if (file.shape.length !== 4 || expected.some((d, i) => file.shape[i + 1] !== d)) {
          throw new StudioError(
            'bad_input',
            `${file.path}: seismic [${file.shape.join(', ')}] does not match the stage-1 model ${stage1.entry.ref}, which reads [N, ${expected.join(', ')}] ([N, sources, time, receivers], OpenFWI's layout).`,
          );
        }
        const samples = file.shape[0];
        const outputs = [
          { file: seismicOut, shape: [samples, ...expected], part: 'seismic' as const },
          { file: velocityOut, shape: [samples, ...stage1.velocityShape], part: 'velocityMps' as const },
        ];
        const writers: { writer: NpyWriter; part: 'seismic' | 'velocityMps' }[] = [];
        const bar = new ProgressBar(io, `reconstruct (stage1, ${stage1.entry.ref})`);
        try {
          for (const o of outputs) if (o.file) writers.push({ writer: new NpyWriter(path.resolve(o.file), { shape: o.shape }), part: o.part });
          await reconstructThroughStage1(stage1, (start, count) => readNpyRows(file, start, count), samples, (batch) => writers.forEach((w) => w.writer.write(batch[w.part])), {
            batchSize,
            signal: cliAbortSignal,
            onProgress: bar.update,
          });
          for (const w of writers) w.writer.commit();
        } catch (error) {
          for (const w of writers) w.writer.abort();
          throw error;
        }
        bar.finish(`wrote ${samples} reconstructions to ${[seismicOut, velocityOut].filter(Boolean).join(' and ')}`);
        return 0;
      });
    } finally {
      await pool.close();
    }
  },
};
