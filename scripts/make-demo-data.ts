/**
 * Remakes the demo project's source files in resources/demo/ with the studio's own tools:
 * OpenFWI-style velocity models from the seeded families, their seismic from the FD solver with
 * OpenFWI's geometry, and one SEG-Y file of shot gathers written by our SEG-Y writer.
 *
 *   npx tsx scripts/make-demo-data.ts
 *
 * The output is deterministic for a given seed and solver, so the committed files can be checked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { generateVelocityModels, type VelocityFamily } from '../main/core/physics/families.ts';
import { forwardModel } from '../main/core/physics/solver.ts';
import { openfwiGeometry, recordedSamples } from '../main/core/physics/acquisition.ts';
import { writeNpy } from '../main/core/io/npy.ts';
import { writeSegy } from '../main/core/io/segy/writer.ts';
import { resourcesDir } from '../main/core/util/paths.ts';

const seed = 2026;
const families: VelocityFamily[] = ['curvevel-a', 'flatfault-b'];
const nz = 70;
const nx = 70;
const demoDir = path.join(resourcesDir(), 'demo');
const geometry = openfwiGeometry();

const velocity = new Float32Array(families.length * nz * nx);
families.forEach((family, i) => velocity.set(generateVelocityModels(family, seed, 1, { start: i }), i * nz * nx));
console.log(`Modelling ${families.length} samples (${families.join(', ')}) with OpenFWI's geometry…`);
const seismic = await forwardModel(velocity, { n: families.length, nz, nx }, geometry, {
  onProgress: (p) => process.stdout.write(`\r  ${p.done}/${p.total} shots`),
});
process.stdout.write('\n');

const timeSamples = recordedSamples(geometry);
const sources = geometry.sources.length;
const receivers = geometry.receivers.length;
const openfwiDir = path.join(demoDir, 'openfwi', 'openfwi-style pairs');
fs.mkdirSync(openfwiDir, { recursive: true });
writeNpy(path.join(openfwiDir, 'data1.npy'), seismic, [families.length, sources, timeSamples, receivers]);
writeNpy(path.join(openfwiDir, 'model1.npy'), velocity, [families.length, 1, nz, nx]);

// SEG-Y: the first sample's five shot gathers, trace-major, with geometry in the headers (metres).
const segyDir = path.join(demoDir, 'segy');
fs.mkdirSync(segyDir, { recursive: true });
const spacingM = geometry.spacingMeters;
const traces = new Float32Array(sources * receivers * timeSamples);
for (let s = 0; s < sources; s += 1) {
  for (let r = 0; r < receivers; r += 1) {
    for (let t = 0; t < timeSamples; t += 1) {
      traces[(s * receivers + r) * timeSamples + t] = seismic[(s * timeSamples + t) * receivers + r];
    }
  }
}
writeSegy(path.join(segyDir, 'curvevel-line.sgy'), traces, {
  samplesPerTrace: timeSamples,
  sampleIntervalUs: Math.round(geometry.timeStepSeconds * geometry.recordEverySteps * 1e6),
  textLines: [
    'WAVEDIFFUSION STUDIO DEMO: 5 SHOT GATHERS OVER A CURVED-LAYER VELOCITY MODEL',
    `FD ACOUSTIC, OPENFWI GEOMETRY: 70 RECEIVERS AT 10 M, RICKER 15 HZ, DT 1 MS, SEED ${seed}`,
    'MADE BY scripts/make-demo-data.ts',
  ],
  tracesPerEnsemble: receivers,
  headers: (trace) => {
    const shot = Math.floor(trace / receivers);
    const receiver = trace % receivers;
    const sourceX = geometry.sources[shot].x * spacingM;
    const groupX = geometry.receivers[receiver].x * spacingM;
    return {
      TRACE_SEQUENCE_LINE: trace + 1,
      FieldRecord: shot + 1,
      TraceNumber: receiver + 1,
      EnergySourcePoint: shot + 1,
      offset: groupX - sourceX,
      SourceGroupScalar: 1,
      ElevationScalar: 1,
      SourceX: sourceX,
      GroupX: groupX,
      SourceDepth: geometry.sources[shot].z * spacingM,
      ReceiverGroupElevation: -geometry.receivers[receiver].z * spacingM,
    };
  },
});
console.log(`Wrote ${path.relative(process.cwd(), demoDir)}: OpenFWI pairs and a SEG-Y line.`);
