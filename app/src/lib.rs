//! The register PWA: opens the storage, restores the open ticket, loads or seeds the catalog,
//! and mounts the screens ([`run_page`], the `pos-app` binary). The store's documents live in a
//! worker of their own ([`run_sync_worker`], the `pos-sync-worker` binary): the page's wasm never
//! reaches them, so the linker leaves Automerge out of it.

mod browser;
mod camera;
mod engine_link;
mod hid_scanner;
mod i18n;
mod idb;
mod only_tab;
mod printing;
mod pwa;
mod receipt_logo;
mod scanner;
mod state;
mod storage;
mod sync;
mod terminal;
mod transport;
mod views;

use std::rc::Rc;

use leptos::prelude::*;
use pos_core::demo;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use crate::i18n::{Lang, Msg};
use crate::idb::IdbStorage;
use crate::state::{AppState, Connection, Screen};
use crate::storage::{Membership, Storage, StorageError};

const LANG_KEY: &str = "pos.lang";
/// Tabs of this register tell each other about new sales so every sales list stays current.
const CHANNEL: &str = "register";
const HEALTH_POLL_MS: i32 = 10_000;

/// The sync engine, in its dedicated worker.
pub fn run_sync_worker() {
    sync::worker::run();
}

/// The register, in the page.
pub fn run_page() {
    console_error_panic_hook::set_once();
    pwa::register_service_worker();
    // Leptos sets up its executor when mounting; booting awaits storage before that.
    wasm_bindgen_futures::spawn_local(async {
        let lang = initial_lang();
        // Without Web Locks a second tab gets no ticket slot: it says so instead of sharing the
        // first tab's ticket and card payment.
        let Some(slot) = browser::ticket_slot().await else {
            leptos::mount::mount_to_body(move || view! { <views::AlreadyOpen lang /> });
            return;
        };
        match boot(lang, slot).await {
            Ok((state, membership)) => {
                leptos::mount::mount_to_body(move || view! { <views::App state /> });
                if let Some(membership) = membership {
                    // The sync worker starts once the register is on screen; its wasm loads and
                    // compiles off the page's thread.
                    wasm_bindgen_futures::spawn_local(async move {
                        browser::sleep(0).await;
                        state.join_store(membership);
                    });
                }
                state.persist_open_ticket();
                state.load_drawer_openings();
                watch_connection(state);
                listen_for_sales(state);
                scanner::listen(state.on_scanner());
                hid_scanner::listen(state.on_scanner());
                // A paid ticket whose commit was interrupted (a crash, a closed tab) is committed
                // now; the sale id it carries makes this safe if it had in fact been kept.
                if state
                    .payment
                    .with_untracked(|p| p.as_ref().is_some_and(|p| p.payment.is_paid()))
                {
                    state.complete_sale();
                }
                // A card payment was with the terminal when the page went away: ask the terminal
                // what became of it; it is recorded if approved and never sent a second time.
                if state
                    .payment
                    .with_untracked(|p| p.as_ref().is_some_and(|p| p.card_in_flight.is_some()))
                {
                    state::terminal::recover(state);
                }
                // The same for a refund: one with the terminal asks it, one paid back is recorded.
                state::refund::resume(state);
                wasm_bindgen_futures::spawn_local(async {
                    browser::persist_storage().await;
                });
            }
            Err(error) => {
                leptos::mount::mount_to_body(
                    move || view! { <views::StorageUnavailable lang error=error.clone() /> },
                );
            }
        }
    });
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

async fn boot(lang: Lang, slot: u32) -> Result<(AppState, Option<Membership>), StorageError> {
    let storage = IdbStorage::open(slot, new_device_code).await?;
    let storage: Rc<dyn Storage> = Rc::new(storage);
    let device = storage.device().await?;
    let (store, catalog) = match storage.load_catalog().await? {
        Some(saved) => saved,
        None => {
            let (store, catalog) = demo::food_truck(lang == Lang::Ru);
            storage.save_catalog(store.clone(), catalog.clone()).await?;
            (store, catalog)
        }
    };
    let open = storage.load_open_ticket().await?;
    let membership = storage.load_membership().await?;
    // Read before the screens start, so a sale completed at boot already prints.
    let printer = storage.load_printer().await?;
    let terminal = terminal::parse_settings(storage.load_setting(terminal::SETTINGS_KEY).await?);
    let state = AppState::new(lang, store, catalog, open, device.code, storage);
    state.printer.setup.set(printer);
    state.terminal.set(terminal);
    if let Some((screen, code)) = enrollment_link() {
        if membership.is_none() {
            state.screen.set(screen);
            state.enroll_code.set(code);
        }
    }
    if membership.is_some() {
        state.sync.set(engine_link::starting_status());
    }
    Ok((state, membership))
}

/// The setup link the server prints (`#/setup?code=...`) or a pairing link from the owner's
/// device (`#/pair?code=...`).
fn enrollment_link() -> Option<(Screen, String)> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let (path, query) = hash
        .trim_start_matches('#')
        .split_once('?')
        .unwrap_or((hash.trim_start_matches('#'), ""));
    let screen = match path {
        "/setup" => Screen::Setup,
        "/pair" => Screen::Join,
        _ => return None,
    };
    let code = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("code="))
        .map(|c| String::from(js_sys::decode_uri_component(c).unwrap_or_else(|_| c.into())))
        .unwrap_or_default();
    Some((screen, code))
}

/// Polls the server's health, so the status says "offline" while it cannot be reached.
fn watch_connection(state: AppState) {
    let check = move || {
        wasm_bindgen_futures::spawn_local(async move {
            let up = browser::server_answers("/health").await;
            state.connection.set(if up {
                Connection::Online
            } else {
                Connection::Offline
            });
        });
    };
    check();
    let Some(window) = web_sys::window() else {
        return;
    };
    let tick = Closure::<dyn FnMut()>::new(check);
    let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
        tick.as_ref().unchecked_ref(),
        HEALTH_POLL_MS,
    );
    let _ = window.add_event_listener_with_callback("online", tick.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback("offline", tick.as_ref().unchecked_ref());
    tick.forget();
}

/// Tells the other tabs of this register that a sale was kept.
pub fn announce_sale() {
    if let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) {
        let _ = channel.post_message(&"sale".into());
        channel.close();
    }
}

fn listen_for_sales(state: AppState) {
    let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) else {
        return;
    };
    let on_message = Closure::<dyn FnMut()>::new(move || {
        if state.screen.get_untracked() == Screen::Sales {
            state.load_sales(false);
        }
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // The channel must outlive this function to keep receiving.
    std::mem::forget(channel);
}

/// Shown when the browser gives us no storage at all: selling without it would lose sales.
pub fn storage_error_text(lang: Lang, error: &StorageError) -> String {
    match error {
        StorageError::Blocked => Msg::StorageBlocked.text(lang).to_string(),
        StorageError::QuotaExceeded => Msg::StorageFull.text(lang).to_string(),
        other => Msg::StorageUnavailable.fill(lang, &[("reason", &other.to_string())]),
    }
}
