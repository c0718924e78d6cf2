// Scanners beyond the keyboard wedge: a USB scanner in HID-POS mode through WebHID (a fake
// `navigator.hid` whose device sends Scanned Data Reports), and the camera through the
// browser's BarcodeDetector (a fake detector and a fake camera stream).
import { expect, test } from '@playwright/test';
import { openRegister } from './cashier';

const COLA = '2000000000183';

test('a HID-POS scanner chosen in Settings adds what it scans, and is found again after a reload', async ({ page }) => {
  await page.addInitScript(() => {
    const listeners: ((e: unknown) => void)[] = [];
    const device = {
      productName: 'Fake HID-POS scanner',
      vendorId: 0x0c2e,
      productId: 0x0b8f,
      opened: false,
      collections: [{ usagePage: 0x8c, usage: 0x02 }],
      async open() { this.opened = true; },
      addEventListener(type: string, f: (e: unknown) => void) { if (type === 'inputreport') listeners.push(f); },
    };
    const granted = () => localStorage.getItem('fake-hid-granted') === 'yes';
    Object.defineProperty(navigator, 'hid', {
      value: {
        async getDevices() { return granted() ? [device] : []; },
        async requestDevice(options: { filters: { usagePage?: number }[] }) {
          if (!options.filters.some((f) => f.usagePage === 0x8c)) return [];
          localStorage.setItem('fake-hid-granted', 'yes');
          return [device];
        },
        addEventListener() {},
      },
    });
    // The Scanned Data Report as a scanner sends it: count, AIM id, data, zero padding.
    (window as any).fakeHidScan = (code: string) => {
      const report = new Uint8Array(63);
      report[0] = code.length;
      report.set([0x5d, 0x45, 0x30], 1);
      report.set(Array.from(code, (c) => c.charCodeAt(0)), 4);
      for (const f of listeners) f({ reportId: 0x02, data: new DataView(report.buffer), device });
    };
  });
  await openRegister(page);
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('hid-status')).toContainText('No HID-POS scanner');
  await page.getByTestId('hid-connect').click();
  await expect(page.getByTestId('hid-status')).toContainText('Scanner ready: Fake HID-POS scanner');

  await page.evaluate((code) => (window as any).fakeHidScan(code), COLA);
  await expect(page.getByTestId('ticket-line')).toHaveCount(1);
  await expect(page.getByTestId('ticket-line')).toContainText('Cola');

  await page.reload();
  await expect(page.getByTestId('ticket-line')).toHaveCount(1);
  await page.evaluate((code) => (window as any).fakeHidScan(code), COLA);
  await expect(page.getByTestId('line-qty')).toHaveText('2');
});

test('the camera reads a barcode with BarcodeDetector and adds the item', async ({ page }) => {
  await page.addInitScript(() => {
    (window as any).BarcodeDetector = class {
      static async getSupportedFormats() { return ['ean_13']; }
      async detect() {
        const code = (window as any).barcodeInView;
        return code ? [{ rawValue: code, format: 'ean_13' }] : [];
      }
    };
    navigator.mediaDevices.getUserMedia = async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 64;
      canvas.height = 48;
      const ctx = canvas.getContext('2d')!;
      const paint = () => ctx.fillRect(0, 0, 64, 48);
      paint();
      setInterval(paint, 50);
      return canvas.captureStream(10);
    };
  });
  await openRegister(page);
  await page.getByTestId('scan-camera').click();
  await expect(page.getByTestId('camera')).toBeVisible();
  await page.waitForTimeout(400);
  await expect(page.getByTestId('ticket-line')).toHaveCount(0);
  await page.evaluate((code) => { (window as any).barcodeInView = code; }, COLA);
  await expect(page.getByTestId('ticket-line')).toContainText('Cola');
  await expect(page.getByTestId('camera')).toHaveCount(0);
});
