import { it } from 'vitest';

/**
 * Whether a test file must skip because something it needs on this machine is missing (a tool such
 * as Python with torch, a shipped model, a shared test file). On a developer's machine a missing
 * requirement skips with a message; under CI=true it registers a failing test that names it, because
 * CI installs everything (scripts/setup.sh) and a silent skip there would hide a broken set-up.
 * Use: `describe.skipIf(missing('numpy under /usr/bin/python3', hasNumpy))(…)`.
 */
export function missing(requirement: string, present: boolean): boolean {
  if (present) return false;
  if (process.env.CI) {
    it(`has what it needs: ${requirement}`, () => {
      throw new Error(`Missing under CI=true: ${requirement}. scripts/setup.sh (npm run setup) installs or makes it.`);
    });
  } else {
    console.log(`Tests skipped here: they need ${requirement} (npm run setup installs it; under CI=true this fails).`);
  }
  return true;
}
