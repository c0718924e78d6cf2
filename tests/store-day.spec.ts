// The store's day (issue 13): every register's shifts and the day's sales of every register, on
// the owner's device. The phone runs a shift, sells and closes it with a count short; the owner,
// whose own shift is still open, sees both shifts, the phone's difference, and a store-wide
// summary that is the sum of both registers' sales. Then the same in roubles, in Russian; and a
// shift left open past midnight, flagged, closed the next morning and shown on both days.
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { PHONE, countCash as count, plain, sellOneByCard, tap } from './cashier';
import { submitSetup } from './settings';
import { device, pairingCode, sellCash, setUpTwoDevices } from './store';

async function openShift(page: Page, float: Record<string, number>) {
  await page.getByTestId('nav-shift').click();
  await count(page, 'float', float);
  await page.getByTestId('shift-open').click();
  await expect(page.getByTestId('shift-opened')).toBeVisible();
}

async function closeShift(page: Page, counted: Record<string, number>) {
  await page.getByTestId('nav-shift').click();
  await count(page, 'close-count', counted);
  await page.getByTestId('shift-close').click();
  await expect(page.getByTestId('shift-report')).toHaveAttribute('data-kind', 'z');
}

/** The text of the summary's row `testid`, spaces made plain. */
async function summary(page: Page, testid: string) {
  return plain(await page.getByTestId('store-day-summary').getByTestId(testid).locator('td').textContent());
}

async function figure(shift: ReturnType<Page['getByTestId']>, testid: string) {
  return plain(await shift.getByTestId(testid).locator('dd').textContent());
}

async function noSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

test('the owner sees every register\'s shifts of the day and the store\'s summary over both', async ({ browser, server }) => {
  test.setTimeout(180_000);
  const { owner, second } = await setUpTwoDevices(browser, server);

  // The owner's own shift: €100 float, still open when the owner looks.
  await openShift(owner, { '50': 2 });
  await owner.getByTestId('nav-register').click();
  await sellCash(owner, 'Fries'); // €3.50 cash

  // The phone: €50 float, two cash sales and a card sale, closed €0.10 short.
  await openShift(second, { '10': 5 });
  await second.getByTestId('nav-register').click();
  await sellCash(second, 'Cola'); // €2.50
  await sellCash(second, 'Cola'); // €2.50
  await sellOneByCard(second, 'Cola'); // €2.50 card
  // Expected: 50.00 + 5.00 cash; counted 54.90.
  await closeShift(second, { '50': 1, '2': 2, '0.5': 1, '0.2': 2 });
  await expect(second.getByTestId('rep-difference').locator('td')).toHaveText('-€0.10');

  await owner.getByTestId('nav-shift').click();
  await owner.getByTestId('open-store-day').click();
  const day = owner.getByTestId('store-day');
  await expect(day).toBeVisible();
  await expect(day.locator('h2')).toHaveText('Store day: every register');

  // The phone's shift arrives by sync and the screen follows on its own.
  const phoneShift = owner.getByTestId('store-shift').and(owner.locator('[data-state="closed"]'));
  await expect(phoneShift).toHaveCount(1, { timeout: 30_000 });
  await expect(phoneShift.getByTestId('store-shift-device')).toContainText('Phone');
  expect(await figure(phoneShift, 'store-shift-float')).toBe('€50.00');
  expect(await figure(phoneShift, 'store-shift-expected')).toBe('€55.00');
  expect(await figure(phoneShift, 'store-shift-counted')).toBe('€54.90');
  expect(await figure(phoneShift, 'store-shift-difference')).toBe('-€0.10');
  await expect(phoneShift).toHaveAttribute('data-overnight', 'false');

  const ownShift = owner.getByTestId('store-shift').and(owner.locator('[data-state="open"]'));
  await expect(ownShift).toHaveCount(1);
  await expect(ownShift.getByTestId('store-shift-device')).toContainText('Pop-up Market till');
  await expect(ownShift.getByTestId('store-shift-times')).toContainText('Open since');
  expect(await figure(ownShift, 'store-shift-float')).toBe('€100.00');
  await expect(ownShift.getByTestId('store-shift-difference')).toHaveCount(0);
  await expect(owner.getByTestId('store-shift')).toHaveCount(2);

  // Both registers' sales: €3.50 here, €7.50 on the phone, of which €2.50 by card.
  await expect.poll(() => summary(owner, 'day-paid'), { timeout: 30_000 }).toBe('€11.00');
  expect(await summary(owner, 'day-devices')).toBe('2');
  expect(await summary(owner, 'day-sales')).toBe('4');
  expect(await summary(owner, 'day-paid-cash')).toBe('€8.50');
  expect(await summary(owner, 'day-paid-card')).toBe('€2.50');
  expect(await summary(owner, 'day-refunds')).toBe('0');
  expect(await summary(owner, 'day-net')).toBe('€11.00');

  // A later sale on the phone reaches the open screen.
  await second.getByTestId('nav-register').click();
  await sellCash(second, 'Fries');
  await expect.poll(() => summary(owner, 'day-net'), { timeout: 30_000 }).toBe('€14.50');

  // A day with nothing: no shifts, nothing sold.
  await owner.getByTestId('store-day-date').fill('2020-01-15');
  await expect(day).toHaveAttribute('data-day', '2020-01-15', { timeout: 20_000 });
  await expect(owner.getByTestId('store-day-no-shifts')).toBeVisible();
  expect(await summary(owner, 'day-sales')).toBe('0');

  // On a phone the screen fits its width.
  await owner.setViewportSize(PHONE);
  await owner.getByTestId('nav-shift').click();
  await owner.getByTestId('open-store-day').click();
  await expect(owner.getByTestId('store-shift')).toHaveCount(2, { timeout: 20_000 });
  await noSidewaysScroll(owner);
});

