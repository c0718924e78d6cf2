// Erasing a customer removes their personal data from the history too (issue 14,
// crypto-shredding): a customer made offline on a phone reaches the tablet with its key (through
// the key outbox), is erased on the tablet, and then neither device shows them, neither holds
// their key, the server lists them erased, and no change of the customers document's whole
// history, as either device and the server store it, holds their name, phone or e-mail in
// readable form. The history is decoded change by change with @automerge/automerge: Automerge
// deflates large columns, so a byte search of the stored chunks would prove nothing. And a
// device that holds a customer's record but not yet the key shows it as not yet synced.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as Automerge from '@automerge/automerge';
import { expect, test } from './fixtures';
import { PHONE } from './cashier';
import { deviceToken } from './gift-cards';
import { setUpTwoDevices } from './store';
import { createCustomer, findCustomer, openCustomer } from './customers';
import type { Page } from '@playwright/test';

const NAME = 'Yevgenia Zhivago-Lara';
const PHONE_NUMBER = '+7 (903) 555-19-47';
const EMAIL = 'zhivago.lara@example.org';
/** How each could appear in a value: as typed, and the phone's digits. */
const PERSONAL = [NAME, 'Zhivago', PHONE_NUMBER, '555-19-47', '9035551947', EMAIL, 'zhivago.lara'];

/** The stored chunks (snapshots and incremental changes) of every document the device keeps. */
async function deviceChunks(page: Page): Promise<Map<string, Uint8Array[]>> {
  const records = await page.evaluate(
    () =>
      new Promise<{ key: string; bytes: number[] }[]>((resolve, reject) => {
        const open = indexedDB.open('register');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('docs').objectStore('docs').getAll();
          all.onerror = () => reject(all.error);
          all.onsuccess = () =>
            resolve(
              (all.result as { key: string; bytes: ArrayLike<number> }[]).map((r) => ({
                key: r.key,
                bytes: Array.from(r.bytes),
              })),
            );
        };
      }),
  );
  const docs = new Map<string, Uint8Array[]>();
  for (const { key, bytes } of records) {
    const [doc, kind] = key.split('/');
    if (kind !== 's' && kind !== 'i') continue; // `y`: sync states, no document data
    docs.set(doc, [...(docs.get(doc) ?? []), Uint8Array.from(bytes)]);
  }
  return docs;
}

/** The server's stored chunks of every document, from its SQLite database. */
function serverChunks(dataDir: string): Map<string, Uint8Array[]> {
  const out = execFileSync('sqlite3', [
    join(dataDir, 'pos.sqlite3'),
    "SELECT document || ' ' || hex(data) FROM chunks WHERE kind IN ('snapshot', 'incremental')",
  ]).toString();
  const docs = new Map<string, Uint8Array[]>();
  for (const line of out.split('\n').filter(Boolean)) {
    const [doc, hex] = line.split(' ');
    docs.set(doc, [...(docs.get(doc) ?? []), Uint8Array.from(Buffer.from(hex, 'hex'))]);
  }
  return docs;
}

/** Every value any op of any change of the store's customers document ever put. */
function customersHistory(docs: Map<string, Uint8Array[]>): unknown[] {
  const values: unknown[] = [];
  let found = 0;
  for (const chunks of docs.values()) {
    let doc = Automerge.init<Record<string, unknown>>();
    for (const chunk of chunks) doc = Automerge.loadIncremental(doc, chunk);
    // A scalar string reads as an ImmutableString object.
    if (String(doc.kind) !== 'customers') continue;
    found += 1;
    for (const change of Automerge.getAllChanges(doc)) {
      for (const op of Automerge.decodeChange(change).ops) {
        if ('value' in op) values.push(op.value);
      }
    }
  }
  expect(found, 'the customers document is stored').toBe(1);
  return values;
}

/** A bytes value as the decoder gives it (an array of numbers), or undefined for another value. */
function bytesOf(value: unknown): Buffer | undefined {
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (Array.isArray(value) && value.every((b) => typeof b === 'number')) return Buffer.from(value as number[]);
  return undefined;
}

function expectNothingReadable(values: unknown[], where: string) {
  // The customer's fields were written: sealed values are there to be checked.
  const sealed = values.filter((v) => bytesOf(v) !== undefined);
  expect(sealed.length, `${where}: sealed values in the history`).toBeGreaterThanOrEqual(3);
  for (const value of values) {
    const bytes = bytesOf(value);
    const readable = bytes ? bytes.toString('utf8') : typeof value === 'string' ? value : JSON.stringify(value);
    for (const text of PERSONAL) {
      expect(readable.includes(text), `${where}: ${JSON.stringify(text)} in ${JSON.stringify(readable)}`).toBe(false);
    }
  }
}

/** The customers' keys the device keeps (IndexedDB `kv`, `customerkey:<id>`). */
async function keptKeys(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('register');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const range = IDBKeyRange.bound('customerkey:', 'customerkey:\uffff');
          const keys = open.result.transaction('kv').objectStore('kv').getAllKeys(range);
          keys.onerror = () => reject(keys.error);
          keys.onsuccess = () => resolve((keys.result as string[]).map((k) => k.slice('customerkey:'.length)));
        };
      }),
  );
}

