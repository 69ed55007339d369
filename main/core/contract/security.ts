/**
 * The renderer's Content Security Policy, declared once. The Electron protocol handler and the browser
 * shell send it as a header with every file; the renderer build writes it into index.html as a meta
 * element, so the built page keeps its policy wherever it is opened (a static server, `vite preview`,
 * file://). Where both arrive the browser enforces both, and they are the same policy.
 * Styles allow 'unsafe-inline' because MUI/emotion injects style elements; scripts never do.
 */
const directives = [
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
] as const;

/** The policy as the Content-Security-Policy response header carries it. */
export const contentSecurityPolicy = directives.join('; ');

/** Directives a <meta> policy may not carry (browsers ignore them there and log a warning). */
const headerOnlyDirectives = ['frame-ancestors', 'report-uri', 'sandbox'];

/** The same policy for index.html's <meta http-equiv> element: the header's minus the header-only directives. */
export const metaContentSecurityPolicy = directives.filter((d) => !headerOnlyDirectives.includes(d.split(' ')[0]!)).join('; ');

/** The <meta> element the renderer build puts first in index.html's <head>. */
export const contentSecurityPolicyMetaTag = `<meta http-equiv="Content-Security-Policy" content="${metaContentSecurityPolicy.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}" />`;
