// The store's gift cards at the till (issue 14): a card sold for €25 in cash on one ticket, €10
// of it redeemed on another ticket split with cash, a redemption above the balance refused by the
// server, and one taken offline (the server killed) within the allowance, posted once the server
// is back; then that sale refunded, its gift card part put back onto the card. Balances are read
// from the server's own API with the device's token.
import { expect, test } from './fixtures';
import { plain, scan, tap } from './cashier';
import { deviceToken, payByGiftCard, redeem, restInCash, sellNewCard, serverBalance } from './gift-cards';
import { createStore } from './settings';
import { commitsFail, device, openRefund, setUpTwoDevices } from './store';

test('a gift card sold for €25, €10 of it spent split with cash, too much refused, €5 spent offline and posted later, then refunded onto the card', async ({ browser, server }) => {
  test.setTimeout(120_000);
  const page = await device(browser, server.setupLink());
  await createStore(page, 'Gift Shop');
  const token = await deviceToken(page);

  // A block of two €5 cards from a scanned number: one line of two, the numbers in sequence.
  await page.getByTestId('sell-gift-card').click();
  await scan(page, '6012000000000011', 5);
  await expect(page.getByTestId('gift-card-number')).toHaveValue('6012 0000 0000 0011');
  await page.getByTestId('gift-card-value').fill('5');
  await page.getByTestId('gift-card-count').fill('2');
  await page.getByTestId('gift-card-add').click();
  await expect(page.getByTestId('ticket-line')).toHaveText(/Gift cards •••• 0011 – •••• 0029/);
  expect(plain(await page.getByTestId('ticket-total').first().textContent())).toBe('€10.00');
  await page.getByTestId('pay').click();
  await page.getByTestId('quick-cash').first().click();
  await expect(page.getByTestId('completed')).toBeVisible();
  await page.getByTestId('new-sale').click();
  await expect.poll(() => serverBalance(server.url, token, '6012000000000029'), { timeout: 20_000 }).toBe('5.00');
  expect(await serverBalance(server.url, token, '6012000000000011')).toBe('5.00');

  // Sold on a ticket of its own, with a new number, for €25 in cash: a line with no tax.
  const card = await sellNewCard(page, '25');
  // The sale's activation reaches the server from the gift card outbox.
  await expect.poll(() => serverBalance(server.url, token, card), { timeout: 20_000 }).toBe('25.00');

  // €10 of a €11 ticket from the card, the rest in cash; the pay dialog shows the balance first.
  await tap(page, 'Chicken Wrap');
  await tap(page, 'Iced Tea');
  await payByGiftCard(page, card, true);
  await page.getByTestId('gift-card-check').click();
  await expect(page.getByTestId('gift-card-balance')).toHaveText('Balance €25.00');
  // The amount offered is the smaller of what is left and the balance.
  await expect(page.getByTestId('gift-card-amount')).toHaveValue('11.00');
  await redeem(page, '10');
  await expect(page.getByTestId('tender')).toHaveText([`Gift card •••• ${card.slice(-4)}: €10.00`]);
  expect(plain(await page.getByTestId('remaining').textContent())).toBe('€1.00');
  await restInCash(page);
  expect(await serverBalance(server.url, token, card)).toBe('15.00');

  // More than the balance: the server refuses, nothing is taken, the cashier reads why.
  for (let i = 0; i < 3; i++) await tap(page, 'Chicken Wrap');
  await payByGiftCard(page, card);
  await redeem(page, '20');
  await expect(page.getByTestId('notice')).toContainText('The gift card holds only €15.00');
  await expect(page.getByTestId('tender')).toHaveCount(0);
  expect(await serverBalance(server.url, token, card)).toBe('15.00');

  // Offline: the server is gone. The register allows up to what it last heard (€15), not more.
  await server.stop('SIGKILL');
  await redeem(page, '16');
  await expect(page.getByTestId('notice')).toContainText('Offline, at most €15.00');
  await expect(page.getByTestId('tender')).toHaveCount(0);
  await redeem(page, '5');
  await expect(page.getByTestId('tender')).toHaveText([`Gift card •••• ${card.slice(-4)}: €5.00 (offline, to be sent)`]);
  await restInCash(page);

  // The server back: the offline redemption is posted from the outbox and counted once.
  await server.restart();
  await expect.poll(() => serverBalance(server.url, token, card), { timeout: 30_000 }).toBe('10.00');
  const history = await (
    await fetch(`${server.url}/api/gift-cards/${card}`, { headers: { Authorization: `Bearer ${token}` } })
  ).json();
  const kinds = (history.history as { kind: string; offline?: boolean }[]).map((op) => `${op.kind}${op.offline ? ' offline' : ''}`);
  expect(kinds).toEqual(['issue', 'redeem', 'redeem offline']);
  expect(history.in_conflict).toBe(false);

  // The last sale refunded: its €5 goes back onto the card, its €19 from the drawer.
  await openRefund(page);
  const dialog = page.getByTestId('refund-dialog');
  expect(plain(await dialog.getByTestId('refund-gift-card').textContent())).toBe('€5.00');
  expect(plain(await dialog.getByTestId('refund-cash').textContent())).toBe('€19.00');
  await page.getByTestId('refund-reason').fill('Changed mind');
  await page.getByTestId('refund-confirm').click();
  await expect(page.getByTestId('refund-done')).toBeVisible();
  await expect.poll(() => serverBalance(server.url, token, card), { timeout: 20_000 }).toBe('15.00');
});

