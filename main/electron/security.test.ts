import { describe, it, expect } from 'vitest';
import path from 'node:path';
import fs from 'node:fs';
import {
  secureWebPreferences,
  isAllowedNavigation,
  windowOpenHandler,
  permissionRequestHandler,
  permissionCheckHandler,
  isTrustedSender,
  rendererFileFor,
  rendererEntryUrl,
  rendererSchemePrivileges,
  rendererResponseHeaders,
  hardenApp,
  guardSession,
  openExternalSafely,
  externalOrigins,
  type GuardableSession,
  type GuardableWebContents,
  type HardenableApp,
} from './security.ts';
import { buildPreloadApi } from '../../preload/preloadApi.ts';
import { methodNames, eventNames } from '../core/contract/contract.ts';

describe('desktop shell security settings', () => {
  const prefs = secureWebPreferences('/app/preload.cjs');

  it('isolates the renderer: context isolation, sandbox, no Node integration anywhere', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.preload).toBe('/app/preload.cjs');
  });

  it('lets the user silence a page that opens dialog after dialog', () => {
    expect(prefs.safeDialogs).toBe(true);
  });

  it('serves the renderer through its own secure scheme, never file://', () => {
    expect(rendererEntryUrl).toBe('studio://app/index.html');
    expect(rendererSchemePrivileges.privileges.secure).toBe(true);
    expect(rendererSchemePrivileges.privileges.standard).toBe(true);
    const root = path.join(path.sep, 'opt', 'studio', 'renderer');
    expect(rendererFileFor('studio://app/assets/index.js', root, path.join, path.sep)).toBe(path.join(root, 'assets', 'index.js'));
    expect(rendererFileFor('studio://app/', root, path.join, path.sep)).toBe(path.join(root, 'index.html'));
    expect(rendererFileFor('studio://app/../../etc/passwd', root, path.join, path.sep)).toBe(path.join(root, 'etc', 'passwd'));
    expect(rendererFileFor('studio://app/%2e%2e/%2e%2e/etc/passwd', root, path.join, path.sep)).toBe(path.join(root, 'etc', 'passwd'));
    expect(rendererFileFor('studio://app/..%2f..%2f..%2fetc%2fpasswd', root, path.join, path.sep)).toBeNull();
    expect(rendererFileFor('studio://other/index.html', root, path.join, path.sep)).toBeNull();
    expect(rendererFileFor('file:///etc/passwd', root, path.join, path.sep)).toBeNull();
  });

  it('sends a strict Content Security Policy with every renderer file', () => {
    const csp = rendererResponseHeaders('text/html')['Content-Security-Policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('denies navigation away from the renderer and every new window', () => {
    expect(isAllowedNavigation('studio://app/index.html#/datasets')).toBe(true);
    expect(isAllowedNavigation('https://example.com/')).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd')).toBe(false);
    expect(isAllowedNavigation('studio://evil/index.html')).toBe(false);
    expect(isAllowedNavigation('not a url')).toBe(false);
    expect(windowOpenHandler()).toEqual({ action: 'deny' });
  });

  it('denies every permission request and check', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal'] as const) {
      let granted: boolean | undefined;
      permissionRequestHandler({} as never, permission as never, (g: boolean) => (granted = g), {} as never);
      expect(granted).toBe(false);
    }
    expect(permissionCheckHandler(null, 'media' as never, 'studio://app', {} as never)).toBe(false);
  });

  it('accepts IPC only from the top frame of its own origin', () => {
    expect(isTrustedSender({ url: 'studio://app/index.html', parent: null })).toBe(true);
    expect(isTrustedSender({ url: 'studio://app/index.html', parent: {} })).toBe(false);
    expect(isTrustedSender({ url: 'https://example.com', parent: null })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
  });
});

/**
 * Stand-ins for Electron's own app, session and webContents (external objects we cannot start here): they
 * record what our policy installs, and the tests then fire Electron-shaped events at the installed handlers.
 */
type Listener = (...args: any[]) => void;

function electronEmitter() {
  const listeners = new Map<string, Listener[]>();
  return {
    on(event: string, listener: Listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return this;
    },
    emit(event: string, ...args: unknown[]): void {
      for (const listener of listeners.get(event) ?? []) listener(...args);
    },
    count: (event: string) => (listeners.get(event) ?? []).length,
  };
}

