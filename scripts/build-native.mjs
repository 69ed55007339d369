#!/usr/bin/env node
// Builds the native FD addon (native/addon, N-API) with node-gyp where a C compiler exists.
// Skips the build when the addon is newer than its sources (pass --force to rebuild).
// The output, native/addon/build/, is git-ignored; nothing runs this at install time: the FD
// bench and tests call it, and the solver falls back to the WebAssembly kernel without it.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const addonDir = path.join(root, 'native', 'addon');
const output = path.join(addonDir, 'build', 'Release', 'fd_addon.node');
const hashFile = path.join(addonDir, 'build', 'sources.sha256');
const sources = [path.join(root, 'native', 'fd_kernel.c'), path.join(addonDir, 'fd_addon.c'), path.join(addonDir, 'binding.gyp')];

function sourceHash() {
  const hash = createHash('sha256');
  for (const file of sources) hash.update(fs.readFileSync(file));
  hash.update(process.version);
  return hash.digest('hex');
}

/** Headers of the running Node: node-gyp otherwise downloads them. */
function nodeDirArguments() {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) return [`--nodedir=${prefix}`];
  return [];
}

function main() {
  const force = process.argv.includes('--force');
  const expected = sourceHash();
  if (!force && fs.existsSync(output) && fs.existsSync(hashFile) && fs.readFileSync(hashFile, 'utf8').trim() === expected) {
    console.log(`${path.relative(root, output)} is up to date.`);
    return;
  }
  const require = createRequire(import.meta.url);
  const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
  execFileSync(process.execPath, [nodeGyp, 'rebuild', ...nodeDirArguments()], { cwd: addonDir, stdio: 'inherit' });
  fs.writeFileSync(hashFile, `${expected}\n`);
  console.log(`built ${path.relative(root, output)}`);
}

main();
