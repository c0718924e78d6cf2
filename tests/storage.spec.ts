// The register keeps everything in IndexedDB: an open ticket survives a closed tab, two tabs sell
// at once without doubling or reusing a number, a write failure keeps the ticket open, a
// database of an earlier schema version is migrated without loss, and the catalog is kept as one
// record per product, so a price edit writes one record.
import { type BrowserContext, type Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { TABLET, openRegister, salesNumbers, sellOne, tap } from './cashier';
import { createStore } from './settings';
import { sku, syncWorker } from './store';

test('a five-line ticket survives closing the page and comes back the same', async ({ context }) => {
  const page = await context.newPage();
  await openRegister(page);
  for (const name of ['Classic Burger', 'Fries', 'Cola', 'Brownie', 'Latte']) await tap(page, name);
  await tap(page, 'Fries'); // two fries on one line
  await expect(page.getByTestId('ticket-line')).toHaveCount(5);
  const before = await page.getByTestId('ticket-line').allTextContents();
  const total = await page.getByTestId('ticket-total').textContent();
  await page.close();

  const again = await context.newPage();
  await openRegister(again);
  await expect(again.getByTestId('ticket-line')).toHaveCount(5);
  expect(await again.getByTestId('ticket-line').allTextContents()).toEqual(before);
  await expect(again.getByTestId('ticket-total')).toHaveText(total!);
  // Finish it: the sale is kept once and the ticket is gone after a reload.
  await again.getByTestId('pay').click();
  await again.getByTestId('quick-cash').first().click();
  await expect(again.getByTestId('completed')).toBeVisible();
  await again.reload();
  await expect(again.getByTestId('product').first()).toBeVisible();
  await expect(again.getByTestId('ticket-line')).toHaveCount(0);
  expect(await salesNumbers(again)).toHaveLength(1);
});

test('a sale is in the list with its receipt number after a reload', async ({ page }) => {
  await openRegister(page);
  const number = await sellOne(page, 'Hot Dog');
  expect(number).toMatch(/^[A-Z0-9]{4}-000001$/);
  await page.reload();
  await expect(page.getByTestId('product').first()).toBeVisible();
  expect(await salesNumbers(page)).toEqual([number]);
  // Found by its number, or by the bare sequence.
  await page.getByTestId('find-receipt').fill('1');
  await page.getByTestId('find-receipt').press('Enter');
  await expect(page.getByTestId('receipt')).toContainText('Hot Dog');
  await expect(page.getByTestId('receipt-number')).toContainText(number);
});

test('two pages of the same register sell at the same time: every sale once, numbers unique', async ({ context }) => {
  const pages = [await context.newPage(), await context.newPage()];
  for (const p of pages) await openRegister(p);
  // Each tab has its own open ticket.
  await tap(pages[0], 'Cola');
  await tap(pages[1], 'Still Water');
  await pages[0].reload();
  await expect(pages[0].getByTestId('ticket-line')).toContainText('Cola');
  await expect(pages[1].getByTestId('ticket-line')).toContainText('Still Water');
  for (const p of pages) await p.getByRole('button', { name: 'Remove' }).click();

  const perPage = 6;
  const sold = await Promise.all(
    pages.map(async (p, i) => {
      const numbers: string[] = [];
      for (let n = 0; n < perPage; n++) numbers.push(await sellOne(p, i === 0 ? 'Espresso' : 'Churros'));
      return numbers;
    }),
  );
  const all = sold.flat();
  expect(new Set(all).size).toBe(2 * perPage);
  const sequences = all.map((n) => Number(n.split('-')[1])).sort((a, b) => a - b);
  expect(sequences).toEqual(Array.from({ length: 2 * perPage }, (_, i) => i + 1));
  for (const p of pages) {
    const listed = await salesNumbers(p);
    expect(listed.length).toBe(2 * perPage);
    expect(new Set(listed)).toEqual(new Set(all));
  }
});

/** Makes every IndexedDB write throw QuotaExceededError while window.__failWrites is true. */
async function installQuotaFault(context: BrowserContext) {
  await context.addInitScript(() => {
    for (const method of ['add', 'put'] as const) {
      const original = IDBObjectStore.prototype[method];
      IDBObjectStore.prototype[method] = function (this: IDBObjectStore, ...args: unknown[]) {
        if ((window as unknown as { __failWrites?: boolean }).__failWrites) {
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        }
        return (original as (...a: unknown[]) => IDBRequest).apply(this, args);
      } as never;
    }
  });
}

test('a write failure keeps the ticket open, says what to do, and a retry keeps the sale once', async ({ context }) => {
  await installQuotaFault(context);
  const page = await context.newPage();
  await openRegister(page);
  await sellOne(page, 'Nachos');
  await tap(page, 'Classic Burger');
  await tap(page, 'Cola');
  await page.getByTestId('pay').click();
  await page.evaluate(() => ((window as unknown as { __failWrites: boolean }).__failWrites = true));
  await page.getByTestId('cash-amount').fill('20');
  await page.getByTestId('take-cash').click();

  await expect(page.getByTestId('notice')).toContainText('storage is full');
  await expect(page.getByTestId('notice')).toContainText('NOT saved');
  await expect(page.getByTestId('completed')).toBeHidden();
  await expect(page.getByTestId('pay-dialog')).toBeVisible();
  await expect(page.getByTestId('retry-save')).toBeVisible();

  await page.evaluate(() => ((window as unknown as { __failWrites: boolean }).__failWrites = false));
  await page.getByTestId('retry-save').click();
  await expect(page.getByTestId('completed')).toBeVisible();
  await expect(page.getByTestId('change-amount')).toHaveText('€9.00');
  const numbers = await salesNumbers(page);
  expect(numbers).toHaveLength(2);
  expect(numbers[0]).toMatch(/-000002$/);
});

interface Records {
  keys: (string | number)[];
  values: unknown[];
}

/** Every record of the register's database, by object store, and its version. */
async function dumpDatabase(page: Page) {
  return page.evaluate(async () => {
    const db: IDBDatabase = await new Promise((ok, err) => {
      const r = indexedDB.open('register');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => err(r.error);
    });
    const stores: Record<string, { keys: (string | number)[]; values: unknown[] }> = {};
    for (const name of Array.from(db.objectStoreNames)) {
      stores[name] = await new Promise((ok) => {
        const tx = db.transaction(name);
        const keys = tx.objectStore(name).getAllKeys();
        const values = tx.objectStore(name).getAll();
        tx.oncomplete = () => ok({ keys: keys.result as (string | number)[], values: values.result });
      });
    }
    const version = db.version;
    db.close();
    return { version, stores };
  });
}

/** The `kv` records as schema versions 1 to 4 kept them: the store profile and the whole catalog
 * as one JSON text under `catalog` (rebuilt from version 5's records), `change` applied to it. */
function withWholeCatalog(
  kv: Records,
  products: Records,
  change: (whole: { store: unknown; catalog: { products: Record<string, unknown>[] } }) => void = () => {},
): Records {
  const at = (key: string) => kv.values[kv.keys.indexOf(key)] as string;
  const { store, ...rest } = JSON.parse(at('catalog_meta'));
  const records = products.values.map((v) => JSON.parse(v as string)).sort((a, b) => a.pos - b.pos);
  const whole = { store, catalog: { ...rest, products: records.map((r) => r.product) } };
  change(whole);
  const keep = kv.keys.map((k, i) => [k, kv.values[i]] as const).filter(([k]) => k !== 'catalog_meta' && k !== 'catalog_write');
  return {
    keys: [...keep.map(([k]) => k), 'catalog'],
    values: [...keep.map(([, v]) => v), JSON.stringify(whole)],
  };
}

/** Replaces the register's database by one of schema `version` (1 or 4) holding `kv` and `sales`,
 * as that version created it. Call it on a page of the origin that does not hold the database. */
async function seedOldDatabase(page: Page, version: 1 | 4, kv: Records, sales: unknown[]) {
  await page.evaluate(
    async ({ version, kv, sales }) => {
      await new Promise((ok, err) => {
        const del = indexedDB.deleteDatabase('register');
        del.onsuccess = ok;
        del.onerror = () => err(del.error);
      });
      const db: IDBDatabase = await new Promise((ok, err) => {
        const r = indexedDB.open('register', version);
        r.onupgradeneeded = () => {
          r.result.createObjectStore('kv');
          const byId = r.result.createObjectStore('sales', { keyPath: 'id' });
          if (version >= 4) {
            byId.createIndex('by_receipt', 'receipt', { unique: true });
            r.result.createObjectStore('docs', { keyPath: 'key' });
            r.result.createObjectStore('audit', { autoIncrement: true });
            r.result.createObjectStore('outbox');
          }
        };
        r.onsuccess = () => ok(r.result);
        r.onerror = () => err(r.error);
      });
      await new Promise((ok) => {
        const tx = db.transaction(['kv', 'sales'], 'readwrite');
        kv.keys.forEach((k, i) => tx.objectStore('kv').put(kv.values[i], k));
        for (const v of sales) tx.objectStore('sales').put(v);
        tx.oncomplete = ok;
      });
      db.close();
    },
    { version, kv, sales },
  );
}

/** The names on the register's product tiles, in order. */
async function tileNames(page: Page) {
  return page.getByTestId('product').locator('.tile-name').allTextContents();
}

function tilePrice(page: Page, name: string) {
  return page
    .getByTestId('product')
    .filter({ has: page.locator('.tile-name', { hasText: new RegExp(`^${name}$`) }) })
    .locator('.tile-price');
}

test('a database written by schema version 1 is migrated without loss', async ({ page }) => {
  // Make two real sales, read their records, then rebuild the database as version 1 had it.
  await openRegister(page);
  await sellOne(page, 'Quesadilla');
  await sellOne(page, 'Coleslaw');
  const dump = await dumpDatabase(page);
  expect(dump.version).toBe(5);
  expect(dump.stores.sales.values).toHaveLength(2);

  await page.goto('/health');
  await seedOldDatabase(page, 1, withWholeCatalog(dump.stores.kv, dump.stores.products), dump.stores.sales.values);

  await openRegister(page);
  const numbers = await salesNumbers(page);
  expect(numbers).toHaveLength(2);
  // The index added by version 2 finds the old sales, and numbering carries on (now version 5).
  await page.getByTestId('find-receipt').fill(numbers[1]);
  await page.getByTestId('find-receipt').press('Enter');
  await expect(page.getByTestId('receipt')).toContainText('Quesadilla');
  await page.getByTestId('nav-register').click();
  expect(await sellOne(page, 'Brownie')).toMatch(/-000003$/);
  const schema = await page.evaluate(
    () =>
      new Promise<{ version: number; stores: string[] }>((ok) => {
        const r = indexedDB.open('register');
        r.onsuccess = () => {
          ok({ version: r.result.version, stores: Array.from(r.result.objectStoreNames) });
          r.result.close();
        };
      }),
  );
  // Version 3 added the cash drawer's audit store and the store's documents on top of version 1's
  // stores, version 4 the outbox of records on their way into the documents, version 5 the
  // catalog's products as records.
  expect(schema.version).toBe(5);
  expect(schema.stores).toEqual(['audit', 'docs', 'kv', 'outbox', 'products', 'sales']);
});

test('a catalog kept whole by schema version 4 opens from records with the same products, order and prices', async ({ page }) => {
  await openRegister(page);
  await sellOne(page, 'Fries');
  const dump = await dumpDatabase(page);
  const demo = await tileNames(page);
  const demoPrices = await page.getByTestId('product').locator('.tile-price').allTextContents();
  // Another order than the demo's, another price and 2,000 products more, so that what shows can
  // only come from this entry, and none of it is lost on the way.
  let names: string[] = [];
  const kv = withWholeCatalog(dump.stores.kv, dump.stores.products, (whole) => {
    const products = whole.catalog.products;
    products.reverse();
    products[0].price = '7.77';
    const first = products[0];
    for (let i = 0; i < 2000; i++) {
      const n = String(i).padStart(4, '0');
      products.push({ ...first, id: `bulk-${n}`, name: `Bulk item ${n}`, sku: `BULK-${n}`, barcodes: [], price: `1.${n.slice(2)}` });
    }
    names = products.map((p) => p.name as string);
  });
  expect(names.slice(0, demo.length)).toEqual([...demo].reverse());

  await page.goto('/health');
  await seedOldDatabase(page, 4, kv, dump.stores.sales.values);
  const check = async () => {
    await openRegister(page);
    const shown = await tileNames(page);
    expect(shown.length).toBeGreaterThan(demo.length);
    expect(shown).toEqual(names.slice(0, shown.length));
    const prices = await page.getByTestId('product').locator('.tile-price').allTextContents();
    expect(prices[0]).toMatch(/7\.77/);
    expect(prices.slice(1, demo.length)).toEqual([...demoPrices].reverse().slice(1));
    await page.getByTestId('search').fill('Bulk item 1999');
    await expect(page.getByTestId('product')).toHaveCount(1);
    await expect(tilePrice(page, 'Bulk item 1999')).toHaveText(/1\.99/);
    await page.getByTestId('search').fill('');
  };
  await check();
  expect(await salesNumbers(page)).toHaveLength(1);
  const after = await dumpDatabase(page);
  expect(after.version).toBe(5);
  expect(after.stores.kv.keys).not.toContain('catalog');
  expect(after.stores.kv.keys).toContain('catalog_meta');
  expect(after.stores.products.keys).toHaveLength(names.length);
  // The next start reads the records back, in the same order.
  await check();
});

test('a catalog of schema version 4 that cannot be read stops the upgrade and leaves version 4 as it was', async ({ page }) => {
  await openRegister(page);
  await sellOne(page, 'Cola');
  const dump = await dumpDatabase(page);
  const kv = withWholeCatalog(dump.stores.kv, dump.stores.products);
  const broken = '{"store": {"name": "Half a catal';
  kv.values[kv.keys.indexOf('catalog')] = broken;
  await page.goto('/health');
  await seedOldDatabase(page, 4, kv, dump.stores.sales.values);

  // The register says it cannot open rather than start with no catalog or the demo menu.
  await page.goto('/');
  await expect(page.getByTestId('storage-unavailable')).toContainText('the stored catalog is unreadable');
  await expect(page.getByTestId('product')).toHaveCount(0);
  // The upgrade was aborted whole: version 4, no products store, the entry and the sale untouched.
  await page.goto('/health');
  const after = await dumpDatabase(page);
  expect(after.version).toBe(4);
  expect(Object.keys(after.stores)).toEqual(['audit', 'docs', 'kv', 'outbox', 'sales']);
  expect(after.stores.kv.values[after.stores.kv.keys.indexOf('catalog')]).toBe(broken);
  expect(after.stores.sales.values).toEqual(dump.stores.sales.values);
});

interface CatalogWrite {
  store: string;
  op: string;
  key: string;
  bytes: number;
  value?: string;
}

/** Records from now on, where it runs (the page or its sync worker, which saves what the store's
 * documents say), every put and delete on the `products` and `kv` stores; run again, it empties
 * the record. */
function recordCatalogWrites() {
  const scope = globalThis as unknown as { catalogWrites?: CatalogWrite[] };
  if (scope.catalogWrites) {
    scope.catalogWrites.length = 0;
    return;
  }
  const log: CatalogWrite[] = (scope.catalogWrites = []);
  const watched = (store: IDBObjectStore) => store.name === 'products' || store.name === 'kv';
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
    if (watched(this)) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      log.push({ store: this.name, op: 'put', key: String(key), bytes: text.length, value: this.name === 'products' || String(key) === 'catalog_head' ? text : undefined });
    }
    return put.call(this, value, key);
  } as typeof put;
  const del = IDBObjectStore.prototype.delete;
  IDBObjectStore.prototype.delete = function (this: IDBObjectStore, key: IDBValidKey | IDBKeyRange) {
    if (watched(this)) log.push({ store: this.name, op: 'delete', key: String(key), bytes: 0 });
    return del.call(this, key);
  } as typeof del;
}

