import { test, expect, chooseOption, type StudioHandle } from './fixtures.ts';

async function waitForJobsDone(studio: StudioHandle, count: number): Promise<void> {
  const { page } = studio;
  await page.getByTestId('nav-jobs').click();
  await expect(page.getByTestId('view-jobs')).toBeVisible();
  await expect(page.locator('[data-testid="job"][data-status="done"]')).toHaveCount(count, { timeout: 120_000 });
}

test('models: Python status, the model list, and a tiny InversionNet training with its curve and preview', async ({ studio }) => {
  test.setTimeout(900_000);
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
  // The shipped stage 2 is judged by the PDE deviation of its generated pairs (the model card's measurement).
  if (shipped > 0) {
    await expect(page.locator('[data-testid="model-row"][data-model-ref="default:stage2"] [data-testid="model-quality-chip"][data-check="generatedPdeRelL2"]')).toBeVisible();
  }
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
  // Curves as small multiples, one axis per quantity: the total loss and velocity L1 at steps 1 and
  // 2, each smoothed (TensorBoard's EMA) with its raw curve faded behind.
  const lossPanel = page.locator('[data-testid="training-panel"][data-key="loss"]');
  await expect(lossPanel).toBeVisible();
  await expect(page.locator('[data-testid="training-panel"][data-key="loss_velocity_l1"]')).toBeVisible();
  const loss = page.getByTestId('training-chart-loss');
  await expect(loss).toHaveAttribute('data-series', '2');
  await expect(loss).toHaveAttribute('data-points', '4');
  await expect(loss.locator('[data-faded="true"]')).toHaveCount(1);
  await expect(page.getByTestId('training-chart-samples_per_s')).toHaveAttribute('data-series', '1');
  // Held-out velocity errors are charted in m/s.
  const mae = page.locator('[data-testid="training-panel"][data-key="velocity_mae"]');
  await expect(mae).toContainText('(m/s)');
  await expect(page.getByTestId('training-chart-velocity_mae')).not.toHaveAttribute('data-points', '0');
  // Hover shows the values at a step.
  await loss.scrollIntoViewIfNeeded();
  const box = (await loss.locator('svg').boundingBox())!;
  await page.mouse.move(box.x + box.width - 20, box.y + box.height / 2);
  await expect(page.getByTestId('training-chart-loss-readout')).toContainText('step 2');
  await page.getByTestId('training-scale-log').click();
  await expect(lossPanel).toHaveAttribute('data-scale', 'log');
  await page.getByTestId('training-scale-linear').click();
  await expect(lossPanel).toHaveAttribute('data-scale', 'linear');
  await page.getByTestId('training-scale-auto').click();
  // Smoothing off: one line per run, no faded twin.
  await page.getByTestId('training-smoothing').focus();
  await page.keyboard.press('Home');
  await expect(loss).toHaveAttribute('data-series', '1');
  // The final preview: target, prediction and difference of a held-out velocity, in m/s with colour bars.
  await expect(page.getByTestId('training-preview-image')).toHaveCount(3);
  await expect(page.locator('[data-testid="training-preview-image"][data-name="velocity_prediction"]')).toHaveAttribute('data-unit', 'm/s');
  await expect(page.getByTestId('training-preview-velocity_prediction-colorbar')).toBeVisible();
  // Axes in metres from the dataset's grid spacing (OpenFWI's 10 m), which the section names.
  await expect(page.locator('[data-testid="training-preview-image"][data-name="velocity_prediction"]')).toHaveAttribute('data-axes', 'physical');
  await expect(page.getByTestId('training-previews-sampling')).toContainText('Four to train on, Δt 1 ms, Δx 10 m');
  await expect(page.getByTestId('training-run-summary')).toContainText('step 2 of 2');

  // The trained model is registered and listed with its held-out metrics.
  const model = page.locator('[data-testid="model-row"][data-source="project"][data-kind="inversionnet"]');
  await expect(model).toHaveCount(1);
  await expect(model).toContainText('Tiny InversionNet');
  await expect(model.locator('[data-metric="velocity_mae"]')).toHaveText(/\d/);
  await expect(page.locator('[data-testid="model-row"][data-source="shipped"]')).toHaveCount(shipped);
  // Every model has its quality column; the table fits 1440 px without scrolling sideways.
  await expect(page.getByTestId('model-quality')).toHaveCount(shipped + 1);
  await expect(model.getByTestId('model-metric-mps').first()).toContainText('m/s');
  expect(await page.getByTestId('model-table').evaluate((table) => table.parentElement!.scrollWidth <= table.parentElement!.clientWidth)).toBe(true);
  await page.getByTestId('model-table').scrollIntoViewIfNeeded();
  await studio.screenshot('models-trained');
  await page.getByTestId('training-run').scrollIntoViewIfNeeded();
  await studio.screenshot('training-run');
  await page.getByTestId('training-previews').scrollIntoViewIfNeeded();
  await studio.screenshot('training-previews');

  // A long run, cancelled from the Jobs view: cancelling a running job asks first ("Keep running"
  // leaves it running), then it stops at a checkpoint.
  await page.getByTestId('models-train').click();
  await page.getByTestId('train-network').click();
  await chooseOption(page, page.locator('[data-testid="train-network-option"][data-network="inversionnet"]'));
  await page.getByTestId('train-dataset').click();
  await chooseOption(page, page.getByTestId('train-dataset-option').filter({ hasText: 'Four to train on' }));
  await page.getByTestId('train-steps').fill('5000');
  await page.getByTestId('train-batch-size').fill('2');
  await page.getByTestId('train-log-every').fill('1');
  await page.getByTestId('train-name').fill('Long InversionNet');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-dialog')).toBeHidden();
  const longRun = page.getByTestId('training-run');
  await expect(longRun).toContainText('Long InversionNet');
  await expect(longRun).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  // A trainer's start (importing torch, reading the data) can take minutes on a loaded machine.
  await expect.poll(async () => Number(await longRun.getAttribute('data-step')), { timeout: 300_000 }).toBeGreaterThanOrEqual(2);

  await page.getByTestId('nav-jobs').click();
  const longJob = page.locator('[data-testid="job"][data-job-kind="train"][data-status="running"]');
  await expect(longJob).toHaveCount(1);
  await longJob.getByTestId('job-cancel').click();
  const cancelDialog = page.getByTestId('job-cancel-dialog');
  await expect(cancelDialog).toBeVisible();
  await expect(cancelDialog).toContainText('Cancel “Train “Long InversionNet”');
  await expect(cancelDialog).toContainText('resume it later');
  await studio.screenshot('job-cancel-dialog');
  await page.getByTestId('job-cancel-dialog-cancel').click();
  await expect(cancelDialog).toBeHidden();
  await expect(longJob).toHaveCount(1);
  await longJob.getByTestId('job-cancel').click();
  await page.getByTestId('job-cancel-dialog-confirm').click();
  await expect(cancelDialog).toBeHidden();
  await expect(page.locator('[data-testid="job"][data-job-kind="train"][data-status="cancelled"]')).toHaveCount(1, { timeout: 120_000 });

  // Runs overlaid for comparison: the cancelled run's curves with the finished one's, one colour each.
  await page.getByTestId('nav-models').click();
  await page.getByTestId('training-run-item').filter({ hasText: 'Long InversionNet' }).click();
  await expect(longRun).toHaveAttribute('data-status', 'cancelled');
  const curves = page.getByTestId('training-curves');
  await expect(curves).toHaveAttribute('data-runs', '1');
  const lossChart = page.getByTestId('training-chart-loss');
  await expect(lossChart).toHaveAttribute('data-series', '2');
  await page.getByTestId('training-compare').click();
  await chooseOption(page, page.getByTestId('training-compare-option').filter({ hasText: 'Tiny InversionNet' }));
  await expect(curves).toHaveAttribute('data-runs', '2');
  const legend = page.getByTestId('training-compare-legend');
  await expect(legend).toContainText('Long InversionNet');
  await expect(legend).toContainText('Tiny InversionNet');
  // Smoothed and raw curve of each run.
  await expect(lossChart).toHaveAttribute('data-series', '4');
  await curves.scrollIntoViewIfNeeded();
  await studio.screenshot('training-overlay');
});
