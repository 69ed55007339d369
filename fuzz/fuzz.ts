/**
 * `npm run fuzz -- [--target segy|npy|openfwi|zip|http|ws]… [--seconds S] [--count N] [--seed N] [--iteration I]`
 *
 * Mutates seed inputs (the real files of ../shared/testdata, seeds built here, and fuzz/corpus) and runs
 * each through its reader or the browser shell in an executor child process, which is limited by
 * `ulimit -d` (3 GiB of data segment) and a 1 GiB V8 heap. Every input must end in a result or a clear
 * StudioError (see property.ts); an input that hangs (over 2 s of CPU time, or over 2 s in which the
 * executor neither ran nor waited for a CPU: /proc's schedstat, so that a loaded machine does not count),
 * kills the executor, or allocates more than its bound is a finding, saved as
 * fuzz/findings/<target>/<sha1>.<ext> with a JSON sidecar. Inputs are reproducible: input I of a target
 * is a function of (--seed, target, I) alone; `--iteration I` runs just that one. `--input FILE` (with one
 * --target) runs given files unmutated, e.g. a saved finding, with the same hang and allocation checks.
 * Prints inputs/s and crash/hang/alloc/unclear counts per target; exits 1 when something was found.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { appRoot } from '../main/core/util/paths.ts';
import { Rng, mutate } from './mutate.ts';
import { TARGETS, TARGET_NAMES, type Seed, type Target, type TargetName } from './targets/index.ts';
import type { Violation, ViolationKind } from './property.ts';
import type { ExecutorReply } from './executor.ts';

/**
 * A hang: more than this much CPU time on one input, or this much wall time in which no thread of the
 * executor ran or waited to run (an input that waits for what never comes). Wall time where /proc is missing.
 */
const HANG_MS = 2000;
const DATA_LIMIT_KIB = 3 * 1024 * 1024;
const HEAP_LIMIT_MB = 1024;
/** Inputs saved per distinct finding and run (all are counted). */
const SAVED_PER_SIGNATURE = 3;

const { values } = parseArgs({
  options: {
    target: { type: 'string', multiple: true },
    seconds: { type: 'string' },
    count: { type: 'string' },
    seed: { type: 'string' },
    iteration: { type: 'string' },
    input: { type: 'string', multiple: true },
    findings: { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  process.stdout.write(fs.readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0]!.replace(/^\/\*\*|^ \* ?/gm, '') + '\n');
  process.exit(0);
}
const targets = (values.target ?? [...TARGET_NAMES]).flatMap((t) => t.split(',')) as TargetName[];
for (const t of targets) {
  if (!TARGET_NAMES.includes(t)) {
    process.stderr.write(`Unknown target ${JSON.stringify(t)}; use ${TARGET_NAMES.join(', ')}.\n`);
    process.exit(2);
  }
}
const numberOption = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`--${name} must be a non-negative number, got ${JSON.stringify(text)}.\n`);
    process.exit(2);
  }
  return n;
};
const iteration = numberOption('iteration', values.iteration);
const count = iteration !== undefined ? 1 : numberOption('count', values.count);
const seconds = numberOption('seconds', values.seconds) ?? (count === undefined && !values.input ? 10 : Infinity);
const seed = values.seed ?? String(Math.floor(Math.random() * 2 ** 32));
const root = appRoot();
const givenInputs = values.input?.map((file) => path.resolve(file));
if (givenInputs && targets.length !== 1) {
  process.stderr.write('--input needs exactly one --target.\n');
  process.exit(2);
}
const findingsDir = path.resolve(values.findings ?? path.join(root, 'fuzz', 'findings'));
const corpusDir = path.join(root, 'fuzz', 'corpus');

// ---------------------------------------------------------------------------------------------

type Outcome = { violations: Violation[]; allocatedBytes: number; results: number; refusals: number } | { timedOut: string } | { died: string };

/**
 * Per thread of a process: nanoseconds run on a CPU and nanoseconds spent runnable but waiting for one
 * (/proc/<pid>/task/<tid>/schedstat). Null where /proc has no schedstat (not Linux).
 */