test('день магазина в рублях и по-русски: смена телефона с недостачей и открытая смена владельца', async ({ browser, server }) => {
  test.setTimeout(180_000);
  const owner = await device(browser, server.setupLink());
  await owner.setViewportSize(PHONE);
  await owner.getByTestId('nav-settings').click();
  await owner.getByTestId('lang-switch').selectOption('ru');
  await owner.reload();
  await submitSetup(owner, 'Пирожковая', { currency: 'RUB', device: 'Касса 1' });
  await expect(owner.getByTestId('notice')).toContainText('Пирожковая', { timeout: 20_000 });
  // The demo menu is in euros: converted at 100, a cola is 250 roubles.
  await owner.getByTestId('exchange-rate').fill('100');
  await owner.getByTestId('convert-menu').click();
  await expect(owner.getByTestId('menu-currency-mismatch')).toBeHidden();

  const { link } = await pairingCode(owner);
  const second = await device(browser, link);
  await expect(second.getByTestId('join')).toBeVisible();
  await second.getByTestId('join-device-name').fill('Телефон');
  await second.getByTestId('join-store').click();
  await expect(second.getByTestId('sync-status')).toHaveText('Synced', { timeout: 20_000 });
  const cola = second.getByTestId('product').filter({ has: second.locator('.tile-name', { hasText: /^Cola$/ }) });
  await expect(cola.locator('.tile-price')).toHaveText(/250/, { timeout: 20_000 });

  // Owner: a 3,000 ₽ float, one cola sold, the shift left open.
  await openShift(owner, { '1000': 3 });
  await owner.getByTestId('nav-register').click();
  await tap(owner, 'Cola');
  await owner.getByTestId('pay').click();
  await owner.getByTestId('quick-cash').first().click();
  await expect(owner.getByTestId('completed')).toBeVisible();
  await owner.getByTestId('new-sale').click();

  // Phone: a 2,000 ₽ float, two colas, closed 10 ₽ short (2,490 counted of 2,500).
  await openShift(second, { '1000': 2 });
  await second.getByTestId('nav-register').click();
  await sellCash(second, 'Cola');
  await sellCash(second, 'Cola');
  await closeShift(second, { '1000': 2, '200': 2, '50': 1, '5': 8 });

  await owner.getByTestId('nav-shift').click();
  await owner.getByTestId('open-store-day').click();
  await expect(owner.getByTestId('store-day').locator('h2')).toHaveText('День магазина: все кассы');
  const phoneShift = owner.getByTestId('store-shift').and(owner.locator('[data-state="closed"]'));
  await expect(phoneShift).toHaveCount(1, { timeout: 30_000 });
  await expect(phoneShift.getByTestId('store-shift-device')).toContainText('Телефон');
  await expect(phoneShift).toContainText('Закрыта');
  await expect(phoneShift.getByTestId('store-shift-difference').locator('dt')).toHaveText('Расхождение');
  expect(await figure(phoneShift, 'store-shift-expected')).toMatch(/^2 500,00 ₽$/);
  expect(await figure(phoneShift, 'store-shift-difference')).toMatch(/^-10,00 ₽$/);
  const ownShift = owner.getByTestId('store-shift').and(owner.locator('[data-state="open"]'));
  await expect(ownShift).toContainText('Открыта');
  expect(await figure(ownShift, 'store-shift-float')).toMatch(/^3 000,00 ₽$/);

  await expect.poll(() => summary(owner, 'day-net'), { timeout: 30_000 }).toMatch(/^750,00 ₽$/);
  await expect(owner.getByTestId('day-sales').locator('th')).toHaveText('Продажи');
  expect(await summary(owner, 'day-sales')).toBe('3');
  expect(await summary(owner, 'day-paid-cash')).toMatch(/^750,00 ₽$/);
  await noSidewaysScroll(owner);
});

