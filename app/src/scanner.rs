//! Keyboard-wedge barcode scanners: a scan is reported from any screen of the register, with no
//! field focused (and `AppState::scanned` adds its product). The timing rules that tell a scanner
//! (keys 1-20 ms apart) from a person live in `pos_devices::WedgeDetector`; this module feeds it
//! the page's key presses.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use pos_devices::{Key, WedgeConfig, WedgeDetector, WedgeOutput};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

/// What the scanners report: the keyboard wedge here, HID-POS scanners (`hid_scanner`) and the
/// camera alike.
pub enum ScannerEvent {
    /// A whole code was read.
    Scanned(String),
    /// A HID-POS scanner was opened (its name).
    Opened(String),
}

pub type OnScanner = Rc<dyn Fn(ScannerEvent)>;

/// Listens to key presses on the whole page. While a text field has focus the field gets the
/// keys as usual (the search box adds a scanned code on Enter itself).
pub fn listen(on_event: OnScanner) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let detector = Rc::new(RefCell::new(WedgeDetector::new(WedgeConfig::default())));
    let on_key = {
        let detector = detector.clone();
        Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |ev: web_sys::KeyboardEvent| {
            if ev.repeat() || ev.ctrl_key() || ev.alt_key() || ev.meta_key() || editing_text() {
                return;
            }
            let Some(key) = Key::from_dom(&ev.key()) else {
                return;
            };
            // When the key was pressed, not when we got to it: a long task (building the
            // search index at start) delays handling, and a scan must not look like typing.
            let pressed = ev.time_stamp() as u64;
            let outputs = detector.borrow_mut().key(key, pressed);
            handle(&on_event, outputs);
            schedule_tick(on_event.clone(), detector.clone());
        })
    };
    let _ = window.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
    on_key.forget();
}

/// A burst that stops without its suffix ends at the detector's deadline, judged a little
/// after it: keys are stamped when they were pressed but reach the page later when the
/// machine is busy, and judging at the deadline itself would split a scan whose next key is
/// still on its way. Only scans without a suffix wait for this; Enter ends a scan at once.
fn schedule_tick(on_event: OnScanner, detector: Rc<RefCell<WedgeDetector>>) {
    let Some(deadline) = detector.borrow().deadline() else {
        return;
    };
    let wait = deadline.saturating_sub(now()) + KEY_DELIVERY_SLACK_MS;
    set_timeout(
        move || {
            let outputs = detector.borrow_mut().tick(now());
            handle(&on_event, outputs);
        },
        Duration::from_millis(wait),
    );
}

/// How late a key may reach the page after it was pressed and still count with its burst.
const KEY_DELIVERY_SLACK_MS: u64 = 150;

/// The clock of `Event.timeStamp` (milliseconds since the page's time origin).
fn now() -> u64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now()) as u64
}

fn handle(on_event: &OnScanner, outputs: Vec<WedgeOutput>) {
    for output in outputs {
        // Keys a person typed with no field focused go nowhere, as they would without us.
        if let WedgeOutput::Scan(code) = output {
            on_event(ScannerEvent::Scanned(code));
        }
    }
}

fn editing_text() -> bool {
    let Some(active) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
    else {
        return false;
    };
    let tag = active.tag_name().to_ascii_lowercase();
    tag == "input"
        || tag == "textarea"
        || tag == "select"
        || active.get_attribute("contenteditable").is_some()
}
