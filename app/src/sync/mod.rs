//! Sync in the browser: the store's documents ([`docs`]), the enrollment API ([`api`]) and the
//! connection that drives core's [`SyncClient`] over a `WebSocket` to the server, with backoff.
//!
//! Order of events that keeps money safe: a sale's document changes are made inside the sale's
//! IndexedDB transaction and sent only after it has committed; received changes are applied in
//! memory, answered, and written (documents, sync states and other devices' sales) in one
//! transaction shortly after. A crash loses at most received changes, which the next sync
//! brings again, because the stored sync state is never ahead of the stored documents.

pub mod api;
pub mod enroll;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::sync::{Incoming, SyncClient};
use pos_core::{BusinessDay, DeviceEntry, DocumentId, Sale, Uuid};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::state::AppState;
use crate::storage::{DocWrite, Membership, RecordRefund, RecordSale, Storage};
use pos_core::{DocRole as Role, StoreDocs, chunk_prefix, sync_state_key};

const LAST_SYNC_KEY: &str = "last_sync";
/// Tabs of this device tell each other which documents they stored.
const DOCS_CHANNEL: &str = "register-docs";

#[wasm_bindgen(inline_js = r#"
export function lead_sync(on_lead) {
  // One tab of the device talks to the server (the server knows the device as one peer); the
  // others wait for the lock, and take over when that tab closes.
  if (!navigator.locks) { on_lead(); return; }
  navigator.locks.request('register-sync-leader', () => { on_lead(); return new Promise(() => {}); });
}
"#)]
extern "C" {
    fn lead_sync(on_lead: &JsValue);
}
const RETRY_FIRST_MS: u32 = 1_000;
const RETRY_MAX_MS: u32 = 30_000;

/// The link to the sync server, as the header shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// Not a device of a store: nothing to sync.
    Standalone,
    Connecting,
    Online,
    Offline,
    /// The owner removed this device from the store.
    Removed,
    /// Another tab of this device syncs; this one shares its documents through storage.
    OtherTab,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SyncStatus {
    pub link: Link,
    /// Changes of this device's documents the server has not acknowledged.
    pub unacknowledged: usize,
    /// When every open document last matched the server (ms since the epoch).
    pub last_sync_ms: Option<f64>,
    /// (documents in sync, documents open) while a new device downloads the store.
    pub downloading: Option<(usize, usize)>,
    pub error: Option<String>,
}

impl Default for SyncStatus {
    fn default() -> Self {
        SyncStatus {
            link: Link::Standalone,
            unacknowledged: 0,
            last_sync_ms: None,
            downloading: None,
            error: None,
        }
    }
}

pub struct Engine {
    pub docs: StoreDocs,
    client: SyncClient,
    membership: Membership,
    /// Names the server in stored sync-state keys.
    server: String,
    socket: Option<web_sys::WebSocket>,
    /// A sale is being committed: its documents must not be sent before they are stored.
    committing: bool,
    /// What the sale being committed writes, marked saved once its transaction commits.
    pending_writes: Vec<DocWrite>,
    saving: bool,
    save_again: bool,
    status_scheduled: bool,
    /// Other devices' days that received changes since the last save: their sales are projected.
    changed_days: BTreeSet<DocumentId>,
    retry_ms: u32,
    failures_in_a_row: u32,
    /// A joining device enters itself in the settings once they have arrived.
    awaiting_settings: bool,
    stopped: bool,
    storage: Rc<dyn Storage>,
    state: AppState,
}

pub type Shared = Rc<RefCell<Engine>>;

/// The local date of a moment, which names the business day of a sale made then.
pub fn business_day(at_ms: f64) -> BusinessDay {
    let date = js_sys::Date::new(&JsValue::from_f64(at_ms));
    BusinessDay::new(
        date.get_full_year() as i32,
        date.get_month() + 1,
        date.get_date(),
    )
    .unwrap_or_else(|| BusinessDay::new(2000, 1, 1).expect("a valid date"))
}

