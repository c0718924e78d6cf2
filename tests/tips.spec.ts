// What the store sets for taking money, as the owner sets it in Settings and the cashier meets it
// at payment: tip buttons (a percent or an amount, or a typed tip), kept from the change in cash
// and charged on top on a card, counted per staff member in the shift's report; and cash totals
// rounded in the customer's favour (as Russian law asks) to the store's cash step.
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { PHONE, TABLET, openRegister, plain, switchLanguage, tap } from './cashier';

async function saveReceiptSettings(page: Page, fields: Record<string, string>) {
  await page.getByTestId('nav-settings').click();
  for (const [testid, value] of Object.entries(fields)) {
    const field = page.getByTestId(testid);
    if ((await field.evaluate((e) => e.tagName)) === 'SELECT') await field.selectOption(value);
    else await field.fill(value);
  }
  await page.getByTestId('save-receipt-settings').click();
}

test('tip buttons: 10 % kept from the cash, a typed tip charged on the card, both in the shift report', async ({ page }) => {
  await openRegister(page, PHONE);
  // A list the register cannot read is refused with the reason, and nothing changes.
  await saveReceiptSettings(page, { 'tip-presets': '10%; lots' });
  await expect(page.getByTestId('notice')).toContainText('Tip buttons are up to four amounts or percents');
  await saveReceiptSettings(page, { 'tip-presets': '10%, 15%, 2.00' });
  await expect(page.getByTestId('notice')).toContainText('Receipt settings saved.');
  // Kept in the store's settings: read back after a reload, as the register writes them.
  await page.reload();
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('tip-presets')).toHaveValue('10%; 15%; 2.00');

  await page.getByTestId('nav-shift').click();
  await page.getByTestId('float-50').fill('1');
  await page.getByTestId('shift-open').click();
  await expect(page.getByTestId('shift-opened')).toBeVisible();
  await page.getByTestId('nav-register').click();

  // Fries €3.50 + 10 % = €0.35, the customer pays exactly €3.85 in cash.
  await tap(page, 'Fries');
  await page.getByTestId('pay').click();
  await expect(page.getByTestId('tip-preset')).toHaveCount(3);
  await page.getByTestId('tip-preset').first().click();
  await expect(page.getByTestId('tip-chosen')).toHaveText('Tip €0.35: €3.85 in all');
  await expect(page.getByTestId('quick-cash').first()).toHaveAttribute('data-amount', '3.85');
  await page.getByTestId('quick-cash').first().click();
  await expect(page.getByTestId('completed')).toBeVisible();
  await expect(page.getByTestId('receipt')).toContainText('Tip');
  await page.getByTestId('new-sale').click();

  // A typed tip on a card of the bank's terminal: the cashier charges both there.
  await tap(page, 'Fries');
  await page.getByTestId('pay').click();
  await page.getByTestId('tip-custom').fill('1.25');
  await page.getByTestId('tip-custom').press('Enter');
  await expect(page.getByTestId('tip-chosen')).toHaveText('Tip €1.25: €4.75 in all');
  await page.getByTestId('method-card').click();
  await expect(page.getByTestId('card-with-tip')).toHaveText('Charge €4.75 on the bank\'s terminal, the tip included.');
  await page.getByTestId('auth-code').fill('A1B2C3');
  await page.getByTestId('last-four').fill('4242');
  await page.getByTestId('confirm-card').click();
  await expect(page.getByTestId('completed')).toBeVisible();
  await page.getByTestId('new-sale').click();

  // "No tip" is the default of the next sale.
  await tap(page, 'Fries');
  await page.getByTestId('pay').click();
  await expect(page.getByTestId('tip-chosen')).toHaveCount(0);
  await page.getByTestId('cancel-payment').click();

  await page.getByTestId('nav-shift').click();
  await page.getByTestId('shift-x-report').click();
  const report = page.getByTestId('shift-report');
  await expect.poll(async () => plain(await report.getByTestId('rep-tips-total').locator('td').textContent())).toBe('€1.60');
  // What the card was charged, the tip included, as the terminal's own total counts it.
  expect(plain(await report.getByTestId('rep-paid-card').locator('td').textContent())).toBe('€4.75');
  await expect(report.getByTestId('rep-tips')).toHaveText(['Tips for the till: 2, €1.60']);
});

