// Staff at the till: the owner adds a manager and a cashier (signed by the server), the other
// device gets the list, its till asks who is there, a cashier needs a manager's PIN for a refund
// and for "no sale", wrong PINs lock a member, an idle till locks and keeps the ticket, and the
// owner reads the approvals in the audit log on another device.
import { expect, type Page } from '@playwright/test';
import { test } from './fixtures';
import { PHONE, expectTotal, tap } from './cashier';
import { OWNER_PIN, addMember, createStore, pin, submitSetup } from './settings';
import { device, pairingCode, setUpTwoDevices } from './store';

const MANAGER_PIN = '1357';
const CASHIER_PIN = '97531';

/** In Settings, refreshes the audit log until it shows `count` rows of `kind` (another device's
 * entries arrive by sync); returns those rows. */
async function auditRows(page: Page, kind: string, count: number) {
  const rows = page.getByTestId('audit-row').and(page.locator(`[data-kind="${kind}"]`));
  await expect(async () => {
    await page.getByTestId('audit-refresh').click();
    await expect(rows).toHaveCount(count, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  return rows;
}

async function staffStore(browser: import('@playwright/test').Browser, server: import('./fixtures').TestServer) {
  const { owner, second } = await setUpTwoDevices(browser, server);
  // The owner alone is never asked for a PIN: they are the one at the till.
  await expect(owner.getByTestId('lock-screen')).toHaveCount(0);
  await expect(owner.getByTestId('staff-current')).toHaveText('Owner');
  await owner.getByTestId('nav-settings').click();
  await addMember(owner, 'Maria', 'manager', MANAGER_PIN);
  await addMember(owner, 'Ivan', 'cashier', CASHIER_PIN);
  await expect(owner.getByTestId('staff-row')).toHaveCount(3);
  // The owner stays signed in on their own device; the other device asks who is there once it
  // has the new list (at its next start, or within half a minute).
  await expect(owner.getByTestId('lock-screen')).toHaveCount(0);
  await second.reload();
  await expect(second.getByTestId('lock-screen')).toBeVisible({ timeout: 15_000 });
  await expect(second.getByTestId('lock-screen').getByTestId('staff-pick')).toHaveText(['Owner', 'Maria', 'Ivan']);
  return { owner, second };
}

test('a cashier needs a manager for a refund: a wrong PIN refuses, the right one proceeds, and the owner reads it on another device', async ({ browser, server }) => {
  test.setTimeout(180_000);
  const { owner, second } = await staffStore(browser, server);

  await pin(second, 'lock-screen', 'Ivan', CASHIER_PIN);
  await expect(second.getByTestId('lock-screen')).toHaveCount(0);
  await expect(second.getByTestId('staff-current')).toHaveText('Ivan');

  // The sale names its cashier on the receipt.
  await tap(second, 'Lemonade');
  await second.getByTestId('pay').click();
  await second.getByTestId('quick-cash').first().click();
  await expect(second.getByTestId('completed')).toBeVisible();
  await expect(second.getByTestId('receipt')).toContainText('Cashier: Ivan');
  await second.getByTestId('new-sale').click();

  // Ivan may not refund: the manager's PIN is asked, and a wrong one refuses.
  await second.getByTestId('nav-sales').click();
  await second.getByTestId('refund-sale').first().click();
  await expect(second.getByTestId('approval')).toBeVisible();
  await expect(second.getByTestId('approval-what')).toHaveText('Refund a sale');
  // Only those who may refund are offered: not the cashier himself.
  await expect(second.getByTestId('approval').getByTestId('staff-pick')).toHaveText(['Owner', 'Maria']);
  await pin(second, 'approval', 'Maria', '0000');
  await expect(second.getByTestId('approval').getByTestId('notice')).toContainText('Wrong PIN');
  await expect(second.getByTestId('refund-dialog')).toHaveCount(0);
  await pin(second, 'approval', 'Maria', MANAGER_PIN);
  await expect(second.getByTestId('approval')).toHaveCount(0);
  await expect(second.getByTestId('refund-dialog')).toBeVisible();
  await second.getByTestId('refund-reason').fill('Spilled');
  await second.getByTestId('refund-confirm').click();
  await expect(second.getByTestId('sale-refunded').first()).toHaveText('Refunded');
  await second.getByTestId('refund-close').click();

  // The owner, on the other device, sees who asked and who approved.
  await owner.getByTestId('nav-settings').click();
  const approval = owner.getByTestId('audit-row').filter({ hasText: 'Refund a sale' });
  await expect(async () => {
    await owner.getByTestId('audit-refresh').click();
    await expect(approval).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(approval).toContainText('Ivan');
  await expect(approval).toContainText('approved by Maria');
  const refund = owner.getByTestId('audit-row').and(owner.locator('[data-kind="refund"]'));
  await expect(refund).toContainText('approved by Maria');
  // Filtered by who: Maria approved, but did nothing herself.
  await owner.getByTestId('audit-who').selectOption({ label: 'Maria' });
  await expect(owner.getByTestId('audit-row')).toHaveCount(0);
  await owner.getByTestId('audit-who').selectOption({ label: 'Ivan' });
  await expect(owner.getByTestId('audit-row').filter({ hasText: 'Approval' })).toHaveCount(1);
  // And exported as CSV.
  const download = owner.waitForEvent('download');
  await owner.getByTestId('audit-export').click();
  const file = await download;
  const text = await (await file.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
  expect(text).toContain('approval');
  expect(text).toContain('Maria');

  // Ivan clocks in on his till; the owner sees it.
  await second.getByTestId('nav-settings').click();
  await expect(second.getByTestId('rename-store')).toHaveCount(0);
  await second.getByTestId('clock-in').click();
  await expect(second.getByTestId('clock-out')).toBeVisible();
  await expect(second.getByTestId('hours-row').filter({ hasText: 'Ivan' })).toBeVisible();
  await owner.getByTestId('audit-who').selectOption({ label: 'Ivan' });
  await expect(async () => {
    await owner.getByTestId('audit-refresh').click();
    await expect(owner.getByTestId('audit-row').and(owner.locator('[data-kind="clock-in"]'))).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });

  // The owner renames the store: every device shows the new name.
  await owner.getByTestId('rename-store-name').fill('Market Hall');
  await owner.getByTestId('rename-store-pin').fill(OWNER_PIN);
  await owner.getByTestId('rename-store').click();
  await expect(owner.locator('.store-name')).toHaveText('Market Hall');
  await expect(second.locator('.store-name')).toHaveText('Market Hall', { timeout: 30_000 });
});

test('a cashier voids a sale only with a manager: the void is asked for on its own and the audit log records it', async ({ browser, server }) => {
  test.setTimeout(180_000);
  const { owner, second } = await staffStore(browser, server);
  await pin(second, 'lock-screen', 'Ivan', CASHIER_PIN);
  await tap(second, 'Lemonade');
  await second.getByTestId('pay').click();
  await second.getByTestId('quick-cash').first().click();
  await expect(second.getByTestId('completed')).toBeVisible();
  await second.getByTestId('new-sale').click();

  await second.getByTestId('nav-sales').click();
  await second.getByTestId('refund-sale').first().click();
  await pin(second, 'approval', 'Maria', MANAGER_PIN);
  await second.getByTestId('refund-reason').fill('Rang up twice');
  // Allowed to refund is not allowed to void: the void asks again, for its own permission.
  await second.getByTestId('refund-void').click();
  await expect(second.getByTestId('approval-what')).toHaveText('Void a sale of the open shift');
  await expect(second.getByTestId('approval').getByTestId('staff-pick')).toHaveText(['Owner', 'Maria']);
  await pin(second, 'approval', 'Maria', MANAGER_PIN);
  await expect(second.getByTestId('refund-done')).toHaveText('Voided');
  await second.getByTestId('refund-close').click();
  await expect(second.getByTestId('sale-voided')).toHaveText('Voided');

  await owner.getByTestId('nav-settings').click();
  const voids = await auditRows(owner, 'void', 1);
  await expect(voids).toContainText('Ivan');
  await expect(voids).toContainText('approved by Maria');
});

test('wrong PINs lock a member, "Switch" hands the open ticket over, and an idle till locks with the ticket kept', async ({ browser, server }) => {
  test.setTimeout(180_000);
  const { owner, second } = await staffStore(browser, server);
  // The owner sets the till to lock after a minute without a touch.
  await owner.getByTestId('idle-lock-minutes').fill('1');
  await owner.getByTestId('idle-lock-minutes').dispatchEvent('change');
  await owner.getByTestId('roles-confirm-pin').fill(OWNER_PIN);
  await owner.getByTestId('roles-save').click();
  await expect(owner.getByTestId('notice')).toContainText('saved');

  // Five wrong PINs for Ivan: the fifth locks him, and then even his right PIN waits.
  for (let i = 0; i < 4; i++) {
    await pin(second, 'lock-screen', 'Ivan', '11111');
    await expect(second.getByTestId('lock-screen').getByTestId('notice')).toContainText(`${3 - i} more tries`);
  }
  await pin(second, 'lock-screen', 'Ivan', '11111');
  await expect(second.getByTestId('lock-screen').getByTestId('notice')).toContainText('try again in');
  await pin(second, 'lock-screen', 'Ivan', CASHIER_PIN);
  await expect(second.getByTestId('lock-screen').getByTestId('notice')).toContainText('try again in');
  await expect(second.getByTestId('lock-screen')).toBeVisible();
  // The lock is Ivan's, not the till's: Maria signs in.
  await pin(second, 'lock-screen', 'Maria', MANAGER_PIN);
  await expect(second.getByTestId('staff-current')).toHaveText('Maria');

  // Maria starts a ticket and hands the till to the owner: the ticket stays.
  await tap(second, 'Lemonade');
  const total = await second.getByTestId('ticket-total').textContent();
  await second.getByTestId('switch-staff').click();
  await expect(second.getByTestId('lock-screen')).toBeVisible();
  await pin(second, 'lock-screen', 'Owner', OWNER_PIN);
  await expect(second.getByTestId('staff-current')).toHaveText('Owner');
  await expect(second.getByTestId('ticket-total')).toHaveText(total!);

  // The owner may pair a device from any till: the server checks the PIN, not which device asks.
  await second.getByTestId('nav-settings').click();
  await second.getByTestId('pairing-pin').fill('0000');
  await second.getByTestId('pair-device').click();
  await expect(second.getByTestId('notice')).toContainText('Wrong PIN');
  await second.getByTestId('pairing-pin').fill(OWNER_PIN);
  await second.getByTestId('pair-device').click();
  await expect(second.getByTestId('pairing-code')).toHaveText(/\S{4}-\S{4}/);
  await second.getByTestId('nav-register').click();

  // The new idle time reaches this device; a minute without a touch locks it, the ticket kept.
  await second.reload();
  await expect(second.getByTestId('lock-screen')).toBeVisible();
  await pin(second, 'lock-screen', 'Maria', MANAGER_PIN);
  await expect(second.getByTestId('lock-screen')).toHaveCount(0);
  await second.clock.install();
  await second.clock.fastForward('01:10');
  await expect(second.getByTestId('lock-screen')).toBeVisible({ timeout: 15_000 });
  await pin(second, 'lock-screen', 'Maria', MANAGER_PIN);
  await expect(second.getByTestId('ticket-total')).toHaveText(total!);
});

test('в рублях и по-русски на телефоне: кассир без права «без продажи» зовёт менеджера', async ({ browser, server }) => {
  test.setTimeout(180_000);
  const owner = await device(browser, server.setupLink());
  await owner.getByTestId('nav-settings').click();
  await owner.getByTestId('lang-switch').selectOption('ru');
  // The setup link is still the page's address: it opens again, in Russian.
  await owner.reload();
  await submitSetup(owner, 'Шаурма у моста', { currency: 'RUB', owner: 'Ольга', device: 'Касса' });
  await expect(owner.getByTestId('notice')).toContainText('Шаурма у моста');
  await expect(owner.getByTestId('staff-current')).toHaveText('Ольга');
  await owner.setViewportSize(PHONE);
  await owner.getByTestId('nav-settings').click();
  const form = owner.getByTestId('staff-form');
  await form.getByTestId('staff-name').fill('Пётр');
  await form.getByTestId('staff-role-select').selectOption('cashier');
  await form.getByTestId('staff-pin').fill(CASHIER_PIN);
  await form.getByTestId('staff-confirm-pin').fill(OWNER_PIN);
  await form.getByTestId('staff-save').click();
  await expect(owner.getByTestId('staff-row').filter({ hasText: 'Пётр' })).toContainText('Кассир');
  await owner.getByTestId('switch-staff').click();
  await expect(owner.getByTestId('lock-screen')).toContainText('Кто за кассой?');
  await pin(owner, 'lock-screen', 'Пётр', CASHIER_PIN);
  await owner.getByTestId('nav-register').click();
  await owner.getByTestId('no-sale').click();
  await owner.getByTestId('no-sale-reason').fill('Размен');
  await owner.getByTestId('open-drawer').click();
  await expect(owner.getByTestId('approval')).toContainText('Открыть ящик без продажи');
  await expect(owner.getByTestId('approval').getByTestId('staff-pick')).toHaveText(['Ольга']);
  await owner.getByTestId('approval-cancel').click();
  await expect(owner.getByTestId('approval')).toHaveCount(0);
  // Settings of the store's receipts and devices are a protected action too; the language is not.
  await owner.getByTestId('nav-settings').click();
  await expect(owner.getByTestId('lang-switch')).toBeVisible();
  await expect(owner.getByTestId('receipt-settings')).toHaveCount(0);
  await owner.getByTestId('unlock-settings').click();
  await pin(owner, 'approval', 'Ольга', OWNER_PIN);
  await expect(owner.getByTestId('receipt-settings')).toBeVisible();
});

test('the audit log reaches a day of last month that this device never opened', async ({ browser, server }) => {
  test.setTimeout(120_000);
  const owner = await device(browser, server.setupLink(), { clock: new Date('2026-11-20T10:00:00') });
  await createStore(owner, 'Autumn Fair');
  await owner.getByTestId('nav-settings').click();
  await owner.getByTestId('clock-in').click();
  await expect(owner.getByTestId('audit-row').and(owner.locator('[data-kind="clock-in"]'))).toHaveCount(1, { timeout: 10_000 });
  await expect(owner.getByTestId('sync-status')).toHaveText('Synced', { timeout: 20_000 });

  // A till that joins late in December opens this week's days, not November's.
  const { link } = await pairingCode(owner);
  const late = await device(browser, link, { clock: new Date('2026-12-20T10:00:00') });
  await late.getByTestId('join-device-name').fill('Late till');
  await late.getByTestId('join-store').click();
  await expect(late.getByTestId('sync-status')).toHaveText('Synced', { timeout: 20_000 });
  await late.getByTestId('nav-settings').click();
  const clockIns = late.getByTestId('audit-row').and(late.locator('[data-kind="clock-in"]'));
  await expect(late.getByTestId('audit-log')).toBeVisible();
  await expect(clockIns).toHaveCount(0);
  await late.getByTestId('audit-from').fill('2026-11-20');
  await late.getByTestId('audit-to').fill('2026-11-20');
  await expect(clockIns).toHaveCount(1, { timeout: 20_000 });
  await expect(clockIns).toContainText('Owner');

  // More than 92 days at once is refused with a message, and the log stays as it was.
  await late.getByTestId('audit-from').fill('2026-01-01');
  await expect(late.getByTestId('notice')).toContainText('at most 92 days');
  await expect(clockIns).toHaveCount(1);
});

test('a price changed at the till: a cashier needs a manager, a typo is refused, and the audit log shows both prices', async ({ browser, server }) => {
  test.setTimeout(180_000);
  const { owner, second } = await staffStore(browser, server);
  await pin(second, 'lock-screen', 'Ivan', CASHIER_PIN);
  await tap(second, 'Lemonade');
  await tap(second, 'Lemonade');
  const lemonade = await second.getByTestId('line-amount').first().textContent();
  await second.getByTestId('ticket-line').first().locator('.line-main').click();
  const price = second.getByTestId('line-price');

  // A price the ticket cannot take is refused before anyone is asked.
  await price.fill('1.999');
  await price.press('Enter');
  await expect(second.getByTestId('notice')).toContainText('more decimals than the currency');
  await expect(second.getByTestId('approval')).toHaveCount(0);

  // Ivan may not change prices: only those who may are offered, and Maria's PIN lets it through.
  await price.fill('1.00');
  await price.press('Enter');
  await expect(second.getByTestId('approval')).toBeVisible();
  await expect(second.getByTestId('approval-what')).toHaveText('Change a price at the till');
  await expect(second.getByTestId('approval').getByTestId('staff-pick')).toHaveText(['Owner', 'Maria']);
  await pin(second, 'approval', 'Maria', MANAGER_PIN);
  await expect(second.getByTestId('approval')).toHaveCount(0);
  await expectTotal(second, '€2.00');
  await expect(second.getByTestId('line-shelf-price')).toContainText('€');
  expect(await second.getByTestId('line-amount').first().textContent()).not.toBe(lemonade);

  // Sold at that price, with the receipt saying so.
  await second.getByTestId('pay').click();
  await second.getByTestId('quick-cash').first().click();
  await expect(second.getByTestId('completed')).toBeVisible();
  await expect(second.getByTestId('receipt')).toContainText(/2 x €?1\.00/);
  await second.getByTestId('new-sale').click();

  // The owner reads who asked, who approved, and both prices.
  await owner.getByTestId('nav-settings').click();
  const change = await auditRows(owner, 'price-override', 1);
  await expect(change).toContainText('Ivan');
  await expect(change).toContainText('Lemonade');
  await expect(change).toContainText('→ 1');
  await expect(change).toContainText('approved by Maria');
});

test('an order sent to the kitchen: taking back what it has needs a manager and is recorded, what it has not goes freely', async ({ browser, server }) => {
  test.setTimeout(180_000);
  const { owner, second } = await staffStore(browser, server);
  await pin(second, 'lock-screen', 'Ivan', CASHIER_PIN);
  await tap(second, 'Lemonade');
  await tap(second, 'Lemonade');
  await second.getByTestId('send-order').click();
  // No printer on this till: the order counts as sent, and the cashier is told nothing printed.
  await expect(second.getByTestId('notice')).toContainText('No printer is set up');
  await expect(second.getByTestId('line-sent')).toHaveCount(1);
  await expect(second.getByTestId('send-order')).toHaveCount(0);

  // A cola added afterwards has not gone to the kitchen: removed with no one asked.
  await tap(second, 'Cola');
  await expect(second.getByTestId('send-order')).toBeVisible();
  const cola = second.getByTestId('ticket-line').filter({ hasText: /^Cola/ });
  await cola.locator('.remove').click();
  await expect(second.getByTestId('approval')).toHaveCount(0);
  await expect(second.getByTestId('ticket-line')).toHaveCount(1);

  // One lemonade fewer takes back what the kitchen has: a manager's PIN, then it is done.
  const lemonade = second.getByTestId('ticket-line').filter({ hasText: 'Lemonade' });
  await lemonade.locator('.qty-down').click();
  await expect(second.getByTestId('approval-what')).toHaveText('Void a line already sent');
  await expect(second.getByTestId('approval').getByTestId('staff-pick')).toHaveText(['Owner', 'Maria']);
  await pin(second, 'approval', 'Maria', MANAGER_PIN);
  await expect(second.getByTestId('approval')).toHaveCount(0);
  await expect(lemonade.getByTestId('line-qty')).toHaveText('1');

  // Clearing a ticket the kitchen has asks too; cancelled, the ticket stays as it was.
  await second.getByTestId('clear-ticket').click();
  await expect(second.getByTestId('approval-what')).toHaveText('Void a line already sent');
  await second.getByTestId('approval-cancel').click();
  await expect(lemonade.getByTestId('line-qty')).toHaveText('1');
  await expectTotal(second, '€3.50');

  // The owner reads the void, who asked and who approved.
  await owner.getByTestId('nav-settings').click();
  const voids = await auditRows(owner, 'void', 1);
  await expect(voids).toContainText('Ivan');
  await expect(voids).toContainText('approved by Maria');
});
