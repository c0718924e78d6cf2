// Two browser contexts as two devices of one store: the owner creates the store from the
// server's setup link and pairs the second device with a code; both sell while the server is
// down; when it is back both show every sale once and the same stock; a price changed on one
// appears on the other; a device of another store sees none of it.
import { type Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { TABLET, plain, tap } from './cashier';
import { logoPng } from './images';
import { OWNER_PIN, createStore, submitSetup } from './settings';
import { allSales, device, pairingCode, sellCash, setUpTwoDevices, sku, stockLeft, syncWorker } from './store';

const SALES_EACH = 20;

test('two devices sell offline, then converge: every sale once, the same stock', async ({ browser, server }) => {
  test.setTimeout(180_000);
  const { owner, second } = await setUpTwoDevices(browser, server);

  // The owner counts 100 colas; the phone learns the count through the server.
  const cola = await sku(owner, 'Cola');
  await owner.getByTestId('nav-settings').click();
  const row = owner.getByTestId(`product-${cola}`);
  await row.getByTestId('stock-input').fill('100');
  await row.getByTestId('save-stock').click();
  await owner.getByTestId('nav-register').click();
  await expect.poll(() => stockLeft(owner, 'Cola')).toBe('100');
  await expect.poll(() => stockLeft(second, 'Cola'), { timeout: 20_000 }).toBe('100');

  await server.stop('SIGKILL');
  await expect(owner.getByTestId('sync-status')).toHaveText('Offline', { timeout: 20_000 });
  await expect(second.getByTestId('sync-status')).toHaveText('Offline', { timeout: 20_000 });
  for (let i = 0; i < SALES_EACH; i++) {
    await sellCash(owner, 'Cola');
    await sellCash(second, 'Cola');
  }
  // Offline, each device knows only its own sales and counts them as not yet sent.
  await expect.poll(() => stockLeft(owner, 'Cola')).toBe(String(100 - SALES_EACH));
  await expect.poll(() => stockLeft(second, 'Cola')).toBe(String(100 - SALES_EACH));
  expect(Number(await owner.getByTestId('sync-pending').getAttribute('data-count'))).toBeGreaterThan(0);

  await server.restart();
  for (const page of [owner, second]) {
    await expect(page.getByTestId('sync-status')).toHaveText('Synced', { timeout: 40_000 });
    await expect.poll(() => stockLeft(page, 'Cola'), { timeout: 40_000 }).toBe(String(100 - 2 * SALES_EACH));
    await expect(page.getByTestId('sync-pending')).toHaveAttribute('data-count', '0', { timeout: 20_000 });
  }
  await expect.poll(async () => (await allSales(owner)).length, { timeout: 20_000 }).toBe(2 * SALES_EACH);
  await expect.poll(async () => (await allSales(second)).length, { timeout: 20_000 }).toBe(2 * SALES_EACH);
  const ownerSales = await allSales(owner);
  const secondSales = await allSales(second);
  expect(ownerSales).toHaveLength(2 * SALES_EACH);
  expect(new Set(ownerSales).size).toBe(2 * SALES_EACH);
  expect([...secondSales].sort()).toEqual([...ownerSales].sort());

  // A reload keeps everything and sends nothing twice.
  await second.reload();
  await expect(second.getByTestId('sync-status')).toHaveText('Synced', { timeout: 20_000 });
  expect((await allSales(second)).sort()).toEqual([...ownerSales].sort());
});

test('a price changed on one device appears on the other; another store sees nothing', async ({ browser, server }) => {
  test.setTimeout(120_000);
  const { owner, second } = await setUpTwoDevices(browser, server);
  const fries = await sku(owner, 'Fries');
  await owner.getByTestId('nav-settings').click();
  const row = owner.getByTestId(`product-${fries}`);
  await row.getByTestId('price-input').fill('4.20');
  await row.getByTestId('save-price').click();
  const friesTile = (page: Page) =>
    page.getByTestId('product').filter({ has: page.locator('.tile-name', { hasText: /^Fries$/ }) }).locator('.tile-price');
  await owner.getByTestId('nav-register').click();
  await expect(friesTile(owner)).toHaveText(/4\.20/);
  await expect(friesTile(second)).toHaveText(/4\.20/, { timeout: 20_000 });
  await sellCash(second, 'Fries');

  // The logo chosen on one device is the store's: the other device has it too.
  await owner.getByTestId('nav-settings').click();
  await owner.getByTestId('logo-file').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: logoPng() });
  await expect(owner.getByTestId('logo-preview')).toBeVisible();
  await second.getByTestId('nav-settings').click();
  await expect(second.getByTestId('logo-preview')).toBeVisible({ timeout: 20_000 });
  await second.getByTestId('nav-register').click();
  await owner.getByTestId('nav-register').click();

  // The owner removes the phone from the store: it stops syncing and says why.
  await owner.getByTestId('nav-settings').click();
  await owner.getByTestId('show-devices').click();
  // The server checks the PIN of whoever removes a device.
  await owner.getByTestId('devices-pin').fill(OWNER_PIN);
  const phone = owner.getByTestId('device-row').filter({ hasText: 'Phone' });
  await phone.getByTestId('revoke-device').click();
  await expect(phone).toContainText('removed');
  await expect(second.getByTestId('device-removed')).toBeVisible({ timeout: 30_000 });
  await expect(second.getByTestId('sync-status')).toHaveText(/Removed/);
  await owner.getByTestId('nav-register').click();

  // A second store on the same server: its own catalog, none of the first store's sales.
  const stranger = await device(browser, server.newStoreLink());
  await createStore(stranger, 'Other Shop');
  await expect(friesTile(stranger)).toHaveText(/3\.50/);
  expect(await allSales(stranger)).toHaveLength(0);
  await expect.poll(async () => (await allSales(owner)).length, { timeout: 20_000 }).toBe(1);
});

