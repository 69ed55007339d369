/**
 * The desktop shell's security policy as plain data and pure functions, so unit tests can assert
 * every setting without starting Electron. main.electron.ts applies exactly these.
 * Only type imports from 'electron' here: this file must load in plain Node.
 */
import type { WebPreferences, Session } from 'electron';
import { contentSecurityPolicy } from '../core/api/security.ts';

/** The custom scheme that serves the renderer instead of file://. */
export const rendererScheme = 'studio';
export const rendererHost = 'app';
export const rendererOrigin = `${rendererScheme}://${rendererHost}`;
export const rendererEntryUrl = `${rendererOrigin}/index.html`;

export const rendererSchemePrivileges = {
  scheme: rendererScheme,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: true },
} as const;

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
  };
}

export { contentSecurityPolicy };

/** Response headers for every renderer file served through the custom protocol. */
export function rendererResponseHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': contentSecurityPolicy,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}

function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

/** The renderer may only ever show its own pages; every other navigation is refused. */
export function isAllowedNavigation(url: string): boolean {
  return originOf(url) === rendererOrigin;
}

/** New windows are never opened (links to documentation go through the system browser, explicitly). */
export function windowOpenHandler(): { action: 'deny' } {
  return { action: 'deny' };
}

/** Camera, microphone, notifications, geolocation, clipboard reads…: the studio needs none. */
export const permissionRequestHandler: Parameters<Session['setPermissionRequestHandler']>[0] = (_webContents, _permission, callback) => {
  callback(false);
};

export const permissionCheckHandler: Parameters<Session['setPermissionCheckHandler']>[0] = () => false;

/** IPC is accepted only from the top frame of our own renderer origin. */
export function isTrustedSender(frame: { url: string; parent: unknown } | null | undefined): boolean {
  if (!frame || frame.parent) return false;
  return originOf(frame.url) === rendererOrigin;
}

/** Maps a studio://app/… request to a file under the renderer folder, or null if it escapes it. */
export function rendererFileFor(requestUrl: string, rendererDir: string, join: (...parts: string[]) => string, sep: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(requestUrl);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${rendererScheme}:` || parsed.host !== rendererHost) return null;
  const relative = decodeURIComponent(parsed.pathname === '/' ? '/index.html' : parsed.pathname);
  const file = join(rendererDir, relative);
  return file.startsWith(rendererDir + sep) ? file : null;
}
