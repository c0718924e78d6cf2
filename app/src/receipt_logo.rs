//! The store's logo for the top of the receipt: an image the merchant picks in Settings, scaled
//! to fit 58 mm paper and turned into the one-bit raster the printer prints
//! (`pos_devices::Bitmap`), kept with the store's profile for every device. The screen shows a
//! picture of those same dots.

use std::cell::RefCell;

use pos_core::StoreLogo;
use pos_devices::{Bitmap, Dither, gray_from_rgba};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::browser::error_message;

/// 384 dots is the printable width of 58 mm paper, so the logo fits every printer we know.
const MAX_WIDTH: u32 = 384;
/// Taller would waste paper on every receipt.
const MAX_HEIGHT: u32 = 160;

#[wasm_bindgen(inline_js = r#"
// The picked image drawn to fit within maxWidth x maxHeight, never enlarged: {width, height, data}.
export async function logo_pixels(input, maxWidth, maxHeight) {
  const file = input.files && input.files[0];
  if (!file) return null;
  let image;
  try { image = await createImageBitmap(file); } catch (_) { throw new Error('not an image this browser can read'); }
  const scale = Math.min(1, maxWidth / image.width, maxHeight / image.height);
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0, width, height);
  return { width, height, data: ctx.getImageData(0, 0, width, height).data };
}
// The dots as a PNG, black on white, for the settings and the on-screen receipt.
export function logo_preview(width, height, bits) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(width, height);
  const rowBytes = Math.ceil(width / 8);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const black = bits[y * rowBytes + (x >> 3)] & (0x80 >> (x & 7));
      const i = (y * width + x) * 4;
      img.data[i] = img.data[i + 1] = img.data[i + 2] = black ? 0 : 255;
      img.data[i + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  return canvas.toDataURL('image/png');
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    fn logo_pixels(
        input: &web_sys::HtmlInputElement,
        max_width: u32,
        max_height: u32,
    ) -> Result<js_sys::Promise, JsValue>;
    fn logo_preview(width: u32, height: u32, bits: &[u8]) -> String;
}

/// The printer's bitmap of the store's logo; `None` for one that no longer makes one.
pub fn bitmap(logo: &StoreLogo) -> Option<Bitmap> {
    Bitmap::from_packed(logo.width, logo.height, logo.bits.clone()).ok()
}

/// A `data:image/png` URL of the logo's dots, for the settings and the on-screen receipt. The
/// last one is kept: every completed sale shows the receipt, and the logo rarely changes.
pub fn preview(logo: &StoreLogo) -> String {
    thread_local! {
        static LAST: RefCell<Option<(StoreLogo, String)>> = const { RefCell::new(None) };
    }
    LAST.with_borrow_mut(|last| match last {
        Some((kept, url)) if kept == logo => url.clone(),
        _ => {
            let url = logo_preview(logo.width, logo.height, &logo.bits);
            *last = Some((logo.clone(), url.clone()));
            url
        }
    })
}

/// The image chosen in `input`, as a logo; `Ok(None)` when no file was chosen. Lettering and
/// marks are cut at the middle grey, photos dithered (`Dither::suited_to`).
pub async fn from_input(input: &web_sys::HtmlInputElement) -> Result<Option<StoreLogo>, String> {
    let promise = logo_pixels(input, MAX_WIDTH, MAX_HEIGHT).map_err(error_message)?;
    let frame = JsFuture::from(promise).await.map_err(error_message)?;
    if frame.is_null() || frame.is_undefined() {
        return Ok(None);
    }
    let field = |name: &str| {
        js_sys::Reflect::get(&frame, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
    };
    let width = field("width").as_f64().unwrap_or(0.0) as u32;
    let height = field("height").as_f64().unwrap_or(0.0) as u32;
    let rgba = js_sys::Uint8Array::new(&field("data")).to_vec();
    let gray = gray_from_rgba(&rgba);
    let bitmap = Bitmap::from_gray(&gray, width, height, Dither::suited_to(&gray))
        .map_err(|e| e.to_string())?;
    Ok(StoreLogo::new(
        bitmap.width(),
        bitmap.height(),
        bitmap.bits().to_vec(),
    ))
}
