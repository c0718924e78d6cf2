// Issue #10: every sale exactly once under faults. One test per finding of the review that the
// browser shows; each failed on the code before the outbox (see the note).
import { type Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { plain, tap } from './cashier';
import { allSales, commitsFail, device, pairingCode, sellCash, setUpTwoDevices, sku } from './store';
import { createStore } from './settings';

async function takeExactCash(page: Page) {
  await page.getByTestId('quick-cash').first().click();
}

/** The price shown on a product's tile. */
async function tilePrice(page: Page, name: string) {
  const tile = page.getByTestId('product').filter({ has: page.locator('.tile-name', { hasText: new RegExp(`^${name}$`) }) });
  return plain(await tile.locator('.tile-price').textContent());
}

test('finding 2: a sale whose commit fails (a full disk) never reaches another device, and its number goes to the next sale', async ({ browser, server }) => {
  test.setTimeout(120_000);
  const { owner, second } = await setUpTwoDevices(browser, server);
  await tap(owner, 'Cola');
  await owner.getByTestId('pay').click();
  await commitsFail(owner, true);
  await takeExactCash(owner);
  await expect(owner.getByTestId('notice')).toContainText('NOT saved');
  await expect(owner.getByTestId('completed')).toBeHidden();

  // The customer leaves: the cashier takes the cash back and clears the ticket.
  await owner.locator('.undo-tender').click();
  await owner.getByTestId('cancel-payment').click();
  await owner.locator('.clear-ticket').click();
  await commitsFail(owner, false);

  // Traffic both ways gives the failed sale every chance to leak.
  await sellCash(second, 'Brownie');
  await expect.poll(async () => (await allSales(owner)).length, { timeout: 20_000 }).toBe(1);
  await owner.getByTestId('nav-register').click();

  // The owner's next sale is kept with the number the failed one did not keep.
  const nachos = await tilePrice(owner, 'Nachos');
  await tap(owner, 'Nachos');
  await owner.getByTestId('pay').click();
  await takeExactCash(owner);
  await expect(owner.getByTestId('completed')).toBeVisible();
  await expect(owner.getByTestId('receipt-number')).toContainText('-000001');
  await owner.getByTestId('new-sale').click();

  for (const page of [owner, second]) {
    await expect.poll(async () => (await allSales(page)).length, { timeout: 20_000 }).toBe(2);
    const numbers = await allSales(page);
    expect(new Set(numbers).size).toBe(2);
    await expect(page.getByTestId('sync-problem')).toHaveCount(0);
    await expect(page.getByTestId('document-problem')).toHaveCount(0);
  }
  // Only the Brownie and the Nachos exist anywhere: the Cola the cashier was told was not saved
  // is on neither device. The lists show numbers and totals, so a Cola that leaked under the
  // number the Nachos took would show the Cola's total there.
  const ownerRows = await numbersAndTotals(owner);
  expect(ownerRows).toContainEqual(expect.stringMatching(new RegExp(`-000001 ${nachos.replace(/[.]/g, '[.]')}$`)));
  expect(await numbersAndTotals(second)).toEqual(ownerRows);
});

/** Every row of the sales list as "number total", sorted. */
async function numbersAndTotals(page: Page) {
  await page.getByTestId('nav-sales').click();
  await expect(page.getByTestId('sales-list')).toBeAttached();
  await page.waitForTimeout(300);
  const rows = page.getByTestId('sale-row');
  const out: string[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    out.push(`${plain(await row.getByTestId('sale-number').textContent())} ${plain(await row.getByTestId('sale-total').textContent())}`);
  }
  return out.sort();
}

test('finding 3: sales made offline on 4 December reach the other device when the tablet comes back on 7 December', async ({ browser, server }) => {
  test.setTimeout(150_000);
  const start = new Date('2026-12-04T10:00:00');
  const owner = await device(browser, server.setupLink(), { clock: start });
  await createStore(owner, 'Weekend Market');
  const { link } = await pairingCode(owner);
  const tablet = await device(browser, link, { clock: start });
  await tablet.getByTestId('join-device-name').fill('Tablet');
  await tablet.getByTestId('join-store').click();
  await expect(tablet.getByTestId('sync-status')).toHaveText('Synced', { timeout: 20_000 });

  // The tablet loses the server on the 4th and sells two sales.
  await server.stop('SIGKILL');
  await expect(tablet.getByTestId('sync-status')).toHaveText('Offline', { timeout: 20_000 });
  await sellCash(tablet, 'Cola');
  await sellCash(tablet, 'Fries');

  // Three days later the server is back and the tablet's app is opened again.
  const later = new Date('2026-12-07T09:00:00');
  await owner.clock.setSystemTime(later);
  await tablet.clock.setSystemTime(later);
  await server.restart();
  await tablet.reload();
  // Until the server has them, the tablet does not claim to be synced.
  await expect(tablet.getByTestId('sync-status')).toHaveText('Synced', { timeout: 40_000 });
  await expect(tablet.getByTestId('sync-pending')).toHaveAttribute('data-count', '0', { timeout: 20_000 });
  await expect.poll(async () => (await allSales(owner)).length, { timeout: 30_000 }).toBe(2);
  // And after another start the tablet still has nothing to send.
  await tablet.reload();
  await expect(tablet.getByTestId('sync-status')).toHaveText('Synced', { timeout: 20_000 });
  await expect(tablet.getByTestId('sync-pending')).toHaveAttribute('data-count', '0');
});

test('finding 3: a tablet that reconnects without reloading counts its unsent sales until the server has them', async ({ browser, server }) => {
  test.setTimeout(120_000);
  const start = new Date('2026-12-04T18:00:00');
  const { owner, second } = await setUpTwoDevices(browser, server, { clock: start });
  await server.stop('SIGKILL');
  await expect(second.getByTestId('sync-status')).toHaveText('Offline', { timeout: 20_000 });
  await sellCash(second, 'Cola');
  await expect(second.getByTestId('sync-pending')).not.toHaveAttribute('data-count', '0');
  await second.clock.setSystemTime(new Date('2026-12-06T08:00:00'));
  await owner.clock.setSystemTime(new Date('2026-12-06T08:00:00'));
  await server.restart();
  await expect.poll(async () => (await allSales(owner)).length, { timeout: 40_000 }).toBe(1);
  await expect(second.getByTestId('sync-pending')).toHaveAttribute('data-count', '0', { timeout: 20_000 });
});

test('finding 4: a price change that cannot be stored is not sent and says so', async ({ browser, server }) => {
  test.setTimeout(120_000);
  const { owner, second } = await setUpTwoDevices(browser, server);
  const fries = await sku(owner, 'Fries');
  const cola = await sku(owner, 'Cola');
  const before = await tilePrice(second, 'Fries');
  await owner.getByTestId('nav-settings').click();
  await commitsFail(owner, true);
  const row = owner.getByTestId(`product-${fries}`);
  await row.getByTestId('price-input').fill('9.90');
  await row.getByTestId('save-price').click();
  await expect(owner.getByTestId('notice')).toContainText('NOT saved');
  await commitsFail(owner, false);
  // Another change that is stored goes out; the refused one never follows it.
  const colaRow = owner.getByTestId(`product-${cola}`);
  await colaRow.getByTestId('price-input').fill('2.75');
  await colaRow.getByTestId('save-price').click();
  await expect.poll(() => tilePrice(second, 'Cola'), { timeout: 20_000 }).toMatch(/2\.75/);
  expect(await tilePrice(second, 'Fries')).toBe(before);
  await owner.getByTestId('nav-register').click();
  expect(await tilePrice(owner, 'Fries')).toBe(before);
  await owner.reload();
  await expect(owner.getByTestId('product').first()).toBeVisible();
  expect(await tilePrice(owner, 'Fries')).toBe(before);
});

test('finding 7: a sale refunded at one till is shown refunded at the other and is not refunded again', async ({ browser, server }) => {
  test.setTimeout(120_000);
  const { owner, second } = await setUpTwoDevices(browser, server);
  await sellCash(owner, 'Cola');
  await expect.poll(async () => (await allSales(second)).length, { timeout: 20_000 }).toBe(1);
  await second.getByTestId('nav-register').click();

  await owner.getByTestId('nav-sales').click();
  await owner.getByTestId('refund-sale').click();
  await owner.getByTestId('refund-reason').fill('Spilled');
  await owner.getByTestId('refund-confirm').click();
  await expect(owner.getByTestId('refund-done')).toHaveText('Refunded', { timeout: 10_000 });

  await owner.getByTestId('refund-close').click();

  // The other till learns of it through the store's documents, and offers no second refund.
  await second.getByTestId('nav-sales').click();
  await expect(second.getByTestId('sale-refunded')).toHaveText('Refunded', { timeout: 30_000 });
  await expect(second.getByTestId('refund-sale')).toHaveCount(0);
  await second.reload();
  await second.getByTestId('nav-sales').click();
  await expect(second.getByTestId('sale-refunded')).toHaveText('Refunded');
});

test('finding 1: a refund started before midnight and confirmed after it goes into its own day, which every device still loads', async ({ browser, server }) => {
  test.setTimeout(150_000);
  const { owner, second } = await setUpTwoDevices(browser, server, { clock: new Date('2026-12-04T23:40:00') });
  // A card sale on the bank's own terminal, on the 4th.
  await tap(owner, 'Fries');
  await owner.getByTestId('pay').click();
  await owner.getByTestId('method-card').click();
  await owner.getByTestId('confirm-card').click();
  await expect(owner.getByTestId('completed')).toBeVisible();
  await owner.getByTestId('new-sale').click();
  await expect.poll(async () => (await allSales(second)).length, { timeout: 20_000 }).toBe(1);

  // At 23:55 the cashier starts its refund; the bank's terminal is slow.
  await owner.clock.setSystemTime(new Date('2026-12-04T23:55:00'));
  await owner.getByTestId('nav-sales').click();
  await owner.getByTestId('refund-sale').click();
  await owner.getByTestId('refund-reason').fill('Cold fries');
  await owner.getByTestId('refund-confirm').click();
  await expect(owner.getByTestId('refund-confirm-bank')).toBeVisible();

  // After midnight the register is opened again and the cashier confirms the refund.
  await owner.clock.setSystemTime(new Date('2026-12-05T00:10:00'));
  await second.clock.setSystemTime(new Date('2026-12-05T00:10:00'));
  await owner.reload();
  await owner.getByTestId('nav-sales').click();
  await owner.getByTestId('refund-sale').click();
  await owner.getByTestId('refund-confirm-bank').click();
  await expect(owner.getByTestId('refund-done')).toHaveText('Refunded');
  await owner.getByTestId('refund-close').click();

  // The 4th's document, written by two page loads of one device, loads everywhere.
  await second.reload();
  await second.getByTestId('nav-sales').click();
  await expect(second.getByTestId('sale-refunded')).toHaveText('Refunded', { timeout: 30_000 });
  for (const page of [owner, second]) {
    await page.reload();
    await expect(page.getByTestId('sync-status')).toHaveText('Synced', { timeout: 30_000 });
    await expect(page.getByTestId('document-problem')).toHaveCount(0);
    await expect(page.getByTestId('sync-problem')).toHaveCount(0);
  }
});
