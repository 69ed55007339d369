import fs from 'node:fs';
import path from 'node:path';
import { settingsSchema, recentProjectSchema, type RecentProject, type Settings } from '../contract/contract.ts';
import { OPENFWI_VELOCITY_RANGE_MPS } from '../contract/velocityRange.ts';
import { defaultClusterSettings } from '../contract/parameters.ts';
import { writeFileAtomic } from '../util/atomicFile.ts';
import { z } from 'zod';

export const defaultSettings: Settings = {
  pythonPath: null,
  workerThreads: 0,
  maxConcurrentJobs: 2,
  velocityDisplayRangeMps: { ...OPENFWI_VELOCITY_RANGE_MPS },
  cluster: { ...defaultClusterSettings },
};

const recentListLimit = 20;

/**
 * Per-user state kept outside projects: settings and the recent-projects list, as JSON files in the
 * studio's data folder. A corrupt file is set aside (renamed *.corrupt) and defaults are used.
 */
export class UserStore {
  readonly dataDir: string;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
    fs.mkdirSync(dataDir, { recursive: true });
  }

  private readJson<T>(name: string, schema: z.ZodType<T>, fallback: T): T {
    const file = path.join(this.dataDir, name);
    if (!fs.existsSync(file)) return fallback;
    try {
      const parsed = schema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      if (parsed.success) return parsed.data;
    } catch {
      // fall through: unreadable JSON is set aside like invalid JSON
    }
    fs.renameSync(file, `${file}.corrupt`);
    return fallback;
  }

  private writeJson(name: string, value: unknown): void {
    writeFileAtomic(path.join(this.dataDir, name), `${JSON.stringify(value, null, 2)}\n`);
  }

  settings(): Settings {
    return { ...defaultSettings, ...this.readJson('settings.json', settingsSchema.partial(), {}) };
  }

  updateSettings(patch: Partial<Settings>): Settings {
    const next = settingsSchema.parse({ ...this.settings(), ...patch });
    this.writeJson('settings.json', next);
    return next;
  }

  recentProjects(): RecentProject[] {
    const stored = this.readJson('recent-projects.json', z.array(recentProjectSchema), []);
    return stored.map((p) => ({ ...p, exists: fs.existsSync(path.join(p.folder, 'project.sqlite')) }));
  }

  rememberProject(folder: string, name: string): RecentProject[] {
    const rest = this.recentProjects().filter((p) => p.folder !== folder);
    const next = [{ folder, name, openedAt: new Date().toISOString(), exists: true }, ...rest].slice(0, recentListLimit);
    this.writeJson('recent-projects.json', next);
    return next;
  }

  forgetProject(folder: string): RecentProject[] {
    const next = this.recentProjects().filter((p) => p.folder !== folder);
    this.writeJson('recent-projects.json', next);
    return next;
  }
}

/** The studio's per-user data folder: $WAVEDIFF_DATA_DIR, else the platform's convention. */
export function defaultDataDir(): string {
  if (process.env.WAVEDIFF_DATA_DIR) return process.env.WAVEDIFF_DATA_DIR;
  const home = process.env.HOME ?? process.env.USERPROFILE ?? '.';
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? home, 'WaveDiffusion Studio');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'WaveDiffusion Studio');
  return path.join(process.env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'wavediffusion-studio');
}
