// The menu as a CSV file: a spreadsheet's rows imported with a preview of every bad row, only
// the good ones kept; an export imported on another register gives the same menu; a large file,
// on a register of its own and on a device of a store, whose other device gets it.
import { type Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { openMenu } from './menu';
import { setUpTwoDevices, syncWorker } from './store';

async function importFile(page: Page, name: string, text: string) {
  await openMenu(page, 'file');
  await page.getByTestId('import-file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });
  await expect(page.getByTestId('import-summary')).toBeVisible({ timeout: 60_000 });
}

/** Rows of products in the demo's "Burgers" category at its "Food 10 %" tax. */
function productRows(count: number, bad: Map<number, string>) {
  const rows = ['kind,sku,name,category,price,tax,barcodes'];
  for (let i = 1; i <= count; i++) {
    rows.push(bad.get(i) ?? `product,IMP-${i},Imported ${i},Burgers,${(i % 50) + 1}.25,Food 10 %,`);
  }
  return rows.join('\n') + '\n';
}

test('5,000 rows imported on a device that joined a store: saving to the store is shown, the catalog is not sent back to its page, the other device gets every product', async ({ browser, server }) => {
  test.setTimeout(400_000);
  const { owner, second } = await setUpTwoDevices(browser, server);
  // What the joined device's sync worker tells its page: a whole catalog sent back after the
  // page's own import would be counted here.
  const worker = await syncWorker(second);
  await worker.evaluate(() => {
    const w = self as unknown as { __catalogs: number; postMessage: (m: unknown) => void };
    w.__catalogs = 0;
    const post = w.postMessage.bind(self);
    w.postMessage = (m: unknown) => {
      if (typeof m === 'string' && m.startsWith('{"Catalog"')) w.__catalogs += 1;
      post(m);
    };
  });
  await importFile(second, 'big.csv', productRows(50_000, new Map()));
  await expect(second.getByTestId('import-summary')).toHaveAttribute('data-good', '50000');
  // Every "saving to the store" text and progress value drawn until the worker has stored it.
  await second.evaluate(() => {
    const w = window as unknown as { __saving: string[]; __values: Set<string> };
    w.__saving = [];
    w.__values = new Set();
    new MutationObserver(() => {
      const saving = document.querySelector('[data-testid=import-saving]');
      if (!saving) return;
      w.__saving.push(saving.textContent ?? '');
      w.__values.add(document.querySelector('[data-testid=import-progress]')?.getAttribute('value') ?? '');
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  await second.evaluate(() => {
    const w = window as unknown as { __longest: number };
    w.__longest = 0;
    new PerformanceObserver((list) => { for (const e of list.getEntries()) w.__longest = Math.max(w.__longest, e.duration); }).observe({ type: 'longtask' });
  });
  const started = Date.now();
  await second.getByTestId('import-good').click();
  await expect(second.getByTestId('notice')).toContainText('50000 changes imported', { timeout: 300_000 });
  const kept = Date.now() - started;
  const { saving, values } = await second.evaluate(() => {
    const w = window as unknown as { __saving: string[]; __values: Set<string> };
    return { saving: w.__saving, values: [...w.__values].map(Number) };
  });
  expect(saving.length, 'the saving step was drawn').toBeGreaterThan(0);
  expect(saving[0]).toContain('Saving 50000 changes to the store');
  // The parts sent, then the worker's changes made: several steps between nothing and all.
  expect(new Set(values.filter((v) => v > 0 && v < 1000)).size, `progress drawn: ${values.join(', ')}`).toBeGreaterThanOrEqual(3);
  await expect(second.getByTestId('import-saving')).toHaveCount(0);
  expect(await worker.evaluate(() => (self as unknown as { __catalogs: number }).__catalogs)).toBe(0);
  console.log('longest task while keeping', await second.evaluate(() => (window as unknown as { __longest: number }).__longest));
  console.log(`50,000 rows kept on a device of a store in ${kept} ms`);

  // The importing device shows them, and so does the store's other device, by sync.
  await second.getByTestId('nav-register').click();
  await second.getByTestId('search').fill('Imported 49999');
  await expect(second.locator('.tile-name')).toHaveText(['Imported 49999']);
  await owner.getByTestId('nav-register').click();
  for (const name of ['Imported 1', 'Imported 2500', 'Imported 5000']) {
    await owner.getByTestId('search').fill(name);
    await expect(owner.locator('.tile-name').first()).toHaveText(name, { timeout: 30_000 });
  }
  await expect(second.getByTestId('sync-status')).toHaveText('Synced', { timeout: 20_000 });
});
