//! The camera as a barcode scanner. Where the browser reads barcodes itself (`BarcodeDetector`
//! in Chrome on Android, ChromeOS and macOS) frames go to it; elsewhere (Chrome on Windows and
//! Linux, Firefox, Safari) to our own decoder (`pos_devices::camera`, rxing), which runs in a web
//! worker of its own wasm (`app/camera-worker`). That worker is started, and its wasm fetched,
//! only when the cashier first opens the camera, so it costs the register's start nothing.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::browser::error_message;

#[wasm_bindgen(inline_js = r#"
// public/camera-worker-loader.js starts the worker Trunk builds from app/camera-worker.
const WORKER_LOADER = 'camera-worker-loader.js';
const READY_WITHIN_MS = 20000;
// Big enough for a code across a third of the picture, small enough to decode quickly.
const MAX_SIDE = 1280;
let detector = null;
let worker = null;
let canvas = null;
let nextId = 0;
const pending = new Map();

async function nativeFormats() {
  if (!('BarcodeDetector' in window)) return [];
  try { return await BarcodeDetector.getSupportedFormats(); } catch (_) { return []; }
}

function failAll(message) {
  for (const { reject } of pending.values()) reject(new Error(message));
  pending.clear();
}

function startWorker() {
  if (worker) return worker;
  worker = new Promise((resolve, reject) => {
    const w = new Worker(new URL(WORKER_LOADER, document.baseURI));
    const give_up = (message) => {
      clearTimeout(timer);
      w.terminate();
      worker = null;
      reject(new Error(message));
    };
    const timer = setTimeout(() => give_up('the barcode reader did not start'), READY_WITHIN_MS);
    w.onerror = (e) => { e.preventDefault(); give_up('the barcode reader could not be loaded' + (e.message ? ': ' + e.message : '')); };
    w.onmessage = (event) => {
      if (event.data && event.data.failed) { give_up('the barcode reader could not be loaded: ' + event.data.failed); return; }
      if (event.data !== 'ready') return;
      clearTimeout(timer);
      w.onmessage = (reply) => {
        const answer = reply.data;
        const waiting = pending.get(answer.id);
        if (!waiting) return;
        pending.delete(answer.id);
        if (answer.error) waiting.reject(new Error(answer.error));
        else waiting.resolve(answer.text ?? null);
      };
      w.onerror = (e) => { e.preventDefault(); failAll('the barcode reader stopped' + (e.message ? ': ' + e.message : '')); worker = null; };
      resolve(w);
    };
  });
  return worker;
}

// Readies a decoder before the camera opens, so a reader that cannot load is said at once.
// Resolves to 'native' or 'worker'.
export async function camera_prepare() {
  if ((await nativeFormats()).length > 0) {
    if (!detector) detector = new BarcodeDetector();
    return 'native';
  }
  await startWorker();
  return 'worker';
}

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
  if (video.readyState < 2 || !video.videoWidth || !video.videoHeight) return null;
  if (detector) {
    // The browser's detector fails now and then on a frame being replaced; the next one reads.
    const codes = await detector.detect(video).catch(() => []);
    return codes.length ? codes[0].rawValue : null;
  }
  const w = await startWorker();
  const scale = Math.min(1, MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
  const width = Math.round(video.videoWidth * scale);
  const height = Math.round(video.videoHeight * scale);
  if (!canvas) canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(video, 0, 0, width, height);
  const pixels = ctx.getImageData(0, 0, width, height).data;
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.postMessage({ id, width, height, data: pixels }, [pixels.buffer]);
  });
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    fn camera_prepare() -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch)]
    fn camera_start(video: &web_sys::HtmlVideoElement) -> Result<js_sys::Promise, JsValue>;
    fn camera_stop(video: &web_sys::HtmlVideoElement);
    #[wasm_bindgen(catch)]
    fn camera_detect(video: &web_sys::HtmlVideoElement) -> Result<js_sys::Promise, JsValue>;
}

/// Which decoder reads the frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoder {
    /// The browser's `BarcodeDetector`.
    Browser,
    /// Our rxing decoder in its worker.
    Worker,
}

/// Readies a decoder: the browser's if it reads any format, else our worker, fetched now if
/// this is the first time. The error says why no decoder could start (offline before the
/// worker was ever cached, say).
pub async fn prepare() -> Result<Decoder, String> {
    let promise = camera_prepare().map_err(error_message)?;
    let kind = JsFuture::from(promise).await.map_err(error_message)?;
    Ok(if kind.as_string().as_deref() == Some("native") {
        Decoder::Browser
    } else {
        Decoder::Worker
    })
}

/// Starts the camera into `video`; the error text says why it cannot (permission, no camera).
pub async fn start(video: &web_sys::HtmlVideoElement) -> Result<(), String> {
    let promise = camera_start(video).map_err(error_message)?;
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(error_message)
}

pub fn stop(video: &web_sys::HtmlVideoElement) {
    camera_stop(video);
}

/// The code in the current frame, if any; an error when the decoder itself failed.
pub async fn detect(video: &web_sys::HtmlVideoElement) -> Result<Option<String>, String> {
    let promise = camera_detect(video).map_err(error_message)?;
    let found = JsFuture::from(promise).await.map_err(error_message)?;
    Ok(found.as_string().filter(|c| !c.trim().is_empty()))
}
