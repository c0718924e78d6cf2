// The menu screen as a merchant uses it: one helper per thing they add, shared by the specs.
import { expect, type Page } from '@playwright/test';

export async function openMenu(page: Page, tab: 'products' | 'categories' | 'modifiers' | 'taxes' | 'file') {
  await page.getByTestId('nav-menu').click();
  await page.getByTestId(`menu-tab-${tab}`).click();
}

export async function addTax(page: Page, name: string, rate: string) {
  await openMenu(page, 'taxes');
  await page.getByTestId('new-tax-name').fill(name);
  await page.getByTestId('new-tax-rate').fill(rate);
  await page.getByTestId('add-tax').click();
  await expect(page.getByTestId('menu-tax').getByTestId('tax-name').last()).toHaveValue(name);
}

export async function addCategory(page: Page, name: string) {
  await openMenu(page, 'categories');
  await page.getByTestId('new-category-name').fill(name);
  await page.getByTestId('add-category').click();
  await expect(page.getByTestId('menu-category').getByTestId('category-name').last()).toHaveValue(name);
}

export async function addModifier(page: Page, name: string, price: string) {
  await openMenu(page, 'modifiers');
  await page.getByTestId('new-modifier-name').fill(name);
  await page.getByTestId('new-modifier-price').fill(price);
  await page.getByTestId('add-modifier').click();
  await expect(page.getByTestId('menu-modifier').getByTestId('modifier-name').last()).toHaveValue(name);
}

export async function addGroup(page: Page, name: string, min: string, max: string, modifiers: string[]) {
  await openMenu(page, 'modifiers');
  await page.getByTestId('new-group').click();
  const editor = page.getByTestId('group-editor');
  await editor.getByTestId('group-name').fill(name);
  await editor.getByTestId('group-min').fill(min);
  await editor.getByTestId('group-max').fill(max);
  for (const m of modifiers) await editor.locator(`[data-testid=group-modifier-option][data-name="${m}"]`).check();
  await editor.getByTestId('save-group').click();
  await expect(page.getByTestId('group-editor')).toBeHidden();
  await expect(page.getByTestId('menu-group').filter({ hasText: name })).toBeVisible();
}

export interface NewProduct {
  name: string;
  category: string;
  price?: string;
  unit?: 'piece' | 'kilogram' | 'litre';
  tax?: string;
  barcodes?: string;
  openPrice?: boolean;
  variants?: { name: string; price: string; sku?: string; barcodes?: string }[];
  groups?: string[];
}

/** Fills the new-product form and saves it; the caller checks the outcome. */
export async function fillProduct(page: Page, p: NewProduct) {
  await openMenu(page, 'products');
  await page.getByTestId('new-product').click();
  const form = page.getByTestId('product-editor');
  await form.getByTestId('product-name').fill(p.name);
  await form.getByTestId('product-category').selectOption({ label: p.category });
  if (p.tax) await form.getByTestId('product-tax').selectOption({ label: p.tax });
  if (p.price) await form.getByTestId('product-price').fill(p.price);
  if (p.unit) await form.getByTestId('product-unit').selectOption(p.unit);
  if (p.barcodes) await form.getByTestId('product-barcodes').fill(p.barcodes);
  if (p.openPrice) await form.getByTestId('product-open-price').check();
  for (const [i, v] of (p.variants ?? []).entries()) {
    await form.getByTestId('add-variant').click();
    const row = form.getByTestId('variant-row').nth(i);
    await row.getByTestId('variant-name').fill(v.name);
    await row.getByTestId('variant-price').fill(v.price);
    if (v.sku) await row.getByTestId('variant-sku').fill(v.sku);
    if (v.barcodes) await row.getByTestId('variant-barcodes').fill(v.barcodes);
  }
  for (const g of p.groups ?? []) await form.locator(`[data-testid=product-group][data-name="${g}"]`).check();
  await form.getByTestId('save-product').click();
}

export async function addProduct(page: Page, p: NewProduct) {
  await fillProduct(page, p);
  await expect(page.getByTestId('product-editor')).toBeHidden();
  await expect(page.getByTestId('menu-product').filter({ hasText: p.name })).toBeVisible();
}
