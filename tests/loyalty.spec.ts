// Loyalty points (issue 14): the owner sets the programme in Settings; a customer attached to a
// sale earns points by it (the receipt says how many and the balance); on a later sale they pay
// part with points, the server refusing more than they have; a return takes back the points
// that sale earned and gives back those it was paid with; the customer's page shows the balance
// and history at each step. A manager finds the store's points conflicts in one list; a
// duplicate's points follow it into the customer it is merged into. Then the same in Russian and
// roubles on a phone, where goods returned without a receipt take back the points they earned.
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { PHONE, plain, tap } from './cashier';
import { createCustomer, openCustomer } from './customers';
import { createStore, submitSetup } from './settings';
import { device, openRefund, setUpTwoDevices } from './store';

interface Programme {
  perUnit: string;
  perVisit: string;
  pointValue: string;
  offlineCap: string;
}

/** Sets the loyalty programme in Settings and saves it; `saved` is the notice it gives. */
async function setProgramme(page: Page, rule: Programme, saved: string) {
  await page.getByTestId('nav-settings').click();
  const form = page.getByTestId('loyalty-settings');
  await form.getByTestId('loyalty-on').check();
  await form.getByTestId('loyalty-per-unit').fill(rule.perUnit);
  await form.getByTestId('loyalty-per-visit').fill(rule.perVisit);
  await form.getByTestId('loyalty-point-value').fill(rule.pointValue);
  await form.getByTestId('loyalty-offline-cap').fill(rule.offlineCap);
  await form.getByTestId('save-loyalty').click();
  await expect(page.getByTestId('notice')).toContainText(saved);
}

/** The customer's points as their page shows them, once the server has every operation. */
async function expectPoints(page: Page, name: string, points: string, entries: number) {
  await expect
    .poll(
      async () => {
        // The page asks the server when it opens: open it again until the outbox has been sent.
        await openCustomer(page, name);
        await expect(page.getByTestId('customer-points')).not.toBeEmpty();
        return [plain(await page.getByTestId('customer-points').textContent()), await page.getByTestId('customer-points-entry').count()];
      },
      { timeout: 30_000 },
    )
    .toEqual([points, entries]);
}

async function noSidewaysScroll(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
}

/** Attaches the customer `query` finds to the open ticket, on the register. */
async function attach(page: Page, query: string, name: string) {
  await page.getByTestId('ticket-customer-search').fill(query);
  await page.getByTestId('ticket-customer-pick').click();
  await expect(page.getByTestId('ticket-customer-name')).toHaveText(name);
}

/** Pays what is left in exact cash; the completed screen stays. */
async function restInCash(page: Page) {
  await page.getByTestId('method-cash').click();
  await page.getByTestId('quick-cash').first().click();
  await expect(page.getByTestId('completed')).toBeVisible();
}

