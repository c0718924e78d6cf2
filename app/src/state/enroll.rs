//! Creating a store with the server's setup code, and joining one with a pairing code. The owner's
//! PIN is kept as an Argon2 hash in the store's settings, so that any device of the store can
//! check it offline; the plain PIN never leaves the device that typed it.

use leptos::prelude::{GetUntracked, Set};
use pos_core::{Currency, Store, Uuid};

use super::{AppState, Notice, Screen};
use crate::i18n::Msg;
use crate::sync::api::{self, ApiError};

/// Why an enrollment did not happen, as a message for the person at the device.
pub fn api_notice(error: &ApiError) -> Notice {
    match error.detail() {
        Some(detail) => Notice::Fault(error.msg(), detail),
        None => Notice::Error(error.msg(), Vec::new()),
    }
}

pub use pos_core::staff::{pin_matches, valid_pin};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewStore {
    pub setup_code: String,
    pub store_name: String,
    pub currency: String,
    pub locale: String,
    pub device_name: String,
    /// The owner's name, as the staff list and receipts show it.
    pub owner_name: String,
    pub pin: String,
}

fn leave_enrollment_screen(state: AppState) {
    if let Some(window) = web_sys::window() {
        let _ = window
            .history()
            .and_then(|h| h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/")));
    }
    state.enroll_code.set(String::new());
    // Creating a store takes a round trip to the server: a cashier who went to another screen
    // meanwhile stays there.
    if matches!(state.screen.get_untracked(), Screen::Setup | Screen::Join) {
        state.screen.set(Screen::Register);
    }
}

/// Keeps the membership the server gave and starts syncing; says why not otherwise. Returns the
/// store's name.
async fn enter_store(
    state: AppState,
    enrolled: Result<crate::storage::Membership, ApiError>,
) -> Option<String> {
    let membership = match enrolled {
        Ok(m) => m,
        Err(e) => {
            state.notice.set(Some(api_notice(&e)));
            return None;
        }
    };
    if let Err(e) = state.storage().save_membership(membership.clone()).await {
        state.notice.set(Some(crate::state::storage_notice(&e)));
        return None;
    }
    let name = membership.store_name.clone();
    state.join_store(membership);
    Some(name)
}

/// Creates the store on the server and writes its first documents: the profile, the catalog
/// this device sells from, the owner's PIN and this device's entry.
pub async fn create_store(state: AppState, form: NewStore) {
    let Some(currency) = Currency::from_code(&form.currency) else {
        return state.error(Msg::InvalidNumber);
    };
    // The store starts from this device's catalog: all of it, never the first screen only.
    if !state.catalog_whole.get_untracked() {
        return state.error(Msg::CatalogStillLoading);
    }
    let pin_hash = match super::staff::new_pin_hash(&form.pin) {
        Ok(hash) => hash,
        Err(notice) => return state.notice.set(Some(notice)),
    };
    let owner = api::FirstOwner {
        id: Uuid::now_v7(),
        name: match form.owner_name.trim() {
            "" => state.t(Msg::RoleNameOwner).to_string(),
            name => name.to_string(),
        },
        pin_hash: pin_hash.clone(),
    };
    let enrolled = api::create_store(
        &form.setup_code,
        form.store_name.trim(),
        &form.currency,
        &form.locale,
        form.device_name.trim(),
        &owner,
    )
    .await;
    let Some(store_name) = enter_store(state, enrolled).await else {
        return;
    };
    let Some(engine) = state.engine() else { return };
    let mut store: Store = state.store.get_untracked();
    store.name = store_name.clone();
    store.rules.currency = currency;
    store.receipt_language = form.locale.clone();
    let mut catalog = state.catalog.get_untracked();
    // A menu of this device's own with no prices yet is in the store's currency; one with prices
    // in another (the demo menu in euros for a store in roubles) keeps its currency until the
    // owner converts it or starts afresh (the menu screen offers both), never sold as is.
    if catalog.products.is_empty() {
        catalog.currency = Some(currency);
    }
    // The owner who made the store typed their PIN: they are the one at the till.
    state.signed_in_by_pin(owner.id);
    let pin_hash = Some(pin_hash);
    let result = engine
        .edit(crate::sync::protocol::Edit::NewStore {
            store: store.clone(),
            catalog,
            pin_hash,
        })
        .await;
    if let Err(e) = result {
        return state.notice.set(Some(crate::state::not_saved(e)));
    }
    state.adopt_store(store);
    leave_enrollment_screen(state);
    state.notice.set(Some(Notice::Done(
        Msg::StoreCreated,
        vec![("name", store_name)],
    )));
}

/// Joins a store with a pairing code; the store's settings and catalog then arrive by sync.
pub async fn join(state: AppState, code: String, device_name: String) {
    let Some(name) = enter_store(
        state,
        api::pair_device(code.trim(), device_name.trim()).await,
    )
    .await
    else {
        return;
    };
    // The engine takes this device's receipt prefix once the store's settings arrive.
    leave_enrollment_screen(state);
    state
        .notice
        .set(Some(Notice::Done(Msg::Joined, vec![("name", name)])));
}
