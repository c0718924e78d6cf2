// Exchanges: goods brought back pay for the goods taken instead, on one ticket. The customer pays
// the difference, or gets it back through the way they first paid; the first sale shows as
// returned, and the drawer's figures hold only the money that moved. And goods brought back with
// no receipt: rung up on the ticket and paid back in cash.
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { PHONE, TABLET, openRegister, plain, sellOne, sellOneByCard, switchLanguage, tap } from './cashier';

/** The value shown in the shift report's row `testid`. */
async function reportValue(page: Page, testid: string) {
  return plain(await page.getByTestId('shift-report').getByTestId(testid).locator('td').textContent());
}

/** Opens the register on a tablet with a shift whose float is €100 (2 × €50). */
async function openWithFloatOf100(page: Page) {
  await openRegister(page, TABLET);
  await page.getByTestId('nav-shift').click();
  await page.getByTestId('float-50').fill('2');
  await page.getByTestId('shift-open').click();
  await expect(page.getByTestId('shift-opened')).toBeVisible();
  await page.getByTestId('nav-register').click();
}

function saleRow(page: Page, receipt: string) {
  return page.locator('li').filter({ has: page.getByTestId('sale-number').getByText(receipt, { exact: true }) });
}

/** Opens the refund of sale `receipt` from the list and chooses to exchange all of it. */
async function exchangeAll(page: Page, receipt: string, reason: string) {
  await page.getByTestId('nav-sales').click();
  await saleRow(page, receipt).getByTestId('refund-sale').click();
  await expect(page.getByTestId('refund-dialog')).toBeVisible();
  await page.getByTestId('refund-reason').fill(reason);
  await page.getByTestId('refund-exchange').click();
  await expect(page.getByTestId('refund-dialog')).toBeHidden();
}

test('the customer pays the difference: the goods brought back pay first, and the drawer expects only the cash taken', async ({ page }) => {
  await openWithFloatOf100(page);

  const hotDog = await sellOne(page, 'Hot Dog'); // €5.50 in cash
  await exchangeAll(page, hotDog, 'Wanted chili');

  // Back on the register, the ticket says what the goods brought back are worth.
  await expect(page.getByTestId('exchange-banner')).toContainText(`Exchange for receipt ${hotDog}`);
  expect(plain(await page.getByTestId('exchange-banner').textContent())).toContain('€5.50');
  await tap(page, 'Chili Dog'); // €6.50
  await page.getByTestId('pay').click();
  expect(plain(await page.getByTestId('amount-due').textContent())).toBe('€6.50');
  expect(plain(await page.getByTestId('remaining').textContent())).toBe('€1.00');
  expect(plain(await page.getByTestId('tender').first().textContent())).toBe('Goods brought back €5.50');
  // Giving the payment up keeps the exchange: the credit took no money.
  await page.getByTestId('cancel-payment').click();
  await expect(page.getByTestId('pay-dialog')).toBeHidden();
  await expect(page.getByTestId('exchange-banner')).toBeVisible();
  await page.getByTestId('pay').click();
  await page.getByTestId('quick-cash').first().click(); // the €1.00 difference
  await expect(page.getByTestId('completed')).toBeVisible();
  const chiliDog = plain(await page.getByTestId('receipt-number').textContent()).split(/\s+/).pop() ?? '';
  await page.getByTestId('new-sale').click();
  await expect(page.getByTestId('exchange-banner')).toBeHidden();

  // The hot dog is returned, also after a reload (kept with the new sale, in one transaction).
  await page.reload();
  await page.getByTestId('nav-sales').click();
  await expect(saleRow(page, hotDog).getByTestId('sale-refunded')).toBeVisible();
  await expect(saleRow(page, chiliDog).getByTestId('sale-total')).toHaveText('€6.50');

  // The drawer: float €100 + €5.50 + €1.00; the exchange is counted apart from cash.
  await page.getByTestId('nav-shift').click();
  await page.getByTestId('shift-x-report').click();
  expect(await reportValue(page, 'rep-paid-cash')).toBe('€6.50');
  expect(await reportValue(page, 'rep-paid-exchange')).toBe('€5.50');
  expect(await reportValue(page, 'rep-refunded-cash')).toBe('€0.00');
  expect(await reportValue(page, 'rep-refunded-exchange')).toBe('€5.50');
  expect(await reportValue(page, 'rep-net')).toBe('€6.50');
  expect(await reportValue(page, 'rep-cash-expected')).toBe('€106.50');
});

test('обмен на телефоне по-русски: возвращённый товар дороже нового, разница возвращается на карту', async ({ page }) => {
  await openRegister(page, PHONE);
  await switchLanguage(page, 'ru');
  const burger = await sellOneByCard(page, 'Classic Burger'); // 8,50 € картой (меню — данные магазина, не перевод)

  await exchangeAll(page, burger, 'Не тот заказ');
  await expect(page.getByTestId('exchange-banner')).toContainText(`Обмен по чеку ${burger}`);
  await tap(page, 'Hot Dog'); // 5,50 €
  await page.getByTestId('pay-phone').click();
  // Nothing is left to pay: the cashier sees what goes back and completes the exchange.
  expect(plain(await page.getByTestId('remaining').textContent())).toBe('0,00 €');
  await expect(page.getByTestId('exchange-gives-back')).toContainText('3,00 €');
  await page.getByTestId('complete-exchange').click();

  // The card part goes back on the bank's terminal: the refund dialog of the first sale asks
  // the cashier to confirm it, and the sale is returned only then.
  await expect(page.getByTestId('refund-dialog')).toBeVisible();
  expect(plain(await page.getByTestId('refund-card').textContent())).toBe('3,00 €');
  await expect(page.getByTestId('refund-method')).toContainText('3,00 €');
  await expect(page.getByTestId('refund-cash')).toBeHidden();
  await page.getByTestId('refund-confirm-bank').click();
  await expect(page.getByTestId('refund-done')).toBeVisible();
  await page.getByTestId('refund-close').click();
  await expect(saleRow(page, burger).getByTestId('sale-refunded')).toBeVisible();
  // The new sale was paid with the goods brought back alone.
  const newest = page.getByTestId('sale-row').first();
  expect(plain(await newest.getByTestId('sale-total').textContent())).toBe('5,50 €');

  // Nothing on the phone scrolls sideways.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test('goods brought back with no receipt: rung up on the ticket, paid back in cash from the drawer, kept across a reload', async ({ page }) => {
  await openWithFloatOf100(page);

  await tap(page, 'Cola');
  await tap(page, 'Cola'); // 2 × €2.50
  await page.getByTestId('return-no-receipt').click();
  await expect(page.getByTestId('return-dialog')).toContainText('€5.00');
  // A reason is needed.
  await page.getByTestId('return-confirm').click();
  await expect(page.getByTestId('notice')).toContainText('Give a reason');
  await page.getByTestId('return-reason').fill('Lost the receipt');
  await page.getByTestId('return-confirm').click();
  await expect(page.getByTestId('notice')).toContainText('Returned without a receipt');
  expect(plain(await page.getByTestId('notice').textContent())).toContain('Hand back €5.00 in cash');
  await expect(page.getByTestId('return-dialog')).toBeHidden();
  await expect(page.getByTestId('ticket-line')).toHaveCount(0);

  await page.reload();
  await page.getByTestId('nav-shift').click();
  await page.getByTestId('shift-x-report').click();
  expect(await reportValue(page, 'rep-refunded-cash')).toBe('€5.00');
  expect(await reportValue(page, 'rep-net')).toBe('-€5.00');
  expect(await reportValue(page, 'rep-cash-expected')).toBe('€95.00');
});
