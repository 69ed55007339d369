// Reflection of the absorbing boundaries (`npm run bench:sponge`): the narrow 'sponge' at several
// widths, 'pml' and OpenFWI's sponge for comparison, in homogeneous models at three velocities and
// in 1500 over 4500 m/s. Method (measureBoundaryReflection in main/core/physics/testing/boundaryReflection.ts):
// a 60 × 60 model, dx 10 m, 15 Hz Ricker, source in the middle (300 m from each edge), receivers
// along a row 30 m below the top and a column 30 m from the right edge; the reference is the same
// run on a model ≥ 1.5 km larger on every side, so p − p_ref is what the boundary sent back. Two
// records: 0.5 s (the boundary test in physics.test.ts) and 1 s (OpenFWI's record length, long
// enough for a wave that wraps around a wide sponge to come back at high velocity).
// Peak: 20·log10(max|p − p_ref| / max|p_ref|); energy: 10·log10(Σ(p − p_ref)² / Σp_ref²).
// The statements of these levels (main/core/physics/README.md, the boundary kinds' comments in
// main/core/contract/acquisitionGeometry.ts, spongeDamping in paddedGrid.ts) quote this bench.
import os from 'node:os';
import type { BoundarySpec } from '../main/core/contract/acquisitionGeometry.ts';
import { measureBoundaryReflection, REFLECTION_MODEL_CELLS } from '../main/core/physics/testing/boundaryReflection.ts';

const n = REFLECTION_MODEL_CELLS;
const models: Array<[string, Float32Array]> = [
  ['1500 m/s', new Float32Array(n * n).fill(1500)],
  ['2000 m/s', new Float32Array(n * n).fill(2000)],
  ['4500 m/s', new Float32Array(n * n).fill(4500)],
  ['1500 over 4500 m/s', Float32Array.from({ length: n * n }, (_, i) => (i < (n * n) / 2 ? 1500 : 4500))],
];
const boundaries: Array<[string, BoundarySpec]> = [
  ...[20, 40, 60, 120].map((widthCells): [string, BoundarySpec] => [`sponge ${widthCells}`, { kind: 'sponge', widthCells }]),
  ['openfwi-sponge (120)', { kind: 'openfwi-sponge' }],
  ...[8, 20].map((widthCells): [string, BoundarySpec] => [`pml ${widthCells}`, { kind: 'pml', widthCells }]),
];

console.log(`Boundary reflection, peak dB / energy dB (wasm kernel; ${os.cpus()[0]?.model ?? 'unknown CPU'})`);
for (const steps of [500, 1000]) {
  console.log(`\nrecord ${steps / 1000} s`);
  console.log(['boundary'.padEnd(22), ...models.map(([name]) => name.padStart(20))].join(''));
  for (const [label, boundary] of boundaries) {
    const cells: string[] = [];
    for (const [, velocity] of models) {
      const { peakDb, energyDb } = await measureBoundaryReflection(velocity, boundary, 'absorbing', { steps });
      cells.push(`${peakDb.toFixed(1)} / ${energyDb.toFixed(1)}`.padStart(20));
    }
    console.log([label.padEnd(22), ...cells].join(''));
  }
}
