// Returns line by line: the cashier picks what comes back of a sale and how many, the money goes
// back for those lines only, and what is left can be returned later, on any device of the store;
// two devices that return the same line while they cannot see each other are flagged for a
// manager once they sync.
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { PHONE, TABLET, openRegister, plain, sellCashTicket, switchLanguage } from './cashier';
import { openRefund, setUpTwoDevices } from './store';
import { createStore } from './settings';

function line(page: Page, name: string) {
  return page.getByTestId('refund-line').filter({ hasText: name });
}

/** Chooses to return only `count` of `name`. */
async function returnOnly(page: Page, name: string, count: number) {
  await page.getByTestId('refund-none').click();
  for (let i = 0; i < count; i++) await line(page, name).getByTestId('refund-qty-plus').click();
}

async function confirmRefund(page: Page, reason: string) {
  await page.getByTestId('refund-reason').fill(reason);
  await page.getByTestId('refund-confirm').click();
  await expect(page.getByTestId('refund-done')).toBeVisible();
  await page.getByTestId('refund-close').click();
}

test('one item of three comes back: only its share is paid back, the rest is returned later, and nothing twice', async ({ page }) => {
  await openRegister(page, PHONE);
  await sellCashTicket(page, ['Fries', 'Cola', 'Cola']);

  await openRefund(page);
  // Everything left comes back unless the cashier says otherwise.
  await expect(page.getByTestId('refund-line')).toHaveCount(2);
  await expect(line(page, 'Cola').getByTestId('refund-qty')).toHaveValue('2');
  expect(plain(await page.getByTestId('refund-cash').textContent())).toBe('€8.50');
  await page.getByTestId('refund-none').click();
  await expect(page.getByTestId('refund-problem')).toHaveText('Choose at least one item to return.');
  await expect(page.getByTestId('refund-confirm')).toBeDisabled();
  await returnOnly(page, 'Cola', 1);
  expect(plain(await page.getByTestId('refund-cash').textContent())).toBe('€2.50');
  await page.getByTestId('refund-reason').fill('Flat');
  await page.getByTestId('refund-confirm').click();
  expect(plain(await page.getByTestId('refund-hand-back').textContent())).toBe('Hand back €2.50 in cash.');
  await page.getByTestId('refund-close').click();
  await expect(page.getByTestId('sale-partly-refunded')).toHaveText('Partly refunded');

  // The second return offers what is left: the fries and the other cola.
  await openRefund(page);
  await expect(line(page, 'Cola').getByTestId('refund-returned')).toHaveText('1 of 2 returned');
  await expect(line(page, 'Cola').getByTestId('refund-qty')).toHaveValue('1');
  await expect(line(page, 'Cola').getByTestId('refund-qty-plus')).toBeDisabled();
  // More than is left is not taken: the quantity stays at what is left.
  await line(page, 'Cola').getByTestId('refund-qty').fill('2');
  await line(page, 'Cola').getByTestId('refund-qty').blur();
  await expect(line(page, 'Cola').getByTestId('refund-qty')).toHaveValue('1');
  expect(plain(await page.getByTestId('refund-cash').textContent())).toBe('€6.00');
  await confirmRefund(page, 'Changed their mind');
  await expect(page.getByTestId('sale-refunded')).toHaveText('Refunded');
  await expect(page.getByTestId('refund-sale')).toHaveCount(0);

  // Both refunds are durable: after a reload the sale is still wholly refunded.
  await page.reload();
  await expect(page.getByTestId('product').first()).toBeVisible();
  await page.getByTestId('nav-sales').click();
  await expect(page.getByTestId('sale-refunded')).toBeVisible();
  await expect(page.getByTestId('refund-sale')).toHaveCount(0);
});

test('in Russian on a tablet: the picker and the partial refund speak Russian', async ({ page }) => {
  await openRegister(page, TABLET);
  await switchLanguage(page, 'ru');
  await sellCashTicket(page, ['Fries', 'Fries']);
  await openRefund(page);
  await returnOnly(page, 'Fries', 1);
  expect(plain(await page.getByTestId('refund-cash').textContent())).toBe('3,50 €');
  await confirmRefund(page, 'Остыла');
  await expect(page.getByTestId('sale-partly-refunded')).toHaveText('Частичный возврат');
  await openRefund(page);
  await expect(line(page, 'Fries').getByTestId('refund-returned')).toHaveText('возвращено 1 из 2');
});

