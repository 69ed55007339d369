/**
 * The generation catalogue on 100,000 rows: sorted, filtered pages are served from indexes (checked
 * with EXPLAIN QUERY PLAN, not timed), filters and pages are right, and the challenging-sample
 * selection picks the top-K by inversion error among physically valid samples and tags them.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Project, catalogueFileName } from '../project.ts';
import { openfwiGeometry } from '../../physics/acquisition.ts';
import { Random } from '../../util/random.ts';
import type { GenerationStore, GenerationRunRow, SampleQuery } from './generation.ts';

let dir: string;
let project: Project;
let store: GenerationStore;
/** The test's own connection to the same catalogue: expected values come from plain SQL, not from the store. */
let inspector: Database.Database;
let runA: GenerationRunRow;
let runB: GenerationRunRow;
const N = 100_000;

function newRun(jobId: number, sampler: string, stage2: string): GenerationRunRow {
  return store.createRun(
    { jobId: null, stage1Ref: 'default:stage1', stage2Ref: stage2, inversionRef: 'default:inversionnet', sampler, samplerLabel: sampler, steps: 20, seed: jobId, count: N / 2, batchSize: 8, physicsCheck: true, provider: 'cpu', geometry: openfwiGeometry(), params: {} },
    { name: `run ${jobId}`, folder: `gen-test-${jobId}`, sampleIntervalMs: 1, gridSpacingM: 10, meta: {} },
  );
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-gallery-'));
  project = Project.create(path.join(dir, 'p'), 'gallery');
  store = project.catalogue.generation;
  runA = newRun(1, 'ab3', 'default:stage2');
  runB = newRun(2, 'ddim', 'project:7');
  const rng = new Random(42);
  for (const run of [runA, runB]) {
    const rows = Array.from({ length: N / 2 }, (_, i) => ({
      sampleIndex: i,
      partIndex: Math.floor(i / 8),
      rowInPart: i % 8,
      seed: run.seed * 1_000_000 + i,
      pde_rel_l2: Math.exp(-5 + 2 * rng.normal()),
      pde_mse: rng.uniform(),
      pde_rel_l2_per_source: null,
      inv_mae: rng.uniform() * 0.5,
      inv_rmse: rng.uniform() * 0.6,
      inv_ssim: rng.uniform(),
      model: run.stage2Ref,
      sampler: run.sampler,
      steps: run.steps,
      provider: 'cpu',
    }));
    store.insertSampleRows(run.id, rows);
  }
  inspector = new Database(path.join(dir, 'p', catalogueFileName));
  inspector.exec('ANALYZE');
}, 120_000);