test('the owner sets a programme; a customer earns points, spends some on a later sale, and a return takes them back', async ({ browser, server }) => {
  test.setTimeout(150_000);
  const page = await device(browser, server.setupLink());
  await createStore(page, 'Loyal Cafe');
  // A point per €1.00, 5 per visit; a point pays €0.10.
  await setProgramme(page, { perUnit: '1', perVisit: '5', pointValue: '0.10', offlineCap: '100' }, 'Loyalty settings saved.');
  await createCustomer(page, { name: 'Anna Berg', phone: '030 555 0101' });
  await expect(page.getByTestId('customer-points')).toHaveText('0');
  await page.getByTestId('customer-attach').click();

  // €11.00 in cash: 11 points for the money and 5 for the visit; the receipt says so.
  await tap(page, 'Chicken Wrap');
  await tap(page, 'Iced Tea');
  await page.getByTestId('pay').click();
  // No points to pay with yet: the tender says she has none.
  await page.getByTestId('method-points').click();
  await expect(page.getByTestId('points-balance')).toHaveText('Anna Berg has 0 points, worth €0.00.');
  await restInCash(page);
  const receipt = page.getByTestId('receipt');
  await expect(receipt).toContainText(/Points earned\s*16/);
  await expect(receipt).toContainText(/Points balance\s*16/);
  await page.getByTestId('new-sale').click();
  await expectPoints(page, 'Anna Berg', '16', 1);

  // A €16.00 ticket: more points than she has are refused by the server, nothing is taken.
  await page.getByTestId('customer-attach').click();
  await tap(page, 'Chicken Wrap');
  await tap(page, 'Chicken Wrap');
  await page.getByTestId('pay').click();
  await page.getByTestId('method-points').click();
  await expect(page.getByTestId('points-balance')).toHaveText('Anna Berg has 16 points, worth €1.60.');
  // Offered: all she has, since it pays less than is left.
  await expect(page.getByTestId('points-amount')).toHaveValue('16');
  await page.getByTestId('points-amount').fill('20');
  await page.getByTestId('points-pay').click();
  await expect(page.getByTestId('notice')).toContainText('The customer has only 16 points');
  await expect(page.getByTestId('tender')).toHaveCount(0);
  // 10 points pay €1.00; the rest in cash, which earns 15 + 5 × 15/16 = 19 points.
  await page.getByTestId('points-amount').fill('10');
  await page.getByTestId('points-pay').click();
  await expect(page.getByTestId('tender')).toHaveText(['Points (10): €1.00']);
  expect(plain(await page.getByTestId('remaining').textContent())).toBe('€15.00');
  await noSidewaysScroll(page);
  await restInCash(page);
  await expect(receipt).toContainText(/Points \(10\)\s*1\.00 EUR/);
  await expect(receipt).toContainText(/Points earned\s*19/);
  await expect(receipt).toContainText(/Points balance\s*25/);
  await page.getByTestId('new-sale').click();
  await expectPoints(page, 'Anna Berg', '25', 3);
  await expect(page.getByTestId('customer-points-entry').first()).toContainText('Earned +19');

  // The sale comes back: its 19 points are taken back, the 10 it was paid with given back.
  await openRefund(page);
  const dialog = page.getByTestId('refund-dialog');
  expect(plain(await dialog.getByTestId('refund-gift-card').textContent())).toBe('€1.00');
  expect(plain(await dialog.getByTestId('refund-cash').textContent())).toBe('€15.00');
  await page.getByTestId('refund-reason').fill('Changed mind');
  await page.getByTestId('refund-confirm').click();
  await expect(page.getByTestId('refund-done')).toBeVisible();
  await page.getByTestId('refund-close').click();
  await expectPoints(page, 'Anna Berg', '16', 5);
  const history = await page.getByTestId('customer-points-entry').allTextContents();
  expect(history.map(plain)).toEqual([
    'Taken back by a return −19 → 16',
    'Given back by a return +10 → 35',
    'Earned +19 → 25',
    'Spent −10 → 6',
    'Earned +16 → 16',
  ]);
  await noSidewaysScroll(page);
  await page.context().close();
});

