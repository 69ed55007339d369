import type { z } from 'zod';
import type { TrainingSampling } from '../contract/contract.ts';
import { methods } from '../contract/contract.ts';
import { StudioError } from '../contract/errors.ts';
import { gatherPositions } from '../datasets/gatherPositions.ts';
import { locateSample, paddedReceivers } from '../datasets/sampleAccess.ts';
import type { Project } from '../store/project.ts';

/** A training job's recorded train.start request. */
export function trainingRequest(jobId: number, params: unknown): z.output<(typeof methods)['train.start']['args']> {
  const parsed = methods['train.start'].args.safeParse(params);
  if (!parsed.success) throw new StudioError('bad_file', `Training job ${jobId} records malformed parameters; start a new run.`);
  return parsed.data;
}

/**
 * The sampling of the dataset a training previews (its validation dataset, else its training
 * dataset), from the catalogue; null when that dataset has been deleted since.
 */
export function trainingSampling(project: Project, request: Pick<z.output<(typeof methods)['train.start']['args']>, 'datasetId' | 'valDatasetId'>): TrainingSampling | null {
  const datasetId = request.valDatasetId ?? request.datasetId;
  if (!project.catalogue.listDatasets().some((d) => d.id === datasetId)) return null;
  const dataset = project.catalogue.getReadyDataset(datasetId);
  let positions = null;
  const shape = dataset.seismicShape;
  if (shape && dataset.nSamples > 0) {
    const [nSources, , nReceivers] = shape;
    // The trainer previews the middle source (tasks.py, _middle_shot).
    const source = Math.floor(nSources / 2);
    const { part, row } = locateSample(dataset, 0);
    positions = gatherPositions(project, dataset, part, row, source, { nSources, nReceivers }, new Set(paddedReceivers(project, part, row, source, nSources, nReceivers)));
  }
  return {
    datasetId,
    datasetName: dataset.name,
    seismicShape: dataset.seismicShape,
    velocityShape: dataset.velocityShape,
    sampleIntervalMs: dataset.sampleIntervalMs,
    gridSpacingM: dataset.gridSpacingM,
    positions,
  };
}
