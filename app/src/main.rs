//! The register PWA: boots the storage, loads or seeds the catalog, and mounts the screens.

mod i18n;
mod state;
mod storage;
mod views;

use std::rc::Rc;

use leptos::prelude::*;
use pos_core::demo;

use crate::i18n::Lang;
use crate::state::AppState;
use crate::storage::{MemoryStorage, Storage};

const LANG_KEY: &str = "pos.lang";
const DEVICE_CODE_KEY: &str = "pos.device-code";

fn main() {
    console_error_panic_hook::set_once();
    // Leptos sets up its executor when mounting; booting awaits storage before that.
    wasm_bindgen_futures::spawn_local(async {
        let state = boot().await;
        leptos::mount::mount_to_body(move || view! { <views::App state /> });
    });
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The language the cashier chose last, else the browser's, else English.
pub fn initial_lang() -> Lang {
    let saved = local_storage().and_then(|s| s.get_item(LANG_KEY).ok().flatten());
    let browser = web_sys::window().and_then(|w| w.navigator().language());
    saved.or(browser).and_then(|tag| Lang::from_tag(&tag)).unwrap_or(Lang::En)
}

pub fn remember_lang(lang: Lang) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(LANG_KEY, lang.tag());
    }
}

/// A short code that prefixes this device's receipt numbers, made once per browser profile.
fn device_code() -> String {
    let storage = local_storage();
    if let Some(code) = storage.as_ref().and_then(|s| s.get_item(DEVICE_CODE_KEY).ok().flatten()) {
        return code;
    }
    // Four characters from the random part of a UUIDv7, in an alphabet without look-alikes.
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes = pos_core::Uuid::now_v7().into_bytes();
    let code: String = bytes[12..16].iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
    if let Some(s) = storage {
        let _ = s.set_item(DEVICE_CODE_KEY, &code);
    }
    code
}

async fn boot() -> AppState {
    let lang = initial_lang();
    let storage: Rc<dyn Storage> = Rc::new(MemoryStorage::new(device_code()));
    let device = storage.device().await.expect("memory storage cannot fail");
    let (store, catalog) = match storage.load_catalog().await {
        Ok(Some(saved)) => saved,
        _ => {
            let (store, catalog) = demo::food_truck(lang == Lang::Ru);
            let _ = storage.save_catalog(store.clone(), catalog.clone()).await;
            (store, catalog)
        }
    };
    AppState::new(lang, store, catalog, device.code, storage)
}
