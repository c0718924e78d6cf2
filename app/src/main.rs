//! The register's page (the `pos-app` binary): boot and wiring. It opens the storage, restores
//! the open ticket, loads the first screen of the catalog (or seeds the demo menu), mounts the
//! screens, and only then reads the rest of the catalog and starts the sync worker for a device
//! of a store. Everything it wires is in the `pos_app` library.

use std::rc::Rc;

use leptos::prelude::*;
use pos_app::i18n::Lang;
use pos_app::idb::IdbStorage;
use pos_app::state::{self, AppState, Connection, Screen};
use pos_app::storage::{Membership, Storage, StorageError};
use pos_app::{
    browser, engine_link, hid_scanner, initial_lang, new_device_code, printing, pwa, scanner,
    terminal, views,
};
use pos_core::demo;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

const HEALTH_POLL_MS: i32 = 10_000;
/// How often the idle lock is checked; the staff list is asked for every sixth time.
const STAFF_TICK_MS: i32 = 5_000;

fn main() {
    run_page();
}

/// The register, in the page.
fn run_page() {
    console_error_panic_hook::set_once();
    pwa::register_service_worker();
    // Leptos sets up its executor when mounting; booting awaits storage before that.
    wasm_bindgen_futures::spawn_local(async {
        let lang = initial_lang();
        // Without Web Locks a second tab gets no ticket slot: it says so instead of sharing the
        // first tab's ticket and card payment.
        let Some(slot) = browser::ticket_slot().await else {
            leptos::mount::mount_to_body(move || view! { <views::AlreadyOpen lang /> });
            browser::remove_boot_splash();
            return;
        };
        match boot(lang, slot).await {
            Ok((state, membership)) => {
                leptos::mount::mount_to_body(move || view! { <views::App state /> });
                browser::remove_boot_splash();
                if let Some(membership) = membership {
                    // The sync worker starts once the register is on screen; its wasm loads and
                    // compiles off the page's thread.
                    wasm_bindgen_futures::spawn_local(async move {
                        browser::sleep(0).await;
                        state.join_store(membership);
                    });
                }
                if !state.catalog_whole.get_untracked() {
                    wasm_bindgen_futures::spawn_local(async move {
                        browser::sleep(0).await;
                        state.load_whole_catalog();
                    });
                }
                state.persist_open_ticket();
                state.load_drawer_openings();
                state.load_shifts();
                state.load_customers();
                watch_connection(state);
                watch_staff(state);
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
                browser::remove_boot_splash();
            }
        }
    });
}

async fn boot(lang: Lang, slot: u32) -> Result<(AppState, Option<Membership>), StorageError> {
    let storage = IdbStorage::open(slot, new_device_code).await?;
    let storage: Rc<dyn Storage> = Rc::new(storage);
    let device = storage.device().await?;
    // Only the first screen of a large catalog: the rest is read once the register is drawn.
    let (store, catalog, whole) = match storage.load_catalog_start().await? {
        Some(start) => (start.store, start.catalog, start.whole),
        None => {
            let (store, catalog) = demo::food_truck(lang == Lang::Ru);
            storage.save_catalog(store.clone(), catalog.clone()).await?;
            (store, catalog, true)
        }
    };
    let open = storage.load_open_ticket().await?;
    let membership = storage.load_membership().await?;
    // Read before the screens start, so a sale completed at boot already prints.
    let printer = printing::load_setup(&*storage).await?;
    let terminal = terminal::parse_settings(storage.load_setting(terminal::SETTINGS_KEY).await?);
    let state = AppState::new(lang, store, catalog, open, device.code, storage);
    state.catalog_whole.set(whole);
    state.printer.setup.set(printer);
    state.terminal.set(terminal);
    if let Some((screen, code)) = enrollment_link() {
        if membership.is_none() {
            state.screen.set(screen);
            state.enroll_code.set(code);
        }
    }
    if let Some(membership) = &membership {
        state.sync.set(engine_link::starting_status());
        // Before the first paint: a till with staff opens locked, never showing the register first.
        state.adopt_staff(membership);
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

/// Asks the server for a newer staff list now and then (a member added or dismissed on another
/// device), locks the till after the owner's idle time, and counts every touch as activity.
fn watch_staff(state: AppState) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let touched = Closure::<dyn FnMut()>::new(move || state.touched());
    for event in ["pointerdown", "keydown"] {
        let _ = window.add_event_listener_with_callback_and_bool(
            event,
            touched.as_ref().unchecked_ref(),
            true,
        );
    }
    touched.forget();
    let ticks = std::cell::Cell::new(0u32);
    let tick = Closure::<dyn FnMut()>::new(move || {
        state.lock_if_idle();
        ticks.set(ticks.get().wrapping_add(1));
        if ticks.get() % 6 == 0 {
            state.refresh_staff();
        }
    });
    let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
        tick.as_ref().unchecked_ref(),
        STAFF_TICK_MS,
    );
    tick.forget();
}

fn listen_for_sales(state: AppState) {
    let Ok(channel) = web_sys::BroadcastChannel::new(pos_app::SALES_CHANNEL) else {
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
