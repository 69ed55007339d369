import type { CliCommand } from '../command.ts';
import { segyInfoCommand } from './segyInfo.ts';

/** Every `wavediff` subcommand, in the order `wavediff --help` lists them. */
export const commands: CliCommand[] = [segyInfoCommand];
