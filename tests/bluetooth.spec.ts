// A Bluetooth receipt printer, emulated by the browser itself through WebDriver BiDi's Web
// Bluetooth automation: the page goes through the real `navigator.bluetooth` chooser, GATT
// connection and characteristic writes, and what it wrote is decoded by emupos.
//
// Playwright cannot send BiDi `bluetooth.*` commands to Chromium, so chromedriver starts the
// browser (bidi.ts) and Playwright joins it over the DevTools protocol to drive the register.
import { chromium, expect, test as base, type Page } from '@playwright/test';
import { launchBidiBrowser, type BidiConnection, type Events } from './bidi';
import { openRegister, sellOne, TABLET } from './cashier';
import { emupos } from './fake-devices';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium';

// The generic printers' print service and write characteristic (devices' BLUETOOTH_PRINT_SERVICES).
const SERVICE = '000018f0-0000-1000-8000-00805f9b34fb';
const CHARACTERISTIC = '00002af1-0000-1000-8000-00805f9b34fb';
const ADDRESS = '09:09:09:09:09:09';
// emupos's XP-80T profile lacks the Xprinter code page numbers our encoder uses.
const XPRINTER_PAGES = ['17=PC866', '23=WPC1251', '19=PC858'];

/** A BLE printer emulated by the browser, recording every write the page makes to it. */
class EmulatedPrinter {
  readonly writes: { data: Buffer; type: string }[] = [];
  /** Commands the browser refused while answering the page; a test expects none. */
  readonly problems: string[] = [];
  private readonly answeredPrompts = new Set<string>();
  private servicesAdded = false;

  constructor(
    private readonly bidi: BidiConnection,
    private readonly context: string,
  ) {}

  async start() {
    const { bidi, context } = this;
    bidi.on('bluetooth.requestDevicePromptUpdated', (e) => this.onPrompt(e));
    bidi.on('bluetooth.gattConnectionAttempted', (e) => e.context === context && this.answer(this.onConnection(e.address)));
    bidi.on('bluetooth.characteristicEventGenerated', (e) => this.onCharacteristic(e));
    await bidi.send('session.subscribe', {
      events: ['bluetooth.requestDevicePromptUpdated', 'bluetooth.gattConnectionAttempted', 'bluetooth.characteristicEventGenerated'],
      contexts: [context],
    });
    await bidi.send('bluetooth.simulateAdapter', { context, state: 'powered-on' });
    await bidi.send('bluetooth.simulatePreconnectedPeripheral', {
      context, address: ADDRESS, name: 'PT-210', manufacturerData: [], knownServiceUuids: [SERVICE],
    });
  }

  bytes(): Buffer {
    return Buffer.concat(this.writes.map((w) => w.data));
  }

  // The prompt's event comes more than once for one chooser; it is answered once, when it lists
  // the printer (answering again fails: the prompt is gone).
  private onPrompt({ context, prompt, devices }: Events['bluetooth.requestDevicePromptUpdated']) {
    if (context !== this.context || this.answeredPrompts.has(prompt) || !devices.some((d) => d.id === ADDRESS)) return;
    this.answeredPrompts.add(prompt);
    this.answer(this.bidi.send('bluetooth.handleRequestDevicePrompt', { context, prompt, accept: true, device: ADDRESS }));
  }

  // The page looks for the print service as soon as it is connected, so the service must exist
  // before the connection is answered. It stays across reconnections.
  private async onConnection(address: string) {
    const { bidi, context } = this;
    if (!this.servicesAdded) {
      await bidi.send('bluetooth.simulateService', { context, address, uuid: SERVICE, type: 'add' });
      await bidi.send('bluetooth.simulateCharacteristic', {
        context, address, serviceUuid: SERVICE, characteristicUuid: CHARACTERISTIC,
        characteristicProperties: { write: true, writeWithoutResponse: true }, type: 'add',
      });
      this.servicesAdded = true;
    }
    await bidi.send('bluetooth.simulateGattConnectionResponse', { context, address, code: 0 });
  }

