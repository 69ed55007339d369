// `npm start`: the desktop app when Electron's binary is installed; otherwise it says so and starts
// the browser shell, so the same command works on machines that cannot download Electron.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function run(script) {
  const result = spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const electron = findElectronBinary(root);
if (electron.binary) {
  run('build');
  const child = spawn(electron.binary, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(`Electron's binary is not installed here (${electron.reason}).`);
  console.log('Starting the browser shell instead: open the address below in a browser on this machine.');
  console.log('(For the desktop app, run `npx install-electron` once on a machine that can reach Electron\'s download site.)\n');
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'serve.mjs'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}
