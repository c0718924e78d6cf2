//! Sync in the browser: the store's documents ([`docs`]), the enrollment API ([`api`]) and the
//! connection that drives core's [`SyncClient`] over a `WebSocket` to the server, with backoff.
//!
//! Order of events that keeps money safe: a sale or refund is committed as a plain record with an
//! outbox entry (`Storage::commit_sale`, `commit_refund`); only then does the engine of the tab
//! that holds the device's sync lock fold the outbox into the documents (loading each document's
//! stored chunks first), store them and drop the folded entries in one transaction, and only
//! after that send them. No document is sent while it holds changes that are not stored, so
//! nothing reaches the server that this device does not have on disk; a failed write of a local
//! edit is undone in memory. Received changes are applied in memory and written (documents, sync
//! states, other devices' sales and refunds) in one transaction shortly after; a crash loses at
//! most those, which the next sync brings again, because the stored sync state is never ahead
//! of the stored documents.

pub mod api;
mod catalog_edit;
mod connection;
pub mod customer_keys;
mod device_code;
mod documents;
pub mod gift_card_desk;
pub mod gift_cards;
pub mod loyalty;
mod outbox;
pub mod protocol;
mod publish;
mod saving;
mod status;
mod store_day;
pub mod worker;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::time::Duration;

use pos_core::sync::{Incoming, SyncClient};
use pos_core::{BusinessDay, Catalog, DeviceEntry, DocumentId, Sale, Store, Uuid};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use crate::storage::{DocWrite, Membership, Outgoing, Storage};
use connection::*;
pub use device_code::*;
pub use documents::*;
pub use outbox::*;
use pos_core::{DocRole as Role, StoreDocs, chunk_prefix, sync_state_key};
use protocol::FromEngine;
use publish::*;
pub use saving::*;
use status::*;
pub use store_day::*;

const LAST_SYNC_KEY: &str = "last_sync";
/// Tabs of this device tell each other which documents they stored.
const DOCS_CHANNEL: &str = "register-docs";
/// A tab that committed a sale or refund tells the tab that folds the outbox.
const OUTBOX_CHANNEL: &str = "register-outbox";
/// How many days back a device that was away looks for the other devices' sales.
const CATCH_UP_DAYS: i64 = 31;
const DAY_MS: f64 = 86_400_000.0;

