// The register's layout as a cashier notices it: how many rows of tiles a phone and a tablet show
// without scrolling, in English and in Russian, with search, the camera and "No sale" in one
// toolbar above the grid; and, in a catalog of 200 products in 12 categories, that every category
// is in sight and a product of the last one is on the ticket after two taps.
import { expect, test, type Page } from '@playwright/test';
import { PHONE, TABLET, openRegister, switchLanguage } from './cashier';

const SIZES = [
  { name: 'phone', viewport: PHONE, rows: 4 },
  { name: 'tablet', viewport: TABLET, rows: 5 },
] as const;

/** The positions of the tiles wholly in sight (on a phone, above the bar with "Pay"), and the
 * centre of each, where a finger would tap. */
async function tilesWhollyInSight(page: Page) {
  return page.evaluate(() => {
    const bar = document.querySelector('[data-testid="pay-phone"]')?.parentElement;
    let bottom = window.innerHeight;
    if (bar && getComputedStyle(bar).display !== 'none') bottom = Math.min(bottom, bar.getBoundingClientRect().top);
    return [...document.querySelectorAll('[data-testid="product"]')]
      .map((t, at) => ({ at, r: t.getBoundingClientRect(), name: t.querySelector('.tile-name')?.textContent ?? '' }))
      .filter(({ r }) => r.top >= 0 && r.bottom <= bottom + 0.5 && r.left >= 0 && r.right <= window.innerWidth + 0.5)
      .map(({ at, r, name }) => ({ at, name, x: r.left + r.width / 2, y: r.top + r.height / 2 }));
  });
}

/** Rows of tiles wholly in sight, the grid's top and how far the page is scrolled. */
async function tilesInSight(page: Page) {
  const seen = await tilesWhollyInSight(page);
  const { gridTop, scrollY } = await page.evaluate(() => ({
    gridTop: Math.round(document.querySelector('[data-testid="product-grid"]')!.getBoundingClientRect().top),
    scrollY: window.scrollY,
  }));
  return { rows: new Set(seen.map((t) => Math.round(t.y))).size, tiles: seen.length, gridTop, scrollY };
}

for (const size of SIZES) {
  for (const lang of ['en', 'ru'] as const) {
    test(`on a ${size.name} in ${lang}, at least ${size.rows} rows of tiles show under one toolbar`, async ({ page }) => {
      await openRegister(page, size.viewport);
      if (lang === 'ru') await switchLanguage(page, 'ru');
      await expect(page.getByTestId('product')).toHaveCount(30);
      const seen = await tilesInSight(page);
      test.info().annotations.push({ type: 'layout', description: `${size.name} ${lang}: ${JSON.stringify(seen)}` });
      expect(seen.scrollY).toBe(0);
      expect(seen.rows, `rows of tiles in sight (grid top ${seen.gridTop} px)`).toBeGreaterThanOrEqual(size.rows);
      // The language is chosen in Settings, not on the register.
      await expect(page.getByTestId('lang-switch')).toHaveCount(0);

      // Search, the camera and "No sale" share one row above the grid.
      const toolbar = page.getByTestId('register-toolbar');
      await expect(toolbar).toBeVisible();
      const boxes: { x: number; y: number; width: number; height: number }[] = [];
      for (const testid of ['search', 'scan-camera', 'no-sale']) {
        await expect(toolbar.getByTestId(testid)).toBeVisible();
        boxes.push((await toolbar.getByTestId(testid).boundingBox())!);
      }
      const top = Math.max(...boxes.map((b) => b.y));
      const bottom = Math.min(...boxes.map((b) => b.y + b.height));
      expect(bottom - top, 'search, camera and No sale on one row').toBeGreaterThan(20);
      const grid = (await page.getByTestId('product-grid').boundingBox())!;
      expect(Math.max(...boxes.map((b) => b.y + b.height))).toBeLessThanOrEqual(grid.y);

      // The demo note is one short line, in the screen's language.
      const banner = page.getByTestId('demo-banner');
      await expect(banner).toBeVisible();
      expect((await banner.boundingBox())!.height).toBeLessThanOrEqual(44);
      expect(/[а-яё]/i.test((await banner.textContent()) ?? '')).toBe(lang === 'ru');

      // Nothing wider than the screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
      // Every screen can be reached: its button is in sight, or the bar of buttons scrolls
      // sideways under a finger (a button cut off by the page's edge cannot be reached at all).
      const navs = await page.evaluate(() => {
        const bar = document.querySelector('.topbar nav')!;
        const scrolls = ['auto', 'scroll'].includes(getComputedStyle(bar).overflowX) && bar.scrollWidth > bar.clientWidth;
        return [...bar.querySelectorAll('button')].map((b) => {
          const r = b.getBoundingClientRect();
          return { testid: b.dataset.testid, inSight: r.left >= 0 && r.right <= window.innerWidth + 0.5, scrolls };
        });
      });
      expect(navs.length).toBeGreaterThanOrEqual(6);
      for (const nav of navs) expect(nav.inSight || nav.scrolls, `${nav.testid} can be reached`).toBe(true);
      // The ticket is within reach: beside the grid on a tablet, the bar with "Pay" on a phone.
      await expect(page.getByTestId(size.name === 'phone' ? 'pay-phone' : 'pay')).toBeInViewport();
    });
  }
}

