/**
 * `wavediff generate --out DIR` without --project keeps its work in a scratch project in the user's
 * data folder (not in DIR, not among the recent projects), and the same command run again continues
 * where the last one stopped. Found by `npm run chaos`: a run
 * killed during its export generated every sample a second time when run again.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appRoot } from '../../core/util/paths.ts';
import { Project } from '../../core/store/project.ts';
import { shippedModelsDir } from '../../core/ml/modelRegistry.ts';
import { missing } from '../../core/util/testing/requirement.ts';
import { scratchProjectFolder } from '../studioSession.ts';

const cli = path.join(appRoot(), 'bin', 'wavediff.mjs');
const defaultsShipped = ['stage1', 'stage2', 'inversionnet'].every((kind) => fs.existsSync(path.join(shippedModelsDir(), kind, 'manifest.json')));

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-generate-cli-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function wavediff(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, WAVEDIFF_DATA_DIR: path.join(dir, 'user') } });
}

function exportedBytes(out: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(out).filter((n) => n.endsWith('.npy')).sort().map((n) => [n, fs.readFileSync(path.join(out, n)).toString('base64')]));
}

describe.skipIf(missing(`the default models in ${shippedModelsDir()}`, defaultsShipped))('wavediff generate run again', () => {
  it('after a crash during the export, exports the finished generation instead of generating it again; after success, does nothing new', () => {
    const out = path.join(dir, 'aug');
    const command = ['generate', '--count', '2', '--batch-size', '1', '--steps', '2', '--seed', '4', '--no-physics', '--no-segy', '--out', out];
    const first = wavediff(...command);
    expect(first.status, first.stderr).toBe(0);
    const bytes = exportedBytes(out);
    expect(Object.keys(bytes)).toEqual(['data1.npy', 'model1.npy']);
    // The export folder holds the export alone; the scratch project is not offered to the GUI.
    expect(fs.readdirSync(out).sort()).toEqual(['data1.npy', 'manifest.json', 'metrics.csv', 'metrics.json', 'model1.npy']);
    expect(fs.existsSync(path.join(dir, 'user', 'recent-projects.json'))).toBe(false);

    // What `kill -9` during the export leaves: the generation done, the export job running, its files not all written.
    const projectDir = scratchProjectFolder(out, path.join(dir, 'user'));
    const project = Project.open(projectDir);
    const exportJob = project.catalogue.listJobs().find((j) => j.kind === 'export.generated')!;
    project.catalogue.setJobStatus(exportJob.id, 'running');
    project.close();
    fs.rmSync(path.join(out, 'model1.npy'));

    const again = wavediff(...command);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain(`continuing the interrupted export (job ${exportJob.id})`);
    expect(exportedBytes(out)).toEqual(bytes);
    const afterCrash = Project.open(projectDir, { readOnly: true });
    expect(afterCrash.catalogue.listJobs().map((j) => [j.kind, j.status])).toEqual([
      ['export.generated', 'done'],
      ['generate', 'done'],
    ]);
    expect(afterCrash.catalogue.generation.listRuns()).toHaveLength(1);
    expect(afterCrash.catalogue.listDatasets()).toHaveLength(1);
    afterCrash.close();

    const third = wavediff(...command);
    expect(third.status, third.stderr).toBe(0);
    expect(third.stderr).toMatch(/generation of an earlier run of this command is complete/);
    const afterSuccess = Project.open(projectDir, { readOnly: true });
    expect(afterSuccess.catalogue.listJobs()).toHaveLength(2);
    expect(afterSuccess.catalogue.generation.listRuns()).toHaveLength(1);
    afterSuccess.close();
    expect(exportedBytes(out)).toEqual(bytes);
  });
});
