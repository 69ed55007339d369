import type { Writable } from 'node:stream';

export type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean };

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  /** True when stderr is a terminal: progress bars are drawn only then. */
  interactive: boolean;
}

/** One `wavediff <name>` subcommand. `run` returns the process exit status. */
export interface CliCommand {
  name: string;
  summary: string;
  /** Full help text shown by `wavediff <name> --help`. */
  usage: string;
  options: Record<string, OptionSpec>;
  /** The command reads its arguments itself (it forwards options of another command): `run` gets them all as positionals. */
  rawArguments?: boolean;
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}