test('a shift left open past midnight: flagged on the store\'s day, closed the next morning, and on both days', async ({ browser, server }) => {
  test.setTimeout(180_000);
  const { owner, second } = await setUpTwoDevices(browser, server, { clock: new Date('2026-12-04T22:00:00') });
  await openShift(second, { '10': 5 });
  await second.getByTestId('nav-register').click();
  await sellCash(second, 'Cola'); // €2.50 on the 4th

  // The next morning the phone's shift is still open.
  for (const page of [owner, second]) {
    await page.clock.setSystemTime(new Date('2026-12-05T09:00:00'));
    await page.reload();
  }
  await owner.getByTestId('nav-shift').click();
  await owner.getByTestId('open-store-day').click();
  await expect(owner.getByTestId('store-day')).toHaveAttribute('data-day', '2026-12-05', { timeout: 20_000 });
  const phoneShift = owner.getByTestId('store-shift');
  await expect(phoneShift).toHaveCount(1, { timeout: 30_000 });
  await expect(phoneShift).toHaveAttribute('data-state', 'open');
  await expect(phoneShift).toHaveAttribute('data-overnight', 'true');
  await expect(phoneShift.getByTestId('store-shift-overnight')).toHaveText('Left open overnight: it can still be closed on its register.');
  expect(await summary(owner, 'day-sales')).toBe('0');

  // The phone says so too, and closes it: €50.00 + €2.50, counted exactly.
  await second.getByTestId('nav-shift').click();
  await expect(second.getByTestId('shift-overnight')).toBeVisible();
  await closeShift(second, { '50': 1, '2': 1, '0.5': 1 });
  await expect(phoneShift).toHaveAttribute('data-state', 'closed', { timeout: 30_000 });
  await expect(phoneShift).toHaveAttribute('data-overnight', 'true');
  await expect(phoneShift.getByTestId('store-shift-overnight')).toHaveText('Ran past midnight: closed on a later day.');
  expect(await figure(phoneShift, 'store-shift-difference')).toBe('€0.00');

  // The 4th shows the same shift, closed, and the cola sold that evening.
  await owner.getByTestId('store-day-date').fill('2026-12-04');
  await expect(owner.getByTestId('store-day')).toHaveAttribute('data-day', '2026-12-04', { timeout: 20_000 });
  await expect(phoneShift).toHaveAttribute('data-state', 'closed');
  await expect.poll(() => summary(owner, 'day-sales'), { timeout: 20_000 }).toBe('1');
  expect(await summary(owner, 'day-paid')).toBe('€2.50');
});