test('a redemption whose answer was lost is sent again after a reload and counted once; it stays with the payment when the sale cannot be saved', async ({ browser, server }) => {
  test.setTimeout(90_000);
  const page = await device(browser, server.setupLink());
  await createStore(page, 'Gift Shop');
  const token = await deviceToken(page);
  const card = await sellNewCard(page, '20');
  await expect.poll(() => serverBalance(server.url, token, card), { timeout: 20_000 }).toBe('20.00');

  // The server records the redemption, and its answer never reaches the page.
  let answered = false;
  await page.route('**/api/gift-cards/ops', async (route) => {
    if (answered || route.request().method() !== 'POST') return route.continue();
    answered = true;
    await route.fetch();
    await new Promise(() => {});
  });
  await tap(page, 'Chicken Wrap');
  await payByGiftCard(page, card);
  await redeem(page, '5');
  await expect.poll(() => serverBalance(server.url, token, card)).toBe('15.00');
  await expect(page.getByTestId('tender')).toHaveCount(0);
  // Reloaded, the register sends the same redemption again: the server answers it once, and the
  // tender is added.
  await page.reload();
  const tender = `Gift card •••• ${card.slice(-4)}: €5.00`;
  await expect(page.getByTestId('tender')).toHaveText([tender]);
  expect(await serverBalance(server.url, token, card)).toBe('15.00');

  // The disk refuses the sale: the ticket stays paid but not saved.
  await commitsFail(page, true);
  await page.getByTestId('method-cash').click();
  await page.getByTestId('quick-cash').first().click();
  await expect(page.getByTestId('retry-save')).toBeVisible();
  await expect(page.getByTestId('completed')).toHaveCount(0);

  // After a reload the payment still holds the gift card's €5; the rest is paid again in cash.
  await page.reload();
  await expect(page.getByTestId('pay-dialog')).toBeVisible();
  await expect(page.getByTestId('tender')).toHaveText([tender]);
  expect(plain(await page.getByTestId('remaining').textContent())).toBe('€3.00');
  await restInCash(page);
  // Taken off the card once.
  expect(await serverBalance(server.url, token, card)).toBe('15.00');
});

test('two registers offline spend one card past its balance: after sync the desk shows the overdraft with both redemptions; a deactivated card is refused until reactivated', async ({ browser, server }) => {
  test.setTimeout(180_000);
  const { owner, second } = await setUpTwoDevices(browser, server);
  const card = await sellNewCard(owner, '20');
  const token = await deviceToken(owner);
  await expect.poll(() => serverBalance(server.url, token, card), { timeout: 20_000 }).toBe('20.00');
  // Each register asks once online, so it knows the balance when the server is gone.
  for (const page of [owner, second]) {
    await tap(page, 'Chicken Wrap');
    await tap(page, 'Chicken Wrap');
    await payByGiftCard(page, card);
    await page.getByTestId('gift-card-check').click();
    await expect(page.getByTestId('gift-card-balance')).toHaveText('Balance €20.00');
  }

  // Offline, each takes €15 of the €20: each within what it knew, together €10 too much.
  await server.stop('SIGKILL');
  for (const page of [owner, second]) {
    await redeem(page, '15');
    await expect(page.getByTestId('tender')).toHaveText([`Gift card •••• ${card.slice(-4)}: €15.00 (offline, to be sent)`]);
    await restInCash(page);
  }
  await server.restart();
  await expect.poll(() => serverBalance(server.url, token, card), { timeout: 30_000 }).toBe('-10.00');

  // The desk, reached from Sales: the card with both offline redemptions, flagged; the ledger
  // with the overdraft to settle.
  await owner.getByTestId('nav-sales').click();
  await owner.getByTestId('open-gift-cards').click();
  await owner.getByTestId('desk-number').fill(card);
  await owner.getByTestId('desk-look-up').click();
  const shown = owner.getByTestId('desk-card');
  await expect(shown).toHaveAttribute('data-conflict', 'true');
  expect(plain(await shown.getByTestId('desk-balance').textContent())).toBe('-€10.00');
  await expect(shown.getByTestId('desk-in-conflict')).toBeVisible();
  await expect(shown.locator('[data-testid="desk-op"][data-kind="redeem"][data-offline="true"]')).toHaveCount(2);
  await expect(shown.locator('[data-testid="desk-op"][data-kind="issue"]')).toHaveCount(1);
  await owner.getByTestId('desk-ledger-load').click();
  expect(plain(await owner.getByTestId('desk-overdrawn').textContent())).toBe('€10.00');
  await expect(owner.getByTestId('desk-conflict')).toHaveCount(1);
  await expect(owner.getByTestId('desk-conflict').getByTestId('desk-op')).toHaveCount(2);

  // A lost card: deactivated here, it is refused on the other register; reactivated, it pays.
  await owner.getByTestId('desk-deactivate').click();
  await expect(shown.getByTestId('desk-state')).toHaveText('Deactivated');
  await expect(shown.locator('[data-testid="desk-op"][data-kind="deactivate"]')).toHaveCount(1);
  await tap(second, 'Chicken Wrap');
  await payByGiftCard(second, card);
  await redeem(second, '1');
  await expect(second.getByTestId('notice')).toContainText('deactivated');
  await expect(second.getByTestId('tender')).toHaveCount(0);
  await owner.getByTestId('desk-reactivate').click();
  await expect(shown.getByTestId('desk-state')).toHaveText('Active');
  await owner.context().close();
  await second.context().close();
});
