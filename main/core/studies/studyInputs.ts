/**
 * Where a study's real pairs or seismic come from: a .npy file, a project dataset, or held-out pairs
 * synthesised from the stage-1 model's training families (the probe's seed, which no shipped
 * manifest records for training), with the studio's FD solver and OpenFWI's geometry.
 */
import path from 'node:path';
import { StudioError } from '../contract/errors.ts';
import { formatShape, openNpy, readNpyRows, type NpyFile } from '../io/npy.ts';
import { projectArrayPath } from '../store/project.ts';
import { locateSample } from '../datasets/sampleAccess.ts';
import type { DatasetDetail } from '../contract/contract.ts';
import { openfwiGeometry } from '../physics/acquisition.ts';
import type { Stage1Network } from '../ml/networks.ts';
import { holdoutSeedFor, synthesizeFamilyPairs, trainingFamilies } from '../generation/probe.ts';
import type { StudyContext } from './studyKind.ts';
import { concatenated } from '../util/typedArrays.ts';

export interface SeismicInput {
  /** What the samples are, for the report. */
  source: string;
  samples: number;
  /** float32 [count, sources, time, receivers], physical units. */
  readSeismic(start: number, count: number): Float32Array;
  /** float32 [count, 1, depth, width] m/s, where the input has velocity. */
  readVelocity?: (start: number, count: number) => Float32Array;
  /** The time step the input records, if it records one. */
  sampleIntervalMs: number | null;
}

function checkShape(shape: number[], stage1: Stage1Network, what: string): void {
  const expected = stage1.seismicShape;
  if (shape.length !== 4 || expected.some((d, i) => shape[i + 1] !== d)) {
    throw new StudioError('bad_input', `${what}: seismic ${formatShape(shape)} does not match the stage-1 model ${stage1.entry.ref}, which reads [N, ${expected.join(', ')}] ([N, sources, time, receivers]).`);
  }
}

/** The first `count` (default all) samples of a seismic .npy file. */
export function seismicFileInput(file: string, stage1: Stage1Network, count?: number): SeismicInput {
  const npy = openNpy(path.resolve(file));
  checkShape(npy.shape, stage1, npy.path);
  const samples = Math.min(count ?? npy.shape[0], npy.shape[0]);
  if (samples < 1) throw new StudioError('bad_input', `${npy.path} holds no samples.`);
  return { source: `${npy.path} (${samples} of ${npy.shape[0]} samples)`, samples, readSeismic: (start, n) => readNpyRows(npy, start, n), sampleIntervalMs: null };
}

/**
 * Samples `indices` (dataset order, across its parts) of a project dataset's seismic
 * [n, sources, time, receivers] or velocity [n, 1, depth, width] m/s, in the order given.
 */
export function readDatasetRows(projectDir: string, dataset: DatasetDetail, which: 'seismicFile' | 'velocityFile', indices: readonly number[]): Float32Array {
  const files = new Map<string, NpyFile>();
  const rows: Float32Array[] = [];
  for (const i of indices) {
    const { part, row } = locateSample(dataset, i);
    const relative = part[which];
    if (!relative) throw new StudioError('not_found', `Dataset '${dataset.name}' has no ${which === 'seismicFile' ? 'seismic' : 'velocity models'}; choose a dataset of pairs.`);
    let file = files.get(relative);
    if (!file) {
      file = openNpy(projectArrayPath(projectDir, relative));
      files.set(relative, file);
    }
    rows.push(readNpyRows(file, row, 1));
  }
  return concatenated(rows, Float32Array);
}

/** The first `count` (default all) samples of a project dataset, read sample by sample across its parts. */
export function datasetInput(ctx: Pick<StudyContext, 'projectDir' | 'catalogue'>, datasetId: number, stage1: Stage1Network, count?: number): SeismicInput {
  const dataset = ctx.catalogue.getReadyDataset(datasetId);
  const samples = Math.min(count ?? dataset.nSamples, dataset.nSamples);
  if (samples < 1) throw new StudioError('bad_input', `Dataset '${dataset.name}' holds no samples.`);
  const readRows = (which: 'seismicFile' | 'velocityFile', start: number, n: number): Float32Array => {
    const indices = Array.from({ length: n }, (_, i) => start + i);
    if (which === 'seismicFile') {
      for (const part of new Set(indices.map((i) => locateSample(dataset, i).part))) {
        if (part.seismicFile) checkShape(openNpy(projectArrayPath(ctx.projectDir, part.seismicFile)).shape, stage1, `Dataset '${dataset.name}'`);
      }
    }
    return readDatasetRows(ctx.projectDir, dataset, which, indices);
  };
  const hasVelocity = dataset.parts.every((p) => Boolean(p.velocityFile));
  return {
    source: `dataset '${dataset.name}' (id ${dataset.id}, ${samples} of ${dataset.nSamples} samples)`,
    samples,
    readSeismic: (start, n) => readRows('seismicFile', start, n),
    readVelocity: hasVelocity ? (start, n) => readRows('velocityFile', start, n) : undefined,
    sampleIntervalMs: dataset.sampleIntervalMs,
  };
}

/** `count` held-out pairs of the stage-1 model's training families, forward-modelled on OpenFWI's geometry. */
export async function heldOutInput(ctx: Pick<StudyContext, 'services' | 'signal'>, stage1: Stage1Network, count: number): Promise<SeismicInput & { seed: number; families: string[] }> {
  const models = { stage1 };
  const families = trainingFamilies(models);
  const seed = holdoutSeedFor(models);
  const geometry = openfwiGeometry();
  const pairs = await synthesizeFamilyPairs(models, ctx.services.fdPool(), geometry, { families, seed, count }, ctx.signal);
  const perSeismic = stage1.seismicShape.reduce((a, b) => a * b, 1);
  const perVelocity = stage1.velocityShape.reduce((a, b) => a * b, 1);
  return {
    source: `${count} held-out pair${count === 1 ? '' : 's'} of ${families.join(', ')} (velocity seed ${seed}, FD seismic on OpenFWI's geometry)`,
    samples: count,
    readSeismic: (start, n) => pairs.seismic.slice(start * perSeismic, (start + n) * perSeismic),
    readVelocity: (start, n) => pairs.velocityMps.slice(start * perVelocity, (start + n) * perVelocity),
    sampleIntervalMs: geometry.timeStepSeconds * geometry.recordEverySteps * 1000,
    seed,
    families,
  };
}
