// Receipt printers and the cash drawer: a printer is added in settings, a cash sale prints its
// receipt and kicks the drawer, problems show a message with "Print again", and the sale is never
// touched by printing. The printers are fakes behind navigator.usb / navigator.serial
// (tests/fake-devices.ts); what they receive is decoded by emupos, an independent ESC/POS
// simulator, so these tests check what a real printer would print. The Bluetooth printer, which
// the browser itself emulates, is in bluetooth.spec.ts.
import { expect, test, type Page } from '@playwright/test';
import { openRegister, salesNumbers, sellOne, tap } from './cashier';
import { COMPOSITE_PRINTER, emupos, fakeSerialPrinter, fakeUsbPrinter, type FakePrinter } from './fake-devices';

async function addPrinter(page: Page, connection: 'usb' | 'serial', model = 'epson-tm-t20') {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('printer-connection').selectOption(connection);
  await page.getByTestId('printer-model').selectOption(model);
  await page.getByTestId('add-printer').click();
  await expect(page.getByTestId('printer-summary')).toBeVisible();
  await page.getByTestId('nav-register').click();
}

/** The printer setup as the app keeps it (`kv` key `printer`), as JSON. */
async function savedPrinter(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      new Promise<string>((ok, fail) => {
        const open = indexedDB.open('register');
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('kv').objectStore('kv').get('printer');
          get.onsuccess = () => {
            ok(String(get.result ?? ''));
            open.result.close();
          };
        };
      }),
  );
}

async function expectPrinted(page: Page) {
  await expect(page.getByTestId('print-message')).toHaveText('Printed.');
}

/** The one receipt the printer got, as emupos printed it, with its events. */
function printedReceipt(printer: FakePrinter, endpoint?: number) {
  const decoded = emupos(printer.bytes(endpoint));
  expect(decoded.receipts.map((r) => r.boundary)).toEqual(['cut']);
  return { text: decoded.receipts[0].text, drawer: decoded.events.filter((e) => e.type === 'drawer.opened') };
}

test('a USB printer on interface 1 prints a cash sale to its bulk OUT endpoint, with the QR and a drawer kick', async ({ page }) => {
  const printer = await fakeUsbPrinter(page, { interfaces: COMPOSITE_PRINTER });
  await openRegister(page);
  await addPrinter(page, 'usb');

  const number = await sellOne(page, 'Fries');
  await expectPrinted(page);

  // Every byte went to endpoint 3 of the printer-class interface 1, none to interface 0's endpoint 2.
  expect(printer.writes.length).toBeGreaterThan(0);
  expect(new Set(printer.writes.map((w) => w.endpoint))).toEqual(new Set([3]));
  const { text, drawer } = printedReceipt(printer, 3);
  expect(text).toContain(`Receipt ${number}`);
  expect(text).toContain('Fries');
  expect(text).toMatch(/\[qr RCPT:[0-9a-f-]{36};3\.50;EUR\]/);
  expect(drawer).toHaveLength(1);

  // The opening is in the audit list, with the sale's receipt number and this device.
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('drawer-opening').first()).toContainText(`Sale ${number}`);
  await expect(page.getByTestId('drawer-opening').first()).toContainText(`device ${number.split('-')[0]}`);
});

test('a printer that disconnects mid-receipt says so, and Print again prints the whole receipt once it is back', async ({ page }) => {
  const printer = await fakeUsbPrinter(page, { interfaces: COMPOSITE_PRINTER });
  await openRegister(page);
  await addPrinter(page, 'usb');
  await printer.disconnectAfter(150);

  const number = await sellOne(page, 'Hot Dog');
  await expect(page.getByTestId('print-message')).toContainText('The printer disconnected before the receipt was finished');
  // The paper got part of the receipt only: no cut.
  expect(emupos(printer.bytes()).receipts.map((r) => r.boundary)).not.toContain('cut');

  printer.clear();
  await printer.reconnect();
  await page.getByTestId('print-again').click();
  await expectPrinted(page);
  const { text } = printedReceipt(printer, 3);
  expect(text).toContain(`Receipt ${number}`);
  expect(text).toContain('Hot Dog');

  // Printing never touched the sale: it is in the list exactly once.
  const numbers = await salesNumbers(page);
  expect(numbers.filter((n) => n === number)).toHaveLength(1);
  expect(numbers).toHaveLength(1);
});

