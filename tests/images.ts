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
