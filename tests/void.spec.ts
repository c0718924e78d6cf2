// Voiding a sale rung up by mistake (#13: "voids" in the Z report): a sale of the open shift is
// voided whole, its money going back as a refund's would (the card reversed on the terminal, the
// cash from the drawer), and the shift counts it as voided: not a sale, not a refund. A sale of an
// earlier shift, or one already partly refunded, can only be refunded.
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { PHONE, TABLET, countCash as count, openRegister, plain, sellCashTicket, sellOne, shownReceipt, switchLanguage, tap } from './cashier';
import { installFakeZvt } from './fake-zvt';
import { COMPOSITE_PRINTER, emupos, fakeUsbPrinter } from './fake-devices';
import { addUsbPrinter, setUpZvt } from './settings';

async function reportValue(page: Page, testid: string) {
  return plain(await page.getByTestId('shift-report').getByTestId(testid).locator('td').textContent());
}

async function openShift(page: Page) {
  await page.getByTestId('nav-shift').click();
  await count(page, 'float', { '50': 2 });
  await page.getByTestId('shift-open').click();
  await expect(page.getByTestId('shift-opened')).toBeVisible();
  await page.getByTestId('nav-register').click();
}

function saleRow(page: Page, receipt: string) {
  return page.locator('li').filter({ has: page.getByTestId('sale-number').getByText(receipt, { exact: true }) });
}

async function openRefundOf(page: Page, receipt: string) {
  await page.getByTestId('nav-sales').click();
  await saleRow(page, receipt).getByTestId('refund-sale').click();
  await expect(page.getByTestId('refund-dialog')).toBeVisible();
}

async function voidSale(page: Page, receipt: string, reason: string) {
  await openRefundOf(page, receipt);
  await page.getByTestId('refund-reason').fill(reason);
  await page.getByTestId('refund-void').click();
}

test('a cash sale and a card sale of the open shift are voided: the card reversed once, the cash handed back, and the X report counts two voids and no refund', async ({ page }) => {
  const seen: string[] = [];
  await installFakeZvt(page, { mode: 'approve' }, (apdu) => seen.push(apdu));
  const printer = await fakeUsbPrinter(page, { interfaces: COMPOSITE_PRINTER });
  await openRegister(page, TABLET);
  await setUpZvt(page);
  await page.getByTestId('nav-settings').click();
  await addUsbPrinter(page);
  await openShift(page);

  await sellOne(page, 'Cola'); // €2.50 cash, kept
  const cash = await sellOne(page, 'Fries'); // €3.50 cash, voided
  await tap(page, 'Fries'); // €3.50 by card on the terminal, voided
  await page.getByTestId('pay').click();
  await page.getByTestId('method-card').click();
  await page.getByTestId('charge-terminal').click();
  await expect(page.getByTestId('completed')).toBeVisible();
  const card = await shownReceipt(page);
  await page.getByTestId('new-sale').click();

  // A void needs a reason, as a refund does: without one nothing happens.
  await openRefundOf(page, cash);
  await page.getByTestId('refund-void').click();
  await expect(page.getByTestId('notice')).toBeVisible();
  await expect(page.getByTestId('refund-done')).toHaveCount(0);
  await page.getByTestId('refund-reason').fill('Rang up twice');
  await page.getByTestId('refund-void').click();
  await expect(page.getByTestId('refund-done')).toHaveText('Voided');
  expect(plain(await page.getByTestId('refund-hand-back').textContent())).toBe('Hand back €3.50 in cash.');
  await page.getByTestId('refund-close').click();
  await expect(saleRow(page, cash).getByTestId('sale-voided')).toHaveText('Voided');
  await expect(saleRow(page, cash).getByTestId('refund-sale')).toHaveCount(0);
  // The slip says it is a void, not a refund.
  const slips = () => emupos(printer.bytes(3)).receipts.map((r) => r.text).filter((t) => /VOID/.test(t));
  await expect.poll(() => slips().length, { timeout: 10_000 }).toBe(1);
  expect(slips()[0]).toContain('Rang up twice');
  expect(emupos(printer.bytes(3)).receipts.some((r) => /REFUND/.test(r.text))).toBe(false);

  await voidSale(page, card, 'Wrong amount');
  await expect(page.getByTestId('refund-done')).toHaveText('Voided', { timeout: 15_000 });
  await page.getByTestId('refund-close').click();
  // The card payment is reversed by its terminal receipt number, once; nothing is refunded.
  expect(seen.filter((c) => c.startsWith('0630'))).toHaveLength(1);
  expect(seen.filter((c) => c.startsWith('0631'))).toHaveLength(0);

  // After a reload both stay voided, and the X report counts them as voids.
  await page.reload();
  await page.getByTestId('nav-sales').click();
  await expect(page.getByTestId('sale-voided')).toHaveCount(2);
  await page.getByTestId('nav-shift').click();
  await page.getByTestId('shift-x-report').click();
  await expect.poll(() => reportValue(page, 'rep-voids')).toBe('2');
  expect(await reportValue(page, 'rep-voided')).toBe('€7.00');
  expect(await reportValue(page, 'rep-sales')).toBe('1');
  expect(await reportValue(page, 'rep-refunds')).toBe('0');
  expect(await reportValue(page, 'rep-paid-cash')).toBe('€2.50');
  expect(await reportValue(page, 'rep-paid-card')).toBe('€0.00');
  expect(await reportValue(page, 'rep-net')).toBe('€2.50');
  // €100.00 float + €2.50: the voided sale's cash went back to its customer.
  expect(await reportValue(page, 'rep-cash-expected')).toBe('€102.50');
});

