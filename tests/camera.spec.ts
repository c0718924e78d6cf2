// The camera where the browser has no BarcodeDetector (Chromium on Linux, as here): the register
// loads its own rxing decoder, as a worker of its own wasm, the first time the camera opens.
// The "camera" is Chromium's fake capture device playing a picture of a real EAN-13 drawn by
// bwip-js (an independent barcode encoder), so frames go through getUserMedia, the video, the
// canvas and the worker as they would from a phone's camera.
import { chromium, expect, test, type Browser, type Request } from '@playwright/test';
import bwipjs from 'bwip-js';
import { PNG } from 'pngjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium';
import { openRegister } from './cashier';

const COLA = '2000000000183';
const WIDTH = 640;
const HEIGHT = 480;

/** A still video in YUV4MPEG2 (what Chromium's fake camera plays): the code on a grey table. */
async function barcodeVideo(code: string): Promise<Buffer> {
  const png = PNG.sync.read(await bwipjs.toBuffer({ bcid: 'ean13', text: code, scale: 3, height: 20, includetext: true, paddingwidth: 12, paddingheight: 8, backgroundcolor: 'FFFFFF' }));
  const y = Buffer.alloc(WIDTH * HEIGHT, 150);
  const left = Math.floor((WIDTH - png.width) / 2);
  const top = Math.floor((HEIGHT - png.height) / 2);
  for (let row = 0; row < png.height; row++) {
    for (let col = 0; col < png.width; col++) {
      const i = (row * png.width + col) * 4;
      y[(top + row) * WIDTH + left + col] = Math.round(0.299 * png.data[i] + 0.587 * png.data[i + 1] + 0.114 * png.data[i + 2]);
    }
  }
  const chroma = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2), 128);
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F10:1 Ip A1:1 C420jpeg\n`);
  return Buffer.concat([header, Buffer.from('FRAME\n'), y, chroma, chroma]);
}

test.describe('camera without BarcodeDetector', () => {
  let dir: string;
  let browser: Browser;

  test.beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pos-camera-'));
    const video = join(dir, 'cola.y4m');
    writeFileSync(video, await barcodeVideo(COLA));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
    });
  });

  test.afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the first use loads the decoder worker, which reads an EAN-13 from the camera and adds the item', async ({ baseURL }) => {
    // No service worker: its precache would fetch the decoder too, and this test is about
    // what the page itself loads.
    const context = await browser.newContext({ baseURL, serviceWorkers: 'block' });
    const decoderRequests: string[] = [];
    context.on('request', (r: Request) => {
      if (r.url().includes('camera-worker')) decoderRequests.push(new URL(r.url()).pathname);
    });
    const page = await context.newPage();
    try {
      await openRegister(page);
      expect(await page.evaluate(() => 'BarcodeDetector' in window)).toBe(false);
      // The register is up and selling without the decoder.
      await page.getByTestId('nav-settings').click();
      await page.getByTestId('nav-register').click();
      expect(decoderRequests).toEqual([]);

      // The dialog names its decoder only while it is open, which can be briefer than a poll.
      await page.evaluate(() => {
        const seen: string[] = ((window as any).decodersSeen = []);
        new MutationObserver((changes) => {
          for (const c of changes) if (c.target instanceof Element && c.target.getAttribute('data-decoder')) seen.push(c.target.getAttribute('data-decoder')!);
        }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-decoder'] });
      });
      await page.getByTestId('scan-camera').click();
      await expect(page.getByTestId('ticket-line')).toContainText('Cola');
      expect(await page.evaluate(() => (window as any).decodersSeen)).toEqual(['worker']);
      await expect(page.getByTestId('camera')).toHaveCount(0);
      expect(decoderRequests).toEqual(expect.arrayContaining(['/camera-worker-loader.js', '/pos-camera-worker.js', '/pos-camera-worker_bg.wasm']));

      // Opened again, the worker is already there: nothing is fetched twice, and the code adds
      // a second Cola.
      const loaded = decoderRequests.length;
      await page.getByTestId('scan-camera').click();
      await expect(page.getByTestId('line-qty')).toHaveText('2');
      expect(decoderRequests).toHaveLength(loaded);
    } finally {
      await context.close();
    }
  });

  test('a decoder that cannot be fetched is said plainly and the camera closes', async ({ baseURL }) => {
    const context = await browser.newContext({ baseURL, serviceWorkers: 'block' });
    const page = await context.newPage();
    try {
      await context.route('**/pos-camera-worker_bg.wasm', (route) => route.abort('internetdisconnected'));
      await openRegister(page);
      await page.getByTestId('scan-camera').click();
      await expect(page.getByTestId('notice')).toContainText('Barcodes cannot be read from the camera');
      await expect(page.getByTestId('camera')).toHaveCount(0);
      await expect(page.getByTestId('ticket-line')).toHaveCount(0);
    } finally {
      await context.close();
    }
  });
});
