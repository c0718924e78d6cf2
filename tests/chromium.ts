// Debian's Chromium and the flags every test browser runs with: the config's and any browser a
// test must launch itself with extra flags (camera.spec.ts) share them.
export const CHROMIUM = process.env.POS_CHROMIUM ?? '/usr/bin/chromium';

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
