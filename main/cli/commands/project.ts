import path from 'node:path';
import type { CliCommand } from '../command.ts';
import { Studio } from '../../core/app/studio.ts';
import { defaultDataDir } from '../../core/app/userStore.ts';
import { studioJobKinds } from '../../core/app/jobKinds.ts';
import { StudioError } from '../../core/contract/errors.ts';
import { withProject } from '../studioSession.ts';

export const projectCommand: CliCommand = {
  name: 'project',
  summary: 'Create a project folder, or show what one holds',
  usage: `Usage:
  wavediff project create DIR --name NAME   Create a project in a new or empty folder
  wavediff project info DIR [--json]        Datasets and jobs of a project
  wavediff project recent [--json]          Recently opened projects`,
  options: { name: { type: 'string' }, json: { type: 'boolean' } },
  async run(args, io) {
    const [action, folder] = args.positionals;
    const json = Boolean(args.values.json);
    if (action === 'create') {
      if (!folder) throw new StudioError('bad_input', 'Give the project folder: wavediff project create DIR --name NAME');
      const name = (args.values.name as string | undefined) ?? path.basename(path.resolve(folder));
      const studio = new Studio({ dataDir: defaultDataDir(), shell: 'cli', jobKinds: studioJobKinds() });
      try {
        const info = await studio.createProject(folder, name, { remember: false });
        io.stdout.write(json ? `${JSON.stringify(info)}\n` : `Created project '${info.name}' in ${info.folder}\n`);
      } finally {
        await studio.shutdown();
      }
      return 0;
    }
    if (action === 'info') {
      if (!folder) throw new StudioError('bad_input', 'Give the project folder: wavediff project info DIR');
      return withProject(path.resolve(folder), io, async (studio) => {
        const project = studio.requireProject();
        const datasets = project.catalogue.listDatasets();
        const jobs = studio.jobs.list();
        if (json) {
          io.stdout.write(`${JSON.stringify({ project: project.info(), datasets, jobs })}\n`);
          return 0;
        }
        const info = project.info();
        io.stdout.write(`Project '${info.name}' (${info.folder})\n\nDatasets:\n`);
        if (datasets.length === 0) io.stdout.write('  (none)\n');
        for (const d of datasets) {
          const shapes = [d.seismicShape && `seismic ${d.seismicShape.join('×')}`, d.velocityShape && `velocity ${d.velocityShape.join('×')}`].filter(Boolean).join(', ');
          io.stdout.write(`  ${String(d.id).padStart(3)}  ${d.name}  [${d.kind}]  ${d.nSamples} samples  ${shapes}\n`);
        }
        io.stdout.write('\nJobs:\n');
        if (jobs.length === 0) io.stdout.write('  (none)\n');
        for (const j of jobs.slice(0, 20)) io.stdout.write(`  ${String(j.id).padStart(3)}  ${j.status.padEnd(11)} ${j.title}${j.error ? ` — ${j.error}` : ''}\n`);
        return 0;
      }, { readOnly: true });
    }
    if (action === 'recent') {
      const studio = new Studio({ dataDir: defaultDataDir(), shell: 'cli', jobKinds: [] });
      const recent = studio.user.recentProjects();
      io.stdout.write(json ? `${JSON.stringify(recent)}\n` : recent.map((p) => `${p.exists ? ' ' : '!'} ${p.name}  ${p.folder}  (opened ${p.openedAt})\n`).join('') || '(no recent projects)\n');
      return 0;
    }
    throw new StudioError('bad_input', `Unknown action '${action ?? ''}'. Use create, info or recent.`);
  },
};