test('two managers change one price at once: both devices end with the same price and show the conflict', async ({ browser, server }) => {
  test.setTimeout(120_000);
  const { owner, second } = await setUpTwoDevices(browser, server);
  const fries = await sku(owner, 'Fries');
  await server.stop('SIGKILL');
  for (const [page, price] of [[owner, '4.00'], [second, '5.00']] as const) {
    await expect(page.getByTestId('sync-status')).toHaveText('Offline', { timeout: 20_000 });
    await page.getByTestId('nav-settings').click();
    const row = page.getByTestId(`product-${fries}`);
    await row.getByTestId('price-input').fill(price);
    await row.getByTestId('save-price').click();
  }
  await server.restart();
  const prices: string[] = [];
  for (const page of [owner, second]) {
    await expect(page.getByTestId('sync-status')).toHaveText('Synced', { timeout: 40_000 });
    await expect(page.getByTestId('price-conflict')).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId('price-conflict')).toContainText('4.00');
    await expect(page.getByTestId('price-conflict')).toContainText('5.00');
    await page.getByTestId('nav-register').click();
    const tile = page.getByTestId('product').filter({ has: page.locator('.tile-name', { hasText: /^Fries$/ }) });
    prices.push(plain(await tile.locator('.tile-price').textContent()));
  }
  expect(prices[0]).toMatch(/[45]\.00/);
  expect(prices[1]).toBe(prices[0]);
});

test('two tabs of one device: one of them syncs, the sales of both reach the other device once', async ({ browser, server }) => {
  test.setTimeout(120_000);
  const { owner, second } = await setUpTwoDevices(browser, server);
  const secondTab = await owner.context().newPage();
  await secondTab.goto(server.url);
  await expect(secondTab.getByTestId('sync-status')).toHaveText('Synced in another tab');
  for (let i = 0; i < 3; i++) {
    await sellCash(secondTab, 'Cola');
    await sellCash(owner, 'Brownie');
  }
  await expect.poll(async () => (await allSales(second)).length, { timeout: 30_000 }).toBe(6);
  const numbers = await allSales(second);
  expect(new Set(numbers).size).toBe(6);
  // The syncing tab closes: the other takes over.
  await owner.close();
  await expect(secondTab.getByTestId('sync-status')).toHaveText('Synced', { timeout: 20_000 });
  await sellCash(secondTab, 'Cola');
  await expect.poll(async () => (await allSales(second)).length, { timeout: 30_000 }).toBe(7);
});

