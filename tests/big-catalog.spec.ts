// A large catalog starts from its first screen (`kv` `catalog_head`) and the other products are
// read after the register is drawn. While they are being read, nothing may act on the part
// shown as if it were the whole: a code of a product not read yet is found once it is, and the
// store profile is not kept with a catalog that would lose the products not read.

import { type Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { openRegister } from './cashier';

const BULK = 3000;

/** Adds `BULK` products after the demo menu's, as a save by a version that kept no first screen
 * would have left them: new records, a new `catalog_write`, no `catalog_head`. */
async function addBulkProducts(page: Page) {
  await page.evaluate(async (bulk) => {
    const db: IDBDatabase = await new Promise((ok, err) => {
      const r = indexedDB.open('register');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => err(r.error);
    });
    const records: { pos: number; product: Record<string, unknown> }[] = await new Promise((ok) => {
      const r = db.transaction('products').objectStore('products').getAll();
      r.onsuccess = () => ok((r.result as string[]).map((t) => JSON.parse(t)));
    });
    const last = records.reduce((a, b) => (a.pos > b.pos ? a : b));
    await new Promise<void>((ok, err) => {
      const tx = db.transaction(['products', 'kv'], 'readwrite');
      for (let i = 0; i < bulk; i++) {
        const n = String(i).padStart(4, '0');
        const product = { ...last.product, id: `bulk-${n}`, name: `Bulk item ${n}`, sku: `BULK-${n}`, barcodes: [], price: '1.50' };
        tx.objectStore('products').put(JSON.stringify({ pos: last.pos + (i + 1) * 1024, product }), product.id);
      }
      tx.objectStore('kv').put(JSON.stringify('written-without-a-head'), 'catalog_write');
      tx.objectStore('kv').delete('catalog_head');
      tx.oncomplete = () => ok();
      tx.onerror = () => err(tx.error);
    });
    db.close();
  }, BULK);
}

async function storedProductCount(page: Page) {
  return page.evaluate(async () => {
    const db: IDBDatabase = await new Promise((ok, err) => {
      const r = indexedDB.open('register');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => err(r.error);
    });
    const count: number = await new Promise((ok) => {
      const r = db.transaction('products').objectStore('products').count();
      r.onsuccess = () => ok(r.result);
    });
    db.close();
    return count;
  });
}

/** From the next start on (while `localStorage.holdCatalog` is set), the register's reads of
 * `products` answer only when the test calls `window.releaseCatalog()`: the window in which the
 * register shows the first screen and the other products are not read yet, made as long as the
 * test needs. (Holding the object store with another transaction would hold every write too:
 * Chromium runs one readwrite transaction of a database at a time.) */
async function holdCatalogReads(page: Page) {
  await page.addInitScript(() => {
    if (localStorage.getItem('holdCatalog') !== '1') return;
    const w = window as unknown as { releaseCatalog: () => void; released: Promise<void> };
    w.released = new Promise((r) => (w.releaseCatalog = r));
    const getAll = IDBObjectStore.prototype.getAll;
    const onsuccess = Object.getOwnPropertyDescriptor(IDBRequest.prototype, 'onsuccess')!;
    IDBObjectStore.prototype.getAll = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['getAll']>) {
      const request = getAll.apply(this, args);
      if (this.name !== 'products') return request;
      const later = (f: (e: Event) => void) => (e: Event) => void w.released.then(() => f.call(request, e));
      Object.defineProperty(request, 'onsuccess', {
        get: () => onsuccess.get!.call(request),
        set: (f) => onsuccess.set!.call(request, f && later(f)),
      });
      const add = request.addEventListener.bind(request);
      request.addEventListener = ((type: string, f: (e: Event) => void, o?: boolean | AddEventListenerOptions) =>
        add(type, type === 'success' ? later(f) : f, o)) as typeof request.addEventListener;
      return request;
    };
  });
  await page.evaluate(() => localStorage.setItem('holdCatalog', '1'));
}

test('a large catalog draws its first screen at once; codes, search and settings wait for the rest', async ({ page }) => {
  await openRegister(page);
  const demo = await page.getByTestId('product').count();
  await addBulkProducts(page);

  // The first start after such a save reads every product, and keeps the first screen.
  await page.reload();
  await expect(page.getByTestId('product')).toHaveCount(120);
  await expect(page.getByTestId('product').nth(demo)).toContainText('Bulk item 0000');

  // The next start draws from the first screen while the rest cannot be read yet.
  await holdCatalogReads(page);
  await page.reload();
  await expect(page.getByTestId('product')).toHaveCount(120);
  await expect(page.getByTestId('product').nth(demo)).toContainText('Bulk item 0000');

  // A code of a product not read yet (the last one) is added once it is, not refused.
  const search = page.getByTestId('search');
  await search.fill('BULK-2999');
  await search.press('Enter');
  // Keeping the store profile now would keep the catalog without the products not read yet.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('save-receipt-settings').click();
  await expect(page.getByTestId('notice')).toContainText('still loading');
  await page.getByTestId('nav-register').click();
  await expect(page.getByTestId('ticket-line')).toHaveCount(0);
  await search.fill('Bulk item 2998');
  await expect(page.getByTestId('product')).toHaveCount(0);

  // The rest of the catalog is read: the code waiting is added, the search finds its product.
  await page.evaluate(() => (window as unknown as { releaseCatalog: () => void }).releaseCatalog());
  await expect(page.getByTestId('ticket-line')).toContainText('Bulk item 2999');
  await expect(page.getByTestId('notice').filter({ hasText: 'No product' })).toHaveCount(0);
  await expect(page.getByTestId('product')).toHaveCount(1);
  await search.fill('');

  // Kept now, with the whole catalog: no product is lost, and the next start shows the change.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('receipt-store-name').fill('Big Shop');
  await page.getByTestId('save-receipt-settings').click();
  await expect(page.getByTestId('notice')).toContainText('Receipt settings saved');
  expect(await storedProductCount(page)).toBe(demo + BULK);
  await page.evaluate(() => localStorage.removeItem('holdCatalog'));
  await page.reload();
  await expect(page.getByTestId('product')).toHaveCount(120);
  await expect(page.locator('.store-name')).toHaveText('Big Shop');
  await page.getByTestId('search').fill('Bulk item 2999');
  await expect(page.getByTestId('product')).toHaveCount(1);
  expect(await storedProductCount(page)).toBe(demo + BULK);
});