fn server_name() -> String {
    web_sys::window()
        .and_then(|w| w.location().host().ok())
        .unwrap_or_default()
}

fn sync_url(token: &str) -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    let token = String::from(js_sys::encode_uri_component(token));
    Some(format!(
        "{scheme}://{}/sync?token={token}",
        location.host().ok()?
    ))
}

/// Opens the store's documents from storage and starts syncing them.
pub async fn start(
    state: AppState,
    storage: Rc<dyn Storage>,
    membership: Membership,
    session: u32,
) -> Shared {
    let server = server_name();
    let today = business_day(js_sys::Date::now());
    let mut docs = StoreDocs::new(membership.store_id, membership.device_id, session);
    let mut client = SyncClient::new(
        membership.peer_id.clone(),
        Some(membership.device_id.to_string()),
    );
    let mut problems = Vec::new();
    for (id, role) in docs.standing(today) {
        problems.extend(
            open_stored(
                &mut docs,
                &mut client,
                &*storage,
                &server,
                id,
                role,
                today,
                membership.device_id,
            )
            .await,
        );
    }
    let yesterday = business_day(js_sys::Date::now() - 86_400_000.0);
    for (id, owner, day) in docs.days_in_index(&[today, yesterday]) {
        problems.extend(
            open_stored(
                &mut docs,
                &mut client,
                &*storage,
                &server,
                id,
                Role::OtherDay,
                day,
                owner,
            )
            .await,
        );
    }
    for problem in problems {
        web_sys::console::warn_1(
            &format!("a stored document chunk did not load: {problem}").into(),
        );
    }
    let last_sync_ms = storage
        .load_setting(LAST_SYNC_KEY)
        .await
        .ok()
        .flatten()
        .and_then(|v| v.as_f64());
    let engine = Engine {
        docs,
        client,
        membership,
        server,
        socket: None,
        committing: false,
        pending_writes: Vec::new(),
        saving: false,
        save_again: false,
        status_scheduled: false,
        changed_days: BTreeSet::new(),
        retry_ms: RETRY_FIRST_MS,
        failures_in_a_row: 0,
        awaiting_settings: false,
        stopped: false,
        storage,
        state,
    };
    let shared = Rc::new(RefCell::new(engine));
    state.sync.update(|s| {
        s.link = Link::OtherTab;
        s.last_sync_ms = last_sync_ms;
    });
    publish_store(&shared, &[Role::Settings, Role::Catalog, Role::Stock]);
    update_status(&shared);
    listen_to_other_tabs(&shared);
    let leader = shared.clone();
    lead_sync(&Closure::once_into_js(move || {
        leader
            .borrow()
            .state
            .sync
            .update(|s| s.link = Link::Connecting);
        connect(&leader);
        listen_for_network(&leader);
    }));
    shared
}

/// Tells the other tabs which documents this tab stored.
fn announce_stored(ids: &[DocumentId]) {
    if ids.is_empty() {
        return;
    }
    if let Ok(channel) = web_sys::BroadcastChannel::new(DOCS_CHANNEL) {
        let names: Vec<String> = ids.iter().map(ToString::to_string).collect();
        let _ = channel.post_message(&JsValue::from_str(&names.join(",")));
        channel.close();
    }
}

/// Reads what other tabs stored into this tab's documents, and sends it on when this tab syncs.
fn listen_to_other_tabs(shared: &Shared) {
    let Ok(channel) = web_sys::BroadcastChannel::new(DOCS_CHANNEL) else {
        return;
    };
    let shared = shared.clone();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let Some(names) = event.data().as_string() else {
                return;
            };
            let ids: Vec<DocumentId> = names.split(',').filter_map(|n| n.parse().ok()).collect();
            let shared = shared.clone();
            spawn_local(async move {
                let storage = shared.borrow().storage.clone();
                let mut roles = Vec::new();
                for id in &ids {
                    if !shared.borrow().docs.is_open(*id) {
                        continue;
                    }
                    let chunks = storage
                        .load_doc_chunks(chunk_prefix(*id))
                        .await
                        .unwrap_or_default();
                    let mut e = shared.borrow_mut();
                    if e.docs.merge_stored(*id, &chunks) {
                        roles.extend(e.docs.role(*id));
                    }
                }
                publish_store(&shared, &roles);
                flush(&shared, &ids);
                schedule_status(&shared);
            });
        });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // The channel must outlive this function to keep receiving.
    std::mem::forget(channel);
}

