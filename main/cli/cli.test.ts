import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appRoot, sharedDir } from '../core/util/paths.ts';
import { readNpy } from '../core/io/npy.ts';

const cli = path.join(appRoot(), 'bin', 'wavediff.mjs');
let dir: string;
let env: NodeJS.ProcessEnv;

function wavediff(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env });
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-cli-'));
  env = { ...process.env, WAVEDIFF_DATA_DIR: path.join(dir, 'data') };
});

describe('wavediff CLI', () => {
  it('lists its commands with --help and refuses unknown ones', () => {
    const help = wavediff('--help');
    expect(help.status).toBe(0);
    for (const name of ['project', 'import', 'datasets', 'export', 'jobs', 'segy-info']) expect(help.stdout).toContain(name);
    const unknown = wavediff('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('creates a project, imports SEG-Y and OpenFWI data, lists and exports them headless', () => {
    const project = path.join(dir, 'project');
    expect(wavediff('project', 'create', project, '--name', 'Headless').status).toBe(0);
    const segy = wavediff('import', 'segy', path.join(sharedDir(), 'testdata', 'segy', 'segyio__shot-gather.sgy'), '--project', project, '--resample', '2x20x10');
    expect(segy.stderr).toMatch(/done/);
    expect(segy.status).toBe(0);
    const fixture = path.join(appRoot(), 'main', 'core', 'io', 'testdata', 'openfwi', 'vel');
    expect(wavediff('import', 'openfwi', fixture, '--project', project, '--name', 'pairs').status).toBe(0);

    const listed = wavediff('datasets', '--project', project, '--json');
    const datasets = JSON.parse(listed.stdout) as { id: number; name: string; seismicShape: number[] }[];
    expect(datasets.map((d) => d.name)).toEqual(['segyio__shot-gather.sgy', 'pairs']);
    expect(datasets[0].seismicShape).toEqual([2, 20, 10]);

    const out = path.join(dir, 'exported');
    const exported = wavediff('export', 'openfwi', '--project', project, '--dataset', String(datasets[1].id), '--out', out);
    expect(exported.status).toBe(0);
    expect(readNpy(path.join(out, 'model1.npy')).shape[0]).toBeGreaterThan(0);

    const refused = wavediff('import', 'openfwi', path.join(dir, 'nowhere'), '--project', project);
    expect(refused.status).not.toBe(0);
    // Said once, with the job's title (the failing job's last log line is the same message).
    expect(refused.stderr.match(/nowhere: no such folder/g)).toHaveLength(1);
    const info = wavediff('project', 'info', project, '--json');
    const summary = JSON.parse(info.stdout);
    expect(summary.jobs.map((j: { status: string }) => j.status)).toEqual(['failed', 'done', 'done', 'done']);
  });

  it('explains a missing --project', () => {
    const result = spawnSync(process.execPath, [cli, 'datasets'], { encoding: 'utf8', env: { ...env, WAVEDIFF_PROJECT: '' } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/--project DIR/);
  });
});
