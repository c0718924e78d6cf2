// Gift card steps the specs share (issue 14): the device's token, a card's balance from the
// server's own API, selling a card with a new number, and paying part of a ticket with one.
import { expect, type Page } from '@playwright/test';
import { plain, scan } from './cashier';

/** The device token this register keeps from enrollment (IndexedDB `register`, `kv` `membership`). */
export async function deviceToken(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('register');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('kv').objectStore('kv').get('membership');
          get.onerror = () => reject(get.error);
          get.onsuccess = () => resolve(JSON.parse(get.result as string).device_token);
        };
      }),
  );
}

/** The card's balance as the server holds it, or the HTTP status when it has no such card. */
export async function serverBalance(url: string, token: string, card: string): Promise<string> {
  const res = await fetch(`${url}/api/gift-cards/${card}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) return `HTTP ${res.status}`;
  return (await res.json()).balance as string;
}

/** Opens the payment of the open ticket on its gift card tender, with `card` typed (or scanned). */
export async function payByGiftCard(page: Page, card: string, scanned = false) {
  await page.getByTestId('pay').click();
  await page.getByTestId('method-gift-card').click();
  if (scanned) {
    await scan(page, card, 5);
    await expect(page.getByTestId('gift-card-number')).toHaveValue(card.replace(/(\d{4})(?=\d)/g, '$1 '));
  } else {
    await page.getByTestId('gift-card-number').fill(card);
  }
}

export async function redeem(page: Page, amount: string) {
  await page.getByTestId('gift-card-amount').fill(amount);
  await page.getByTestId('gift-card-redeem').click();
}

/** Pays what is left in exact cash and starts the next sale. */
export async function restInCash(page: Page) {
  await page.getByTestId('method-cash').click();
  await page.getByTestId('quick-cash').first().click();
  await expect(page.getByTestId('completed')).toBeVisible();
  await page.getByTestId('new-sale').click();
}

/** Sells a card with a new number for `value` in exact cash, on a ticket of its own; returns
 * its number. The line says which card, by its last four digits, and carries no tax. */
export async function sellNewCard(page: Page, value: string): Promise<string> {
  await page.getByTestId('sell-gift-card').click();
  await page.getByTestId('gift-card-generate').click();
  const card = (await page.getByTestId('gift-card-number').inputValue()).replace(/\s/g, '');
  expect(card).toMatch(/^\d{16}$/);
  await page.getByTestId('gift-card-value').fill(value);
  await page.getByTestId('gift-card-add').click();
  await expect(page.getByTestId('gift-card-dialog')).toHaveCount(0);
  await expect(page.getByTestId('ticket-line')).toHaveText(new RegExp(`Gift card •••• ${card.slice(-4)}`));
  expect(plain(await page.getByTestId('ticket-total').first().textContent())).toBe(`€${value}.00`);
  await page.getByTestId('pay').click();
  await page.getByTestId('quick-cash').first().click();
  await expect(page.getByTestId('completed')).toBeVisible();
  await page.getByTestId('new-sale').click();
  return card;
}
