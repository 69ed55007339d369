import fs from 'node:fs';
import path from 'node:path';
import { test, expect, chooseOption, type StudioHandle } from './fixtures.ts';

async function waitForJobsDone(studio: StudioHandle, count: number): Promise<void> {
  const { page } = studio;
  await page.getByTestId('nav-jobs').click();
  await expect(page.getByTestId('view-jobs')).toBeVisible();
  await expect(page.locator('[data-testid="job"][data-status="done"]')).toHaveCount(count, { timeout: 120_000 });
}

/** Trains a network for 2 steps from the Models view and waits for its model to be registered. */
async function trainTiny(studio: StudioHandle, network: 'stage1' | 'stage2' | 'inversionnet', name: string, stage1Name?: string): Promise<void> {
  const { page } = studio;
  await page.getByTestId('nav-models').click();
  await page.getByTestId('models-train').click();
  await page.getByTestId('train-network').click();
  await chooseOption(page, page.locator(`[data-testid="train-network-option"][data-network="${network}"]`));
  await page.getByTestId('train-dataset').click();
  await chooseOption(page, page.getByTestId('train-dataset-option').filter({ hasText: 'Pairs to train on' }));
  if (stage1Name) {
    await page.getByTestId('train-stage1').click();
    await chooseOption(page, page.getByTestId('train-stage1-option').filter({ hasText: stage1Name }));
  }
  await page.getByTestId('train-steps').fill('2');
  await page.getByTestId('train-batch-size').fill('2');
  await page.getByTestId('train-name').fill(name);
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-dialog')).toBeHidden();
  await expect(page.getByTestId('training-run')).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
  await expect(page.locator(`[data-testid="model-row"][data-source="project"][data-kind="${network}"]`).filter({ hasText: name })).toHaveCount(1);
}

