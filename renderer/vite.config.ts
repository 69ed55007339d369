import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const rendererRoot = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(rendererRoot, '..');

/**
 * The dev server's React refresh preamble is an inline script, which the production CSP forbids;
 * drop the CSP meta only while serving (the browser and Electron shells still send theirs in builds).
 */
function relaxCspInDev(): Plugin {
  return {
    name: 'wavediff-relax-csp-in-dev',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace(/<meta\s+http-equiv="Content-Security-Policy"[\s\S]*?\/>/, ''),
  };
}

export default defineConfig({
  root: rendererRoot,
  base: './',
  plugins: [react(), relaxCspInDev()],
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
