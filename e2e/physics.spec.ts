import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test, expect, chooseOption, repoRoot, type StudioHandle } from './fixtures.ts';

async function waitForJobsDone(studio: StudioHandle, count: number): Promise<void> {
  const { page } = studio;
  await page.getByTestId('nav-jobs').click();
  await expect(page.getByTestId('view-jobs')).toBeVisible();
  await expect(page.locator('[data-testid="job"][data-status="done"]')).toHaveCount(count, { timeout: 120_000 });
}

/** The 3D view rendered, or said clearly that this display has no WebGL. */
async function expectScene(studio: StudioHandle, display: 'surface' | 'slices', frame?: number): Promise<void> {
  const scene = studio.page.getByTestId('wavefield-3d');
  await expect(scene).toHaveAttribute('data-display', display);
  if ((await scene.getAttribute('data-webgl')) === 'unavailable') {
    await expect(studio.page.getByTestId('wavefield-3d-webgl-unavailable')).toBeVisible();
    return;
  }
  await expect(studio.page.getByTestId('wavefield-3d-canvas')).toBeVisible();
  if (frame !== undefined) await expect(scene).toHaveAttribute('data-rendered-frame', String(frame));
}

test('wavefield of a demo sample, a hand-edited model, a synthesis and its PDE deviation', async ({ studio }) => {
  const { page } = studio;
  await expect(page.getByTestId('appbar-project')).toContainText('Demo project');
  await waitForJobsDone(studio, 2);

  // Wavefield of the demo OpenFWI-style sample, opened from its dataset.
  await page.getByTestId('nav-datasets').click();
  await page.locator('[data-testid="dataset-row"][data-dataset-name="Demo openfwi-style pairs"]').click();
  await page.getByTestId('dataset-view-wavefield').click();
  await expect(page.getByTestId('view-wavefield')).toBeVisible();
  await expect(page.getByTestId('wavefield-velocity-title')).toContainText('m/s');
  await expect(page.getByTestId('wavefield-velocity-colorbar')).toBeVisible();
  await page.getByTestId('wavefield-run').click();
  await expect(page.getByTestId('wavefield-result')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('wavefield-stats')).toContainText('100 frames × 70 × 70');
  await expect(page.getByTestId('wavefield-gather-canvas')).toBeVisible();
  await expect(page.getByTestId('wavefield-colorbar')).toBeVisible();
  await expectScene(studio, 'surface');

  // Scrub time: the slider, the label in ms, the 3D frame and the gather's cursor follow.
  const frameSlider = page.getByTestId('wavefield-frame');
  await frameSlider.focus();
  await page.keyboard.press('Home');
  await expect(page.getByTestId('wavefield-time')).toContainText('t = 0 ms');
  for (let i = 0; i < 25; i++) await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('wavefield-time')).toContainText('t = 250 ms');
  await expect(page.getByTestId('wavefield-gather')).toHaveAttribute('data-cursor-ms', '250');
  await expectScene(studio, 'surface', 25);
  // The plain 2-D movie follows the same playhead.
  await expect(page.getByTestId('wavefield-movie')).toHaveAttribute('data-frame', '25');
  await expect(page.getByTestId('wavefield-movie-canvas')).toBeVisible();
  await page.getByTestId('wavefield-movie').scrollIntoViewIfNeeded();
  await studio.screenshot('wavefield-movie');
  await page.getByTestId('wavefield-3d').scrollIntoViewIfNeeded();
  await studio.screenshot('wavefield-surface');
  // Every frame saved as a numbered PNG (for an MP4 through ffmpeg).
  await page.getByTestId('wavefield-export-png').click();
  const framesFolder = path.join(studio.dataDir, 'frames');
  await page.getByTestId('wavefield-frames-folder').fill(framesFolder);
  await page.getByTestId('wavefield-frames-save').click();
  await expect(page.getByTestId('wavefield-frames-saved')).toHaveAttribute('data-count', '100', { timeout: 60_000 });
  const frameFiles = fs.readdirSync(framesFolder).sort();
  expect(frameFiles).toHaveLength(100);
  expect(frameFiles[0]).toBe('frame_0000.png');
  expect(fs.readFileSync(path.join(framesFolder, frameFiles[25])).subarray(1, 4).toString('ascii')).toBe('PNG');
  // The same movie as one looping GIF at 20 frames/s, read back by Pillow against the PNG frames.
  await page.getByTestId('wavefield-export-gif').click();
  const gifFile = path.join(studio.dataDir, 'movie', 'wavefield.gif');
  await page.getByTestId('wavefield-gif-file').fill(gifFile);
  await page.getByTestId('wavefield-gif-fps').fill('0');
  await expect(page.getByTestId('wavefield-frames-save')).toBeDisabled();
  await page.getByTestId('wavefield-gif-fps').fill('20');
  await page.getByTestId('wavefield-frames-save').click();
  await expect(page.getByTestId('wavefield-frames-saved')).toHaveAttribute('data-format', 'gif', { timeout: 120_000 });
  await expect(page.getByTestId('wavefield-frames-saved')).toHaveAttribute('data-count', '100');
  await page.getByTestId('wavefield-frames-export').scrollIntoViewIfNeeded();
  await studio.screenshot('wavefield-gif-export');
  const decoded = JSON.parse(execFileSync('/usr/bin/python3', [path.join(repoRoot, 'main/core/io/testdata/decode_gif.py'), gifFile, framesFolder], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }));
  expect(decoded).toMatchObject({ format: 'GIF', frames: 100, pngFrames: 100, loop: 0 });
  expect(decoded.durations.every((ms: number) => ms === 50)).toBe(true);
  const gifRgb = Buffer.from(decoded.rgb, 'base64');
  const pngRgb = Buffer.from(decoded.pngRgb, 'base64');
  expect(gifRgb.length).toBe(pngRgb.length);
  expect(gifRgb.length).toBe(100 * decoded.width * decoded.height * 3);
  // 256 colours per frame: close to the PNG frames' pixels, not equal to them.
  let sum = 0;
  for (let i = 0; i < pngRgb.length; i++) sum += Math.abs(gifRgb[i] - pngRgb[i]);
  expect(sum / pngRgb.length).toBeLessThan(3);

  await page.getByTestId('wavefield-display-slices').click();
  await expectScene(studio, 'slices', 25);
  await page.getByTestId('wavefield-slice-depth').focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  await page.getByTestId('wavefield-3d').scrollIntoViewIfNeeded();
  await studio.screenshot('wavefield-slices');

  // Play for a moment, then pause: the frame has moved on.
  await page.getByTestId('wavefield-play').click();
  await expect(page.getByTestId('wavefield-play')).toHaveAttribute('data-playing', 'true');
  await expect(page.getByTestId('wavefield-time')).not.toContainText('t = 250 ms');
  await page.getByTestId('wavefield-play').click();
  await expect(page.getByTestId('wavefield-play')).toHaveAttribute('data-playing', 'false');

  // Velocity editor: a layer and an anomaly on a constant model, then run it.
  await page.getByTestId('wavefield-tab-editor').click();
  await expect(page.getByTestId('velocity-editor')).toBeVisible();
  await page.getByTestId('editor-layer-depth').fill('350');
  await page.getByTestId('editor-layer-velocity').fill('2500');
  await page.getByTestId('editor-add-layer').click();
  await page.getByTestId('editor-tool-anomaly').click();
  await page.getByTestId('editor-anomaly-velocity').fill('100');
  await expect(page.getByTestId('editor-anomaly-problem')).toContainText('300–10000 m/s');
  await expect(page.getByTestId('editor-add-anomaly')).toBeDisabled();
  // Slow enough to pass the editor's range but too slow for the grid: the studio names the limit.
  await page.getByTestId('editor-anomaly-velocity').fill('1000');
  await page.getByTestId('editor-add-anomaly').click();
  await page.getByTestId('wavefield-run').click();
  await expect(page.getByTestId('wavefield-error')).toContainText('points per shortest wavelength');
  await page.getByTestId('editor-undo').click();
  await page.getByTestId('editor-anomaly-velocity').fill('4000');
  await page.getByTestId('editor-add-anomaly').click();
  await expect(page.getByTestId('editor-edit')).toHaveCount(2);
  await expect(page.getByTestId('editor-range')).toContainText('1500–4000 m/s');
  await studio.screenshot('velocity-editor');
  await page.getByTestId('wavefield-run').click();
  await expect(page.getByTestId('wavefield-title')).toContainText('edited model', { timeout: 120_000 });
  await expect(page.getByTestId('wavefield-error')).toHaveCount(0);
  await page.getByTestId('wavefield-frame').focus();
  await page.keyboard.press('Home');
  for (let i = 0; i < 38; i++) await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('wavefield-time')).toContainText('t = 380 ms');
  await page.getByTestId('wavefield-3d').scrollIntoViewIfNeeded();
  await expectScene(studio, 'surface', 38);
  await studio.screenshot('wavefield-edited-model');

  // Synthesise two samples, wait for the job, find the dataset and check its PDE deviation.
  await page.getByTestId('nav-datasets').click();
  await page.getByTestId('dataset-synthesize').click();
  await expect(page.getByTestId('synthesize-seed')).not.toHaveValue('');
  await page.getByTestId('synthesize-family').click();
  await chooseOption(page, page.locator('[data-testid="synthesize-family-option"][data-family="flatfault-a"]'));
  await expect(page.getByTestId('synthesize-family')).toContainText(/flat\s*-?\s*fault/i);
  await page.getByTestId('synthesize-count').fill('2');
  await page.getByTestId('synthesize-seed').fill('7');
  await page.getByTestId('synthesize-name').fill('Two faults');
  await studio.screenshot('synthesize-dialog');
  await page.getByTestId('synthesize-start').click();
  await waitForJobsDone(studio, 3);
  await expect(page.locator('[data-testid="job"][data-job-kind="physics.synthesize"]')).toHaveAttribute('data-status', 'done');

  await page.getByTestId('nav-datasets').click();
  const row = page.locator('[data-testid="dataset-row"][data-dataset-name="Two faults"]');
  await expect(row).toBeVisible();
  await row.click();
  await expect(page.getByTestId('dataset-detail-name')).toHaveText('Two faults');
  await expect(page.getByTestId('dataset-forward')).toBeVisible();
  await page.getByTestId('deviation-check').click();
  const result = page.getByTestId('deviation-result');
  await expect(result).toBeVisible({ timeout: 60_000 });
  expect(Number(await result.getAttribute('data-rel-l2'))).toBeLessThan(1e-3);
  await expect(page.getByTestId('deviation-source')).toHaveCount(5);
  await studio.screenshot('deviation');
});