test('the demo note can be put away, and stays away after a reload', async ({ page }) => {
  await openRegister(page, PHONE);
  await page.getByTestId('demo-banner-dismiss').click();
  await expect(page.getByTestId('demo-banner')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('product').first()).toBeVisible();
  await expect(page.getByTestId('demo-banner')).toHaveCount(0);
  // The header still says the menu is the demo.
  await expect(page.getByTestId('demo-badge')).toBeVisible();
});

const CATEGORIES = [
  'Burgers', 'Hot dogs', 'Sides', 'Salads', 'Soups', 'Wraps',
  'Desserts', 'Ice cream', 'Coffee', 'Tea', 'Cold drinks', 'Snacks',
];
const PRODUCTS = 200;

/** Replaces the stored catalog with 200 products in 12 categories, as a shop's own catalog
 * (not the demo), and reloads. */
async function seedBigCatalog(page: Page) {
  await page.evaluate(
    async ({ names, count }) => {
      const db: IDBDatabase = await new Promise((ok, err) => {
        const r = indexedDB.open('register');
        r.onsuccess = () => ok(r.result);
        r.onerror = () => err(r.error);
      });
      const read = <T,>(store: string, f: (s: IDBObjectStore) => IDBRequest) =>
        new Promise<T>((ok, err) => {
          const r = f(db.transaction(store).objectStore(store));
          r.onsuccess = () => ok(r.result as T);
          r.onerror = () => err(r.error);
        });
      const meta = JSON.parse(await read<string>('kv', (s) => s.get('catalog_meta')));
      const records: { pos: number; product: Record<string, unknown> }[] = (
        await read<string[]>('products', (s) => s.getAll())
      ).map((t) => JSON.parse(t));
      const model = records.find((r) => (r.product.modifiers as string[]).length === 0)!.product;
      const colours = ['#e4572e', '#29335c', '#f3a712', '#669bbc', '#1f7a4d', '#8e44ad'];
      meta.categories = names.map((name: string, i: number) => ({ id: `cat-${i}`, name, colour: colours[i % colours.length] }));
      meta.is_demo = false;
      await new Promise<void>((ok, err) => {
        const tx = db.transaction(['products', 'kv'], 'readwrite');
        tx.objectStore('products').clear();
        for (let i = 0; i < count; i++) {
          const cat = Math.floor((i * names.length) / count);
          const n = String(i).padStart(3, '0');
          const product = {
            ...model,
            id: `big-${n}`,
            name: `${names[cat]} ${n}`,
            sku: `BIG-${n}`,
            barcodes: [],
            price: '2.50',
            unit: 'Piece',
            category: `cat-${cat}`,
            colour: null,
            modifiers: [],
          };
          tx.objectStore('products').put(JSON.stringify({ pos: (i + 1) * 1024, product }), product.id);
        }
        tx.objectStore('kv').put(JSON.stringify(meta), 'catalog_meta');
        tx.objectStore('kv').put(JSON.stringify('seeded-by-layout-spec'), 'catalog_write');
        tx.objectStore('kv').delete('catalog_head');
        tx.oncomplete = () => ok();
        tx.onerror = () => err(tx.error);
      });
      db.close();
    },
    { names: CATEGORIES, count: PRODUCTS },
  );
  await page.reload();
  await expect(page.getByTestId('product').first()).toContainText('Burgers 000');
}

for (const size of SIZES) {
  test(`on a ${size.name}, with 200 products in 12 categories, a product of the last category takes two taps`, async ({ page }) => {
    await openRegister(page, size.viewport);
    await seedBigCatalog(page);
    const tabs = page.locator('.categories [role="tab"]');
    await expect(tabs).toHaveCount(CATEGORIES.length + 1);

    // Every category is in sight at once: no scrolling, down or sideways.
    for (let i = 0; i <= CATEGORIES.length; i++) {
      const box = (await tabs.nth(i).boundingBox())!;
      const name = await tabs.nth(i).textContent();
      expect(box.x, `${name}`).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width, `${name}`).toBeLessThanOrEqual(size.viewport.width);
      expect(box.y, `${name}`).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height, `${name}`).toBeLessThanOrEqual(size.viewport.height);
    }
    expect(await page.evaluate(() => window.scrollY)).toBe(0);

    // Tap one: the last category. Taps go where the eye sees them, with no scrolling in between.
    const last = tabs.last();
    await expect(last).toHaveText('Snacks');
    const tab = (await last.boundingBox())!;
    await page.mouse.click(tab.x + tab.width / 2, tab.y + tab.height / 2);
    await expect(page.getByTestId('product').first()).toContainText('Snacks');
    const inCategory = 16;
    await expect(page.getByTestId('product')).toHaveCount(inCategory);

    // Tap two: a product of it in sight. On a tablet all 16 are; on a phone, under the 12
    // categories' chips, at least four rows of three.
    const seen = await tilesWhollyInSight(page);
    if (size.name === 'tablet') expect(seen.length, 'the whole category in sight').toBe(inCategory);
    else expect(seen.length, 'tiles of the category in sight').toBeGreaterThanOrEqual(12);
    const { name, x, y } = seen[seen.length - 1];
    expect(name).toMatch(/^Snacks \d+$/);
    await page.mouse.click(x, y);
    await expect(page.getByTestId('ticket-line')).toHaveCount(1);
    await expect(page.getByTestId('ticket-line')).toContainText(name);
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
  });
}
