// Enforces the layer boundaries of ARCHITECTURE.md by reading import statements:
// - main/core never imports electron nor any shell (electron, server, cli) nor the renderer;
// - the renderer imports from main/ only the renderer-safe contract files;
// - preload imports only electron, the contract and its own files.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const importPattern = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)/g;
const rendererSafe = ['main/core/api/contract.ts', 'main/core/api/wire.ts', 'main/core/api/security.ts'];

function sourceFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  const files = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(full));
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(entry.name)) files.push(full);
  }
  return files;
}

function importsOf(file) {
  const text = fs.readFileSync(file, 'utf8');
  const found = [];
  for (const match of text.matchAll(importPattern)) found.push(match[1] ?? match[2] ?? match[3] ?? match[4]);
  return found;
}

function resolved(file, specifier) {
  return specifier.startsWith('.') ? path.relative(root, path.resolve(path.dirname(file), specifier)).split(path.sep).join('/') : null;
}

export function findBoundaryViolations() {
  const violations = [];
  for (const file of sourceFiles(path.join(root, 'main', 'core'))) {
    for (const spec of importsOf(file)) {
      const target = resolved(file, spec);
      if (spec === 'electron' || spec.startsWith('electron/')) violations.push(`${path.relative(root, file)} imports '${spec}': the core must run without Electron.`);
      if (target && /^(main\/(electron|server|cli)|renderer|preload)\//.test(target)) {
        violations.push(`${path.relative(root, file)} imports ${target}: the core must not depend on a shell or the renderer.`);
      }
    }
  }
  for (const file of sourceFiles(path.join(root, 'renderer', 'src'))) {
    for (const spec of importsOf(file)) {
      const target = resolved(file, spec);
      if (spec === 'electron' || spec.startsWith('node:')) violations.push(`${path.relative(root, file)} imports '${spec}': the renderer is a sandboxed web page.`);
      if (target && target.startsWith('main/') && !rendererSafe.includes(target)) {
        violations.push(`${path.relative(root, file)} imports ${target}: the renderer may use only ${rendererSafe.join(', ')} from main/.`);
      }
    }
  }
  for (const file of sourceFiles(path.join(root, 'preload'))) {
    for (const spec of importsOf(file)) {
      const target = resolved(file, spec);
      if (!target && spec !== 'electron' && !file.endsWith('.test.ts')) violations.push(`${path.relative(root, file)} imports '${spec}': preload may import only electron and the contract.`);
      if (target && target.startsWith('main/') && !rendererSafe.includes(target)) violations.push(`${path.relative(root, file)} imports ${target}: preload may use only the contract from main/.`);
    }
  }
  return violations;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const violations = findBoundaryViolations();
  for (const v of violations) console.error(v);
  if (violations.length > 0) process.exit(1);
  console.log('Layer boundaries hold: the core imports no electron, the renderer and preload only the contract.');
}
