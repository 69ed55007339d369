/**
 * The packaged desktop app's Electron fuses. electron-builder.yml is read and validated by
 * electron-builder's own loader and schema (a misspelt key fails), and turned into the fuse wire by the
 * same function electron-builder calls before it runs @electron/fuses' flipFuses on the binary.
 */
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { PlatformPackager, type Configuration } from 'app-builder-lib';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { FuseV1Options, FuseVersion } from '@electron/fuses';

const repoRoot = path.resolve(__dirname, '..', '..');

async function builderConfiguration(): Promise<Configuration> {
  const config = await getConfig(repoRoot, null, null);
  await validateConfiguration(config, new DebugLogger(false));
  return config;
}

/** What electron-builder hands to flipFuses: FuseV1Options index → on/off. */
async function fuseWire(config: Configuration): Promise<Record<string, unknown>> {
  if (!config.electronFuses) throw new Error('electron-builder.yml sets no electronFuses.');
  // Private in electron-builder's typings, and uses no instance state.
  const packager = PlatformPackager.prototype as unknown as {
    generateFuseConfig(fuses: NonNullable<Configuration['electronFuses']>): Promise<Record<string, unknown>>;
  };
  return packager.generateFuseConfig.call(null, config.electronFuses);
}

describe('packaged desktop app', () => {
  it('seals the Electron binary with fuses', async () => {
    const config = await builderConfiguration();
    const wire = await fuseWire(config);
    expect(wire.version).toBe(FuseVersion.V1);
    const expected: [FuseV1Options, boolean][] = [
      [FuseV1Options.RunAsNode, false],
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable, false],
      [FuseV1Options.EnableNodeCliInspectArguments, false],
      [FuseV1Options.EnableCookieEncryption, true],
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation, true],
      [FuseV1Options.OnlyLoadAppFromAsar, true],
      [FuseV1Options.GrantFileProtocolExtraPrivileges, false],
      [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot, false],
    ];
    for (const [fuse, state] of expected) expect({ fuse: FuseV1Options[fuse], state: wire[fuse] }).toEqual({ fuse: FuseV1Options[fuse], state });
    // onlyLoadAppFromAsar and the integrity check need the app packed into app.asar.
    expect(config.asar).not.toBe(false);
  });

  it("refuses a misspelt fuse through electron-builder's schema", async () => {
    const config = await getConfig(repoRoot, null, null);
    const misspelt = { ...config, electronFuses: { ...config.electronFuses, runAsnode: false } } as Configuration;
    await expect(validateConfiguration(misspelt, new DebugLogger(false))).rejects.toThrow(/configuration\.electronFuses/);
  });

  it('needs no ELECTRON_RUN_AS_NODE: nothing bundled into the desktop app re-runs its own executable', () => {
    // With the RunAsNode fuse off, process.execPath is Electron itself and child_process.fork cannot
    // start Node scripts. Workers are worker_threads; the trainer is a Python child process.
    const shipped = ['main/core', 'main/electron', 'preload'].flatMap((dir) => sourceFiles(path.join(repoRoot, dir)));
    expect(shipped.length).toBeGreaterThan(50);
    const offenders = shipped.filter((file) => /process\.execPath|ELECTRON_RUN_AS_NODE|\bfork\s*\(/.test(fs.readFileSync(file, 'utf8')));
    expect(offenders.map((file) => path.relative(repoRoot, file))).toEqual([]);
  });
});

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx|mts|mjs|js)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}
