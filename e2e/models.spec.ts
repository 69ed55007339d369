import { test, expect, chooseOption, type StudioHandle } from './fixtures.ts';

async function waitForJobsDone(studio: StudioHandle, count: number): Promise<void> {
  const { page } = studio;
  await page.getByTestId('nav-jobs').click();
  await expect(page.getByTestId('view-jobs')).toBeVisible();
  await expect(page.locator('[data-testid="job"][data-status="done"]')).toHaveCount(count, { timeout: 120_000 });
}

test('models: Python status, the model list, and a tiny InversionNet training with its curve and preview', async ({ studio }) => {
  test.setTimeout(240_000);
  const { page } = studio;
  await expect(page.getByTestId('appbar-project')).toContainText('Demo project');
  await waitForJobsDone(studio, 2);

  // Four synthesised pairs to train on.
  await page.getByTestId('nav-datasets').click();
  await page.getByTestId('dataset-synthesize').click();
  await page.getByTestId('synthesize-count').fill('4');
  await page.getByTestId('synthesize-seed').fill('11');
  await page.getByTestId('synthesize-name').fill('Four to train on');
  await page.getByTestId('synthesize-start').click();
  await waitForJobsDone(studio, 3);

  // The Models view: which Python trains, and the models (shipped defaults may or may not be installed).
  await page.getByTestId('nav-models').click();
  await expect(page.getByTestId('view-models')).toBeVisible();
  const python = page.getByTestId('python-status');
  await expect(python).toBeVisible({ timeout: 60_000 });
  const found = (await python.getAttribute('data-found')) === 'true';
  if (found) await expect(python).toContainText('torch');
  else await expect(page.getByTestId('python-status-settings')).toBeVisible();
  await expect(page.getByTestId('model-table').or(page.getByTestId('models-empty'))).toBeVisible();
  const shipped = await page.locator('[data-testid="model-row"][data-source="shipped"]').count();
  await expect(page.getByTestId('training-runs-empty')).toBeVisible();
  await studio.screenshot('models');
  // CI installs Python with torch (scripts/setup.sh): there a missing one is a failure, not a skip.
  expect(found || !process.env.CI, 'No Python with torch under CI=true: scripts/setup.sh installs python3-torch.').toBe(true);
  test.skip(!found, 'No Python with torch on this machine: training is not possible here.');

  // Train InversionNet for 2 steps, reporting every step.
  await page.getByTestId('models-train').click();
  await expect(page.getByTestId('train-dialog')).toBeVisible();
  await page.getByTestId('train-network').click();
  await chooseOption(page, page.locator('[data-testid="train-network-option"][data-network="inversionnet"]'));
  await page.getByTestId('train-dataset').click();
  await chooseOption(page, page.getByTestId('train-dataset-option').filter({ hasText: 'Four to train on' }));
  await page.getByTestId('train-steps').fill('0');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-dialog')).toContainText('Steps must be between 1 and');
  await page.getByTestId('train-steps').fill('2');
  await page.getByTestId('train-batch-size').fill('2');
  await page.getByTestId('train-log-every').fill('1');
  await page.getByTestId('train-name').fill('Tiny InversionNet');
  await studio.screenshot('train-dialog');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-dialog')).toBeHidden();

  const run = page.getByTestId('training-run');
  await expect(run).toBeVisible();
  await expect(run).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
  // Curves came from the trainer's progress messages: total loss and velocity L1 at steps 1 and 2.
  const loss = page.getByTestId('training-loss-chart');
  await expect(loss.locator('[data-testid="training-loss-chart-legend"][data-key="loss"]')).toBeVisible();
  await expect(loss.locator('[data-testid="training-loss-chart-legend"][data-key="loss_velocity_l1"]')).toBeVisible();
  await expect(loss).toHaveAttribute('data-points', '4');
  await expect(page.getByTestId('training-throughput-chart')).toHaveAttribute('data-series', '1');
  await expect(page.getByTestId('training-metrics-chart')).not.toHaveAttribute('data-points', '0');
  // Hover shows the values at a step.
  const box = (await loss.locator('svg').boundingBox())!;
  await page.mouse.move(box.x + box.width - 20, box.y + box.height / 2);
  await expect(page.getByTestId('training-loss-chart-readout')).toContainText('step 2');
  await page.getByTestId('training-loss-log').uncheck();
  await expect(loss).toHaveAttribute('data-scale', 'linear');
  // The final preview: target, prediction and difference of a held-out velocity.
  await expect(page.getByTestId('training-preview-image')).toHaveCount(3);
  await expect(page.locator('[data-testid="training-preview-image"][data-name="velocity_prediction"]')).toBeVisible();
  await expect(page.getByTestId('training-run-summary')).toContainText('step 2 of 2');

  // The trained model is registered and listed with its held-out metrics.
  const model = page.locator('[data-testid="model-row"][data-source="project"][data-kind="inversionnet"]');
  await expect(model).toHaveCount(1);
  await expect(model).toContainText('Tiny InversionNet');
  await expect(model.locator('[data-metric="velocity_mae"]')).toHaveText(/\d/);
  await expect(page.locator('[data-testid="model-row"][data-source="shipped"]')).toHaveCount(shipped);
  await page.getByTestId('training-run').scrollIntoViewIfNeeded();
  await studio.screenshot('training-run');
});
