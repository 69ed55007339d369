// Run by atomicFile.test.ts under `ulimit -f` (the kernel refuses to grow a file past it: a short
// write, then EFBIG): writes a 1 MiB .npy and a 1 MiB text file with the real writers and prints,
// as one JSON line per write, what each threw.
import path from 'node:path';
import { writeNpy } from '../../io/npy.ts';
import { writeFileAtomic } from '../atomicFile.ts';

const folder = process.argv[2]!;
const attempts: [string, () => void][] = [
  ['npy', () => writeNpy(path.join(folder, 'velocity.npy'), new Float32Array(256 * 1024), [256 * 1024])],
  ['text', () => writeFileAtomic(path.join(folder, 'metrics.csv'), 'x'.repeat(1 << 20))],
];
for (const [name, attempt] of attempts) {
  try {
    attempt();
    console.log(JSON.stringify({ name, thrown: null }));
  } catch (error) {
    const e = error as Error & { code?: string; details?: unknown };
    console.log(JSON.stringify({ name, thrown: { type: e.name, code: e.code, message: e.message, details: e.details } }));
  }
}