test('a joining device whose receipt prefix another device of the store uses takes a new one, and its numbering goes on (#10, finding 10)', async ({ browser, server }) => {
  test.setTimeout(120_000);
  const owner = await device(browser, server.setupLink());
  await createStore(owner, 'Corner Shop');
  await owner.getByTestId('nav-settings').click();
  const ownerCode = /Device code (\S+?):/.exec(plain(await owner.getByTestId('device-code').textContent()))![1];
  const { link } = await pairingCode(owner);

  // The new device happens to have made the same prefix for itself, and printed 3 receipts.
  const second = await device(browser, link);
  await expect(second.getByTestId('join')).toBeVisible();
  await second.evaluate(async (code) => {
    const db: IDBDatabase = await new Promise((ok, err) => {
      const r = indexedDB.open('register');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => err(r.error);
    });
    await new Promise((ok) => {
      const tx = db.transaction('kv', 'readwrite');
      tx.objectStore('kv').put(JSON.stringify({ code, last_sequence: 3 }), 'device');
      tx.oncomplete = ok;
    });
    db.close();
  }, ownerCode);
  await second.reload();
  await second.getByTestId('nav-settings').click();
  await expect(second.getByTestId('device-code')).toContainText(ownerCode);
  await second.getByTestId('join-device-name').fill('Phone');
  await second.getByTestId('join-store').click();
  await expect(second.getByTestId('sync-status')).toHaveText('Synced', { timeout: 20_000 });
  await second.getByTestId('nav-settings').click();
  await expect(second.getByTestId('device-code')).not.toContainText(ownerCode, { timeout: 20_000 });

  await second.getByTestId('nav-register').click();
  await owner.getByTestId('nav-register').click();
  await sellCash(owner, 'Cola');
  await sellCash(second, 'Cola');
  await expect.poll(async () => new Set(await allSales(owner)).size, { timeout: 20_000 }).toBe(2);
  // A new prefix does not restart the sequence: a number this device printed is never printed
  // again, whatever prefix it had.
  const mine = await allSales(second);
  expect(mine.filter((n) => !n.startsWith(ownerCode))).toEqual([expect.stringMatching(/-000004$/)]);
});

test('a full disk for the documents of a device of the store: the sale is kept, the documents catch up, nothing is lost or doubled', async ({ browser, server }) => {
  test.setTimeout(120_000);
  const owner = await device(browser, server.setupLink());
  await createStore(owner, 'Full Disk Deli');
  const { link } = await pairingCode(owner);
  const context = await browser.newContext({ viewport: TABLET });
  const second = await context.newPage();
  await second.goto(link);
  await second.getByTestId('join-device-name').fill('Phone');
  await second.getByTestId('join-store').click();
  await expect(second.getByTestId('sync-status')).toHaveText('Synced', { timeout: 20_000 });
  // Writes to the store's documents (the sync worker's) fail while __failDocs is set, as they
  // would on a full disk.
  const worker = await syncWorker(second);
  await worker.evaluate(() => {
    const scope = globalThis as unknown as { __failDocs: boolean };
    for (const method of ['add', 'put'] as const) {
      const original = IDBObjectStore.prototype[method];
      IDBObjectStore.prototype[method] = function (this: IDBObjectStore, ...args: unknown[]) {
        if (scope.__failDocs && this.name === 'docs') {
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        }
        return (original as (...a: unknown[]) => IDBRequest).apply(this, args);
      } as never;
    }
    scope.__failDocs = true;
  });

  // A sale arrives from the owner: it cannot be stored here, and the device says so.
  await sellCash(owner, 'Cola');
  await expect(second.getByTestId('sync-problem')).toContainText('quota', { timeout: 20_000 });

  // A sale here is durable as a record (the documents are not needed for that), so it is paid;
  // it waits in the outbox, counted as not sent, until the documents can be written.
  await tap(second, 'Brownie');
  await second.getByTestId('pay').click();
  await second.getByTestId('quick-cash').first().click();
  await expect(second.getByTestId('completed')).toBeVisible();
  await second.getByTestId('new-sale').click();
  await expect(second.getByTestId('sync-pending')).not.toHaveAttribute('data-count', '0');
  // The owner has not received it: nothing leaves a device before it is stored there.
  expect(await allSales(owner)).toHaveLength(1);
  await owner.getByTestId('nav-register').click();

  // Space again: the documents catch up, and everything reaches both devices once.
  await worker.evaluate(() => ((globalThis as unknown as { __failDocs: boolean }).__failDocs = false));
  await expect(second.getByTestId('sync-problem')).toHaveCount(0, { timeout: 20_000 });
  for (const page of [owner, second]) {
    await expect.poll(async () => (await allSales(page)).length, { timeout: 20_000 }).toBe(2);
    expect(new Set(await allSales(page)).size).toBe(2);
  }
  await second.reload();
  await expect.poll(async () => (await allSales(second)).length, { timeout: 20_000 }).toBe(2);
});

