import type { CliCommand } from '../command.ts';
import { cliAbortSignal } from '../interrupt.ts';
import { ProgressBar } from '../progressBar.ts';
import { writeNpy } from '../../core/io/npy.ts';
import { forwardModel } from '../../core/physics/solver.ts';
import { recordedSamples, validateGeometry } from '../../core/physics/acquisition.ts';
import { PHYSICS_COMMON_USAGE, geometryOption, kernelOption, poolOption, readVelocityFile } from '../physicsArgs.ts';

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
    const batch = readVelocityFile(velocity, io, 'forward');
    const shape = { n: batch.n, nz: batch.nz, nx: batch.nx };
    const geometry = validateGeometry(geometryOption(args.values.geometry, shape), shape);
    const kernel = kernelOption(args.values.kernel);
    const pool = poolOption(args.values.threads, kernel);
    const bar = new ProgressBar(io, 'forward');
    try {
      const seismic = await forwardModel(batch.velocityMps, shape, geometry, {
        pool,
        kernel,
        signal: cliAbortSignal,
        onProgress: bar.update,
        onNotice: (message) => io.stderr.write(`wavediff forward: note: ${message}\n`),
      });
      const outShape = [batch.n, geometry.sources.length, recordedSamples(geometry), geometry.receivers.length];
      writeNpy(out, seismic, outShape);
      bar.finish(`wrote ${out} [${outShape.join(', ')}]`);
      return 0;
    } finally {
      await pool?.close();
    }
  },
};
