// The receipt as the merchant sets it up in Settings, "Receipt": address, tax number, return
// policy, the language receipts print in, and a logo from an image file. What the (fake USB)
// printer receives is decoded by emupos, so these are the words and the picture on paper.
import { expect, test, type Page } from '@playwright/test';
import { openRegister, sellOne, tap } from './cashier';
import { COMPOSITE_PRINTER, emupos, fakeUsbPrinter, type FakePrinter } from './fake-devices';
import { gradientPng, logoPng, rasterImages } from './images';
import { addUsbPrinter } from './settings';

/** The receipts printed since `from` bytes, as emupos prints them. */
function receiptsSince(printer: FakePrinter, from: number) {
  return emupos(printer.bytes().subarray(from)).receipts.map((r) => r.text);
}

test('the address, tax number, return policy, language and logo set in Settings print on the receipt', async ({ page }) => {
  const printer = await fakeUsbPrinter(page, { interfaces: COMPOSITE_PRINTER });
  await openRegister(page);
  await page.getByTestId('nav-settings').click();
  await addUsbPrinter(page);

  await page.getByTestId('receipt-address').fill('Hafenweg 5, Hamburg');
  await page.getByTestId('receipt-tax-number').fill('DE123456789');
  await page.getByTestId('receipt-return-policy').fill('Возврат в течение 30 дней.');
  await page.getByTestId('receipt-language').selectOption('ru');
  await page.getByTestId('save-receipt-settings').click();
  await expect(page.getByTestId('notice')).toContainText('Receipt settings saved.');
  await expect(page.getByTestId('logo-none')).toBeVisible();
  await page.getByTestId('logo-file').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: logoPng() });
  await expect(page.getByTestId('logo-preview')).toBeVisible();

  // The screen stays English; the receipt is Russian, on paper and on screen.
  await page.getByTestId('nav-register').click();
  await tap(page, 'Fries');
  await page.getByTestId('pay').click();
  await page.getByTestId('quick-cash').first().click();
  await expect(page.getByTestId('print-message')).toHaveText('Printed.');
  await expect(page.getByTestId('receipt')).toContainText('Итого');
  await expect(page.getByTestId('receipt-logo')).toBeVisible();
  const number = ((await page.getByTestId('receipt-number').textContent()) ?? '').replace('Чек', '').trim();
  await page.getByTestId('new-sale').click();
  const [russian] = receiptsSince(printer, 0);
  const order = ['[image 120x40]', 'Demo Food Truck', 'Hafenweg 5, Hamburg', 'ИНН DE123456789', `Чек ${number}`, 'Итого', 'Возврат в течение 30 дней.'];
  const at = order.map((text) => russian.indexOf(text));
  expect(at.every((i) => i >= 0), `${JSON.stringify(order)} in:\n${russian}`).toBe(true);
  expect([...at].sort((a, b) => a - b)).toEqual(at);
  expect(russian).toMatch(/\[qr RCPT:[0-9a-f-]{36};3\.50;EUR\]/);
  expect(russian).not.toContain('Total');

  // Kept across a reload; switched to English, the next receipt is English, still with the logo.
  await page.reload();
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('receipt-address')).toHaveValue('Hafenweg 5, Hamburg');
  await expect(page.getByTestId('logo-preview')).toBeVisible();
  await page.getByTestId('receipt-language').selectOption('en');
  await page.getByTestId('save-receipt-settings').click();
  await expect(page.getByTestId('notice')).toContainText('Receipt settings saved.');
  const printedBefore = printer.bytes().length;
  await page.getByTestId('nav-register').click();
  const second = await sellOne(page, 'Fries');
  await expect(page.getByTestId('print-message')).toHaveText('Printed.');
  const [english] = receiptsSince(printer, printedBefore);
  for (const text of ['[image 120x40]', `Receipt ${second}`, 'Total', 'Tax no. DE123456789', 'Возврат в течение 30 дней.']) {
    expect(english, english).toContain(text);
  }
  expect(english).not.toContain('Итого');

  // Without the logo, the receipt starts with the store's name again.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('remove-logo').click();
  await expect(page.getByTestId('logo-none')).toBeVisible();
  const printedBeforeThird = printer.bytes().length;
  await page.getByTestId('nav-register').click();
  await sellOne(page, 'Fries');
  await expect(page.getByTestId('print-message')).toHaveText('Printed.');
  const [plain] = receiptsSince(printer, printedBeforeThird);
  expect(plain).not.toContain('[image');
  expect(plain).toContain('Demo Food Truck');
});

test('a file that is not an image is refused with a message, and no logo is kept', async ({ page }) => {
  await openRegister(page);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('logo-file').setInputFiles({ name: 'menu.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') });
  await expect(page.getByTestId('notice')).toContainText('This image cannot be the logo');
  await expect(page.getByTestId('logo-none')).toBeVisible();
});

test('a photo as the logo keeps its shading on paper; lettering stays crisp', async ({ page }) => {
  const printer = await fakeUsbPrinter(page, { interfaces: COMPOSITE_PRINTER });
  await openRegister(page);
  await page.getByTestId('nav-settings').click();
  await addUsbPrinter(page);
  await page.getByTestId('logo-file').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: gradientPng() });
  await expect(page.getByTestId('logo-preview')).toHaveJSProperty('naturalWidth', 160);
  await page.getByTestId('nav-register').click();
  await sellOne(page, 'Fries');
  await expect(page.getByTestId('print-message')).toHaveText('Printed.');
  expect(receiptsSince(printer, 0)[0]).toContain('[image 160x40]');
  const [photo] = rasterImages(printer.bytes());
  /** The share of black dots in a band of columns: how dark that part prints. */
  const darkness = (image: typeof photo, from: number, to: number) => {
    let black = 0;
    for (let x = from; x < to; x++) for (let y = 0; y < image.height; y++) if (image.isBlack(x, y)) black++;
    return black / ((to - from) * image.height);
  };
  // A quarter of the way from paper to ink prints about a quarter of its dots: shaded, where
  // a plain cut at middle grey would leave it blank (and the last quarter solid black).
  expect(darkness(photo, 30, 50)).toBeGreaterThan(0.1);
  expect(darkness(photo, 30, 50)).toBeLessThan(0.4);
  expect(darkness(photo, 110, 130)).toBeGreaterThan(0.6);
  expect(darkness(photo, 110, 130)).toBeLessThan(0.9);

  // The bar logo (ink on a transparent background) is cut clean: solid inside, blank outside.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('logo-file').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: logoPng() });
  await expect(page.getByTestId('logo-preview')).toHaveJSProperty('naturalWidth', 120);
  const printedBefore = printer.bytes().length;
  await page.getByTestId('nav-register').click();
  await sellOne(page, 'Fries');
  await expect(page.getByTestId('print-message')).toHaveText('Printed.');
  const [bar] = rasterImages(printer.bytes().subarray(printedBefore));
  expect(darkness(bar, 12, 108)).toBe(0.5); // rows 10-29 of 40 are the bar
  expect(darkness(bar, 0, 8)).toBe(0);
});
