/**
 * npm run chaos [-- --rounds N] [--seed S] [--only synth,generate,train,import,race] [--keep] [--work DIR]
 *
 * Kills `wavediff` synthesis, generation, training and SEG-Y import commands with SIGKILL at
 * seeded random moments, continues them as README describes, and checks that nothing was lost,
 * duplicated or half-listed (against an uninterrupted reference run; generation and synthesis are
 * bit-identical by seed); races two writers on one project. Prints the counts per kind and exits 1
 * on any failure. See scripts/chaos/scenarios.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { KINDS, emptyCounts, failures, runKillScenario, runRaceScenario, type ChaosContext, type Counts, type Kind } from './chaos/scenarios.ts';
import { cleanUp, seededRandom } from './chaos/processes.ts';

const usage = `Usage: npm run chaos -- [--rounds N] [--seed S] [--only KIND[,KIND…]] [--keep] [--work DIR]

  --rounds N   kills (race: races) per kind (default 20)
  --seed S     seed of the kill moments and the race staggers (default 1)
  --only K     ${KINDS.join(' | ')}, or several separated by commas (default: all)
  --keep       keep the work folder (it is kept anyway when something failed)
  --work DIR   work folder, kept (default: a new one under ${os.tmpdir()}, removed when all went well)`;

function options(): { rounds: number; seed: number; kinds: Kind[]; keep: boolean; work: string | undefined } {
  const { values } = parseArgs({
    options: { rounds: { type: 'string' }, seed: { type: 'string' }, only: { type: 'string' }, keep: { type: 'boolean' }, work: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const whole = (text: string | undefined, name: string, fallback: number, min: number): number => {
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || Number(text) < min) throw new Error(`--${name} ${text}: use a whole number ≥ ${min}.\n\n${usage}`);
    return Number(text);
  };
  const kinds = (values.only ?? KINDS.join(',')).split(',').map((k) => k.trim());
  const unknown = kinds.filter((k) => !(KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new Error(`--only ${unknown.join(',')}: choose from ${KINDS.join(', ')}.\n\n${usage}`);
  return { rounds: whole(values.rounds, 'rounds', 20, 1), seed: whole(values.seed, 'seed', 1, 0), kinds: kinds as Kind[], keep: values.keep === true, work: values.work };
}

function table(results: [Kind, Counts, number][]): string {
  const columns = ['kind', 'rounds', 'kills', 'resumes', 'mismatches', 'integrity', 'orphans', 'half-made', 'strays', 'other', 'finished-first', 'seconds'];
  const rows = results.map(([kind, c, seconds]) => [kind, c.rounds, c.kills, c.resumes, c.mismatches, c.integrity, c.orphans, c.halfMade, c.strays, c.other, c.finishedFirst, seconds.toFixed(0)].map(String));
  const widths = columns.map((name, i) => Math.max(name.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(columns), ...rows.map(line)].join('\n');
}

async function main(): Promise<number> {
  const opts = options();
  const work = opts.work ? path.resolve(opts.work) : fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-chaos-'));
  fs.mkdirSync(work, { recursive: true });
  const dataDir = path.join(work, 'user');
  const env: NodeJS.ProcessEnv = { ...process.env, WAVEDIFF_DATA_DIR: dataDir };
  delete env.WAVEDIFF_PROJECT;
  const log = (message: string): void => void process.stderr.write(`${message}\n`);
  log(`chaos: seed ${opts.seed}, ${opts.rounds} round(s) of ${opts.kinds.join(', ')} in ${work}`);

  const results: [Kind, Counts, number][] = [];
  const started = performance.now();
  for (const kind of opts.kinds) {
    // One stream per kind, so that --only reproduces the moments of a full run.
    const ctx: ChaosContext = { work, env, dataDir, rounds: opts.rounds, random: seededRandom(opts.seed * 1000 + KINDS.indexOf(kind)), log };
    const kindStarted = performance.now();
    let counts: Counts;
    try {
      counts = kind === 'race' ? await runRaceScenario(ctx) : await runKillScenario(kind, ctx);
    } catch (error) {
      counts = emptyCounts();
      counts.other += 1;
      counts.problems.push(`${kind}: ${(error as Error).message}`);
      log(`  ✗ ${kind}: ${(error as Error).message}`);
    }
    results.push([kind, counts, (performance.now() - kindStarted) / 1000]);
  }
  cleanUp();
  const failed = results.reduce((sum, [, c]) => sum + failures(c), 0);
  process.stdout.write(`${table(results)}\n`);
  for (const [, c] of results) for (const problem of c.problems) process.stdout.write(`✗ ${problem}\n`);
  process.stdout.write(`chaos: ${failed === 0 ? 'no failures' : `${failed} failure(s)`} in ${((performance.now() - started) / 1000).toFixed(0)} s (seed ${opts.seed}, --rounds ${opts.rounds})\n`);
  // A folder given with --work is the caller's to remove.
  if (failed === 0 && !opts.keep && !opts.work) fs.rmSync(work, { recursive: true, force: true });
  else process.stdout.write(`chaos: the work folder is kept: ${work}\n`);
  return failed === 0 ? 0 : 1;
}

process.on('SIGINT', () => {
  cleanUp();
  process.exit(130);
});

main().then(
  (status) => process.exit(status),
  (error: unknown) => {
    cleanUp();
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