function threadTimes(pid: number | undefined): Map<string, { cpuNs: number; waitNs: number }> | null {
  if (pid === undefined) return null;
  try {
    const times = new Map<string, { cpuNs: number; waitNs: number }>();
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        const [cpuNs, waitNs] = fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').trim().split(' ').map(Number);
        times.set(tid, { cpuNs: cpuNs!, waitNs: waitNs! });
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    return times;
  } catch {
    return null;
  }
}

/**
 * Milliseconds of CPU and of waiting for a CPU since `start`, summed over threads: on a loaded machine
 * a healthy input can take 30 times its CPU time in wall time, all of it spent runnable.
 */
function timesSince(start: Map<string, { cpuNs: number; waitNs: number }>, now: Map<string, { cpuNs: number; waitNs: number }>): { cpuMs: number; waitMs: number } {
  let cpuNs = 0;
  let waitNs = 0;
  for (const [tid, t] of now) {
    const before = start.get(tid) ?? { cpuNs: 0, waitNs: 0 };
    cpuNs += t.cpuNs - before.cpuNs;
    waitNs += t.waitNs - before.waitNs;
  }
  return { cpuMs: cpuNs / 1e6, waitMs: waitNs / 1e6 };
}

/** One executor child process for one target. */
class Executor {
  private child: ChildProcess;
  private stderrTail = '';
  private pending: ((outcome: Outcome) => void) | null = null;
  private nextId = 0;
  private exited: string | null = null;
  readonly ready: Promise<void>;

  private readonly workDir: string;

  constructor(target: TargetName) {
    this.workDir = fs.mkdtempSync(path.join(os.tmpdir(), `wavediff-fuzz-${target}-`));
    const command = `ulimit -d ${DATA_LIMIT_KIB} && exec "${process.execPath}" --import tsx --expose-gc --max-old-space-size=${HEAP_LIMIT_MB} fuzz/executor.ts ${target} "${this.workDir}"`;
    this.child = spawn('bash', ['-c', command], { cwd: root, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-2000);
    });
    let fatal: string | null = null;
    this.ready = new Promise((resolve, reject) => {
      this.child.on('message', (reply: ExecutorReply) => {
        if ('ready' in reply) resolve();
        else if ('fatal' in reply) fatal = reply.fatal;
        else this.settle({ violations: reply.violations, allocatedBytes: reply.allocatedBytes, results: reply.results, refusals: reply.refusals });
      });
      this.child.on('exit', (code, signal) => {
        const how = fatal ? `the executor died: ${fatal}` : `the executor exited (${signal ?? `code ${code}`})${this.stderrTail ? `: ${this.stderrTail.trim().split('\n').slice(-6).join('\n')}` : ''}`;
        this.exited = how;
        reject(new Error(how));
        this.settle({ died: how });
      });
    });
    this.ready.catch(() => {});
  }

  private settle(outcome: Outcome): void {
    const pending = this.pending;
    this.pending = null;
    pending?.(outcome);
  }

  run(inputPath: string): Promise<Outcome> {
    if (this.exited) return Promise.resolve({ died: this.exited });
    return new Promise((resolve) => {
      const startedMs = performance.now();
      const startTimes = threadTimes(this.child.pid);
      const poll = setInterval(() => {
        const wallMs = performance.now() - startedMs;
        const now = startTimes && threadTimes(this.child.pid);
        let hang: string | null = null;
        if (!startTimes || !now) {
          if (wallMs > HANG_MS) hang = `no answer within ${HANG_MS} ms`;
        } else {
          const { cpuMs, waitMs } = timesSince(startTimes, now);
          const idleMs = wallMs - cpuMs - waitMs;
          if (cpuMs > HANG_MS) hang = `over ${HANG_MS} ms of CPU time (${Math.round(wallMs)} ms wall)`;
          else if (idleMs > HANG_MS) hang = `over ${HANG_MS} ms waiting with nothing to run (${Math.round(wallMs)} ms wall, ${Math.round(cpuMs)} ms CPU, ${Math.round(waitMs)} ms queued for a CPU)`;
        }
        // Decided after this loop turn's I/O: a reply that arrived while this process was starved comes first.
        if (hang) setImmediate(() => this.pending === settleThis && this.settle({ timedOut: hang }));
      }, 100);
      const settleThis = (outcome: Outcome) => {
        clearInterval(poll);
        resolve(outcome);
      };
      this.pending = settleThis;
      this.child.send({ id: this.nextId++, inputPath });
    });
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    fs.rmSync(this.workDir, { recursive: true, force: true });
  }
}

