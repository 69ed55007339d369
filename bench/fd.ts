// FD solver benchmark on the OpenFWI case (`npm run bench:fd`): cell updates per second of each
// kernel on one thread, the plain C reference (native/fd_reference.c, cc -O3 -march=native),
// each kernel's ratio to it, the worker pool's speed-up, and seconds per OpenFWI pair.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appRoot } from '../main/core/util/paths.ts';
import { openfwiGeometry } from '../main/core/physics/acquisition.ts';
import { loadNativeKernel, nativeKernelProblem, resolveKernel, resetNativeKernel, type FdKernel } from '../main/core/physics/kernels.ts';
import { padModel, shotSetup } from '../main/core/physics/paddedGrid.ts';
import { FdWorkerPool } from '../main/core/physics/pool.ts';
import { readOpenfwiVelocity } from '../main/core/physics/testing/openfwiModels.ts';

const root = appRoot();
const scratch = path.join(root, '.bench');
fs.mkdirSync(scratch, { recursive: true });
const geometry = openfwiGeometry();
const velocity = readOpenfwiVelocity('FlatVelA', 0, 8);
const nz = 70;
const nx = 70;
const sample = velocity.subarray(0, nz * nx);
const model = padModel(sample, nz, nx, geometry);
const cellsPerShot = model.nzPad * model.nxPad * geometry.steps;
const cellsPerPair = cellsPerShot * geometry.sources.length;
const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

console.log(`FD bench: OpenFWI case, ${model.nzPad} × ${model.nxPad} padded grid, ${geometry.steps} steps, ${geometry.sources.length} shots`);
console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

// The native addon: build it when a compiler is there (skipped when up to date).
const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-native.mjs')], { encoding: 'utf8' });
if (build.status !== 0) console.log(`native addon: build failed, ${build.stderr.trim().split('\n').slice(-3).join(' | ')}`);
resetNativeKernel();
if (!loadNativeKernel()) console.log(`native addon unavailable: ${nativeKernelProblem()}`);

/**
 * Cell updates per second of one kernel on this thread: best of `repeats` runs of `shots` shots,
 * by wall clock and by this process's CPU time (steadier when other work shares the cores).
 */
function measure(kernel: FdKernel, shots: number, repeats: number): { rate: number; cpuRate: number; seismic: Float32Array } {
  let best = Infinity;
  let bestCpu = Infinity;
  let seismic: Float32Array = new Float32Array(0);
  for (let r = 0; r < repeats; r += 1) {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < shots; i += 1) {
      const shot = shots === 1 ? 2 : i;
      const result = kernel.runShot(shotSetup(model, geometry, shot)).seismic;
      if (shot === 2) seismic = result;
    }
    best = Math.min(best, seconds(start));
    const cpu = process.cpuUsage(cpuStart);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e6);
  }
  return { rate: (cellsPerShot * shots) / best, cpuRate: (cellsPerShot * shots) / bestCpu, seismic };
}

const rates: Record<string, number> = {};
const cpuRates: Record<string, number> = {};
const outputs: Record<string, Float32Array> = {};
for (const [name, shots, repeats] of [['native', 5, 3], ['wasm', 5, 3], ['ts', 1, 2]] as const) {
  const kernel = name === 'native' ? loadNativeKernel() : resolveKernel(name);
  if (!kernel) continue;
  kernel.runShot(shotSetup(model, geometry, 2)); // warm-up (JIT, page faults)
  const { rate, cpuRate, seismic } = measure(kernel, shots, repeats);
  rates[name] = rate;
  cpuRates[name] = cpuRate;
  outputs[name] = seismic;
  console.log(`kernel ${name.padEnd(6)} ${(rate / 1e9).toFixed(3)}e9 cell updates/s (one thread; ${(cpuRate / 1e9).toFixed(3)}e9 per CPU second)`);
}

