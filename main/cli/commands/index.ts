import type { CliCommand } from '../command.ts';

/** Every `wavediff` subcommand, in the order `wavediff --help` lists them. */
export const commands: CliCommand[] = [];
