import path from 'node:path';
import type { CliCommand } from '../command.ts';
import { StudioError } from '../../core/contract/errors.ts';
import { call, followJob, projectFolderFrom, withProject } from '../studioSession.ts';
import { defaultGatherKey } from '../../core/contract/parameters.ts';

/** Parses "5x1000x70" (sources × time samples × receivers). */
export function parseGrid(text: string): { sources: number; timeSamples: number; receivers: number } {
  const match = /^(\d+)[x×](\d+)[x×](\d+)$/.exec(text.trim());
  if (!match) throw new StudioError('bad_input', `--resample wants SOURCESxTIMExRECEIVERS, e.g. 5x1000x70; got '${text}'.`);
  return { sources: Number(match[1]), timeSamples: Number(match[2]), receivers: Number(match[3]) };
}

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'Import SEG-Y shot gathers or an OpenFWI folder into a project',
  usage: `Usage:
  wavediff import segy FILE_OR_FOLDER... --project DIR [--name NAME] [--key ${defaultGatherKey}] [--resample 5x1000x70] [--dt-ms 1]
  wavediff import openfwi FOLDER --project DIR [--name NAME]

SEG-Y traces are grouped into shot gathers by --key (a segyio TraceField name); each file becomes
one sample [gathers, time, receivers]. Files that differ in sample interval, samples per trace or
sample format become separate datasets (one per sampling), never one relabelled with the first
file's interval. --resample picks that many gathers evenly and resamples time and receivers to the
grid (OpenFWI: 5x1000x70), keeping each file's record length unless --dt-ms gives the interval:
with --dt-ms all files share that grid and form one dataset. Ctrl-C cancels; resume with
'wavediff jobs resume'.`,
  options: {
    project: { type: 'string' },
    name: { type: 'string' },
    key: { type: 'string' },
    resample: { type: 'string' },
    'dt-ms': { type: 'string' },
  },
  async run(args, io) {
    const [format, ...paths] = args.positionals;
    const folder = projectFolderFrom(args);
    if (paths.length === 0) throw new StudioError('bad_input', 'Give at least one file or folder to import.');
    const name = args.values.name as string | undefined;
    return withProject(folder, io, async (studio) => {
      if (format === 'segy') {
        const grid = args.values.resample ? parseGrid(args.values.resample as string) : null;
        const dtMs = args.values['dt-ms'] ? Number(args.values['dt-ms']) : undefined;
        if (dtMs !== undefined && !(dtMs > 0)) throw new StudioError('bad_input', `--dt-ms wants a positive interval in milliseconds, e.g. 1; got '${String(args.values['dt-ms'])}'.`);
        if (dtMs !== undefined && !grid) throw new StudioError('bad_input', '--dt-ms sets the interval of the resampling grid; give --resample SOURCESxTIMExRECEIVERS with it.');
        const job = await call(studio, 'import.segy', {
          paths,
          name,
          gatherKey: args.values.key as string | undefined,
          resample: grid ? { ...grid, sampleIntervalMs: dtMs } : null,
        });
        return followJob(studio, job, io);
      }
      if (format === 'openfwi') {
        if (paths.length !== 1) throw new StudioError('bad_input', 'Give one OpenFWI folder.');
        return followJob(studio, await call(studio, 'import.openfwi', { folder: paths[0], name }), io);
      }
      throw new StudioError('bad_input', `Unknown format '${format ?? ''}'. Use segy or openfwi.`);
    });
  },
};

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'Export a dataset as OpenFWI .npy pairs or its seismic as SEG-Y',
  usage: `Usage:
  wavediff export openfwi --project DIR --dataset ID --out FOLDER [--overwrite]
  wavediff export segy --project DIR --dataset ID --out FILE.sgy [--overwrite]

openfwi writes data1.npy/model1.npy … (seismic [N, sources, time, receivers], velocity
[N, 1, depth, width]) and needs a dataset with velocity models. segy writes any dataset with
seismic as one SEG-Y file (IEEE floats, rev 2): a trace per sample, source and recorded receiver,
the dataset's sample interval, and trace headers with the source and receiver coordinates (a
SEG-Y import's own headers; else the acquisition geometry's, in metres); zero traces that padded
shorter gathers are left out.`,
  options: { project: { type: 'string' }, dataset: { type: 'string' }, out: { type: 'string' }, overwrite: { type: 'boolean' } },
  async run(args, io) {
    const [format] = args.positionals;
    if (format !== 'openfwi' && format !== 'segy') throw new StudioError('bad_input', `Unknown export format '${format ?? ''}'. Use openfwi or segy.`);
    const datasetId = Number(args.values.dataset);
    if (!Number.isInteger(datasetId)) throw new StudioError('bad_input', 'Give the dataset id with --dataset ID (see wavediff datasets --project DIR).');
    const out = args.values.out as string | undefined;
    if (!out) throw new StudioError('bad_input', format === 'segy' ? 'Give the output file with --out FILE.sgy.' : 'Give the output folder with --out FOLDER.');
    const overwrite = Boolean(args.values.overwrite);
    return withProject(projectFolderFrom(args), io, async (studio) =>
      followJob(
        studio,
        format === 'segy'
          ? await call(studio, 'export.segy', { datasetId, file: path.resolve(out), overwrite })
          : await call(studio, 'export.openfwi', { datasetId, folder: out, overwrite }),
        io,
      ),
    );
  },
};

