import { test, expect } from './fixtures.ts';

test('the browser shell refuses pages and sockets without its session token', async ({ studio }) => {
  test.skip(studio.shell !== 'browser', 'The token guards the browser shell only.');
  const origin = new URL(studio.page.url()).origin;
  const response = await studio.page.request.get(`${origin}/index.html`, { headers: { Cookie: '' } });
  expect(response.status()).toBe(401);
  const fresh = await studio.page.context().browser()!.newContext();
  const stranger = await fresh.newPage();
  const status = await stranger.goto(`${origin}/`).then((r) => r?.status());
  expect(status).toBe(401);
  await fresh.close();
});

test('the renderer cannot navigate away from the studio', async ({ studio }) => {
  test.skip(studio.shell !== 'electron', 'Navigation is locked by the Electron shell; a browser tab belongs to the user.');
  const before = studio.page.url();
  // The main frame stops loading when the navigation ends either way: refused (will-navigate
  // prevented, the page stays) or carried out (another page, or Chromium's error page offline).
  const cdp = await studio.page.context().newCDPSession(studio.page);
  await cdp.send('Page.enable');
  const { frameTree } = await cdp.send('Page.getFrameTree');
  const stopped = new Promise<void>((resolve) =>
    cdp.on('Page.frameStoppedLoading', ({ frameId }) => {
      if (frameId === frameTree.frame.id) resolve();
    }),
  );
  await studio.page.evaluate(() => {
    window.location.href = 'https://example.com/';
  });
  await stopped;
  expect(studio.page.url()).toBe(before);
  await cdp.detach();
});