#[allow(clippy::too_many_arguments)]
async fn open_stored(
    docs: &mut StoreDocs,
    client: &mut SyncClient,
    storage: &dyn Storage,
    server: &str,
    id: DocumentId,
    role: Role,
    day: BusinessDay,
    owner: Uuid,
) -> Vec<String> {
    let chunks = storage
        .load_doc_chunks(chunk_prefix(id))
        .await
        .unwrap_or_default();
    let state_key = sync_state_key(id, server);
    let sync_state = chunks
        .iter()
        .find(|(k, _)| *k == state_key)
        .map(|(_, v)| v.clone());
    let problems = docs.open(id, role, day, owner, &chunks);
    client.track(id, sync_state.as_deref());
    problems
}

fn connect(shared: &Shared) {
    let (url, stopped) = {
        let e = shared.borrow();
        (sync_url(&e.membership.device_token), e.stopped)
    };
    if stopped {
        return;
    }
    let Some(url) = url else { return };
    let Ok(socket) = web_sys::WebSocket::new(&url) else {
        schedule_reconnect(shared);
        return;
    };
    socket.set_binary_type(web_sys::BinaryType::Arraybuffer);

    let on_open = {
        let shared = shared.clone();
        Closure::<dyn FnMut()>::new(move || {
            let join = shared.borrow_mut().client.connect();
            send(&shared, &join);
        })
    };
    let on_message = {
        let shared = shared.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            if let Ok(buffer) = event.data().dyn_into::<js_sys::ArrayBuffer>() {
                receive(&shared, &js_sys::Uint8Array::new(&buffer).to_vec());
            }
        })
    };
    let on_close = {
        let shared = shared.clone();
        Closure::<dyn FnMut()>::new(move || closed(&shared))
    };
    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    // The socket owns its handlers for its life; they are dropped with the page.
    on_open.forget();
    on_message.forget();
    on_close.forget();
    shared.borrow_mut().socket = Some(socket);
}

fn send(shared: &Shared, bytes: &[u8]) {
    let e = shared.borrow();
    if let Some(socket) = &e.socket {
        if socket.ready_state() == web_sys::WebSocket::OPEN {
            let _ = socket.send_with_u8_array(bytes);
        }
    }
}

fn closed(shared: &Shared) {
    let was_ready = {
        let mut e = shared.borrow_mut();
        let was_ready = e.client.is_ready();
        e.client.disconnected();
        e.socket = None;
        if was_ready {
            e.retry_ms = RETRY_FIRST_MS;
            e.failures_in_a_row = 0;
        } else {
            e.failures_in_a_row += 1;
        }
        was_ready
    };
    let state = shared.borrow().state;
    state.sync.update(|s| s.link = Link::Offline);
    if !was_ready && shared.borrow().failures_in_a_row >= 2 {
        check_still_enrolled(shared);
    }
    schedule_reconnect(shared);
}

/// A socket refused over and over may mean the owner revoked this device: ask the API, which
/// says so plainly, and stop retrying if so.
fn check_still_enrolled(shared: &Shared) {
    let shared = shared.clone();
    let token = shared.borrow().membership.device_token.clone();
    spawn_local(async move {
        if let Ok(false) = api::token_valid(&token).await {
            let state = {
                let mut e = shared.borrow_mut();
                e.stopped = true;
                e.state
            };
            state.sync.update(|s| s.link = Link::Removed);
        }
    });
}

