// Works with no server at all: the register is loaded once, then its server process is killed
// (not merely set offline in the browser), and the register still starts, sells and keeps the
// sale; when the server is back, nothing is lost.
import { expect, test } from './fixtures';
import { openRegister, tap } from './cashier';

test('the register starts, sells and keeps the sale while its server is killed', async ({ page, server }) => {
  await openRegister(page, undefined, `${server.url}/`);
  await expect(page.getByTestId('sync-status')).toHaveText('Online');
  // The service worker has taken control once the page is reloaded under it.
  await page.waitForFunction(async () => (await navigator.serviceWorker.ready) !== undefined);
  await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  await server.stop('SIGKILL');
  await page.reload();
  await expect(page.getByTestId('product').first()).toBeVisible();
  await expect(page.getByTestId('sync-status')).toHaveText('Offline');

  await tap(page, 'Chicken Wrap');
  await tap(page, 'Iced Tea');
  await page.getByTestId('pay').click();
  await page.getByTestId('cash-amount').fill('20');
  await page.getByTestId('take-cash').click();
  await expect(page.getByTestId('change-amount')).toHaveText('€9.00');
  const number = ((await page.getByTestId('receipt-number').textContent()) ?? '').replace('Receipt', '').trim();

  await page.reload();
  await expect(page.getByTestId('product').first()).toBeVisible();
  await page.getByTestId('nav-sales').click();
  await expect(page.getByTestId('sale-number')).toHaveText([number]);

  await server.restart();
  await page.reload();
  await expect(page.getByTestId('sync-status')).toHaveText('Online');
  await page.getByTestId('nav-sales').click();
  await expect(page.getByTestId('sale-number')).toHaveText([number]);
  await page.getByTestId('sale-row').click();
  await expect(page.getByTestId('receipt')).toContainText('Chicken Wrap');
});