async function startExecutor(target: TargetName): Promise<Executor> {
  const executor = new Executor(target);
  await executor.ready;
  return executor;
}

function pickWeighted(weights: readonly number[], rng: Rng): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let point = (rng.next() / 0x100000000) * total;
  for (let i = 0; i < weights.length; i++) {
    point -= weights[i]!;
    if (point < 0) return i;
  }
  return weights.length - 1;
}

function corpusSeeds(target: Target): Seed[] {
  const dir = path.join(corpusDir, target.name);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(`.${target.ext}`))
    .sort()
    .map((name) => ({ name: `fuzz/corpus/${target.name}/${name}`, bytes: fs.readFileSync(path.join(dir, name)) }));
}

/** What groups findings: the kind, the step, and the reason without its numbers and paths. */
function signature(violation: Violation): string {
  const firstLine = violation.reason
    .split('\n')[0]!
    .replace(/\/\S+/g, '<path>')
    .replace(/0x[0-9a-f]+/gi, 'N')
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/\d+/g, 'N')
    .slice(0, 160);
  return `${violation.kind} ${violation.step.replace(/".*"/, '"…"')}: ${firstLine}`;
}

interface TargetReport {
  target: TargetName;
  inputs: number;
  seconds: number;
  counts: Record<ViolationKind, number>;
  restarts: number;
  /** Reader operations that returned a result, and that refused the input (file targets). */
  results: number;
  refusals: number;
  /** Largest allocation of one input, and that input's size. */
  peakAllocation: { bytes: number; inputBytes: number };
  findings: Map<string, { count: number; saved: string[] }>;
}

async function fuzzTarget(target: Target): Promise<TargetReport> {
  const seeds = [...(await target.seeds()), ...corpusSeeds(target)];
  if (seeds.length === 0) throw new Error(`no seeds for ${target.name}: is ../shared/testdata there?`);
  const seedBytes = seeds.map((s) => s.bytes);
  const weights = seeds.map((s) => target.weight?.(s) ?? 1);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `wavediff-fuzz-input-${target.name}-`));
  const inputPath = path.join(scratch, `input.${target.ext}`);
  const report: TargetReport = { target: target.name, inputs: 0, seconds: 0, counts: { crash: 0, hang: 0, alloc: 0, unclear: 0 }, restarts: 0, results: 0, refusals: 0, peakAllocation: { bytes: 0, inputBytes: 0 }, findings: new Map() };
  process.stderr.write(`${target.name}: ${seeds.length} seeds; starting the executor…\n`);
  let executor = await startExecutor(target.name);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const first = givenInputs ? 0 : (iteration ?? 0);
  const last = iteration !== undefined ? iteration + 1 : count !== undefined ? count : Infinity;
  try {
    for (let i = first; i < (givenInputs ? givenInputs.length : last) && performance.now() < deadline; i++) {
      let input: { bytes: Buffer; mutations: string[] };
      let base: Seed;
      if (givenInputs) {
        base = { name: givenInputs[i]!, bytes: fs.readFileSync(givenInputs[i]!) };
        input = { bytes: base.bytes, mutations: [] };
      } else {
        const rng = new Rng(`${seed}:${target.name}:${i}`);
        const seedIndex = pickWeighted(weights, rng);
        base = seeds[seedIndex]!;
        const others = seedBytes.filter((_, k) => k !== seedIndex);
        const maxBytes = base.bytes.length + 65536;
        input = target.mutate ? target.mutate(base.bytes, others, rng, maxBytes) : mutate(base.bytes, others, target.grammar, rng, maxBytes);
      }
      fs.writeFileSync(inputPath, input.bytes);
      const outcome = await executor.run(inputPath);
      let violations: Violation[] = [];
      if ('timedOut' in outcome) {
        violations = [{ kind: 'hang', step: 'whole input', reason: outcome.timedOut }];
        executor.stop();
        report.restarts++;
        executor = await startExecutor(target.name);
      }
      if ('died' in outcome) {
        const reason = outcome.died;
        violations = [{ kind: /heap limit|allocation failed|out of memory/i.test(reason) ? 'alloc' : 'crash', step: 'process', reason }];
        report.restarts++;
        executor = await startExecutor(target.name);
      } else if ('violations' in outcome) {
        violations = outcome.violations;
        report.results += outcome.results;
        report.refusals += outcome.refusals;
        if (outcome.allocatedBytes > report.peakAllocation.bytes) report.peakAllocation = { bytes: outcome.allocatedBytes, inputBytes: input.bytes.length };
      }
      report.inputs++;
      if (violations.length > 0) record(report, target, input.bytes, violations, { iteration: i, seedInput: base.name, mutations: input.mutations });
    }
  } finally {
    report.seconds = (performance.now() - started) / 1000;
    executor.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return report;
}

