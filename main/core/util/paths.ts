import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository (or installed app) root: the folder holding package.json. */
export function appRoot(): string {
  const fromEnv = process.env.WAVEDIFF_APP_ROOT;
  if (fromEnv) return fromEnv;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('Cannot locate the studio root (no package.json above main/core/util).');
    dir = parent;
  }
  return dir;
}

/** The shared folder beside the checkout that holds test data written by other tools. */
export function sharedDir(): string {
  return process.env.WAVEDIFF_SHARED ?? path.resolve(appRoot(), '..', 'shared');
}

export function resourcesDir(): string {
  return path.join(appRoot(), 'resources');
}
