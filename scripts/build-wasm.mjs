#!/usr/bin/env node
// Builds the portable FD kernel: native/fd_kernel.c → main/core/physics/wasm/fd_kernel.wasm
// (WebAssembly SIMD-128, no libc), and writes the source hash beside it so a test can tell
// that the committed .wasm is up to date. Needs clang and wasm-ld (lld).
//   node scripts/build-wasm.mjs          rebuild
//   node scripts/build-wasm.mjs --check  exit 1 when the committed .wasm is stale
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'native', 'fd_kernel.c');
const output = path.join(root, 'main', 'core', 'physics', 'wasm', 'fd_kernel.wasm');
const hashFile = `${output}.sha256`;
export const wasmFlags = [
  '--target=wasm32',
  '-msimd128',
  '-mbulk-memory',
  '-O3',
  '-nostdlib',
  '-ffp-contract=off',
  '-DFD_VEC_BYTES=16',
  '-Wl,--no-entry',
  '-Wl,--export=__heap_base',
  '-Wl,--strip-all',
];

/** Hash of what determines the .wasm: the C source and the flags. */
export function sourceHash() {
  return createHash('sha256').update(fs.readFileSync(source)).update(wasmFlags.join(' ')).digest('hex');
}

function main() {
  const expected = sourceHash();
  if (process.argv.includes('--check')) {
    const recorded = fs.existsSync(hashFile) ? fs.readFileSync(hashFile, 'utf8').trim() : '';
    if (recorded !== expected || !fs.existsSync(output)) {
      console.error(`${path.relative(root, output)} is stale: run \`npm run build:wasm\` and commit it.`);
      process.exit(1);
    }
    console.log(`${path.relative(root, output)} is up to date.`);
    return;
  }
  const clang = process.env.CLANG ?? 'clang';
  fs.mkdirSync(path.dirname(output), { recursive: true });
  execFileSync(clang, [...wasmFlags, '-o', output, source], { stdio: 'inherit' });
  fs.writeFileSync(hashFile, `${expected}\n`);
  console.log(`built ${path.relative(root, output)} (${fs.statSync(output).size} bytes)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
