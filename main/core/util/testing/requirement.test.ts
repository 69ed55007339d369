import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { appRoot } from '../paths.ts';

/** Runs a one-file vitest project that skips on a missing requirement, with or without CI=true. */
function runSpec(ci: boolean): { status: number | null; output: string } {
  // Inside the checkout (.tmp/ is git-ignored) so that the spec resolves 'vitest' from node_modules.
  fs.mkdirSync(path.join(appRoot(), '.tmp'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(appRoot(), '.tmp', 'requirement-'));
  const helper = path.join(appRoot(), 'main', 'core', 'util', 'testing', 'requirement.ts');
  fs.writeFileSync(
    path.join(dir, 'needs.test.ts'),
    `import { describe, it, expect } from 'vitest';\nimport { missing } from ${JSON.stringify(helper)};\n` +
      `describe.skipIf(missing('the frobnicator', false))('uses the frobnicator', () => { it('works', () => expect(1).toBe(1)); });\n` +
      `describe.skipIf(missing('numbers', true))('needs numbers', () => { it('adds', () => expect(1 + 1).toBe(2)); });\n`,
  );
  fs.writeFileSync(path.join(dir, 'vitest.config.mjs'), "export default { test: { include: ['*.test.ts'] } };\n");
  const env = { ...process.env };
  delete env.CI;
  if (ci) env.CI = 'true';
  const vitest = path.join(appRoot(), 'node_modules', 'vitest', 'vitest.mjs');
  const result = spawnSync(process.execPath, [vitest, 'run', '--root', dir, '--config', path.join(dir, 'vitest.config.mjs')], { env, encoding: 'utf8', cwd: dir });
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('a missing test requirement', () => {
  it('skips with a message on a developer machine and fails under CI=true, naming what is missing', () => {
    const local = runSpec(false);
    expect(local.status, local.output).toBe(0);
    expect(local.output).toContain('they need the frobnicator');
    const ci = runSpec(true);
    expect(ci.status, ci.output).not.toBe(0);
    expect(ci.output).toContain('Missing under CI=true: the frobnicator');
    expect(ci.output).toMatch(/1 failed/);
  }, 120_000);
});
