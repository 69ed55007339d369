import path from 'node:path';
import { parseArgs } from 'node:util';
import { Studio } from '../core/app/studio.ts';
import { defaultDataDir } from '../core/app/userStore.ts';
import { openStartupProject } from '../core/app/startup.ts';
import { studioJobKinds } from '../core/app/jobKinds.ts';
import { appRoot } from '../core/util/paths.ts';
import { startStudioServer } from './httpServer.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    project: { type: 'string' },
    'data-dir': { type: 'string' },
    'renderer-dir': { type: 'string' },
  },
});

const studio = new Studio({
  dataDir: values['data-dir'] ?? defaultDataDir(),
  shell: 'browser',
  jobKinds: studioJobKinds(),
});
const project = await openStartupProject(studio, values.project);
const server = await startStudioServer({
  studio,
  rendererDir: values['renderer-dir'] ?? path.join(appRoot(), 'dist', 'renderer'),
  port: Number(values.port),
});
process.stdout.write(`WaveDiffusion Studio (browser shell) — project: ${project ? `${project.name} (${project.folder})` : 'none open'}\n`);
process.stdout.write(`Open ${server.url}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) process.exit(1);
  stopping = true;
  process.stdout.write('Stopping: running jobs are checkpointed and can be resumed next time…\n');
  await server.close();
  await studio.shutdown();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
