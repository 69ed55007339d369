// Enforces the layer boundaries of ARCHITECTURE.md by reading import statements:
// - main/core never imports electron nor any shell (electron, server, cli) nor the renderer;
// - inside main/core, each folder imports only its own files and folders on lower floors (coreFloors);
//   the contract depends on zod alone; no file cycle (type imports count);
// - the renderer imports from main/ only the contract (main/core/contract/);
// - preload imports only electron, the contract and its own files;
// - SQL lives in main/core/store/ alone: no other production file of the core imports better-sqlite3
//   or passes an SQL statement to .prepare( / .exec(.
// Tests and their helpers (*.test.ts, testing/, testdata/) may use any floor of the core.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const importPattern = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)/g;
const contractDir = 'main/core/contract/';
const isRendererSafe = (target) => target.startsWith(contractDir);

/**
 * The core's floors, bottom up (docs/CONVENTIONS.md shows the map). A folder may import its own
 * files and any folder listed before it. The domains are ordered too: each uses earlier ones only.
 */
export const coreFloors = [
  ['contract', 'the contract: methods, events, parameters, geometry schema, wire format, error codes (zod only)'],
  ['util', 'infrastructure: cancellation, progress, atomic files, paths, random numbers'],
  ['workers', 'infrastructure: worker threads and the worker pool'],
  ['store', 'infrastructure: the project folder and its SQLite catalogue'],
  ['jobs', 'infrastructure: the job manager and the job-kind interface'],
  ['io', 'domain: npy, zip, OpenFWI and SEG-Y files'],
  ['physics', 'domain: the FD solver, acquisition geometry, velocity families, PDE deviation'],
  ['datasets', 'domain: importing, synthesising, forward-modelling and exporting datasets'],
  ['ml', 'domain: onnxruntime sessions, networks, samplers, the model registry'],
  ['training', 'domain: the PyTorch trainer as a job'],
  ['generation', 'domain: generating checked pairs, their store and export'],
  ['studies', 'domain: the method\'s experiments'],
  ['cluster', 'domain: Slurm submission and shard merging'],
  ['app', 'top: the Studio object that wires the floors, user settings, start-up'],
  ['api', 'top: the handlers that serve the contract (dispatch)'],
].map(([folder, role]) => ({ folder, role }));
const floorIndex = new Map(coreFloors.map((f, i) => [f.folder, i]));
const isTestCode = (file) => /\.test\.ts$/.test(file) || /\/(testing|testdata)\//.test(file);
const sqlFolder = 'store';
/** A call that hands SQL to a database: .prepare( or .exec( whose argument starts with a statement keyword. */
const sqlCallPattern = /\.(?:prepare|exec)\s*(?:<[^>]*>)?\s*\(\s*[`'"]\s*(?:SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|WITH|PRAGMA|EXPLAIN|ANALYZE|VACUUM)\b/gi;

/** Violations of "SQL only in store/" in one production file of the core. */
function sqlOutsideStore(rel, text) {
  const found = [];
  for (const match of text.matchAll(sqlCallPattern)) {
    const line = text.slice(0, match.index).split('\n').length;
    found.push(`${rel}:${line} passes SQL to ${match[0].replace(/\s+/g, ' ').slice(0, 40)}…: SQL belongs in main/core/${sqlFolder}/ (add a named operation to a table module there).`);
  }
  return found;
}

/** The core folder a repository path lies in ('' for main/core's own files). */
function coreFolder(relPath) {
  const m = /^main\/core\/([^/]+)\//.exec(relPath);
  return m ? m[1] : relPath.startsWith('main/core/') ? '' : null;
}

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

function resolved(file, specifier, base = root) {
  return specifier.startsWith('.') ? path.relative(base, path.resolve(path.dirname(file), specifier)).split(path.sep).join('/') : null;
}

function withTsExtension(target, base) {
  return target && target.endsWith('.js') && !fs.existsSync(path.join(base, target)) ? target.slice(0, -3) + '.ts' : target;
}

/** Cycles among the core's production files (type imports included), each as a list of files. */
function fileCycles(edges) {
  const cycles = [];
  const state = new Map();
  const stack = [];
  const visit = (file) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...edges.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

/** Every violation in the repository at `base` (default: this checkout), as a sentence each. */
export function findBoundaryViolations(base = root) {
  const violations = [];
  const edges = new Map();
  for (const file of sourceFiles(path.join(base, 'main', 'core'))) {
    const rel = path.relative(base, file).split(path.sep).join('/');
    const from = coreFolder(rel);
    const production = !isTestCode(rel);
    if (from && !floorIndex.has(from)) violations.push(`${rel}: main/core/${from}/ is not a floor of the core; add it to coreFloors in scripts/check-boundaries.mjs.`);
    if (production && from !== sqlFolder) violations.push(...sqlOutsideStore(rel, fs.readFileSync(file, 'utf8')));
    for (const spec of importsOf(file)) {
      if (production && from !== sqlFolder && spec === 'better-sqlite3') violations.push(`${rel} imports better-sqlite3: only main/core/${sqlFolder}/ opens the database.`);
      const target = withTsExtension(resolved(file, spec, base), base);
      if (from === 'contract' && production && !target && spec !== 'zod') violations.push(`${rel} imports '${spec}': the contract depends on zod alone.`);
      if (target && target.startsWith('main/core/') && production) {
        const to = coreFolder(target);
        if (from === 'contract' && to !== 'contract') violations.push(`${rel} imports ${target}: the contract is the bottom floor and imports nothing of the core.`);
        else if (from && to && from !== to && floorIndex.has(from) && floorIndex.has(to) && floorIndex.get(to) > floorIndex.get(from)) {
          violations.push(`${rel} imports ${target}: ${from}/ lies below ${to}/ (floors: ${coreFloors.map((f) => f.folder).join(' < ')}).`);
        }
        if (!isTestCode(target)) {
          if (!edges.has(rel)) edges.set(rel, new Set());
          edges.get(rel).add(target);
        }
      }
      if (spec === 'electron' || spec.startsWith('electron/')) violations.push(`${path.relative(base, file)} imports '${spec}': the core must run without Electron.`);
      if (target && /^(main\/(electron|server|cli)|renderer|preload)\//.test(target)) {
        violations.push(`${path.relative(base, file)} imports ${target}: the core must not depend on a shell or the renderer.`);
      }
    }
  }
  for (const cycle of fileCycles(edges)) violations.push(`import cycle: ${cycle.join(' -> ')}`);
  for (const file of sourceFiles(path.join(base, 'renderer', 'src'))) {
    for (const spec of importsOf(file)) {
      const target = resolved(file, spec, base);
      if (spec === 'electron' || spec.startsWith('node:')) violations.push(`${path.relative(base, file)} imports '${spec}': the renderer is a sandboxed web page.`);
      if (target && target.startsWith('main/') && !isRendererSafe(target)) {
        violations.push(`${path.relative(base, file)} imports ${target}: the renderer may use only the contract (${contractDir}) from main/.`);
      }
    }
  }
  for (const file of sourceFiles(path.join(base, 'preload'))) {
    for (const spec of importsOf(file)) {
      const target = resolved(file, spec, base);
      if (!target && spec !== 'electron' && !file.endsWith('.test.ts')) violations.push(`${path.relative(base, file)} imports '${spec}': preload may import only electron and the contract.`);
      if (target && target.startsWith('main/') && !isRendererSafe(target)) violations.push(`${path.relative(base, file)} imports ${target}: preload may use only the contract from main/.`);
    }
  }
  return violations;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const violations = findBoundaryViolations();
  for (const v of violations) console.error(v);
  if (violations.length > 0) process.exit(1);
  console.log(`Layer boundaries hold: the core's floors (${coreFloors.map((f) => f.folder).join(' < ')}) import only downward, without cycles; the renderer and preload use only the contract.`);
}
