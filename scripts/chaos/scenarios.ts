/**
 * The chaos harness's scenarios. A kill scenario runs one `wavediff` command uninterrupted (the
 * reference, which also gives the command's expected duration), then, round after round, runs it
 * again from the same starting point, kills it with SIGKILL after a delay drawn from the seed within
 * that duration, checks what the crash left, continues it the way README describes (the same command
 * again, or `wavediff jobs resume ID`), and compares the result with the reference. The race scenario
 * starts two writers of one project together.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sharedDir } from '../../main/core/util/paths.ts';
import { catalogueFileName } from '../../main/core/store/project.ts';
import { lockFileName } from '../../main/core/store/writeLock.ts';
import { scratchProjectFolder } from '../../main/cli/studioSession.ts';
import { completeDatasets, copyFolder, differences, halfMadeListed, integrityProblems, jobsOf, orphanArrayFiles, snapshot, type Snapshot } from './checks.ts';
import { groupAlive, holdProject, killGroup, killNine, launch, run, sleep, tail, type Exit } from './processes.ts';

export const KINDS = ['synth', 'generate', 'train', 'import', 'race'] as const;
export type Kind = (typeof KINDS)[number];

export interface Counts {
  rounds: number;
  /** SIGKILLs delivered to a running command. */
  kills: number;
  /** Runs that ended before their kill was due (nothing to resume). */
  finishedFirst: number;
  resumes: number;
  /** Rounds whose rows or array bytes differ from the reference. */
  mismatches: number;
  /** Failed integrity_check / foreign_key_check, here also files a listed dataset names that are missing. */
  integrity: number;
  /** Array files no catalogue row references, after a finished run. */
  orphans: number;
  /** Datasets listed before they were complete. */
  halfMade: number;
  /** Processes a killed command started that outlived it (an orphaned trainer). */
  strays: number;
  /** Anything else that went wrong: a resume that failed, a race with the wrong outcome. */
  other: number;
  problems: string[];
}

export function emptyCounts(): Counts {
  return { rounds: 0, kills: 0, finishedFirst: 0, resumes: 0, mismatches: 0, integrity: 0, orphans: 0, halfMade: 0, strays: 0, other: 0, problems: [] };
}

export function failures(c: Counts): number {
  return c.mismatches + c.integrity + c.orphans + c.halfMade + c.strays + c.other;
}

export interface ChaosContext {
  work: string;
  env: NodeJS.ProcessEnv;
  dataDir: string;
  rounds: number;
  random: () => number;
  log(message: string): void;
}

/** A fresh starting point for one run of a command. */
interface Prepared {
  /** The folder that holds everything of this run. */
  runDir: string;
  projectDir: string;
  command: string[];
  /** Folders outside the project whose .npy files must match too (an export). */
  extraDirs?: Record<string, string>;
}

interface KillScenario {
  kind: Exclude<Kind, 'race'>;
  /** The job kind the command runs in the project. */
  jobKind: string;
  /** How README says to continue after a crash: the same command again, `wavediff jobs resume ID`, or either. */
  resume: 'rerun' | 'jobs-resume' | 'either';
  /** Once per harness run: what every run starts from. */
  setup(ctx: ChaosContext, base: string): Promise<void>;
  /** `dataDir`: the user's data folder of the runs, where commands without --project keep their projects. */
  prepare(base: string, runDir: string, dataDir: string): Prepared;
}

const segyDir = path.join(sharedDir(), 'testdata', 'segy');

/** The multi-file SEG-Y set: every segyio file that holds shot gathers (not the broken or text-only ones). */
export function segySet(): string[] {
  return fs
    .readdirSync(segyDir)
    .filter((name) => /^segyio__.*\.sgy$/.test(name) && !/broken|text\.sgy$/.test(name))
    .sort()
    .map((name) => path.join(segyDir, name));
}

async function must(what: string, exit: Promise<Exit>): Promise<Exit> {
  const done = await exit;
  if (done.code !== 0) throw new Error(`${what} failed (${done.signal ?? `status ${done.code}`}): ${tail(done.stderr)}`);
  return done;
}

/** An empty project at base/template, made by `wavediff project create`. */
async function emptyProject(ctx: ChaosContext, base: string): Promise<void> {
  await must('wavediff project create', run(['project', 'create', path.join(base, 'template'), '--name', 'chaos'], ctx.env));
}

function copyTemplate(base: string, runDir: string): string {
  const projectDir = path.join(runDir, 'project');
  copyFolder(path.join(base, 'template'), projectDir);
  return projectDir;
}

