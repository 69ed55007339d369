import { z } from 'zod';
import type { JobKind, JobServices } from '../jobs/jobKind.ts';
import type { FdPoolService } from './pool.ts';
import { methods } from '../contract/contract.ts';
import { StudioError } from '../contract/errors.ts';
import { openNpy, readNpy, writeNpy } from '../io/npy.ts';
import { recordedSamples, validateGeometry } from './acquisition.ts';
import type { AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';
import { forwardModel } from './solver.ts';
import { deviationToJson, pdeDeviation, type PdeDeviationReport } from './deviation.ts';
import { readVelocityFile, velocityFileShape } from './velocityFile.ts';

type ForwardParams = z.output<(typeof methods)['physics.forwardFile']['args']>;
type DeviationParams = z.output<(typeof methods)['physics.deviationFiles']['args']>;

/** The velocity file's batch shape and the geometry checked against it; throws before any work. */
export function checkForwardFile(params: { velocityFile: string; geometry: unknown }): { n: number; nz: number; nx: number; geometry: AcquisitionGeometry } {
  const shape = velocityFileShape(params.velocityFile);
  return { ...shape, geometry: validateGeometry(params.geometry, shape) };
}

/** Seismic [N, sources, time, receivers] that N velocity models make on this geometry. */
function seismicShape(n: number, geometry: AcquisitionGeometry): number[] {
  return [n, geometry.sources.length, recordedSamples(geometry), geometry.receivers.length];
}

/** Checks that the seismic file holds what the velocity file makes on the geometry; throws before any work. */
export function checkDeviationFiles(params: { seismicFile: string; velocityFile: string; geometry: unknown }): void {
  const { n, geometry } = checkForwardFile(params);
  const seismic = openNpy(params.seismicFile);
  const expected = seismicShape(n, geometry);
  if (seismic.shape.join(',') !== expected.join(',')) {
    throw new StudioError(
      'bad_input',
      `${params.seismicFile}: shape [${seismic.shape.join(', ')}], but ${n} velocity models on this geometry make [${expected.join(', ')}] (N, sources, time, receivers).`,
    );
  }
}

/** Velocity models in an .npy → their seismic in another .npy (written whole, atomically); a resumed job starts again. */
export const forwardFileJob: JobKind<ForwardParams, never, { out: string; shape: number[] }, JobServices & FdPoolService> = {
  kind: 'physics.forwardFile',
  paramsSchema: methods['physics.forwardFile'].args as unknown as z.ZodType<ForwardParams>,
  title: (p) => `Forward-model ${p.velocityFile}`,
  async run(ctx, params) {
    const batch = readVelocityFile(params.velocityFile, (message) => ctx.log(message, 'warn'));
    const geometry = validateGeometry(params.geometry, batch);
    const seismic = await forwardModel(batch.velocityMps, batch, geometry, {
      pool: ctx.services.fdPool(),
      signal: ctx.signal,
      onProgress: (p) => ctx.progress(p),
      onNotice: (message) => ctx.log(message, 'warn'),
    });
    const shape = seismicShape(batch.n, geometry);
    writeNpy(params.out, seismic, shape);
    return { out: params.out, shape };
  },
};

/** PDE deviation of the pairs in a seismic and a velocity .npy; the report is the job's result. */
export const deviationFilesJob: JobKind<DeviationParams, never, PdeDeviationReport, JobServices & FdPoolService> = {
  kind: 'physics.deviationFiles',
  paramsSchema: methods['physics.deviationFiles'].args as unknown as z.ZodType<DeviationParams>,
  title: (p) => `PDE deviation of ${p.seismicFile}`,
  async run(ctx, params) {
    checkDeviationFiles(params);
    const onNotice = (message: string): void => ctx.log(message, 'warn');
    const batch = readVelocityFile(params.velocityFile, onNotice);
    const geometry = validateGeometry(params.geometry, batch);
    const seismic = readNpy(params.seismicFile, { onNotice });
    const report = await pdeDeviation(seismic.data, batch.velocityMps, batch, geometry, {
      pool: ctx.services.fdPool(),
      signal: ctx.signal,
      onProgress: (p) => ctx.progress(p),
      onNotice,
    });
    return deviationToJson(report);
  },
};
