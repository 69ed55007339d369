/**
 * One driver for both shells, as VS Code's smoke tests do: each test gets a fresh studio data folder
 * and a `studio` handle whose `page` is the renderer, whichever shell serves it. The browser shell
 * runs in Debian's Chromium; the Electron shell runs where Electron's binary is installed and is
 * skipped, saying so, where it is not.
 */
import { test as base, chromium, _electron, type Page, type Browser, type ElectronApplication, type Locator } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain ESM script without type declarations
import { findElectronBinary } from '../scripts/electron-binary.mjs';

export type ShellKind = 'browser' | 'electron';
export interface ShellOptions {
  shell: ShellKind;
}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const screenshotDir = path.join(repoRoot, 'e2e', 'screenshots');
const chromiumPath = process.env.WAVEDIFF_CHROMIUM ?? '/usr/bin/chromium';
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface StudioHandle {
  shell: ShellKind;
  page: Page;
  dataDir: string;
  /** Stops the studio the way a user quits it, starts it again on the same data folder. */
  restart(): Promise<void>;
  /** Saves a screenshot of the current view for a person to look at. */
  screenshot(name: string): Promise<void>;
}

function electronBinary(): { binary?: string; reason?: string } {
  return findElectronBinary(repoRoot) as { binary?: string; reason?: string };
}

async function startServer(dataDir: string): Promise<{ process: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'main', 'server', 'index.ts'), '--data-dir', dataDir, '--port', '0'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The browser shell did not print its URL within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The browser shell exited with ${code}:\n${output}`));
    });
  });
  return { process: child, url };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export const test = base.extend<ShellOptions & { studio: StudioHandle }>({
  shell: ['browser', { option: true }],
  studio: async ({ shell }, use, testInfo) => {
    const dataDir = testInfo.outputPath('studio-data');
    fs.mkdirSync(dataDir, { recursive: true });
    fs.mkdirSync(screenshotDir, { recursive: true });
    const screenshot = async (page: Page, name: string): Promise<void> => {
      await page.screenshot({ path: path.join(screenshotDir, `${shell}-${name}.png`), fullPage: true });
    };

    if (shell === 'electron') {
      const { binary, reason } = electronBinary();
      base.skip(!binary, `Electron shell skipped: ${reason}. These specs run against the desktop app where Electron's binary is installed.`);
      base.skip(!fs.existsSync(path.join(repoRoot, 'dist', 'electron', 'main.mjs')), 'The desktop shell is not built: run npm run build first.');
      let app: ElectronApplication;
      const launch = async (): Promise<Page> => {
        app = await _electron.launch({ executablePath: binary, args: [repoRoot], env: { ...process.env, WAVEDIFF_DATA_DIR: dataDir } });
        return app.firstWindow();
      };
      const handle: StudioHandle = {
        shell,
        page: await launch(),
        dataDir,
        restart: async () => {
          await app.close();
          handle.page = await launch();
        },
        screenshot: (name) => screenshot(handle.page, name),
      };
      await use(handle);
      await app!.close();
      return;
    }

    let server = await startServer(dataDir);
    const browser: Browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    // An exception in the renderer shows in the test's output (otherwise a frozen or blank page is all one sees).
    page.on('pageerror', (e) => console.error(`renderer error: ${e.stack ?? e.message}`));
    await page.goto(server.url);
    const handle: StudioHandle = {
      shell,
      page,
      dataDir,
      restart: async () => {
        await stopServer(server.process);
        server = await startServer(dataDir);
        await handle.page.goto(server.url);
      },
      screenshot: (name) => screenshot(handle.page, name),
    };
    await use(handle);
    await browser.close();
    await stopServer(server.process);
  },
});

/**
 * Picks an option of an open MUI select menu and waits for the menu to close. Under load MUI's menu
 * can miss its closing transition although the choice is made; Escape then closes it.
 */
export async function chooseOption(page: Page, option: Locator): Promise<void> {
  await option.click();
  const menu = page.getByRole('listbox');
  if (!(await menu.isHidden())) await menu.waitFor({ state: 'hidden', timeout: 3000 }).catch(() => page.keyboard.press('Escape'));
  await menu.waitFor({ state: 'hidden' });
}

export { expect } from '@playwright/test';