#[wasm_bindgen(inline_js = r#"
export function lead_sync(on_lead) {
  // One tab of the device talks to the server (the server knows the device as one peer); the
  // others wait for the lock, and take over when that tab closes. Without Web Locks only one tab
  // runs at all (only_tab.rs), so it leads.
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncLink {
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub link: SyncLink,
    /// Changes of this device's documents the server has not acknowledged.
    pub unacknowledged: usize,
    /// When every open document last matched the server (ms since the epoch).
    pub last_sync_ms: Option<f64>,
    /// (documents in sync, documents open) while a new device downloads the store.
    pub downloading: Option<(usize, usize)>,
    pub error: Option<String>,
    /// A stored document that did not load or merge, or a record the documents refused.
    pub document_problem: Option<String>,
    /// The sync worker did not start or stopped (set by the page, never by the engine).
    #[serde(default)]
    pub engine_failed: Option<String>,
    /// Sales this device made before it belonged to the store, not yet added to it.
    pub before_joining: usize,
}

impl Default for SyncStatus {
    fn default() -> Self {
        SyncStatus {
            link: SyncLink::Standalone,
            unacknowledged: 0,
            last_sync_ms: None,
            downloading: None,
            error: None,
            document_problem: None,
            engine_failed: None,
            before_joining: 0,
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
    /// This tab holds the device's sync lock: it talks to the server and folds the outbox.
    leader: bool,
    draining: bool,
    drain_again: bool,
    /// Outbox records of this store not yet folded into the documents.
    outbox_len: usize,
    /// Sales this device made before it belonged to a store, waiting for the owner's word.
    before_joining: Vec<String>,
    /// This device's days with changes the server has not acknowledged.
    unacked_days: BTreeSet<BusinessDay>,
    /// Sales and refunds of other devices' days already copied into this device's lists.
    projected: BTreeMap<DocumentId, BTreeSet<Uuid>>,
    /// Stored documents that did not load: shown, never only logged.
    problems: Vec<String>,
    /// The other devices' rows of the open month indexes as last seen, to tell which changed.
    index_rows_seen: BTreeMap<DocumentId, pos_core::DayEntry>,
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
    /// Tells the page what changed (a `postMessage` in the worker).
    tell: Rc<dyn Fn(FromEngine)>,
    /// The status as the page last heard it.
    status: SyncStatus,
    /// This device's receipt prefix.
    device_code: String,
    /// What the page was last told of the store, so nothing unchanged is sent again.
    shown: Shown,
    /// The parts of a large catalog edit that came so far, and the edit they belong to.
    catalog_parts: Option<(Uuid, Vec<pos_core::CatalogEdit>)>,
    /// The customers' keys as stored on this device (read again at every fold of the outbox,
    /// which a page's new key or a key list from the server announces).
    customer_keys: pos_core::customer::sealed::Keyring,
}

#[derive(Default)]
struct Shown {
    store: Option<Store>,
    catalog: Option<Catalog>,
    stock: Option<BTreeMap<String, Decimal>>,
    customers: Option<pos_core::customer::CustomerDirectory>,
    price_conflicts: Option<Vec<pos_core::PriceConflict>>,
    /// While the page's own catalog edit is made: the catalog the page shows once it is (what it
    /// was told, with the edits), in id order. That catalog is not sent to it again.
    page_catalog: Option<Catalog>,
}

/// The one engine of this worker, held by every callback that reaches it (socket, timers, the
/// other tabs' channel); one thread, so a `RefCell` and never a borrow across an `.await`.
pub type SharedEngine = Rc<RefCell<Engine>>;

/// Document writes go one at a time: each takes what is not stored, stores it and marks it
/// stored, and two at once would each think the other's chunks their own.
fn write_lock() -> &'static futures::lock::Mutex<()> {
    thread_local! {
        static LOCK: &'static futures::lock::Mutex<()> =
            Box::leak(Box::new(futures::lock::Mutex::new(())));
    }
    LOCK.with(|l| *l)
}

thread_local! {
    static CLOCK_OFFSET: Cell<f64> = const { Cell::new(0.0) };
}

/// The register's clock, which is the page's: every message from the page carries its time, so
/// the worker's days are the page's days (the same clock in a browser; in tests the page's clock
/// can be set and the worker's cannot).
pub fn now() -> f64 {
    js_sys::Date::now() + CLOCK_OFFSET.with(Cell::get)
}

pub(crate) fn follow_page_clock(page_now_ms: f64) {
    CLOCK_OFFSET.with(|c| c.set(page_now_ms - js_sys::Date::now()));
}

/// Runs `f` after `delay`, in a page or a worker (Leptos's `set_timeout` needs a window).
pub(crate) fn set_timeout(f: impl FnOnce() + 'static, delay: Duration) {
    spawn_local(async move {
        crate::browser::sleep(u32::try_from(delay.as_millis()).unwrap_or(u32::MAX)).await;
        f();
    });
}

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

/// A part of the page's or the worker's `location` (same origin either way).
fn location(part: &str) -> Option<String> {
    let location = js_sys::Reflect::get(&js_sys::global(), &"location".into()).ok()?;
    js_sys::Reflect::get(&location, &part.into())
        .ok()?
        .as_string()
}

fn server_name() -> String {
    location("host").unwrap_or_default()
}

/// The sync WebSocket's URL. It carries no token: that goes in [`sync_protocols`], since
/// proxies log URLs.
fn sync_url() -> Option<String> {
    let scheme = if location("protocol")? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}/sync", location("host")?))
}

/// The subprotocols the sync WebSocket offers: the protocol, and the device token beside it
/// (the server's `sync::SYNC_PROTOCOL`; a browser can set no other header on a WebSocket).
fn sync_protocols(token: &str) -> js_sys::Array {
    let offered = js_sys::Array::new();
    offered.push(&"pos-sync.v1".into());
    offered.push(&format!("pos-token.{token}").into());
    offered
}

/// Opens the store's documents from storage and starts syncing them; `tell` hears what changed.
pub async fn start(
    tell: Rc<dyn Fn(FromEngine)>,
    storage: Rc<dyn Storage>,
    membership: Membership,
    device_code: String,
) -> SharedEngine {
    let server = server_name();
    let now = now();
    let today = business_day(now);
    let mut problems = Vec::new();
    // A writer number never used before on this device (see `Storage::next_writer_session`).
    let session = match storage.next_writer_session().await {
        Ok(n) => n,
        Err(e) => {
            problems.push(e.to_string());
            // Random and far above any counter: a collision is as unlikely as a UUID's.
            u32::MAX / 2 + (js_sys::Math::random() * f64::from(u32::MAX / 2)) as u32
        }
    };
    let mut docs = StoreDocs::new(membership.store_id, membership.device_id, session);
    let mut client = SyncClient::new(
        membership.peer_id.clone(),
        Some(membership.device_id.to_string()),
    );
    let mut wanted: Vec<(DocumentId, Role, BusinessDay, Uuid)> = docs
        .standing(today)
        .into_iter()
        .map(|(id, role)| (id, role, today, membership.device_id))
        .collect();
    // Every day of this device the server has not acknowledged, whatever its date.
    let unacked_days: BTreeSet<BusinessDay> = storage
        .unacknowledged_days()
        .await
        .unwrap_or_else(|e| {
            problems.push(e.to_string());
            Vec::new()
        })
        .iter()
        .filter_map(|d| d.parse().ok())
        .collect();
    for day in &unacked_days {
        wanted.push((
            docs.day_id(membership.device_id, *day),
            Role::OwnDay,
            *day,
            membership.device_id,
        ));
        wanted.push((docs.index_id(*day), Role::Index, *day, membership.device_id));
    }
    let last_sync_ms = storage
        .load_setting(LAST_SYNC_KEY)
        .await
        .ok()
        .flatten()
        .and_then(|v| v.as_f64());
    // The other devices' days since this device last synced (at least today and yesterday).
    let catch_up = catch_up_days(now, last_sync_ms);
    for day in &catch_up {
        wanted.push((docs.index_id(*day), Role::Index, *day, membership.device_id));
    }
    problems.extend(open_all(&mut docs, &mut client, &*storage, &server, wanted).await);
    // The other devices' days those indexes list (their rows are read only once they are open).
    let others = docs
        .days_in_index(&catch_up)
        .into_iter()
        .map(|(id, owner, day)| (id, Role::OtherDay, day, owner))
        .collect();
    problems.extend(open_all(&mut docs, &mut client, &*storage, &server, others).await);
    let index_rows_seen = docs.other_devices_rows().into_iter().collect();
    // What the page shows at start is the quick-start copy: the catalog is sent only if it differs.
    let shown = match storage.load_catalog().await {
        Ok(Some((store, catalog))) => Shown {
            store: Some(store),
            catalog: Some(catalog),
            ..Shown::default()
        },
        _ => Shown::default(),
    };
    let customer_keys = storage.customer_keys().await.unwrap_or_default();
    let engine = Engine {
        docs,
        client,
        membership,
        server,
        socket: None,
        leader: false,
        draining: false,
        drain_again: false,
        outbox_len: 0,
        before_joining: Vec::new(),
        unacked_days,
        projected: BTreeMap::new(),
        problems,
        index_rows_seen,
        saving: false,
        save_again: false,
        status_scheduled: false,
        changed_days: BTreeSet::new(),
        retry_ms: RETRY_FIRST_MS,
        failures_in_a_row: 0,
        awaiting_settings: false,
        stopped: false,
        storage,
        tell,
        status: SyncStatus::default(),
        device_code,
        shown,
        catalog_parts: None,
        customer_keys,
    };
    let shared = Rc::new(RefCell::new(engine));
    set_status(&shared, |s| {
        s.link = SyncLink::OtherTab;
        s.last_sync_ms = last_sync_ms;
    });
    show_problems(&shared);
    let claimed = {
        let mut engine = shared.borrow_mut();
        let me = engine.membership.device_id;
        let code = engine.device_code.clone();
        engine.docs.device_codes().get(&me) == Some(&code)
    };
    if !claimed {
        // A device that joined and went away before the store's settings arrived.
        claim_device_code_when_settings_arrive(&shared);
    }
    publish_store(
        &shared,
        &[Role::Settings, Role::Catalog, Role::Stock, Role::Customers],
    );
    // Documents opened from their genesis (nothing stored yet) are stored before they are sent.
    schedule_save(&shared);
    update_status(&shared);
    listen_to_other_tabs(&shared);
    listen_for_outbox(&shared);
    let leader = shared.clone();
    lead_sync(&Closure::once_into_js(move || {
        leader.borrow_mut().leader = true;
        set_status(&leader, |s| s.link = SyncLink::Connecting);
        connect(&leader);
        listen_for_network(&leader);
        spawn_local(drain_outbox(leader.clone()));
    }));
    shared
}

/// The days whose other devices' sales a device looks for at start: from the day before it last
/// synced (or yesterday) to today, at most [`CATCH_UP_DAYS`] of them.
fn catch_up_days(now: f64, last_sync_ms: Option<f64>) -> Vec<BusinessDay> {
    let since = last_sync_ms.map_or(now - DAY_MS, |t| t.min(now) - DAY_MS);
    let days = (((now - since) / DAY_MS).ceil() as i64).clamp(1, CATCH_UP_DAYS);
    let mut out: Vec<BusinessDay> = (0..=days)
        .map(|back| business_day(now - back as f64 * DAY_MS))
        .collect();
    out.dedup();
    out
}

/// Shows the documents that did not load, with what to do; never only a console line.
fn show_problems(shared: &SharedEngine) {
    let problems = shared.borrow().problems.clone();
    if let Some(first) = problems.first() {
        let reason = if problems.len() > 1 {
            format!("{first} (+{})", problems.len() - 1)
        } else {
            first.clone()
        };
        set_status(shared, |s| s.document_problem = Some(reason));
    }
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
fn listen_to_other_tabs(shared: &SharedEngine) {
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
                    let Ok(chunks) = storage.load_doc_chunks(chunk_prefix(*id)).await else {
                        continue;
                    };
                    let mut engine = shared.borrow_mut();
                    if engine.docs.merge_stored(*id, &chunks) {
                        roles.extend(engine.docs.role(*id));
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

/// Sends what each document has to say to the server.
fn flush(shared: &SharedEngine, ids: &[DocumentId]) {
    let messages: Vec<Vec<u8>> = {
        let mut guard = shared.borrow_mut();
        let engine = &mut *guard;
        if !engine.client.is_ready() {
            return;
        }
        ids.iter()
            .filter_map(|id| {
                // Nothing goes out before it is stored: such a document is sent after its write.
                if engine.docs.has_unsaved(*id) {
                    return None;
                }
                let doc = engine.docs.doc_mut(*id)?;
                engine.client.outgoing(*id, doc)
            })
            .collect()
    };
    for message in messages {
        send(shared, &message);
    }
}

/// Other devices' days that the month's index lists and this device has not opened yet.
fn open_new_days(shared: &SharedEngine) {
    let shared = shared.clone();
    spawn_local(async move {
        let (new_days, storage, server) = {
            let mut guard = shared.borrow_mut();
            let engine = &mut *guard;
            // A row that is new or changed names a day with something new, whatever its date: a
            // device back after days away brings the sales of those days.
            let rows = engine.docs.other_devices_rows();
            let mut new = Vec::new();
            for (id, entry) in rows {
                if engine.index_rows_seen.get(&id) == Some(&entry) {
                    continue;
                }
                if !engine.docs.is_open(id) {
                    if let Ok(day) = entry.day.parse::<BusinessDay>() {
                        new.push((id, entry.device, day));
                    }
                }
                engine.index_rows_seen.insert(id, entry);
            }
            (new, engine.storage.clone(), engine.server.clone())
        };
        if new_days.is_empty() {
            return;
        }
        let mut loaded = Vec::new();
        for (id, owner, day) in new_days {
            match storage.load_doc_chunks(chunk_prefix(id)).await {
                Ok(chunks) => loaded.push((id, owner, day, chunks)),
                // Left closed rather than opened empty; the next index change tries again.
                Err(err) => set_status(&shared, |s| {
                    s.document_problem = Some(format!("{id}: {err}"));
                }),
            }
        }
        let ids: Vec<DocumentId> = {
            let mut guard = shared.borrow_mut();
            let engine = &mut *guard;
            let mut ids = Vec::new();
            for (id, owner, day, chunks) in loaded {
                if engine.docs.is_open(id) {
                    continue;
                }
                let sync_state = stored_sync_state(&chunks, id, &server);
                engine.docs.open(id, Role::OtherDay, day, owner, &chunks);
                engine.client.track(id, sync_state.as_deref());
                engine.changed_days.insert(id);
                ids.push(id);
            }
            ids
        };
        flush(&shared, &ids);
        schedule_save(&shared);
        schedule_status(&shared);
    });
}

fn written_ids(writes: &[DocWrite]) -> Vec<DocumentId> {
    writes
        .iter()
        .filter_map(|w| w.chunk.as_ref()?.key.split('/').next()?.parse().ok())
        .collect()
}

fn sync_states(engine: &Engine) -> BTreeMap<DocumentId, Vec<u8>> {
    engine
        .docs
        .ids()
        .into_iter()
        .filter_map(|id| Some((id, engine.client.sync_state(id)?)))
        .collect()
}

/// Makes a local edit to the store's documents, stores it (strict durability) and only then
/// sends it. If it cannot be stored it is undone, so a change the cashier is told was not saved
/// never reaches another device.
pub async fn edit(
    shared: &SharedEngine,
    roles: &[Role],
    change: impl FnOnce(&mut StoreDocs) -> Result<(), pos_core::DocError>,
) -> Result<(), String> {
    let writing = write_lock().lock().await;
    let (result, storage) = {
        let mut guard = shared.borrow_mut();
        let engine = &mut *guard;
        let before: BTreeSet<DocumentId> = engine
            .docs
            .ids()
            .into_iter()
            .filter(|id| engine.docs.has_unsaved(*id))
            .collect();
        let result = match change(&mut engine.docs) {
            Ok(()) => {
                let states = sync_states(engine);
                let server = engine.server.clone();
                Ok(engine.docs.unsaved(Some(&server), &states))
            }
            Err(err) => {
                let changed: Vec<DocumentId> = engine
                    .docs
                    .ids()
                    .into_iter()
                    .filter(|id| engine.docs.has_unsaved(*id) && !before.contains(id))
                    .collect();
                Err((err.to_string(), changed))
            }
        };
        (result, engine.storage.clone())
    };
    let writes = match result {
        Ok(writes) => writes,
        Err((reason, changed)) => {
            drop(writing);
            undo_unstored(shared, &changed).await;
            return Err(reason);
        }
    };
    let written = written_ids(&writes);
    if let Err(err) = storage
        .save_docs(writes.clone(), Vec::new(), Vec::new())
        .await
    {
        drop(writing);
        undo_unstored(shared, &written).await;
        publish_store(shared, roles);
        return Err(err.to_string());
    }
    {
        let mut engine = shared.borrow_mut();
        engine.docs.saved(&writes);
        // A document the edit opened (a count that starts a month's stock) is synced too.
        for id in engine.docs.ids() {
            if !engine.client.is_tracked(id) {
                engine.client.track(id, None);
            }
        }
    }
    drop(writing);
    announce_stored(&written);
    publish_store(shared, roles);
    let ids = shared.borrow().docs.ids();
    flush(shared, &ids);
    schedule_status(shared);
    Ok(())
}
