// Customers (issue 14) across two devices of a store: a phone in Russian creates one offline, the
// tablet finds them after sync and sells to them, both see the sale in the customer's history and
// stats; duplicates are merged; an erasure removes the person's data on both devices while their
// sale still counts.
import { expect, test } from './fixtures';
import { PHONE, plain, scan, sellCashTicket, switchLanguage, tap } from './cashier';
import { setUpTwoDevices } from './store';
import { createCustomer, findCustomer, openCustomer } from './customers';

test('a customer made offline on a phone in Russian is found on the tablet, buys there, and is erased on both', async ({ browser, server }) => {
  const { owner: tablet, second: phone } = await setUpTwoDevices(browser, server);
  await phone.setViewportSize(PHONE);
  await switchLanguage(phone, 'ru');

  // The server goes away: the phone creates the customer offline.
  await server.stop('SIGKILL');
  await expect(tablet.getByTestId('sync-status')).toHaveText('Offline', { timeout: 20_000 });
  await expect(phone.getByTestId('sync-status')).toHaveText('Нет связи', { timeout: 20_000 });
  await phone.getByTestId('nav-customers').click();
  await phone.getByTestId('customer-new').click();
  await phone.getByTestId('customer-name').fill('Анна Петрова');
  await phone.getByTestId('customer-phone').fill('+7 (912) 345-67-89');
  await phone.getByTestId('customer-email').fill('anna@');
  await phone.getByTestId('customer-save').click();
  // Core's check, in the cashier's language.
  await expect(phone.getByTestId('notice')).toContainText('Это не адрес e-mail');
  await expect(phone.getByTestId('customer-form')).toBeVisible();
  await phone.getByTestId('customer-email').fill('anna@example.org');
  await phone.getByTestId('customer-consent').check();
  await phone.getByTestId('customer-note').fill('Овсяное молоко');
  await phone.getByTestId('customer-save').click();
  await expect(phone.getByTestId('customer-title')).toHaveText('Анна Петрова');
  await expect(phone.getByTestId('customer-consent-shown')).toContainText('с ');
  const card = plain(await phone.getByTestId('customer-card').textContent());
  expect(card).toMatch(/^C-[0-9A-F]{12}$/);

  // Back online, the tablet finds her by the digits of her phone, as a cashier types them.
  await server.restart();
  await expect(tablet.getByTestId('sync-status')).toHaveText('Synced', { timeout: 30_000 });
  await expect(phone.getByTestId('sync-status')).toHaveText('Синхронизировано', { timeout: 30_000 });
  await openCustomer(tablet, '912 345');
  await expect(tablet.getByTestId('customer-title')).toHaveText('Анна Петрова');
  await expect(tablet.getByTestId('customer-email-shown')).toHaveText('anna@example.org');
  await expect(tablet.getByTestId('customer-note-shown')).toHaveText('Овсяное молоко');
  await expect(tablet.getByTestId('stat-visits')).toHaveText('0');

  // The tablet scans her card on the register and sells; the sale names her.
  await tablet.getByTestId('nav-register').click();
  await scan(tablet, card, 5);
  await expect(tablet.getByTestId('ticket-customer-name')).toHaveText('Анна Петрова');
  await expect(tablet.getByTestId('ticket-line')).toHaveCount(0);
  await sellCashTicket(tablet, ['Fries', 'Cola']);
  await expect(tablet.getByTestId('ticket-customer-search')).toBeVisible();
  // And a second sale found by searching on the register itself.
  await tablet.getByTestId('ticket-customer-search').fill('Анна');
  await tablet.getByTestId('ticket-customer-pick').click();
  await expect(tablet.getByTestId('ticket-customer-name')).toHaveText('Анна Петрова');
  // The receipt names her under the cashier.
  await tap(tablet, 'Cola');
  await tablet.getByTestId('pay').click();
  await tablet.getByTestId('quick-cash').first().click();
  await expect(tablet.getByTestId('receipt')).toContainText('Customer: Анна Петрова');
  await tablet.getByTestId('new-sale').click();

  await openCustomer(tablet, 'Анна');
  await expect(tablet.getByTestId('customer-sale')).toHaveCount(2);
  await expect(tablet.getByTestId('stat-visits')).toHaveText('2');
  expect(plain(await tablet.getByTestId('stat-total').textContent())).toBe('€8.50');
  expect(plain(await tablet.getByTestId('stat-average').textContent())).toBe('€4.25');
  expect(plain(await tablet.getByTestId('stat-lifetime').textContent())).toBe('€8.50');

  // The phone sees the tablet's sales in her history too.
  await phone.getByTestId('customer-back').click();
  await openCustomer(phone, 'Анна');
  await expect(phone.getByTestId('customer-sale')).toHaveCount(2, { timeout: 30_000 });
  await expect(phone.getByTestId('stat-visits')).toHaveText('2');

  // Her data is exported as a file on request.
  const download = tablet.waitForEvent('download');
  await tablet.getByTestId('customer-export').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^customer-.*\.json$/);
  const exported = JSON.parse(await streamText(await file.createReadStream()));
  expect(exported.customer[0].name).toBe('Анна Петрова');
  expect(exported.purchases).toHaveLength(2);

  // She asks to be forgotten: erased on the tablet, after a confirmation.
  await tablet.getByTestId('customer-erase').click();
  await expect(tablet.getByTestId('erase-dialog')).toBeVisible();
  await tablet.getByTestId('erase-confirm').click();
  await expect(tablet.getByTestId('customer-title')).toHaveText('Erased customer');
  await expect(tablet.getByTestId('customer-phone-shown')).toHaveText('');
  await expect(tablet.getByTestId('customer-email-shown')).toHaveText('');
  await expect(tablet.getByTestId('customer-note-shown')).toHaveText('');
  // Her sales still count, under her id alone.
  await expect(tablet.getByTestId('stat-visits')).toHaveText('2');
  await findCustomer(tablet, 'Анна');
  await expect(tablet.getByTestId('customer-row')).toHaveCount(0);
  // Her receipt, shown again from the sales list, no longer names her.
  await tablet.getByTestId('nav-sales').click();
  await tablet.getByTestId('sale-row').first().click();
  await expect(tablet.getByTestId('receipt')).toContainText('Cola');
  await expect(tablet.getByTestId('receipt')).not.toContainText('Анна');
  await expect(tablet.getByTestId('receipt')).not.toContainText('Customer:');

  // On the phone too, once synced: her page, open there, shows nothing of her.
  await expect(phone.getByTestId('customer-title')).toHaveText('Удалённый клиент', { timeout: 30_000 });
  await expect(phone.getByTestId('customer-phone-shown')).toHaveText('');
  await expect(phone.getByTestId('customer-email-shown')).toHaveText('');
  await expect(phone.getByTestId('stat-visits')).toHaveText('2');
  for (const query of ['Анна', '912 345', 'anna@']) {
    await findCustomer(phone, query);
    await expect(phone.getByTestId('customer-row')).toHaveCount(0);
  }
  // And it stays so after a reload, from what the phone keeps.
  await phone.reload();
  await findCustomer(phone, '912 345');
  await expect(phone.getByTestId('customer-list')).toBeAttached();
  await phone.waitForTimeout(500);
  await expect(phone.getByTestId('customer-row')).toHaveCount(0);
  await tablet.context().close();
  await phone.context().close();
});

