// Closing a shift reconciles the card terminal (issue 13). On a ZVT terminal (a fake one on a fake
// serial port) the close runs its end of day (06 50) once the count is kept, and the Z report
// sets its totals beside the shift's card sales: equal, then, in a second shift, one approval
// short, with that sale named. An end of day the terminal refuses leaves the shift closed and
// counted, and is tried again from the Z report. On a standalone terminal the cashier types the
// totals of its slip.
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { openRegister, plain, sellOneByCard, switchLanguage, tap } from './cashier';
import { fakeZvtBatch, installFakeZvt, setFakeZvtEndOfDay } from './fake-zvt';
import { COMPOSITE_PRINTER, emupos, fakeUsbPrinter } from './fake-devices';
import { addUsbPrinter, setUpZvt } from './settings';

/** Opens a shift with a float of 2 × €50 and returns to the register. */
async function openShift(page: Page) {
  await page.getByTestId('nav-shift').click();
  await expect(page.getByTestId('shift-none')).toBeVisible();
  await page.getByTestId('float-50').fill('2');
  await page.getByTestId('shift-open').click();
  await expect(page.getByTestId('shift-opened')).toBeVisible();
  await page.getByTestId('nav-register').click();
}

/** Sells one `name` by card through the integrated terminal; returns the receipt number. */
async function sellByTerminal(page: Page, name: string) {
  await tap(page, name);
  await page.getByTestId('pay').click();
  await page.getByTestId('method-card').click();
  await page.getByTestId('charge-terminal').click();
  await expect(page.getByTestId('completed')).toBeVisible({ timeout: 15_000 });
  const number = (await page.getByTestId('receipt-number').textContent()) ?? '';
  await page.getByTestId('new-sale').click();
  return number.trim().split(/\s+/).pop() ?? '';
}

/** Closes the open shift with the float still in the drawer (the sales were by card). */
async function closeShift(page: Page, slip?: { amount: string; count: string }) {
  await page.getByTestId('nav-shift').click();
  await page.getByTestId('close-count-50').fill('2');
  if (slip) {
    await page.getByTestId('terminal-total-amount').fill(slip.amount);
    await page.getByTestId('terminal-total-count').fill(slip.count);
  }
  await page.getByTestId('shift-close').click();
  await expect(page.getByTestId('shift-report')).toHaveAttribute('data-kind', 'z');
  await expect(page.getByTestId('shift-none')).toBeVisible();
}

/** The register's, the terminal's and the difference's cells of the reconciliation row `brand`. */
async function reconRow(page: Page, brand: string) {
  const row = page.getByTestId('recon').locator(`[data-testid="recon-row"][data-brand="${brand}"]`);
  return {
    register: plain(await row.getByTestId('recon-register').textContent()),
    terminal: plain(await row.getByTestId('recon-terminal').textContent()),
    difference: plain(await row.getByTestId('recon-difference').textContent()),
  };
}

/** The register with the fake ZVT terminal set up; returns the commands the terminal got. */
async function withFakeZvt(page: Page) {
  const seen: string[] = [];
  await installFakeZvt(page, { mode: 'approve' }, (apdu) => seen.push(apdu));
  await openRegister(page);
  await setUpZvt(page);
  return seen;
}

