// Finding a sale to return it: a scanner reading the receipt's barcode (its number) or its QR
// code opens that sale from any screen, with "Refund" beside the receipt; a QR code that is not
// one of our receipts says so, and nothing is added to the ticket.
import { expect, test } from './fixtures';
import { openRegister, plain, scan, sellOne, tap } from './cashier';

/** The id of the sale with receipt `number`, as its QR code holds it. */
async function saleId(page: import('@playwright/test').Page, number: string) {
  return page.evaluate(
    (number) =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('register');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('sales').objectStore('sales').getAll();
          all.onsuccess = () => {
            const text = JSON.stringify(all.result);
            const records = all.result as Array<Record<string, unknown>>;
            const found = records.find((r) => JSON.stringify(r).includes(number));
            if (!found) return reject(new Error(`no sale ${number} in ${text.slice(0, 200)}`));
            resolve(String(found.id));
          };
        };
      }),
    number,
  );
}

test('a receipt scanned by its barcode or QR code opens its sale, which is refunded from there', async ({ page }) => {
  await openRegister(page);
  const cola = await sellOne(page, 'Cola');
  const fries = await sellOne(page, 'Fries');

  // The barcode at the bottom of the receipt is its number.
  await scan(page, cola, 5);
  // The sale is read from storage: a loaded machine may take a while.
  await expect(page.getByTestId('receipt-number')).toContainText(cola, { timeout: 15_000 });
  await expect(page.getByTestId('ticket-line')).toHaveCount(0);
  await page.getByTestId('refund-viewed-sale').click();
  await expect(page.getByTestId('refund-dialog')).toBeVisible();
  await page.getByTestId('refund-reason').fill('Warm');
  await page.getByTestId('refund-confirm').click();
  await expect(page.getByTestId('refund-done')).toBeVisible();
  await page.getByTestId('refund-close').click();
  // All of it came back: nothing is left to refund on it.
  await expect(page.getByTestId('refund-viewed-sale')).toHaveCount(0);

  // Its QR code holds the sale's id, total and currency; from the register it opens the sale.
  await page.getByTestId('nav-register').click();
  const id = await saleId(page, fries);
  await scan(page, `RCPT:${id};3.50;EUR`, 5);
  await expect(page.getByTestId('receipt-number')).toContainText(fries, { timeout: 15_000 });
  await expect(page.getByTestId('refund-viewed-sale')).toBeVisible();

  // A QR code that only looks like ours.
  await scan(page, 'RCPT:not-a-sale', 5);
  await expect(page.getByTestId('notice')).toContainText('not one of our receipts');
  // A receipt number this device does not have.
  await scan(page, 'ZZ99-000001', 5);
  expect(plain(await page.getByTestId('notice').textContent())).toContain('No receipt ZZ99-000001');
  await page.getByTestId('nav-register').click();
  await expect(page.getByTestId('ticket-line')).toHaveCount(0);

  // While a payment is open a receipt scan is refused, as a product's is: the pay dialog stays.
  await tap(page, 'Cola');
  await page.getByTestId('pay').click();
  await scan(page, cola, 5);
  await expect(page.getByTestId('notice')).toContainText('scanned during payment');
  await expect(page.getByTestId('pay-dialog')).toBeVisible();
  await expect(page.getByTestId('receipt-number')).toHaveCount(0);
});