// The C reference, on the same shot, checked against the studio's kernels.
let referenceRate = 0;
let referenceCpuRate = 0;
const compiler = ['cc', 'gcc', 'clang'].find((cc) => spawnSync(cc, ['--version']).status === 0);
if (!compiler) {
  console.log('C reference: no C compiler (cc, gcc, clang) found; ratios not computed');
} else {
  const binary = path.join(scratch, 'fd_reference');
  execFileSync(compiler, ['-O3', '-march=native', '-o', binary, path.join(root, 'native', 'fd_reference.c')], { stdio: 'inherit' });
  const setup = shotSetup(model, geometry, 2);
  const cells = model.nzPad * model.nxPad;
  const kappa = new Float32Array(cells);
  for (let row = 0; row < model.nzPad; row += 1) {
    for (let col = 0; col < model.nxPad; col += 1) {
      kappa[row * model.nxPad + col] = Math.fround(model.kappaX[col] + Math.fround(model.zMask[col] * model.kappaZ[row]));
    }
  }
  const header = Int32Array.of(model.nzPad, model.nxPad, geometry.steps, setup.sourceRow, setup.sourceCol, setup.receiverIndex.length);
  const input = path.join(scratch, 'fd_reference.in');
  const output = path.join(scratch, 'fd_reference.out');
  fs.writeFileSync(
    input,
    Buffer.concat([header, model.alpha, kappa, setup.sourceAmplitude, setup.receiverIndex].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))),
  );
  const text = execFileSync(binary, [input, output, '3'], { encoding: 'utf8' });
  referenceRate = Number(/cell_updates_per_second (\S+)/.exec(text)?.[1] ?? 0);
  referenceCpuRate = Number(/cell_updates_per_cpu_second (\S+)/.exec(text)?.[1] ?? 0);
  const referenceSeismic = new Float32Array(new Uint8Array(fs.readFileSync(output)).buffer);
  const ours = outputs.wasm ?? outputs.native;
  let num = 0;
  let den = 0;
  for (let i = 0; i < ours.length; i += 1) {
    num += (ours[i] - referenceSeismic[i]) ** 2;
    den += ours[i] ** 2;
  }
  console.log(
    `C reference (${compiler} -O3 -march=native) ${(referenceRate / 1e9).toFixed(3)}e9 cell updates/s (one thread; ` +
      `${(referenceCpuRate / 1e9).toFixed(3)}e9 per CPU second); its seismic against the studio's: relative L2 ${Math.sqrt(num / den).toExponential(2)}`,
  );
}
// Ratios by CPU time: one thread each, so other work on the machine (descheduling) cancels out.
if (referenceCpuRate > 0) {
  console.log(`ratios to the C reference, per CPU second (by wall clock: ${['wasm', 'native', 'ts'].filter((k) => rates[k]).map((k) => `${k} ${(rates[k] / referenceRate).toFixed(2)}`).join(', ')}):`);
  if (cpuRates.wasm) console.log(`ratio portable ${(cpuRates.wasm / referenceCpuRate).toFixed(2)}`);
  if (cpuRates.native) console.log(`ratio native ${(cpuRates.native / referenceCpuRate).toFixed(2)}`);
  if (cpuRates.ts) console.log(`ratio ts ${(cpuRates.ts / referenceCpuRate).toFixed(2)}`);
}

// Worker pool: 1 worker against all of them, on one sample and on a batch.
const cores = os.availableParallelism();
async function poolSeconds(size: number, n: number): Promise<number> {
  const pool = new FdWorkerPool({ size });
  try {
    await pool.forwardModel(velocity.subarray(0, nz * nx * Math.min(n, size)), { n: Math.min(n, size), nz, nx }, geometry); // start workers
    const start = process.hrtime.bigint();
    await pool.forwardModel(velocity.subarray(0, nz * nx * n), { n, nz, nx }, geometry);
    return seconds(start);
  } finally {
    await pool.close();
  }
}
const batch = Math.max(8, 4 * cores);
const oneSampleOne = await poolSeconds(1, 1);
const oneSampleAll = await poolSeconds(cores, 1);
const batchOne = await poolSeconds(1, batch);
const batchAll = await poolSeconds(cores, batch);
const kernelName = resolveKernel('auto').name;
console.log(`pool (${kernelName} kernel) one sample: 1 worker ${oneSampleOne.toFixed(2)} s, ${cores} workers ${oneSampleAll.toFixed(2)} s, speed-up ${(oneSampleOne / oneSampleAll).toFixed(2)}×`);
console.log(`pool (${kernelName} kernel) batch of ${batch}: 1 worker ${batchOne.toFixed(2)} s, ${cores} workers ${batchAll.toFixed(2)} s, speed-up ${(batchOne / batchAll).toFixed(2)}×`);
console.log(`seconds per OpenFWI pair (5 shots, ${(cellsPerPair / 1e8).toFixed(2)}e8 cell updates): ${(batchOne / batch).toFixed(3)} s on 1 worker, ${(batchAll / batch).toFixed(3)} s on ${cores} workers`);
const load = os.loadavg();
console.log(`load average after: ${load.map((l) => l.toFixed(2)).join(' ')}`);
if (load[0] > 0.5 * cores) {
  console.log(`note: other work was running (load ${load[0].toFixed(2)} on ${cores} cores): wall-clock rates and pool speed-ups understate; re-run on a quiet machine.`);
}
