//! The camera as a barcode scanner: the browser's `BarcodeDetector` reads frames of the
//! camera's video where the browser has one (Chrome on Android, ChromeOS, macOS). Nothing here
//! loads before the cashier first opens the camera.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(inline_js = r#"
let detector = null;
export function has_barcode_detector() { return 'BarcodeDetector' in window; }
export async function camera_start(video) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error('no camera API');
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  video.srcObject = stream;
  video.muted = true;
  video.setAttribute('playsinline', '');
  await video.play();
}
export function camera_stop(video) {
  const stream = video.srcObject;
  if (stream) stream.getTracks().forEach((t) => t.stop());
  video.srcObject = null;
}
// The first code in the current frame, or null.
export async function camera_detect(video) {
  if (!detector) detector = new BarcodeDetector();
  if (video.readyState < 2) return null;
  const codes = await detector.detect(video);
  return codes.length ? codes[0].rawValue : null;
}
"#)]
extern "C" {
    fn has_barcode_detector() -> bool;
    #[wasm_bindgen(catch)]
    fn camera_start(video: &web_sys::HtmlVideoElement) -> Result<js_sys::Promise, JsValue>;
    fn camera_stop(video: &web_sys::HtmlVideoElement);
    #[wasm_bindgen(catch)]
    fn camera_detect(video: &web_sys::HtmlVideoElement) -> Result<js_sys::Promise, JsValue>;
}

/// Whether the browser reads barcodes itself.
pub fn has_detector() -> bool {
    has_barcode_detector()
}

/// Starts the camera into `video`; the error text says why it cannot (permission, no camera).
pub async fn start(video: &web_sys::HtmlVideoElement) -> Result<(), String> {
    let promise = camera_start(video).map_err(describe)?;
    JsFuture::from(promise).await.map(|_| ()).map_err(describe)
}

pub fn stop(video: &web_sys::HtmlVideoElement) {
    camera_stop(video);
}

/// The code in the current frame, if any.
pub async fn detect(video: &web_sys::HtmlVideoElement) -> Option<String> {
    let promise = camera_detect(video).ok()?;
    JsFuture::from(promise).await.ok().and_then(|v| v.as_string()).filter(|c| !c.trim().is_empty())
}

fn describe(e: JsValue) -> String {
    js_sys::Error::from(e).message().as_string().unwrap_or_else(|| "unknown".into())
}
