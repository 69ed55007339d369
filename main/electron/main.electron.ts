/**
 * The desktop shell: one window over the core, with the renderer served through studio:// and the
 * API carried over validated IPC. Holds no domain logic.
 */
import { app, BrowserWindow, ipcMain, protocol, session, Menu, shell, type IpcMainInvokeEvent } from 'electron';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Studio } from '../core/app/studio.ts';
import { openStartupProject } from '../core/app/startup.ts';
import { defaultDataDir } from '../core/app/userStore.ts';
import { studioJobKinds } from '../core/app/jobKinds.ts';
import { dispatch } from '../core/api/handlers.ts';
import { ipcChannels } from '../core/contract/wire.ts';
import { toWireError } from '../core/contract/errors.ts';
import {
  guardSession,
  hardenApp,
  isTrustedSender,
  openExternalSafely,
  rendererEntryUrl,
  rendererFileFor,
  rendererResponseHeaders,
  rendererScheme,
  rendererSchemePrivileges,
  secureWebPreferences,
} from './security.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.resolve(here, '..', 'renderer');
const preloadPath = path.join(here, 'preload.cjs');
const mime: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

protocol.registerSchemesAsPrivileged([rendererSchemePrivileges]);
hardenApp(app);

let studio: Studio | null = null;

function serveRenderer(): void {
  protocol.handle(rendererScheme, async (request) => {
    const file = rendererFileFor(request.url, rendererDir, path.join, path.sep);
    if (!file || !fs.existsSync(file)) return new Response('Not found', { status: 404 });
    const body = await fs.promises.readFile(file);
    return new Response(body, { headers: rendererResponseHeaders(mime[path.extname(file)] ?? 'application/octet-stream') });
  });
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    title: 'WaveDiffusion Studio',
    show: false,
    webPreferences: secureWebPreferences(preloadPath),
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(rendererEntryUrl);
  return window;
}

async function main(): Promise<void> {
  await app.whenReady();
  guardSession(session.defaultSession);
  serveRenderer();

  process.env.WAVEDIFF_APP_ROOT ??= app.getAppPath();
  process.env.WAVEDIFF_WORKER_DIR ??= path.join(here, 'workers');
  const instance = new Studio({ dataDir: process.env.WAVEDIFF_DATA_DIR ?? defaultDataDir(), shell: 'electron', jobKinds: studioJobKinds() });
  studio = instance;

  ipcMain.handle(ipcChannels.call, async (event: IpcMainInvokeEvent, method: unknown, args: unknown) => {
    if (!isTrustedSender(event.senderFrame)) return { ok: false, error: { code: 'bad_input', message: 'IPC from an untrusted frame was refused.' } };
    try {
      return { ok: true, result: await dispatch(instance, method, args) };
    } catch (error) {
      return { ok: false, error: toWireError(error) };
    }
  });

  const requested = process.argv.find((a) => a.startsWith('--project='))?.slice('--project='.length);
  await openStartupProject(instance, requested);
  const window = createWindow();
  instance.onEvent((name, payload) => {
    if (!window.isDestroyed()) window.webContents.send(ipcChannels.event, name, payload);
  });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { role: 'fileMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' },
      { role: 'help', submenu: [{ label: 'OpenFWI benchmark', click: () => void openExternalSafely('https://openfwi-lanl.github.io/', (url) => shell.openExternal(url)) }] },
    ]),
  );
}

app.on('window-all-closed', () => app.quit());
app.on('before-quit', (event) => {
  if (!studio) return;
  event.preventDefault();
  const closing = studio;
  studio = null;
  void closing.shutdown().finally(() => app.quit());
});

main().catch((error) => {
  console.error(error);
  app.exit(1);
});
