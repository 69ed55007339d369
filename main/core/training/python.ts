import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../contract/errors.ts';

export interface PythonInterpreter {
  path: string;
  pythonVersion: string;
  torchVersion: string;
  cudaAvailable: boolean;
}

export interface PythonProbe {
  found: PythonInterpreter | null;
  /** Every interpreter looked at, with why it was not used. */
  tried: { path: string; problem: string | null }[];
}

/** The install command shown when no interpreter with PyTorch is found. */
export const torchInstallHint =
  'Install PyTorch for the system Python with `sudo apt-get install python3-torch` (Debian/Ubuntu), or point Settings → Python interpreter at a Python that has torch (e.g. a venv with `pip install torch numpy`).';

const probeScript =
  'import json, sys\n' +
  'import numpy, torch\n' +
  'print(json.dumps({"python": sys.version.split()[0], "torch": torch.__version__, "cuda": bool(torch.cuda.is_available())}))\n';

function runProbe(interpreter: string, timeoutMs: number): Promise<PythonInterpreter> {
  return new Promise((resolve, reject) => {
    const child = spawn(interpreter, ['-c', probeScript], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`did not answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        const lastLine = stderr.trim().split('\n').pop() ?? `exit status ${code}`;
        reject(new Error(lastLine));
        return;
      }
      try {
        const info = JSON.parse(stdout.trim().split('\n').pop() ?? '') as { python: string; torch: string; cuda: boolean };
        resolve({ path: interpreter, pythonVersion: info.python, torchVersion: info.torch, cudaAvailable: info.cuda });
      } catch {
        reject(new Error(`unexpected answer: ${stdout.slice(0, 200)}`));
      }
    });
  });
}

function pathCandidates(): string[] {
  const found: string[] = [];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const name of ['python3', 'python']) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) found.push(candidate);
    }
  }
  return found;
}

/**
 * Finds a Python interpreter with torch and numpy: the configured one only, when set; otherwise
 * $WAVEDIFF_PYTHON, Debian's /usr/bin/python3 (where python3-torch installs), then python3/python
 * on PATH. Each candidate is asked for its versions in a child process.
 */
export async function findPython(configured: string | null, options: { timeoutMs?: number } = {}): Promise<PythonProbe> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const candidates = configured
    ? [configured]
    : [...new Set([process.env.WAVEDIFF_PYTHON, '/usr/bin/python3', ...pathCandidates()].filter((c): c is string => Boolean(c)))];
  const tried: PythonProbe['tried'] = [];
  for (const candidate of candidates) {
    try {
      const found = await runProbe(candidate, timeoutMs);
      tried.push({ path: candidate, problem: null });
      return { found, tried };
    } catch (error) {
      tried.push({ path: candidate, problem: (error as Error).message });
    }
  }
  return { found: null, tried };
}

/** Like findPython, but throws the message a user can act on when none is usable. */
export async function requirePython(configured: string | null): Promise<PythonInterpreter> {
  const probe = await findPython(configured);
  if (probe.found) return probe.found;
  const tried = probe.tried.map((t) => `${t.path}: ${t.problem}`).join('; ');
  throw new StudioError(
    'unsupported',
    `No Python interpreter with PyTorch and numpy was found${configured ? ` at the configured ${configured}` : ''} (tried ${tried || 'nothing'}). ${torchInstallHint}`,
  );
}
