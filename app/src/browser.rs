//! Browser APIs that web-sys only offers behind unstable flags (Web Locks) or that are simpler
//! to call from a few lines of JavaScript. Each function is small and documented at its call.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(inline_js = r#"
export function claim_ticket_slot() {
  // Each tab of the register holds one "ticket slot" lock for its life, so two tabs never
  // overwrite each other's open ticket, and a reopened tab takes the lowest free slot back.
  const attempt = (slot) => new Promise((resolve) => {
    navigator.locks.request('register-ticket-slot-' + slot, { ifAvailable: true }, (lock) => {
      if (!lock) { resolve(false); return undefined; }
      resolve(true);
      return new Promise(() => {});
    });
  });
  return (async () => {
    for (let slot = 0; slot < 64; slot++) {
      if (await attempt(slot)) return slot;
    }
    return 64;
  })();
}

export async function storage_info() {
  const s = navigator.storage;
  if (!s || !s.estimate) return { usage: -1, quota: -1, persisted: false };
  const e = await s.estimate();
  const persisted = s.persisted ? await s.persisted() : false;
  return { usage: e.usage ?? -1, quota: e.quota ?? -1, persisted };
}

export async function request_persistence() {
  try {
    return navigator.storage && navigator.storage.persist ? await navigator.storage.persist() : false;
  } catch (e) {
    return false;
  }
}

export function sleep_ms(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function idle_ms(timeout) {
  return new Promise((resolve) =>
    typeof requestIdleCallback === 'function'
      ? requestIdleCallback(() => resolve(), { timeout })
      : setTimeout(resolve, 0),
  );
}

export async function server_reachable(url) {
  try {
    const r = await fetch(url, { cache: 'no-store' });
    // Read to the end: a body left unread keeps the request open (Lighthouse waited on these).
    await r.arrayBuffer();
    return r.ok;
  } catch (e) {
    return false;
  }
}
"#)]
extern "C" {
    fn claim_ticket_slot() -> js_sys::Promise;
    fn storage_info() -> js_sys::Promise;
    fn request_persistence() -> js_sys::Promise;
    fn server_reachable(url: &str) -> js_sys::Promise;
    fn sleep_ms(ms: u32) -> js_sys::Promise;
    fn idle_ms(timeout: u32) -> js_sys::Promise;
}

/// Resolves after `ms` milliseconds: devices' state machines return waits as data, and the app
/// keeps the time with this.
pub async fn sleep(ms: u32) {
    let _ = JsFuture::from(sleep_ms(ms)).await;
}

/// Takes away the splash `index.html` shows until the register is mounted.
pub fn remove_boot_splash() {
    if let Some(splash) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot-splash"))
    {
        splash.remove();
    }
}

/// A named moment on the page's performance timeline, for the benchmark to read: where the time
/// of a long job (a large import) goes.
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// Resolves when the page has nothing else to do (at most `timeout_ms` later; at once in a
/// worker, which has no idle callbacks): background work goes after what the cashier asked for.
pub async fn idle(timeout_ms: u32) {
    let _ = JsFuture::from(idle_ms(timeout_ms)).await;
}

/// The lowest ticket slot no other tab of this register holds, or `None` when this tab must not
/// run: without Web Locks (an insecure context) only one tab gets a slot (see `only_tab`).
pub async fn ticket_slot() -> Option<u32> {
    if !has_web_locks() {
        return crate::only_tab::claim().await.then_some(0);
    }
    let slot = JsFuture::from(claim_ticket_slot())
        .await
        .ok()
        .and_then(|v| v.as_f64())
        .map_or(0, |v| v as u32);
    Some(slot)
}

/// Whether `navigator.locks` exists: browsers offer it only in secure contexts.
/// Whether the page runs in a secure context (https, or this computer's own address): only there
/// does the browser give it a service worker, Web Locks, WebUSB, WebSerial and Web Bluetooth.
pub fn is_secure_context() -> bool {
    web_sys::window().is_none_or(|w| w.is_secure_context())
}

pub fn has_web_locks() -> bool {
    web_sys::window().is_some_and(|w| {
        js_sys::Reflect::get(&w.navigator(), &JsValue::from_str("locks"))
            .is_ok_and(|locks| !locks.is_undefined() && !locks.is_null())
    })
}

/// Storage used and available for this site, in bytes, and whether the browser promised to keep it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StorageInfo {
    pub usage: Option<u64>,
    pub quota: Option<u64>,
    pub persisted: bool,
}

pub async fn storage_estimate() -> StorageInfo {
    let value = JsFuture::from(storage_info())
        .await
        .unwrap_or(JsValue::NULL);
    let number = |key: &str| {
        js_sys::Reflect::get(&value, &key.into())
            .ok()
            .and_then(|v| v.as_f64())
            .filter(|v| *v >= 0.0)
            .map(|v| v as u64)
    };
    let persisted = js_sys::Reflect::get(&value, &"persisted".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    StorageInfo {
        usage: number("usage"),
        quota: number("quota"),
        persisted,
    }
}

/// Asks the browser not to evict our data under storage pressure.
pub async fn persist_storage() -> bool {
    JsFuture::from(request_persistence())
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Whether the sync server answers right now.
pub async fn server_answers(url: &str) -> bool {
    JsFuture::from(server_reachable(url))
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// The message of a JavaScript error (or of anything thrown), for a notice.
pub fn error_message(e: JsValue) -> String {
    js_sys::Error::from(e)
        .message()
        .as_string()
        .unwrap_or_else(|| "unknown".into())
}

/// Random bytes from the browser's random source (`crypto.getRandomValues`, in the page and in
/// the sync worker): customers' keys and the nonces their fields are sealed with. A browser
/// without one cannot run the register at all (the ids are drawn from it too).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).expect("the browser's random source answers");
    out
}

/// A nonce for one sealed customer field.
pub fn random_nonce() -> [u8; pos_core::customer::sealed::NONCE_LEN] {
    random_bytes()
}
