/**
 * A generation's batches gathered into chunk files (generationJob.ts, gatherCompleteChunk) on a real
 * catalogue and real files: a chunk is gathered once all its samples are committed — also when the
 * gathering was cut short after the batch's commit, as a resume finds it — into one part whose files
 * hold its batches' arrays in order, with its samples' rows moved and the batch files gone; a chunk
 * of one batch is the same file under the chunk's name; a second call changes nothing.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Project, arraysFolderName } from '../store/project.ts';
import { openfwiGeometry } from '../physics/acquisition.ts';
import { readNpy, writeNpy } from '../io/npy.ts';
import type { GenerationRunRow } from '../store/tables/generation.ts';
import { batchFiles, gatherCompleteChunk } from './generationJob.ts';
import { GeneratedArrays } from './generatedSamples.ts';

let dir: string;
let project: Project;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-chunks-'));
  project = Project.create(path.join(dir, 'p'), 'chunks');
});
afterAll(() => {
  project.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const seismicShape = [1, 2, 3];
const velocityShape = [1, 2, 2];
/** Every value of sample i's arrays is i (seismic), 100 + i (velocity), 200 + i (inversion). */
const filled = (samples: number[], shape: number[], offset: number) => Float32Array.from(samples.flatMap((i) => Array<number>(shape.reduce((a, b) => a * b, 1)).fill(offset + i)));

describe('chunk files of a generation', () => {
  it('gathers each complete chunk of batches into one part and its files, moving the sample rows', () => {
    const store = project.catalogue.generation;
    const folderName = 'gen-job99';
    const run: GenerationRunRow = store.createRun(
      { jobId: null, stage1Ref: 'default:stage1', stage2Ref: 'default:stage2', inversionRef: 'default:inversionnet', sampler: 'ab3', samplerLabel: 'ab3', steps: 2, seed: 0, count: 5, batchSize: 2, physicsCheck: false, provider: 'cpu', geometry: openfwiGeometry(), params: {} },
      { name: 'chunks', folder: folderName, sampleIntervalMs: 1, gridSpacingM: 10, meta: {} },
    );
    const folder = path.join(project.folder, arraysFolderName, folderName);
    fs.mkdirSync(folder, { recursive: true });
    // 5 samples in chunks of 2 (shard 3/4 of a larger run: its first global sample is 40): [40, 41] [42, 43] [44].
    const layout = { folderName, size: 5, samplesPerFile: 2, firstSample: 40, seismicShape, velocityShape };
    const ctx = { projectDir: project.folder, catalogue: project.catalogue };
    let partIndex = 0;
    const commit = (samples: number[]): void => {
      const files = batchFiles(partIndex + 1);
      writeNpy(path.join(folder, files.seismicFile), filled(samples, seismicShape, 0), [samples.length, ...seismicShape]);
      writeNpy(path.join(folder, files.velocityFile), filled(samples, velocityShape, 100), [samples.length, ...velocityShape]);
      writeNpy(path.join(folder, files.inversionFile), filled(samples, velocityShape, 200), [samples.length, ...velocityShape]);
      store.commitBatch(
        run,
        { partIndex, seismicFile: `${folderName}/${files.seismicFile}`, velocityFile: `${folderName}/${files.velocityFile}`, inversionFile: `${folderName}/${files.inversionFile}`, seismicShape, velocityShape },
        samples.map((i, b) => ({ sampleIndex: 40 + i, partIndex, rowInPart: b, seed: i, pde_rel_l2: null, pde_mse: null, pde_rel_l2_per_source: null, inv_mae: 0, inv_rmse: 0, inv_ssim: 1 })),
        'cpu',
      );
    };
    const state = () => ({
      parts: project.catalogue.getDataset(run.datasetId).parts.map((p) => [p.partIndex, p.nSamples, p.seismicFile, p.velocityFile, p.meta.inversionFile]),
      rows: store.querySamples({ runId: run.id, sort: 'id', limit: 10 }).samples.map((s) => [s.sampleIndex, s.partIndex, s.rowInPart]),
      files: fs.readdirSync(folder).sort(),
    });

    commit([0]);
    partIndex = gatherCompleteChunk(ctx, run, layout);
    expect(partIndex).toBe(1);
    expect(state().files).toEqual(['batch1.data.npy', 'batch1.inversion.npy', 'batch1.model.npy']);
    commit([1]);
    // A reader that fetched the rows and opened the batch files before the gathering (the gallery's
    // export while the run goes on) still reads each sample's own arrays after it.
    const reader = new GeneratedArrays(project.folder, project.catalogue);
    const earlyRows = store.querySamples({ runId: run.id, sort: 'id', limit: 10 }).samples;
    expect(earlyRows.map((s) => reader.read(s).seismic[0])).toEqual([0, 1]);
    // Cut short here (a crash after the commit): a resume gathers chunk 1 from its two batches.
    partIndex = gatherCompleteChunk(ctx, run, layout);
    expect(earlyRows.map((s) => [s.partIndex, reader.read(s).seismic[0], reader.read(s).velocityMps[0], reader.read(s).invertedMps[0]])).toEqual([
      [0, 0, 100, 200],
      [1, 1, 101, 201],
    ]);
    expect(partIndex).toBe(1);
    expect(state()).toEqual({
      parts: [[0, 2, `${folderName}/data1.npy`, `${folderName}/model1.npy`, `${folderName}/inversion1.npy`]],
      rows: [[40, 0, 0], [41, 0, 1]],
      files: ['data1.npy', 'inversion1.npy', 'model1.npy'],
    });
    expect(Array.from(readNpy(path.join(folder, 'data1.npy')).data)).toEqual(Array.from(filled([0, 1], seismicShape, 0)));
    expect(readNpy(path.join(folder, 'data1.npy')).shape).toEqual([2, ...seismicShape]);
    expect(Array.from(readNpy(path.join(folder, 'model1.npy')).data)).toEqual(Array.from(filled([0, 1], velocityShape, 100)));
    expect(Array.from(readNpy(path.join(folder, 'inversion1.npy')).data)).toEqual(Array.from(filled([0, 1], velocityShape, 200)));

    commit([2, 3]);
    partIndex = gatherCompleteChunk(ctx, run, layout);
    commit([4]);
    partIndex = gatherCompleteChunk(ctx, run, layout);
    expect(partIndex).toBe(3);
    const before = state();
    expect(before).toEqual({
      parts: [
        [0, 2, `${folderName}/data1.npy`, `${folderName}/model1.npy`, `${folderName}/inversion1.npy`],
        [1, 2, `${folderName}/data2.npy`, `${folderName}/model2.npy`, `${folderName}/inversion2.npy`],
        [2, 1, `${folderName}/data3.npy`, `${folderName}/model3.npy`, `${folderName}/inversion3.npy`],
      ],
      rows: [[40, 0, 0], [41, 0, 1], [42, 1, 0], [43, 1, 1], [44, 2, 0]],
      files: ['data1.npy', 'data2.npy', 'data3.npy', 'inversion1.npy', 'inversion2.npy', 'inversion3.npy', 'model1.npy', 'model2.npy', 'model3.npy'],
    });
    expect(Array.from(readNpy(path.join(folder, 'inversion2.npy')).data)).toEqual(Array.from(filled([2, 3], velocityShape, 200)));
    expect(project.catalogue.getDataset(run.datasetId).nSamples).toBe(5);
    // Nothing left to gather: a second call is a no-op.
    expect(gatherCompleteChunk(ctx, run, layout)).toBe(3);
    expect(state()).toEqual(before);
  });
});
