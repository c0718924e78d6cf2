// Customer flows the specs share: finding, creating and opening a customer.
import { expect, type Page } from '@playwright/test';

/** Opens the customers screen and types `query` into its search. */
export async function findCustomer(page: Page, query: string) {
  await page.getByTestId('nav-customers').click();
  await page.getByTestId('customer-search').fill(query);
}

/** Creates a customer on the customers screen; resolves once its page shows. */
export async function createCustomer(page: Page, fields: { name: string; phone?: string; email?: string; consent?: boolean; note?: string }) {
  await page.getByTestId('nav-customers').click();
  await page.getByTestId('customer-new').click();
  await page.getByTestId('customer-name').fill(fields.name);
  await page.getByTestId('customer-phone').fill(fields.phone ?? '');
  await page.getByTestId('customer-email').fill(fields.email ?? '');
  if (fields.consent) await page.getByTestId('customer-consent').check();
  await page.getByTestId('customer-note').fill(fields.note ?? '');
  await page.getByTestId('customer-save').click();
  await expect(page.getByTestId('customer-title')).toHaveText(fields.name);
}

/** Opens the page of the one customer `query` finds. */
export async function openCustomer(page: Page, query: string) {
  await findCustomer(page, query);
  await expect(page.getByTestId('customer-row')).toHaveCount(1, { timeout: 30_000 });
  await page.getByTestId('customer-row').click();
  await expect(page.getByTestId('customer-page')).toBeVisible();
}