afterAll(() => {
  inspector?.close();
  project?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function plan(query: SampleQuery): string {
  const { sql, values } = store.pageStatement(query);
  const rows = inspector.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...values) as { detail: string }[];
  return rows.map((r) => r.detail).join('\n');
}

/** The plan's lines that read the samples table (aliased s in the page query). */
function samplesTableLines(text: string): string[] {
  return text.split('\n').filter((line) => /^(SCAN|SEARCH) s\b/.test(line));
}

describe('gallery queries on 100,000 samples', () => {
  it('has every row', () => {
    expect(store.querySamples({ limit: 1 }).total).toBe(N);
    expect(store.getRun(runA.id).samples).toBe(N / 2);
  });

  const cases: [string, SampleQuery][] = [
    ['sort by PDE deviation', { sort: 'pde_rel_l2', limit: 100, offset: 500 }],
    ['sort by inversion error, descending', { sort: 'inv_mae', descending: true, limit: 100 }],
    ['PDE range, sorted by PDE', { pdeMin: 0.001, pdeMax: 0.01, sort: 'pde_rel_l2', limit: 100 }],
    ['PDE range, sorted by inversion error', { pdeMax: 0.002, sort: 'inv_mae', descending: true, limit: 50 }],
    ['inversion-error range sorted by SSIM', { invMetric: 'inv_rmse', invMin: 0.55, sort: 'inv_ssim', limit: 50 }],
    ['model filter, sorted by PDE', { model: 'project:7', sort: 'pde_rel_l2', limit: 100 }],
    ['sampler filter, sorted by PDE', { sampler: 'ddim', sort: 'pde_rel_l2', descending: true, limit: 100 }],
    ['seed', { seed: 2_000_123, limit: 10 }],
    ['run, in sample order', { runId: 2, sort: 'id', limit: 100, offset: 1000 }],
    ['tag, sorted by inversion error', { tag: 'challenging', sort: 'inv_mae', descending: true, limit: 100 }],
  ];
  for (const [name, query] of cases) {
    it(`${name}: served by an index, no full scan of the table`, () => {
      const text = plan(query);
      const lines = samplesTableLines(text);
      expect(lines.length, text).toBeGreaterThan(0);
      for (const line of lines) expect(line, text).toMatch(/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/);
    });
  }

  it('sorted pages without a filter need no temporary sort', () => {
    for (const sort of ['pde_rel_l2', 'inv_mae', 'inv_rmse', 'inv_ssim'] as const) {
      expect(plan({ sort, limit: 100, offset: 10_000 })).not.toMatch(/TEMP B-TREE/);
    }
  });

  it('returns the right page of a filtered, sorted query', () => {
    const all = inspector.prepare('SELECT id, pde_rel_l2, inv_mae FROM generation_samples WHERE model = ? AND pde_rel_l2 <= ?').all('project:7', 0.01) as { id: number; pde_rel_l2: number; inv_mae: number }[];
    all.sort((a, b) => b.inv_mae - a.inv_mae || b.id - a.id);
    const page = store.querySamples({ model: 'project:7', pdeMax: 0.01, sort: 'inv_mae', descending: true, offset: 20, limit: 30 });
    expect(page.total).toBe(all.length);
    expect(page.samples.map((s) => s.id)).toEqual(all.slice(20, 50).map((r) => r.id));
    for (const s of page.samples) {
      expect(s.model).toBe('project:7');
      expect(s.sampler).toBe('ddim');
    }
  });

  it('selects challenging samples: top-K inversion error among pde_rel_l2 ≤ threshold, tagged', () => {
    const threshold = 0.003;
    const k = 25;
    const valid = inspector.prepare('SELECT id, inv_mae, pde_rel_l2 FROM generation_samples WHERE pde_rel_l2 <= ?').all(threshold) as { id: number; inv_mae: number; pde_rel_l2: number }[];
    expect(valid.length).toBeGreaterThan(k);
    const expected = [...valid].sort((a, b) => b.inv_mae - a.inv_mae || a.id - b.id).slice(0, k).map((r) => r.id);
    const chosen = store.selectChallenging({ pdeMax: threshold, k });
    expect(chosen.map((s) => s.id)).toEqual(expected);
    for (const s of chosen) {
      expect(s.pde_rel_l2!).toBeLessThanOrEqual(threshold);
      expect(s.tags).toContain('challenging');
    }
    // The worst-inverted sample overall is physically invalid here, so it was not chosen.
    const worst = inspector.prepare('SELECT id, pde_rel_l2 FROM generation_samples ORDER BY inv_mae DESC LIMIT 1').get() as { id: number; pde_rel_l2: number };
    if (worst.pde_rel_l2 > threshold) expect(chosen.map((s) => s.id)).not.toContain(worst.id);
    const tagged = store.querySamples({ tag: 'challenging', sort: 'inv_mae', descending: true, limit: 100 });
    expect(tagged.total).toBe(k);
    expect(tagged.samples.map((s) => s.id)).toEqual(expected);
    // SSIM: the smallest is the hardest.
    const bySsim = store.selectChallenging({ pdeMax: threshold, k: 5, metric: 'inv_ssim', runId: runA.id, tag: 'low-ssim' });
    const expectedSsim = (inspector.prepare('SELECT id FROM generation_samples WHERE pde_rel_l2 <= ? AND run_id = ? ORDER BY inv_ssim ASC, id ASC LIMIT 5').all(threshold, runA.id) as { id: number }[]).map((r) => r.id);
    expect(bySsim.map((s) => s.id)).toEqual(expectedSsim);
    expect(store.untag(expectedSsim, 'low-ssim')).toBe(5);
    expect(store.tags()).toEqual([{ tag: 'challenging', count: k }]);
  });

  it('refuses sort keys and filters it does not know', () => {
    expect(() => store.querySamples({ sort: 'created_at; DROP TABLE x' as never })).toThrow(/Sort key/);
    expect(() => store.querySamples({ invMetric: 'seed' as never, invMin: 1 })).toThrow(/invMetric/);
    expect(() => store.querySamples({ pdeMax: Number.NaN })).toThrow(/finite/);
  });
});