test('on a phone in Russian: a sale of the open shift is voided; one of a closed shift, or one partly refunded, can only be refunded', async ({ page }) => {
  await openRegister(page, PHONE);
  await switchLanguage(page, 'ru');
  await openShift(page);
  const earlier = await sellOne(page, 'Cola');
  const voided = await sellOne(page, 'Fries');
  await voidSale(page, voided, 'Пробил по ошибке');
  await expect(page.getByTestId('refund-done')).toHaveText('Аннулирована');
  await page.getByTestId('refund-close').click();
  await expect(saleRow(page, voided).getByTestId('sale-voided')).toHaveText('Аннулирована');
  // The dialog fits the phone: nothing to scroll sideways.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  // The shift closes (€100.00 + €2.50 expected, counted so); its Z report counts the void.
  await page.getByTestId('nav-shift').click();
  await count(page, 'close-count', { '50': 2, '2': 1, '0.5': 1 });
  await page.getByTestId('shift-close').click();
  await expect(page.getByTestId('shift-report')).toHaveAttribute('data-kind', 'z');
  expect(await reportValue(page, 'rep-voids')).toBe('1');
  expect(await reportValue(page, 'rep-voided')).toMatch(/^3,50\s?€$/);
  expect(await reportValue(page, 'rep-difference')).toMatch(/^0,00\s?€$/);

  // In the next shift, the earlier shift's sale is refunded, never voided.
  await count(page, 'float', { '50': 2 });
  await page.getByTestId('shift-open').click();
  await expect(page.getByTestId('shift-opened')).toBeVisible();
  await openRefundOf(page, earlier);
  await expect(page.getByTestId('refund-confirm')).toBeVisible();
  await expect(page.getByTestId('refund-void')).toHaveCount(0);
  await page.getByTestId('refund-cancel').click();

  // A sale of this shift with one line refunded already is refunded, not voided.
  await page.getByTestId('nav-register').click();
  const two = await sellCashTicket(page, ['Cola', 'Fries']);
  await openRefundOf(page, two);
  await expect(page.getByTestId('refund-void')).toBeVisible();
  await page.getByTestId('refund-none').click();
  await page.getByTestId('refund-line').filter({ hasText: 'Cola' }).getByTestId('refund-qty-plus').click();
  await page.getByTestId('refund-reason').fill('Тёплая');
  await page.getByTestId('refund-confirm').click();
  await expect(page.getByTestId('refund-done')).toBeVisible();
  await page.getByTestId('refund-close').click();
  await openRefundOf(page, two);
  await expect(page.getByTestId('refund-confirm')).toBeVisible();
  await expect(page.getByTestId('refund-void')).toHaveCount(0);
});
