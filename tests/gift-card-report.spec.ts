// Gift cards for the manager and the back office (issue 14): the desk's period report of cards
// issued and redeemed with its CSV file, the offline allowance per card set in Settings and
// obeyed by a register cut off from the server, and goods returned with no receipt given back as
// store credit on a new gift card, on a phone in Russian, online and offline.
import { type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { expect, test } from './fixtures';
import { PHONE, plain, switchLanguage, tap } from './cashier';
import { deviceToken, payByGiftCard, redeem, restInCash, sellNewCard, serverBalance } from './gift-cards';
import { createStore } from './settings';
import { device } from './store';

/** Opens the gift card desk from Sales. */
async function openDesk(page: Page) {
  await page.getByTestId('nav-sales').click();
  await page.getByTestId('open-gift-cards').click();
  await expect(page.getByTestId('gift-card-desk')).toBeVisible();
}

/** The report's figures as the desk shows them. */
async function reportFigures(page: Page) {
  const report = page.getByTestId('gift-card-report');
  await expect(report).toBeVisible();
  const figure = async (testid: string) => plain(await report.getByTestId(testid).textContent());
  return {
    issued: await figure('report-issued'),
    added: await figure('report-added'),
    redeemed: await figure('report-redeemed'),
    refunded: await figure('report-refunded'),
    expired: await figure('report-expired'),
    liability: await figure('report-liability'),
    overdrawn: await figure('report-overdrawn'),
  };
}

/** Nothing on the page scrolls sideways. */
async function expectNoSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

test('cards issued and redeemed: the period report shows the figures and its CSV has a row per operation and the totals', async ({ browser, server }) => {
  test.setTimeout(120_000);
  const page = await device(browser, server.setupLink());
  await createStore(page, 'Gift Shop');
  const token = await deviceToken(page);
  const first = await sellNewCard(page, '25');
  const second = await sellNewCard(page, '30');
  await expect.poll(() => serverBalance(server.url, token, second), { timeout: 20_000 }).toBe('30.00');
  // €10 of an €11 ticket from the first card.
  await tap(page, 'Chicken Wrap');
  await tap(page, 'Iced Tea');
  await payByGiftCard(page, first);
  await redeem(page, '10');
  await restInCash(page);
  expect(await serverBalance(server.url, token, first)).toBe('15.00');

  await openDesk(page);
  await page.getByTestId('report-today').click();
  expect(await reportFigures(page)).toEqual({
    issued: '€55.00',
    added: '€0.00',
    redeemed: '€10.00',
    refunded: '€0.00',
    expired: '€0.00',
    liability: '€45.00',
    overdrawn: '€0.00',
  });
  await expect(page.getByTestId('report-ops')).toHaveText('Operations: 3');
  // The operations are on the screen too, newest first, each with its card's last four digits.
  const ops = page.getByTestId('report-op-list').getByTestId('report-op');
  await expect(ops).toHaveCount(3);
  const shown = [];
  for (const op of await ops.all()) {
    shown.push([
      await op.getAttribute('data-kind'),
      plain(await op.getByTestId('report-op-card').textContent()).slice(-4),
      plain(await op.getByTestId('report-op-amount').textContent()),
    ]);
  }
  expect(shown).toEqual([
    ['redeem', first.slice(-4), '€10.00'],
    ['issue', second.slice(-4), '€30.00'],
    ['issue', first.slice(-4), '€25.00'],
  ]);
  await expectNoSidewaysScroll(page);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-csv').click()]);
  expect(download.suggestedFilename()).toMatch(/^gift-cards-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = (await readFile((await download.path())!, 'utf8')).replace(/^\uFEFF/, '');
  const rows = text.trim().split(/\r?\n/).map((line) => line.split(','));
  expect(rows[0]).toEqual(['made_at', 'kind', 'card', 'amount', 'offline', 'op_id', 'device', 'staff', 'auth_code', 'reason']);
  expect(rows.slice(1).map((r) => [r[1], r[2], r[3], r[4]])).toEqual([
    ['issue', first, '25.00', 'false'],
    ['issue', second, '30.00', 'false'],
    ['redeem', first, '10.00', 'false'],
    ['total_issued', '', '55.00', ''],
    ['total_added', '', '0.00', ''],
    ['total_redeemed', '', '10.00', ''],
    ['total_refunded_to_cards', '', '0.00', ''],
    ['total_expired', '', '0.00', ''],
    ['liability_at_end', '', '45.00', ''],
    ['overdrawn_at_end', '', '0.00', ''],
  ]);
  for (const row of rows.slice(1, 4)) expect(row[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

  // The second card's €30 written off as expired by the owner, with the reason: the card stops,
  // its history says why, and the report counts it expired and no longer owed.
  await page.getByTestId('desk-number').fill(second);
  await page.getByTestId('desk-look-up').click();
  await expect(page.getByTestId('desk-balance')).toHaveText(/30\.00/);
  await page.getByTestId('desk-expire').click();
  await expect(page.getByTestId('desk-expire-form')).toContainText('€30.00');
  await page.getByTestId('desk-expire-send').click();
  await expect(page.getByTestId('notice')).toContainText('why the balance is written off');
  await page.getByTestId('desk-expire-reason').fill('Unused for three years (terms)');
  await page.getByTestId('desk-expire-send').click();
  await expect(page.getByTestId('desk-card')).toHaveAttribute('data-active', 'false');
  await expect(page.getByTestId('desk-balance')).toHaveText(/0\.00/);
  const expired = page.locator('[data-testid="desk-op"][data-kind="expire"]');
  await expect(expired.getByTestId('desk-op-auth')).toHaveText('reason: Unused for three years (terms)');
  await page.getByTestId('report-today').click();
  await expect(page.getByTestId('report-ops')).toHaveText('Operations: 4');
  expect(await reportFigures(page)).toEqual({
    issued: '€55.00',
    added: '€0.00',
    redeemed: '€10.00',
    refunded: '€0.00',
    expired: '€30.00',
    liability: '€15.00',
    overdrawn: '€0.00',
  });
  expect(await serverBalance(server.url, token, second)).toBe('0.00');

  // Last month, before any card was sold: nothing moved and nothing was owed at its end.
  await page.getByTestId('report-last-month').click();
  await expect(page.getByTestId('report-ops')).toHaveText('Operations: 0');
  await expect(page.getByTestId('report-op')).toHaveCount(0);
  expect(await reportFigures(page)).toEqual({
    issued: '€0.00',
    added: '€0.00',
    redeemed: '€0.00',
    refunded: '€0.00',
    expired: '€0.00',
    liability: '€0.00',
    overdrawn: '€0.00',
  });
  // A period that ends before it starts is refused with words, and nothing is asked.
  await page.getByTestId('report-from').fill('2026-05-02');
  await page.getByTestId('report-to').fill('2026-05-01');
  await page.getByTestId('report-show').click();
  await expect(page.getByTestId('notice')).toContainText('end date on or after it');
  await page.context().close();
});

test('the offline allowance per card set in Settings is what a register cut off from the server may take off a card', async ({ browser, server }) => {
  test.setTimeout(120_000);
  const page = await device(browser, server.setupLink());
  await createStore(page, 'Gift Shop');
  const token = await deviceToken(page);
  const card = await sellNewCard(page, '40');
  await expect.poll(() => serverBalance(server.url, token, card), { timeout: 20_000 }).toBe('40.00');

  await page.getByTestId('nav-settings').click();
  const cap = page.getByTestId('gift-card-offline-cap');
  await expect(cap).toHaveValue('50');
  // Refused with a reason, and the saved allowance stays: below zero, finer than a cent.
  for (const bad of ['-1', '1.234', 'ten']) {
    await cap.fill(bad);
    await page.getByTestId('save-receipt-settings').click();
    await expect(page.getByTestId('notice')).toContainText('gift card offline allowance is an amount of 0 or more');
  }
  await cap.fill('8');
  await page.getByTestId('save-receipt-settings').click();
  await expect(page.getByTestId('notice')).toContainText('Receipt settings saved.');
  await page.reload();
  await expect(page.getByTestId('sync-status')).toHaveText('Synced');
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('gift-card-offline-cap')).toHaveValue('8');
  await page.getByTestId('nav-register').click();

  // The register hears the card's €40 online, then loses the server: it may take €8, not more.
  await tap(page, 'Chicken Wrap');
  await tap(page, 'Chicken Wrap');
  await payByGiftCard(page, card);
  await page.getByTestId('gift-card-check').click();
  await expect(page.getByTestId('gift-card-balance')).toHaveText('Balance €40.00');
  await server.stop('SIGKILL');
  await redeem(page, '9');
  await expect(page.getByTestId('notice')).toContainText('Offline, at most €8.00');
  await expect(page.getByTestId('tender')).toHaveCount(0);
  await redeem(page, '8');
  await expect(page.getByTestId('tender')).toHaveText([`Gift card •••• ${card.slice(-4)}: €8.00 (offline, to be sent)`]);
  await restInCash(page);
  await server.restart();
  await expect.poll(() => serverBalance(server.url, token, card), { timeout: 30_000 }).toBe('32.00');
  await page.context().close();
});

test('на телефоне по-русски: возврат без чека кредитом магазина на новую подарочную карту, онлайн и офлайн; ящик не открывается', async ({ browser, server }) => {
  test.setTimeout(150_000);
  const page = await device(browser, server.setupLink());
  await createStore(page, 'Gift Shop');
  const token = await deviceToken(page);
  // A card sold before the shift: already issued, so no blank card for store credit.
  const issued = await sellNewCard(page, '5');
  await expect.poll(() => serverBalance(server.url, token, issued), { timeout: 20_000 }).toBe('5.00');
  await page.setViewportSize(PHONE);
  await switchLanguage(page, 'ru');
  await page.getByTestId('nav-shift').click();
  await page.getByTestId('float-50').fill('2');
  await page.getByTestId('shift-open').click();
  await expect(page.getByTestId('shift-opened')).toBeVisible();
  await page.getByTestId('nav-register').click();

  await tap(page, 'Chicken Wrap');
  await tap(page, 'Chicken Wrap'); // 2 × 8,00 €
  await page.getByTestId('return-no-receipt').click();
  const dialog = page.getByTestId('return-dialog');
  await page.getByTestId('return-reason').fill('Потерял чек');
  await page.getByTestId('return-as-credit').check();
  await expect(dialog).toContainText('зачисляется на новую подарочную карту');
  await expect(page.getByTestId('return-confirm')).toContainText('16,00');
  await expectNoSidewaysScroll(page);
  await page.getByTestId('return-credit-number').fill(issued);
  await page.getByTestId('return-confirm').click();
  await expect(page.getByTestId('notice')).toContainText('уже выпущена');
  await expect(page.getByTestId('ticket-line')).toHaveCount(1);

  // Left empty: a new number, issued for the refund, named in the notice (and on the slip). On
  // the phone the refusal lies over the dialog's buttons until it is dismissed.
  await page.getByTestId('notice').locator('button.dismiss').click();
  await page.getByTestId('return-credit-number').fill('');
  await page.getByTestId('return-confirm').click();
  await expect(page.getByTestId('notice')).toContainText('Возврат без чека оформлен');
  const notice = plain(await page.getByTestId('notice').textContent());
  expect(notice).toContain('16,00');
  const credit = notice.match(/(\d{4} \d{4} \d{4} \d{4})/)![1].replace(/ /g, '');
  expect(credit).not.toBe(issued);
  await expect(page.getByTestId('ticket-line')).toHaveCount(0);
  await expect.poll(() => serverBalance(server.url, token, credit), { timeout: 20_000 }).toBe('16.00');

  // Offline: the issue waits in the gift card outbox, durable, and reaches the server later.
  await server.stop('SIGKILL');
  await tap(page, 'Iced Tea');
  await page.getByTestId('return-no-receipt').click();
  await page.getByTestId('return-reason').fill('Без чека');
  await page.getByTestId('return-as-credit').check();
  await page.getByTestId('return-confirm').click();
  await expect(page.getByTestId('notice')).toContainText('Возврат без чека оформлен');
  const offline = plain(await page.getByTestId('notice').textContent()).match(/(\d{4} \d{4} \d{4} \d{4})/)![1].replace(/ /g, '');
  await page.reload();
  await server.restart();
  await expect.poll(() => serverBalance(server.url, token, offline), { timeout: 30_000 }).toBe('3.00');

  // The drawer gave nothing back: the X report still expects the float.
  await page.getByTestId('nav-shift').click();
  await page.getByTestId('shift-x-report').click();
  const report = page.getByTestId('shift-report');
  const value = async (testid: string) => plain(await report.getByTestId(testid).locator('td').textContent());
  expect(await value('rep-refunded-cash')).toBe('0,00 €');
  expect(await value('rep-refunded-gift-card')).toBe('19,00 €');
  expect(await value('rep-cash-expected')).toBe('100,00 €');

  // The desk's report of today, in Russian on the phone: €5 sold, €19 issued as credit.
  await openDesk(page);
  await page.getByTestId('report-today').click();
  const figures = await reportFigures(page);
  expect(figures.issued).toBe('24,00 €');
  expect(figures.liability).toBe('24,00 €');
  await expect(page.getByTestId('gift-card-desk')).toContainText('Отчёт за период');
  await expectNoSidewaysScroll(page);
  await page.context().close();
});
