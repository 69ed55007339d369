import { defineConfig } from '@playwright/test';
import type { ShellOptions } from './fixtures.ts';

export default defineConfig<ShellOptions>({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../test-results',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: { trace: 'retain-on-failure' },
  projects: [
    { name: 'browser-shell', use: { shell: 'browser' } },
    { name: 'electron-shell', use: { shell: 'electron' } },
  ],
});
