// Pictures the tests hand to the register as files.
import { PNG } from 'pngjs';

/** A 120 x 40 logo: a dark bar on a transparent background, as a PNG file. */
export function logoPng(): Buffer {
  const png = new PNG({ width: 120, height: 40 });
  for (let y = 0; y < 40; y++) {
    for (let x = 0; x < 120; x++) {
      const i = (y * 120 + x) * 4;
      const bar = y >= 10 && y < 30 && x >= 10 && x < 110;
      png.data[i] = png.data[i + 1] = png.data[i + 2] = bar ? 30 : 0;
      png.data[i + 3] = bar ? 255 : 0;
    }
  }
  return PNG.sync.write(png);
}

/** A 160 x 40 photo-like picture: grey shading from paper at the left to ink at the right. */
export function gradientPng(): Buffer {
  const png = new PNG({ width: 160, height: 40 });
  for (let y = 0; y < 40; y++) {
    for (let x = 0; x < 160; x++) {
      const i = (y * 160 + x) * 4;
      png.data[i] = png.data[i + 1] = png.data[i + 2] = Math.round(255 - (x * 255) / 159);
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/** A raster image as the printer prints it: which dots are black. */
export interface PrintedImage {
  width: number;
  height: number;
  isBlack(x: number, y: number): boolean;
}

/** The `GS v 0` raster images in printer bytes, in order (ESC/POS: m, xL xH bytes per row,
 * yL yH rows, then the rows, 1 = black, leftmost dot in the high bit). */
export function rasterImages(bytes: Uint8Array): PrintedImage[] {
  const images: PrintedImage[] = [];
  for (let at = 0; at + 8 <= bytes.length; at++) {
    if (bytes[at] !== 0x1d || bytes[at + 1] !== 0x76 || bytes[at + 2] !== 0x30) continue;
    const rowBytes = bytes[at + 4] | (bytes[at + 5] << 8);
    const height = bytes[at + 6] | (bytes[at + 7] << 8);
    const data = bytes.subarray(at + 8, at + 8 + rowBytes * height);
    images.push({
      width: rowBytes * 8,
      height,
      isBlack: (x, y) => ((data[y * rowBytes + (x >> 3)] >> (7 - (x & 7))) & 1) === 1,
    });
    at += 8 + rowBytes * height - 1;
  }
  return images;
}