fn schedule_reconnect(shared: &Shared) {
    let delay = {
        let mut e = shared.borrow_mut();
        if e.stopped {
            return;
        }
        let delay = e.retry_ms;
        e.retry_ms = (e.retry_ms * 2).min(RETRY_MAX_MS);
        // Jitter, so that devices that lost the server together do not return in lockstep.
        delay + (js_sys::Math::random() * f64::from(delay) / 4.0) as u32
    };
    let shared = shared.clone();
    set_timeout(
        move || {
            if shared.borrow().socket.is_none() {
                connect(&shared);
            }
        },
        Duration::from_millis(u64::from(delay)),
    );
}

/// Reconnects at once when the browser says the network is back.
fn listen_for_network(shared: &Shared) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let shared = shared.clone();
    let on_online = Closure::<dyn FnMut()>::new(move || {
        shared.borrow_mut().retry_ms = RETRY_FIRST_MS;
        if shared.borrow().socket.is_none() {
            connect(&shared);
        }
    });
    let _ = window.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
    on_online.forget();
}

fn receive(shared: &Shared, bytes: &[u8]) {
    let incoming = shared.borrow_mut().client.receive(bytes);
    match incoming {
        Ok(Incoming::Ready) => {
            shared.borrow().state.sync.update(|s| {
                s.link = Link::Online;
                s.error = None;
            });
            let ids = shared.borrow().docs.ids();
            flush(shared, &ids);
        }
        Ok(Incoming::Sync { document, message }) => {
            let role = {
                let mut guard = shared.borrow_mut();
                let e = &mut *guard;
                let Some(doc) = e.docs.doc_mut(document) else {
                    return;
                };
                let before = doc.get_heads();
                if let Err(err) = e.client.apply(document, doc, message) {
                    web_sys::console::warn_1(&err.to_string().into());
                    return;
                }
                let changed = doc.get_heads() != before;
                let role = e.docs.role(document);
                if changed && role == Some(Role::OtherDay) {
                    e.changed_days.insert(document);
                }
                changed.then_some(role).flatten()
            };
            flush(shared, &[document]);
            if let Some(role) = role {
                publish_store(shared, &[role]);
                if role == Role::Settings && shared.borrow().awaiting_settings {
                    claim_device_code_when_settings_arrive(shared);
                }
                if role == Role::Index {
                    open_new_days(shared);
                }
            }
            schedule_save(shared);
        }
        Ok(Incoming::Unavailable(document)) => {
            web_sys::console::warn_1(
                &format!("the server will not share document {document}").into(),
            );
        }
        Ok(Incoming::ServerError(message)) => {
            shared
                .borrow()
                .state
                .sync
                .update(|s| s.error = Some(message));
        }
        Ok(Incoming::Ignored) => {}
        Err(err) => {
            shared
                .borrow()
                .state
                .sync
                .update(|s| s.error = Some(err.to_string()));
        }
    }
    schedule_status(shared);
}

/// Sends what each document has to say to the server.
fn flush(shared: &Shared, ids: &[DocumentId]) {
    let messages: Vec<Vec<u8>> = {
        let mut guard = shared.borrow_mut();
        let e = &mut *guard;
        if !e.client.is_ready() {
            return;
        }
        let committing = e.committing;
        ids.iter()
            .filter_map(|id| {
                let role = e.docs.role(*id)?;
                // This device's own changes go out only once the sale that made them is stored.
                if committing && matches!(role, Role::OwnDay | Role::Stock | Role::Index) {
                    return None;
                }
                let doc = e.docs.doc_mut(*id)?;
                e.client.outgoing(*id, doc)
            })
            .collect()
    };
    for message in messages {
        send(shared, &message);
    }
}