test('a price edit writes one product record, not the catalog', async ({ browser, server }) => {
  test.setTimeout(90_000);
  const context = await browser.newContext({ viewport: TABLET });
  const page = await context.newPage();
  await page.goto(server.setupLink());
  await createStore(page, 'Corner Kiosk');
  await page.getByTestId('nav-register').click();
  const fries = await sku(page, 'Fries');
  await page.getByTestId('nav-settings').click();
  const worker = await syncWorker(page);
  const writes = async () => {
    const read = () => (globalThis as unknown as { catalogWrites: CatalogWrite[] }).catalogWrites;
    return [...(await page.evaluate(read)), ...(await worker.evaluate(read))];
  };
  await Promise.all([page.evaluate(recordCatalogWrites), worker.evaluate(recordCatalogWrites)]);
  // The store's catalog was saved when the store was made; wait until no more writes come.
  for (let before = -1, now = (await writes()).length; before !== now; ) {
    await page.waitForTimeout(500);
    [before, now] = [now, (await writes()).length];
  }
  await Promise.all([page.evaluate(recordCatalogWrites), worker.evaluate(recordCatalogWrites)]);

  const row = page.getByTestId(`product-${fries}`);
  await row.getByTestId('price-input').fill('4.20');
  await row.getByTestId('save-price').click();
  await page.getByTestId('nav-register').click();
  await expect(tilePrice(page, 'Fries')).toHaveText(/4\.20/);
  await expect.poll(async () => (await writes()).filter((w) => w.store === 'products').length).toBeGreaterThan(0);
  await page.waitForTimeout(1000); // nothing else follows
  const log = await writes();
  const products = log.filter((w) => w.store === 'products');
  expect(products.map((w) => w.op)).toEqual(['put']);
  const record = JSON.parse(products[0].value!);
  expect(record.product.sku).toBe(fries);
  expect(record.product.price).toBe('4.20');
  // Neither the catalog whole (schema version 4) nor the store profile is written again: of the
  // catalog's `kv` entries only the id of this save, a few dozen bytes, and the first screen of
  // products the next start draws from (at most 120 products, whatever the catalog's size).
  const catalogKv = log.filter((w) => w.store === 'kv' && w.key.startsWith('catalog'));
  expect(catalogKv.map((w) => w.key).sort()).toEqual(['catalog_head', 'catalog_write']);
  expect(catalogKv.find((w) => w.key === 'catalog_write')!.bytes).toBeLessThan(64);
  const head = JSON.parse(catalogKv.find((w) => w.key === 'catalog_head')!.value!);
  expect(head.products.length).toBeLessThanOrEqual(120);
  expect(head.products.find((p: { sku: string }) => p.sku === fries).price).toBe('4.20');

  // The next start shows the new price from the records.
  await page.reload();
  await expect(page.getByTestId('product').first()).toBeVisible();
  await expect(tilePrice(page, 'Fries')).toHaveText(/4\.20/);
  await context.close();
});

test('a card approval recorded before a reload is still there, so the card is never charged twice', async ({ page }) => {
  await openRegister(page);
  await tap(page, 'Double Smash');
  await page.getByTestId('pay').click();
  await page.getByTestId('method-card').click();
  await page.getByTestId('card-amount').fill('5.00');
  await page.getByTestId('auth-code').fill('777111');
  await page.getByTestId('confirm-card').click();
  await expect(page.getByTestId('remaining')).toHaveText('€7.00');

  await page.reload();
  await expect(page.getByTestId('pay-dialog')).toBeVisible();
  await expect(page.getByTestId('tender')).toHaveText(['Card €5.00 (Auth 777111 · card •••• ····)']);
  await expect(page.getByTestId('remaining')).toHaveText('€7.00');
  await page.getByTestId('method-cash').click();
  await page.getByTestId('quick-cash').first().click();
  await expect(page.getByTestId('completed')).toBeVisible();
  await expect(page.getByTestId('receipt')).toContainText('777111');
  expect(await salesNumbers(page)).toHaveLength(1);
});
