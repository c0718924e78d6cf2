// The installable PWA: the web app manifest and its icons, the service worker that Workbox
// generates at build time (it precaches the app shell and starts the register with the server
// process killed), and the update flow: a new version is offered with a banner and never
// reloads the page under an open ticket.
import { cpSync, mkdtempSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import type { Page } from '@playwright/test';
import { expect, startServer, test, type TestServer } from './fixtures';

/** Opens the register at `url` and waits until the catalog is on screen. */
async function openRegister(page: Page, url = '/') {
  await page.goto(url);
  await expect(page.getByTestId('product').first()).toBeVisible();
}

/** Waits until the service worker controls the page (it claims clients when it activates). */
async function waitForController(page: Page) {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
    timeout: 20_000,
  });
}

/** Every URL path in the page's Cache Storage. */
async function cachedPaths(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const out: string[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) out.push(new URL(req.url).pathname);
    }
    return out;
  });
}

/** Width, height, colour type and the top-left pixel's alpha of an 8-bit RGB or RGBA PNG. */
function readPng(buf: Buffer) {
  expect(buf.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  const bitDepth = buf[24];
  const colorType = buf[25];
  const idat: Buffer[] = [];
  for (let at = 8; at < buf.length; ) {
    const len = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT') idat.push(buf.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  // Whatever the first row's filter, its first pixel is stored as is (no left or upper neighbour).
  const raw = inflateSync(Buffer.concat(idat));
  const topLeftAlpha = colorType === 6 ? raw[4] : 255; // colour type 2 (RGB) is opaque
  return { width, height, bitDepth, colorType, topLeftAlpha };
}

test('the manifest is linked, served as a manifest and complete; every icon is a PNG of its size', async ({
  page,
  request,
}) => {
  await openRegister(page);
  await expect(page.locator('meta[name="theme-color"]')).toHaveAttribute('content', '#29335c');
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBeTruthy();
  const manifestUrl = new URL(href!, page.url()).href;

  const res = await request.get(manifestUrl);
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toMatch(/^application\/manifest\+json/);
  const manifest = JSON.parse(await res.text());
  expect(manifest).toMatchObject({
    id: '/',
    name: 'Register — point of sale',
    short_name: 'Register',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    theme_color: '#29335c',
  });
  expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
  expect(manifest.lang).toBeTruthy();
  expect(manifest.description).toBeTruthy();

  type Icon = { src: string; sizes: string; type: string; purpose?: string };
  const icons: Icon[] = manifest.icons;
  const purposes = (i: Icon) => (i.purpose ?? 'any').split(/\s+/);
  for (const size of ['192x192', '512x512']) {
    const any = icons.find((i) => i.type === 'image/png' && i.sizes === size && purposes(i).includes('any'));
    const maskable = icons.find(
      (i) => i.type === 'image/png' && i.sizes === size && purposes(i).includes('maskable'),
    );
    expect(any, `an "any" PNG icon of ${size}`).toBeTruthy();
    expect(maskable, `a maskable PNG icon of ${size}`).toBeTruthy();
    // The maskable icon is its own file: full bleed, so its corner is opaque.
    expect(maskable!.src).not.toBe(any!.src);
    expect(purposes(maskable!)).not.toContain('any');
  }

  for (const icon of icons.filter((i) => i.type === 'image/png')) {
    const url = new URL(icon.src, manifestUrl).href;
    const img = await request.get(url);
    expect(img.status(), url).toBe(200);
    expect(img.headers()['content-type'], url).toBe('image/png');
    const png = readPng(await img.body());
    const [w, h] = icon.sizes.split('x').map(Number);
    expect({ width: png.width, height: png.height }, url).toEqual({ width: w, height: h });
    expect(png.bitDepth, url).toBe(8);
    expect([2, 6], `${url}: RGB or RGBA`).toContain(png.colorType);
    if (purposes(icon).includes('maskable')) {
      expect(png.topLeftAlpha, `${url}: a maskable icon fills its corners`).toBe(255);
    } else {
      expect(png.topLeftAlpha, `${url}: the "any" icon has rounded, transparent corners`).toBe(0);
    }
  }

  const touch = await page.locator('link[rel="apple-touch-icon"]').getAttribute('href');
  const touchRes = await request.get(new URL(touch!, page.url()).href);
  expect(touchRes.status()).toBe(200);
  expect(touchRes.headers()['content-type']).toBe('image/png');
});

test('the service worker controls the page and precaches the page, the wasm, the JS and the CSS', async ({
  page,
}) => {
  await openRegister(page);
  await waitForController(page);
  // A first install is not "a new version".
  await expect(page.getByTestId('update-banner')).toBeHidden();

  const fromWorker: string[] = [];
  page.on('response', (r) => {
    if (r.fromServiceWorker()) fromWorker.push(new URL(r.url()).pathname);
  });
  await page.reload();
  await expect(page.getByTestId('product').first()).toBeVisible();
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null)).toMatch(
    /\/sw\.js$/,
  );

  // The files this build's page loads: Trunk's content-hashed wasm, JS glue and CSS.
  const shell: string[] = await page.evaluate(() =>
    [...document.querySelectorAll('link[href], script[src]')]
      .map((e) => e.getAttribute('href') ?? e.getAttribute('src') ?? '')
      .map((u) => new URL(u, location.href))
      .filter((u) => u.origin === location.origin)
      .map((u) => u.pathname),
  );
  const wasm = shell.find((p) => /^\/pos-app-[0-9a-f]+_bg\.wasm$/.test(p));
  const js = shell.find((p) => /^\/pos-app-[0-9a-f]+\.js$/.test(p));
  const css = shell.find((p) => /^\/main-[0-9a-f]+\.css$/.test(p));
  expect({ wasm, js, css }).toEqual({ wasm: expect.any(String), js: expect.any(String), css: expect.any(String) });

  const cached = await cachedPaths(page);
  for (const path of ['/index.html', wasm!, js!, css!, '/manifest.webmanifest', '/icons/icon-192.png']) {
    expect(cached, `precached ${path}`).toContain(path);
  }
  // After the reload the page itself and its wasm came from the worker.
  expect(fromWorker).toContain('/');
  expect(fromWorker).toContain(wasm!);
});

