//! One-bit images for `GS v 0`: a thermal head prints a dot or nothing, so a logo is turned
//! from 8-bit grey into packed bits here (threshold or Floyd–Steinberg), rows padded to bytes.

use crate::error::EncodeError;

/// A black-and-white image in the printer's raster layout: rows top to bottom, 8 dots per
/// byte, the most significant bit leftmost, 1 = printed (black); each row padded with white
/// to a whole byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bitmap {
    width: u32,
    height: u32,
    bits: Vec<u8>,
}

/// How grey becomes black or white.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dither {
    /// Darker than the value (0 = black, 255 = white) prints. Best for logos and text.
    Threshold(u8),
    /// Floyd–Steinberg error diffusion: spreads the rounding error to the neighbours, so
    /// photos and gradients keep their shading.
    FloydSteinberg,
}

/// Grey levels counted as shading rather than ink or paper when choosing a dither.
const SHADE: std::ops::RangeInclusive<u8> = 48..=208;
/// The share of shaded pixels, in percent, above which an image counts as a photo.
const PHOTO_SHADED_PERCENT: usize = 25;

impl Dither {
    /// The dither that suits an image of 8-bit grey pixels. Lettering and marks are mostly
    /// ink and paper, with grey only along their anti-aliased edges: a threshold keeps those
    /// edges crisp, where diffusion would fray them. A photo or a gradient is largely grey
    /// and thresholded would lose its shading to black and white blots, so it is diffused.
    pub fn suited_to(gray: &[u8]) -> Dither {
        let shaded = gray.iter().filter(|level| SHADE.contains(level)).count();
        if shaded * 100 > gray.len() * PHOTO_SHADED_PERCENT {
            Dither::FloydSteinberg
        } else {
            Dither::Threshold(128)
        }
    }
}

/// 8-bit grey from RGBA pixels as a canvas gives them (ITU-R BT.601 weights, in integers),
/// transparent parts as white paper: a logo with a transparent background prints no box.
pub fn gray_from_rgba(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .map(|px| {
            let (r, g, b, a) = (
                u32::from(px[0]),
                u32::from(px[1]),
                u32::from(px[2]),
                u32::from(px[3]),
            );
            let luma = (299 * r + 587 * g + 114 * b + 500) / 1000;
            ((luma * a + 255 * (255 - a) + 127) / 255) as u8
        })
        .collect()
}

impl Bitmap {
    /// Bytes per row: the width rounded up to whole bytes.
    pub fn row_bytes(width: u32) -> usize {
        width.div_ceil(8) as usize
    }

    /// An image from bits already packed in the raster layout.
    pub fn from_packed(width: u32, height: u32, bits: Vec<u8>) -> Result<Bitmap, EncodeError> {
        if width == 0 || height == 0 {
            return Err(EncodeError::ImageEmpty);
        }
        let expected = Self::row_bytes(width) * height as usize;
        if bits.len() != expected {
            return Err(EncodeError::ImageSize {
                given: bits.len(),
                expected,
            });
        }
        let mut bitmap = Bitmap {
            width,
            height,
            bits,
        };
        bitmap.clear_padding();
        Ok(bitmap)
    }

    /// An image from 8-bit grey pixels, row by row (0 = black, 255 = white).
    pub fn from_gray(
        pixels: &[u8],
        width: u32,
        height: u32,
        dither: Dither,
    ) -> Result<Bitmap, EncodeError> {
        if width == 0 || height == 0 {
            return Err(EncodeError::ImageEmpty);
        }
        let (w, h) = (width as usize, height as usize);
        if pixels.len() != w * h {
            return Err(EncodeError::ImageSize {
                given: pixels.len(),
                expected: w * h,
            });
        }
        let row_bytes = Self::row_bytes(width);
        let mut bits = vec![0u8; row_bytes * h];
        match dither {
            Dither::Threshold(level) => {
                for (index, &pixel) in pixels.iter().enumerate() {
                    if pixel < level {
                        set(&mut bits, row_bytes, index % w, index / w);
                    }
                }
            }
            Dither::FloydSteinberg => {
                // Two rows of accumulated error, in 1/16ths of a grey level.
                let mut current = vec![0i32; w + 2];
                let mut next = vec![0i32; w + 2];
                for y in 0..h {
                    for x in 0..w {
                        let old = i32::from(pixels[y * w + x]) * 16 + current[x + 1];
                        let black = old < 128 * 16;
                        if black {
                            set(&mut bits, row_bytes, x, y);
                        }
                        let error = old - if black { 0 } else { 255 * 16 };
                        current[x + 2] += error * 7 / 16;
                        next[x] += error * 3 / 16;
                        next[x + 1] += error * 5 / 16;
                        next[x + 2] += error / 16;
                    }
                    std::mem::swap(&mut current, &mut next);
                    next.fill(0);
                }
            }
        }
        Ok(Bitmap {
            width,
            height,
            bits,
        })
    }

    /// Width in dots.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in dots.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The packed rows.
    pub fn bits(&self) -> &[u8] {
        &self.bits
    }