test('a count with sales before and after it on another device: the count is what was on the shelf', async ({ browser, server }) => {
  test.setTimeout(180_000);
  const { owner, second } = await setUpTwoDevices(browser, server);
  const cola = await sku(owner, 'Cola');
  const count = async (quantity: string) => {
    await owner.getByTestId('nav-settings').click();
    const row = owner.getByTestId(`product-${cola}`);
    await row.getByTestId('stock-input').fill(quantity);
    await row.getByTestId('save-stock').click();
    await owner.getByTestId('nav-register').click();
  };

  // 100 counted, 3 sold on the owner's tablet: both devices show 97.
  await count('100');
  await expect.poll(() => stockLeft(second, 'Cola'), { timeout: 20_000 }).toBe('100');
  for (let i = 0; i < 3; i++) await sellCash(owner, 'Cola');
  await expect.poll(() => stockLeft(owner, 'Cola')).toBe('97');
  await expect.poll(() => stockLeft(second, 'Cola'), { timeout: 20_000 }).toBe('97');

  await server.stop('SIGKILL');
  await expect(owner.getByTestId('sync-status')).toHaveText('Offline', { timeout: 20_000 });
  await expect(second.getByTestId('sync-status')).toHaveText('Offline', { timeout: 20_000 });
  // The phone sells 2 while offline; then the manager counts the 95 on the shelf (the tablet
  // still shows 97: it has not heard of the phone's sales); then the phone sells 1 more.
  for (let i = 0; i < 2; i++) await sellCash(second, 'Cola');
  await expect.poll(() => stockLeft(second, 'Cola')).toBe('95');
  await owner.waitForTimeout(50);
  await count('95');
  await expect.poll(() => stockLeft(owner, 'Cola')).toBe('95');
  await second.waitForTimeout(50);
  await sellCash(second, 'Cola');
  await expect.poll(() => stockLeft(second, 'Cola')).toBe('94');

  // Merged: the count, less only the sale made after it, on both devices (not 95 - 3 - 3).
  await server.restart();
  for (const page of [owner, second]) {
    await expect(page.getByTestId('sync-status')).toHaveText('Synced', { timeout: 40_000 });
    await expect.poll(() => stockLeft(page, 'Cola'), { timeout: 40_000 }).toBe('94');
  }
  // And after a reload, from what each device stored.
  await second.reload();
  await expect(second.getByTestId('sync-status')).toHaveText('Synced', { timeout: 20_000 });
  await expect.poll(() => stockLeft(second, 'Cola'), { timeout: 20_000 }).toBe('94');
});

