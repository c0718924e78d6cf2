// Closing the day on one register: a shift opened with a float counted by note and coin, cash and
// card sales, a cash refund, a pay-out for supplies, the X report, a blind close with a count
// 0.10 short, and the Z report, kept across reloads and shown in Russian.
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { PHONE, TABLET, countCash as count, openRegister, plain, sellOne, sellOneByCard, switchLanguage } from './cashier';
import { COMPOSITE_PRINTER, emupos, fakeUsbPrinter } from './fake-devices';
import { addUsbPrinter } from './settings';

/** The value shown in the report's row `testid`. */
async function reportValue(page: Page, testid: string) {
  return plain(await page.getByTestId('shift-report').getByTestId(testid).locator('td').textContent());
}

async function refundInCash(page: Page, receipt: string) {
  await page.getByTestId('nav-sales').click();
  const row = page.locator('li').filter({ has: page.getByTestId('sale-number').getByText(receipt, { exact: true }) });
  await row.getByTestId('refund-sale').click();
  await expect(page.getByTestId('refund-dialog')).toBeVisible();
  await page.getByTestId('refund-reason').fill('Changed their mind');
  await page.getByTestId('refund-confirm').click();
  await expect(page.getByTestId('refund-done')).toBeVisible();
  await page.getByTestId('refund-close').click();
}

test('a shift from float to Z report: sales by tender, a cash refund, a pay-out and a count 0.10 short', async ({ page }) => {
  await openRegister(page, TABLET);
  await page.getByTestId('nav-shift').click();
  await expect(page.getByTestId('shift-none')).toBeVisible();
  // Float: 2 × €50, 5 × €10, 4 × €0.50 = €152.00, added up as it is typed.
  await count(page, 'float', { '50': 2, '10': 5, '0.5': 4 });
  await expect(page.getByTestId('float-total')).toHaveText('Counted: €152.00');
  await page.getByTestId('shift-open').click();
  await expect(page.getByTestId('shift-opened')).toBeVisible();

  // The shift is stored: a reload finds it open.
  await page.reload();
  await page.getByTestId('nav-shift').click();
  await expect(page.getByTestId('shift-opened')).toBeVisible();

  await page.getByTestId('nav-register').click();
  await sellOne(page, 'Cola'); // €2.50 cash
  const refunded = await sellOne(page, 'Cola'); // €2.50 cash, refunded below
  await sellOneByCard(page, 'Cola'); // €2.50 card
  await refundInCash(page, refunded);

  await page.getByTestId('nav-shift').click();
  // A pay-out needs a reason; without one nothing is recorded.
  await page.getByTestId('move-pay-out').check();
  await page.getByTestId('move-amount').fill('5');
  await page.getByTestId('move-record').click();
  await expect(page.getByTestId('notice')).toContainText('Say why');
  await page.getByTestId('move-reason').fill('Napkins');
  await page.getByTestId('move-amount').fill('5');
  await page.getByTestId('move-record').click();

  await page.getByTestId('shift-x-report').click();
  await expect(page.getByTestId('shift-report')).toHaveAttribute('data-kind', 'x');
  await expect.poll(() => reportValue(page, 'rep-pay-outs')).toBe('€5.00');
  expect(await reportValue(page, 'rep-sales')).toBe('3');
  expect(await reportValue(page, 'rep-paid-cash')).toBe('€5.00');
  expect(await reportValue(page, 'rep-paid-card')).toBe('€2.50');
  expect(await reportValue(page, 'rep-refunds')).toBe('1');
  expect(await reportValue(page, 'rep-refunded-cash')).toBe('€2.50');
  expect(await reportValue(page, 'rep-net')).toBe('€5.00');
  expect(await reportValue(page, 'rep-float')).toBe('€152.00');
  // 152.00 + 5.00 cash taken - 2.50 refunded - 5.00 paid out.
  expect(await reportValue(page, 'rep-cash-expected')).toBe('€149.50');
  await expect(page.getByTestId('rep-difference')).toHaveCount(0);

  // The close is blind: counting puts the X report away.
  await count(page, 'close-count', { '50': 2, '10': 4, '5': 1, '2': 2, '0.2': 2 });
  await expect(page.getByTestId('shift-report')).toHaveCount(0);
  await expect(page.getByTestId('close-count-total')).toHaveText('Counted: €149.40');
  await page.getByTestId('shift-close').click();

  await expect(page.getByTestId('shift-report')).toHaveAttribute('data-kind', 'z');
  expect(await reportValue(page, 'rep-cash-expected')).toBe('€149.50');
  expect(await reportValue(page, 'rep-cash-counted')).toBe('€149.40');
  expect(await reportValue(page, 'rep-difference')).toBe('-€0.10');
  await expect(page.getByTestId('shift-none')).toBeVisible();

  // The Z report of the closed shift stays, after a reload, and reads in Russian.
  await page.reload();
  await switchLanguage(page, 'ru');
  await page.getByTestId('nav-shift').click();
  await expect(page.getByTestId('earlier-shift')).toHaveCount(1);
  await page.getByTestId('earlier-shift-report').click();
  await expect(page.getByTestId('shift-report').locator('h3')).toHaveText('Z-отчёт');
  await expect(page.getByTestId('rep-difference').locator('th')).toHaveText('Расхождение');
  expect(await reportValue(page, 'rep-difference')).toMatch(/^-0,10\s?€$/);
});

