// What a cashier does, as one helper per action, shared by the browser tests so that the screens
// can change without rewriting every test.
import { expect, type Page } from '@playwright/test';

export const TABLET = { width: 1024, height: 768 };
export const PHONE = { width: 390, height: 844 };

/** Opens the register (at `url`, default the suite's server) and waits for the catalog. */
export async function openRegister(page: Page, viewport = TABLET, url = '/') {
  await page.setViewportSize(viewport);
  await page.goto(url);
  await expect(page.getByTestId('product').first()).toBeVisible();
}

/** Switches the screen's language where the cashier finds it, in Settings, and returns to the
 * register. */
export async function switchLanguage(page: Page, lang: 'en' | 'ru') {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('lang-switch').selectOption(lang);
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
  await page.getByTestId('nav-register').click();
}

/** Counts a drawer into the count form `form` (`float`, `close-count`): how many of each note
 * and coin, by value. */
export async function countCash(page: Page, form: string, pieces: Record<string, number>) {
  for (const [value, n] of Object.entries(pieces)) {
    await page.getByTestId(`${form}-${value}`).fill(String(n));
  }
}

/** Taps the product tile whose name is exactly `name`. */
export async function tap(page: Page, name: string) {
  await page
    .getByTestId('product')
    .filter({ has: page.locator('.tile-name', { hasText: new RegExp(`^${name}$`) }) })
    .click();
}

/** Text with any kind of space made plain, as `Intl` uses no-break spaces. */
export function plain(text: string | null) {
  return (text ?? '').replace(/[\u00a0\u202f]/g, ' ').trim();
}

export async function expectTotal(page: Page, amount: string) {
  await expect.poll(async () => plain(await page.getByTestId('ticket-total').first().textContent())).toBe(amount);
}

/** The number of the receipt on the completed screen: "Receipt T1-000001", or "Чек T1-000001"
 * when receipts print in Russian. */
export async function shownReceipt(page: Page) {
  return plain(await page.getByTestId('receipt-number').textContent()).split(/\s+/).pop() ?? '';
}

/** Sells `names` (a name twice: two of it) on one ticket for the exact amount in cash; returns
 * the receipt number. */
export async function sellCashTicket(page: Page, names: string[]) {
  for (const name of names) await tap(page, name);
  await page.getByTestId('pay').click();
  await page.getByTestId('quick-cash').first().click();
  await expect(page.getByTestId('completed')).toBeVisible();
  const number = await shownReceipt(page);
  await page.getByTestId('new-sale').click();
  return number;
}

/** Sells one item for the exact amount in cash; returns the receipt number. */
export async function sellOne(page: Page, name: string) {
  return sellCashTicket(page, [name]);
}

/** Sells one item by card on a standalone (bank's) terminal: the cashier types what its slip
 * says. Returns the receipt number. */
export async function sellOneByCard(page: Page, name: string) {
  await tap(page, name);
  await page.getByTestId('pay').click();
  await page.getByTestId('method-card').click();
  await page.getByTestId('auth-code').fill('A1B2C3');
  await page.getByTestId('last-four').fill('4242');
  await page.getByTestId('confirm-card').click();
  await expect(page.getByTestId('completed')).toBeVisible();
  const number = await shownReceipt(page);
  await page.getByTestId('new-sale').click();
  return number;
}

/** The receipt numbers in the list of recent sales, newest first. */
export async function salesNumbers(page: Page) {
  // The completion screen sits over the register until the cashier starts the next sale.
  if (await page.getByTestId('completed').isVisible()) await page.getByTestId('new-sale').click();
  await page.getByTestId('nav-sales').click();
  await expect(page.getByTestId('sales-list')).toBeVisible();
  return page.getByTestId('sale-number').allTextContents();
}

/** Presses `code` then Enter, `interval` ms apart, stamped as the OS stamps a real device's keys:
 * each `keydown` carries the moment of its press, however late a busy page takes it.
 * (Playwright's `keyboard.type` lets the page stamp keys when it takes them, so on a loaded
 * machine a scan spreads out and looks like typing, which a real scanner never does.) The keys
 * are sent at once, as a USB scanner's reach the browser; their stamps keep the spacing. */
export async function scan(page: Page, code: string, interval: number) {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const cdp = await page.context().newCDPSession(page);
  const keyCode = (c: string) => (/[0-9]/.test(c) ? `Digit${c}` : /[a-z]/i.test(c) ? `Key${c.toUpperCase()}` : '');
  const keys = [...code].map((c) => ({ key: c, code: keyCode(c), text: c, windowsVirtualKeyCode: c.toUpperCase().charCodeAt(0) }));
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
