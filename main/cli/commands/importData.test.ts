// `wavediff import segy` tells the truth about the data on stderr and in `wavediff datasets --json`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../testing/runCliCaptured.ts';
import { sharedDir } from '../../core/util/paths.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-cli-import-'));
const project = path.join(dir, 'project');
const segyDir = path.join(sharedDir(), 'testdata', 'segy');
const previousDataDir = process.env.WAVEDIFF_DATA_DIR;

beforeAll(() => {
  process.env.WAVEDIFF_DATA_DIR = path.join(dir, 'data');
});
afterAll(() => {
  if (previousDataDir === undefined) delete process.env.WAVEDIFF_DATA_DIR;
  else process.env.WAVEDIFF_DATA_DIR = previousDataDir;
  fs.rmSync(dir, { recursive: true, force: true });
});

const cli = (...argv: string[]): ReturnType<typeof runCliCaptured> => runCliCaptured(argv);

interface ListedDataset {
  name: string;
  sampleIntervalMs: number | null;
  seismicShape: number[] | null;
  meta: Record<string, any>;
}

async function datasets(): Promise<ListedDataset[]> {
  const listed = await cli('datasets', '--project', project, '--json');
  expect(listed.code, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout) as ListedDataset[];
}

describe('wavediff import segy', () => {
  beforeAll(async () => {
    const created = await cli('project', 'create', project, '--name', 'CLI imports');
    expect(created.code, created.stderr).toBe(0);
  });

  it('keeps files of different sampling apart and says so on stderr', async () => {
    const imported = await cli('import', 'segy', path.join(segyDir, 'segyio__f3.sgy'), path.join(segyDir, 'obspy__1.sgy_first_trace'), '--project', project, '--name', 'Mixed');
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/warn: The 2 SEG-Y files were kept as 2 separate datasets/);
    const mixed = (await datasets()).filter((d) => d.name.startsWith('Mixed'));
    expect(mixed.map((d) => [d.sampleIntervalMs, d.seismicShape])).toEqual([
      [4, [23, 75, 18]],
      [0.25, [1, 8000, 1]],
    ]);
  });

  it('warns about padded gathers on stderr and lists the padding in datasets --json', async () => {
    const imported = await cli('import', 'segy', path.join(segyDir, 'segyio__shot-gather.sgy'), '--project', project, '--name', 'Uneven');
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/warn: segyio__shot-gather\.sgy: .* padded to 26 receivers with 43 zero traces/);
    const [uneven] = (await datasets()).filter((d) => d.name === 'Uneven');
    expect(uneven.meta.paddedTraces).toBe(43);
  });

  it('states and records what resampling did: f3 to 5x1000x70', async () => {
    const imported = await cli('import', 'segy', path.join(segyDir, 'segyio__f3.sgy'), '--project', project, '--name', 'Resampled', '--resample', '5x1000x70');
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/warn: segyio__f3\.sgy: 5 of 5 picked gathers hold 18 traces, fewer than the grid's 70 receivers/);
    const [resampled] = (await datasets()).filter((d) => d.name === 'Resampled');
    expect(resampled.sampleIntervalMs).toBe(0.3);
    expect(resampled.meta.resampling.files[0].summary).toMatch(/time 4 ms × 75 = 300 ms → 0\.3 ms × 1000 = 300 ms; receivers 18 → 70/);
  });

  it('refuses --dt-ms without --resample', async () => {
    const refused = await cli('import', 'segy', path.join(segyDir, 'segyio__f3.sgy'), '--project', project, '--dt-ms', '1');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/--dt-ms .*--resample/);
  });
});

describe('wavediff export segy', () => {
  it('writes a seismic-only dataset as SEG-Y, and refuses OpenFWI for it once, naming SEG-Y', async () => {
    const listed = await cli('datasets', '--project', project, '--json');
    const uneven = (JSON.parse(listed.stdout) as (ListedDataset & { id: number })[]).find((d) => d.name === 'Uneven')!;
    const out = path.join(dir, 'exported', 'uneven.sgy');
    const exported = await cli('export', 'segy', '--project', project, '--dataset', String(uneven.id), '--out', out);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(/done/);
    const { openSegyLayout } = await import('../../core/io/segy/reader.ts');
    expect(openSegyLayout(out)).toMatchObject({ traceCount: 61, samplesPerTrace: 25, sampleIntervalUs: 1000 });

    const refused = await cli('export', 'openfwi', '--project', project, '--dataset', String(uneven.id), '--out', path.join(dir, 'openfwi'));
    expect(refused.code).toBe(1);
    expect(refused.stderr.match(/holds seismic only/g)).toHaveLength(1);
    expect(refused.stderr).toMatch(/wavediff export segy/);
  });
});
