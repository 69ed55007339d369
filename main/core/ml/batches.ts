import { StudioError } from '../contract/errors.ts';
import { throwIfCancelled } from '../util/abort.ts';
import type { WorkOptions } from '../util/progress.ts';

/**
 * Runs `work` over samples [0, samples) in consecutive batches of at most `batchSize`, in order,
 * reporting progress in samples and checking for cancellation between batches (never inside one:
 * an ONNX run cannot be interrupted safely).
 */
export async function forEachBatch(
  samples: number,
  work: (start: number, count: number) => Promise<void>,
  options: WorkOptions & { batchSize?: number } = {},
): Promise<void> {
  const batchSize = options.batchSize ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new StudioError('bad_input', `Batch size ${batchSize}: use a whole number ≥ 1.`);
  options.onProgress?.({ done: 0, total: samples, unit: 'samples' });
  for (let start = 0; start < samples; start += batchSize) {
    throwIfCancelled(options.signal);
    const count = Math.min(batchSize, samples - start);
    await work(start, count);
    options.onProgress?.({ done: start + count, total: samples, unit: 'samples' });
  }
}
