/**
 * The command line leaves the desktop app's recent projects alone: a project it creates or works in
 * is neither added to the list nor made the one the app reopens at start (issue 11).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../testing/runCliCaptured.ts';
import { UserStore } from '../../core/app/userStore.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-cli-project-'));
const userDir = path.join(dir, 'user');
process.env.WAVEDIFF_DATA_DIR = userDir;
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('wavediff project / datasets / import', () => {
  it('create a project and work in it without touching the recent projects', async () => {
    const gui = new UserStore(userDir);
    const guiProject = path.join(dir, 'gui-project');
    fs.mkdirSync(guiProject);
    gui.rememberProject(guiProject, 'the GUI one');
    const before = new UserStore(userDir).recentProjects();

    const folder = path.join(dir, 'cli-project');
    expect((await runCliCaptured(['project', 'create', folder, '--name', 'from the CLI'])).code).toBe(0);
    const fixture = path.resolve('main/core/io/testdata/openfwi/vel');
    const imported = await runCliCaptured(['import', 'openfwi', fixture, '--project', folder]);
    expect(imported.code, imported.stderr).toBe(0);
    expect((await runCliCaptured(['datasets', '--project', folder])).stdout).toMatch(/vel/);

    const after = new UserStore(userDir).recentProjects();
    expect(after).toEqual(before);
    expect(after.map((p) => p.folder)).not.toContain(path.resolve(folder));
  });
});
