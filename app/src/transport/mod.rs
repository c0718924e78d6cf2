//! Transports move bytes between the page and a device: WebUSB, WebSerial, Web Bluetooth.
//! They know nothing of receipts or card terminals: a printer driver (`printing.rs`) or a
//! terminal driver puts a codec from `pos-devices` on top. Everything that can be decided
//! without the browser (which USB endpoint, how Bluetooth writes are cut) is decided in
//! `pos-devices`; the bindings here are thin inline JavaScript, as in `browser.rs`, rather
//! than web-sys's unstable API flags.

pub mod bluetooth;
pub mod serial;
pub mod usb;

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;

use pos_devices::BluetoothPacing;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

pub type TransportFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, TransportError>> + 'a>>;

/// How a device is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TransportKind {
    Usb,
    Serial,
    Bluetooth,
}

impl TransportKind {
    pub const ALL: [TransportKind; 3] = [
        TransportKind::Usb,
        TransportKind::Serial,
        TransportKind::Bluetooth,
    ];

    /// Whether this browser has the API at all (Firefox and Safari have none of the three;
    /// iOS browsers have none either).
    pub fn supported(self) -> bool {
        has_api(match self {
            TransportKind::Usb => "usb",
            TransportKind::Serial => "serial",
            TransportKind::Bluetooth => "bluetooth",
        })
    }
}

/// Why a transport could not do what was asked. Each case leads to a different message for the
/// cashier; `Failed` keeps the browser's words for a developer (`Display`, "Details").
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The browser has no such API.
    #[error("this browser has no such device API")]
    Unsupported,
    /// The cashier closed the browser's device chooser without picking one.
    #[error("no device was chosen")]
    NotChosen,
    /// The remembered device is not connected or no longer allowed.
    #[error("the device is not connected")]
    NotFound,
    /// The operating system's driver holds the USB device (Windows printer driver).
    #[error("another driver holds the device")]
    Claimed,
    /// The device went away (unplugged, switched off, out of range).
    #[error("the device disconnected")]
    Disconnected,
    /// Anything else the browser reported.
    #[error("{0}")]
    Failed(String),
}

impl TransportError {
    /// Reads the `{kind, message}` object the bindings throw (see `fail` in the JavaScript).
    pub(crate) fn from_js(error: JsValue) -> TransportError {
        let field = |name: &str| {
            js_sys::Reflect::get(&error, &name.into())
                .ok()
                .and_then(|v| v.as_string())
        };
        let message = field("message").unwrap_or_else(|| format!("{error:?}"));
        match field("kind").as_deref() {
            Some("unsupported") => TransportError::Unsupported,
            Some("cancelled") => TransportError::NotChosen,
            Some("not-found") => TransportError::NotFound,
            Some("claimed") => TransportError::Claimed,
            Some("disconnected") => TransportError::Disconnected,
            // The bindings name no other kind: the browser's words are kept for a developer.
            Some(_) | None => TransportError::Failed(message),
        }
    }
}

/// An open connection to one device: write bytes, read what it sends back, close, and hear
/// when it goes away. Implemented by [`DeviceLink`], whatever the API underneath.
pub trait Transport {
    /// Sends all of `bytes`, in order; resolves when the browser has handed them on.
    fn write<'a>(&'a self, bytes: &'a [u8]) -> TransportFuture<'a, ()>;
    /// Whether [`read`](Self::read) can ever return bytes (a Bluetooth printer's write
    /// characteristic cannot answer).
    fn can_read(&self) -> bool;
    /// The bytes received since the last read; waits up to `timeout_ms` for the first one and
    /// returns empty when none came.
    fn read(&self, timeout_ms: u32) -> TransportFuture<'_, Vec<u8>>;
    fn close(&self) -> TransportFuture<'_, ()>;
    /// Calls `callback` once when the device goes away on its own.
    fn on_disconnect(&self, callback: Box<dyn Fn()>);
}

#[wasm_bindgen(inline_js = r#"
export function has_api(name) {
  return typeof navigator !== 'undefined' && navigator[name] != null;
}
export function sleep_ms(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
"#)]
extern "C" {
    fn has_api(name: &str) -> bool;
    fn sleep_ms(ms: u32) -> js_sys::Promise;
}

/// Waits `ms` milliseconds without blocking the page.
pub async fn sleep(ms: u32) {
    let _ = JsFuture::from(sleep_ms(ms)).await;
}

#[wasm_bindgen]
extern "C" {
    /// The JavaScript side of an open connection. The bindings of every transport return an
    /// object with these four methods, so one Rust type drives them all.
    pub(crate) type JsLink;
    #[wasm_bindgen(method, catch)]
    async fn write(this: &JsLink, bytes: &[u8]) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch)]
    async fn read(this: &JsLink, timeout_ms: u32) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method)]
    async fn close(this: &JsLink);
    #[wasm_bindgen(method)]
    fn set_ondisconnect(this: &JsLink, callback: &Closure<dyn FnMut()>);
}

/// An open connection over any of the three APIs.
pub struct DeviceLink {
    js: JsLink,
    can_read: bool,
    /// Writes are cut and paced this way (Bluetooth), else sent whole.
    pacing: Option<BluetoothPacing>,
    /// Kept alive as long as the link that calls it.
    on_disconnect: RefCell<Option<Closure<dyn FnMut()>>>,
}

impl DeviceLink {
    pub(crate) fn new(js: JsValue, can_read: bool, pacing: Option<BluetoothPacing>) -> DeviceLink {
        DeviceLink {
            js: js.unchecked_into(),
            can_read,
            pacing,
            on_disconnect: RefCell::new(None),
        }
    }
}

impl Transport for DeviceLink {
    fn write<'a>(&'a self, bytes: &'a [u8]) -> TransportFuture<'a, ()> {
        Box::pin(async move {
            let Some(pacing) = self.pacing else {
                return self
                    .js
                    .write(bytes)
                    .await
                    .map(|_| ())
                    .map_err(TransportError::from_js);
            };
            for chunk in pacing.chunks(bytes) {
                self.js
                    .write(chunk)
                    .await
                    .map_err(TransportError::from_js)?;
                sleep(pacing.pause_ms).await;
            }
            Ok(())
        })
    }

    fn can_read(&self) -> bool {
        self.can_read
    }

    fn read(&self, timeout_ms: u32) -> TransportFuture<'_, Vec<u8>> {
        Box::pin(async move {
            if !self.can_read {
                return Ok(Vec::new());
            }
            let bytes = self
                .js
                .read(timeout_ms)
                .await
                .map_err(TransportError::from_js)?;
            Ok(js_sys::Uint8Array::new(&bytes).to_vec())
        })
    }

    fn close(&self) -> TransportFuture<'_, ()> {
        Box::pin(async move {
            self.js.close().await;
            Ok(())
        })
    }

    fn on_disconnect(&self, callback: Box<dyn Fn()>) {
        let closure = Closure::<dyn FnMut()>::new(callback);
        self.js.set_ondisconnect(&closure);
        *self.on_disconnect.borrow_mut() = Some(closure);
    }
}
