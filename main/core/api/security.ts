/**
 * The renderer's Content Security Policy, shared by the Electron protocol handler, the browser
 * shell's HTTP headers and renderer/index.html. Styles allow 'unsafe-inline' because MUI/emotion
 * injects style elements; scripts never do.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
