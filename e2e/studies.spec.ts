import { test, expect, type StudioHandle } from './fixtures.ts';

async function waitForJobsDone(studio: StudioHandle, count: number): Promise<void> {
  const { page } = studio;
  await page.getByTestId('nav-jobs').click();
  await expect(page.locator('[data-testid="job"][data-status="done"]')).toHaveCount(count, { timeout: 120_000 });
}

/** Starts a latent-sampling study at a tiny size from the New study dialog. */
async function startTinyStudy(studio: StudioHandle, seed: number): Promise<void> {
  const { page } = studio;
  await page.getByTestId('studies-new').click();
  await expect(page.getByTestId('study-dialog')).toBeVisible();
  await page.getByTestId('study-field-count').fill('1');
  await page.getByTestId('study-field-seed').fill(String(seed));
  await page.getByTestId('study-field-samplerSteps').fill('2');
  await page.getByTestId('study-field-curvePoints').fill('2');
  await page.getByTestId('study-field-statsCount').fill('2');
  await page.getByTestId('study-start').click();
  await expect(page.getByTestId('study-dialog')).toBeHidden();
}

test('studies: a latent-sampling study from the dialog, its report, and two side by side', async ({ studio }) => {
  test.setTimeout(300_000);
  const { page } = studio;
  await expect(page.getByTestId('appbar-project')).toContainText('Demo project');
  await waitForJobsDone(studio, 2);

  await page.getByTestId('nav-studies').click();
  await expect(page.getByTestId('studies-empty')).toBeVisible();
  // A parameter outside its declared range is refused in the dialog, with the range.
  await page.getByTestId('studies-new').click();
  await page.getByTestId('study-field-count').fill('0');
  await page.getByTestId('study-start').click();
  await expect(page.getByTestId('study-dialog')).toContainText('Count must be between 1 and 10000');
  await page.getByTestId('study-cancel').click();

  await startTinyStudy(studio, 5);
  await expect(page.getByTestId('study-status-1')).toHaveText('done', { timeout: 150_000 });
  await page.getByTestId('study-open-1').click();
  const report = page.getByTestId('study-report-0');
  await expect(report).toContainText('Latent sampling: 1 pair per set, AB3 2, seed 5');
  await expect(report).toContainText(/expected ordering (holds|does not hold)/);
  await expect(page.getByTestId('study-report-0-table').first()).toContainText('random latents');
  await expect(page.getByTestId('study-report-0-plot')).toHaveCount(3);
  // Every plot decoded as an image.
  await expect.poll(async () => page.getByTestId('study-report-0-plot').evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth === 900))).toBe(true);
  await studio.screenshot('study-latent-sampling-report');
  await page.getByTestId('study-report-0-plot').last().scrollIntoViewIfNeeded();
  await studio.screenshot('study-latent-sampling-plots');

  await startTinyStudy(studio, 6);
  await expect(page.getByTestId('study-status-2')).toHaveText('done', { timeout: 150_000 });
  await page.getByTestId('study-show-2').click();
  await expect(page.getByTestId('studies-compare')).toBeVisible();
  await expect(page.getByTestId('study-report-1')).toContainText('seed 6');
  await expect(page.getByTestId('study-report-0')).toContainText('seed 5');
  await studio.screenshot('study-latent-sampling-compare');
});

test('studies: a compression lab at a tiny size from the dialog, and its report', async ({ studio }) => {
  test.setTimeout(300_000);
  const { page } = studio;
  await expect(page.getByTestId('appbar-project')).toContainText('Demo project');
  await waitForJobsDone(studio, 2);

  await page.getByTestId('nav-studies').click();
  await page.getByTestId('studies-new').click();
  await expect(page.getByTestId('study-dialog')).toBeVisible();
  await page.getByTestId('study-kind').click();
  await page.getByRole('option', { name: 'Compression lab' }).click();
  // The file parameter is for the command line; the dialog offers a dataset or held-out pairs.
  await expect(page.getByTestId('study-field-seismicFile')).toHaveCount(0);
  await page.getByTestId('study-field-count').fill('1');
  await page.getByTestId('study-start').click();
  await expect(page.getByTestId('study-dialog')).toBeHidden();

  await expect(page.getByTestId('study-status-1')).toHaveText('done', { timeout: 240_000 });
  await page.getByTestId('study-open-1').click();
  const report = page.getByTestId('study-report-0');
  await expect(report).toContainText('Compression lab: 1 held-out pair, default');
  await expect(page.getByTestId('study-report-0-table').first()).toContainText('stage-1 codes (discrete)');
  await expect(page.getByTestId('study-report-0-table').first()).toContainText('uniform 16 bit');
  await expect(page.getByTestId('study-report-0-plot')).toHaveCount(6);
  await expect.poll(async () => page.getByTestId('study-report-0-plot').evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth === 900))).toBe(true);
  await studio.screenshot('study-compression-report');
  await page.getByTestId('study-report-0-plot').last().scrollIntoViewIfNeeded();
  await studio.screenshot('study-compression-spectra');
});
