// Refunding a whole sale from the sales list: the card part goes back through the card terminal
// (a reversal by the terminal's receipt number on the day of the sale), the cash part from the
// drawer; a sale is refunded once, durably, and a reload while the terminal works asks the
// terminal instead of refunding twice.
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { TABLET, openRegister, plain, sellOne, sellOneByCard, tap } from './cashier';
import { installFakeZvt } from './fake-zvt';
import { inFlightChanges, watchIdb, watched } from './idb-watch';
import { COMPOSITE_PRINTER, emupos, fakeUsbPrinter } from './fake-devices';
import { addUsbPrinter, createStore, setTerminal, setUpZvt } from './settings';

async function sellFriesByCard(page: Page) {
  await tap(page, 'Fries');
  await page.getByTestId('pay').click();
  await page.getByTestId('method-card').click();
  await page.getByTestId('charge-terminal').click();
  await expect(page.getByTestId('completed')).toBeVisible();
  await page.getByTestId('new-sale').click();
}

/** Opens the refund of the only sale in the list. */
async function openRefund(page: Page) {
  await page.getByTestId('nav-sales').click();
  await expect(page.getByTestId('sale-row')).toHaveCount(1);
  await page.getByTestId('refund-sale').click();
  await expect(page.getByTestId('refund-dialog')).toBeVisible();
}

async function refundWithReason(page: Page, reason: string) {
  await page.getByTestId('refund-reason').fill(reason);
  await page.getByTestId('refund-confirm').click();
}

async function expectRefundedInList(page: Page) {
  await expect(page.getByTestId('sale-refunded')).toHaveText('Refunded');
  await expect(page.getByTestId('refund-sale')).toHaveCount(0);
}

test('training: a card sale is refunded from the sales list with a reason, once, and stays refunded after a reload', async ({ page }) => {
  await openRegister(page);
  await setTerminal(page, 'training', 'approve');
  await sellFriesByCard(page);
  await openRefund(page);
  expect(plain(await page.getByTestId('refund-card').textContent())).toBe('€3.50');
  await expect(page.getByTestId('refund-cash')).toHaveCount(0);
  // Paid today on this terminal, with its receipt number: a reversal, which costs no fee.
  await expect(page.getByTestId('refund-method')).toContainText('cancels the payment');

  // No reason, no refund.
  await page.getByTestId('refund-confirm').click();
  await expect(page.getByTestId('notice')).toContainText('Give a reason for the refund.');
  await expect(page.getByTestId('refund-done')).toHaveCount(0);

  await refundWithReason(page, 'Cold fries');
  await expect(page.getByTestId('refund-progress')).toContainText('Terminal:');
  await expect(page.getByTestId('refund-done')).toHaveText('Refunded', { timeout: 10_000 });
  await page.getByTestId('refund-close').click();
  await expectRefundedInList(page);

  await page.reload();
  await expect(page.getByTestId('product').first()).toBeVisible();
  await page.getByTestId('nav-sales').click();
  await expect(page.getByTestId('sale-row')).toHaveCount(1);
  await expectRefundedInList(page);
});

test('training: a refused reversal leaves the sale unrefunded with a message, and trying again refunds the amount', async ({ page }) => {
  await openRegister(page);
  await setTerminal(page, 'training', 'approve');
  await sellFriesByCard(page);
  await setTerminal(page, 'training', 'decline');
  await openRefund(page);
  await expect(page.getByTestId('refund-method')).toContainText('cancels the payment');
  await refundWithReason(page, 'Wrong order');
  await expect(page.getByTestId('notice')).toContainText('could not cancel the payment', { timeout: 10_000 });
  await expect(page.getByTestId('refund-method')).toContainText('pays the amount back');
  // The refund of the amount is declined too: still not refunded, and it can be tried again.
  await page.getByTestId('refund-confirm').click();
  await expect(page.getByTestId('notice')).toContainText('declined the refund', { timeout: 10_000 });
  await expect(page.getByTestId('refund-done')).toHaveCount(0);
  await page.getByTestId('refund-cancel').click();
  await expect(page.getByTestId('sale-refunded')).toHaveCount(0);
  await expect(page.getByTestId('refund-sale')).toHaveCount(1);

  await setTerminal(page, 'training', 'approve');
  await openRefund(page);
  await expect(page.getByTestId('refund-reason')).toHaveValue('Wrong order');
  await expect(page.getByTestId('refund-method')).toContainText('pays the amount back');
  await page.getByTestId('refund-confirm').click();
  await expect(page.getByTestId('refund-done')).toHaveText('Refunded', { timeout: 10_000 });
  await page.getByTestId('refund-close').click();
  await expectRefundedInList(page);
});

