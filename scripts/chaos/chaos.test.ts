/**
 * Keeps `npm run chaos` working: its smallest meaningful run (one kill of a SEG-Y import, resumed,
 * compared with an uninterrupted import) as a real process. The full run is `npm run chaos`.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appRoot } from '../../main/core/util/paths.ts';

describe('npm run chaos', () => {
  it('kills an import once, resumes it and finds nothing lost, duplicated, orphaned or listed half-made', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-chaos-test-'));
    try {
      const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(appRoot(), 'scripts', 'chaos.ts'), '--rounds', '1', '--only', 'import', '--seed', '3', '--work', work], {
        cwd: appRoot(),
        encoding: 'utf8',
      });
      expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
      const row = result.stdout.split('\n').find((line) => line.startsWith('import '))!;
      const [rounds, kills, resumes, mismatches, integrity, orphans, halfMade, strays, other, finishedFirst] = row.trim().split(/\s+/).slice(1).map(Number);
      expect({ rounds, mismatches, integrity, orphans, halfMade, strays, other }).toEqual({ rounds: 1, mismatches: 0, integrity: 0, orphans: 0, halfMade: 0, strays: 0, other: 0 });
      // The run was killed and resumed, unless it finished before its kill was due.
      expect(kills + finishedFirst).toBe(1);
      expect(resumes).toBe(kills);
      expect(result.stdout).toMatch(/chaos: no failures/);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
