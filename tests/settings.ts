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

export interface StoreSetup {
  /** The store's currency, when not the setup form's default. */
  currency?: string;
  /** This device's name; default `<name> till`. */
  device?: string;
  /** The owner's name, for the staff list. */
  owner?: string;
}

/** Fills the setup form (open on `page`) for a store named `name`, with the owner's PIN, and
 * sends it; the page becomes the store's owner once the server answers. */
export async function submitSetup(page: Page, name: string, setup: StoreSetup = {}) {
  await expect(page.getByTestId('setup')).toBeVisible();
  if (setup.currency) await page.getByTestId('store-currency').selectOption(setup.currency);
  if (setup.owner) await page.getByTestId('owner-name').fill(setup.owner);
  await page.getByTestId('store-name').fill(name);
  await page.getByTestId('device-name').fill(setup.device ?? `${name} till`);
  await page.getByTestId('owner-pin').fill(OWNER_PIN);
  await page.getByTestId('owner-pin-again').fill(OWNER_PIN);
  await page.getByTestId('create-store').click();
}

/** Creates a store from a setup link already open on `page`; the page becomes its owner. */
export async function createStore(page: Page, name: string) {
  await submitSetup(page, name);
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

/** In Settings, adds a member with the owner's PIN to confirm. */
export async function addMember(page: Page, name: string, role: 'manager' | 'cashier', pin: string) {
  const form = page.getByTestId('staff-form');
  await form.getByTestId('staff-name').fill(name);
  await form.getByTestId('staff-role-select').selectOption(role);
  await form.getByTestId('staff-pin').fill(pin);
  await form.getByTestId('staff-confirm-pin').fill(OWNER_PIN);
  await form.getByTestId('staff-save').click();
  await expect(page.getByTestId('staff-row').filter({ hasText: name })).toBeVisible();
}

/** On the lock screen (or in the approval dialog), picks `name` and types `pin`. */
export async function pin(page: Page, where: 'lock-screen' | 'approval', name: string, pin: string) {
  const dialog = page.getByTestId(where);
  await dialog.getByTestId('staff-pick').filter({ hasText: name }).click();
  const input = dialog.getByTestId(where === 'lock-screen' ? 'lock-pin' : 'approval-pin');
  await input.fill(pin);
  await input.press('Enter');
}