  private onCharacteristic(e: Events['bluetooth.characteristicEventGenerated']) {
    if (e.context !== this.context || !e.type.startsWith('write')) return;
    this.writes.push({ data: Buffer.from(e.data ?? []), type: e.type });
    // A write with response waits for the printer's answer; one without does not get one.
    if (e.type === 'write-with-response') {
      this.answer(this.bidi.send('bluetooth.simulateCharacteristicResponse', {
        context: e.context, address: e.address, serviceUuid: e.serviceUuid, characteristicUuid: e.characteristicUuid,
        type: 'write', code: 0,
      }));
    }
  }

  // Event listeners cannot fail the test themselves; a refusal shows in `problems` instead of
  // as a test that times out waiting for "Printed.".
  private answer(reply: Promise<unknown>) {
    reply.catch((e: Error) => this.problems.push(e.message));
  }
}

const test = base.extend<{ bluetooth: { page: Page; printer: EmulatedPrinter } }>({
  bluetooth: async ({ baseURL }, use) => {
    const browser = await launchBidiBrowser({ binary: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const cdp = await chromium.connectOverCDP(browser.cdpUrl);
      try {
        const page = cdp.contexts()[0].pages()[0];
        // Chromium names a top-level BiDi browsing context by its DevTools target id.
        const session = await page.context().newCDPSession(page);
        const { targetInfo } = await session.send('Target.getTargetInfo');
        await session.detach();
        const { contexts } = await browser.bidi.send('browsingContext.getTree', { maxDepth: 0 });
        expect(contexts.map((c) => c.context)).toContain(targetInfo.targetId);

        const printer = new EmulatedPrinter(browser.bidi, targetInfo.targetId);
        await printer.start();
        await openRegister(page, TABLET, baseURL);
        await use({ page, printer });
        expect(printer.problems).toEqual([]);
      } finally {
        await cdp.close();
      }
    } finally {
      await browser.close();
    }
  },
});

/** What the printer got, decoded by emupos, once it holds one whole receipt ending in a cut.
 * The browser reports each write to the test over BiDi as an event, which may arrive after the
 * page has seen its write done, so the test waits for the cut rather than reading at once. */
async function printedUpToCut(printer: EmulatedPrinter) {
  const decode = () => emupos(printer.bytes(), 'xprinter-xp80t', XPRINTER_PAGES);
  await expect.poll(() => decode().receipts.map((r) => r.boundary), { timeout: 10_000 }).toEqual(['cut']);
  return decode();
}

/** Adds the Bluetooth printer in settings as an Xprinter 58 mm writing `chunk` bytes at a time. */
async function addBluetoothPrinter(page: Page, chunk: number) {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('printer-connection').selectOption('bluetooth');
  await page.getByTestId('printer-model').selectOption('xprinter-58');
  await page.getByTestId('chunk-size').fill(String(chunk));
  await page.getByTestId('chunk-size').dispatchEvent('change');
  await page.getByTestId('add-printer').click();
  await expect(page.getByTestId('printer-summary')).toContainText('Bluetooth');
}

test('a Bluetooth printer added in settings prints the test page, Cyrillic and Latin', async ({ bluetooth: { page, printer } }) => {
  await addBluetoothPrinter(page, 60);
  await page.getByTestId('print-test-page').click();
  await expect(page.getByTestId('print-message')).toHaveText('Printed.');

  const decoded = await printedUpToCut(printer);
  expect(decoded.receipts[0].text).toContain('Test page');
  expect(decoded.receipts[0].text).toContain('Xprinter 58 mm');
  expect(decoded.receipts[0].text).toContain('Съешь же ещё этих мягких французских булок');
});

test('a Bluetooth printer gets the receipt in chunks of the chosen size, which decode with the QR and a drawer kick', async ({ bluetooth: { page, printer } }) => {
  await addBluetoothPrinter(page, 60);
  await page.getByTestId('nav-register').click();

  const number = await sellOne(page, 'Fries');
  await expect(page.getByTestId('print-message')).toHaveText('Printed.');
  expect(printer.writes.length).toBeGreaterThan(1);
  expect(Math.max(...printer.writes.map((w) => w.data.length))).toBeLessThanOrEqual(60);
  const decoded = await printedUpToCut(printer);
  expect(decoded.receipts[0].text).toContain(`Receipt ${number}`);
  expect(decoded.receipts[0].text).toMatch(/\[qr RCPT:[0-9a-f-]{36};3\.50;EUR\]/);
  expect(decoded.events.filter((e) => e.type === 'drawer.opened')).toHaveLength(1);
});