/// Other devices' days that the month's index lists and this device has not opened yet.
fn open_new_days(shared: &Shared) {
    let shared = shared.clone();
    spawn_local(async move {
        let today = business_day(js_sys::Date::now());
        let yesterday = business_day(js_sys::Date::now() - 86_400_000.0);
        let (new_days, storage, server) = {
            let mut e = shared.borrow_mut();
            let days = e.docs.days_in_index(&[today, yesterday]);
            let new: Vec<_> = days
                .into_iter()
                .filter(|(id, _, _)| !e.docs.is_open(*id))
                .collect();
            (new, e.storage.clone(), e.server.clone())
        };
        if new_days.is_empty() {
            return;
        }
        let mut loaded = Vec::new();
        for (id, owner, day) in new_days {
            let chunks = storage
                .load_doc_chunks(chunk_prefix(id))
                .await
                .unwrap_or_default();
            loaded.push((id, owner, day, chunks));
        }
        let ids: Vec<DocumentId> = {
            let mut guard = shared.borrow_mut();
            let e = &mut *guard;
            let mut ids = Vec::new();
            for (id, owner, day, chunks) in loaded {
                if e.docs.is_open(id) {
                    continue;
                }
                let state_key = sync_state_key(id, &server);
                let sync_state = chunks
                    .iter()
                    .find(|(k, _)| *k == state_key)
                    .map(|(_, v)| v.clone());
                e.docs.open(id, Role::OtherDay, day, owner, &chunks);
                e.client.track(id, sync_state.as_deref());
                e.changed_days.insert(id);
                ids.push(id);
            }
            ids
        };
        flush(&shared, &ids);
        schedule_save(&shared);
        schedule_status(&shared);
    });
}

/// Shows what changed in the store's documents: the catalog, the store profile, the stock.
fn publish_store(shared: &Shared, roles: &[Role]) {
    let (state, storage) = {
        let e = shared.borrow();
        (e.state, e.storage.clone())
    };
    let mut e = shared.borrow_mut();
    if roles.contains(&Role::Settings) {
        if let Some(store) = e.docs.store_profile() {
            if state.store.with_untracked(|s| *s != store) {
                state.store.set(store);
            }
        }
    }
    if roles.contains(&Role::Settings) || roles.contains(&Role::Catalog) {
        if let Some(catalog) = e.docs.catalog() {
            if state.catalog.with_untracked(|c| *c != catalog) {
                let store = e
                    .docs
                    .store_profile()
                    .unwrap_or_else(|| state.store.get_untracked());
                state.catalog.set(catalog.clone());
                // Kept as the quick-start copy too, so the next start shows it at once.
                spawn_local(async move {
                    let _ = storage.save_catalog(store, catalog).await;
                });
            }
        }
        state.price_conflicts.set(e.docs.price_conflicts());
    }
    if roles.contains(&Role::Stock) {
        let today = business_day(js_sys::Date::now());
        // Keeps this device's view of last month's closing in this month's stock, for next month;
        // stored and sent with the next save. A failure only leaves the previous view there.
        let _ = e.docs.carry_stock_over(today);
        let levels = e.docs.stock_levels(today);
        if state.stock.with_untracked(|s| *s != levels) {
            state.stock.set(levels);
        }
    }
}

/// Writes received changes (and the sales they carry) soon, in one transaction.
pub fn schedule_save(shared: &Shared) {
    {
        let mut e = shared.borrow_mut();
        if e.saving {
            e.save_again = true;
            return;
        }
        e.saving = true;
    }
    let shared = shared.clone();
    set_timeout(move || save(shared), Duration::from_millis(50));
}

fn save(shared: Shared) {
    let (writes, days, sales, storage) = {
        let mut guard = shared.borrow_mut();
        let e = &mut *guard;
        e.save_again = false;
        let states = sync_states(e);
        let server = e.server.clone();
        let writes = e.docs.unsaved(Some(&server), &states);
        let days: Vec<DocumentId> = std::mem::take(&mut e.changed_days).into_iter().collect();
        let sales: Vec<Sale> = days.iter().flat_map(|id| e.docs.sales_in(*id)).collect();
        (writes, days, sales, e.storage.clone())
    };
    spawn_local(async move {
        let had_sales = !sales.is_empty();
        let result = storage.save_docs(writes.clone(), sales).await;
        let again = {
            let mut e = shared.borrow_mut();
            e.saving = false;
            match &result {
                Ok(()) => {
                    e.docs.saved(&writes);
                    announce_stored(&written_ids(&writes));
                    // A write that failed before (a full disk, say) has now gone through.
                    e.state.sync.update(|s| s.error = None);
                }
                Err(err) => {
                    // Nothing was stored: the days' sales are projected again with the next write.
                    e.changed_days.extend(days);
                    e.state.sync.update(|s| s.error = Some(err.to_string()));
                }
            }
            e.save_again
        };
        if result.is_err() {
            // Storage may come back (space freed) with nothing new arriving: try again later.
            let retry = shared.clone();
            set_timeout(move || schedule_save(&retry), Duration::from_secs(5));
        }
        if result.is_ok() && had_sales {
            let state = shared.borrow().state;
            if state.screen.get_untracked() == crate::state::Screen::Sales {
                state.load_sales(false);
            }
        }
        if again {
            schedule_save(&shared);
        }
    });
}

