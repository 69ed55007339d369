import type { CliCommand } from '../command.ts';
import path from 'node:path';
import { velocityFileShape } from '../../core/physics/velocityFile.ts';
import { PHYSICS_COMMON_USAGE, computeOptions, geometryOption } from '../physicsArgs.ts';
import { awaitJob, call, withScratchProject } from '../studioSession.ts';

export const forwardCommand: CliCommand = {
  name: 'forward',
  summary: 'Forward-model velocity models into seismic with the FD acoustic solver',
  usage: `Usage: wavediff forward --velocity V.npy --out S.npy [--geometry FILE.json] [--threads N] [--kernel K]

Reads V (float32 m/s, [N, 1, depth, width] or [depth, width]), models every shot of the geometry
and writes S (float32 [N, sources, time, receivers]) atomically.

Options:
  --velocity V.npy      velocity models in m/s
  --out S.npy           seismic to write
${PHYSICS_COMMON_USAGE}
`,
  options: {
    velocity: { type: 'string' },
    out: { type: 'string' },
    geometry: { type: 'string' },
    threads: { type: 'string' },
    kernel: { type: 'string' },
  },
  async run(args, io) {
    const { velocity, out } = args.values;
    if (typeof velocity !== 'string' || typeof out !== 'string' || args.positionals.length > 0) {
      io.stderr.write(`wavediff forward: give --velocity and --out.\n\n${this.usage}`);
      return 2;
    }
    const velocityFile = path.resolve(velocity);
    const geometry = geometryOption(args.values.geometry, velocityFileShape(velocityFile));
    // A job of a temporary project: the file is written whole or not at all, so a rerun starts afresh.
    return withScratchProject(null, 'wavediff forward', io, computeOptions(args.values), async (studio) => {
      const started = await call(studio, 'physics.forwardFile', { velocityFile, out: path.resolve(out), geometry });
      const done = await awaitJob(studio, started, io, { label: 'forward', resumeHint: 'Run the same command again.' });
      const { shape } = done.result as { shape: number[] };
      io.stderr.write(`forward: wrote ${out} [${shape.join(', ')}]\n`);
      return 0;
    });
  },
};
