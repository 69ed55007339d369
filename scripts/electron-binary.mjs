// Locates Electron's executable without `require('electron')`, whose index tries to download the
// binary when it is missing. Returns { binary } or { reason }.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

export function findElectronBinary(fromDir = process.cwd()) {
  const require = createRequire(path.join(fromDir, 'package.json'));
  let packageDir;
  try {
    packageDir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const binary = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, process.platform === 'win32' ? 'electron.exe' : 'electron');
    return fs.existsSync(binary) ? { binary } : { reason: `ELECTRON_OVERRIDE_DIST_PATH has no ${path.basename(binary)}` };
  }
  const pathFile = path.join(packageDir, 'path.txt');
  if (!fs.existsSync(pathFile)) return { reason: "Electron's binary has not been downloaded (`npx install-electron` downloads it)" };
  const binary = path.join(packageDir, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  return fs.existsSync(binary) ? { binary } : { reason: `${binary} is missing` };
}