test.describe('ZVT (a fake terminal on a fake serial port)', () => {
  test('a card sale of today is reversed by its terminal receipt number: exactly one 06 30', async ({ page }) => {
    const seen: string[] = [];
    await watchIdb(page);
    await installFakeZvt(page, { mode: 'approve' }, (apdu) => seen.push(apdu));
    await openRegister(page);
    await setUpZvt(page);
    await sellFriesByCard(page);
    await openRefund(page);
    await expect(page.getByTestId('refund-method')).toContainText('cancels the payment');
    await refundWithReason(page, 'Card charged twice by mistake');
    await expect(page.getByTestId('refund-done')).toHaveText('Refunded', { timeout: 15_000 });
    // 06 30, password 000000, BMP 87 with the captured payment's receipt number 0231.
    expect(seen.filter((c) => c.startsWith('0630'))).toEqual(['063006000000870231']);
    expect(seen.filter((c) => c.startsWith('0631'))).toHaveLength(0);
    await page.getByTestId('refund-close').click();
    await expectRefundedInList(page);
    // Every write that set or cleared a card amount in flight, the sale's and the refund's, was
    // strict: a power cut after the terminal answered cannot lose it.
    const changes = inFlightChanges(await watched(page));
    expect(changes.some((c) => c.key!.startsWith('refund:'))).toBe(true);
    expect(changes.some((c) => c.key!.startsWith('ticket:'))).toBe(true);
    for (const change of changes) expect(change, JSON.stringify(change)).toMatchObject({ durability: 'strict' });
  });

  test('a sale paid with two cards goes back to each card its own part: one 06 31 per card, in turn', async ({ page }) => {
    const seen: string[] = [];
    await installFakeZvt(page, { mode: 'approve' }, (apdu) => seen.push(apdu));
    await openRegister(page);
    await setUpZvt(page);
    await tap(page, 'Fries'); // €3.50: €1.50 on one card, €2.00 on another
    await page.getByTestId('pay').click();
    await page.getByTestId('method-card').click();
    await page.getByTestId('card-amount').fill('1.50');
    await page.getByTestId('charge-terminal').click();
    await expect(page.getByTestId('tender')).toHaveCount(1, { timeout: 15_000 });
    await page.getByTestId('card-amount').fill('2.00');
    await page.getByTestId('charge-terminal').click();
    await expect(page.getByTestId('completed')).toBeVisible({ timeout: 15_000 });
    await page.getByTestId('new-sale').click();

    await openRefund(page);
    await expect(page.getByTestId('refund-card-part')).toHaveCount(2);
    expect((await page.getByTestId('refund-card-part').allTextContents()).map(plain).map((t) => t.split(' ').pop()))
      .toEqual(['€1.50', '€2.00']);
    await expect(page.getByTestId('refund-method')).toContainText('several cards');
    await refundWithReason(page, 'Paid twice over');
    await expect(page.getByTestId('refund-done')).toHaveText('Refunded', { timeout: 20_000 });
    // Not one refund of €3.50 to whichever card is presented: €1.50, then €2.00.
    expect(seen.filter((c) => c.startsWith('0631'))).toEqual([
      '06310d00000004000000000150490978',
      '06310d00000004000000000200490978',
    ]);
    expect(seen.filter((c) => c.startsWith('0630'))).toHaveLength(0);
    await page.getByTestId('refund-close').click();
    await expectRefundedInList(page);
  });

  test('a card sale of an earlier day is refunded by amount: exactly one 06 31, no reversal', async ({ page }) => {
    const seen: string[] = [];
    await installFakeZvt(page, { mode: 'approve' }, (apdu) => seen.push(apdu));
    // The sale is made yesterday (the page's clock only; timers keep running).
    await page.clock.setFixedTime(new Date(Date.now() - 24 * 3600 * 1000));
    await openRegister(page);
    await setUpZvt(page);
    await sellFriesByCard(page);
    await page.clock.setFixedTime(new Date());
    await openRefund(page);
    await expect(page.getByTestId('refund-method')).toContainText('pays the amount back');
    await refundWithReason(page, 'Returned the next day');
    await expect(page.getByTestId('refund-done')).toHaveText('Refunded', { timeout: 15_000 });
    // 06 31, password 000000, BMP 04 amount 3.50, BMP 49 currency 978.
    expect(seen.filter((c) => c.startsWith('0631'))).toEqual(['06310d00000004000000000350490978']);
    expect(seen.filter((c) => c.startsWith('0630'))).toHaveLength(0);
    await page.getByTestId('refund-close').click();
    await expectRefundedInList(page);
  });

  test('a reload while the reversal is with the terminal asks its last status and never reverses twice', async ({ page }) => {
    const seen: string[] = [];
    await installFakeZvt(page, { mode: 'hang-refund' }, (apdu) => seen.push(apdu));
    await openRegister(page);
    await setUpZvt(page);
    await sellFriesByCard(page);
    await openRefund(page);
    await refundWithReason(page, 'Wrong order');
    await expect(page.getByTestId('refund-progress')).toContainText('please wait');
    await expect.poll(() => seen.filter((c) => c.startsWith('0630')).length).toBe(1);
    await page.waitForTimeout(300); // the status information (approved) reaches the register

    await page.reload();
    await expect(page.getByTestId('product').first()).toBeVisible();
    await page.getByTestId('nav-sales').click();
    await expect(page.getByTestId('sale-refunded')).toHaveText('Refunded', { timeout: 15_000 });
    await expect(page.getByTestId('refund-sale')).toHaveCount(0);
    expect(seen.filter((c) => c.startsWith('0630') || c.startsWith('0631'))).toHaveLength(1);
    expect(seen.filter((c) => c.startsWith('0620'))).toHaveLength(1);
  });
});

