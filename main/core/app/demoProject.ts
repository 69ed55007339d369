import fs from 'node:fs';
import path from 'node:path';
import type { ProjectInfo } from '../contract/contract.ts';
import type { Studio } from './studio.ts';
import { resourcesDir } from '../util/paths.ts';
import { catalogueFileName } from '../store/project.ts';
import { defaultGatherKey } from '../contract/parameters.ts';

export function demoProjectFolder(studio: Studio): string {
  return path.join(studio.user.dataDir, 'demo-project');
}

export function demoResourcesDir(): string {
  return path.join(resourcesDir(), 'demo');
}

/**
 * Opens the demo project, creating it on first use from the small files in resources/demo: the
 * SEG-Y shot gathers and OpenFWI-style pairs are imported by the same jobs a user runs.
 */
export async function openDemoProject(studio: Studio): Promise<ProjectInfo> {
  const folder = demoProjectFolder(studio);
  if (fs.existsSync(path.join(folder, catalogueFileName))) return studio.openProject(folder);
  fs.rmSync(folder, { recursive: true, force: true });
  const info = await studio.createProject(folder, 'Demo project', { isDemo: true });
  const resources = demoResourcesDir();
  const segyFiles = fs
    .readdirSync(path.join(resources, 'segy'))
    .filter((n) => /\.(sgy|segy)$/i.test(n))
    .sort()
    .map((n) => path.join(resources, 'segy', n));
  if (segyFiles.length > 0) {
    studio.jobs.start('import.segy', { paths: segyFiles, name: 'Demo shot gathers (SEG-Y)', gatherKey: defaultGatherKey, resample: null });
  }
  for (const entry of fs.readdirSync(path.join(resources, 'openfwi'), { withFileTypes: true })) {
    if (entry.isDirectory()) {
      studio.jobs.start('import.openfwi', { folder: path.join(resources, 'openfwi', entry.name), name: `Demo ${entry.name}` });
    }
  }
  return info;
}