test('paper out blocks printing with a message; Print again prints once a roll is in', async ({ page }) => {
  const printer = await fakeUsbPrinter(page, { interfaces: COMPOSITE_PRINTER });
  await openRegister(page);
  await addPrinter(page, 'usb');
  await printer.setFault('paper-out');

  const number = await sellOne(page, 'Brownie');
  await expect(page.getByTestId('print-message')).toHaveText(
    'The printer is out of paper. Load a new roll and press Print again. The sale is saved.',
  );
  // Only the status queries went out: nothing of the receipt.
  expect(printer.writes.every((w) => w.data.length === 3 && w.data[0] === 0x10 && w.data[1] === 0x04)).toBe(true);

  await printer.setFault(null);
  printer.clear();
  await page.getByTestId('print-again').click();
  await expectPrinted(page);
  expect(printedReceipt(printer, 3).text).toContain(`Receipt ${number}`);
  expect(await salesNumbers(page)).toEqual([number]);
});

test('a serial printer opens at its profile\'s speed, prints a cash sale, and is remembered after a reload', async ({ page }) => {
  const printer = await fakeSerialPrinter(page);
  await openRegister(page);
  await addPrinter(page, 'serial', 'epson-tm-t20');
  // Epson's factory setting: 38400 baud with hardware flow control, 8N1.
  expect(printer.opens[0]).toMatchObject({ baudRate: 38400, flowControl: 'hardware', dataBits: 8, stopBits: 1, parity: 'none' });

  const first = await sellOne(page, 'Cola');
  await expectPrinted(page);
  const { text, drawer } = printedReceipt(printer);
  expect(text).toContain(`Receipt ${first}`);
  expect(text).toMatch(/\[qr RCPT:[0-9a-f-]{36};[0-9.]+;EUR\]/);
  expect(drawer).toHaveLength(1);

  // After a restart the port is found again among the granted ports: no chooser.
  printer.clear();
  await page.reload();
  await expect(page.getByTestId('product').first()).toBeVisible();
  const second = await sellOne(page, 'Cola');
  await expectPrinted(page);
  expect(printedReceipt(printer).text).toContain(`Receipt ${second}`);
  expect(printer.opens.at(-1)).toMatchObject({ baudRate: 38400 });

  // The test page from settings prints the model's name and Cyrillic through its code page.
  printer.clear();
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('print-test-page').click();
  await expectPrinted(page);
  const page1 = printedReceipt(printer).text;
  expect(page1).toContain('Test page');
  expect(page1).toContain('Epson TM-T20 / TM-m30 (80 mm)');
  expect(page1).toContain('Съешь же ещё этих мягких французских булок');
});

test('a serial printer: paper out and cover open are read from its replies, and a disconnect mid-receipt is printed again once it is back', async ({ page }) => {
  const printer = await fakeSerialPrinter(page);
  await openRegister(page);
  await addPrinter(page, 'serial');

  await printer.setFault('cover-open');
  const number = await sellOne(page, 'Cola');
  await expect(page.getByTestId('print-message')).toHaveText(
    'The printer cover is open. Close it firmly and press Print again. The sale is saved.',
  );
  await printer.setFault('paper-out');
  await page.getByTestId('print-again').click();
  await expect(page.getByTestId('print-message')).toContainText('The printer is out of paper.');
  expect(printer.writes.every((w) => w.data.length === 3 && w.data[0] === 0x10 && w.data[1] === 0x04)).toBe(true);

  await printer.setFault(null);
  await printer.disconnectAfter(200);
  await page.getByTestId('print-again').click();
  await expect(page.getByTestId('print-message')).toContainText('The printer disconnected before the receipt was finished');

  printer.clear();
  await printer.reconnect();
  await page.getByTestId('print-again').click();
  await expectPrinted(page);
  const { text, drawer } = printedReceipt(printer);
  expect(text).toContain(`Receipt ${number}`);
  expect(drawer).toHaveLength(1);
  expect(await salesNumbers(page)).toEqual([number]);
});

