// A merchant's own menu from an empty store: taxes, categories, modifiers and groups, products
// with sizes, weighed and "any price" products; sold at the till through the chooser, printed on
// the receipt, and seen by a second device of the store.
import { test, expect } from './fixtures';
import { PHONE, expectTotal, plain, tap } from './cashier';
import { addCategory, addGroup, addModifier, addProduct, addTax, fillProduct, openMenu } from './menu';
import { device, pairingCode } from './store';
import { createStore } from './settings';

test('a new store without the demo menu: its own menu is built, sold from and reaches the second device', async ({ browser, server }) => {
  test.setTimeout(180_000);
  const owner = await device(browser, server.setupLink());
  await createStore(owner, 'Chip Van');
  await owner.getByTestId('nav-settings').click();
  await owner.getByTestId('remove-demo').click();
  await owner.getByTestId('nav-register').click();
  await expect(owner.getByTestId('product')).toHaveCount(0);

  // Nothing can be added before a category and a tax exist, and the screen says so.
  await openMenu(owner, 'products');
  await expect(owner.getByTestId('menu-needs-category')).toBeVisible();
  await expect(owner.getByTestId('new-product')).toBeDisabled();

  await addTax(owner, 'VAT 7 %', '7');
  await addCategory(owner, 'Food');
  await addCategory(owner, 'Extras');
  await addModifier(owner, 'Ketchup', '0');
  await addModifier(owner, 'Mayo', '0.30');
  await addGroup(owner, 'Sauce', '1', '1', ['Ketchup', 'Mayo']);
  await addProduct(owner, {
    name: 'Chips',
    category: 'Food',
    variants: [
      { name: 'Small', price: '2.50' },
      { name: 'Medium', price: '3.00' },
      { name: 'Large', price: '3.50', barcodes: '4006381333931' },
    ],
    groups: ['Sauce'],
  });
  await addProduct(owner, { name: 'Cheese', category: 'Food', price: '18.00', unit: 'kilogram' });
  await addProduct(owner, { name: 'Tip jar', category: 'Extras', openPrice: true });

  // The register shows the categories in the order made, and the products under them.
  await owner.getByTestId('nav-register').click();
  await expect(owner.locator('.categories .category')).toHaveText(['All', 'Food', 'Extras']);
  await expect(owner.getByTestId('product')).toHaveCount(3);

  // Chips asks for the size and exactly one sauce before it is added.
  await tap(owner, 'Chips');
  const chooser = owner.getByTestId('chooser');
  await expect(chooser).toBeVisible();
  await chooser.locator('[data-testid=choose-variant][data-name=Large]').click();
  await chooser.getByTestId('add-chosen').click();
  await expect(owner.getByTestId('notice')).toContainText('Choose at least 1 in “Sauce”');
  await chooser.locator('[data-testid=choose-modifier][data-name=Ketchup]').click();
  await chooser.locator('[data-testid=choose-modifier][data-name=Mayo]').click();
  await chooser.getByTestId('add-chosen').click();
  await expect(chooser).toBeHidden();
  await expectTotal(owner, '€3.80');

  // Cheese by weight, a tip at a typed price.
  await tap(owner, 'Cheese');
  await owner.locator('.quantity-input').fill('0.250');
  await owner.locator('.quantity-input').press('Enter');
  await expectTotal(owner, '€8.30');
  await tap(owner, 'Tip jar');
  await owner.getByTestId('typed-price').fill('1,70');
  await owner.getByTestId('add-chosen').click();
  await expectTotal(owner, '€10.00');

  // The large size's own barcode adds a large chips, and asks only for the sauce.
  await owner.getByTestId('search').fill('4006381333931');
  await owner.getByTestId('search').press('Enter');
  await expect(chooser).toBeVisible();
  await expect(chooser.locator('[data-testid=choose-variant][data-name=Large]')).toHaveClass(/active/);
  await chooser.getByTestId('cancel-choice').click();

  await owner.getByTestId('pay').click();
  await owner.getByTestId('quick-cash').first().click();
  await expect(owner.getByTestId('completed')).toBeVisible();
  const receipt = plain(await owner.getByTestId('receipt').first().textContent());
  expect(receipt).toContain('Chips, Large');
  expect(receipt).toContain('Mayo');
  expect(receipt).not.toContain('Ketchup');
  expect(receipt).toContain('Cheese');
  expect(receipt).toContain('0.250 kg');
  expect(receipt).toContain('Tip jar');
  expect(receipt).toContain('10.00');
  await owner.getByTestId('new-sale').click();

  // A second device of the store gets the whole menu and sells from it.
  const { link } = await pairingCode(owner);
  const phone = await device(browser, link);
  await phone.setViewportSize(PHONE);
  await phone.getByTestId('join-device-name').fill('Phone');
  await phone.getByTestId('join-store').click();
  await expect(phone.getByTestId('sync-status')).toHaveText('Synced', { timeout: 30_000 });
  await expect(phone.getByTestId('product')).toHaveCount(3, { timeout: 20_000 });
  await tap(phone, 'Chips');
  await expect(phone.getByTestId('choose-variant')).toHaveText([/Small/, /Medium/, /Large/]);
  await phone.locator('[data-testid=choose-variant][data-name=Small]').click();
  await phone.locator('[data-testid=choose-modifier][data-name=Ketchup]').click();
  await phone.getByTestId('add-chosen').click();
  await expectTotal(phone, '€2.50');
});