    /// Whether the dot at (`x`, `y`) prints.
    pub fn is_black(&self, x: u32, y: u32) -> bool {
        let row_bytes = Self::row_bytes(self.width);
        let byte = self.bits[y as usize * row_bytes + x as usize / 8];
        byte & (0x80 >> (x % 8)) != 0
    }

    /// Padding dots are white, whatever the caller packed there.
    fn clear_padding(&mut self) {
        let spare = (8 - self.width % 8) % 8;
        if spare == 0 {
            return;
        }
        let mask = 0xFFu8 << spare;
        let row_bytes = Self::row_bytes(self.width);
        for row in self.bits.chunks_mut(row_bytes) {
            if let Some(last) = row.last_mut() {
                *last &= mask;
            }
        }
    }
}

fn set(bits: &mut [u8], row_bytes: usize, x: usize, y: usize) {
    bits[y * row_bytes + x / 8] |= 0x80 >> (x % 8);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_packs_msb_first_and_pads_rows() {
        // 10 x 2: row 0 black at x = 0 and x = 9; row 1 all white.
        let mut pixels = vec![255u8; 20];
        pixels[0] = 0;
        pixels[9] = 10;
        let bitmap = Bitmap::from_gray(&pixels, 10, 2, Dither::Threshold(128)).unwrap();
        assert_eq!(bitmap.bits(), [0b1000_0000, 0b0100_0000, 0x00, 0x00]);
        assert!(bitmap.is_black(9, 0) && !bitmap.is_black(8, 0));
    }

    #[test]
    fn dithered_mid_grey_is_about_half_black() {
        let pixels = vec![128u8; 64 * 64];
        let bitmap = Bitmap::from_gray(&pixels, 64, 64, Dither::FloydSteinberg).unwrap();
        let black: u32 = bitmap.bits().iter().map(|b| b.count_ones()).sum();
        assert!((1800..=2300).contains(&black), "{black}");
    }

    #[test]
    fn extremes_stay_pure() {
        let white = Bitmap::from_gray(&[255; 9], 3, 3, Dither::FloydSteinberg).unwrap();
        assert!(white.bits().iter().all(|&b| b == 0));
        let black = Bitmap::from_gray(&[0; 9], 3, 3, Dither::FloydSteinberg).unwrap();
        assert_eq!(black.bits(), [0xE0, 0xE0, 0xE0]);
    }

    #[test]
    fn lettering_is_thresholded_and_photos_dithered() {
        // A dark word on paper: ink, paper, and one grey pixel of anti-aliasing along each
        // edge of its strokes.
        let (w, h) = (120usize, 40usize);
        let lettering: Vec<u8> = (0..w * h)
            .map(|i| match (i % w) % 12 {
                3..=6 if (8..32).contains(&(i / w)) => 20,
                2 | 7 if (8..32).contains(&(i / w)) => 140,
                _ => 250,
            })
            .collect();
        assert_eq!(Dither::suited_to(&lettering), Dither::Threshold(128));
        // A gradient from paper to ink, as a photo's shading.
        let gradient: Vec<u8> = (0..w * h)
            .map(|i| (255 - (i % w) * 255 / (w - 1)) as u8)
            .collect();
        assert_eq!(Dither::suited_to(&gradient), Dither::FloydSteinberg);
        // Pure black and white art, or nothing at all, is never diffused.
        assert_eq!(Dither::suited_to(&[0, 255, 0, 255]), Dither::Threshold(128));
        assert_eq!(Dither::suited_to(&[]), Dither::Threshold(128));
    }

    #[test]
    fn a_dithered_gradient_keeps_its_shading() {
        let (w, h) = (100u32, 20u32);
        let gradient: Vec<u8> = (0..w * h)
            .map(|i| (255 - (i % w) * 255 / (w - 1)) as u8)
            .collect();
        let bitmap = Bitmap::from_gray(&gradient, w, h, Dither::suited_to(&gradient)).unwrap();
        let darkness = |columns: std::ops::Range<u32>| {
            let black = columns
                .clone()
                .flat_map(|x| (0..h).map(move |y| (x, y)))
                .filter(|&(x, y)| bitmap.is_black(x, y))
                .count();
            black as f64 / (columns.len() as u32 * h) as f64
        };
        // A quarter of the way to black prints about a quarter of its dots, not none.
        assert!(
            (0.1..0.4).contains(&darkness(20..30)),
            "{}",
            darkness(20..30)
        );
        assert!(
            (0.6..0.9).contains(&darkness(70..80)),
            "{}",
            darkness(70..80)
        );
        assert!(darkness(0..5) < 0.05 && darkness(95..100) > 0.95);
    }

    #[test]
    fn sizes_are_checked() {
        assert_eq!(
            Bitmap::from_gray(&[0; 5], 2, 3, Dither::Threshold(128)),
            Err(EncodeError::ImageSize {
                given: 5,
                expected: 6
            })
        );
        assert_eq!(
            Bitmap::from_packed(0, 1, vec![]),
            Err(EncodeError::ImageEmpty)
        );
        // Padding bits given as black are cleared.
        assert_eq!(
            Bitmap::from_packed(4, 1, vec![0xFF]).unwrap().bits(),
            [0xF0]
        );
    }
}
