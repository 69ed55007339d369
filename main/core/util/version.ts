import fs from 'node:fs';
import path from 'node:path';
import { appRoot } from './paths.ts';

export function appVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(appRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