test('a cash sale refund opens the drawer once, prints a refund slip and records the opening with the reason', async ({ page }) => {
  const printer = await fakeUsbPrinter(page, { interfaces: COMPOSITE_PRINTER });
  await openRegister(page);
  await page.getByTestId('nav-settings').click();
  await addUsbPrinter(page);
  await page.getByTestId('nav-register').click();

  const number = await sellOne(page, 'Fries');
  await expect.poll(() => emupos(printer.bytes(3)).events.filter((e) => e.type === 'drawer.opened').length).toBe(1);
  printer.clear();

  await openRefund(page);
  expect(plain(await page.getByTestId('refund-cash').textContent())).toBe('€3.50');
  await expect(page.getByTestId('refund-card')).toHaveCount(0);
  await refundWithReason(page, 'Changed their mind');
  await expect(page.getByTestId('refund-done')).toHaveText('Refunded');
  expect(plain(await page.getByTestId('refund-hand-back').textContent())).toBe('Hand back €3.50 in cash.');

  await expect.poll(() => emupos(printer.bytes(3)).receipts.length, { timeout: 10_000 }).toBe(1);
  const decoded = emupos(printer.bytes(3));
  expect(decoded.events.filter((e) => e.type === 'drawer.opened')).toHaveLength(1);
  const slip = decoded.receipts[0].text;
  expect(slip).toContain('REFUND');
  expect(slip).toContain(`Receipt ${number}`);
  expect(slip).toContain('Reason: Changed their mind');

  await page.getByTestId('refund-close').click();
  await expectRefundedInList(page);
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('drawer-opening').first()).toContainText(`Refund of ${number}: Changed their mind`);
});

test('the card part paid back in cash instead: no terminal step, the drawer hands it back, and the sale is refunded', async ({ page }) => {
  await openRegister(page);
  await sellOneByCard(page, 'Cola'); // €2.50 on the bank's terminal
  await openRefund(page);
  expect(plain(await page.getByTestId('refund-card').textContent())).toBe('€2.50');
  await page.getByTestId('refund-in-cash-instead').check();
  expect(plain(await page.getByTestId('refund-cash').textContent())).toBe('€2.50');
  await expect(page.getByTestId('refund-card')).toHaveCount(0);
  await expect(page.getByTestId('refund-method')).toHaveCount(0);
  await refundWithReason(page, 'Card expired');
  await expect(page.getByTestId('refund-done')).toHaveText('Refunded');
  expect(plain(await page.getByTestId('refund-hand-back').textContent())).toBe('Hand back €2.50 in cash.');
  await expect(page.getByTestId('refund-confirm-bank')).toHaveCount(0);
  await page.getByTestId('refund-close').click();
  await expectRefundedInList(page);
});

test('a standalone terminal: the cashier refunds the card part on the bank\'s terminal and confirms here', async ({ page }) => {
  await openRegister(page);
  await sellOneByCard(page, 'Fries');

  await openRefund(page);
  await expect(page.getByTestId('refund-method')).toContainText('on the bank\'s terminal');
  await refundWithReason(page, 'Wrong size');
  // Not refunded until the cashier confirms what the bank's terminal did.
  await expect(page.getByTestId('refund-confirm-bank')).toBeVisible();
  await expect(page.getByTestId('refund-done')).toHaveCount(0);
  await page.getByTestId('refund-confirm-bank').click();
  await expect(page.getByTestId('refund-done')).toHaveText('Refunded');
  await expect(page.getByTestId('refund-hand-back')).toHaveCount(0);
  await page.getByTestId('refund-close').click();
  await expectRefundedInList(page);
});

test('a device of a store: the refund is in the store\'s documents, so the goods are back in stock, after a reload too', async ({ browser, server }) => {
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
  await sellOne(page, 'Cola');
  await expect.poll(left).toBe('9');

  await openRefund(page);
  await refundWithReason(page, 'Flat');
  await expect(page.getByTestId('refund-done')).toHaveText('Refunded');
  await page.getByTestId('refund-close').click();
  await page.getByTestId('nav-register').click();
  await expect.poll(left).toBe('10');

  await page.reload();
  await expect(page.getByTestId('product').first()).toBeVisible();
  await expect.poll(left).toBe('10');
  await page.getByTestId('nav-sales').click();
  await expectRefundedInList(page);
  await context.close();
});