test('two devices of a store: a line returned on one is not offered again on the other; returned on both offline, it is flagged', async ({ browser, server }) => {
  const { owner, second } = await setUpTwoDevices(browser, server);
  await sellCashTicket(owner, ['Fries', 'Cola']);
  await second.getByTestId('nav-sales').click();
  await expect(second.getByTestId('sale-row')).toHaveCount(1, { timeout: 20_000 });

  // Online: the phone returns the cola; the tablet then offers only the fries.
  await openRefund(second);
  await returnOnly(second, 'Cola', 1);
  await confirmRefund(second, 'Flat');
  await expect(second.getByTestId('sale-partly-refunded')).toBeVisible();
  await expect(second.getByTestId('sync-status')).toHaveText('Synced', { timeout: 20_000 });
  await openRefund(owner);
  // The phone's refund reaches the tablet by sync, into the open dialog too: the cola is no
  // longer offered, whether it came before the dialog opened or after.
  await expect(line(owner, 'Cola').getByTestId('refund-returned')).toHaveText('1 of 1 returned', { timeout: 20_000 });
  await expect(line(owner, 'Cola').getByTestId('refund-qty')).toBeDisabled();
  expect(plain(await owner.getByTestId('refund-cash').textContent())).toBe('€3.50');
  await owner.getByTestId('refund-cancel').click();

  // Offline, both return the fries: neither can know of the other's.
  await server.stop('SIGKILL');
  await expect(owner.getByTestId('sync-status')).toHaveText('Offline', { timeout: 20_000 });
  await expect(second.getByTestId('sync-status')).toHaveText('Offline', { timeout: 20_000 });
  for (const page of [owner, second]) {
    await openRefund(page);
    await returnOnly(page, 'Fries', 1);
    await confirmRefund(page, 'Cold');
    await expect(page.getByTestId('sale-refunded')).toBeVisible();
  }
  await server.restart();
  for (const page of [owner, second]) {
    await expect(page.getByTestId('sync-status')).toHaveText('Synced', { timeout: 30_000 });
    await expect(page.getByTestId('sale-returned-too-often')).toHaveText('Returned more than sold: a manager must check', { timeout: 30_000 });
  }
  await owner.context().close();
  await second.context().close();
});

test('goods that come back damaged are written off: the money goes back, the stock does not', async ({ browser, server }) => {
  const context = await browser.newContext({ viewport: TABLET });
  const page = await context.newPage();
  await page.goto(server.setupLink());
  await createStore(page, 'Corner Shop');
  const tile = page.getByTestId('product').filter({ has: page.locator('.tile-name', { hasText: /^Cola$/ }) });
  const cola = (await tile.getAttribute('data-sku'))!;
  await page.getByTestId('nav-settings').click();
  const row = page.getByTestId(`product-${cola}`);
  await row.getByTestId('stock-input').fill('10');
  await row.getByTestId('save-stock').click();
  await page.getByTestId('nav-register').click();
  const left = () => tile.getByTestId('stock-left').getAttribute('data-left');
  await expect.poll(left).toBe('10');
  await sellCashTicket(page, ['Cola', 'Cola']);
  await expect.poll(left).toBe('8');

  // One cola comes back crushed: paid back, written off.
  await openRefund(page);
  await returnOnly(page, 'Cola', 1);
  await line(page, 'Cola').getByTestId('refund-damaged').check();
  expect(plain(await page.getByTestId('refund-cash').textContent())).toBe('€2.50');
  await confirmRefund(page, 'Crushed can');
  await page.getByTestId('nav-register').click();
  await page.waitForTimeout(1_000);
  expect(await left()).toBe('8');

  // The other comes back whole: back on the shelf.
  await openRefund(page);
  await confirmRefund(page, 'Changed their mind');
  await page.getByTestId('nav-register').click();
  await expect.poll(left).toBe('9');
  await page.reload();
  await expect(page.getByTestId('product').first()).toBeVisible();
  await expect.poll(left).toBe('9');
  await context.close();
});