/** The device's own copy of a customer (IndexedDB `kv`, `customer:<id>`), as stored text. */
async function keptCopy(page: Page, id: string): Promise<string> {
  return page.evaluate(
    (key) =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('register');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('kv').objectStore('kv').get(key);
          get.onerror = () => reject(get.error);
          get.onsuccess = () => resolve((get.result as string | undefined) ?? '');
        };
      }),
    `customer:${id}`,
  );
}

test('a customer made offline on a phone is found on the tablet, and once erased there is nowhere, history included', async ({ browser, server }) => {
  test.setTimeout(150_000);
  const { owner: tablet, second: phone } = await setUpTwoDevices(browser, server);
  await phone.setViewportSize(PHONE);

  // Offline, the phone makes the customer: their key waits in its outbox with them.
  await server.stop('SIGKILL');
  await expect(phone.getByTestId('sync-status')).toHaveText('Offline', { timeout: 20_000 });
  await createCustomer(phone, { name: NAME, phone: PHONE_NUMBER, email: EMAIL, note: 'jasmine tea' });
  const [id] = await keptKeys(phone);
  expect(id).toMatch(/^[0-9a-f-]{36}$/);

  // Back online, the tablet finds them, key and all.
  await server.restart();
  await openCustomer(tablet, 'Zhivago');
  await expect(tablet.getByTestId('customer-title')).toHaveText(NAME);
  await expect(tablet.getByTestId('customer-phone-shown')).toHaveText(PHONE_NUMBER);
  await expect(tablet.getByTestId('customer-email-shown')).toHaveText(EMAIL);
  expect(await keptKeys(tablet)).toContain(id);

  // The tablet erases them.
  await tablet.getByTestId('customer-erase').click();
  await tablet.getByTestId('erase-confirm').click();
  await expect(tablet.getByTestId('customer-title')).toHaveText('Erased customer');
  await findCustomer(tablet, 'Zhivago');
  await expect(tablet.getByTestId('customer-row')).toHaveCount(0);

  // The phone, whose page of them is open, learns it; neither device keeps their key, and the
  // server lists them erased, their key gone.
  await expect(phone.getByTestId('customer-title')).toHaveText('Erased customer', { timeout: 30_000 });
  for (const query of ['Zhivago', '903 555', 'zhivago.lara@']) {
    await findCustomer(phone, query);
    await expect(phone.getByTestId('customer-row')).toHaveCount(0);
  }
  await expect.poll(() => keptKeys(phone), { timeout: 30_000 }).not.toContain(id);
  expect(await keptKeys(tablet)).not.toContain(id);
  for (const device of [phone, tablet]) {
    const copy = await keptCopy(device, id);
    for (const text of PERSONAL) expect(copy).not.toContain(text);
  }
  const token = await deviceToken(tablet);
  await expect
    .poll(async () => {
      const res = await fetch(`${server.url}/api/customers/keys`, { headers: { Authorization: `Bearer ${token}` } });
      const held = await res.json();
      return { erased: held.erased.includes(id), key: held.keys.some((k: { customer: string }) => k.customer === id) };
    })
    .toEqual({ erased: true, key: false });

  // The whole history, as each device and the server keep it, holds their data sealed only.
  await expect(tablet.getByTestId('sync-status')).toHaveText('Synced', { timeout: 30_000 });
  await expect(phone.getByTestId('sync-status')).toHaveText('Synced', { timeout: 30_000 });
  expectNothingReadable(customersHistory(await deviceChunks(phone)), 'the phone');
  expectNothingReadable(customersHistory(await deviceChunks(tablet)), 'the tablet');
  expectNothingReadable(customersHistory(serverChunks(server.dataDir)), 'the server');

  await tablet.context().close();
  await phone.context().close();
});

test('a customer whose key has not reached the tablet yet shows as not yet synced, then opens', async ({ browser, server }) => {
  test.setTimeout(120_000);
  const { owner: tablet, second: phone } = await setUpTwoDevices(browser, server);
  // The tablet cannot fetch the store's keys for now; the customers document still syncs.
  await tablet.route('**/api/customers/keys', (route) => route.abort());
  await createCustomer(phone, { name: 'Olga Keyless', phone: '+7 911 000-11-22' });

  await tablet.getByTestId('nav-customers').click();
  const row = tablet.getByTestId('customer-row');
  await expect(row).toHaveCount(1, { timeout: 30_000 });
  await expect(row).toContainText('Customer not yet synced');
  await expect(row).not.toContainText('Olga');
  await findCustomer(tablet, 'Olga');
  await expect(row).toHaveCount(0);

  // The key arrives: the same record opens, found by name.
  await tablet.unroute('**/api/customers/keys');
  await openCustomer(tablet, 'Olga');
  await expect(tablet.getByTestId('customer-title')).toHaveText('Olga Keyless');
  await expect(tablet.getByTestId('customer-phone-shown')).toHaveText('+7 911 000-11-22');
  await tablet.context().close();
  await phone.context().close();
});
