// Card terminals: the training simulator and a ZVT terminal on a (fake) serial port. A card is
// recorded only when the terminal approves; a decline or no answer leaves the payment open; a
// reload during a payment asks the terminal what became of it and never charges twice.
import { expect, test, type Page } from '@playwright/test';
import { openRegister, plain, tap } from './cashier';
import { installFakeZvt } from './fake-zvt';
import { setTerminal, setUpZvt } from './settings';
import { COMPOSITE_PRINTER, emupos, fakeUsbPrinter } from './fake-devices';

async function payByCard(page: Page) {
  await page.getByTestId('pay').click();
  await page.getByTestId('method-card').click();
  await page.getByTestId('charge-terminal').click();
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

test.describe('ZVT over WebSerial (a fake terminal on a fake serial port)', () => {
  test('a purchase shows the terminal\'s status and records its approval', async ({ page }) => {
    const seen: string[] = [];
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
    await page.getByTestId('printer-connection').selectOption('usb');
    await page.getByTestId('printer-model').selectOption('epson-tm-t20');
    await page.getByTestId('add-printer').click();
    await expect(page.getByTestId('printer-summary')).toBeVisible();
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
    await page.getByTestId('lang-switch').first().selectOption('ru');
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
