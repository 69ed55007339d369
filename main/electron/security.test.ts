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
} from './security.ts';
import { buildPreloadApi } from '../../preload/preloadApi.ts';
import { methodNames, eventNames } from '../core/api/contract.ts';

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
      permissionRequestHandler!({} as never, permission as never, (g: boolean) => (granted = g), {} as never);
      expect(granted).toBe(false);
    }
    expect(permissionCheckHandler!(null, 'media' as never, 'studio://app', {} as never)).toBe(false);
  });

  it('accepts IPC only from the top frame of its own origin', () => {
    expect(isTrustedSender({ url: 'studio://app/index.html', parent: null })).toBe(true);
    expect(isTrustedSender({ url: 'studio://app/index.html', parent: {} })).toBe(false);
    expect(isTrustedSender({ url: 'https://example.com', parent: null })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
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