test('on a phone, a float with a bad count is refused and nothing opens', async ({ page }) => {
  await openRegister(page, PHONE);
  await page.getByTestId('nav-shift').click();
  await page.getByTestId('float-10').fill('-1');
  await expect(page.getByTestId('float-total')).toContainText('Type an amount');
  await page.getByTestId('shift-open').click();
  await expect(page.getByTestId('notice')).toContainText('Type an amount');
  await expect(page.getByTestId('shift-none')).toBeVisible();
  // The form fits the phone's width: nothing to scroll sideways.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test('closing the shift prints the Z report; printing it again from the screen marks it a reprint', async ({ page }) => {
  const printer = await fakeUsbPrinter(page, { interfaces: COMPOSITE_PRINTER });
  await openRegister(page);
  await page.getByTestId('nav-settings').click();
  await addUsbPrinter(page);

  await page.getByTestId('nav-shift').click();
  await count(page, 'float', { '50': 2 });
  await page.getByTestId('shift-open').click();
  await expect(page.getByTestId('shift-opened')).toBeVisible();
  await page.getByTestId('nav-register').click();
  await sellOne(page, 'Cola');
  await expect.poll(() => emupos(printer.bytes(3)).receipts.length, { timeout: 10_000 }).toBe(1);
  printer.clear();

  await page.getByTestId('nav-shift').click();
  // €100.00 + €2.50 expected; €102.40 counted.
  await count(page, 'close-count', { '50': 2, '2': 1, '0.2': 2 });
  await page.getByTestId('shift-close').click();
  await expect(page.getByTestId('shift-report')).toHaveAttribute('data-kind', 'z');
  await expect.poll(() => emupos(printer.bytes(3)).receipts.length, { timeout: 10_000 }).toBe(1);
  const z = emupos(printer.bytes(3)).receipts[0].text;
  expect(z).toContain('Z REPORT');
  expect(z).not.toContain('REPRINT');
  expect(z).toMatch(/Expected\s+102\.50 EUR/);
  expect(z).toMatch(/Counted\s+102\.40 EUR/);
  expect(z).toMatch(/Difference\s+-0\.10 EUR/);
  printer.clear();

  await page.getByTestId('print-shift-report').click();
  await expect.poll(() => emupos(printer.bytes(3)).receipts.length, { timeout: 10_000 }).toBe(1);
  expect(emupos(printer.bytes(3)).receipts[0].text).toMatch(/REPRINT/i);
});

test('a store that does not count blind: the close shows the cash expected beside the count', async ({ page }) => {
  await openRegister(page, TABLET);
  await page.getByTestId('nav-shift').click();
  await count(page, 'float', { '50': 2 });
  await page.getByTestId('shift-open').click();
  await expect(page.getByTestId('shift-opened')).toBeVisible();
  await page.getByTestId('nav-register').click();
  await sellOne(page, 'Cola'); // €2.50 cash
  // Blind, as a store starts: nothing says what the drawer should hold.
  await page.getByTestId('nav-shift').click();
  await expect(page.getByTestId('close-expected')).toHaveCount(0);

  await page.getByTestId('nav-settings').click();
  await page.getByTestId('close-shows-expected').check();
  await page.getByTestId('save-receipt-settings').click();
  await expect(page.getByTestId('notice')).toContainText('Receipt settings saved.');
  await page.getByTestId('nav-shift').click();
  await expect(page.getByTestId('close-expected')).toHaveText('Expected in the drawer: €102.50');
  // Counting does not put it away.
  await count(page, 'close-count', { '50': 2 });
  await expect(page.getByTestId('close-expected')).toHaveText('Expected in the drawer: €102.50');
  await page.getByTestId('shift-close').click();
  await expect(page.getByTestId('shift-report')).toHaveAttribute('data-kind', 'z');
  expect(await reportValue(page, 'rep-difference')).toBe('-€2.50');
});
