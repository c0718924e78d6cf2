// Watches the register's IndexedDB writes from inside the page: every put into `kv` is recorded
// with its key, the card amount in flight it carries (an open ticket's payment or a refund
// record), and the durability of the transaction it is written in (IDBTransaction.durability:
// "strict", "relaxed" or "default"). A fake terminal adds its commands to the same list, so a test
// can tell a write made before the terminal heard of an amount from one made after.
import type { Page } from '@playwright/test';

export interface Watched {
  kind: 'put' | 'zvt';
  key?: string;
  inFlight?: unknown;
  durability?: string;
  apdu?: string;
}

export async function watchIdb(page: Page) {
  await page.addInitScript(() => {
    const log: Watched[] = [];
    (window as any).idbWatch = log;
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: any, key?: IDBValidKey) {
      if (this.name === 'kv' && typeof key === 'string' && typeof value === 'string') {
        let inFlight: unknown = null;
        try {
          const json = JSON.parse(value);
          inFlight = key.startsWith('ticket:') ? json?.payment?.card_in_flight ?? null : json?.card_in_flight ?? null;
        } catch {
          inFlight = null;
        }
        log.push({ kind: 'put', key, inFlight, durability: (this.transaction as any).durability });
      }
      return put.call(this, value, key);
    } as typeof put;
  });
}

export async function watched(page: Page): Promise<Watched[]> {
  return page.evaluate(() => (window as any).idbWatch as Watched[]);
}

/** The writes that set or cleared a card amount in flight, per key, in order. */
export function inFlightChanges(log: Watched[]): Watched[] {
  const last = new Map<string, string>();
  const out: Watched[] = [];
  for (const entry of log) {
    if (entry.kind !== 'put' || !entry.key) continue;
    if (!entry.key.startsWith('ticket:') && !entry.key.startsWith('refund:')) continue;
    const now = JSON.stringify(entry.inFlight ?? null);
    if (now !== (last.get(entry.key) ?? 'null')) out.push(entry);
    last.set(entry.key, now);
  }
  return out;
}