const scenarios: Record<Exclude<Kind, 'race'>, KillScenario> = {
  synth: {
    kind: 'synth',
    jobKind: 'physics.synthesize',
    resume: 'either',
    setup: emptyProject,
    prepare: (base, runDir) => {
      const projectDir = copyTemplate(base, runDir);
      // Two files of two samples: batches, merges of chunks and the dataset's commit all get their turn.
      return { runDir, projectDir, command: ['synth', '--family', 'curvevel-a', '--count', '4', '--seed', '7', '--samples-per-file', '2', '--project', projectDir, '--name', 'chaos'] };
    },
  },
  generate: {
    kind: 'generate',
    jobKind: 'generate',
    resume: 'rerun',
    setup: async () => {},
    prepare: (_base, runDir, dataDir) => {
      const out = path.join(runDir, 'out');
      return {
        runDir,
        projectDir: scratchProjectFolder(out, dataDir),
        command: ['generate', '--count', '3', '--batch-size', '1', '--sampler', 'ab3', '--steps', '4', '--seed', '3', '--out', out, '--no-segy'],
        extraDirs: { export: out },
      };
    },
  },
  train: {
    kind: 'train',
    jobKind: 'train',
    resume: 'jobs-resume',
    setup: async (ctx, base) => {
      await emptyProject(ctx, base);
      await must('wavediff synth (training data)', run(['synth', '--family', 'flatvel-a', '--count', '6', '--seed', '5', '--samples-per-file', '3', '--project', path.join(base, 'template')], ctx.env));
    },
    prepare: (base, runDir) => {
      const projectDir = copyTemplate(base, runDir);
      return {
        runDir,
        projectDir,
        command: [
          'train', 'inversionnet', '--project', projectDir, '--dataset', '1', '--steps', '8', '--batch-size', '2', '--name', 'chaos', '--',
          '--width', '0.1', '--log-every', '1', '--checkpoint-every', '2', '--preview-every', '0', '--max-val-samples', '2', '--val-fraction', '0.34',
        ],
      };
    },
  },
  import: {
    kind: 'import',
    jobKind: 'import.segy',
    resume: 'jobs-resume',
    setup: emptyProject,
    prepare: (base, runDir) => {
      const projectDir = copyTemplate(base, runDir);
      return { runDir, projectDir, command: ['import', 'segy', ...segySet(), '--project', projectDir, '--name', 'survey'] };
    },
  },
};

/** Records a problem of one kind in the counts and the log. */
function note(counts: Counts, field: 'mismatches' | 'integrity' | 'orphans' | 'halfMade' | 'strays' | 'other', where: string, problems: string[], ctx: ChaosContext): void {
  if (problems.length === 0) return;
  counts[field] += 1;
  for (const problem of problems) {
    const line = `${where}: ${problem}`;
    counts.problems.push(line);
    ctx.log(`  ✗ ${line}`);
  }
}

/** The checks every finished run must pass: integrity, no orphan array files, nothing half-made listed. */
function finishedChecks(counts: Counts, where: string, projectDir: string, complete: Map<number, { folder: string; nSamples: number }>, ctx: ChaosContext): void {
  note(counts, 'integrity', where, integrityProblems(projectDir), ctx);
  note(counts, 'orphans', where, orphanArrayFiles(projectDir).map((f) => `arrays/${f} is referenced by no catalogue row`), ctx);
  note(counts, 'halfMade', where, halfMadeListed(projectDir, complete), ctx);
}