test('cash in the customer\'s favour to a one-rouble step, in Russian on a tablet: never rounded up', async ({ page }) => {
  await openRegister(page, TABLET);
  await switchLanguage(page, 'ru');
  await saveReceiptSettings(page, { 'cash-rounding': 'customers-favour', 'cash-increment': '1' });
  await expect(page.getByTestId('notice')).toBeVisible();
  await page.getByTestId('nav-register').click();
  // Fries at 3.50: in cash the customer pays 3.00, never 4.00.
  await tap(page, 'Fries');
  await page.getByTestId('pay').click();
  await expect(page.getByTestId('quick-cash').first()).toHaveAttribute('data-amount', '3.00');
  await page.getByTestId('quick-cash').first().click();
  await expect(page.getByTestId('completed')).toBeVisible();
  await expect(page.getByTestId('receipt')).toContainText('Округление');
  await expect(page.getByTestId('receipt')).toContainText('-0,50');
});

test('a store that counts every drawer: no payment until a shift is open', async ({ page }) => {
  await openRegister(page, PHONE);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('shift-required').check();
  await page.getByTestId('save-receipt-settings').click();
  await expect(page.getByTestId('notice')).toContainText('Receipt settings saved.');
  await page.getByTestId('nav-register').click();
  await tap(page, 'Fries');
  await page.getByTestId('pay').click();
  await expect(page.getByTestId('notice')).toContainText('Open a shift');
  await expect(page.getByTestId('pay-dialog')).toHaveCount(0);

  await page.getByTestId('nav-shift').click();
  await page.getByTestId('float-50').fill('1');
  await page.getByTestId('shift-open').click();
  await expect(page.getByTestId('shift-opened')).toBeVisible();
  // Opened today: no warning about a shift left open overnight.
  await expect(page.getByTestId('shift-overnight')).toHaveCount(0);
  await page.getByTestId('nav-register').click();
  await page.getByTestId('pay').click();
  await expect(page.getByTestId('pay-dialog')).toBeVisible();
});

test('a store whose first sale opens the shift: an empty float, and the sale is in it', async ({ page }) => {
  await openRegister(page, PHONE);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('shift-required').check();
  await page.getByTestId('shift-opens-itself').check();
  await page.getByTestId('save-receipt-settings').click();
  await expect(page.getByTestId('notice')).toContainText('Receipt settings saved.');
  await page.getByTestId('nav-register').click();
  await tap(page, 'Fries');
  await page.getByTestId('pay-phone').click();
  await expect(page.getByTestId('pay-dialog')).toBeVisible();
  await page.getByTestId('quick-cash').first().click();
  await expect(page.getByTestId('completed')).toBeVisible();
  await page.getByTestId('new-sale').click();

  await page.getByTestId('nav-shift').click();
  await expect(page.getByTestId('shift-opened')).toBeVisible();
  await page.getByTestId('shift-x-report').click();
  const value = async (testid: string) =>
    plain(await page.getByTestId('shift-report').getByTestId(testid).locator('td').textContent());
  // The report reads the shift's records as it opens: it may show them a moment later.
  await expect.poll(() => value('rep-sales')).toBe('1');
  expect(await value('rep-float')).toBe('€0.00');
  expect(await value('rep-cash-expected')).toBe('€3.50');
});

test('a shift left open past midnight warns, and can still be closed', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ viewport: TABLET });
  await context.clock.install({ time: new Date('2026-12-04T22:30:00') });
  const page = await context.newPage();
  await openRegister(page, TABLET, new URL('/', baseURL).href);
  await page.getByTestId('nav-shift').click();
  await page.getByTestId('float-50').fill('1');
  await page.getByTestId('shift-open').click();
  await expect(page.getByTestId('shift-opened')).toBeVisible();
  await expect(page.getByTestId('shift-overnight')).toHaveCount(0);
  await context.clock.fastForward('03:00:00');
  await page.reload();
  await page.getByTestId('nav-shift').click();
  await expect(page.getByTestId('shift-overnight')).toContainText('open since before midnight');
  await page.getByTestId('close-count-50').fill('1');
  await page.getByTestId('shift-close').click();
  await expect(page.getByTestId('shift-report')).toHaveAttribute('data-kind', 'z');
  await context.close();
});
