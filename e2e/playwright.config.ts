import { defineConfig } from '@playwright/test';
import type { ShellOptions } from './fixtures.ts';
// @ts-expect-error: a plain ESM script without type declarations
import { findElectronBinary } from '../scripts/electron-binary.mjs';

const electron = findElectronBinary(new URL('..', import.meta.url).pathname) as { binary?: string; reason?: string };
if (!electron.binary) {
  console.log(`Electron shell: its specs will be SKIPPED here (${electron.reason}); the browser shell runs them all.`);
}

export default defineConfig<ShellOptions>({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../test-results',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  // One retry on CI: 2 shared cores can starve a UI transition; a real failure fails twice.
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  use: { trace: 'retain-on-failure' },
  projects: [
    { name: 'browser-shell', use: { shell: 'browser' } },
    { name: 'electron-shell', use: { shell: 'electron' } },
  ],
});
