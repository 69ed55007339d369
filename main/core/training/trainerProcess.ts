import { spawn } from 'node:child_process';
import readline from 'node:readline';
import path from 'node:path';
import fs from 'node:fs';
import { appRoot } from '../util/paths.ts';
import { StudioError } from '../contract/errors.ts';

/** One JSON-lines message of the trainer (native-models/README.md, "Protocol"). */
export interface TrainerMessage {
  type: 'start' | 'progress' | 'preview' | 'metrics' | 'checkpoint' | 'export' | 'stopped' | 'done' | 'error';
  step?: number;
  total_steps?: number;
  [key: string]: unknown;
}

/** One stdout line of the trainer as a message, or null for a line that is not one (a stray print, a line cut short). */
export function parseTrainerLine(line: string): TrainerMessage | null {
  try {
    const message = JSON.parse(line) as unknown;
    return message !== null && typeof message === 'object' && typeof (message as { type?: unknown }).type === 'string' ? (message as TrainerMessage) : null;
  } catch {
    return null;
  }
}

export interface TrainerRun {
  /** Resolves with the last message ('done' or 'stopped'); rejects with the trainer's error. */
  finished: Promise<TrainerMessage>;
  /** Asks the trainer to checkpoint and stop (SIGTERM); it answers with 'stopped'. */
  stop(): void;
}

/** The Python package's folder; in a packaged app it is unpacked beside the asar archive so Python can read it. */
export function nativeModelsDir(): string {
  const root = appRoot();
  const unpacked = root.endsWith('.asar') ? `${root}.unpacked` : root;
  return path.join(fs.existsSync(path.join(unpacked, 'native-models')) ? unpacked : root, 'native-models');
}

/**
 * Runs `python -m wavediff_models.<module> ARGS` with the package on PYTHONPATH, passing each stdout
 * JSON line to `onMessage` and each stderr line to `onLog`.
 */
export function runTrainerModule(
  python: string,
  module: 'train' | 'export' | 'evaluate',
  args: string[],
  handlers: { onMessage(message: TrainerMessage): void; onLog(line: string): void },
): TrainerRun {
  const dir = nativeModelsDir();
  const child = spawn(python, ['-m', `wavediff_models.${module}`, ...args], {
    cwd: dir,
    env: { ...process.env, PYTHONPATH: dir, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let last: TrainerMessage | null = null;
  let error: string | null = null;
  const stderrTail: string[] = [];
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    const message = parseTrainerLine(line);
    if (!message) {
      handlers.onLog(line);
      return;
    }
    if (message.type === 'error') error = String(message.message ?? 'the trainer failed');
    last = message;
    handlers.onMessage(message);
  });
  readline.createInterface({ input: child.stderr }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
    handlers.onLog(line);
  });
  const finished = new Promise<TrainerMessage>((resolve, reject) => {
    child.on('error', (e) => reject(new StudioError('unsupported', `Cannot start ${python}: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (error) reject(new StudioError('bad_input', `The trainer stopped with an error: ${error}`));
      else if (code === 0 && last && (last.type === 'done' || last.type === 'stopped')) resolve(last);
      else {
        reject(new StudioError('internal', `The trainer exited (${signal ?? `status ${code}`}) without finishing. Last output: ${stderrTail.slice(-5).join(' | ') || 'none'}`));
      }
    });
  });
  return {
    finished,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    },
  };
}
