// Settings flows the specs share: setting up a card terminal, creating a store.
import { expect, type Page } from '@playwright/test';

export const OWNER_PIN = '2468';

/** Sets the card terminal up in Settings and returns to the register. */
export async function setTerminal(page: Page, connection: 'standalone' | 'training' | 'zvt-serial', outcome?: string) {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('terminal-connection').selectOption(connection);
  if (outcome) await page.getByTestId('training-outcome').selectOption(outcome);
  await page.getByTestId('save-terminal').click();
  await page.getByTestId('nav-register').click();
}

/** Sets up a ZVT terminal on the (fake) serial port, password 000000, and returns to the register. */
export async function setUpZvt(page: Page) {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('terminal-connection').selectOption('zvt-serial');
  await page.getByTestId('choose-serial-port').click();
  await expect(page.getByTestId('serial-port-status')).toHaveText('A serial port is chosen.');
  await page.getByTestId('terminal-password').fill('000000');
  await page.getByTestId('save-terminal').click();
  await page.getByTestId('nav-register').click();
}

/** Creates a store from a setup link already open on `page`; the page becomes its owner. */
export async function createStore(page: Page, name: string) {
  await expect(page.getByTestId('setup')).toBeVisible();
  await page.getByTestId('store-name').fill(name);
  await page.getByTestId('device-name').fill(`${name} till`);
  await page.getByTestId('owner-pin').fill(OWNER_PIN);
  await page.getByTestId('owner-pin-again').fill(OWNER_PIN);
  await page.getByTestId('create-store').click();
  // Hashing the owner's PIN (Argon2, slow on purpose) and the server's answer: a loaded CI
  // machine once took more than the default 5 s.
  await expect(page.getByTestId('notice')).toContainText(name, { timeout: 20_000 });
  await expect(page.getByTestId('sync-status')).toHaveText('Synced');
}

/** In Settings (already open), adds an Epson TM-T20 on USB (a fake one the test installed). */
export async function addUsbPrinter(page: Page) {
  await page.getByTestId('printer-connection').selectOption('usb');
  await page.getByTestId('printer-model').selectOption('epson-tm-t20');
  await page.getByTestId('add-printer').click();
  await expect(page.getByTestId('printer-summary')).toBeVisible();
}