test('with printing after a sale off, a cash sale only opens the drawer, and Print receipt prints it without a second kick', async ({ page }) => {
  const printer = await fakeUsbPrinter(page, { interfaces: COMPOSITE_PRINTER });
  await openRegister(page);
  await addPrinter(page, 'usb');
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('print-after-sale').uncheck();
  // The setting is kept in IndexedDB, and still off after a restart.
  await expect.poll(() => savedPrinter(page)).toContain('"print_after_sale":false');
  await page.reload();
  // Once in a CI run a click on Settings right after the reload was lost (the register stayed
  // on screen; cause not found): this test is about the setting kept, so it clicks until
  // Settings shows.
  await expect(page.getByTestId('product').first()).toBeVisible();
  await expect(async () => {
    await page.getByTestId('nav-settings').click();
    await expect(page.getByTestId('print-after-sale')).toBeVisible({ timeout: 1000 });
  }).toPass();
  await expect(page.getByTestId('print-after-sale')).not.toBeChecked();
  // Connecting the printer again keeps the choice.
  await page.getByTestId('reconnect-printer').click();
  await expect.poll(() => printer.requests()).toBe(1);
  await expect.poll(() => savedPrinter(page)).toContain('"print_after_sale":false');
  await expect(page.getByTestId('print-after-sale')).not.toBeChecked();
  await page.getByTestId('nav-register').click();

  await tap(page, 'Fries');
  await page.getByTestId('pay').click();
  await page.getByTestId('quick-cash').first().click();
  await expect(page.getByTestId('completed')).toBeVisible();
  await expectPrinted(page);
  const kick = emupos(printer.bytes(3));
  expect(kick.events.filter((e) => e.type === 'drawer.opened')).toHaveLength(1);
  expect(kick.receipts.every((r) => r.text.trim() === '')).toBe(true);

  printer.clear();
  const number = ((await page.getByTestId('receipt-number').textContent()) ?? '').replace(/^\D*Receipt\s*/, '').trim();
  await page.getByTestId('print-receipt').click();
  await expectPrinted(page);
  const { text, drawer } = printedReceipt(printer, 3);
  expect(text).toContain(`Receipt ${number}`);
  expect(drawer).toHaveLength(0);
});

test('a receipt is reprinted from the sales list as a marked merchant copy, without opening the drawer', async ({ page }) => {
  const printer = await fakeSerialPrinter(page);
  await openRegister(page);
  await addPrinter(page, 'serial', 'xprinter-80');
  const number = await sellOne(page, 'Fries');
  await expectPrinted(page);
  printer.clear();

  await page.getByTestId('nav-sales').click();
  await page.getByTestId('sale-row').first().click();
  await page.getByTestId('reprint-merchant').click();
  await expectPrinted(page);
  const { text, drawer } = printedReceipt(printer);
  expect(text).toContain(`Receipt ${number}`);
  expect(text).toContain('MERCHANT COPY');
  expect(text).toContain('REPRINT');
  expect(drawer).toHaveLength(0);
});

test('No sale opens the drawer only with a reason, and the opening is recorded', async ({ page }) => {
  const printer = await fakeSerialPrinter(page);
  await openRegister(page);
  await addPrinter(page, 'serial');
  await page.getByTestId('no-sale').click();
  await page.getByTestId('open-drawer').click();
  await expect(page.getByTestId('notice')).toContainText('Give a reason to open the drawer.');
  expect(printer.writes).toHaveLength(0);

  await page.getByTestId('no-sale-reason').fill('Change for the float');
  await page.getByTestId('open-drawer').click();
  await expectPrinted(page);
  const decoded = emupos(printer.bytes());
  expect(decoded.events.filter((e) => e.type === 'drawer.opened')).toHaveLength(1);

  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('drawer-opening')).toHaveCount(1);
  await expect(page.getByTestId('drawer-opening')).toContainText('No sale: Change for the float');
  // The audit list is kept: it is still there after a restart.
  await page.reload();
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('drawer-opening')).toContainText('No sale: Change for the float');
});

test('a USB printer held by the system driver gets a plain message that suggests another connection', async ({ page }) => {
  await fakeUsbPrinter(page, { interfaces: COMPOSITE_PRINTER, claimFails: true });
  await openRegister(page);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('printer-connection').selectOption('usb');
  await page.getByTestId('add-printer').click();
  await expect(page.getByTestId('print-message')).toContainText("The computer's own printer driver holds this USB printer");
  await expect(page.getByTestId('print-message')).toContainText('serial port or Bluetooth');
  await expect(page.getByTestId('printer-summary')).toHaveCount(0);
});

test('a browser without WebUSB says so and suggests another connection', async ({ page }) => {
  await page.addInitScript(() => Object.defineProperty(navigator, 'usb', { value: undefined, configurable: true }));
  await openRegister(page);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('printer-connection').selectOption('usb');
  await expect(page.getByTestId('transport-unsupported')).toContainText('This browser cannot reach USB printers');
  await expect(page.getByTestId('add-printer')).toBeDisabled();
});
