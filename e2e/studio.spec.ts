import path from 'node:path';
import fs from 'node:fs';
import { test, expect, repoRoot, type StudioHandle } from './fixtures.ts';

const sharedSegy = path.resolve(repoRoot, '..', 'shared', 'testdata', 'segy', 'segyio__shot-gather.sgy');
const openfwiPairs = path.join(repoRoot, 'main', 'core', 'io', 'testdata', 'openfwi', 'vel');

async function waitForJobsDone(studio: StudioHandle, count: number): Promise<void> {
  const { page } = studio;
  await page.getByTestId('nav-jobs').click();
  await expect(page.getByTestId('view-jobs')).toBeVisible();
  await expect(page.locator('[data-testid="job"][data-status="done"]')).toHaveCount(count, { timeout: 120_000 });
}

test('first start opens the demo project with its data', async ({ studio }) => {
  const { page } = studio;
  await expect(page.getByTestId('appbar-project')).toContainText('Demo project');
  await waitForJobsDone(studio, 2);
  await studio.screenshot('jobs');
  await page.getByTestId('nav-datasets').click();
  await expect(page.getByTestId('dataset-row')).toHaveCount(2);
  await studio.screenshot('datasets');
  await page.locator('[data-testid="dataset-row"][data-dataset-name="Demo shot gathers (SEG-Y)"]').click();
  await page.getByTestId('dataset-view-seismic').click();
  await expect(page.getByTestId('seismic-stats')).toContainText(/\d/);
  await page.getByTestId('seismic-source-next').click();
  await page.getByTestId('seismic-source-next').click();
  await studio.screenshot('demo-shot-gather');
  await page.getByTestId('nav-datasets').click();
  await page.locator('[data-testid="dataset-row"][data-dataset-name="Demo openfwi-style pairs"]').click();
  await page.getByTestId('dataset-view-velocity').click();
  await expect(page.getByTestId('velocity-stats')).toContainText('m/s');
  await studio.screenshot('demo-velocity-map');
});

