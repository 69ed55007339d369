/**
 * A fingerprint of what the studio's synthesis makes, for keying caches of synthesised training data
 * (scripts/train-default-models.sh, the model card's training means): SHA-256 over the first pair
 * (seed 11, OpenFWI's geometry) of each OpenFWI-style A family, as `synthesizeDataset` writes it.
 * It changes exactly when the data would: a change of the families, the synthesis or the solver, and
 * not when code moves or is renamed.
 *   npx tsx scripts/synthesis-fingerprint.ts   # prints 12 hex digits
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { synthesizeDataset } from '../main/core/physics/synthesis.ts';
import { openfwiGeometry } from '../main/core/physics/acquisition.ts';
import type { FdWorkerPool } from '../main/core/physics/pool.ts';
import type { VelocityFamily } from '../main/core/physics/families.ts';

const FINGERPRINT_FAMILIES: VelocityFamily[] = ['flatvel-a', 'curvevel-a', 'flatfault-a', 'curvefault-a'];
const FINGERPRINT_SEED = 11;

export async function synthesisFingerprint(pool?: FdWorkerPool): Promise<string> {
  const hash = createHash('sha256');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-fingerprint-'));
  try {
    for (const family of FINGERPRINT_FAMILIES) {
      const destDir = path.join(scratch, family);
      const { state } = await synthesizeDataset({ family, count: 1, seed: FINGERPRINT_SEED, geometry: openfwiGeometry(), destDir }, { pool });
      for (const file of state.files) {
        hash.update(fs.readFileSync(path.join(destDir, file.model)));
        hash.update(fs.readFileSync(path.join(destDir, file.data)));
      }
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return hash.digest('hex').slice(0, 12);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await synthesisFingerprint());
}
