import { Writable } from 'node:stream';
import { runCli } from '../main.ts';
import type { CliIo } from '../command.ts';

/** Runs `wavediff ARGV` in this process with stdout and stderr captured (not a terminal). */
export async function runCliCaptured(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void): Writable =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  const io: CliIo = { stdout: sink((t) => (stdout += t)), stderr: sink((t) => (stderr += t)), interactive: false };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