test('create a project, import SEG-Y and OpenFWI data, view them, restart and find them again', async ({ studio }) => {
  const { page } = studio;
  const projectFolder = path.join(studio.dataDir, 'projects', 'line-7');
  fs.mkdirSync(path.dirname(projectFolder), { recursive: true });

  await page.getByTestId('nav-projects').click();
  await page.getByTestId('project-new').click();
  await page.getByTestId('new-project-name').fill('Line 7');
  await page.getByTestId('new-project-folder').fill(projectFolder);
  await page.getByTestId('new-project-create').click();
  await expect(page.getByTestId('appbar-project')).toContainText('Line 7');
  await studio.screenshot('projects');

  await page.getByTestId('nav-datasets').click();
  await page.getByTestId('dataset-import-segy').click();
  await page.getByTestId('import-segy-path-input').fill(sharedSegy);
  await page.getByTestId('import-segy-path-add').click();
  await page.getByTestId('import-segy-name').fill('segyio shot gathers');
  await page.getByTestId('import-segy-start').click();

  await page.getByTestId('nav-datasets').click();
  await page.getByTestId('dataset-import-openfwi').click();
  await page.getByTestId('import-openfwi-folder').fill(openfwiPairs);
  await page.getByTestId('import-openfwi-name').fill('numpy pairs');
  await page.getByTestId('import-openfwi-start').click();

  await waitForJobsDone(studio, 2);

  await page.getByTestId('nav-datasets').click();
  await expect(page.getByTestId('dataset-row')).toHaveCount(2);
  await page.locator('[data-testid="dataset-row"][data-dataset-name="segyio shot gathers"]').click();
  await expect(page.getByTestId('dataset-detail')).toBeVisible();
  // Seismic only: SEG-Y export is offered, OpenFWI (which needs velocity models) is not; the detail reads as words.
  await expect(page.getByTestId('dataset-export-openfwi')).toHaveCount(0);
  await expect(page.getByTestId('dataset-properties')).toContainText('FieldRecord (trace header field)');
  await expect(page.getByTestId('dataset-properties')).not.toContainText('gatherKey');
  await expect(page.getByTestId('dataset-detail')).toContainText('Array files (1 part)');
  await studio.screenshot('dataset-detail-segy');
  const exportFolder = path.join(studio.dataDir, 'exports');
  const exportSegy = async () => {
    await page.getByTestId('dataset-export-segy').click();
    await page.getByTestId('export-segy-folder').fill(exportFolder);
    await expect(page.getByTestId('export-segy-file-name')).toHaveValue('segyio_shot_gathers.sgy');
    await studio.screenshot('export-segy');
    await page.getByTestId('export-segy-start').click();
    await expect(page.getByTestId('export-segy-dialog')).toBeHidden();
  };
  await exportSegy();
  await expect.poll(() => fs.existsSync(path.join(exportFolder, 'segyio_shot_gathers.sgy')), { timeout: 60_000 }).toBe(true);
  // The same export again fails (the file exists): the notice says so here, not only in the Jobs view.
  await exportSegy();
  await expect(page.locator('[data-testid="notice"][data-level="error"]')).toContainText(/failed: .*segyio_shot_gathers\.sgy exists/, { timeout: 60_000 });
  await studio.screenshot('job-failed-notice');
  await page.getByTestId('dataset-view-seismic').click();
  await expect(page.getByTestId('view-seismic')).toBeVisible();
  await expect(page.getByTestId('seismic-canvas')).toBeVisible();
  await expect(page.getByTestId('seismic-stats')).toContainText(/\d/);
  await expect(page.getByTestId('trace-headers-row').first()).toBeVisible();
  await studio.screenshot('shot-gather');
  await page.getByTestId('seismic-mode-wiggle').click();
  await studio.screenshot('shot-gather-wiggle');

  await page.getByTestId('nav-datasets').click();
  await page.locator('[data-testid="dataset-row"][data-dataset-name="numpy pairs"]').click();
  await page.getByTestId('dataset-view-velocity').click();
  await expect(page.getByTestId('velocity-canvas')).toBeVisible();
  await expect(page.getByTestId('velocity-colorbar')).toBeVisible();
  await expect(page.getByTestId('velocity-stats')).toContainText('m/s');
  await studio.screenshot('velocity-map');

  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('view-settings')).toBeVisible();
  await studio.screenshot('settings');

  // The failed export in the Jobs view: how it stopped, and Resume offered (removing the file lets it pass).
  await page.getByTestId('nav-jobs').click();
  const failed = page.locator('[data-testid="job"][data-status="failed"][data-job-kind="export.segy"]');
  await expect(failed.getByTestId('job-times')).toContainText(/failed \S+ \d\d:\d\d · ran \d+ s|failed \S+ \d\d:\d\d$/);
  await expect(failed.getByTestId('job-resume')).toBeVisible();
  await expect(page.locator('[data-testid="job"][data-status="done"][data-job-kind="export.segy"]').getByTestId('job-times')).toContainText(/finished .* · took \d+ s/);
  await studio.screenshot('jobs-export');

  await studio.restart();
  await expect(page.getByTestId('appbar-project')).toContainText('Line 7');
  await studio.page.getByTestId('nav-datasets').click();
  await expect(studio.page.getByTestId('dataset-row')).toHaveCount(2);
  await expect(studio.page.locator('[data-testid="dataset-row"][data-dataset-name="segyio shot gathers"]')).toBeVisible();
  await studio.page.getByTestId('nav-projects').click();
  await expect(studio.page.locator(`[data-testid="recent-project"][data-folder="${projectFolder}"]`)).toBeVisible();
});

