// The register as a cashier uses it: sell, take cash or card, discount, scan, switch language,
// and fit a phone. Every test starts from a fresh browser profile, so the demo menu is loaded.
import { expect, test } from '@playwright/test';
import { PHONE, expectTotal, openRegister, plain, switchLanguage, tap } from './cashier';

test('a cashier sells three items for cash with 50.00 tendered and sees the change', async ({ page }) => {
  await openRegister(page);
  await expect(page.getByTestId('demo-badge')).toBeVisible();
  await tap(page, 'Classic Burger');
  await tap(page, 'Fries');
  await tap(page, 'Cola');
  await expect(page.getByTestId('ticket-line')).toHaveCount(3);
  await expectTotal(page, '€14.50');

  await page.getByTestId('pay').click();
  await expect(page.getByTestId('amount-due')).toHaveText('€14.50');
  // A quick button for the likely note is offered.
  await expect(page.locator('[data-testid="quick-cash"][data-amount="50.00"]')).toBeVisible();
  await page.getByTestId('cash-amount').fill('50.00');
  await page.getByTestId('take-cash').click();

  await expect(page.getByTestId('completed')).toBeVisible();
  await expect(page.getByTestId('change-amount')).toHaveText('€35.50');
  // The on-screen receipt is the printed one (ReceiptLayout), amounts and all.
  await expect(page.getByTestId('receipt-total')).toHaveText('14.50 EUR');
  await expect(page.getByTestId('receipt-number')).toContainText(/Receipt [A-Z0-9]{4}-000001/);
  const receipt = page.getByTestId('receipt');
  await expect(receipt).toContainText('Classic Burger');
  await expect(receipt).toContainText('Cash 50.00 EUR');
  await expect(receipt).toContainText('Change 35.50 EUR');

  // The next sale starts empty, and the sale is in the list of recent sales.
  await page.getByTestId('new-sale').click();
  await expect(page.getByTestId('ticket-line')).toHaveCount(0);
  await page.getByTestId('nav-sales').click();
  await expect(page.getByTestId('sale-row')).toHaveCount(1);
  await expect(page.getByTestId('sale-total')).toHaveText('€14.50');
  await page.getByTestId('sale-row').click();
  await expect(page.getByTestId('receipt')).toContainText('Fries');
});

test('the quick cash button for the exact amount completes with no change', async ({ page }) => {
  await openRegister(page);
  await tap(page, 'Hot Dog');
  await page.getByTestId('pay').click();
  await page.getByTestId('quick-cash').first().click();
  await expect(page.getByTestId('change-due')).toContainText('No change due');
});

test('a split payment of cash and card', async ({ page }) => {
  await openRegister(page);
  await tap(page, 'Bacon Burger');
  await tap(page, 'Lemonade');
  await expectTotal(page, '€14.00');
  await page.getByTestId('pay').click();

  await page.getByTestId('cash-amount').fill('5');
  await page.getByTestId('take-cash').click();
  await expect(page.getByTestId('remaining')).toHaveText('€9.00');

  await page.getByTestId('method-card').click();
  await expect(page.getByTestId('card-amount')).toHaveValue('9.00');
  // A card cannot be charged more than is left.
  await page.getByTestId('card-amount').fill('9.50');
  await page.getByTestId('confirm-card').click();
  await expect(page.getByTestId('notice')).toContainText('more than what is left');
  await expect(page.getByTestId('pay-dialog')).toBeVisible();
  // Nor can the whole card number be typed.
  await page.getByTestId('card-amount').fill('9.00');
  await page.getByTestId('auth-code').fill('A1B2C3');
  await page.getByTestId('last-four').fill('424');
  await page.getByTestId('confirm-card').click();
  await expect(page.getByTestId('notice')).toContainText('last four digits');
  await page.getByTestId('last-four').fill('4242');
  await page.getByTestId('confirm-card').click();

  await expect(page.getByTestId('completed')).toBeVisible();
  await expect(page.getByTestId('change-due')).toContainText('No change due');
  const receipt = page.getByTestId('receipt');
  await expect(receipt).toContainText('Cash 5.00 EUR');
  await expect(receipt).toContainText('Card **** 4242 9.00 EUR');
  await expect(receipt).toContainText('A1B2C3');
  // Only the last four digits, masked as on paper.
  await expect(receipt).toContainText('**** 4242');
});

test('the payment dialog cannot be closed while money has been taken', async ({ page }) => {
  await openRegister(page);
  await tap(page, 'Chili Dog');
  await page.getByTestId('pay').click();
  await page.getByTestId('cash-amount').fill('2');
  await page.getByTestId('take-cash').click();
  await page.getByTestId('cancel-payment').click();
  await expect(page.getByTestId('notice')).toContainText('Undo the tenders first');
  await expect(page.getByTestId('pay-dialog')).toBeVisible();
  await page.getByRole('button', { name: 'Undo last tender' }).click();
  await page.getByTestId('cancel-payment').click();
  await expect(page.getByTestId('pay-dialog')).toBeHidden();
  await expect(page.getByTestId('ticket-line')).toHaveCount(1);
});