test('with the server process killed, a reload still starts the register from the service worker', async ({
  page,
  server,
}) => {
  await openRegister(page, `${server.url}/`);
  await waitForController(page);

  await server.stop('SIGKILL');
  await expect(fetch(`${server.url}/health`)).rejects.toThrow();

  await page.reload();
  await expect(page.getByTestId('product').first()).toBeVisible();
  await expect(page.getByTestId('demo-badge')).toBeVisible();
  // Any client-side path opens the app shell offline too.
  await openRegister(page, `${server.url}/register/anywhere`);

  await server.restart();
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
  await openRegister(page, `${server.url}/`);
});

// The update flow needs a server of its own whose files can change: it serves a copy of dist/,
// and "publishing a new version" appends to that copy's sw.js, so the browser finds a new worker.
// The appended code answers a version probe, so a test can tell which worker controls the page.
const updateTest = test.extend<{ site: { server: TestServer; dir: string } }>({
  site: async ({}, use) => {
    const source = process.env.POS_STATIC_DIR;
    if (!source) throw new Error('POS_STATIC_DIR is not set: run the tests through `cargo xtask test`');
    const dir = mkdtempSync(join(tmpdir(), 'pos-pwa-dist-'));
    cpSync(source, dir, { recursive: true });
    const server = await startServer({ staticDir: dir });
    await use({ server, dir });
    await server.stop('SIGKILL');
    rmSync(server.dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  },
});

function publishNewVersion(dir: string, version: string) {
  appendFileSync(
    join(dir, 'sw.js'),
    `\n// test: version ${version}\nself.addEventListener('message', (e) => {` +
      ` if (e.data && e.data.type === 'POS_TEST_VERSION') e.ports[0].postMessage(${JSON.stringify(version)}); });\n`,
  );
}

/** The version the controlling worker reports, or null for the original build (no answer). */
async function controllerVersion(page: Page): Promise<string | null> {
  return page.evaluate(
    () =>
      new Promise<string | null>((resolve) => {
        const sw = navigator.serviceWorker.controller;
        if (!sw) return resolve(null);
        const channel = new MessageChannel();
        channel.port1.onmessage = (e) => resolve(e.data);
        setTimeout(() => resolve(null), 1000);
        sw.postMessage({ type: 'POS_TEST_VERSION' }, [channel.port2]);
      }),
  );
}

async function checkForUpdate(page: Page) {
  await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    await reg!.update();
  });
}