test('project geometry: read it, reject a bad edit, save one, restore OpenFWI', async ({ studio }) => {
  const { page } = studio;
  await expect(page.getByTestId('appbar-project')).toContainText('Demo project');
  await page.getByTestId('nav-settings').click();
  await expect(page.locator('[data-testid="geometry-summary-row"][data-label="Sources"]')).toContainText('5 at x = 0, 170, 340, 520, 690 m');
  await page.getByTestId('geometry-edit').click();
  await page.getByTestId('geometry-recordEvery').fill('5000');
  await expect(page.getByTestId('geometry-save')).toBeDisabled();
  await page.getByTestId('geometry-recordEvery').fill('2');
  await page.getByTestId('geometry-peakHz').fill('10');
  await page.getByTestId('geometry-save').click();
  await expect(page.locator('[data-testid="geometry-summary-row"][data-label="Recorded"]')).toContainText('every 2 steps: 500 samples at 2 ms');
  await expect(page.locator('[data-testid="geometry-summary-row"][data-label="Wavelet"]')).toContainText('10 Hz');
  await studio.screenshot('geometry');
  await page.getByTestId('geometry-restore').click();
  await expect(page.locator('[data-testid="geometry-summary-row"][data-label="Recorded"]')).toContainText('every 1 step: 1000 samples');
});