test('a line discount and an order discount give the right total', async ({ page }) => {
  await openRegister(page);
  await tap(page, 'Classic Burger');
  await tap(page, 'Classic Burger');
  await tap(page, 'Cola');
  await expect(page.getByTestId('line-qty').first()).toHaveText('2');
  await expectTotal(page, '€19.50');

  // 10 % off the two burgers: 17.00 - 1.70
  await page.getByTestId('ticket-line').first().locator('.line-main').click();
  const line = page.getByTestId('line-discount');
  await line.getByRole('textbox').fill('10');
  await line.getByRole('button', { name: '%' }).click();
  await line.getByRole('button', { name: 'Apply' }).click();
  await expectTotal(page, '€17.80');

  // 2.00 off the order
  await page.getByTestId('order-discount-toggle').click();
  const order = page.getByTestId('order-discount');
  await order.getByRole('textbox').fill('2');
  await order.getByRole('button', { name: 'Amount' }).click();
  await order.getByRole('button', { name: 'Apply' }).click();
  await expectTotal(page, '€15.80');
  await expect.poll(async () => plain(await page.getByTestId('discounts').textContent())).toBe('−€3.70');

  // A discount over 100 % is refused and the total stays.
  await page.getByTestId('order-discount-toggle').click();
  await order.getByRole('textbox').fill('150');
  await order.getByRole('button', { name: '%' }).click();
  await order.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('notice')).toContainText('between 0 and 100');
  await expectTotal(page, '€15.80');

  await page.getByTestId('pay').click();
  await page.getByTestId('cash-amount').fill('20');
  await page.getByTestId('take-cash').click();
  await expect(page.getByTestId('change-amount')).toHaveText('€4.20');
});

test('modifiers, quantity and remove change the ticket', async ({ page }) => {
  await openRegister(page);
  await tap(page, 'Cheeseburger');
  await page.getByTestId('ticket-line').first().locator('.line-main').click();
  await page.getByTestId('line-editor').getByRole('button', { name: /Bacon/ }).click();
  await expectTotal(page, '€10.50');
  await page.getByRole('button', { name: 'One more' }).click();
  await expectTotal(page, '€21.00');
  await page.getByRole('button', { name: 'One less' }).click();
  await expectTotal(page, '€10.50');
  await page.getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByTestId('ticket-line')).toHaveCount(0);
  await expect(page.getByTestId('pay')).toBeDisabled();
});

test('a barcode typed into search and Enter adds its product', async ({ page }) => {
  await openRegister(page);
  const search = page.getByTestId('search');
  await search.fill('2000000000183'); // Cola's barcode in the demo menu
  await search.press('Enter');
  await expect(page.getByTestId('ticket-line')).toHaveCount(1);
  await expect(page.getByTestId('ticket-line')).toContainText('Cola');
  await expect(search).toHaveValue('');
  // A name search narrows the grid; a SKU works like a barcode.
  await search.fill('burger');
  await expect(page.getByTestId('product')).toHaveCount(5);
  await search.fill('FT-012');
  await search.press('Enter');
  await expect(page.getByTestId('ticket-line')).toHaveCount(2);
  await expect(page.getByTestId('ticket-line').nth(1)).toContainText('Fries');
  // An unknown code says so and adds nothing.
  await search.fill('9999999999999');
  await search.press('Enter');
  await expect(page.getByTestId('notice')).toContainText('No product has the code 9999999999999');
  await expect(page.getByTestId('ticket-line')).toHaveCount(2);
});

test('switching to Russian shows Russian labels and amounts formatted for ru', async ({ page }) => {
  await openRegister(page);
  await tap(page, 'Classic Burger');
  await tap(page, 'Fries');
  await switchLanguage(page, 'ru');
  await expect(page.getByTestId('nav-sales')).toHaveText('Продажи');
  await expect(page.getByTestId('nav-settings')).toHaveText('Настройки');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru');
  await expectTotal(page, '12,00 €');
  await expect.poll(async () => plain(await page.getByTestId('pay').textContent())).toBe('Оплатить 12,00 €');
  await expect(page.getByTestId('search')).toHaveAttribute('placeholder', 'Поиск по названию, артикулу или штрихкоду');
  await page.getByTestId('pay').click();
  await page.getByTestId('cash-amount').fill('1 000,50');
  await page.getByTestId('take-cash').click();
  await expect.poll(async () => plain(await page.getByTestId('change-amount').textContent())).toBe('988,50 €');
  await expect(page.getByTestId('change-due')).toContainText('Сдача');
  // The choice is remembered.
  await page.reload();
  await expect(page.getByTestId('nav-sales')).toHaveText('Продажи');
});

test('on a phone the register fits the width with no horizontal scrolling', async ({ page }) => {
  await openRegister(page, PHONE);
  await tap(page, 'Double Smash');
  await tap(page, 'Loaded Fries');
  await page.getByTestId('ticket-line').first().locator('.line-main').click();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  for (const testid of ['search', 'pay-phone', 'product-grid']) {
    const box = await page.getByTestId(testid).boundingBox();
    expect(box, testid).not.toBeNull();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
  }
  await page.getByTestId('pay-phone').click();
  const dialog = await page.getByTestId('pay-dialog').boundingBox();
  expect(dialog!.width).toBeLessThanOrEqual(PHONE.width);
  await page.getByTestId('quick-cash').first().click();
  await expect(page.getByTestId('completed')).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
});

test('the demo menu can be removed and loaded again', async ({ page }) => {
  await openRegister(page);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('remove-demo').click();
  await expect(page.getByTestId('notice')).toContainText('demo menu was removed');
  await page.getByTestId('nav-register').click();
  await expect(page.getByTestId('product')).toHaveCount(0);
  await expect(page.getByTestId('demo-badge')).toBeHidden();
  await expect(page.getByText('The catalog is empty')).toBeVisible();
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('load-demo').click();
  await page.getByTestId('nav-register').click();
  await expect(page.getByTestId('product')).toHaveCount(30);
});
