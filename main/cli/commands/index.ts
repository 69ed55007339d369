import type { CliCommand } from '../command.ts';
import { segyInfoCommand } from './segyInfo.ts';
import { forwardCommand } from './forward.ts';
import { synthCommand } from './synth.ts';
import { deviationCommand } from './deviation.ts';
import { projectCommand } from './project.ts';
import { importCommand, exportCommand, datasetsCommand, jobsCommand } from './importData.ts';
import { trainCommand, modelsCommand } from './train.ts';
import { invertCommand } from './invert.ts';
import { reconstructCommand } from './reconstruct.ts';
import { generateCommand, probeCommand } from './generate.ts';
import { studyCommand } from './study.ts';
import { mergeCommand } from './merge.ts';
import { clusterCommand } from './cluster.ts';

/** Every `wavediff` subcommand, in the order `wavediff --help` lists them. */
export const commands: CliCommand[] = [projectCommand, importCommand, datasetsCommand, exportCommand, jobsCommand, segyInfoCommand, synthCommand, forwardCommand, deviationCommand, trainCommand, modelsCommand, invertCommand, reconstructCommand, generateCommand, probeCommand, studyCommand, mergeCommand, clusterCommand];
