import { test, expect } from './fixtures.ts';

test('cluster settings are kept; Generate and Synthesise offer the Slurm cluster with its shards and folder, Train with its folder', async ({ studio }) => {
  const { page } = studio;
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('cluster-section')).toBeVisible();
  await expect(page.getByTestId('cluster-timeLimit')).toHaveValue('04:00:00');
  await page.getByTestId('cluster-partition').fill('gpu a100');
  await expect(page.getByTestId('cluster-section')).toContainText('a partition name');
  await expect(page.getByTestId('cluster-save')).toBeDisabled();
  await page.getByTestId('cluster-partition').fill('gpu');
  await page.getByTestId('cluster-commandPrefix').fill('ssh me@login');
  await page.getByTestId('cluster-save').click();
  await expect(page.getByTestId('cluster-save')).toBeDisabled();
  await studio.screenshot('settings-cluster');

  await page.getByTestId('nav-generate').click();
  await page.getByTestId('generate-run-cluster').click();
  await expect(page.getByTestId('generate-shards')).toHaveValue('4');
  await page.getByTestId('generate-cluster-out').fill('scratch/my aug');
  await page.getByTestId('generate-start').click();
  await expect(page.getByTestId('generate-form')).toContainText('without spaces or quotes');
  await expect(page.getByTestId('generate-start')).toContainText('Submit to Slurm');
  await studio.screenshot('generate-cluster');

  // Train… offers the same choice: one Slurm job, so a result folder and no shards.
  await page.getByTestId('nav-models').click();
  await page.getByTestId('models-train').click();
  await expect(page.getByTestId('train-start')).toContainText('Start training');
  await expect(page.getByTestId('train-cluster-out')).toHaveCount(0);
  await page.getByTestId('train-run-cluster').click();
  await expect(page.getByTestId('train-shards')).toHaveCount(0);
  await expect(page.getByTestId('train-cluster-note')).toContainText('file system the cluster shares');
  await expect(page.getByTestId('train-start')).toContainText('Submit to Slurm');
  await page.getByTestId('train-cluster-out').fill('runs/inversion 1');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-dialog')).toContainText('without spaces or quotes');
  await page.getByTestId('train-cluster-out').fill('runs/inversion-1');
  await expect(page.getByTestId('train-dialog')).not.toContainText('without spaces or quotes');
  await page.getByTestId('train-cluster-out').scrollIntoViewIfNeeded();
  await studio.screenshot('train-cluster');
  await page.getByTestId('train-run-local').click();
  await expect(page.getByTestId('train-start')).toContainText('Start training');
  await page.getByTestId('train-cancel').click();

  // Settings survive a restart.
  await studio.restart();
  await studio.page.getByTestId('nav-settings').click();
  await expect(studio.page.getByTestId('cluster-partition')).toHaveValue('gpu');
  await expect(studio.page.getByTestId('cluster-commandPrefix')).toHaveValue('ssh me@login');
});
