import { z } from 'zod';
import type { JobKind, JobServices } from '../jobs/jobKind.ts';
import type { OnnxPoolService } from './onnxPool.ts';
import { methods } from '../contract/contract.ts';
import { StudioError } from '../contract/errors.ts';
import { NpyWriter, openNpy, readNpyRows } from '../io/npy.ts';
import { loadVelocityPredictor, predictVelocity } from './invert.ts';

type Params = z.output<(typeof methods)['ml.invertFile']['args']>;

/** Seismic in an .npy → predicted velocity models in another (written whole); a resumed job starts again. */
export const invertFileJob: JobKind<Params, never, { out: string; samples: number; network: string; modelRef: string }, JobServices & OnnxPoolService> = {
  kind: 'ml.invertFile',
  paramsSchema: methods['ml.invertFile'].args as unknown as z.ZodType<Params>,
  title: (p) => `Invert ${p.seismicFile} (${p.network === 'auto' ? 'network by accuracy' : p.network === 'refined' ? `stage 1 refined, K ${p.refineSteps}, M ${p.candidates}` : p.network}, ${p.model})`,
  async run(ctx, params) {
    const file = openNpy(params.seismicFile);
    const predictor = await loadVelocityPredictor(ctx.services.onnxPool(), params.model, params.network, { folder: ctx.projectDir, catalogue: ctx.catalogue }, {
      steps: params.refineSteps,
      candidates: params.candidates,
      seed: params.seed,
    });
    const expected = predictor.seismicShape;
    if (file.shape.length !== 4 || expected.some((d, i) => file.shape[i + 1] !== d)) {
      throw new StudioError('bad_input', `${file.path}: seismic [${file.shape.join(', ')}] does not match the ${predictor.network} model's [N, ${expected.join(', ')}].`);
    }
    ctx.log(`Inverting with ${predictor.network} (${predictor.modelRef}).`);
    const samples = file.shape[0];
    const writer = new NpyWriter(params.out, { shape: [samples, ...predictor.velocityShape] });
    try {
      await predictVelocity(predictor, (start, count) => readNpyRows(file, start, count), samples, (velocity) => writer.write(velocity), {
        batchSize: params.batchSize,
        signal: ctx.signal,
        onProgress: (p) => ctx.progress(p),
      });
      writer.commit();
    } catch (error) {
      writer.abort();
      throw error;
    }
    return { out: params.out, samples, network: predictor.network, modelRef: predictor.modelRef };
  },
};