test('two registers offline spend the same points: both sales stand, the customer\u2019s page shows the overdraft, and a manager finds it in the store\u2019s list', async ({ browser, server }) => {
  test.setTimeout(180_000);
  const { owner, second } = await setUpTwoDevices(browser, server);
  await setProgramme(owner, { perUnit: '1', perVisit: '0', pointValue: '0.10', offlineCap: '100' }, 'Loyalty settings saved.');
  await createCustomer(owner, { name: 'Carl Frost' });
  await owner.getByTestId('customer-attach').click();
  // €24.00 in cash: 24 points.
  for (let i = 0; i < 3; i++) await tap(owner, 'Chicken Wrap');
  await owner.getByTestId('pay').click();
  await restInCash(owner);
  await owner.getByTestId('new-sale').click();
  await expectPoints(owner, 'Carl Frost', '24', 1);
  await owner.getByTestId('customer-attach').click();
  // Each register asks for his points once online, so it knows them when the server is gone.
  await expect(async () => {
    await second.getByTestId('ticket-customer-search').fill('Carl');
    await expect(second.getByTestId('ticket-customer-pick')).toHaveCount(1, { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await second.getByTestId('ticket-customer-pick').click();
  for (const page of [owner, second]) {
    await tap(page, 'Chicken Wrap');
    await tap(page, 'Chicken Wrap');
    await page.getByTestId('pay').click();
    await page.getByTestId('method-points').click();
    await expect(page.getByTestId('points-balance')).toHaveText('Carl Frost has 24 points, worth €2.40.', { timeout: 30_000 });
  }

  // Offline, each lets him spend 20 of his 24 points: together 16 too many.
  await server.stop('SIGKILL');
  for (const page of [owner, second]) {
    await page.getByTestId('points-amount').fill('20');
    await page.getByTestId('points-pay').click();
    await expect(page.getByTestId('tender')).toHaveText(['Points (20): €2.00 (offline, to be sent)']);
    await restInCash(page);
    await page.getByTestId('new-sale').click();
  }
  // Back online: both redemptions and both sales' 14 points reach the server; the second
  // redemption overdrew him, and his page says so.
  await server.restart();
  await expectPoints(owner, 'Carl Frost', '12', 5);
  await expect(owner.getByTestId('customer-points-conflict')).toContainText('overdrew this customer');

  // The store's list of points conflicts (the owner may see reports) names him, and both
  // redemptions with the registers that made them; how far under zero depends on which of the
  // registers' operations reached the server first.
  await owner.getByTestId('customer-back').click();
  await owner.getByTestId('points-conflicts-open').click();
  const conflict = owner.getByTestId('points-conflict');
  await expect(conflict).toHaveCount(1);
  await expect(conflict.getByTestId('points-conflict-name')).toHaveText('Carl Frost');
  expect(plain(await conflict.getByTestId('points-conflict-text').textContent())).toMatch(/^Carl Frost: (2|16) points over, balance 12$/);
  const spent = (await owner.getByTestId('points-conflict-op').allTextContents()).map(plain);
  expect(spent).toHaveLength(2);
  expect(spent.filter((op) => op.includes('20 spent on Phone made offline'))).toHaveLength(1);
  expect(spent.filter((op) => op.includes('20 spent on Pop-up Market till made offline'))).toHaveLength(1);
  await noSidewaysScroll(owner);
  await conflict.click();
  await expect(owner.getByTestId('customer-title')).toHaveText('Carl Frost');
  await owner.context().close();
  await second.context().close();
});

test('one person entered twice, each entry with points: merged, the survivor has both\u2019s points and pays with them', async ({ browser, server }) => {
  test.setTimeout(150_000);
  const page = await device(browser, server.setupLink());
  await createStore(page, 'Loyal Cafe');
  // A point per €1.00; a point pays €0.10.
  await setProgramme(page, { perUnit: '1', perVisit: '0', pointValue: '0.10', offlineCap: '100' }, 'Loyalty settings saved.');
  await createCustomer(page, { name: 'Dora Lind', phone: '030 555 0199' });
  await page.getByTestId('customer-attach').click();
  await tap(page, 'Chicken Wrap'); // €8.00: 8 points
  await page.getByTestId('pay').click();
  await restInCash(page);
  await page.getByTestId('new-sale').click();
  await createCustomer(page, { name: 'D. Lind', email: 'dora@example.org' });
  await page.getByTestId('customer-attach').click();
  await tap(page, 'Chicken Wrap');
  await tap(page, 'Iced Tea'); // €11.00: 11 points
  await page.getByTestId('pay').click();
  await restInCash(page);
  await page.getByTestId('new-sale').click();
  await expectPoints(page, 'D. Lind', '11', 1);
  await expectPoints(page, 'Dora Lind', '8', 1);

  // The second entry merges into the first: its 11 points follow.
  await page.getByTestId('customer-merge').click();
  await page.getByTestId('merge-search').fill('dora@');
  await page.getByTestId('merge-pick').click();
  await expect(page.getByTestId('notice')).toContainText('Customers merged');
  await expect(page.getByTestId('customer-points')).toHaveText('19', { timeout: 30_000 });
  await expectPoints(page, 'Dora Lind', '19', 2);
  expect(plain(await page.getByTestId('customer-points-entry').first().textContent())).toBe('From a merged duplicate +11 → 19');

  // She pays with all 19 on a €16.00 ticket.
  await page.getByTestId('customer-attach').click();
  await tap(page, 'Chicken Wrap');
  await tap(page, 'Chicken Wrap');
  await page.getByTestId('pay').click();
  await page.getByTestId('method-points').click();
  await expect(page.getByTestId('points-balance')).toHaveText('Dora Lind has 19 points, worth €1.90.');
  await expect(page.getByTestId('points-amount')).toHaveValue('19');
  await page.getByTestId('points-pay').click();
  await expect(page.getByTestId('tender')).toHaveText(['Points (19): €1.90']);
  await restInCash(page);
  await page.getByTestId('new-sale').click();
  // €14.10 in cash earns 14: all she has now.
  await expectPoints(page, 'Dora Lind', '14', 4);
  await page.context().close();
});

test('в рублях на телефоне: покупатель получает баллы за покупку и видит баланс', async ({ browser, server }) => {
  test.setTimeout(120_000);
  const page = await device(browser, server.setupLink());
  await page.setViewportSize(PHONE);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('lang-switch').selectOption('ru');
  await page.reload();
  await submitSetup(page, 'Кофейня', { currency: 'RUB', device: 'Касса' });
  await expect(page.getByTestId('notice')).toContainText('Кофейня', { timeout: 20_000 });
  // The demo menu in euros, converted at 100: a cola 250 ₽, fries 350 ₽.
  await page.getByTestId('exchange-rate').fill('100');
  await page.getByTestId('convert-menu').click();
  await expect(page.getByTestId('menu-currency-mismatch')).toBeHidden();
  // A point per 10 ₽, none per visit; a point pays 1 ₽.
  await setProgramme(page, { perUnit: '0,1', perVisit: '0', pointValue: '1', offlineCap: '300' }, 'Настройки баллов сохранены.');
  await noSidewaysScroll(page);
  await createCustomer(page, { name: 'Анна Петрова' });
  await page.getByTestId('customer-attach').click();

  // 600 ₽ in cash: 60 points.
  await tap(page, 'Cola');
  await tap(page, 'Fries');
  await page.getByTestId('pay').click();
  await page.getByTestId('method-points').click();
  await expect(page.getByTestId('points-balance')).toContainText('У покупателя Анна Петрова 0 баллов');
  await noSidewaysScroll(page);
  await restInCash(page);
  await expect(page.getByTestId('receipt')).toContainText(/Начислено баллов\s*60/);
  await expect(page.getByTestId('receipt')).toContainText(/Баланс баллов\s*60/);
  await page.getByTestId('new-sale').click();
  await expectPoints(page, 'Анна', '60', 1);
  await expect(page.getByTestId('customer-points-entry')).toHaveText([/Начислено \+60/]);
  await noSidewaysScroll(page);

  // A cola brought back without a receipt, with Анна on the ticket: its 250 ₽ would have earned
  // 25 points, which the return takes back with the cash it hands back.
  await page.getByTestId('customer-attach').click();
  await tap(page, 'Cola');
  await page.getByTestId('return-no-receipt').click();
  await page.getByTestId('return-reason').fill('Потеряла чек');
  await page.getByTestId('return-confirm').click();
  await expect(page.getByTestId('notice')).toContainText('Возврат без чека оформлен');
  await expectPoints(page, 'Анна', '35', 2);
  expect(plain(await page.getByTestId('customer-points-entry').first().textContent())).toBe('Сняты при возврате −25 → 35');
  await noSidewaysScroll(page);
  await page.context().close();
});