updateTest('a new version is offered, and with an empty ticket Update reloads onto it', async ({
  page,
  site,
}) => {
  await openRegister(page, `${site.server.url}/`);
  await waitForController(page);
  await expect(page.getByTestId('update-banner')).toBeHidden();
  expect(await controllerVersion(page)).toBeNull();

  publishNewVersion(site.dir, 'v2');
  await checkForUpdate(page);
  const banner = page.getByTestId('update-banner');
  // The new worker precaches before it is installed: allow for a busy machine.
  await expect(banner).toBeVisible({ timeout: 15_000 });
  await expect(banner).toContainText('A new version is ready');
  await expect(page.getByTestId('update-blocked')).toBeHidden();
  // Nothing happens by itself: the old page keeps running until the cashier says so.
  await page.evaluate(() => ((window as any).__beforeUpdate = true));
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => (window as any).__beforeUpdate)).toBe(true);
  expect(await controllerVersion(page)).toBeNull();

  const reloaded = page.waitForEvent('load');
  await expect(page.getByTestId('update-now')).toBeEnabled();
  await page.getByTestId('update-now').click();
  await reloaded;
  await expect(page.getByTestId('product').first()).toBeVisible();
  expect(await page.evaluate(() => (window as any).__beforeUpdate)).toBeUndefined();
  await expect.poll(() => controllerVersion(page)).toBe('v2');
  await expect(page.getByTestId('update-banner')).toBeHidden();
});

updateTest('a new version never reloads the page under an open ticket', async ({ page, site }) => {
  let loads = 0;
  page.on('load', () => loads++);
  await openRegister(page, `${site.server.url}/`);
  await waitForController(page);
  await page.getByTestId('product').first().click();
  await expect(page.getByTestId('ticket-line')).toHaveCount(1);

  publishNewVersion(site.dir, 'v2');
  await checkForUpdate(page);
  const banner = page.getByTestId('update-banner');
  // The new worker precaches before it is installed: allow for a busy machine.
  await expect(banner).toBeVisible({ timeout: 15_000 });
  await expect(banner).toContainText('A new version is ready');
  await expect(page.getByTestId('update-blocked')).toHaveText(/Finish the open ticket to update/);
  await expect(page.getByTestId('update-now')).toBeDisabled();
  await page.getByTestId('update-now').click({ force: true }); // a disabled button does nothing
  await page.waitForTimeout(500);
  expect(loads).toBe(1);

  // Another tab of the register activates the new version (it posts SKIP_WAITING): the new
  // worker takes control of this page too, and this page must still not reload.
  await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    const changed = new Promise((resolve) =>
      navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
    );
    reg!.waiting!.postMessage({ type: 'SKIP_WAITING' });
    await changed;
  });
  expect(await controllerVersion(page)).toBe('v2');
  await page.waitForTimeout(1000);
  expect(loads).toBe(1);
  await expect(page.getByTestId('ticket-line')).toHaveCount(1);
  await expect(banner).toBeVisible();
  await expect(page.getByTestId('update-now')).toBeDisabled();

  // Once the ticket is closed, Update reloads onto the new version.
  await page.locator('.clear-ticket').click();
  await expect(page.getByTestId('ticket-line')).toHaveCount(0);
  await expect(page.getByTestId('update-blocked')).toBeHidden();
  const reloaded = page.waitForEvent('load');
  await page.getByTestId('update-now').click();
  await reloaded;
  await expect(page.getByTestId('product').first()).toBeVisible();
  expect(loads).toBe(2);
  await expect(page.getByTestId('update-banner')).toBeHidden();
  expect(await controllerVersion(page)).toBe('v2');
});
