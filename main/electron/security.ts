/**
 * The desktop shell's security policy as plain data and pure functions, so unit tests can assert
 * every setting without starting Electron. main.electron.ts applies exactly these.
 * Only type imports from 'electron' here: this file must load in plain Node.
 */
import type { WebPreferences, Session } from 'electron';
import { contentSecurityPolicy } from '../core/contract/security.ts';

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
export const permissionRequestHandler: NonNullable<Parameters<Session['setPermissionRequestHandler']>[0]> = (_webContents, _permission, callback) => {
  callback(false);
};

export const permissionCheckHandler: NonNullable<Parameters<Session['setPermissionCheckHandler']>[0]> = () => false;

/** WebHID, WebUSB and Web Serial devices: none is ever granted, not even one granted earlier in the session. */
export const devicePermissionHandler = (): boolean => false;

/**
 * Screen capture (getDisplayMedia) is refused. Electron treats `null` as a refusal; `{}` would throw
 * "Video was requested, but no video stream was provided" in the main process.
 */
export function displayMediaRequestHandler(_request: unknown, callback: (streams: null) => void): void {
  callback(null);
}

/** An Electron event as the handlers below see it. */
export interface PreventableEvent {
  preventDefault(): void;
}

/** Device choosers (navigator.hid/usb.requestDevice): cancelled; Electron's default would not ask the user. */
export function cancelDeviceChooser(event: PreventableEvent, _details: unknown, callback: () => void): void {
  event.preventDefault();
  callback();
}

/** navigator.serial.requestPort: an empty port id cancels. */
export function cancelSerialPortChooser(event: PreventableEvent, _ports: unknown, _contents: unknown, callback: (portId: string) => void): void {
  event.preventDefault();
  callback('');
}

/** navigator.bluetooth.requestDevice: without preventDefault Electron picks the first device it finds. */
export function cancelBluetoothChooser(event: PreventableEvent, _devices: unknown, callback: (deviceId: string) => void): void {
  event.preventDefault();
  callback('');
}

/** will-navigate / will-redirect: only the renderer's own pages. */
export function refuseForeignNavigation(event: PreventableEvent, url: string): void {
  if (!isAllowedNavigation(url)) event.preventDefault();
}

/** <webview> is disabled in webPreferences; refusing every attach also covers contents created elsewhere. */
export function refuseWebviewAttach(event: PreventableEvent): void {
  event.preventDefault();
}

/** Sites the studio opens in the system browser (help menu). https only, compared by origin. */
export const externalOrigins: readonly string[] = ['https://openfwi-lanl.github.io'];

export function isAllowedExternalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // An origin carries the scheme, so http:// and other schemes never match an https:// entry.
  return !parsed.username && !parsed.password && externalOrigins.includes(parsed.origin);
}

/**
 * The only way the shell hands a URL to the operating system: shell.openExternal runs whatever handler
 * the OS has for a scheme (file:, smb:, custom protocol handlers), so anything off the list is refused.
 */
export async function openExternalSafely(url: string, openExternal: (url: string) => Promise<void>): Promise<boolean> {
  if (!isAllowedExternalUrl(url)) return false;
  await openExternal(url);
  return true;
}

/** The parts of Electron's webContents, session and app that the policy touches (plain objects in tests). */
export interface GuardableWebContents {
  on(event: 'will-navigate', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'select-bluetooth-device', listener: (event: PreventableEvent, devices: unknown, callback: (deviceId: string) => void) => void): unknown;
  setWindowOpenHandler(handler: () => { action: 'deny' }): void;
}

export interface GuardableSession {
  setPermissionRequestHandler(handler: typeof permissionRequestHandler): void;
  setPermissionCheckHandler(handler: typeof permissionCheckHandler): void;
  setDevicePermissionHandler(handler: typeof devicePermissionHandler): void;
  setDisplayMediaRequestHandler(handler: typeof displayMediaRequestHandler): void;
  on(event: 'select-hid-device', listener: (event: PreventableEvent, details: unknown, callback: () => void) => void): unknown;
  on(event: 'select-usb-device', listener: (event: PreventableEvent, details: unknown, callback: () => void) => void): unknown;
  on(event: 'select-serial-port', listener: (event: PreventableEvent, ports: unknown, contents: unknown, callback: (portId: string) => void) => void): unknown;
}

export interface HardenableApp {
  enableSandbox(): void;
  on(event: 'web-contents-created', listener: (event: unknown, contents: GuardableWebContents) => void): unknown;
}

/** Every web contents the app creates (windows, and anything else): navigation, windows, webviews, Bluetooth. */
export function guardWebContents(contents: GuardableWebContents): void {
  contents.on('will-navigate', refuseForeignNavigation);
  contents.on('will-redirect', refuseForeignNavigation);
  contents.on('will-attach-webview', refuseWebviewAttach);
  contents.on('select-bluetooth-device', cancelBluetoothChooser);
  contents.setWindowOpenHandler(windowOpenHandler);
}

/** Permissions, devices and screen capture, for the session the renderer runs in. */
export function guardSession(session: GuardableSession): void {
  session.setPermissionRequestHandler(permissionRequestHandler);
  session.setPermissionCheckHandler(permissionCheckHandler);
  session.setDevicePermissionHandler(devicePermissionHandler);
  session.setDisplayMediaRequestHandler(displayMediaRequestHandler);
  session.on('select-hid-device', cancelDeviceChooser);
  session.on('select-usb-device', cancelDeviceChooser);
  session.on('select-serial-port', cancelSerialPortChooser);
}

/** Before app 'ready': every renderer sandboxed, and every web contents guarded as it is created. */
export function hardenApp(app: HardenableApp): void {
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents));
}

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
