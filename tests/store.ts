// Flows of a store with several devices that the specs share: opening a device, pairing it,
// selling, reading the sales list and the stock left.
import { expect, type Browser, type Page } from '@playwright/test';
import { type TestServer } from './fixtures';
import { TABLET, plain, tap } from './cashier';
import { OWNER_PIN as PIN, createStore } from './settings';

export interface DeviceOptions {
  /** Installs Playwright's clock at this time before the page loads (it then runs on). */
  clock?: Date;
}

export async function device(browser: Browser, url: string, options: DeviceOptions = {}) {
  const context = await browser.newContext({ viewport: TABLET });
  if (options.clock) await context.clock.install({ time: options.clock });
  // A device's transactions can be made to abort at their commit, as on a full disk, by setting
  // window.__failCommits (see exactly-once.spec.ts); inert otherwise.
  await context.addInitScript(() => {
    const commit = IDBTransaction.prototype.commit;
    IDBTransaction.prototype.commit = function (this: IDBTransaction) {
      if ((window as unknown as { __failCommits?: boolean }).__failCommits && this.mode === 'readwrite') {
        this.abort();
        return;
      }
      return commit.call(this);
    };
  });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

/** On the owner's page, makes a pairing code with the owner's PIN. */
export async function pairingCode(owner: Page) {
  await owner.getByTestId('nav-settings').click();
  await owner.getByTestId('pairing-pin').fill(PIN);
  await owner.getByTestId('pair-device').click();
  const code = plain(await owner.getByTestId('pairing-code').textContent());
  expect(code).toMatch(/\S{4,}/);
  await expect(owner.getByTestId('pairing-qr').locator('svg')).toBeVisible();
  const link = await owner.getByTestId('pairing-qr').getAttribute('data-link');
  expect(link).toContain(`#/pair?code=${code}`);
  await owner.getByTestId('nav-register').click();
  return { code, link: link! };
}

/** The page's sync worker (the store's documents, Automerge, the WebSocket), once it runs. */
export async function syncWorker(page: Page) {
  await expect.poll(() => page.workers().some((w) => w.url().includes('sync-worker')), { timeout: 20_000 }).toBe(true);
  return page.workers().find((w) => w.url().includes('sync-worker'))!;
}

/** Makes every IndexedDB transaction of the page and of its sync worker abort at its commit while
 * `fail` is on, as a full disk aborts it: everything it wrote is rolled back. (Chromium's
 * `Storage.overrideQuotaForOrigin` did not fail these small commits here.) The page's side is
 * set up by `device()`; the worker's is patched here, as init scripts do not reach workers. */
export async function commitsFail(page: Page, fail: boolean) {
  await page.evaluate((on) => ((window as unknown as { __failCommits: boolean }).__failCommits = on), fail);
  const worker = await syncWorker(page);
  await worker.evaluate((on) => {
    const scope = globalThis as unknown as { __failCommits: boolean; __commitsPatched?: boolean };
    if (!scope.__commitsPatched) {
      scope.__commitsPatched = true;
      const commit = IDBTransaction.prototype.commit;
      IDBTransaction.prototype.commit = function (this: IDBTransaction) {
        if (scope.__failCommits && this.mode === 'readwrite') {
          this.abort();
          return;
        }
        return commit.call(this);
      };
    }
    scope.__failCommits = on;
  }, fail);
}

export async function sku(page: Page, name: string) {
  const tile = page.getByTestId('product').filter({ has: page.locator('.tile-name', { hasText: new RegExp(`^${name}$`) }) });
  return (await tile.getAttribute('data-sku'))!;
}

export async function stockLeft(page: Page, name: string) {
  const tile = page.getByTestId('product').filter({ has: page.locator('.tile-name', { hasText: new RegExp(`^${name}$`) }) });
  return tile.getByTestId('stock-left').getAttribute('data-left');
}

export async function sellCash(page: Page, name: string) {
  await tap(page, name);
  await page.getByTestId('pay').click();
  await page.getByTestId('quick-cash').first().click();
  await expect(page.getByTestId('completed')).toBeVisible();
  await page.getByTestId('new-sale').click();
}

/** Every receipt number in the sales list (all pages). */
export async function allSales(page: Page) {
  await page.getByTestId('nav-sales').click();
  await expect(page.getByTestId('sales-list')).toBeAttached();
  // The list is read from storage after the screen opens.
  await page.waitForTimeout(300);
  return page.getByTestId('sale-number').allTextContents();
}

export async function setUpTwoDevices(browser: Browser, server: TestServer, options: DeviceOptions = {}) {
  const owner = await device(browser, server.setupLink(), options);
  await createStore(owner, 'Pop-up Market');
  const { link } = await pairingCode(owner);
  const second = await device(browser, link, options);
  await expect(second.getByTestId('join')).toBeVisible();
  await second.getByTestId('join-device-name').fill('Phone');
  await second.getByTestId('join-store').click();
  await expect(second.getByTestId('notice')).toContainText('Pop-up Market');
  await expect(second.getByTestId('sync-status')).toHaveText('Synced');
  await expect(second.locator('.store-name')).toHaveText('Pop-up Market');
  return { owner, second };
}


/** Opens the refund of the newest sale in the list; a device that needs a manager's PIN for it
 * gets the owner's. */
export async function openRefund(page: Page) {
  await page.getByTestId('nav-sales').click();
  await page.getByTestId('refund-sale').first().click();
  const approval = page.getByTestId('approval');
  const dialog = page.getByTestId('refund-dialog');
  await expect(approval.or(dialog)).toBeVisible();
  if (await approval.isVisible()) {
    await approval.getByTestId('staff-pick').filter({ hasText: 'Owner' }).click();
    await approval.getByTestId('approval-pin').fill(PIN);
    await approval.getByTestId('approval-pin').press('Enter');
  }
  await expect(dialog).toBeVisible();
}