test('a sync worker that cannot load: the register still sells, says why, and a price change fails at once', async ({ browser, server }) => {
  test.setTimeout(120_000);
  // No service worker, so the worker's wasm comes from the network, which refuses it.
  const context = await browser.newContext({ viewport: TABLET, serviceWorkers: 'block' });
  const owner = await context.newPage();
  await owner.goto(server.setupLink());
  await createStore(owner, 'Engine Out Cafe');
  await expect(owner.getByTestId('sync-status')).toHaveText('Synced', { timeout: 20_000 });
  await context.route('**/pos-sync-worker_bg.wasm', (route) => route.abort('internetdisconnected'));
  await owner.reload();
  await expect(owner.getByTestId('sync-engine-failed')).toContainText('cannot sync', { timeout: 20_000 });

  // Selling never needed the worker: the sale is kept.
  await sellCash(owner, 'Cola');
  expect(await allSales(owner)).toHaveLength(1);
  await owner.getByTestId('nav-register').click();

  // An edit of the store's documents is refused at once, not left waiting.
  const cola = await sku(owner, 'Cola');
  await owner.getByTestId('nav-settings').click();
  const row = owner.getByTestId(`product-${cola}`);
  await row.getByTestId('price-input').fill('3.10');
  await row.getByTestId('save-price').click();
  await expect(owner.getByTestId('notice')).toContainText('NOT saved');

  // Back on the network: the worker starts and the waiting sale goes out.
  await context.unroute('**/pos-sync-worker_bg.wasm');
  await owner.reload();
  await expect(owner.getByTestId('sync-engine-failed')).toHaveCount(0);
  await expect(owner.getByTestId('sync-status')).toHaveText('Synced', { timeout: 20_000 });
  await expect(owner.getByTestId('sync-pending')).toHaveAttribute('data-count', '0');
  await context.close();
});

test('a store created in roubles on a register that showed the demo menu in euros: the euro prices are never sold as roubles; converted, it sells in roubles (#12)', async ({ browser, server }) => {
  const owner = await device(browser, server.setupLink());
  await submitSetup(owner, 'Пирожковая', { currency: 'RUB', device: 'Касса 1' });
  await expect(owner.getByTestId('notice')).toContainText('Пирожковая');

  // Before and after a reload, the euro menu is refused rather than sold at 2.50 roubles.
  for (const reload of [false, true]) {
    if (reload) await owner.reload();
    await expect(owner.getByTestId('menu-currency-mismatch')).toContainText('EUR', { timeout: 20_000 });
    await tap(owner, 'Cola');
    await expect(owner.getByTestId('notice')).toContainText('The menu\'s prices are in EUR, but the store sells in RUB');
    await expect(owner.getByTestId('pay')).toBeDisabled();
  }

  // The owner converts at 1 EUR = 100 RUB: the cola is 250 roubles, and sells so.
  await owner.getByTestId('exchange-rate').fill('100');
  await owner.getByTestId('convert-menu').click();
  await expect(owner.getByTestId('menu-currency-mismatch')).toBeHidden();
  const cola = owner.getByTestId('product').filter({ has: owner.locator('.tile-name', { hasText: /^Cola$/ }) });
  await expect(cola.locator('.tile-price')).toHaveText(/250/);
  await tap(owner, 'Cola');
  await owner.getByTestId('pay').click();
  await owner.getByTestId('quick-cash').first().click();
  await expect(owner.getByTestId('completed')).toBeVisible();
  const receipt = plain(await owner.getByTestId('completed').textContent());
  expect(receipt).toContain('RUB');
  expect(receipt).toContain('250');
  expect(receipt).not.toContain('EUR');
  expect(receipt).not.toContain('€');
});

test('a cashier who opens Settings while the store is being created stays in Settings', async ({ browser, server }) => {
  const owner = await device(browser, server.setupLink());
  await expect(owner.getByTestId('setup')).toBeVisible();
  // The server takes a second to answer, as on a slow network.
  await owner.route('**/api/stores', async (route) => {
    await new Promise((done) => setTimeout(done, 1_000));
    await route.continue();
  });
  await owner.getByTestId('store-name').fill('Slow Market');
  await owner.getByTestId('device-name').fill('Slow till');
  await owner.getByTestId('owner-pin').fill(OWNER_PIN);
  await owner.getByTestId('owner-pin-again').fill(OWNER_PIN);
  await owner.getByTestId('create-store').click();
  await owner.getByTestId('nav-settings').click();
  await expect(owner.getByTestId('notice')).toContainText('Slow Market', { timeout: 20_000 });
  await expect(owner.getByTestId('sync-status')).toHaveText('Synced');
  // Settings is still what the cashier sees: the store's end did not take them elsewhere.
  await expect(owner.getByTestId('device-code')).toBeVisible();
  await expect(owner.getByTestId('product')).toHaveCount(0);
});
