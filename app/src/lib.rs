//! The register PWA as a library of two binaries: the page (`src/main.rs`, the `pos-app`
//! binary: opens the storage, restores the open ticket, loads or seeds the catalog, mounts the
//! screens). The store's documents live in a
//! worker of their own ([`run_sync_worker`], the `pos-sync-worker` binary): the page's wasm never
//! reaches them, so the linker leaves Automerge out of it.

pub mod browser;
pub mod camera;
pub mod core_errors;
pub mod csv_file;
pub mod engine_link;
pub mod hid_scanner;
pub mod i18n;
pub mod idb;
pub mod only_tab;
pub mod printing;
pub mod pwa;
pub mod receipt_logo;
pub mod scanner;
pub mod state;
pub mod storage;
pub mod sync;
pub mod terminal;
pub mod transport;
pub mod views;

use crate::i18n::{Lang, Msg};
use crate::storage::StorageError;

const LANG_KEY: &str = "pos.lang";
const DEMO_NOTE_KEY: &str = "pos.demo-note";
/// Tabs of this register tell each other about new sales so every sales list stays current.
pub const SALES_CHANNEL: &str = "register";

/// The sync engine, in its dedicated worker.
pub fn run_sync_worker() {
    sync::worker::run();
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The language the cashier chose last, else the browser's, else English.
pub fn initial_lang() -> Lang {
    let saved = local_storage().and_then(|s| s.get_item(LANG_KEY).ok().flatten());
    let browser = web_sys::window().and_then(|w| w.navigator().language());
    saved
        .or(browser)
        .and_then(|tag| Lang::from_tag(&tag))
        .unwrap_or(Lang::En)
}

pub fn remember_lang(lang: Lang) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(LANG_KEY, lang.tag());
    }
}

/// Whether the cashier put the register's note about the demo menu away; the header's badge
/// still says so.
pub fn demo_note_hidden() -> bool {
    local_storage()
        .and_then(|s| s.get_item(DEMO_NOTE_KEY).ok().flatten())
        .is_some()
}

pub fn hide_demo_note() {
    if let Some(s) = local_storage() {
        let _ = s.set_item(DEMO_NOTE_KEY, "hidden");
    }
}

/// A short code that prefixes this device's receipt numbers, made once when the database is new.
pub fn new_device_code() -> String {
    // Four characters from the random part of a UUIDv7, in an alphabet without look-alikes.
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes = pos_core::Uuid::now_v7().into_bytes();
    bytes[12..16]
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// Tells the other tabs of this register that a sale was kept.
pub fn announce_sale() {
    if let Ok(channel) = web_sys::BroadcastChannel::new(SALES_CHANNEL) {
        let _ = channel.post_message(&"sale".into());
        channel.close();
    }
}

/// Shown when the browser gives us no storage at all: selling without it would lose sales. The
/// sentence is translated; the browser's own words, if any, are returned apart for "Details" (and
/// go to the console).
pub fn storage_error_text(lang: Lang, error: &StorageError) -> (String, Option<String>) {
    web_sys::console::error_1(&format!("storage: {error}").into());
    match error {
        StorageError::Blocked => (Msg::StorageBlocked.text(lang).to_string(), None),
        StorageError::QuotaExceeded => (Msg::StorageFull.text(lang).to_string(), None),
        StorageError::Failed(_) | StorageError::Sale(_) => (
            Msg::StorageUnavailable.text(lang).to_string(),
            Some(error.to_string()),
        ),
    }
}
