import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { methods, isMethodName, type MethodName, type MethodParsedArgs, type MethodResult } from '../contract/contract.ts';
import type { Studio } from '../app/studio.ts';
import { StudioError } from '../contract/errors.ts';
import { appVersion } from '../util/version.ts';
import { shotGather, traceHeaderTable, velocityMap } from '../datasets/sampleAccess.ts';
import { deleteDataset } from '../datasets/deleteDataset.ts';
import { segyExportSampling } from '../datasets/segyExport.ts';
import { checkOpenfwiExportable } from '../datasets/exportOpenfwiJob.ts';
import { segyFileHeaders } from '../datasets/segyFileHeaders.ts';
import { expandSegyPaths } from '../datasets/segyImport.ts';
import { gatherKeyCandidates } from '../io/segy/gatherKeys.ts';
import { openDemoProject } from '../app/demoProject.ts';
import { projectGeometry, setProjectGeometry } from '../physics/projectGeometry.ts';
import { modelWavefield } from '../physics/solver.ts';
import { pdeDeviation, deviationToJson } from '../physics/deviation.ts';
import { recordedSamples, validateGeometry } from '../physics/acquisition.ts';
import { checkDeviationFiles, checkForwardFile } from '../physics/fileJobs.ts';
import { segyInfo } from '../io/segy/info.ts';
import { float32Payload, readSeismicSample, readVelocitySample } from '../datasets/sampleAccess.ts';

import { findPython, torchInstallHint } from '../training/python.ts';
import { listModels } from '../ml/modelRegistry.ts';
import { trainingSampling } from '../training/trainingSampling.ts';
import { readNpy } from '../io/npy.ts';
import type { GenerationSampleRow } from '../store/tables/generation.ts';
import { checkGenerationParams } from '../generation/paramChecks.ts';
import { sampleDetail, selectSampleIds } from '../generation/generatedSamples.ts';
import { assessModel } from '../generation/modelQuality.ts';
import { savePngFrames } from '../io/pngFrames.ts';
import { appendGifFrames } from '../io/gifMovie.ts';
import { sampleIntervalMs } from '../contract/acquisitionGeometry.ts';
import { checkStudyStart, deleteStudy, listStudies, studyInfo } from '../studies/studyFiles.ts';
import { exportStudyReport, readStudyReport } from '../studies/report.ts';
import { checkClusterWork } from '../cluster/clusterJob.ts';
import { clusterTrainingParams, trainingRunOf } from '../cluster/clusterTraining.ts';
import { resolveClusterFolder } from '../cluster/sbatchScript.ts';

function decodeFloat32(payload: { shape: number[]; base64: string }, what: string): Float32Array {
  const bytes = Buffer.from(payload.base64, 'base64');
  const expected = payload.shape.reduce((a, b) => a * b, 1);
  if (bytes.byteLength !== expected * 4) {
    throw new StudioError('bad_input', `${what}: ${bytes.byteLength} bytes do not hold a float32 array of shape [${payload.shape.join(', ')}].`);
  }
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

type Handler<M extends MethodName> = (studio: Studio, args: MethodParsedArgs<M>) => MethodResult<M> | Promise<MethodResult<M>>;
type Handlers = { [M in MethodName]: Handler<M> };

function listFolder(folder: string | undefined, showFiles: boolean): MethodResult<'fs.list'> {
  const target = path.resolve(folder && folder.length > 0 ? folder : os.homedir());
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(target, { withFileTypes: true });
  } catch (error) {
    throw new StudioError('not_found', `Cannot list ${target}: ${(error as Error).message}`);
  }
  const listed = entries
    .filter((e) => !e.name.startsWith('.') && (e.isDirectory() || (showFiles && e.isFile())))
    .map((e) => {
      const full = path.join(target, e.name);
      let sizeBytes: number | null = null;
      if (e.isFile()) {
        try {
          sizeBytes = fs.statSync(full).size;
        } catch {
          sizeBytes = null;
        }
      }
      return { name: e.name, path: full, kind: e.isDirectory() ? ('folder' as const) : ('file' as const), sizeBytes };
    })
    .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1));
  const parent = path.dirname(target);
  return { folder: target, parent: parent === target ? null : parent, entries: listed };
}