test('gallery: generate with project models, sort by PDE deviation, a sample in detail, challenging samples', async ({ studio }) => {
  test.setTimeout(300_000);
  const { page } = studio;
  await expect(page.getByTestId('appbar-project')).toContainText('Demo project');
  await waitForJobsDone(studio, 2);

  await page.getByTestId('nav-models').click();
  await expect(page.getByTestId('python-status')).toBeVisible({ timeout: 60_000 });
  const pythonFound = (await page.getByTestId('python-status').getAttribute('data-found')) === 'true';
  // CI installs Python with torch (scripts/setup.sh): there a missing one is a failure, not a skip.
  expect(pythonFound || !process.env.CI, 'No Python with torch under CI=true: scripts/setup.sh installs python3-torch.').toBe(true);
  test.skip(!pythonFound, 'No Python with torch here: the models this spec generates with cannot be trained.');

  await page.getByTestId('nav-datasets').click();
  await page.getByTestId('dataset-synthesize').click();
  await page.getByTestId('synthesize-count').fill('4');
  await page.getByTestId('synthesize-seed').fill('5');
  await page.getByTestId('synthesize-name').fill('Pairs to train on');
  await page.getByTestId('synthesize-start').click();
  await waitForJobsDone(studio, 3);

  await trainTiny(studio, 'stage1', 'Tiny stage 1');
  await trainTiny(studio, 'stage2', 'Tiny stage 2', 'Tiny stage 1');
  await trainTiny(studio, 'inversionnet', 'Tiny InversionNet');

  // Generate: parameters are checked before the job starts.
  await page.getByTestId('nav-generate').click();
  await expect(page.getByTestId('view-generate')).toBeVisible();
  for (const [kind, name] of [['stage1', 'Tiny stage 1'], ['stage2', 'Tiny stage 2'], ['inversionnet', 'Tiny InversionNet']] as const) {
    await page.getByTestId(`generate-${kind}`).click();
    await chooseOption(page, page.getByTestId(`generate-${kind}-option`).filter({ hasText: name }));
  }
  await expect(page.getByTestId('generate-physics-check')).toBeChecked();
  await page.getByTestId('generate-sampler-ddim').click();
  await page.getByTestId('generate-eta').fill('2');
  await page.getByTestId('generate-count').fill('6');
  await page.getByTestId('generate-start').click();
  await expect(page.getByTestId('generate-form')).toContainText('η must be between 0 and 1.');
  await page.getByTestId('generate-sampler-ab3').click();
  await page.getByTestId('generate-steps').fill('10');
  await page.getByTestId('generate-batch-size').fill('3');
  await page.getByTestId('generate-seed').fill('42');
  await page.getByTestId('generate-start').click();
  const run = page.getByTestId('generate-run').first();
  await expect(run).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
  await expect(run).toHaveAttribute('data-samples', '6');
  await expect(run.getByTestId('generate-run-provider')).not.toHaveAttribute('data-provider', '');
  // Now that the tiny stage 2 has generated physics-checked pairs, the form says what they are worth.
  await expect(page.getByTestId('generate-quality-warning')).toContainText('PDE deviation of generated pairs');
  await studio.screenshot('generate');

  // The gallery: the run's six samples in the grid with thumbnails and metrics.
  await run.getByTestId('generate-run-gallery').click();
  await expect(page.getByTestId('view-gallery')).toBeVisible();
  await expect(page.getByTestId('gallery-total')).toHaveAttribute('data-total', '6');
  await expect(page.getByTestId('gallery-cell')).toHaveCount(6);
  await expect(page.getByTestId('gallery-thumb')).toHaveCount(6);
  await expect(page.getByTestId('gallery-thumb-colorbar')).toHaveCount(6);
  await expect(page.getByTestId('gallery-thumb-colorbar').first()).toContainText('4500 m/s');

  // Sort by PDE deviation, largest first: the cells come in that order.
  await page.getByTestId('gallery-sort').click();
  await chooseOption(page, page.locator('[data-testid="gallery-sort-option"][data-sort="pde_rel_l2"]'));
  await page.getByTestId('gallery-sort-direction').click();
  await expect(page.getByTestId('gallery-sort-direction')).toHaveAttribute('data-descending', 'true');
  await expect.poll(async () => {
    const values = await page.getByTestId('gallery-cell').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-pde'))));
    return values.length === 6 && values.every((v, i) => i === 0 || v <= values[i - 1]);
  }).toBe(true);
  await studio.screenshot('gallery');

  // A sample in detail: ŝ, f(v̂), their difference, v̂, InversionNet(ŝ), its error, the metrics.
  await page.getByTestId('gallery-cell').first().click();
  const detail = page.getByTestId('gallery-detail');
  await expect(detail).toBeVisible();
  await expect(page.getByTestId('gallery-detail-modelled')).toBeVisible({ timeout: 60_000 });
  for (const id of ['gallery-detail-seismic', 'gallery-detail-difference', 'gallery-detail-velocity', 'gallery-detail-inverted', 'gallery-detail-error-map']) {
    await expect(page.getByTestId(id)).toBeVisible();
  }
  await expect(page.locator('[data-testid="gallery-detail-metric"][data-key="pde_rel_l2"]')).toContainText(/\d/);
  await chooseOption(page, page.locator('[data-testid="gallery-detail-source-option"][data-source="2"]'));
  // The detail fits the 900 px window: its dialog does not scroll.
  const content = detail.locator('.MuiDialogContent-root');
  expect(await content.evaluate((el) => el.scrollHeight <= el.clientHeight + 1)).toBe(true);
  await expect(page.getByTestId('gallery-detail-seismic-colorbar')).toBeVisible();
  await expect(page.getByTestId('gallery-detail-velocity-colorbar')).toBeVisible();
  await studio.screenshot('gallery-detail');
  await page.getByTestId('gallery-detail-close').click();
  await expect(detail).toBeHidden();

  // Challenging samples: the top 2 by inversion error among those under a generous PDE threshold, tagged.
  await page.getByTestId('gallery-challenging').click();
  await page.getByTestId('challenging-pde-max').fill('1000');
  await page.getByTestId('challenging-k').fill('2');
  await page.getByTestId('challenging-start').click();
  await expect(page.getByTestId('challenging-dialog')).toBeHidden();
  await expect(page.getByTestId('gallery-total')).toHaveAttribute('data-total', '2');
  await expect(page.getByTestId('gallery-cell-tags')).toHaveCount(2);
  await expect(page.getByTestId('gallery-cell-tags').first()).toContainText('challenging');
  await studio.screenshot('gallery-challenging');

  // Export the selection of one challenging sample: OpenFWI pairs, metrics and SEG-Y, as a job.
  await page.getByTestId('gallery-cell-select').first().check();
  await expect(page.getByTestId('gallery-selection')).toHaveAttribute('data-count', '1');
  await page.getByTestId('gallery-export').click();
  await expect(page.getByTestId('gallery-export-scope-selection')).toBeChecked();
  const exportFolder = path.join(studio.dataDir, 'exported');
  // The tiny project models make physically inconsistent pairs: the export says so before it starts.
  await expect(page.getByTestId('gallery-export-quality-warning').first()).toContainText('physically inconsistent');
  await studio.screenshot('gallery-export-warning');
  await page.getByTestId('gallery-export-folder').fill(exportFolder);
  // Enter in the folder picker opened from the dialog moves the picker; it does not start the export.
  await page.getByTestId('gallery-export-browse').click();
  await page.getByTestId('path-picker-input').fill(studio.dataDir);
  await page.getByTestId('path-picker-input').press('Enter');
  await expect(page.getByTestId('path-picker-input')).toHaveValue(studio.dataDir);
  await expect(page.getByTestId('gallery-export-dialog')).toBeVisible();
  await page.getByTestId('path-picker-cancel').click({ timeout: 10_000 });
  await expect(page.getByTestId('gallery-export-dialog')).toBeVisible();
  await page.getByTestId('gallery-export-start').click();
  await expect(page.getByTestId('gallery-export-dialog')).toBeHidden();
  await page.getByTestId('nav-jobs').click();
  const exportJobs = page.locator('[data-testid="job"][data-job-kind="export.generated"]');
  await expect(exportJobs).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(exportJobs).toHaveCount(1);
  expect(fs.readdirSync(exportFolder)).toEqual(expect.arrayContaining(['metrics.csv', 'metrics.json']));
  // Back to the gallery as it was left: the URL keeps its run, tag and sort.
  await page.goBack();
  await expect(page.getByTestId('view-gallery')).toBeVisible();
  await expect(page.getByTestId('gallery-total')).toHaveAttribute('data-total', '2');

  // The wavefield of a generated sample opens in the Wavefield view.
  await page.getByTestId('gallery-cell').first().click();
  await page.getByTestId('gallery-detail-wavefield').click();
  await expect(page.getByTestId('view-wavefield')).toBeVisible();
  await expect(page.getByTestId('wavefield-velocity-title')).toContainText('m/s');
});
