import type { CliCommand } from '../command.ts';
import { cliAbortSignal } from '../interrupt.ts';
import { ProgressBar } from '../progressBar.ts';
import { readNpy } from '../../core/io/npy.ts';
import { StudioError } from '../../core/contract/errors.ts';
import { deviationToJson, pdeDeviation } from '../../core/physics/deviation.ts';
import { recordedSamples, validateGeometry } from '../../core/physics/acquisition.ts';
import { PHYSICS_COMMON_USAGE, geometryOption, kernelOption, poolOption, readVelocityFile } from '../physicsArgs.ts';

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
    const batch = readVelocityFile(velocity, io, 'deviation');
    const shape = { n: batch.n, nz: batch.nz, nx: batch.nx };
    const geometry = validateGeometry(geometryOption(args.values.geometry, shape), shape);
    const seismic = readNpy(seismicFile, { onNotice: (message) => io.stderr.write(`wavediff deviation: note: ${message}\n`) });
    const expected = [batch.n, geometry.sources.length, recordedSamples(geometry), geometry.receivers.length];
    if (seismic.shape.join(',') !== expected.join(',')) {
      throw new StudioError(
        'bad_input',
        `${seismicFile}: shape [${seismic.shape.join(', ')}], but ${batch.n} velocity models on this geometry make [${expected.join(', ')}] (N, sources, time, receivers).`,
      );
    }
    const kernel = kernelOption(args.values.kernel);
    const pool = poolOption(args.values.threads, kernel);
    const bar = new ProgressBar(io, 'deviation');
    try {
      const report = await pdeDeviation(seismic.data, batch.velocityMps, shape, geometry, {
        pool,
        kernel,
        signal: cliAbortSignal,
        onProgress: bar.update,
        onNotice: (message) => io.stderr.write(`wavediff deviation: note: ${message}\n`),
      });
      bar.finish();
      if (args.values.json) {
        io.stdout.write(`${JSON.stringify(deviationToJson(report))}\n`);
      } else {
        const fmt = (x: number): string => x.toExponential(4);
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
    } finally {
      await pool?.close();
    }
  },
};
