// Smoke tests: the server that `cargo xtask test` started answers, serves the PWA, and the
// fixtures that later tests rely on can start, kill and restart a server of their own.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';

test('health answers ok', async ({ request }) => {
  const res = await request.get('/health');
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body).toMatchObject({ status: 'ok', storage: 'sqlite' });
  expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
});

test('the page at / loads with a title and no uncaught error', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const res = await page.goto('/');
  expect(res?.status()).toBe(200);
  expect(res?.headers()['cache-control']).toBe('no-cache');
  await page.waitForLoadState('load');
  expect((await page.title()).trim()).not.toBe('');
  expect(errors).toEqual([]);
});

test('a test server survives a kill and a restart with its data', async ({ server }) => {
  expect(existsSync(join(server.dataDir, 'pos.sqlite3'))).toBe(true);
  const before = await fetch(`${server.url}/health`);
  expect(before.status).toBe(200);

  await server.stop('SIGKILL');
  await expect(fetch(`${server.url}/health`)).rejects.toThrow();

  await server.restart();
  const after = await fetch(`${server.url}/health`);
  expect(after.status).toBe(200);
  expect(existsSync(join(server.dataDir, 'pos.sqlite3'))).toBe(true);
});