/** An Electron event: remembers whether a handler called preventDefault. */
function electronEvent(fields: Record<string, unknown> = {}) {
  return { ...fields, defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
}

function electronWebContents() {
  const emitter = electronEmitter();
  const contents = { ...emitter, windowOpenHandler: null as null | (() => unknown), setWindowOpenHandler(h: () => unknown) { contents.windowOpenHandler = h; } };
  return contents;
}

function electronApp() {
  const emitter = electronEmitter();
  return { ...emitter, sandboxCalls: 0, enableSandbox() { this.sandboxCalls += 1; } };
}

function electronSession() {
  const emitter = electronEmitter();
  const handlers: Record<string, Listener> = {};
  const record = (name: string) => (handler: Listener) => { handlers[name] = handler; };
  return {
    ...emitter,
    handlers,
    setPermissionRequestHandler: record('permissionRequest'),
    setPermissionCheckHandler: record('permissionCheck'),
    setDevicePermissionHandler: record('devicePermission'),
    setDisplayMediaRequestHandler: record('displayMedia'),
  };
}

describe('what the desktop shell installs', () => {
  it('sandboxes every renderer and guards every web contents as it is created', () => {
    const app = electronApp();
    hardenApp(app satisfies HardenableApp);
    expect(app.sandboxCalls).toBe(1);

    const contents = electronWebContents();
    app.emit('web-contents-created', electronEvent(), contents satisfies GuardableWebContents);

    const webview = electronEvent();
    contents.emit('will-attach-webview', webview, { preload: '/tmp/evil.js', nodeIntegration: true }, { src: 'https://example.com/' });
    expect(webview.defaultPrevented).toBe(true);

    for (const event of ['will-navigate', 'will-redirect']) {
      const away = electronEvent({ url: 'https://example.com/phish' });
      contents.emit(event, away, 'https://example.com/phish', false, true);
      expect({ event, prevented: away.defaultPrevented }).toEqual({ event, prevented: true });
      const home = electronEvent({ url: 'studio://app/index.html#/jobs' });
      contents.emit(event, home, 'studio://app/index.html#/jobs', true, true);
      expect({ event, prevented: home.defaultPrevented }).toEqual({ event, prevented: false });
    }

    expect(contents.windowOpenHandler?.()).toEqual({ action: 'deny' });

    const bluetooth = electronEvent();
    const chosen: string[] = [];
    contents.emit('select-bluetooth-device', bluetooth, [{ deviceId: 'AA:BB', deviceName: 'Headset' }], (id: string) => chosen.push(id));
    expect(bluetooth.defaultPrevented).toBe(true);
    expect(chosen).toEqual(['']);
  });

  it('refuses permissions, devices and screen capture in the session', () => {
    const session = electronSession();
    guardSession(session satisfies GuardableSession);

    const granted: boolean[] = [];
    for (const permission of ['media', 'display-capture', 'hid', 'usb', 'serial', 'clipboard-read', 'openExternal']) {
      session.handlers.permissionRequest!({}, permission, (g: boolean) => granted.push(g), { requestingUrl: 'studio://app/index.html', isMainFrame: true });
      expect(session.handlers.permissionCheck!(null, permission, 'studio://app', { requestingUrl: 'studio://app/index.html', isMainFrame: true })).toBe(false);
    }
    expect(granted).toEqual(Array(7).fill(false));

    for (const deviceType of ['hid', 'usb', 'serial']) {
      expect(session.handlers.devicePermission!({ deviceType, origin: 'studio://app', device: { vendorId: 1234, productId: 5678 } })).toBe(false);
    }

    const streams: unknown[] = [];
    session.handlers.displayMedia!({ frame: null, securityOrigin: 'studio://app/', videoRequested: true, audioRequested: true, userGesture: true }, (s: unknown) => streams.push(s));
    expect(streams).toEqual([null]);

    for (const event of ['select-hid-device', 'select-usb-device']) {
      const chooser = electronEvent();
      const answers: unknown[][] = [];
      session.emit(event, chooser, { deviceList: [{ deviceId: '1', name: 'Scope', vendorId: 1, productId: 2 }], frame: null }, (...args: unknown[]) => answers.push(args));
      expect({ event, prevented: chooser.defaultPrevented, answers }).toEqual({ event, prevented: true, answers: [[]] });
    }
    const serial = electronEvent();
    const ports: string[] = [];
    session.emit('select-serial-port', serial, [{ portId: 'COM3', portName: 'COM3' }], {}, (id: string) => ports.push(id));
    expect(serial.defaultPrevented).toBe(true);
    expect(ports).toEqual(['']);
  });

  it('hands the operating system only allow-listed https addresses', async () => {
    const opened: string[] = [];
    const open = async (url: string) => void opened.push(url);
    expect(await openExternalSafely('https://openfwi-lanl.github.io/', open)).toBe(true);
    expect(await openExternalSafely('https://openfwi-lanl.github.io/docs/#/Datasets', open)).toBe(true);
    for (const url of [
      'http://openfwi-lanl.github.io/',
      'https://openfwi-lanl.github.io.evil.example/',
      'https://user:pw@openfwi-lanl.github.io/',
      'https://example.com/',
      'file:///etc/passwd',
      'smb://attacker/share/run.exe',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect({ url, opened: await openExternalSafely(url, open) }).toEqual({ url, opened: false });
    }
    expect(opened).toEqual(['https://openfwi-lanl.github.io/', 'https://openfwi-lanl.github.io/docs/#/Datasets']);
    for (const origin of externalOrigins) expect(new URL(origin).protocol).toBe('https:');
  });

  it('is what main.electron.ts installs', () => {
    const source = fs.readFileSync(path.join(__dirname, 'main.electron.ts'), 'utf8');
    const ready = source.indexOf('await app.whenReady()');
    expect(source.indexOf('hardenApp(app)')).toBeGreaterThan(-1);
    expect(source.indexOf('hardenApp(app)')).toBeLessThan(ready);
    expect(source).toContain('guardSession(session.defaultSession)');
    expect(source.indexOf('guardSession(session.defaultSession)')).toBeLessThan(source.indexOf('createWindow()', ready));
    // Every call to the OS goes through the allow-list.
    for (const line of source.split('\n').filter((l) => l.includes('shell.openExternal'))) expect(line).toContain('openExternalSafely(');
  });
});

describe('preload surface', () => {
  it('passes only contract methods and events', async () => {
    const invoked: string[] = [];
    const api = buildPreloadApi({
      methodNames,
      eventNames,
      invoke: async (method) => {
        invoked.push(method);
        return { ok: true, result: null };
      },
      subscribe: () => () => undefined,
    });
    expect(await api.call('project.current', {})).toEqual({ ok: true, result: null });
    const refused = await api.call('require', 'child_process');
    expect(refused.ok).toBe(false);
    expect(invoked).toEqual(['project.current']);
    expect(() => api.on('ipc-internal', () => undefined)).toThrow(/Unknown studio event/);
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('exposes nothing but window.studio from preload', () => {
    const source = fs.readFileSync(path.join(__dirname, '..', '..', 'preload', 'preload.ts'), 'utf8');
    expect(source.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(source).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*[,)]/);
  });
});
