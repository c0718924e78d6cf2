// The day of issue 13, as a Russian merchant closes it, offline: a 3,000 ₽ float counted by note,
// a cash sale and a card sale, 500 ₽ paid out for supplies, one line of a sale refunded, and the
// drawer counted 10 ₽ short. The Z report on screen and on paper (decoded by emupos) has every
// figure, and the difference of -10,00 ₽.
import { expect, test } from './fixtures';
import { countCash as count, plain, sellCashTicket, sellOneByCard } from './cashier';
import { COMPOSITE_PRINTER, emupos, fakeUsbPrinter } from './fake-devices';
import { addUsbPrinter, submitSetup } from './settings';

test('день в рублях без сети: размен 3 000 ₽, наличные и карта, выплата 500 ₽, возврат позиции, недостача 10 ₽ в Z-отчёте на экране и на бумаге', async ({ browser, server }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const page = await context.newPage();
  const printer = await fakeUsbPrinter(page, { interfaces: COMPOSITE_PRINTER });
  await page.goto(server.setupLink());
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('lang-switch').selectOption('ru');
  await page.reload();
  await submitSetup(page, 'Пирожковая', { currency: 'RUB', device: 'Касса' });
  await expect(page.getByTestId('notice')).toContainText('Пирожковая', { timeout: 20_000 });
  // The demo menu is in euros: converted at 100 (a cola 250 ₽, fries 350 ₽, a hot dog 550 ₽).
  await page.getByTestId('exchange-rate').fill('100');
  await page.getByTestId('convert-menu').click();
  await expect(page.getByTestId('menu-currency-mismatch')).toBeHidden();
  await page.getByTestId('nav-settings').click();
  await addUsbPrinter(page);

  // From here on there is no network.
  await context.setOffline(true);

  await page.getByTestId('nav-shift').click();
  await count(page, 'float', { '1000': 2, '500': 2 });
  await expect(page.getByTestId('float-total')).toContainText('3 000,00');
  await page.getByTestId('shift-open').click();
  await expect(page.getByTestId('shift-opened')).toBeVisible();

  // Cash: a cola and fries, 600 ₽. Card, on the bank's terminal: a hot dog, 550 ₽.
  await page.getByTestId('nav-register').click();
  await sellCashTicket(page, ['Cola', 'Fries']);
  await sellOneByCard(page, 'Hot Dog');

  // 500 ₽ for supplies.
  await page.getByTestId('nav-shift').click();
  await page.getByTestId('move-pay-out').check();
  await page.getByTestId('move-amount').fill('500');
  await page.getByTestId('move-reason').fill('Мука и масло');
  await page.getByTestId('move-record').click();
  await page.getByTestId('shift-x-report').click();
  await expect
    .poll(async () => plain(await page.getByTestId('shift-report').getByTestId('rep-pay-outs').locator('td').textContent()))
    .toBe('500,00 ₽');

  // The cola comes back: 250 ₽ from the drawer.
  await page.getByTestId('nav-sales').click();
  await page.getByTestId('refund-sale').last().click();
  await expect(page.getByTestId('refund-dialog')).toBeVisible();
  await page.getByTestId('refund-none').click();
  await page.getByTestId('refund-line').filter({ hasText: 'Cola' }).getByTestId('refund-qty-plus').click();
  expect(plain(await page.getByTestId('refund-cash').textContent())).toBe('250,00 ₽');
  await page.getByTestId('refund-reason').fill('Тёплая');
  await page.getByTestId('refund-confirm').click();
  await expect(page.getByTestId('refund-done')).toBeVisible();
  await page.getByTestId('refund-close').click();

  // Expected 3 000 + 600 - 250 - 500 = 2 850 ₽; counted 2 840 ₽.
  printer.clear();
  await page.getByTestId('nav-shift').click();
  await count(page, 'close-count', { '1000': 2, '500': 1, '200': 1, '100': 1, '5': 8 });
  await page.getByTestId('shift-close').click();
  await expect(page.getByTestId('shift-report')).toHaveAttribute('data-kind', 'z');
  const value = async (testid: string) =>
    plain(await page.getByTestId('shift-report').getByTestId(testid).locator('td').textContent());
  const expected: Record<string, string> = {
    'rep-sales': '2',
    'rep-paid': '1 150,00 ₽',
    'rep-paid-cash': '600,00 ₽',
    'rep-paid-card': '550,00 ₽',
    'rep-refunds': '1',
    'rep-refunded-cash': '250,00 ₽',
    'rep-refunded-card': '0,00 ₽',
    'rep-net': '900,00 ₽',
    'rep-float': '3 000,00 ₽',
    'rep-pay-outs': '500,00 ₽',
    'rep-cash-expected': '2 850,00 ₽',
    'rep-cash-counted': '2 840,00 ₽',
    'rep-difference': '-10,00 ₽',
  };
  for (const [testid, text] of Object.entries(expected)) expect(await value(testid), testid).toBe(text);

  // On paper, in Russian.
  await expect.poll(() => emupos(printer.bytes(3)).receipts.length, { timeout: 15_000 }).toBe(1);
  const z = emupos(printer.bytes(3)).receipts[0].text;
  expect(z).toContain('Z-ОТЧЁТ');
  for (const line of [/Оплачено\s+1 ?150,00 RUB/, /Выплаты\s+-?500,00/, /Ожидается\s+2 ?850,00 RUB/, /Пересчитано\s+2 ?840,00 RUB/, /Расхождение\s+-10,00 RUB/]) {
    expect(z).toMatch(line);
  }
  await context.close();
});