export const datasetsCommand: CliCommand = {
  name: 'datasets',
  summary: 'List the datasets of a project',
  usage: 'Usage:\n  wavediff datasets --project DIR [--json]',
  options: { project: { type: 'string' }, json: { type: 'boolean' } },
  async run(args, io) {
    return withProject(
      projectFolderFrom(args),
      io,
      async (studio) => {
        const datasets = await call(studio, 'dataset.list', {});
        if (args.values.json) io.stdout.write(`${JSON.stringify(datasets)}\n`);
        else for (const d of datasets) io.stdout.write(`${d.id}\t${d.name}\t${d.kind}\t${d.nSamples} samples\tseismic ${d.seismicShape?.join('×') ?? '-'}\tvelocity ${d.velocityShape?.join('×') ?? '-'}\n`);
        return 0;
      },
      { readOnly: true },
    );
  },
};

export const jobsCommand: CliCommand = {
  name: 'jobs',
  summary: 'List, resume or discard the jobs of a project',
  usage: `Usage:
  wavediff jobs --project DIR [--json]
  wavediff jobs resume ID --project DIR
  wavediff jobs discard ID --project DIR`,
  options: { project: { type: 'string' }, json: { type: 'boolean' } },
  async run(args, io) {
    const [action, id] = args.positionals;
    // Listing reads only: it works while another process runs the jobs, and marks nothing interrupted.
    return withProject(projectFolderFrom(args), io, async (studio) => {
      if (!action) {
        const jobs = await call(studio, 'job.list', {});
        if (args.values.json) io.stdout.write(`${JSON.stringify(jobs)}\n`);
        else for (const j of jobs) io.stdout.write(`${j.id}\t${j.status}\t${j.title}${j.error ? `\t${j.error}` : ''}\n`);
        return 0;
      }
      const jobId = Number(id);
      if (!Number.isInteger(jobId)) throw new StudioError('bad_input', `Give the job id: wavediff jobs ${action} ID --project DIR`);
      if (action === 'resume') return followJob(studio, await call(studio, 'job.resume', { jobId }), io);
      if (action === 'discard') {
        const job = await call(studio, 'job.discard', { jobId });
        io.stdout.write(`Job ${job.id} discarded.\n`);
        return 0;
      }
      throw new StudioError('bad_input', `Unknown action '${action}'. Use resume or discard.`);
    }, { readOnly: !action });
  },
};
