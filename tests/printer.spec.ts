// Receipt printers and the cash drawer: a printer is added in settings, a cash sale prints its
// receipt and kicks the drawer, problems show a message with "Print again", and the sale is never
// touched by printing. The printers are fakes behind navigator.usb / navigator.serial
// (tests/fake-devices.ts); what they receive is decoded by emupos, an independent ESC/POS
// simulator, so these tests check what a real printer would print.
import { expect, test, type Page } from '@playwright/test';
import { openRegister, salesNumbers, sellOne } from './cashier';
import { COMPOSITE_PRINTER, emupos, fakeSerialPrinter, fakeUsbPrinter, type FakePrinter } from './fake-devices';

async function addPrinter(page: Page, connection: 'usb' | 'serial', model = 'epson-tm-t20') {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('printer-connection').selectOption(connection);
  await page.getByTestId('printer-model').selectOption(model);
  await page.getByTestId('add-printer').click();
  await expect(page.getByTestId('printer-summary')).toBeVisible();
  await page.getByTestId('nav-register').click();
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

// Web Bluetooth through Chromium's Bluetooth emulation. WebDriver BiDi's `bluetooth.*` commands
// are implemented in Chromium on the DevTools `BluetoothEmulation` domain, and Playwright speaks
// DevTools to Chromium, so the test drives that domain directly: the browser-level session for
// the emulated adapter and peripheral, the page's `DeviceAccess` for the device chooser.
// (playwright.config.ts turns Web Bluetooth on, which headless Chromium lacks by default.)
test.describe('Bluetooth', () => {
  const SERVICE = '000018f0-0000-1000-8000-00805f9b34fb';
  const CHARACTERISTIC = '00002af1-0000-1000-8000-00805f9b34fb';
  const ADDRESS = '09:09:09:09:09:09';

  test('a Bluetooth printer gets the receipt in chunks of the chosen size, which decode with the QR and a drawer kick', async ({ page, browser }) => {
    const browserSession = await browser.newBrowserCDPSession();
    const pageSession = await page.context().newCDPSession(page);
    const writes: { data: Buffer; writeType?: string }[] = [];
    try {
      await pageSession.send('DeviceAccess.enable');
      await browserSession.send('BluetoothEmulation.enable', { state: 'powered-on', leSupported: true });
      await browserSession.send('BluetoothEmulation.simulatePreconnectedPeripheral', {
        address: ADDRESS, name: 'PT-210', manufacturerData: [], knownServiceUuids: [SERVICE],
      });
      // The chooser's event comes twice for one prompt: answer each prompt once.
      const answered = new Set<string>();
      pageSession.on('DeviceAccess.deviceRequestPrompted', ({ id }) => {
        if (answered.has(id)) return;
        answered.add(id);
        void pageSession.send('DeviceAccess.selectPrompt', { id, deviceId: ADDRESS });
      });
      // The print service and characteristic exist before the connection is answered.
      browserSession.on('BluetoothEmulation.gattOperationReceived', async ({ address, type }) => {
        if (type === 'connection') {
          const { serviceId } = await browserSession.send('BluetoothEmulation.addService', { address, serviceUuid: SERVICE });
          await browserSession.send('BluetoothEmulation.addCharacteristic', {
            serviceId, characteristicUuid: CHARACTERISTIC, properties: { write: true, writeWithoutResponse: true },
          });
        }
        await browserSession.send('BluetoothEmulation.simulateGATTOperationResponse', { address, type, code: 0 });
      });
      browserSession.on('BluetoothEmulation.characteristicOperationReceived', ({ characteristicId, type, data, writeType }) => {
        if (type !== 'write' || data === undefined) return;
        writes.push({ data: Buffer.from(data, 'base64'), writeType });
        if (writeType !== 'write-without-response') {
          void browserSession.send('BluetoothEmulation.simulateCharacteristicOperationResponse', { characteristicId, type: 'write', code: 0 });
        }
      });

      await openRegister(page);
      await page.getByTestId('nav-settings').click();
      await page.getByTestId('printer-connection').selectOption('bluetooth');
      await page.getByTestId('printer-model').selectOption('xprinter-58');
      await page.getByTestId('chunk-size').fill('60');
      await page.getByTestId('chunk-size').dispatchEvent('change');
      await page.getByTestId('add-printer').click();
      await expect(page.getByTestId('printer-summary')).toContainText('Bluetooth');
      await page.getByTestId('nav-register').click();

      const number = await sellOne(page, 'Fries');
      await expectPrinted(page);
      expect(writes.length).toBeGreaterThan(1);
      expect(Math.max(...writes.map((w) => w.data.length))).toBeLessThanOrEqual(60);
      const decoded = emupos(Buffer.concat(writes.map((w) => w.data)), 'xprinter-xp80t');
      expect(decoded.receipts.map((r) => r.boundary)).toEqual(['cut']);
      expect(decoded.receipts[0].text).toContain(`Receipt ${number}`);
      expect(decoded.receipts[0].text).toMatch(/\[qr RCPT:[0-9a-f-]{36};3\.50;EUR\]/);
      expect(decoded.events.filter((e) => e.type === 'drawer.opened')).toHaveLength(1);
    } finally {
      await browserSession.send('BluetoothEmulation.disable').catch(() => {});
    }
  });
});
