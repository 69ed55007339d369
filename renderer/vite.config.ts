import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { contentSecurityPolicyMetaTag } from '../main/core/contract/security.ts';

const rendererRoot = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(rendererRoot, '..');

/**
 * Writes the one Content Security Policy (main/core/contract/security.ts) into the built index.html, first in
 * <head> so it covers every element after it. Builds only: the dev server's React refresh preamble is
 * an inline script, which the policy forbids.
 */
export function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'wavediff-content-security-policy',
    apply: 'build',
    transformIndexHtml: (html) => {
      if (/http-equiv=["']?Content-Security-Policy/i.test(html)) {
        throw new Error('renderer/index.html declares its own Content-Security-Policy; remove it: the build writes the one from main/core/contract/security.ts.');
      }
      if (!/<head>/i.test(html)) throw new Error('renderer/index.html has no <head> to put the Content-Security-Policy in.');
      return html.replace(/<head>/i, (head) => `${head}\n    ${contentSecurityPolicyMetaTag}`);
    },
  };
}

export default defineConfig({
  root: rendererRoot,
  base: './',
  plugins: [react(), contentSecurityPolicyMeta()],
  build: {
    outDir: path.join(repoRoot, 'dist', 'renderer'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    // The contract (and the renderer-safe wire messages) live in main/core/api.
    fs: { allow: [rendererRoot, path.join(repoRoot, 'main', 'core', 'api'), path.join(repoRoot, 'node_modules')] },
  },
});
