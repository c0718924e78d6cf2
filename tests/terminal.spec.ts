// Card terminals: the training simulator and a ZVT terminal on a (fake) serial port. A card is
// recorded only when the terminal approves; a decline or no answer leaves the payment open; a
// reload during a payment asks the terminal what became of it and never charges twice.
import { expect, test, type Page } from '@playwright/test';
import { openRegister, plain, switchLanguage, tap } from './cashier';
import { installFakeZvt } from './fake-zvt';
import { addUsbPrinter, setTerminal, setUpZvt } from './settings';
import { COMPOSITE_PRINTER, emupos, fakeUsbPrinter } from './fake-devices';
import { inFlightChanges, watchIdb, watched } from './idb-watch';

async function payByCard(page: Page) {
  await page.getByTestId('pay').click();
  await page.getByTestId('method-card').click();
  await page.getByTestId('charge-terminal').click();
}

/** Pays part of the ticket on the terminal: `amount` of it, leaving the rest open. */
async function payPartByCard(page: Page, amount: string) {
  await page.getByTestId('pay').click();
  await page.getByTestId('method-card').click();
  await page.getByTestId('card-amount').fill(amount);
  await page.getByTestId('charge-terminal').click();
  await expect(page.getByTestId('tender')).toHaveCount(1, { timeout: 10_000 });
}

/** Every write that set or cleared a card amount in flight was strict (on disk when it resolved). */
async function expectInFlightWritesStrict(page: Page) {
  const changes = inFlightChanges(await watched(page));
  expect(changes.length).toBeGreaterThan(0);
  for (const change of changes) expect(change, JSON.stringify(change)).toMatchObject({ durability: 'strict' });
}

test.describe('training simulator', () => {
  test('approve: the sale completes, marked TRAINING on screen and on the receipt; the setting survives a reload', async ({ page }) => {
    await openRegister(page);
    await setTerminal(page, 'training', 'approve');
    await expect(page.getByTestId('training-badge')).toHaveText('TRAINING');
    await page.reload();
    await expect(page.getByTestId('training-badge')).toBeVisible();

    await tap(page, 'Fries');
    await page.getByTestId('pay').click();
    await expect(page.getByTestId('pay-training')).toBeVisible();
    await page.getByTestId('method-card').click();
    await page.getByTestId('charge-terminal').click();
    await expect(page.getByTestId('terminal-progress')).toContainText('Terminal:');
    await expect(page.getByTestId('completed')).toBeVisible();
    await expect(page.getByTestId('receipt')).toContainText('*** TRAINING ***');
    await expect(page.getByTestId('receipt')).toContainText('4242');
    await expect(page.getByTestId('training-badge')).toBeVisible();
  });

  for (const [outcome, message] of [
    ['decline', 'declined'],
    ['wrong-pin', 'The PIN was wrong'],
    ['timeout', 'did not answer in time'],
    ['disconnect', 'not connected'],
  ]) {
    test(`${outcome}: a clear message, the payment stays open and no sale is made`, async ({ page }) => {
      await openRegister(page);
      await setTerminal(page, 'training', outcome);
      await tap(page, 'Fries');
      await payByCard(page);
      await expect(page.getByTestId('notice')).toContainText(message, { timeout: 10_000 });
      await expect(page.getByTestId('pay-dialog')).toBeVisible();
      expect(plain(await page.getByTestId('remaining').textContent())).toBe('€3.50');
      await expect(page.getByTestId('tender')).toHaveCount(0);
      await expect(page.getByTestId('charge-terminal')).toBeVisible();
      await page.getByTestId('cancel-payment').click();
      await page.getByTestId('nav-sales').click();
      await expect(page.getByTestId('sale-number')).toHaveCount(0);
    });
  }

  test('the terminal buttons in Settings answer', async ({ page }) => {
    await openRegister(page);
    await setTerminal(page, 'training', 'approve');
    await tap(page, 'Fries');
    await payByCard(page);
    await page.getByTestId('new-sale').click();
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('terminal-check').click();
    await expect(page.getByTestId('terminal-report')).toContainText('The terminal answers');
    await page.getByTestId('terminal-last').click();
    await expect(page.getByTestId('terminal-report')).toContainText('Approved: €3.50');
    await page.getByTestId('terminal-totals').click();
    await expect(page.getByTestId('terminal-report')).toContainText('Card payments: 1, total €3.50');
  });
});

