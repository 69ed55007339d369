import type { CliCommand } from '../command.ts';
import path from 'node:path';
import type { PdeDeviationReport } from '../../core/physics/deviation.ts';
import { velocityFileShape } from '../../core/physics/velocityFile.ts';
import { PHYSICS_COMMON_USAGE, computeOptions, geometryOption } from '../physicsArgs.ts';
import { awaitJob, call, withScratchProject } from '../studioSession.ts';

export const deviationCommand: CliCommand = {
  name: 'deviation',
  summary: 'PDE deviation of seismic–velocity pairs: misfit between the seismic and FD seismic of the velocity',
  usage: `Usage: wavediff deviation --seismic S.npy --velocity V.npy [--geometry FILE.json] [--json]

Forward-models V with the geometry and compares with S:
  pde_mse = mean (S − f(V))²,   pde_rel_l2 = ‖S − f(V)‖₂ / ‖f(V)‖₂
over all samples, per source, and per sample (pde_*_per_source for each).

Options:
  --seismic S.npy       float32 [N, sources, time, receivers]
  --velocity V.npy      float32 m/s, [N, 1, depth, width] or [depth, width]
  --json                print one JSON object on stdout (relative L2 against an all-zero reference: null)
${PHYSICS_COMMON_USAGE}
`,
  options: {
    seismic: { type: 'string' },
    velocity: { type: 'string' },
    geometry: { type: 'string' },
    threads: { type: 'string' },
    kernel: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  async run(args, io) {
    const { seismic: seismicFile, velocity } = args.values;
    if (typeof seismicFile !== 'string' || typeof velocity !== 'string' || args.positionals.length > 0) {
      io.stderr.write(`wavediff deviation: give --seismic and --velocity.\n\n${this.usage}`);
      return 2;
    }
    const velocityFile = path.resolve(velocity);
    const batch = velocityFileShape(velocityFile);
    const geometry = geometryOption(args.values.geometry, batch);
    return withScratchProject(null, 'wavediff deviation', io, computeOptions(args.values), async (studio) => {
      const started = await call(studio, 'physics.deviationFiles', { seismicFile: path.resolve(seismicFile), velocityFile, geometry });
      const done = await awaitJob(studio, started, io, { label: 'deviation', resumeHint: 'Run the same command again.' });
      // JSON-safe already: a relative L2 against an all-zero reference is null.
      const report = done.result as PdeDeviationReport;
      if (args.values.json) {
        io.stdout.write(`${JSON.stringify(report)}\n`);
      } else {
        const fmt = (x: number | null): string => (x === null ? 'Infinity' : x.toExponential(4));
        io.stdout.write(
          [
            `Samples:       ${batch.n}`,
            `pde_rel_l2:    ${fmt(report.pde_rel_l2)}`,
            `pde_mse:       ${fmt(report.pde_mse)}`,
            `per source:    rel_l2 ${report.pde_rel_l2_per_source.map(fmt).join(' ')}`,
            `               mse    ${report.pde_mse_per_source.map(fmt).join(' ')}`,
            ...report.samples.map((s, i) => `sample ${String(i).padEnd(6)} rel_l2 ${fmt(s.pde_rel_l2)}  mse ${fmt(s.pde_mse)}`),
            '',
          ].join('\n'),
        );
      }
      return 0;
    });
  },
};
