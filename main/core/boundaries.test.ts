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
  });
});
