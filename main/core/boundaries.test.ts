import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, it, expect } from 'vitest';
// @ts-expect-error: a plain ESM script without type declarations
import { findBoundaryViolations } from '../../scripts/check-boundaries.mjs';

describe('layer boundaries', () => {
  it('hold in this checkout: floors import downward, no cycle, the contract alone in the renderer and preload', () => {
    expect(findBoundaryViolations()).toEqual([]);
  });

  describe('on a small tree that breaks them', () => {
    let dir = '';
    const write = (file: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    };
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('names each upward import, cycle, non-zod contract import and unknown folder', () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'boundaries-'));
      write('main/core/contract/contract.ts', "import fs from 'node:fs';\nimport { z } from 'zod';\n");
      write('main/core/io/npy.ts', "import { Studio } from '../app/studio.ts';\n");
      write('main/core/app/studio.ts', "import { x } from '../io/npy.ts';\n");
      write('main/core/physics/a.ts', "import type { B } from './b.ts';\n");
      write('main/core/physics/b.ts', "import { a } from './a.ts';\n");
      write('main/core/misc/thing.ts', "export const thing = 1;\n");
      write('main/core/io/npy.test.ts', "import { Studio } from '../app/studio.ts';\n");
      const violations: string[] = findBoundaryViolations(dir);
      expect(violations).toContain("main/core/contract/contract.ts imports 'node:fs': the contract depends on zod alone.");
      expect(violations.some((v) => v.startsWith('main/core/io/npy.ts imports main/core/app/studio.ts: io/ lies below app/'))).toBe(true);
      expect(violations.some((v) => v.startsWith('import cycle:') && v.includes('main/core/physics/a.ts') && v.includes('main/core/physics/b.ts'))).toBe(true);
      expect(violations.some((v) => v.startsWith('import cycle:') && v.includes('main/core/io/npy.ts') && v.includes('main/core/app/studio.ts'))).toBe(true);
      expect(violations.some((v) => v.startsWith('main/core/misc/thing.ts: main/core/misc/ is not a floor'))).toBe(true);
      // Tests may compose any floors.
      expect(violations.some((v) => v.startsWith('main/core/io/npy.test.ts'))).toBe(false);
    });

    it('names SQL outside main/core/store/: statements passed to prepare or exec, and better-sqlite3 imports', () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'boundaries-'));
      write('main/core/store/tables/jobs.ts', "const s = db.prepare('SELECT * FROM jobs WHERE id = ?');\n");
      write('main/core/generation/generationJob.ts', "ctx.catalogue.db.prepare('DELETE FROM generation_runs WHERE id = ?').run(1);\n");
      write('main/core/generation/other.ts', "import Database from 'better-sqlite3';\nconst n = db\n  .prepare<[number], { n: number }>(\n    `select count(*) AS n FROM generation_samples`).get();\n");
      write('main/core/io/npy.ts', "const match = /^chunk-(\\d+)$/.exec(name);\n");
      write('main/core/generation/generation.test.ts', "db.prepare('SELECT 1').get();\n");
      const violations: string[] = findBoundaryViolations(dir);
      expect(violations.filter((v) => /SQL|better-sqlite3/.test(v)).sort()).toEqual([
        expect.stringMatching(/^main\/core\/generation\/generationJob\.ts:1 passes SQL to \.prepare\('DELETE/),
        expect.stringMatching(/^main\/core\/generation\/other\.ts imports better-sqlite3/),
        expect.stringMatching(/^main\/core\/generation\/other\.ts:3 passes SQL to \.prepare<\[number\], \{ n: number \}>\( `sel/),
      ]);
    });
  });
});
