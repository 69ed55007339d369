/**
 * A fingerprint of what the studio's synthesis makes, for keying caches of synthesised training data
 * (scripts/train-default-models.sh, the model card's training means): SHA-256 over the first pair
 * (seed 11, OpenFWI's geometry) of each OpenFWI-style A family, as `synthesizeDataset` writes it.
 * It changes exactly when the data would: a change of the families, the synthesis or the solver, and
 * not when code moves or is renamed. Each family's own fingerprint (the same hash over its pair alone)
 * tells which families a change left as they were, so a new cache can take their data from an old one.
 *   npx tsx scripts/synthesis-fingerprint.ts               # prints 12 hex digits
 *   npx tsx scripts/synthesis-fingerprint.ts --per-family  # that, then "family digits" per line
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

export interface SynthesisFingerprints {
  /** Over all families: the cache key. */
  all: string;
  families: Record<string, string>;
}

export async function synthesisFingerprints(pool?: FdWorkerPool): Promise<SynthesisFingerprints> {
  const all = createHash('sha256');
  const families: Record<string, string> = {};
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-fingerprint-'));
  try {
    for (const family of FINGERPRINT_FAMILIES) {
      const own = createHash('sha256');
      const destDir = path.join(scratch, family);
      const { state } = await synthesizeDataset({ family, count: 1, seed: FINGERPRINT_SEED, geometry: openfwiGeometry(), destDir }, { pool });
      for (const file of state.files) {
        for (const name of [file.model, file.data]) {
          const bytes = fs.readFileSync(path.join(destDir, name));
          all.update(bytes);
          own.update(bytes);
        }
      }
      families[family] = own.digest('hex').slice(0, 12);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return { all: all.digest('hex').slice(0, 12), families };
}

export async function synthesisFingerprint(pool?: FdWorkerPool): Promise<string> {
  return (await synthesisFingerprints(pool)).all;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const prints = await synthesisFingerprints();
  console.log(prints.all);
  if (process.argv.includes('--per-family')) for (const [family, digits] of Object.entries(prints.families)) console.log(`${family} ${digits}`);
}