const handlers: Handlers = {
  'app.info': (studio) => ({
    version: appVersion(),
    shell: studio.shell === 'electron' ? 'electron' : 'browser',
    platform: `${process.platform}-${process.arch}`,
    cores: studio.cores,
  }),
  'settings.get': (studio) => studio.user.settings(),
  'settings.update': (studio, patch) => {
    const next = studio.user.updateSettings(patch);
    studio.jobs.maxConcurrent = next.maxConcurrentJobs;
    return next;
  },

  'project.current': (studio) => studio.project?.info() ?? null,
  'project.create': (studio, { folder, name }) => studio.createProject(folder, name),
  'project.open': (studio, { folder }) => studio.openProject(folder),
  'project.openDemo': (studio) => openDemoProject(studio),
  'project.close': async (studio) => {
    await studio.closeProject();
    return null;
  },
  'project.recent': (studio) => studio.user.recentProjects(),
  'project.forget': (studio, { folder }) => studio.user.forgetProject(folder),

  'fs.list': (_studio, { folder, showFiles }) => listFolder(folder, showFiles ?? false),

  'dataset.list': (studio) => studio.requireProject().catalogue.listDatasets(),
  'dataset.get': (studio, { datasetId }) => {
    const catalogue = studio.requireProject().catalogue;
    return catalogue.toPublic(catalogue.getReadyDataset(datasetId));
  },
  'dataset.rename': (studio, { datasetId, name }) => studio.requireProject().catalogue.renameDataset(datasetId, name),
  'dataset.delete': (studio, { datasetId }) => {
    deleteDataset(studio.requireProject(), datasetId);
    return null;
  },
  'dataset.shotGather': (studio, { datasetId, sample, source }) => {
    const project = studio.requireProject();
    return shotGather(project, project.catalogue.getReadyDataset(datasetId), sample, source);
  },
  'dataset.velocityMap': (studio, { datasetId, sample }) => {
    const project = studio.requireProject();
    return velocityMap(project, project.catalogue.getReadyDataset(datasetId), sample);
  },
  'dataset.traceHeaders': (studio, { datasetId, sample, source }) => {
    const project = studio.requireProject();
    return traceHeaderTable(project, project.catalogue.getReadyDataset(datasetId), sample, source);
  },

  'import.segy': (studio, args) => studio.jobs.start('import.segy', args),
  'import.openfwi': (studio, args) => studio.jobs.start('import.openfwi', args),
  'import.chunkedSet': (studio, args) => studio.jobs.start('import.chunkedSet', args),
  'export.openfwi': (studio, args) => {
    // Refused before a job is made: a job that can only fail would sit in the Jobs view offering Resume.
    checkOpenfwiExportable(studio.requireProject().catalogue.getReadyDataset(args.datasetId));
    return studio.jobs.start('export.openfwi', args);
  },

  'project.geometry': (studio) => projectGeometry(studio.requireProject().catalogue),
  'project.setGeometry': (studio, { geometry }) => setProjectGeometry(studio.requireProject().catalogue, geometry),
  'physics.synthesize': (studio, args) => studio.jobs.start('physics.synthesize', args),
  'physics.forward': (studio, args) => {
    studio.requireProject().catalogue.getReadyDataset(args.datasetId);
    return studio.jobs.start('physics.forward', args);
  },
  'physics.wavefield': async (studio, { velocityMps, shot, everySteps }) => {
    if (velocityMps.shape.length !== 2) throw new StudioError('bad_input', `velocityMps must be [depth, width]; got [${velocityMps.shape.join(', ')}].`);
    const [nz, nx] = velocityMps.shape;
    const geometry = projectGeometry(studio.requireProject().catalogue);
    const velocity = decodeFloat32(velocityMps, 'velocityMps');
    const field = await modelWavefield(velocity, nz, nx, geometry, { shot, everySteps, pool: studio.fdPool(), onNotice: (m) => studio.notice('warn', m) });
    let min = Infinity;
    let max = -Infinity;
    for (const v of field.snapshots) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return {
      snapshots: float32Payload(field.snapshots, [field.frames, nz, nx]),
      seismic: float32Payload(field.seismic, [recordedSamples(geometry), geometry.receivers.length]),
      frameIntervalMs: field.frameIntervalSeconds * 1000,
      sampleIntervalMs: sampleIntervalMs(geometry),
      gridSpacingM: geometry.spacingMeters,
      source: geometry.sources[shot],
      receivers: geometry.receivers,
      min,
      max,
    };
  },
  'dataset.deviation': async (studio, { datasetId, sample }) => {
    const project = studio.requireProject();
    const dataset = project.catalogue.getReadyDataset(datasetId);
    const seismic = readSeismicSample(project, dataset, sample);
    const velocity = readVelocitySample(project, dataset, sample);
    const [nz, nx] = velocity.shape;
    const report = await pdeDeviation(seismic.values, velocity.values, { n: 1, nz, nx }, projectGeometry(project.catalogue), { pool: studio.fdPool() });
    const json = deviationToJson(report);
    return {
      pde_rel_l2: json.pde_rel_l2,
      pde_mse: json.pde_mse,
      pde_rel_l2_per_source: json.pde_rel_l2_per_source,
      pde_mse_per_source: json.pde_mse_per_source,
    };
  },

  'python.detect': async (studio) => ({ ...(await findPython(studio.user.settings().pythonPath)), installHint: torchInstallHint }),
  'model.list': (studio) =>
    listModels(studio.project).map((m) => ({
      ref: m.ref,
      name: m.name,
      kind: m.kind,
      source: m.source,
      createdAt: m.createdAt,
      parameters: typeof m.manifest.parameters === 'number' ? m.manifest.parameters : null,
      metrics: (m.manifest.metrics as Record<string, unknown> | undefined) ?? null,
      training: (m.manifest.training as Record<string, unknown> | undefined) ?? null,
    })),
  'train.start': (studio, args) => {
    const dataset = studio.requireProject().catalogue.getReadyDataset(args.datasetId);
    if (!dataset.hasSeismic || !dataset.hasVelocity) throw new StudioError('bad_input', `Dataset '${dataset.name}' needs both seismic and velocity to train on.`);
    if (args.cluster) return studio.jobs.start('cluster.run', clusterTrainingParams(studio.requireProject(), args, studio.user.settings().cluster));
    return studio.jobs.start('train', args);
  },
  'train.events': (studio, { jobId, afterId }) => studio.requireProject().catalogue.trainingEvents(jobId, afterId ?? 0),
  'train.sampling': (studio, { jobId }) => {
    const { request } = trainingRunOf(studio.requireProject(), jobId);
    return request ? trainingSampling(studio.requireProject(), request) : null;
  },
  'train.preview': (studio, { jobId, file }) => {
    const runDir = trainingRunOf(studio.requireProject(), jobId).runFolder;
    const resolved = path.resolve(file);
    if (!resolved.startsWith(runDir + path.sep) || !resolved.endsWith('.npy')) {
      throw new StudioError('bad_input', `Preview files come from the job's run folder ${runDir}; ${file} is not one.`);
    }
    const array = readNpy(resolved);
    return float32Payload(array.data, array.shape);
  },

  'generate.start': (studio, args) => {
    checkGenerationParams(args, studio.requireProject());
    return studio.jobs.start('generate', args);
  },
  'cluster.submit': (studio, args) => {
    const settings = studio.user.settings().cluster;
    const work = { ...args, out: resolveClusterFolder(args.out, settings.sharedFolder) };
    checkClusterWork(work);
    return studio.jobs.start('cluster.run', { ...work, settings });
  },
  'generate.runs': (studio) =>
    studio.requireProject().catalogue.generation.listRuns().map(({ geometry: _g, params: _p, ...run }) => run),
  'gallery.query': (studio, args) => {
    const page = studio.requireProject().catalogue.generation.querySamples(args);
    return { total: page.total, samples: page.samples.map(sampleInfo) };
  },
  'gallery.sample': async (studio, { sampleId, withModelled }) => {
    const project = studio.requireProject();
    const detail = await sampleDetail(project.folder, project.catalogue, sampleId, { fdPool: studio.fdPool(), withModelled });
    const { arrays, geometry } = detail;
    const [, depth, width] = arrays.velocityShape;
    return {
      sample: sampleInfo(detail.sample),
      seismic: float32Payload(arrays.seismic, arrays.seismicShape),
      velocityMps: float32Payload(arrays.velocityMps, [depth, width]),
      invertedMps: float32Payload(arrays.invertedMps, [depth, width]),
      modelled: detail.modelled ? float32Payload(detail.modelled, arrays.seismicShape) : null,
      difference: detail.difference ? float32Payload(detail.difference, arrays.seismicShape) : null,
      sampleIntervalMs: sampleIntervalMs(geometry),
      gridSpacingM: geometry.spacingMeters,
    };
  },
  'gallery.tag': (studio, { sampleIds, tag }) => ({ changed: studio.requireProject().catalogue.generation.tag(sampleIds, tag) }),
  'gallery.untag': (studio, { sampleIds, tag }) => ({ changed: studio.requireProject().catalogue.generation.untag(sampleIds, tag) }),
  'gallery.tags': (studio) => studio.requireProject().catalogue.generation.tags(),
  'gallery.challenging': (studio, args) => studio.requireProject().catalogue.generation.selectChallenging(args).map(sampleInfo),
  'export.generated': (studio, args) => {
    const project = studio.requireProject();
    // Refuse an empty or ambiguous selection before a job is recorded.
    const ids = selectSampleIds(project.catalogue.generation, args);
    // A shard with no samples (more shards than files) still exports its manifest.
    const emptyShard = args.runId !== undefined && project.catalogue.generation.getRun(args.runId).count === 0;
    if (ids.length === 0 && !emptyShard) throw new StudioError('bad_input', 'No generated samples match; nothing to export.');
    return studio.jobs.start('export.generated', args);
  },

  'job.list': (studio) => studio.jobs.list(),
  'job.events': (studio, { jobId, afterId }) => studio.requireProject().catalogue.jobEvents(jobId, afterId ?? 0),
  'job.cancel': (studio, { jobId }) => studio.jobs.cancel(jobId),
  'job.resume': (studio, { jobId }) => studio.jobs.resume(jobId),
  'job.discard': (studio, { jobId }) => studio.jobs.discard(jobId),

  'dataset.segyHeaders': (studio, { datasetId, sample }) => segyFileHeaders(studio.requireProject().catalogue.getReadyDataset(datasetId), sample),
  'segy.gatherKeys': async (_studio, { path: given }) => {
    const [file] = expandSegyPaths([given]);
    return { file, ...(await gatherKeyCandidates(file)) };
  },
  'model.quality': (studio) => {
    const generated = studio.project ? studio.project.catalogue.generation.pdeDeviationByStage2Model() : [];
    return listModels(studio.project).map((m) => assessModel(m, generated));
  },
  'wavefield.saveFrames': (_studio, { folder, firstIndex, pngBase64 }) => ({
    files: savePngFrames(folder, firstIndex, pngBase64.map((b64) => Buffer.from(b64, 'base64'))),
  }),
  'wavefield.saveGif': (_studio, { file, rgbaBase64, ...batch }) => appendGifFrames(file, { ...batch, rgbaFrames: rgbaBase64.map((b64) => Buffer.from(b64, 'base64')) }),
  'export.segy': (studio, args) => {
    segyExportSampling(studio.requireProject().catalogue.getReadyDataset(args.datasetId));
    return studio.jobs.start('export.segy', args);
  },
  'physics.synthesizeFolder': (studio, args) => {
    validateGeometry(args.geometry, args.shape);
    return studio.jobs.start('physics.synthesizeFolder', args);
  },
  'physics.forwardFile': (studio, args) => {
    checkForwardFile(args);
    return studio.jobs.start('physics.forwardFile', args);
  },
  'physics.deviationFiles': (studio, args) => {
    checkDeviationFiles(args);
    return studio.jobs.start('physics.deviationFiles', args);
  },
  'ml.invertFile': (studio, args) => studio.jobs.start('ml.invertFile', args),
  'generate.probe': (studio, args) => studio.jobs.start('generate.probe', args),
  'study.start': (studio, args) => {
    const project = studio.requireProject();
    checkStudyStart(args, project.folder, project.catalogue);
    return studio.jobs.start('study', args);
  },
  'study.list': (studio, { kind }) => {
    const project = studio.requireProject();
    return listStudies(project.folder, project.catalogue, kind);
  },
  'study.open': (studio, { studyId }) => {
    const project = studio.requireProject();
    const study = studyInfo(project.folder, project.catalogue.studies.get(studyId));
    return { study, ...readStudyReport(study.folder) };
  },
  'study.delete': (studio, { studyId }) => {
    const project = studio.requireProject();
    deleteStudy(project.folder, project.catalogue, studyId, (jobId) => ['queued', 'running'].includes(studio.jobs.get(jobId).status));
    return null;
  },
  'study.export': (studio, { studyId, folder, overwrite }) => {
    const project = studio.requireProject();
    const study = studyInfo(project.folder, project.catalogue.studies.get(studyId));
    return { folder, files: exportStudyReport(study.folder, folder, overwrite) };
  },
  'segy.info': (studio, { file, gatherKey }) => segyInfo(file, { gatherKey, onNotice: (message) => studio.notice('info', message) }),
};

/** A catalogue row as the contract's generatedSampleSchema carries it. */
function sampleInfo(row: GenerationSampleRow): MethodResult<'gallery.query'>['samples'][number] {
  const { partIndex: _part, rowInPart: _row, ...info } = row;
  return info;
}

function describeIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(arguments)'}: ${i.message}`).join('; ');
}

/**
 * The one entry point every shell uses: checks that the method exists, validates the arguments
 * against the contract, runs the handler. Throws StudioError for anything a caller did wrong.
 */
export async function dispatch(studio: Studio, method: unknown, rawArgs: unknown): Promise<unknown> {
  if (!isMethodName(method)) throw new StudioError('bad_input', `Unknown API method ${JSON.stringify(method)}.`);
  const spec = methods[method];
  const parsed = spec.args.safeParse(rawArgs ?? {});
  if (!parsed.success) throw new StudioError('bad_input', `Invalid arguments for ${method}: ${describeIssue(parsed.error)}`);
  const handler = handlers[method] as Handler<MethodName>;
  return handler(studio, parsed.data as never);
}
