// The store's gift cards at the till (issue 14): a card sold for €25 in cash on one ticket, €10
// of it redeemed on another ticket split with cash, a redemption above the balance refused by the
// server, and one taken offline (the server killed) within the allowance, posted once the server
// is back; then that sale refunded, its gift card part put back onto the card. Balances are read
// from the server's own API with the device's token. Then the operations around them: a forced
// redemption with an authorisation code that a cashier needs a manager for, the printed balance
// slip, the refund of a sale that sold a card, and a block of ten cards in Russian on a phone.
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { PHONE, plain, scan, switchLanguage, tap } from './cashier';
import { COMPOSITE_PRINTER, emupos, fakeUsbPrinter, type FakePrinter } from './fake-devices';
import { deviceToken, payByGiftCard, redeem, restInCash, sellNewCard, serverBalance } from './gift-cards';
import { OWNER_PIN, addMember, addUsbPrinter, createStore, pin } from './settings';
import { commitsFail, device, openRefund, setUpTwoDevices } from './store';

const MANAGER_PIN = '1357';
const CASHIER_PIN = '97531';

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

/** The slips printed since `from` bytes that carry `heading`, as emupos decodes them. */
function slips(printer: FakePrinter, heading: string, from = 0): string[] {
  return emupos(printer.bytes(3).subarray(from)).receipts.map((r) => r.text).filter((t) => t.includes(heading));
}

/** A fake USB receipt printer on `page`, set up in Settings by the owner (the page reloads to
 * install it, and the owner signs in again once the store has staff). */
async function withPrinter(page: Page, ownerSignsIn: boolean): Promise<FakePrinter> {
  const printer = await fakeUsbPrinter(page, { interfaces: COMPOSITE_PRINTER });
  await page.reload();
  if (ownerSignsIn) await pin(page, 'lock-screen', 'Owner', OWNER_PIN);
  await page.getByTestId('nav-settings').click();
  await addUsbPrinter(page);
  await page.getByTestId('nav-register').click();
  return printer;
}

/** The desk, from Sales, with `card` looked up. */
async function lookUp(page: Page, card: string) {
  await page.getByTestId('nav-sales').click();
  await page.getByTestId('open-gift-cards').click();
  await page.getByTestId('desk-number').fill(card);
  await page.getByTestId('desk-look-up').click();
  await expect(page.getByTestId('desk-card')).toBeVisible();
}

/** The card numbers of a block starting at `first`: the next bodies, each with its Luhn digit. */
function block(first: string, n: number): string[] {
  const luhn = (body: string) => {
    let sum = 0;
    [...body].reverse().forEach((c, i) => {
      let d = Number(c) * (i % 2 === 0 ? 2 : 1);
      if (d > 9) d -= 9;
      sum += d;
    });
    return String((10 - (sum % 10)) % 10);
  };
  const start = BigInt(first.slice(0, 15));
  return Array.from({ length: n }, (_, k) => {
    const body = String(start + BigInt(k));
    return body + luhn(body);
  });
}

