import { describe, it, expect } from 'vitest';
import { startWorker } from './startWorker.ts';

describe('startWorker', () => {
  it('runs a TypeScript worker entry from source and transfers typed arrays both ways', async () => {
    const worker = startWorker(new URL('./testdata/square.worker.ts', import.meta.url));
    const input = Float32Array.from([1, 2, 3]);
    const reply = new Promise<Float32Array>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    worker.postMessage(input, [input.buffer]);
    expect(input.byteLength).toBe(0);
    expect(Array.from(await reply)).toEqual([1, 4, 9]);
    await worker.terminate();
  });
});