fn written_ids(writes: &[DocWrite]) -> Vec<DocumentId> {
    writes
        .iter()
        .filter_map(|w| w.chunk.as_ref()?.key.split('/').next()?.parse().ok())
        .collect()
}

fn sync_states(e: &Engine) -> BTreeMap<DocumentId, Vec<u8>> {
    e.docs
        .ids()
        .into_iter()
        .filter_map(|id| Some((id, e.client.sync_state(id)?)))
        .collect()
}

/// Recomputes the figures of the sync status at most a few times a second.
fn schedule_status(shared: &Shared) {
    {
        let mut e = shared.borrow_mut();
        if e.status_scheduled {
            return;
        }
        e.status_scheduled = true;
    }
    let shared = shared.clone();
    set_timeout(
        move || {
            shared.borrow_mut().status_scheduled = false;
            update_status(&shared);
        },
        Duration::from_millis(150),
    );
}

fn update_status(shared: &Shared) {
    let (state, unacknowledged, synced, total, ready, storage) = {
        let mut guard = shared.borrow_mut();
        let e = &mut *guard;
        let unacknowledged = e.docs.unacknowledged(&e.client);
        let (synced, total) = e.docs.synced_count(&e.client);
        (
            e.state,
            unacknowledged,
            synced,
            total,
            e.client.is_ready(),
            e.storage.clone(),
        )
    };
    let all_synced = ready && synced == total;
    let now = js_sys::Date::now();
    let first_download = state.sync.with_untracked(|s| s.last_sync_ms.is_none());
    state.sync.update(|s| {
        s.unacknowledged = unacknowledged;
        s.downloading = (ready && first_download && !all_synced).then_some((synced, total));
        if all_synced {
            s.last_sync_ms = Some(now);
        }
    });
    if all_synced {
        spawn_local(async move {
            let _ = storage
                .save_setting(LAST_SYNC_KEY, serde_json::json!(now))
                .await;
        });
    }
}

/// The recorder that `Storage::commit_sale` runs inside the sale's transaction.
pub fn recorder(shared: &Shared) -> RecordSale<'static> {
    let shared = shared.clone();
    shared.borrow_mut().committing = true;
    Box::new(move |sale: &Sale| {
        record_in_transaction(&shared, |docs| {
            docs.record_sale(sale, business_day(sale.completed_at_ms() as f64))
        })
    })
}

/// The refund's counterpart of [`recorder`]: records the refund (the day it is made, its goods
/// back to stock, the index row) inside the refund's transaction. Follow it with
/// [`sale_committed`], which marks what the transaction wrote as stored and sends it.
pub fn refund_recorder(shared: &Shared) -> RecordRefund<'static> {
    let shared = shared.clone();
    shared.borrow_mut().committing = true;
    Box::new(move |refund: &pos_core::Refund| {
        record_in_transaction(&shared, |docs| {
            docs.record_refund(refund, business_day(refund.at_ms as f64))
        })
    })
}

