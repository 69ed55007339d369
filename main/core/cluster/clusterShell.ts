import { spawn } from 'node:child_process';
import { StudioError } from '../contract/errors.ts';

/** A word as a POSIX shell reads it back unchanged. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Words of a setting such as 'ssh -p 2222 user@login' or 'npx --prefix /opt/w wavediff' (split at spaces; no quoting). */
export function settingWords(text: string): string[] {
  return text.trim().split(/\s+/).filter((w) => w !== '');
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs Slurm's commands on the cluster's side: directly where this machine is a login node, or
 * through a prefix such as `ssh user@login`, which gets the command as one quoted shell line.
 */
export class ClusterShell {
  private readonly prefix: string[];

  constructor(commandPrefix: string) {
    this.prefix = settingWords(commandPrefix);
  }

  /** How `argv` is started here: itself, or the prefix followed by its quoted line. */
  commandLine(argv: string[]): string[] {
    return this.prefix.length === 0 ? argv : [...this.prefix, argv.map(shellQuote).join(' ')];
  }

  /** Runs `argv` on the cluster's side with `stdin` as its input; a command that cannot start is a StudioError naming it. */
  run(argv: string[], options: { stdin?: string; signal?: AbortSignal } = {}): Promise<CommandResult> {
    const [program, ...args] = this.commandLine(argv);
    return new Promise((resolve, reject) => {
      const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], signal: options.signal });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (error.name === 'AbortError') reject(options.signal?.reason ?? error);
        else if (error.code === 'ENOENT') {
          const via = this.prefix.length > 0 ? ` (the command prefix '${this.prefix.join(' ')}' starts with it)` : '';
          reject(new StudioError('not_found', `'${program}' was not found on this machine${via}. Install Slurm's client commands here, or set Settings → Cluster → Command prefix to reach a login node (e.g. "ssh user@login").`));
        } else reject(new StudioError('internal', `Could not run '${program}': ${error.message}`));
      });
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.stdin ?? '');
    });
  }
}