test('a product the catalog cannot keep is refused with the reason, in English and in Russian, and nothing is saved', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('product').first()).toBeVisible();
  const before = await page.getByTestId('product').count();

  // A mistyped EAN-13 (its check digit should be 1).
  await fillProduct(page, { name: 'Soup', category: 'Burgers', price: '4.00', barcodes: '4006381333932' });
  await expect(page.getByTestId('notice')).toContainText('The barcode 4006381333932 is mistyped: its last digit should be 1.');
  await expect(page.getByTestId('product-editor')).toBeVisible();

  // The demo cheeseburger's barcode is the cheeseburger's.
  const form = page.getByTestId('product-editor');
  await form.getByTestId('product-barcodes').fill('2000000000022');
  await form.getByTestId('save-product').click();
  await expect(page.getByTestId('notice')).toContainText('is already used by “Cheeseburger”');

  await form.getByTestId('product-barcodes').fill('');
  await form.getByTestId('product-price').fill('-1');
  await form.getByTestId('save-product').click();
  await expect(page.getByTestId('notice')).toContainText('“Soup”: a price cannot be negative.');
  await form.getByTestId('product-price').fill('100000000000000');
  await form.getByTestId('save-product').click();
  await expect(page.getByTestId('notice')).toContainText('“Soup”: the price is too high.');
  await form.getByTestId('product-price').fill('4.0.0');
  await form.getByTestId('save-product').click();
  await expect(page.getByTestId('notice')).toContainText('The price is not a number');

  await page.getByTestId('nav-settings').click();
  await page.getByTestId('lang-switch').first().selectOption('ru');
  await fillProduct(page, { name: 'Суп', category: 'Burgers', price: '0' });
  await expect(page.getByTestId('notice')).toContainText('«Суп»: введите цену больше нуля');

  await page.reload();
  await expect(page.getByTestId('product')).toHaveCount(before);
});

test('an archived product leaves the grid and search, stays in the menu, and comes back', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('product').first()).toBeVisible();
  const before = await page.getByTestId('product').count();
  await openMenu(page, 'products');
  await page.getByTestId('edit-product').getByText('Fries', { exact: true }).click();
  // The form opens above the list, and comes into sight however far down the product was.
  await expect(page.getByTestId('product-editor')).toBeInViewport();
  await expect(page.getByTestId('product-price')).toHaveValue('3.50');
  await page.getByTestId('archive-product').click();
  await page.getByTestId('nav-register').click();
  await expect(page.getByTestId('product')).toHaveCount(before - 1);
  await page.getByTestId('search').fill('Fries');
  await expect(page.locator('.tile-name')).toHaveText(['Sweet Potato Fries', 'Loaded Fries']);
  await page.getByTestId('search').fill('');

  await page.reload();
  await expect(page.getByTestId('product')).toHaveCount(before - 1);
  await openMenu(page, 'products');
  await page.getByTestId('show-archived').check();
  await page.getByTestId('edit-product').getByText('Fries', { exact: true }).click();
  await page.getByTestId('restore-product').click();
  await page.getByTestId('nav-register').click();
  await expect(page.getByTestId('product')).toHaveCount(before);
});