function record(report: TargetReport, target: Target, bytes: Buffer, violations: Violation[], origin: { iteration: number; seedInput: string; mutations: string[] }): void {
  for (const kind of new Set(violations.map((v) => v.kind))) report.counts[kind]++;
  const key = signature(violations[0]!);
  const finding = report.findings.get(key) ?? { count: 0, saved: [] };
  report.findings.set(key, finding);
  finding.count++;
  if (finding.saved.length >= SAVED_PER_SIGNATURE) return;
  const sha1 = createHash('sha1').update(bytes).digest('hex');
  const dir = path.join(findingsDir, target.name);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${sha1}.${target.ext}`);
  fs.writeFileSync(file, bytes);
  const sidecar = {
    target: target.name,
    seed,
    iteration: origin.iteration,
    reproduce: `npm run fuzz -- --target ${target.name} --seed ${seed} --iteration ${origin.iteration}`,
    seedInput: origin.seedInput,
    mutations: origin.mutations,
    bytes: bytes.length,
    violations,
  };
  fs.writeFileSync(path.join(dir, `${sha1}.json`), `${JSON.stringify(sidecar, null, 2)}\n`);
  finding.saved.push(path.relative(root, file));
}

// ---------------------------------------------------------------------------------------------

process.stderr.write(`fuzz: seed ${seed}; targets ${targets.join(', ')}; ${count !== undefined ? `${count} inputs` : ''}${count !== undefined && seconds !== Infinity ? ' or ' : ''}${seconds !== Infinity ? `${seconds} s` : ''} per target\n`);
const reports: TargetReport[] = [];
for (const name of targets) reports.push(await fuzzTarget(TARGETS[name]));

let found = 0;
process.stdout.write(`\nseed ${seed}\n${'target'.padEnd(8)} ${'inputs'.padStart(7)} ${'seconds'.padStart(8)} ${'inputs/s'.padStart(9)}  crash  hang  alloc  unclear  reader results/refusals  largest allocation\n`);
for (const r of reports) {
  const rate = r.seconds > 0 ? r.inputs / r.seconds : 0;
  process.stdout.write(
    `${r.target.padEnd(8)} ${String(r.inputs).padStart(7)} ${r.seconds.toFixed(1).padStart(8)} ${rate.toFixed(1).padStart(9)}  ${String(r.counts.crash).padStart(5)} ${String(r.counts.hang).padStart(5)} ${String(r.counts.alloc).padStart(6)} ${String(r.counts.unclear).padStart(8)}` +
      `  ${(r.results + r.refusals ? `${r.results}/${r.refusals}` : '-').padStart(23)}  ${`${(r.peakAllocation.bytes / 2 ** 20).toFixed(1)} MiB (input ${(r.peakAllocation.inputBytes / 2 ** 10).toFixed(0)} KiB)`.padStart(18)}` +
      `${r.restarts ? `  (executor restarts ${r.restarts})` : ''}\n`,
  );
  for (const [key, finding] of r.findings) {
    found++;
    process.stdout.write(`  ${key}\n    ${finding.count} input(s); saved ${finding.saved.join(', ')}\n`);
  }
}
process.exit(found > 0 ? 1 : 0);
