// A keyboard-wedge scanner types a barcode a few milliseconds per key and ends with Enter: the
// register adds the product from any screen with no field focused. A person typing the same keys
// at human speed adds nothing.
import { expect, test, type Page } from '@playwright/test';
import { openRegister, tap } from './cashier';

const COLA = '2000000000183';

/** Presses `code` then Enter, `interval` ms apart, stamped as the OS stamps a real device's keys:
 * each `keydown` carries the moment of its press, however late a busy page takes it.
 * (Playwright's `keyboard.type` lets the page stamp keys when it takes them, so on a loaded
 * machine a scan spreads out and looks like typing, which a real scanner never does.) The keys
 * are sent at once, as a USB scanner's reach the browser; their stamps keep the spacing. */
async function scan(page: Page, code: string, interval: number) {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const cdp = await page.context().newCDPSession(page);
  const keys = [...code].map((c) => ({ key: c, code: `Digit${c}`, text: c, windowsVirtualKeyCode: c.charCodeAt(0) }));
  keys.push({ key: 'Enter', code: 'Enter', text: '\r', windowsVirtualKeyCode: 13 });
  const start = Date.now();
  await Promise.all(
    keys.flatMap(({ text, ...key }, i) => {
      const timestamp = (start + i * interval) / 1000;
      return [
        cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', ...key, text, timestamp }),
        cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...key, timestamp }),
      ];
    }),
  );
  await cdp.detach();
}

test('a scan at scanner speed adds the item from the register and from other screens', async ({ page }) => {
  await openRegister(page);
  await scan(page, COLA, 5);
  await expect(page.getByTestId('ticket-line')).toHaveCount(1);
  await expect(page.getByTestId('ticket-line')).toContainText('Cola');

  await page.getByTestId('nav-sales').click();
  await scan(page, COLA, 5);
  await expect(page.getByTestId('product').first()).toBeVisible();
  await expect(page.getByTestId('line-qty')).toHaveText('2');
});

test('the same keys typed at a person\'s speed add nothing', async ({ page }) => {
  await openRegister(page);
  await scan(page, COLA, 120);
  await page.waitForTimeout(300);
  await expect(page.getByTestId('ticket-line')).toHaveCount(0);
  await expect(page.getByTestId('notice')).toHaveCount(0);
});

test('a scan during payment is refused and leaves the total alone', async ({ page }) => {
  await openRegister(page);
  await tap(page, 'Fries');
  await page.getByTestId('pay').click();
  await scan(page, COLA, 5);
  await expect(page.getByTestId('notice')).toContainText('scanned during payment');
  await expect(page.getByTestId('amount-due')).toHaveText('€3.50');
});