test('training: a card the simulator approved is reversed on it, not undone; until then the payment cannot be cancelled', async ({ page }) => {
  await openRegister(page);
  await setTerminal(page, 'training', 'approve');
  await tap(page, 'Fries');
  await payPartByCard(page, '2.00');
  await page.getByTestId('undo-tender').click();
  await expect(page.getByTestId('notice')).toContainText('Reverse on the terminal');
  await expect(page.getByTestId('tender')).toHaveCount(1);
  await page.getByTestId('cancel-payment').click();
  await expect(page.getByTestId('notice')).toContainText('reverse it on the terminal');
  await expect(page.getByTestId('pay-dialog')).toBeVisible();
  await page.getByTestId('reverse-on-terminal').click();
  await expect(page.getByTestId('notice')).toContainText('The terminal reversed', { timeout: 10_000 });
  await expect(page.getByTestId('tender')).toHaveCount(0);
  expect(plain(await page.getByTestId('remaining').textContent())).toBe('€3.50');
});

test.describe('ZVT over WebSerial (a fake terminal on a fake serial port)', () => {
  test('undo of an approved payment: refused; the terminal gets a reversal, and the tender goes only once it approves', async ({ page }) => {
    const seen: string[] = [];
    await watchIdb(page);
    await installFakeZvt(page, { mode: 'approve' }, (apdu) => seen.push(apdu));
    await openRegister(page);
    await setUpZvt(page);
    await tap(page, 'Fries');
    await payPartByCard(page, '2.00');
    expect(plain(await page.getByTestId('remaining').textContent())).toBe('€1.50');

    // The card was charged: undoing it here would leave the money taken with no sale.
    await page.getByTestId('undo-tender').click();
    await expect(page.getByTestId('notice')).toContainText('Reverse on the terminal');
    await expect(page.getByTestId('tender')).toHaveCount(1);
    // Nor can the payment be cancelled with the card on it.
    await page.getByTestId('cancel-payment').click();
    await expect(page.getByTestId('notice')).toContainText('reverse it on the terminal');
    await expect(page.getByTestId('pay-dialog')).toBeVisible();
    await expect(page.getByTestId('tender')).toHaveCount(1);
    expect(seen.filter((c) => c.startsWith('0630'))).toHaveLength(0);

    await page.getByTestId('reverse-on-terminal').click();
    await expect(page.getByTestId('notice')).toContainText('The terminal reversed', { timeout: 10_000 });
    await expect(page.getByTestId('tender')).toHaveCount(0);
    expect(plain(await page.getByTestId('remaining').textContent())).toBe('€3.50');
    // One reversal, naming the payment by its terminal receipt number (BMP 87).
    const reversals = seen.filter((c) => c.startsWith('0630'));
    // 06 30, password 000000, BMP 87 with the captured payment's receipt number 0231.
    expect(reversals).toEqual(['063006000000870231']);

    // The reversal was durable (strict) as in flight before the terminal heard of it.
    const log = await watched(page);
    const charged = log.findIndex((e) => e.kind === 'zvt' && e.apdu!.startsWith('0601'));
    const sent = log.findIndex((e) => e.kind === 'zvt' && e.apdu!.startsWith('0630'));
    // The first amount in flight after the payment is the reversal's.
    const kept = log.findIndex((e, i) => i > charged && e.kind === 'put' && e.key!.startsWith('ticket:') && !!e.inFlight);
    expect(charged).toBeGreaterThanOrEqual(0);
    expect(kept).toBeGreaterThan(charged);
    expect(kept).toBeLessThan(sent);
    expect(log[kept].durability).toBe('strict');
    await expectInFlightWritesStrict(page);

    // Now nothing is taken: the payment may be given up, and no sale is made.
    await page.getByTestId('cancel-payment').click();
    await expect(page.getByTestId('pay-dialog')).toHaveCount(0);
    await page.getByTestId('nav-sales').click();
    await expect(page.getByTestId('sale-number')).toHaveCount(0);
  });

  test('a declined reversal keeps the tender and says why', async ({ page }) => {
    const seen: string[] = [];
    await installFakeZvt(page, { mode: 'approve', reversal: 'decline' }, (apdu) => seen.push(apdu));
    await openRegister(page);
    await setUpZvt(page);
    await tap(page, 'Fries');
    await payPartByCard(page, '2.00');
    await page.getByTestId('reverse-on-terminal').click();
    await expect(page.getByTestId('notice')).toContainText('did not reverse', { timeout: 10_000 });
    await expect(page.getByTestId('notice')).toContainText('the terminal declined it');
    await expect(page.getByTestId('notice')).toContainText('The card payment stays recorded.');
    expect(seen.filter((c) => c.startsWith('0630'))).toHaveLength(1);
    await expect(page.getByTestId('tender')).toHaveCount(1);
    expect(plain(await page.getByTestId('remaining').textContent())).toBe('€1.50');
    await page.getByTestId('cancel-payment').click();
    await expect(page.getByTestId('pay-dialog')).toBeVisible();
    // The rest can still be paid, and the sale keeps the card.
    await page.getByTestId('charge-terminal').click();
    await expect(page.getByTestId('completed')).toBeVisible({ timeout: 10_000 });
  });

  test('a tip keyed on the terminal: the approval is recorded as it came, and the cashier sees the excess', async ({ page }) => {
    const seen: string[] = [];
    await watchIdb(page);
    await installFakeZvt(page, { mode: 'approve', tipCents: 200 }, (apdu) => seen.push(apdu));
    await openRegister(page);
    await setUpZvt(page);
    await tap(page, 'Fries');
    await payByCard(page);
    await expect(page.getByTestId('completed')).toBeVisible({ timeout: 10_000 });
    // Asked 3.50; the terminal approved 5.50.
    expect(seen.filter((c) => c.startsWith('0601'))).toEqual(['06010a04000000000350490978']);
    await expect(page.getByTestId('card-excess')).toHaveText('The terminal approved €2.00 more than asked (a tip on the terminal?)');
    expect(plain(await page.getByTestId('change-amount').textContent())).toBe('€0.00');
    await expect(page.getByTestId('receipt')).toContainText('5.50');
    await expectInFlightWritesStrict(page);
    await page.getByTestId('new-sale').click();
    await page.getByTestId('nav-sales').click();
    await expect(page.getByTestId('sale-number')).toHaveCount(1);
  });

  test('a tip on part of a split shows on the pay screen, in Russian too', async ({ page }) => {
    await installFakeZvt(page, { mode: 'approve', tipCents: 100 }, () => {});
    await openRegister(page);
    await setUpZvt(page);
    await switchLanguage(page, 'ru');
    await tap(page, 'Fries');
    await payPartByCard(page, '2.00');
    await expect(page.getByTestId('tender-excess')).toContainText('Терминал одобрил на');
    await expect(page.getByTestId('tender-excess')).toContainText('чаевые');
    // The tip pays nothing of the ticket: 1.50 is still to pay.
    expect(plain(await page.getByTestId('remaining').textContent())).toMatch(/^1,50\s?€$/);
  });

  test('a purchase shows the terminal\'s status and records its approval', async ({ page }) => {
    const seen: string[] = [];
    await watchIdb(page);
    await installFakeZvt(page, { mode: 'approve' }, (apdu) => seen.push(apdu));
    await openRegister(page);
    await setUpZvt(page);
    await tap(page, 'Fries');
    await payByCard(page);
    await expect(page.getByTestId('completed')).toBeVisible();
    // The auth code is the captured terminal's; the amount the register asked (3.50 = 00 00 00 00 03 50).
    await expect(page.getByTestId('receipt')).toContainText('750071');
    expect(seen.filter((c) => c.startsWith('0601'))).toEqual(['06010a04000000000350490978']);
    expect(seen[0].startsWith('0600')).toBe(true);
    await expect(page.getByTestId('training-badge')).toHaveCount(0);
    // The amount in flight was written strictly (a power cut after the approval cannot lose it),
    // before the terminal heard of it.
    await expectInFlightWritesStrict(page);
    const log = await watched(page);
    expect(log.findIndex((e) => e.kind === 'put' && !!e.inFlight)).toBeLessThan(log.findIndex((e) => e.kind === 'zvt' && e.apdu!.startsWith('0601')));
    // ZVT's serial line: 9600 bps, 8 data bits, no parity, 2 stop bits.
    expect(await page.evaluate(() => (window as any).zvtLine)).toMatchObject({ baudRate: 9600, dataBits: 8, stopBits: 2, parity: 'none' });

    // The terminal buttons: the last operation comes back with its print lines.
    await page.getByTestId('new-sale').click();
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('terminal-last').click();
    await expect(page.getByTestId('terminal-report')).toContainText('Approved: €3.50');
    await expect(page.getByTestId('terminal-print')).toContainText('FAKE TERMINAL');
  });

  test('the terminal\'s own receipt lines are printed on our printer, below the sale', async ({ page }) => {
    const printer = await fakeUsbPrinter(page, { interfaces: COMPOSITE_PRINTER });
    await installFakeZvt(page, { mode: 'approve' }, () => {});
    await openRegister(page);
    await page.getByTestId('nav-settings').click();
    await addUsbPrinter(page);
    await setUpZvt(page);
    await tap(page, 'Fries');
    await payByCard(page);
    await expect(page.getByTestId('completed')).toBeVisible();
    await expect(page.getByTestId('print-message')).toHaveText('Printed.');
    const decoded = emupos(printer.bytes(3));
    expect(decoded.receipts).toHaveLength(1);
    const text = decoded.receipts[0].text;
    expect(text).toContain('Fries');
    expect(text).toContain('FAKE TERMINAL');
    expect(text.indexOf('FAKE TERMINAL')).toBeGreaterThan(text.indexOf('Fries'));
  });

  test('a wrong PIN: the terminal\'s screen shows in the cashier\'s language, the payment stays open, nothing is charged', async ({ page }) => {
    const seen: string[] = [];
    await installFakeZvt(page, { mode: 'wrong-pin' }, (apdu) => seen.push(apdu));
    await openRegister(page);
    await setUpZvt(page);
    await switchLanguage(page, 'ru');
    await tap(page, 'Fries');
    await payByCard(page);
    await expect(page.getByTestId('terminal-progress')).toHaveText('Терминал: неверный PIN');
    await expect(page.getByTestId('notice')).toContainText('PIN введён неверно', { timeout: 10_000 });
    await expect(page.getByTestId('notice')).toContainText('Деньги не списаны');
    await expect(page.getByTestId('pay-dialog')).toBeVisible();
    await expect(page.getByTestId('tender')).toHaveCount(0);
    await expect(page.getByTestId('charge-terminal')).toBeVisible();
    expect(seen.filter((c) => c.startsWith('0601'))).toHaveLength(1);
    await page.getByTestId('cancel-payment').click();
    await page.getByTestId('nav-sales').click();
    await expect(page.getByTestId('sale-number')).toHaveCount(0);
  });

  test('a reload during the authorisation asks the terminal for the last status and never charges twice', async ({ page }) => {
    const seen: string[] = [];
    await installFakeZvt(page, { mode: 'hang' }, (apdu) => seen.push(apdu));
    await openRegister(page);
    await setUpZvt(page);
    await tap(page, 'Fries');
    await payByCard(page);
    await expect(page.getByTestId('terminal-progress')).toContainText('please wait');
    await expect.poll(() => seen.filter((c) => c.startsWith('0601')).length).toBe(1);
    await page.waitForTimeout(300); // the status information (approved) reaches the register

    await page.reload();
    await expect(page.getByTestId('completed')).toBeVisible({ timeout: 15_000 });
    await expect(page.getByTestId('receipt')).toContainText('750071');
    expect(seen.filter((c) => c.startsWith('0601')).length).toBe(1);
    expect(seen.filter((c) => c.startsWith('0620')).length).toBe(1);
    await page.getByTestId('new-sale').click();
    await page.getByTestId('nav-sales').click();
    await expect(page.getByTestId('sale-number')).toHaveCount(1);
  });
});