/// Runs `record` on the documents and returns the chunks to write in the caller's transaction,
/// kept until [`sale_committed`] says whether they were stored.
fn record_in_transaction(
    shared: &Shared,
    record: impl FnOnce(&mut StoreDocs) -> Result<Vec<pos_core::DocumentId>, pos_core::DocError>,
) -> Vec<DocWrite> {
    let mut guard = shared.borrow_mut();
    let e = &mut *guard;
    if let Err(err) = record(&mut e.docs) {
        // The sale or refund is still kept on this device; the error is shown and the documents
        // catch up on the next attempt, since recording is idempotent.
        e.state.sync.update(|s| s.error = Some(err.to_string()));
    }
    let states = sync_states(e);
    let server = e.server.clone();
    let writes = e.docs.unsaved(Some(&server), &states);
    e.pending_writes = writes.clone();
    writes
}

/// After the sale's transaction: what it wrote is stored, and its changes may now go out.
pub fn sale_committed(shared: &Shared, committed: bool) {
    let ids = {
        let mut e = shared.borrow_mut();
        e.committing = false;
        let writes = std::mem::take(&mut e.pending_writes);
        if committed {
            e.docs.saved(&writes);
            announce_stored(&written_ids(&writes));
        }
        for id in e.docs.ids() {
            if !e.client.is_tracked(id) {
                e.client.track(id, None);
            }
        }
        e.docs.ids()
    };
    flush(shared, &ids);
    publish_store(shared, &[Role::Stock]);
    schedule_status(shared);
}

/// Makes a local edit to the store's documents, stores it and sends it.
pub fn edit(
    shared: &Shared,
    roles: &[Role],
    change: impl FnOnce(&mut StoreDocs) -> Result<(), pos_core::DocError>,
) -> Result<(), pos_core::DocError> {
    change(&mut shared.borrow_mut().docs)?;
    let ids = shared.borrow().docs.ids();
    {
        // A count on the first day of a month opens that month's stock: sync it too.
        let mut e = shared.borrow_mut();
        for id in &ids {
            if !e.client.is_tracked(*id) {
                e.client.track(*id, None);
            }
        }
    }
    publish_store(shared, roles);
    schedule_save(shared);
    flush(shared, &ids);
    schedule_status(shared);
    Ok(())
}

/// Enters this device in the store's settings with a receipt-number prefix no other device of
/// the store uses, so receipt numbers stay unique across the store. Runs once the settings are
/// known (at once for the owner; for a joining device, when they arrive).
pub fn claim_device_code(shared: &Shared) {
    let shared = shared.clone();
    spawn_local(async move {
        let (state, storage, taken) = {
            let mut e = shared.borrow_mut();
            e.awaiting_settings = false;
            let me = e.membership.device_id;
            let taken: BTreeSet<String> = e
                .docs
                .device_codes()
                .into_iter()
                .filter(|(id, _)| *id != me)
                .map(|(_, c)| c)
                .collect();
            (e.state, e.storage.clone(), taken)
        };
        let mut code = state.device_code.get_untracked();
        if taken.contains(&code) {
            code = std::iter::repeat_with(crate::new_device_code)
                .find(|c| !taken.contains(c))
                .unwrap_or(code);
            if let Err(e) = storage.set_device_code(code.clone()).await {
                return state.notice.set(Some(crate::state::storage_notice(&e)));
            }
            state.device_code.set(code.clone());
        }
        register_device(&shared, &code);
    });
}

/// Waits for the store's settings before entering this device in them (a joining device).
pub fn claim_device_code_when_settings_arrive(shared: &Shared) {
    let ready = shared.borrow_mut().docs.store_profile().is_some();
    if ready {
        claim_device_code(shared);
    } else {
        shared.borrow_mut().awaiting_settings = true;
    }
}

/// This device's entry in the store's settings (its name and receipt-number prefix).
fn register_device(shared: &Shared, code: &str) {
    let entry = {
        let e = shared.borrow();
        DeviceEntry {
            id: e.membership.device_id,
            name: e.membership.device_name.clone(),
            code: code.to_owned(),
            revoked: false,
        }
    };
    let _ = edit(shared, &[Role::Settings], |docs| docs.put_device(&entry));
}