export async function runKillScenario(kind: Exclude<Kind, 'race'>, ctx: ChaosContext): Promise<Counts> {
  const scenario = scenarios[kind];
  const counts = emptyCounts();
  const base = path.join(ctx.work, kind);
  fs.mkdirSync(base, { recursive: true });
  await scenario.setup(ctx, base);

  const reference = scenario.prepare(base, path.join(base, 'reference'), ctx.dataDir);
  const referenceRun = await must(`the reference run (wavediff ${reference.command.join(' ')})`, run(reference.command, ctx.env));
  const duration = referenceRun.seconds;
  const wanted: Snapshot = snapshot(reference.projectDir, reference.runDir, reference.extraDirs);
  const complete = completeDatasets(reference.projectDir);
  ctx.log(`${kind}: reference run ${duration.toFixed(1)} s, ${complete.size} dataset(s), ${Object.keys(wanted.files).length} files`);
  finishedChecks(counts, `${kind} reference`, reference.projectDir, complete, ctx);

  for (let round = 1; round <= ctx.rounds; round += 1) {
    counts.rounds += 1;
    const where = `${kind} round ${round}`;
    const runDir = path.join(base, `round-${round}`);
    const prepared = scenario.prepare(base, runDir, ctx.dataDir);
    const delaySeconds = ctx.random() * duration;
    // Drawn now, so that the stream of draws does not depend on how the run went.
    const resumeDraw = ctx.random();
    const started = launch(prepared.command, ctx.env);
    const due = await Promise.race([started.exit.then(() => false), sleep(delaySeconds * 1000).then(() => true)]);
    const killed = due && killNine(started);
    const first = await started.exit;
    if (!killed) {
      counts.finishedFirst += 1;
      ctx.log(`${where}: finished in ${first.seconds.toFixed(1)} s before the kill at ${delaySeconds.toFixed(1)} s`);
      if (first.code !== 0) note(counts, 'other', where, [`the run failed without a kill: ${tail(first.stderr)}`], ctx);
    } else {
      counts.kills += 1;
      // What the crash left: an intact catalogue, and nothing listed before it is complete.
      note(counts, 'integrity', `${where} after kill -9 at ${delaySeconds.toFixed(1)} s`, integrityProblems(prepared.projectDir), ctx);
      note(counts, 'halfMade', `${where} after kill -9 at ${delaySeconds.toFixed(1)} s`, halfMadeListed(prepared.projectDir, complete), ctx);

      const unfinished = jobsOf(prepared.projectDir).filter((j) => j.kind === scenario.jobKind && j.status !== 'done' && j.status !== 'discarded');
      const byJob = unfinished.length > 0 && (scenario.resume === 'jobs-resume' || (scenario.resume === 'either' && resumeDraw < 0.5));
      const resumeCommand = byJob ? ['jobs', 'resume', String(unfinished[0].id), '--project', prepared.projectDir] : prepared.command;
      counts.resumes += 1;
      const resumed = await run(resumeCommand, ctx.env);
      const how = byJob ? `wavediff jobs resume ${unfinished[0].id}` : 'the same command again';
      ctx.log(`${where}: killed at ${delaySeconds.toFixed(1)} s of ${duration.toFixed(1)} s; resumed with ${how} (${resumed.seconds.toFixed(1)} s, status ${resumed.code})`);
      if (resumed.code !== 0) note(counts, 'other', where, [`resuming with ${how} failed (${resumed.signal ?? `status ${resumed.code}`}): ${tail(resumed.stderr)}`], ctx);
    }
    if (groupAlive(started.pid)) {
      note(counts, 'strays', where, [`a process started by the killed wavediff (pid ${started.pid}) was still running after the resume finished`], ctx);
      killGroup(started.pid);
    }
    if (!fs.existsSync(path.join(prepared.projectDir, catalogueFileName))) {
      note(counts, 'other', where, ['no project after the resume'], ctx);
      continue;
    }
    note(counts, 'mismatches', where, differences(wanted, snapshot(prepared.projectDir, prepared.runDir, prepared.extraDirs)), ctx);
    finishedChecks(counts, where, prepared.projectDir, complete, ctx);
  }
  return counts;
}

/** The bytes a reader must leave alone: the catalogue, its WAL and the lock file. */
function projectBytes(projectDir: string): Record<string, string> {
  const bytes: Record<string, string> = {};
  for (const name of [catalogueFileName, `${catalogueFileName}-wal`, lockFileName]) {
    const file = path.join(projectDir, name);
    if (fs.existsSync(file)) bytes[name] = fs.readFileSync(file).toString('base64');
  }
  return bytes;
}

/**
 * Two writers of one project started together: exactly one proceeds, the other is refused with a
 * message naming the first (its command and pid); once the first has finished the second runs. A
 * listing started with them lists nothing half-made. Then, while a process holds the project for
 * writing, readers list it and leave its catalogue and lock byte-identical, and a writer is refused.
 */
