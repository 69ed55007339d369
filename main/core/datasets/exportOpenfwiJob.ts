import path from 'node:path';
import { projectArrayPath } from '../store/project.ts';
import { z } from 'zod';
import type { JobKind } from '../jobs/jobKind.ts';
import { methods, type DatasetDetail } from '../contract/contract.ts';
import { exportOpenfwi } from '../io/openfwi.ts';
import { StudioError } from '../contract/errors.ts';

/** OpenFWI pairs need velocity models; the `export.openfwi` call checks it before it makes a job. */
export function checkOpenfwiExportable(dataset: Pick<DatasetDetail, 'name' | 'hasVelocity'>): void {
  if (!dataset.hasVelocity) {
    throw new StudioError('unsupported', `Dataset '${dataset.name}' holds seismic only; OpenFWI export needs velocity models. Export its seismic as SEG-Y instead (wavediff export segy).`);
  }
}

type Params = z.output<(typeof methods)['export.openfwi']['args']>;

/** A dataset → OpenFWI files data1.npy/model1.npy… in a folder outside the project. */
export const exportOpenfwiJob: JobKind<Params, never, { folder: string; files: string[]; samples: number }> = {
  kind: 'export.openfwi',
  paramsSchema: methods['export.openfwi'].args as unknown as z.ZodType<Params>,
  title: (p) => `Export dataset ${p.datasetId} to ${path.basename(p.folder)}`,
  async run(ctx, params) {
    const dataset = ctx.catalogue.getReadyDataset(params.datasetId);
    const arrays = (relative: string): string => projectArrayPath(ctx.projectDir, relative);
    checkOpenfwiExportable(dataset);
    const parts = dataset.parts.map((p) => ({ seismicPath: p.seismicFile ? arrays(p.seismicFile) : null, velocityPath: arrays(p.velocityFile!) }));
    const written = await exportOpenfwi(parts, params.folder, {
      overwrite: params.overwrite,
      signal: ctx.signal,
      onProgress: (p) => ctx.progress(p),
      onNotice: (message) => ctx.log(message, 'warn'),
    });
    const files = written.parts.flatMap((p) => [p.seismicFile, p.velocityFile].filter((f): f is string => f !== null));
    ctx.log(`Wrote ${written.samples} samples to ${params.folder}: ${files.join(', ')}.`);
    return { folder: path.resolve(params.folder), files, samples: written.samples };
  },
};