test.describe('ZVT (a fake terminal on a fake serial port)', () => {
  test('the end of day equals the shift\'s card sales, then a second shift\'s differs by one approval: that sale is named', async ({ page }) => {
    const seen = await withFakeZvt(page);

    // Shift 1: €3.50 and €2.50 by card; the terminal's day holds both.
    await openShift(page);
    await sellByTerminal(page, 'Fries');
    await sellByTerminal(page, 'Cola');
    expect(await fakeZvtBatch(page)).toHaveLength(2);
    await closeShift(page);
    await expect(page.getByTestId('recon')).toHaveAttribute('data-matched', 'true', { timeout: 20_000 });
    // One end of day, password 000000.
    expect(seen.filter((c) => c.startsWith('0650'))).toEqual(['0650' + '03' + '000000']);
    expect(await reconRow(page, 'all')).toEqual({
      register: '€6.00 (payments: 2)',
      terminal: '€6.00 (payments: 2)',
      difference: 'Matches',
    });
    // The captured card is a MasterCard: the terminal's Eurocard group.
    expect((await reconRow(page, 'mastercard')).terminal).toBe('€6.00 (payments: 2)');
    await expect(page.getByTestId('recon-explanation')).toHaveCount(0);
    await expect(page.getByTestId('recon-failed')).toHaveCount(0);
    // The terminal's day is closed: its batch is empty.
    expect(await fakeZvtBatch(page)).toHaveLength(0);

    // Shift 2: the terminal's batch will miss the last approval (the €2.50 cola).
    await setFakeZvtEndOfDay(page, { drops: 1 });
    await openShift(page);
    await sellByTerminal(page, 'Fries');
    const cola = await sellByTerminal(page, 'Cola');
    await closeShift(page);
    await expect(page.getByTestId('recon')).toHaveAttribute('data-matched', 'false', { timeout: 20_000 });
    expect(await reconRow(page, 'all')).toEqual({
      register: '€6.00 (payments: 2)',
      terminal: '€3.50 (payments: 1)',
      difference: '€2.50 (payments: 1)',
    });
    await expect(page.getByTestId('recon-explanation')).toHaveCount(1);
    // Its terminal receipt number is past the end of the batch the terminal closed.
    expect(plain(await page.getByTestId('recon-explanation').textContent())).toBe(
      `Sale ${cola}: €2.50 recorded, not in the terminal's batch.`,
    );
    // Nothing to try again: the terminal answered.
    await expect(page.getByTestId('recon-retry')).toHaveCount(0);

    // Kept with the shift: after a reload, the Z report of the newest shift shows it, in Russian.
    await page.reload();
    await expect(page.getByTestId('product').first()).toBeVisible();
    await switchLanguage(page, 'ru');
    await page.getByTestId('nav-shift').click();
    await expect(page.getByTestId('earlier-shift')).toHaveCount(2);
    await page.getByTestId('earlier-shift-report').first().click();
    await expect(page.getByTestId('recon')).toHaveAttribute('data-matched', 'false');
    await expect(page.getByTestId('recon-explanation')).toContainText(`Продажа ${cola}`);
    expect(seen.filter((c) => c.startsWith('0650'))).toHaveLength(2);
  });

  test('an end of day the terminal refuses keeps the shift closed and counted; it is reconciled later from the Z report', async ({ page }) => {
    const seen = await withFakeZvt(page);
    await openShift(page);
    await sellByTerminal(page, 'Fries');
    await setFakeZvtEndOfDay(page, { abort: true });

    await closeShift(page);
    await expect(page.getByTestId('recon-failed')).toContainText('did not close its day', { timeout: 20_000 });
    await expect(page.getByTestId('recon')).toHaveCount(0);
    // The count is kept whatever the terminal did.
    expect(plain(await page.getByTestId('rep-cash-counted').locator('td').textContent())).toBe('€100.00');
    // The terminal kept its batch.
    expect(await fakeZvtBatch(page)).toHaveLength(1);

    // After a reload too, the Z report offers to try again; this time the terminal closes its day.
    await page.reload();
    await expect(page.getByTestId('product').first()).toBeVisible();
    await page.getByTestId('nav-shift').click();
    await page.getByTestId('earlier-shift-report').first().click();
    await expect(page.getByTestId('recon-failed')).toContainText('did not close its day');
    await setFakeZvtEndOfDay(page, { abort: false });
    await page.getByTestId('recon-retry').click();
    await expect(page.getByTestId('recon')).toHaveAttribute('data-matched', 'true', { timeout: 20_000 });
    expect((await reconRow(page, 'all')).terminal).toBe('€3.50 (payments: 1)');
    await expect(page.getByTestId('recon-failed')).toHaveCount(0);
    await expect(page.getByTestId('recon-retry')).toHaveCount(0);
    expect(seen.filter((c) => c.startsWith('0650'))).toHaveLength(2);
  });
});

test('a standalone terminal: the totals typed from its slip differ from the shift\'s card sales, and the sale of that amount is named, on the printed Z too', async ({ page }) => {
  const printer = await fakeUsbPrinter(page, { interfaces: COMPOSITE_PRINTER });
  await openRegister(page);
  await page.getByTestId('nav-settings').click();
  await addUsbPrinter(page);
  await openShift(page);
  await sellOneByCard(page, 'Fries'); // €3.50
  const cola = await sellOneByCard(page, 'Cola'); // €2.50
  await expect.poll(() => emupos(printer.bytes(3)).receipts.length, { timeout: 10_000 }).toBe(2);
  printer.clear();
  await closeShift(page, { amount: '3.50', count: '1' });

  await expect(page.getByTestId('recon')).toHaveAttribute('data-matched', 'false', { timeout: 10_000 });
  expect(await reconRow(page, 'all')).toEqual({
    register: '€6.00 (payments: 2)',
    terminal: '€3.50 (payments: 1)',
    difference: '€2.50 (payments: 1)',
  });
  await expect(page.getByTestId('recon')).toContainText('typed from its slip');
  // A standalone terminal's payments carry no terminal receipt number: the sale is named by its
  // amount, which is the difference.
  await expect(page.getByTestId('recon-explanation')).toHaveCount(1);
  expect(plain(await page.getByTestId('recon-explanation').textContent())).toBe(
    `Sale ${cola}: €2.50 recorded, probably not in the terminal's batch (the difference is its amount).`,
  );
  await expect(page.getByTestId('recon-retry')).toHaveCount(0);

  // The Z report printed as the shift closed, with the terminal's side.
  await expect.poll(() => emupos(printer.bytes(3)).receipts.length, { timeout: 10_000 }).toBe(1);
  const z = emupos(printer.bytes(3)).receipts[0].text;
  expect(z).toContain('DOES NOT MATCH THE TERMINAL');
  expect(z).toMatch(new RegExp(`Not on the terminal\\?: ${cola}\\s+2\\.50\\b`));
});
