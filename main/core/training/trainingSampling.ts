import type { TrainingSampling } from '../contract/contract.ts';
import { methods } from '../contract/contract.ts';
import { StudioError } from '../contract/errors.ts';
import { gatherPositions } from '../datasets/gatherPositions.ts';
import { locateSample, paddedReceivers } from '../datasets/sampleAccess.ts';
import type { Project } from '../store/project.ts';

/**
 * The sampling of the dataset a training job previews (its validation dataset, else its training
 * dataset), from the catalogue; null when that dataset has been deleted since.
 */
export function trainingSampling(project: Project, jobId: number): TrainingSampling | null {
  const job = project.catalogue.getJob(jobId);
  if (job.kind !== 'train') throw new StudioError('bad_input', `Job ${jobId} is a ${job.kind} job, not a training run.`);
  const params = methods['train.start'].args.safeParse(job.params);
  if (!params.success) throw new StudioError('bad_file', `Training job ${jobId} records malformed parameters; start a new run.`);
  const datasetId = params.data.valDatasetId ?? params.data.datasetId;
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
