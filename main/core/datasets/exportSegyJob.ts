import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { JobKind } from '../jobs/jobKind.ts';
import { methods } from '../contract/contract.ts';
import { arraysFolderName } from '../store/project.ts';
import { projectGeometry } from '../physics/projectGeometry.ts';
import { exportDatasetSegy, type SegyExportResult } from './segyExport.ts';

type Params = z.output<(typeof methods)['export.segy']['args']>;

/** A dataset's seismic → one SEG-Y file outside the project (see exportDatasetSegy). */
export const exportSegyJob: JobKind<Params, never, SegyExportResult> = {
  kind: 'export.segy',
  paramsSchema: methods['export.segy'].args as unknown as z.ZodType<Params>,
  title: (p) => `Export dataset ${p.datasetId} as SEG-Y to ${path.basename(p.file)}`,
  async run(ctx, params) {
    const dataset = ctx.catalogue.getReadyDataset(params.datasetId);
    const arrays = path.join(ctx.projectDir, arraysFolderName);
    fs.mkdirSync(path.dirname(path.resolve(params.file)), { recursive: true });
    const result = exportDatasetSegy({ arrayPath: (relative) => path.join(arrays, relative) }, dataset, params.file, {
      projectGeometry: projectGeometry(ctx.catalogue),
      overwrite: params.overwrite,
      exists: (file) => fs.existsSync(file),
      signal: ctx.signal,
      onProgress: (p) => ctx.progress(p),
    });
    const coordinates = { segy: 'trace headers as imported', geometry: 'coordinates from the acquisition geometry', none: 'no coordinates (the dataset records no geometry)' }[result.headers];
    if (result.headers === 'none') ctx.log(`Dataset '${dataset.name}' records no acquisition geometry matching its shape: the traces carry shot and receiver numbers but no coordinates.`, 'warn');
    ctx.log(
      `Wrote ${result.traces} traces of ${result.samples} sample(s) at ${result.sampleIntervalMs} ms to ${result.file}, ${coordinates}` +
        `${result.paddedTracesLeftOut ? `; ${result.paddedTracesLeftOut} zero traces that padded shorter gathers were left out` : ''}.`,
    );
    return result;
  },
};
