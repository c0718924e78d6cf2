// The register on plain http at a LAN address, an insecure context: the browser offers no Web
// Locks there, which the register otherwise uses to give each tab its own ticket slot. One tab
// must then work and a second tab of the same origin must refuse to start, instead of sharing
// the first one's open ticket, its card payment in flight and its Automerge writer.
// Chromium resolves lan.test to this machine (--host-resolver-rules), so http://lan.test:<port>
// is the suite's own server seen as a LAN address, not as the (secure) loopback.
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium';
import { openRegister, sellOne, tap, TABLET } from './cashier';

const ALREADY_OPEN = 'This register is already open in another tab or window. Close it, or use this one after closing the other.';

test.describe('an insecure origin (no Web Locks)', () => {
  let browser: Browser;

  test.beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP lan.test 127.0.0.1'],
    });
  });

  test.afterAll(async () => {
    await browser?.close();
  });

  test('a second tab refuses to start while the first sells; after the first closes it opens', async ({ baseURL }) => {
    const url = `http://lan.test:${new URL(baseURL!).port}/`;
    const context = await browser.newContext();
    const first = await context.newPage();
    await openRegister(first, TABLET, url);
    // The case under test really is the insecure one.
    expect(await first.evaluate(() => window.isSecureContext)).toBe(false);
    expect(await first.evaluate(() => typeof (navigator as { locks?: unknown }).locks)).toBe('undefined');
    // The register says what will not work here, and how to serve it instead.
    const warning = first.getByTestId('insecure-origin');
    await expect(warning).toContainText(`open at http://lan.test:${new URL(baseURL!).port}`);
    await expect(warning).toContainText('will not start it offline');
    await expect(warning).toContainText('Open it over https');
    // It sits above the register, not over the tiles, and the cashier can put it away.
    const tiles = await first.getByTestId('product-grid').boundingBox();
    const box = await warning.boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(tiles!.y);
    await warning.getByRole('button', { name: 'Dismiss' }).click();
    await expect(warning).toHaveCount(0);

    // Reloading the same tab is not "another tab": it opens again, with its ticket.
    await tap(first, 'Cola');
    await first.reload();
    await expect(first.getByTestId('product').first()).toBeVisible();
    await expect(first.getByTestId('ticket-line')).toContainText('Cola');

    const second = await context.newPage();
    await second.setViewportSize(TABLET);
    await second.goto(url);
    await expect(second.getByTestId('already-open')).toHaveText(ALREADY_OPEN);
    await expect(second.getByTestId('product')).toHaveCount(0);
    await expect(second.getByTestId('pay')).toHaveCount(0);

    // The first tab still sells, with its own ticket untouched.
    await expect(first.getByTestId('ticket-line')).toContainText('Cola');
    await first.getByRole('button', { name: 'Remove' }).click();
    const number = await sellOne(first, 'Espresso');
    expect(number).toMatch(/-000001$/);
    // Still refused after a while (the first tab's claim stays fresh while it lives).
    await second.reload();
    await expect(second.getByTestId('already-open')).toBeVisible();
    await expect(second.getByTestId('product')).toHaveCount(0);

    // As a person closes a tab: the page's unload handlers run (Playwright skips them by default).
    const closed = new Promise((resolve) => first.once('close', resolve));
    await first.close({ runBeforeUnload: true });
    await closed;
    await second.reload();
    await expect(second.getByTestId('product').first()).toBeVisible();
    await expect(second.getByTestId('already-open')).toHaveCount(0);
    expect(await sellOne(second, 'Cola')).toMatch(/-000002$/);
    await context.close();
  });

  test('the refusal is in Russian for a Russian register', async ({ baseURL }) => {
    const url = `http://lan.test:${new URL(baseURL!).port}/`;
    const context = await browser.newContext({ locale: 'ru-RU' });
    const first = await context.newPage();
    await openRegister(first, TABLET, url);
    const second: Page = await context.newPage();
    await second.goto(url);
    await expect(second.getByTestId('already-open')).toHaveText(
      'Эта касса уже открыта в другой вкладке или окне. Закройте её или пользуйтесь этой после того, как закроете другую.',
    );
    await expect(first.getByTestId('insecure-origin')).toContainText('не запустит её без сети');
    await expect(first.getByTestId('insecure-origin')).toContainText('Откройте её по https');
    await context.close();
  });

  test('on the server\'s own address (a secure context) there is no such warning', async ({ baseURL }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await openRegister(page, TABLET, baseURL!);
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
    await expect(page.getByTestId('insecure-origin')).toHaveCount(0);
    await context.close();
  });
});
