// A keyboard-wedge scanner types a barcode a few milliseconds per key and ends with Enter: the
// register adds the product from any screen with no field focused. A person typing the same keys
// at human speed adds nothing.
import { expect, test, type Page } from '@playwright/test';
import { openRegister, scan, tap } from './cashier';

const COLA = '2000000000183';

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
