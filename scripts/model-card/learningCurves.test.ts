/**
 * learningCurves() on the log of a real, tiny InversionNet run (the studio's synthesis, the real
 * trainer evaluating every 2 steps on its held-out set and on a named second set).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { missing } from '../../main/core/util/testing/requirement.ts';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findPython } from '../../main/core/training/python.ts';
import { runTrainerModule, type TrainerMessage } from '../../main/core/training/trainerProcess.ts';
import { synthesizeDataset } from '../../main/core/physics/synthesis.ts';
import { openfwiGeometry } from '../../main/core/physics/acquisition.ts';
import { FdWorkerPool } from '../../main/core/physics/pool.ts';
import { learningCurves } from './learningCurves.ts';
import { curveTargets } from './cardTargets.ts';
import { renderModelCard, type ModelCard } from './cardMarkdown.ts';
import { shippedModelsDir } from '../../main/core/ml/modelRegistry.ts';

const probe = await findPython(null);
const hasMatplotlib = spawnSync('/usr/bin/python3', ['-c', 'import matplotlib'], { encoding: 'utf8' }).status === 0;
const ready = probe.found !== null && hasMatplotlib;

let dir: string;
const messages: TrainerMessage[] = [];

beforeAll(async () => {
  if (!ready) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-curves-'));
  const data = path.join(dir, 'data');
  const pool = new FdWorkerPool({ size: 2 });
  await synthesizeDataset({ family: 'flatvel-a', count: 6, seed: 3, geometry: openfwiGeometry(), destDir: data }, { pool });
  await pool.close();
  const run = runTrainerModule(
    probe.found!.path,
    'train',
    ['inversionnet', '--data', data, '--val-data', data, '--eval-data', `real-flatvel-a=${data}`, '--out', path.join(dir, 'run'), '--steps', '4', '--batch-size', '2', '--eval-every', '2', '--log-every', '1', '--width', '0.125', '--no-export'],
    { onMessage: (m) => void messages.push(m), onLog: () => undefined },
  );
  expect((await run.finished).type).toBe('done');
  fs.writeFileSync(path.join(dir, 'inversionnet.jsonl'), messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
}, 300_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing('/usr/bin/python3 with torch and matplotlib', ready))('learning curves of a real training log', () => {
  it('writes the summary with the card targets, draws the PNG, follows the targets of the kinds present, and redraws from the summary alone', async () => {
    const summary = path.join(dir, 'campaign', 'curves.json');
    const png = path.join(dir, 'learning-curves.png');
    const curves = await learningCurves({ logs: [path.join(dir, 'inversionnet.jsonl')], summary, png });
    expect(fs.readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    const written = JSON.parse(fs.readFileSync(summary, 'utf8'));
    expect(written.targets.map((t: { id: string }) => t.id)).toEqual(curveTargets().map((t) => t.id));
    const real = written.kinds.inversionnet.splits['real-flatvel-a'];
    const lines = messages.filter((m) => m.type === 'metrics' && m.split === 'real-flatvel-a');
    expect(real.samples_seen).toEqual(lines.map((m) => m.samples_seen));
    expect(real.metrics.velocity_mae).toEqual(lines.map((m) => m.velocity_mae));

    // Only InversionNet ran, with a real-flatvel-a split: its one target there has a trend.
    expect(curves.trends.map((t) => t.id)).toEqual(['inversionnet-mae-flatvel-a']);
    const [trend] = curves.trends;
    const [m1, m2] = real.metrics.velocity_mae.slice(-2);
    const [s1, s2] = real.samples_seen.slice(-2);
    expect(trend.exponent).toBeCloseTo(Math.log(m2 / m1) / Math.log(s2 / s1), 10);
    expect(trend.samples_per_s).toBeGreaterThan(0);

    fs.rmSync(png);
    const again = await learningCurves({ summary, png });
    expect(again.trends).toEqual(curves.trends);
    expect(fs.existsSync(png)).toBe(true);
  });

  const cardFile = path.join(shippedModelsDir(), 'card.json');
  it.skipIf(missing(`${cardFile} (committed; npm run models:card makes it)`, fs.existsSync(cardFile)))('gives the shipped card its curves section and what more compute would buy, from the trends', async () => {
    const summary = path.join(dir, 'campaign', 'curves.json');
    const curves = await learningCurves({ summary, png: path.join(dir, 'learning-curves.png') });
    const card = { ...(JSON.parse(fs.readFileSync(cardFile, 'utf8')) as ModelCard), curves: { summary: 'native-models/campaign/curves.json', png: 'native-models/learning-curves.png', logs: ['inversionnet.jsonl'], trends: curves.trends } };
    const markdown = renderModelCard(card);
    expect(markdown).toContain('![Learning curves](learning-curves.png)');
    expect(markdown).toContain('from the campaign\'s logs (inversionnet.jsonl)');
    const [t] = curves.trends;
    const line = markdown.split('\n').find((l) => l.startsWith('- InversionNet, velocity MAE on real FlatVel-A:'))!;
    expect(line).toContain(`${t.value.toFixed(4)} at ${t.samples_seen} samples (${t.previous_value.toFixed(4)} at ${t.previous_samples_seen})`);
    expect(line).toContain(`samples^${t.exponent.toFixed(2)}`);
    expect(line).toMatch(t.exponent < 0 ? /Doubling the samples seen \(≈ \d+ min of training at [\d.]+ samples\/s\) would bring it to ≈ / : /Not falling over the last interval .*: this slope gives no estimate/);
  });

  it('names a missing log', async () => {
    await expect(learningCurves({ logs: [path.join(dir, 'nowhere.jsonl')], summary: path.join(dir, 'x.json'), png: path.join(dir, 'x.png') })).rejects.toThrow(/nowhere\.jsonl: no such training log/);
  });
});