export async function runRaceScenario(ctx: ChaosContext): Promise<Counts> {
  const counts = emptyCounts();
  const base = path.join(ctx.work, 'race');
  fs.mkdirSync(base, { recursive: true });
  await emptyProject(ctx, base);
  // A write that lasts well beyond a command's start-up (an import is over before a second process is up).
  const writerCommand = (projectDir: string): string[] => ['synth', '--family', 'flatvel-b', '--count', '2', '--seed', '11', '--samples-per-file', '2', '--project', projectDir, '--name', 'race'];

  // The reference: the same two commands one after the other.
  const referenceRun = path.join(base, 'reference');
  const referenceDir = copyTemplate(base, referenceRun);
  await must('the first reference synthesis', run(writerCommand(referenceDir), ctx.env));
  await must('the second reference synthesis', run(writerCommand(referenceDir), ctx.env));
  const wanted = snapshot(referenceDir, referenceRun);
  const complete = completeDatasets(referenceDir);
  finishedChecks(counts, 'race reference', referenceDir, complete, ctx);

  for (let round = 1; round <= ctx.rounds; round += 1) {
    counts.rounds += 1;
    const where = `race round ${round}`;
    const runDir = path.join(base, `round-${round}`);
    const projectDir = copyTemplate(base, runDir);
    const command = writerCommand(projectDir);
    // How far apart the writers start (under half a second: together, next to their start-up), and when the listing starts, come from the seed.
    const staggerMs = ctx.random() * 500;
    const readerDelayMs = ctx.random() * 3000;
    const first = launch(command, ctx.env);
    await sleep(staggerMs);
    const writers = [first, launch(command, ctx.env)];
    const reader = sleep(readerDelayMs).then(() => run(['datasets', '--project', projectDir, '--json'], ctx.env));
    const [a, b] = await Promise.all(writers.map((w) => w.exit));
    const listing = await reader;

    const proceeded = [a, b].filter((e) => e.code === 0).length;
    const problems: string[] = [];
    if (proceeded === 2) {
      ctx.log(`${where}: both writers ran one after the other (the second started after the first had finished); nothing to refuse`);
    } else if (proceeded !== 1) {
      problems.push(`${proceeded} of the two writers proceeded: ${tail(a.stderr, 2)} / ${tail(b.stderr, 2)}`);
    } else {
      const winner = a.code === 0 ? writers[0] : writers[1];
      const loser = a.code === 0 ? b : a;
      const named = `open for writing in another process: wavediff ${command.join(' ')} (pid ${winner.pid}, since `;
      if (loser.code !== 1 || !loser.stderr.includes(named)) problems.push(`the refused writer did not name the holder (pid ${winner.pid}): status ${loser.code}, ${tail(loser.stderr, 3)}`);
      counts.resumes += 1;
      const second = await run(command, ctx.env);
      if (second.code !== 0) problems.push(`the refused writer, run again after the first finished, failed: ${tail(second.stderr)}`);
      ctx.log(`${where}: writer pid ${winner.pid} proceeded, the other was refused naming it; run again afterwards: status ${second.code}`);
    }
    if (listing.code !== 0) problems.push(`wavediff datasets during the write failed: ${tail(listing.stderr)}`);
    else {
      for (const listed of JSON.parse(listing.stdout) as { id: number; nSamples: number }[]) {
        if (complete.get(listed.id)?.nSamples !== listed.nSamples) problems.push(`wavediff datasets during the write listed dataset ${listed.id} with ${listed.nSamples} samples, not a complete one`);
      }
    }
    note(counts, 'other', where, problems, ctx);

    // A reader while a process holds the project for writing changes nothing; a writer is refused.
    const holder = await holdProject(projectDir, 'the chaos harness (holding the project)', ctx.dataDir);
    const before = projectBytes(projectDir);
    const readers = await Promise.all([
      run(['datasets', '--project', projectDir, '--json'], ctx.env),
      run(['jobs', '--project', projectDir, '--json'], ctx.env),
      run(['project', 'info', projectDir, '--json'], ctx.env),
      run(writerCommand(projectDir), ctx.env),
    ]);
    const after = projectBytes(projectDir);
    const held: string[] = [];
    for (const [i, r] of readers.slice(0, 3).entries()) if (r.code !== 0) held.push(`reader ${i + 1} failed while the project was held: ${tail(r.stderr)}`);
    const refused = readers[3];
    if (refused.code !== 1 || !refused.stderr.includes(`the chaos harness (holding the project) (pid ${holder.pid}, since `)) held.push(`a writer while the project was held was not refused naming the holder: status ${refused.code}, ${tail(refused.stderr, 3)}`);
    for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) if (before[name] !== after[name]) held.push(`${name} changed while only readers (and a refused writer) used the held project`);
    const released = await holder.release();
    if (released.code !== 0) held.push(`the holder did not close the project cleanly: ${tail(released.stderr)}`);
    note(counts, 'other', `${where} (held)`, held, ctx);

    for (const w of writers) if (groupAlive(w.pid)) killGroup(w.pid);
    if (proceeded >= 1) note(counts, 'mismatches', where, differences(wanted, snapshot(projectDir, runDir)), ctx);
    finishedChecks(counts, where, projectDir, complete, ctx);
  }
  return counts;
}
