// The default geometry against an independent numpy implementation of OpenFWI's forward
// modelling (testing/openfwi_reference.py, written from shared/OPENFWI.md by another engineer),
// on real OpenFWI velocity models.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { missing } from '../util/testing/requirement.ts';
import { readNpy, writeNpy } from '../io/npy.ts';
import { openfwiGeometry } from './acquisition.ts';
import { forwardModel } from './solver.ts';
import { relativeL2 } from './testing/analytic.ts';
import { readOpenfwiVelocity, type OPENFWI_VELOCITY_ZIPS } from './testing/openfwiModels.ts';

const python = '/usr/bin/python3';
const reference = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testing', 'openfwi_reference.py');
const hasNumpy = fs.existsSync(reference) && spawnSync(python, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-openfwi-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const cases: Array<[keyof typeof OPENFWI_VELOCITY_ZIPS, number]> = [
  ['FlatVelA', 274], // the fastest top layer of that file (3470 m/s)
  ['CurveVelA', 7],
  ['FlatFaultA', 123],
];
const shots = [0, 2, 4];

describe.skipIf(missing('numpy under /usr/bin/python3 and the numpy reference script', hasNumpy))('OpenFWI forward modelling', () => {
  test.each(cases)('%s sample %i matches the numpy reference (relative L2 ≤ 1e-3)', async (family, sample) => {
    const velocity = readOpenfwiVelocity(family, sample, 1);
    const velocityPath = path.join(scratch, `${family}_${sample}.npy`);
    const seismicPath = path.join(scratch, `${family}_${sample}_seismic.npy`);
    writeNpy(velocityPath, velocity, [1, 1, 70, 70]);
    // numpy allocates a fresh 770 KB array per np.roll; without these glibc tunables each one is
    // an mmap/munmap pair and the reference runs 5–6× slower (mostly system time).
    const env = { ...process.env, MALLOC_MMAP_THRESHOLD_: String(64 << 20), MALLOC_TRIM_THRESHOLD_: String(128 << 20), OMP_NUM_THREADS: '1' };
    const run = spawnSync(python, [reference, '--velocity', velocityPath, '--out', seismicPath, '--shots', shots.join(',')], { encoding: 'utf8', env });
    expect(run.status, run.stderr).toBe(0);
    const truth = readNpy(seismicPath);
    expect(truth.shape).toEqual([1, shots.length, 1000, 70]);

    const ours = await forwardModel(velocity, { n: 1, nz: 70, nx: 70 }, openfwiGeometry(), { kernel: 'wasm' });
    expect(ours.length).toBe(5 * 1000 * 70);
    shots.forEach((shot, i) => {
      const gather = ours.subarray(shot * 70_000, (shot + 1) * 70_000);
      const expected = truth.data.subarray(i * 70_000, (i + 1) * 70_000);
      expect(relativeL2(gather, expected), `shot ${shot}`).toBeLessThanOrEqual(1e-3);
    });
  });
});

