//! Barcode scanners in USB HID-POS mode through WebHID: the merchant picks the scanner once in
//! Settings (`navigator.hid.requestDevice`); the browser remembers the permission, so on every
//! start `getDevices()` finds it again. Its input reports go to the devices' `HidPosReader`, and
//! each code is added like a keyboard-wedge scan.

use std::cell::RefCell;
use std::collections::HashMap;

use pos_devices::{HID_POS_USAGE_PAGE, HidPosReader};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::scanner::{OnScanner, ScannerEvent};

#[wasm_bindgen(inline_js = r#"
const scanners = (device) => device.collections.some((c) => c.usagePage === 0x8c);
export function hid_available() { return !!navigator.hid; }
export async function hid_choose(usagePage) {
  if (!navigator.hid) return false;
  try {
    const devices = await navigator.hid.requestDevice({ filters: [{ usagePage }] });
    return devices.length > 0;
  } catch (e) {
    return false;
  }
}
// Opens every permitted HID-POS scanner (now and when one is plugged in) and hands each input
// report to `on_report(device number, report id, bytes, device name)`.
// Module state, so that listening again after a scanner is chosen opens only the new device.
const opened = new Set();
let next = 0;
let watching = false;
export async function hid_listen(on_report, on_ready) {
  if (!navigator.hid) return;
  const open = async (device) => {
    if (opened.has(device) || !scanners(device)) return;
    opened.add(device);
    const number = next++;
    try {
      if (!device.opened) await device.open();
    } catch (e) {
      opened.delete(device);
      return;
    }
    device.addEventListener('inputreport', (e) => {
      on_report(number, e.reportId, new Uint8Array(e.data.buffer, e.data.byteOffset, e.data.byteLength), device.productName || '');
    });
    on_ready(device.productName || 'HID-POS');
  };
  for (const device of await navigator.hid.getDevices()) await open(device);
  if (!watching) {
    watching = true;
    navigator.hid.addEventListener('connect', (e) => open(e.device));
    navigator.hid.addEventListener('disconnect', (e) => opened.delete(e.device));
  }
}
"#)]
extern "C" {
    fn hid_available() -> bool;
    fn hid_choose(usage_page: u16) -> js_sys::Promise;
    fn hid_listen(
        on_report: &Closure<dyn FnMut(u32, u8, Vec<u8>, String)>,
        on_ready: &Closure<dyn FnMut(String)>,
    ) -> js_sys::Promise;
}

pub fn available() -> bool {
    hid_available()
}

/// Opens the browser's chooser for HID-POS scanners; true when one was picked, and then opened.
pub async fn choose(on_event: OnScanner) -> bool {
    let chosen = JsFuture::from(hid_choose(HID_POS_USAGE_PAGE))
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    if chosen {
        listen(on_event);
    }
    chosen
}

thread_local! {
    static READERS: RefCell<HashMap<u32, HidPosReader>> = RefCell::new(HashMap::new());
}

/// Listens to every scanner the browser already permits; called at start and after choosing.
pub fn listen(on_event: OnScanner) {
    if !available() {
        return;
    }
    let on_report = Closure::<dyn FnMut(u32, u8, Vec<u8>, String)>::new({
        let on_event = on_event.clone();
        move |device: u32, report_id: u8, data: Vec<u8>, _name: String| {
            let code = READERS.with(|r| {
                r.borrow_mut()
                    .entry(device)
                    .or_default()
                    .report(report_id, &data)
            });
            if let Some(code) = code {
                on_event(ScannerEvent::Scanned(code));
            }
        }
    });
    let on_ready =
        Closure::<dyn FnMut(String)>::new(move |name: String| on_event(ScannerEvent::Opened(name)));
    let promise = hid_listen(&on_report, &on_ready);
    on_report.forget();
    on_ready.forget();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = JsFuture::from(promise).await;
    });
}