test('the views a geophysicist expects: offset axes, spectra and f–k, SEG-Y file headers and gather keys, velocity range, profile and difference', async ({ studio }) => {
  const { page } = studio;
  await waitForJobsDone(studio, 2);

  // Modelled pairs: offsets from the acquisition geometry, the amplitude spectrum and the f–k view.
  await page.getByTestId('nav-datasets').click();
  await page.locator('[data-testid="dataset-row"][data-dataset-name="Demo openfwi-style pairs"]').click();
  await page.getByTestId('dataset-view-seismic').click();
  await expect(page.getByTestId('seismic-axis-basis')).toContainText('geometry');
  await expect(page.getByTestId('seismic-axis-offset')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('seismic-colorbar')).toBeVisible();
  await page.getByTestId('seismic-source-next').click();
  await page.getByTestId('seismic-source-next').click();
  await expect(page.getByTestId('seismic-title')).toContainText('source 2');
  await page.getByTestId('seismic-canvas').hover({ position: { x: 300, y: 200 } });
  await expect(page.getByTestId('seismic-readout')).toContainText('offset');
  await studio.screenshot('shot-gather-offset');
  await page.getByTestId('seismic-show-spectra').check();
  await expect(page.getByTestId('seismic-spectrum')).toHaveAttribute('data-points', /^[1-9]\d*$/);
  await expect(page.getByTestId('seismic-fk')).toBeVisible();
  await page.getByTestId('seismic-fk').hover({ position: { x: 200, y: 150 } });
  await expect(page.getByTestId('seismic-fk-readout')).toContainText('Hz');
  await studio.screenshot('shot-gather-offset-spectra');

  // A SEG-Y import: its textual and binary headers.
  await page.getByTestId('nav-datasets').click();
  await page.locator('[data-testid="dataset-row"][data-dataset-name="Demo shot gathers (SEG-Y)"]').click();
  await page.getByTestId('dataset-view-seismic').click();
  await expect(page.getByTestId('seismic-stats')).toContainText(/\d/);
  await page.getByTestId('seismic-file-headers').click();
  await expect(page.getByTestId('segy-text-header')).toContainText('C 1');
  await studio.screenshot('segy-text-header');
  await page.getByTestId('segy-headers-tab-binary').click();
  await expect(page.getByTestId('segy-binary-row').first()).toBeVisible();
  await studio.screenshot('segy-binary-header');
  await page.getByTestId('segy-headers-close').click();

  // The import dialog offers the header fields that split the file into gathers.
  await page.getByTestId('nav-datasets').click();
  await page.getByTestId('dataset-import-segy').click();
  // Enter in the path field adds the path; it does not start the import.
  await page.getByTestId('import-segy-path-input').fill(sharedSegy);
  await page.getByTestId('import-segy-path-input').press('Enter');
  await expect(page.getByTestId('import-segy-path')).toHaveText([sharedSegy]);
  await expect(page.getByTestId('import-segy-path-input')).toHaveValue('');
  await expect(page.getByTestId('import-segy-dialog')).toBeVisible();
  await page.getByTestId('import-segy-gather-key').click();
  await expect(page.getByTestId('import-segy-gather-key-option').first()).toContainText('4 gathers');
  await studio.screenshot('import-segy-gather-keys');
  await page.keyboard.press('Escape');
  await page.getByTestId('import-segy-cancel').click();

  // Velocity: the fixed range, the profile under the cursor, and the difference of two samples.
  await page.locator('[data-testid="dataset-row"][data-dataset-name="Demo openfwi-style pairs"]').click();
  await page.getByTestId('dataset-view-velocity').click();
  await expect(page.getByTestId('velocity-range-fixed')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('velocity-stats')).toContainText('colours 1,500–4,500 m/s');
  await page.getByTestId('velocity-canvas').hover({ position: { x: 260, y: 260 } });
  await expect(page.getByTestId('velocity-readout')).toContainText('m/s');
  await expect(page.getByTestId('velocity-profile-curve')).toHaveCount(1);
  await studio.screenshot('velocity-profile');
  await page.getByTestId('velocity-compare').check();
  await expect(page.getByTestId('velocity-profile-curve')).toHaveCount(2);
  await page.getByTestId('velocity-show-difference').click();
  await expect(page.getByTestId('velocity-title')).toContainText('Sample 0 − sample 1');
  await expect(page.getByTestId('velocity-stats')).toContainText('Δv');
  await page.getByTestId('velocity-canvas').hover({ position: { x: 200, y: 300 } });
  await studio.screenshot('velocity-difference');

  // The range is the user's: set it in Settings, and every velocity map follows.
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('settings-velocity-min')).toHaveValue('1500');
  await expect(page.getByTestId('settings-velocity-max')).toHaveValue('4500');
  await page.getByTestId('settings-velocity-min').fill('1000');
  await page.getByTestId('settings-velocity-max').fill('5000');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-save')).toBeDisabled();
  await page.getByTestId('nav-velocity').click();
  await expect(page.getByTestId('velocity-stats')).toContainText('colours 1,000–5,000 m/s');
  await expect(page.getByTestId('velocity-range-fixed')).toContainText('1,000–5,000');
});
