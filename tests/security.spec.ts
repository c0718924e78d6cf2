// The page runs under the Content-Security-Policy the server sends with it: the register itself
// (its start script by hash, its wasm, its workers) works, and a script injected into the page
// does not run.
import { test, expect } from './fixtures';
import { openRegister, sellOne } from './cashier';
import { setUpTwoDevices } from './store';

test('an injected script does not run, and the register sells under the policy', async ({ page }) => {
  const response = await page.goto('/');
  expect(response!.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  await openRegister(page);
  const injected = await page.evaluate(async () => {
    const refused = new Promise<string>((resolve) =>
      document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective), { once: true }),
    );
    const script = document.createElement('script');
    script.textContent = 'window.injected = true';
    document.head.append(script);
    return { directive: await refused, ran: (window as unknown as { injected?: boolean }).injected === true };
  });
  expect(injected).toEqual({ directive: 'script-src-elem', ran: false });
  expect(await sellOne(page, 'Cola')).toMatch(/-000001$/);
});

// #11 finding 7: the device token travelled in the sync WebSocket's URL (`/sync?token=`), which
// proxies write to their logs. It now travels as an offered subprotocol; the URL carries none.
test('the sync WebSocket carries no device token in its URL, and the device syncs', async ({ browser, server }) => {
  const { owner } = await setUpTwoDevices(browser, server);
  const urls: string[] = [];
  owner.on('websocket', (ws) => urls.push(ws.url()));
  await owner.reload();
  await expect(owner.getByTestId('sync-status')).toHaveText('Synced', { timeout: 20_000 });
  expect(urls.filter((u) => u.endsWith('/sync'))).not.toHaveLength(0);
  expect(urls.filter((u) => /token/i.test(u))).toEqual([]);
});
