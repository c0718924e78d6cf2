// The register keeps everything in IndexedDB: an open ticket survives a closed tab, two tabs sell
// at once without doubling or reusing a number, a write failure keeps the ticket open, and a
// database of the previous schema version is migrated without loss.
import { expect, test, type BrowserContext } from '@playwright/test';
import { openRegister, salesNumbers, sellOne, tap } from './cashier';

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

test('a database written by schema version 1 is migrated without loss', async ({ page }) => {
  // Make two real sales, read their records, then rebuild the database as version 1 had it.
  await openRegister(page);
  await sellOne(page, 'Quesadilla');
  await sellOne(page, 'Coleslaw');
  const dump = await page.evaluate(async () => {
    const db: IDBDatabase = await new Promise((ok, err) => {
      const r = indexedDB.open('register');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => err(r.error);
    });
    const read = (store: string) =>
      new Promise<{ keys: IDBValidKey[]; values: unknown[] }>((ok) => {
        const tx = db.transaction(store);
        const keys = tx.objectStore(store).getAllKeys();
        const values = tx.objectStore(store).getAll();
        tx.oncomplete = () => ok({ keys: keys.result, values: values.result });
      });
    const result = { version: db.version, kv: await read('kv'), sales: await read('sales') };
    db.close();
    return result;
  });
  expect(dump.version).toBe(4);
  expect(dump.sales.values).toHaveLength(2);

  await page.goto('/health');
  await page.evaluate(async (dump) => {
    await new Promise((ok, err) => {
      const del = indexedDB.deleteDatabase('register');
      del.onsuccess = ok;
      del.onerror = () => err(del.error);
    });
    const db: IDBDatabase = await new Promise((ok, err) => {
      const r = indexedDB.open('register', 1);
      r.onupgradeneeded = () => {
        r.result.createObjectStore('kv');
        r.result.createObjectStore('sales', { keyPath: 'id' });
      };
      r.onsuccess = () => ok(r.result);
      r.onerror = () => err(r.error);
    });
    await new Promise((ok) => {
      const tx = db.transaction(['kv', 'sales'], 'readwrite');
      dump.kv.keys.forEach((k, i) => tx.objectStore('kv').put(dump.kv.values[i], k));
      for (const v of dump.sales.values) tx.objectStore('sales').put(v);
      tx.oncomplete = ok;
    });
    db.close();
  }, dump);

  await openRegister(page);
  const numbers = await salesNumbers(page);
  expect(numbers).toHaveLength(2);
  // The index added by version 2 finds the old sales, and numbering carries on (now version 4).
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
  // stores, version 4 the outbox of records on their way into the documents.
  expect(schema.version).toBe(4);
  expect(schema.stores).toEqual(['audit', 'docs', 'kv', 'outbox', 'sales']);
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
