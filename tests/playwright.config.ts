// Playwright configuration for the end-to-end tests.
// `cargo xtask test` starts the release server and sets POS_BASE_URL, POS_SERVER_BIN and
// POS_STATIC_DIR; tests that need their own server use startServer() from ./fixtures.
// Chromium comes from Debian (/usr/bin/chromium): Playwright downloads no browser here.
import { defineConfig } from '@playwright/test';

export const CHROMIUM = process.env.POS_CHROMIUM ?? '/usr/bin/chromium';
/** Also the arguments of the browser that chromedriver starts for bluetooth.spec.ts. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // navigator.bluetooth, for the emulated Bluetooth printer (bluetooth.spec.ts).
  '--enable-features=WebBluetooth',
];

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  timeout: 30_000,
  retries: 0,
  workers: 2,
  reporter: 'list',
  forbidOnly: !!process.env.CI,
  outputDir: 'test-results',
  use: {
    baseURL: process.env.POS_BASE_URL ?? 'http://127.0.0.1:8080',
    browserName: 'chromium',
    trace: 'retain-on-failure',
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
  },
});