test('two entries of one person are merged: one customer, with both entries\u2019 details and sales', async ({ browser, server }) => {
  const { owner: tablet, second: phone } = await setUpTwoDevices(browser, server);
  await createCustomer(tablet, { name: 'Boris Kuznetsov', phone: '030 1234567', note: 'window seat' });
  await tablet.getByTestId('customer-attach').click();
  await sellCashTicket(tablet, ['Cola']);
  await createCustomer(phone, { name: 'Boris K', email: 'boris@example.de', consent: true, note: 'oat milk' });
  await phone.getByTestId('customer-attach').click();
  await sellCashTicket(phone, ['Fries']);
  await findCustomer(tablet, 'Boris');
  await expect(tablet.getByTestId('customer-row')).toHaveCount(2, { timeout: 30_000 });

  // On the tablet: the phone's entry merges into the tablet's.
  await openCustomer(tablet, 'Kuznetsov');
  await tablet.getByTestId('customer-merge').click();
  await tablet.getByTestId('merge-search').fill('boris@');
  await tablet.getByTestId('merge-pick').click();
  await expect(tablet.getByTestId('customer-email-shown')).toHaveText('boris@example.de');
  await expect(tablet.getByTestId('customer-phone-shown')).toHaveText('030 1234567');
  await expect(tablet.getByTestId('customer-note-shown')).toContainText('window seat');
  await expect(tablet.getByTestId('customer-note-shown')).toContainText('oat milk');
  await expect(tablet.getByTestId('stat-visits')).toHaveText('2', { timeout: 30_000 });

  // The phone lists one Boris, with the details of both.
  await findCustomer(phone, 'Boris');
  await expect(phone.getByTestId('customer-row')).toHaveCount(1, { timeout: 30_000 });
  await phone.getByTestId('customer-row').click();
  await expect(phone.getByTestId('customer-title')).toHaveText('Boris Kuznetsov');
  await expect(phone.getByTestId('customer-email-shown')).toHaveText('boris@example.de');
  await expect(phone.getByTestId('stat-visits')).toHaveText('2', { timeout: 30_000 });
  await tablet.context().close();
  await phone.context().close();
});

async function streamText(stream: NodeJS.ReadableStream) {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