test('a cashier spends a card past the offline allowance only with a manager and an authorisation code; the desk shows the code, who and when; the balance slip prints', async ({ browser, server }) => {
  test.setTimeout(180_000);
  const page = await device(browser, server.setupLink());
  await createStore(page, 'Gift Shop');
  const token = await deviceToken(page);
  await page.getByTestId('nav-settings').click();
  await addMember(page, 'Maria', 'manager', MANAGER_PIN);
  await addMember(page, 'Ivan', 'cashier', CASHIER_PIN);
  const printer = await withPrinter(page, true);
  await page.getByTestId('switch-staff').click();
  await pin(page, 'lock-screen', 'Ivan', CASHIER_PIN);
  await expect(page.getByTestId('staff-current')).toHaveText('Ivan');

  // A cashier sells cards without asking anyone.
  const card = await sellNewCard(page, '20');
  await expect(page.getByTestId('approval')).toHaveCount(0);
  await expect.poll(() => serverBalance(server.url, token, card), { timeout: 20_000 }).toBe('20.00');

  // The balance asked in the pay dialog, printed for the customer: the card by its last four
  // digits only.
  for (let i = 0; i < 4; i++) await tap(page, 'Chicken Wrap');
  await payByGiftCard(page, card);
  await page.getByTestId('gift-card-check').click();
  await expect(page.getByTestId('gift-card-balance')).toHaveText('Balance €20.00');
  await page.getByTestId('gift-card-print-balance').click();
  await expect.poll(() => slips(printer, 'GIFT CARD BALANCE').length, { timeout: 10_000 }).toBe(1);
  const slip = slips(printer, 'GIFT CARD BALANCE')[0];
  expect(slip).toContain('Gift Shop');
  expect(slip).toMatch(new RegExp(`Card\\s+\\*\\*\\*\\* ${card.slice(-4)}`));
  expect(slip).toMatch(/Balance\s+.*20\.00/);
  expect(slip).toMatch(/Status\s+Active/);
  expect(slip).not.toContain(card.slice(0, 12));

  // The server gone: €25 is more than the register may take offline (what it last heard, €20).
  await server.stop('SIGKILL');
  await redeem(page, '25');
  await expect(page.getByTestId('notice')).toContainText('Offline, at most €20.00');
  await expect(page.getByTestId('tender')).toHaveCount(0);
  // The card desk gives an authorisation code by phone. Ivan may not force it: a manager's PIN.
  await page.getByTestId('gift-card-force').click();
  await expect(page.getByTestId('approval-what')).toHaveText('Issue or redeem gift cards with an authorisation code');
  await expect(page.getByTestId('approval').getByTestId('staff-pick')).toHaveText(['Owner', 'Maria']);
  await pin(page, 'approval', 'Maria', MANAGER_PIN);
  await expect(page.getByTestId('gift-card-forced')).toBeVisible();
  // Without the code nothing is taken.
  await page.getByTestId('gift-card-amount').fill('25');
  await page.getByTestId('gift-card-auth-reason').fill('Server down, card desk called');
  await page.getByTestId('gift-card-force-take').click();
  await expect(page.getByTestId('notice')).toContainText('Type the authorisation code');
  await expect(page.getByTestId('tender')).toHaveCount(0);
  await page.getByTestId('gift-card-auth-code').fill('AX4411');
  await page.getByTestId('gift-card-force-take').click();
  await expect(page.getByTestId('tender')).toHaveText([`Gift card •••• ${card.slice(-4)}: €25.00 (offline, to be sent)`]);
  await restInCash(page);

  // Back online, the forced redemption reaches the server from the outbox: €5 below zero,
  // authorised, so no conflict.
  await server.restart();
  await expect.poll(() => serverBalance(server.url, token, card), { timeout: 30_000 }).toBe('-5.00');
  await lookUp(page, card);
  const shown = page.getByTestId('desk-card');
  await expect(shown).toHaveAttribute('data-conflict', 'false');
  const forced = shown.locator('[data-testid="desk-op"][data-kind="forced_redeem"]');
  await expect(forced).toHaveCount(1);
  await expect(forced).toHaveAttribute('data-offline', 'true');
  await expect(forced.getByTestId('desk-op-auth')).toHaveText('authorisation AX4411: Server down, card desk called');
  await expect(forced.getByTestId('desk-op-by')).toHaveText('by Maria');
  await expect(forced.locator('.time')).not.toBeEmpty();
  expect(plain(await forced.getByTestId('desk-op-amount').textContent())).toBe('€25.00');
  await expect(shown.locator('[data-testid="desk-op"][data-kind="issue"]').getByTestId('desk-op-by')).toHaveText('by Ivan');

  // A forced issue at the desk, again only with a manager: €5 put on the card, with its code.
  await page.getByTestId('desk-force').click();
  await pin(page, 'approval', 'Maria', MANAGER_PIN);
  await page.getByTestId('desk-force-amount').fill('5');
  await page.getByTestId('desk-auth-code').fill('IS-2201');
  await page.getByTestId('desk-auth-reason').fill('Goodwill for the outage');
  await page.getByTestId('desk-force-send').click();
  const issued = shown.locator('[data-testid="desk-op"][data-kind="forced_issue"]');
  await expect(issued.getByTestId('desk-op-auth')).toHaveText('authorisation IS-2201: Goodwill for the outage');
  await expect(issued.getByTestId('desk-op-by')).toHaveText('by Maria');
  expect(plain(await shown.getByTestId('desk-balance').textContent())).toBe('€0.00');
  await page.context().close();
});

