import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { ProgressBar } from './progressBar.ts';

function headlessBar(clock: { t: number }) {
  const stderr = new PassThrough();
  const lines: string[] = [];
  stderr.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  const bar = new ProgressBar({ stdout: new PassThrough(), stderr, interactive: false }, 'synth', () => clock.t);
  return { bar, lines };
}

describe('ProgressBar', () => {
  it('rate and ETA from the work of this run', () => {
    const clock = { t: 0 };
    const { bar, lines } = headlessBar(clock);
    bar.update({ done: 0, total: 100, unit: 'samples' });
    clock.t = 10_000;
    bar.update({ done: 20, total: 100, unit: 'samples' });
    expect(lines.at(-1)).toBe('synth: 20.0% 20/100 samples 2.00 samples/s ETA 00:40');
  });

  it('a resumed job: the samples done before the interruption count in the fraction, not in the rate', () => {
    const clock = { t: 0 };
    const { bar, lines } = headlessBar(clock);
    bar.update({ done: 2400, total: 3000, unit: 'samples' });
    expect(lines.at(-1)).toBe('synth: 80.0% 2400/3000 samples 0.00 samples/s ETA --:--');
    clock.t = 6_000;
    bar.update({ done: 2460, total: 3000, unit: 'samples' });
    expect(lines.at(-1)).toBe('synth: 82.0% 2460/3000 samples 10.00 samples/s ETA 00:54');
  });
});
