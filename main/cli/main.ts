import { parseArgs } from 'node:util';
import { commands } from './commands/index.ts';
import type { CliIo, CliCommand } from './command.ts';
import { StudioError, toWireError } from '../core/contract/errors.ts';

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 8);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'wavediff — WaveDiffusion Studio from the command line',
    '',
    'Usage: wavediff <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `wavediff <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

/** Runs one CLI invocation and returns the exit status; never calls process.exit itself. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview());
    return name ? 0 : 1;
  }
  if (name === '--version') {
    const { appVersion } = await import('../core/util/version.ts');
    io.stdout.write(`${appVersion()}\n`);
    return 0;
  }
  const command: CliCommand | undefined = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`wavediff: unknown command '${name}'.\n\n${overview()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.usage.trimEnd()}\n`);
    return 0;
  }
  let parsed;
  try {
    parsed = command.rawArguments ? { values: {}, positionals: rest } : parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
  } catch (error) {
    io.stderr.write(`wavediff ${name}: ${(error as Error).message}\n\n${command.usage.trimEnd()}\n`);
    return 2;
  }
  try {
    return await command.run(parsed as Parameters<CliCommand['run']>[0], io);
  } catch (error) {
    const wire = toWireError(error);
    const jsonRequested = rest.includes('--json');
    if (jsonRequested) io.stdout.write(`${JSON.stringify({ error: wire.message, code: wire.code })}\n`);
    io.stderr.write(`wavediff ${name}: ${wire.message}\n`);
    if (!(error instanceof StudioError) && error instanceof Error && process.env.WAVEDIFF_DEBUG) {
      io.stderr.write(`${error.stack}\n`);
    }
    return wire.code === 'cancelled' ? 130 : 1;
  }
}