test('a refunded sale of a gift card takes the card back only while it holds its whole value, and only online', async ({ browser, server }) => {
  test.setTimeout(180_000);
  const page = await device(browser, server.setupLink());
  await createStore(page, 'Gift Shop');
  const token = await deviceToken(page);

  // Unspent: the refund takes the €25 off the card and stops it, and the €25 go back in cash.
  const whole = await sellNewCard(page, '25');
  await expect.poll(() => serverBalance(server.url, token, whole), { timeout: 20_000 }).toBe('25.00');
  await openRefund(page);
  await page.getByTestId('refund-reason').fill('Bought by mistake');
  await page.getByTestId('refund-confirm').click();
  await expect(page.getByTestId('refund-done')).toBeVisible();
  expect(plain(await page.getByTestId('refund-hand-back').textContent())).toBe('Hand back €25.00 in cash.');
  await page.getByTestId('refund-close').click();
  expect(await serverBalance(server.url, token, whole)).toBe('0.00');
  await lookUp(page, whole);
  await expect(page.getByTestId('desk-state')).toHaveText('Deactivated');
  await expect(page.locator('[data-testid="desk-op"][data-kind="sale_refunded"]')).toHaveCount(1);
  // It cannot be spent after.
  await page.getByTestId('nav-register').click();
  await tap(page, 'Iced Tea');
  await payByGiftCard(page, whole);
  await redeem(page, '1');
  await expect(page.getByTestId('notice')).toContainText('deactivated');
  await page.getByTestId('cancel-payment').click();
  await page.getByTestId('clear-ticket').click();

  // Spent in part: its sale is not refunded, nothing goes back, the card keeps its €10.
  const spent = await sellNewCard(page, '15');
  await expect.poll(() => serverBalance(server.url, token, spent), { timeout: 20_000 }).toBe('15.00');
  await tap(page, 'Iced Tea');
  await tap(page, 'Iced Tea');
  await payByGiftCard(page, spent);
  await redeem(page, '5');
  await restInCash(page);
  await page.getByTestId('nav-sales').click();
  await page.getByTestId('refund-sale').nth(1).click();
  await page.getByTestId('refund-reason').fill('Wants the money');
  await page.getByTestId('refund-confirm').click();
  await expect(page.getByTestId('notice')).toContainText(`Gift card •••• ${spent.slice(-4)} holds €10.00, not the €15.00 it was sold with`);
  await expect(page.getByTestId('refund-done')).toHaveCount(0);
  expect(await serverBalance(server.url, token, spent)).toBe('10.00');
  await page.getByTestId('refund-cancel').click();
  await page.getByTestId('nav-register').click();

  // Offline the register cannot know whether a card was spent: refused, and nothing is lost.
  const later = await sellNewCard(page, '30');
  await expect.poll(() => serverBalance(server.url, token, later), { timeout: 20_000 }).toBe('30.00');
  await server.stop('SIGKILL');
  await openRefund(page);
  await page.getByTestId('refund-reason').fill('Bought by mistake');
  await page.getByTestId('refund-confirm').click();
  await expect(page.getByTestId('notice')).toContainText('Refunding a gift card needs the server');
  await expect(page.getByTestId('refund-done')).toHaveCount(0);
  await server.restart();
  await page.getByTestId('refund-confirm').click();
  await expect(page.getByTestId('refund-done')).toBeVisible({ timeout: 20_000 });
  expect(await serverBalance(server.url, token, later)).toBe('0.00');
  await page.context().close();
});

test('in Russian on a phone: a block of ten cards sold on one ticket, each looked up at the desk with its value, and the balance slip printed in Russian', async ({ browser, server }) => {
  test.setTimeout(180_000);
  const page = await device(browser, server.setupLink());
  await page.setViewportSize(PHONE);
  await createStore(page, 'Gift Shop');
  const token = await deviceToken(page);
  const printer = await withPrinter(page, false);
  // Receipts, and so the slip, in Russian.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('receipt-language').selectOption('ru');
  await page.getByTestId('save-receipt-settings').click();
  await expect(page.getByTestId('notice')).toContainText('Receipt settings saved.');
  await switchLanguage(page, 'ru');

  await page.getByTestId('sell-gift-card').click();
  await page.getByTestId('gift-card-generate').click();
  const first = (await page.getByTestId('gift-card-number').inputValue()).replace(/\s/g, '');
  const cards = block(first, 10);
  await page.getByTestId('gift-card-value').fill('5');
  await page.getByTestId('gift-card-count').fill('10');
  await page.getByTestId('gift-card-add').click();
  await expect(page.getByTestId('ticket-line')).toHaveText(
    new RegExp(`Подарочные карты •••• ${cards[0].slice(-4)} – •••• ${cards[9].slice(-4)}`),
  );
  expect(plain(await page.getByTestId('ticket-total').first().textContent())).toMatch(/^50,00\s?€$/);
  await page.getByTestId('pay').click();
  await page.getByTestId('quick-cash').first().click();
  await expect(page.getByTestId('completed')).toBeVisible();
  await page.getByTestId('new-sale').click();
  await expect.poll(() => serverBalance(server.url, token, cards[9]), { timeout: 20_000 }).toBe('5.00');

  // Each card of the block at the desk, active with its €5.
  await page.getByTestId('nav-sales').click();
  await page.getByTestId('open-gift-cards').click();
  for (const card of cards) {
    await page.getByTestId('desk-number').fill(card);
    await page.getByTestId('desk-look-up').click();
    const shown = page.getByTestId('desk-card');
    await expect(shown.locator('.desk-title')).toHaveText(`Подарочная карта •••• ${card.slice(-4)}`);
    expect(plain(await shown.getByTestId('desk-balance').textContent())).toMatch(/^5,00\s?€$/);
    await expect(shown.getByTestId('desk-state')).toHaveText('Активна');
    await expect(shown.locator('[data-testid="desk-op"][data-kind="issue"]')).toHaveCount(1);
  }
  // Nothing on the phone scrolls sideways.
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);

  // The last card's balance on paper, in Russian.
  await page.getByTestId('desk-print').click();
  await expect.poll(() => slips(printer, 'БАЛАНС ПОДАРОЧНОЙ КАРТЫ').length, { timeout: 10_000 }).toBe(1);
  const slip = slips(printer, 'БАЛАНС ПОДАРОЧНОЙ КАРТЫ')[0];
  expect(slip).toMatch(new RegExp(`Карта\\s+\\*\\*\\*\\* ${cards[9].slice(-4)}`));
  expect(slip).toMatch(/Баланс\s+5,00/);
  expect(slip).toMatch(/Статус\s+Активна/);
  await page.context().close();
});
