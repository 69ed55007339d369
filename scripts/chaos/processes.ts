/**
 * Real `wavediff` processes for the chaos harness: started in a process group of their own so that
 * whatever they start (a PyTorch trainer) can be found and cleaned up, killed with SIGKILL by pid,
 * and a seeded random stream for the moments of the kills.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { appRoot } from '../../main/core/util/paths.ts';

export const cliPath = path.join(appRoot(), 'bin', 'wavediff.mjs');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

export interface Launched {
  pid: number;
  args: string[];
  exit: Promise<Exit>;
  running(): boolean;
}

/** Process groups this harness started; `cleanUp` kills what is left of them. */
const groups = new Set<number>();

/** Starts `node SCRIPT ARGS` (by default the wavediff CLI) as the leader of a new process group. */
export function launch(args: string[], env: NodeJS.ProcessEnv, script: string[] = [cliPath]): Launched {
  const started = performance.now();
  const child = spawn(process.execPath, [...script, ...args], { cwd: appRoot(), env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`Could not start ${args.join(' ')}`);
  groups.add(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    // 'close' waits for the pipes too, so that the last lines are in.
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, seconds: (performance.now() - started) / 1000 }));
  });
  return { pid: child.pid, args, exit, running: () => child.exitCode === null && child.signalCode === null };
}

/** Runs a command to its end. */
export function run(args: string[], env: NodeJS.ProcessEnv): Promise<Exit> {
  return launch(args, env).exit;
}

/** `kill -9 PID`: the wavediff process only, as a user or the OOM killer would; what it started is left to fend for itself. */
export function killNine(process_: Launched): boolean {
  if (!process_.running()) return false;
  try {
    process.kill(process_.pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/** Processes still alive in the group of a command that has ended (an orphaned trainer). */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills what is left of one group this harness started. */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/** Kills every process group this harness started that still has members (on exit and on Ctrl-C). */
export function cleanUp(): void {
  for (const pid of groups) if (groupAlive(pid)) killGroup(pid);
}

const holderScript = path.join(appRoot(), 'main', 'core', 'app', 'testing', 'holdProject.ts');

export interface Holder {
  pid: number;
  /** Closes the project in the holder and waits for it to exit. */
  release(): Promise<Exit>;
}

/** A process that opens `projectDir` for writing, as the desktop app does, and keeps it open until released. */
export function holdProject(projectDir: string, label: string, dataDir: string): Promise<Holder> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', holderScript, projectDir, label, dataDir], { cwd: appRoot(), detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`Could not start the holder of ${projectDir}`);
  groups.add(child.pid);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout: '', stderr, seconds: (performance.now() - started) / 1000 })));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => {
      const said = JSON.parse(line) as { holding?: string; pid?: number };
      if (!said.holding) reject(new Error(`The holder could not open ${projectDir}: ${line}`));
      else {
        resolve({
          pid: child.pid!,
          release: () => {
            child.stdin.end();
            return exit;
          },
        });
      }
    });
    void exit.then((e) => reject(new Error(`The holder exited (${e.code}) before holding ${projectDir}: ${tail(stderr)}`)));
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** mulberry32: a small seeded generator of uniform numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The last lines of a command's stderr, for a report. */
export function tail(text: string, lines = 6): string {
  return text
    .split(/\r|\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-lines)
    .join(' | ');
}
