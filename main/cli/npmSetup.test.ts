/**
 * How the project meets npm: `npx wavediff` runs without npm warnings (npm 11 warns about, and npm 12
 * will refuse, unknown keys in the project's .npmrc), and `npm run setup` still tells onnxruntime-node's
 * install script to skip its CUDA download (a feed these machines cannot reach; the CPU provider ships
 * in the package).
 */
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { appRoot } from '../core/util/paths.ts';

const root = appRoot();

describe('npm set-up', () => {
  it('npx wavediff --help prints usage and no npm warning', () => {
    const run = spawnSync('npx', ['wavediff', '--help'], { cwd: root, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/wavediff/);
    expect(run.stderr).not.toMatch(/npm warn/i);
  });

  it("scripts/setup.sh exports the variable onnxruntime-node's install script reads, set to skip, before installing", () => {
    const setup = fs.readFileSync(path.join(root, 'scripts', 'setup.sh'), 'utf8');
    const exportLine = /^export ONNXRUNTIME_NODE_INSTALL=.*$/m.exec(setup);
    expect(exportLine, 'setup.sh exports ONNXRUNTIME_NODE_INSTALL').not.toBeNull();
    expect(exportLine!.index).toBeLessThan(setup.search(/^if \[ -f package-lock.json \]; then npm ci/m));
    // The value as bash sets it in a clean environment (the line may keep a value the user chose).
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    const value = spawnSync('bash', ['-c', `${exportLine![0]}; printf %s "$ONNXRUNTIME_NODE_INSTALL"`], { encoding: 'utf8', env }).stdout;
    // Ask the package's own parser what that value means: false is "skip the download".
    const installUtils = createRequire(import.meta.url).resolve('onnxruntime-node/script/install-utils.js');
    const parsed = spawnSync(process.execPath, ['-e', `process.stdout.write(JSON.stringify(require(${JSON.stringify(installUtils)}).parseInstallFlag()))`], {
      encoding: 'utf8',
      env: { ...env, ONNXRUNTIME_NODE_INSTALL: value },
    });
    expect(parsed.status, parsed.stderr).toBe(0);
    expect(JSON.parse(parsed.stdout)).toBe(false);
  });
});
