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
use crate::storage::{DocWrite, Membership, Outgoing, Storage};
use pos_core::{DocRole as Role, StoreDocs, chunk_prefix, sync_state_key};

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
    /// A stored document that did not load or merge, or a record the documents refused.
    pub document_problem: Option<String>,
    /// Sales this device made before it belonged to the store, not yet added to it.
    pub before_joining: usize,
}

impl Default for SyncStatus {
    fn default() -> Self {
        SyncStatus {
            link: Link::Standalone,
            unacknowledged: 0,
            last_sync_ms: None,
            downloading: None,
            error: None,
            document_problem: None,
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
    state: AppState,
}

pub type Shared = Rc<RefCell<Engine>>;

/// Document writes go one at a time: each takes what is not stored, stores it and marks it
/// stored, and two at once would each think the other's chunks their own.
fn write_lock() -> &'static futures::lock::Mutex<()> {
    thread_local! {
        static LOCK: &'static futures::lock::Mutex<()> =
            Box::leak(Box::new(futures::lock::Mutex::new(())));
    }
    LOCK.with(|l| *l)
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
pub async fn start(state: AppState, storage: Rc<dyn Storage>, membership: Membership) -> Shared {
    let server = server_name();
    let now = js_sys::Date::now();
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
        state,
    };
    let shared = Rc::new(RefCell::new(engine));
    state.sync.update(|s| {
        s.link = Link::OtherTab;
        s.last_sync_ms = last_sync_ms;
    });
    show_problems(&shared);
    let claimed = {
        let mut e = shared.borrow_mut();
        let me = e.membership.device_id;
        e.docs.device_codes().get(&me) == Some(&state.device_code.get_untracked())
    };
    if !claimed {
        // A device that joined and went away before the store's settings arrived.
        claim_device_code_when_settings_arrive(&shared);
    }
    publish_store(&shared, &[Role::Settings, Role::Catalog, Role::Stock]);
    // Documents opened from their genesis (nothing stored yet) are stored before they are sent.
    schedule_save(&shared);
    update_status(&shared);
    listen_to_other_tabs(&shared);
    listen_for_outbox(&shared);
    let leader = shared.clone();
    lead_sync(&Closure::once_into_js(move || {
        leader.borrow_mut().leader = true;
        leader
            .borrow()
            .state
            .sync
            .update(|s| s.link = Link::Connecting);
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
fn show_problems(shared: &Shared) {
    let (state, problems) = {
        let e = shared.borrow();
        (e.state, e.problems.clone())
    };
    if let Some(first) = problems.first() {
        let reason = if problems.len() > 1 {
            format!("{first} (+{})", problems.len() - 1)
        } else {
            first.clone()
        };
        state.sync.update(|s| s.document_problem = Some(reason));
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
                    let Ok(chunks) = storage.load_doc_chunks(chunk_prefix(*id)).await else {
                        continue;
                    };
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

/// Opens a document from its stored chunks. A read that fails is an error, never "nothing
/// stored": starting the document afresh beside what is stored would fork it.
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
) -> Result<(), String> {
    let chunks = storage
        .load_doc_chunks(chunk_prefix(id))
        .await
        .map_err(|e| format!("{id}: {e}"))?;
    let sync_state = stored_sync_state(&chunks, id, server);
    let problems = docs.open(id, role, day, owner, &chunks);
    client.track(id, sync_state.as_deref());
    match problems.first() {
        None => Ok(()),
        Some(first) => Err(first.clone()),
    }
}

/// The sync state with `server` among a document's stored chunks.
fn stored_sync_state(
    chunks: &[(String, Vec<u8>)],
    id: DocumentId,
    server: &str,
) -> Option<Vec<u8>> {
    let key = sync_state_key(id, server);
    chunks
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.clone())
}

/// Opens each document that is not open yet from its stored chunks; returns what did not load.
async fn open_all(
    docs: &mut StoreDocs,
    client: &mut SyncClient,
    storage: &dyn Storage,
    server: &str,
    wanted: Vec<(DocumentId, Role, BusinessDay, Uuid)>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (id, role, day, owner) in wanted {
        if docs.is_open(id) {
            continue;
        }
        if let Err(problem) = open_stored(docs, client, storage, server, id, role, day, owner).await
        {
            problems.push(problem);
        }
    }
    problems
}

/// Opens, from storage, the documents a write needs that are not open yet. The engine is not
/// borrowed across the reads.
async fn open_needed(
    shared: &Shared,
    needed: Vec<(DocumentId, Role, BusinessDay, Uuid)>,
) -> Result<(), String> {
    let (storage, server) = {
        let e = shared.borrow();
        (e.storage.clone(), e.server.clone())
    };
    for (id, role, day, owner) in needed {
        let chunks = storage
            .load_doc_chunks(chunk_prefix(id))
            .await
            .map_err(|e| format!("{id}: {e}"))?;
        let mut guard = shared.borrow_mut();
        let e = &mut *guard;
        if e.docs.is_open(id) {
            continue;
        }
        let sync_state = stored_sync_state(&chunks, id, &server);
        let problems = e.docs.open(id, role, day, owner, &chunks);
        e.client.track(id, sync_state.as_deref());
        if let Some(first) = problems.first() {
            return Err(first.clone());
        }
    }
    Ok(())
}

/// Drops what is in memory of these documents and not stored, after a write that failed.
async fn undo_unstored(shared: &Shared, ids: &[DocumentId]) {
    let (storage, server) = {
        let e = shared.borrow();
        (e.storage.clone(), e.server.clone())
    };
    for id in ids {
        let Ok(chunks) = storage.load_doc_chunks(chunk_prefix(*id)).await else {
            continue;
        };
        let sync_state = stored_sync_state(&chunks, *id, &server);
        let mut guard = shared.borrow_mut();
        let e = &mut *guard;
        e.docs.reopen(*id, &chunks);
        e.client.restart_document(*id, sync_state.as_deref());
    }
}

/// Opens, from storage, what a write on `day` needs (this device's day, the month's index and
/// stock) before an edit writes it.
pub async fn open_for_day(shared: &Shared, day: BusinessDay) -> Result<(), String> {
    let needed = shared.borrow().docs.to_open_for(day);
    open_needed(shared, needed).await
}

/// Tells the tab that folds the outbox that there is something in it.
fn announce_outbox() {
    if let Ok(channel) = web_sys::BroadcastChannel::new(OUTBOX_CHANNEL) {
        let _ = channel.post_message(&JsValue::from_str("outbox"));
        channel.close();
    }
}

fn listen_for_outbox(shared: &Shared) {
    let Ok(channel) = web_sys::BroadcastChannel::new(OUTBOX_CHANNEL) else {
        return;
    };
    let shared = shared.clone();
    let on_message = Closure::<dyn FnMut()>::new(move || {
        spawn_local(drain_outbox(shared.clone()));
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // The channel must outlive this function to keep receiving.
    std::mem::forget(channel);
}

/// A sale or refund was committed (in this tab): fold it into the documents.
pub fn outbox_changed(shared: &Shared) {
    announce_outbox();
    spawn_local(drain_outbox(shared.clone()));
}

/// Folds the outbox into the documents and sends them: in the tab that holds the sync lock only,
/// so one writer folds each record. Records of sales made before this device joined the store
/// wait for the owner (`add_earlier_sales`).
async fn drain_outbox(shared: Shared) {
    {
        let mut e = shared.borrow_mut();
        if !e.leader || e.stopped {
            return;
        }
        if e.draining {
            e.drain_again = true;
            return;
        }
        e.draining = true;
    }
    loop {
        shared.borrow_mut().drain_again = false;
        if let Err(reason) = drain_once(&shared).await {
            let state = shared.borrow().state;
            state.sync.update(|s| s.error = Some(reason));
            let retry = shared.clone();
            set_timeout(
                move || spawn_local(drain_outbox(retry)),
                Duration::from_secs(5),
            );
            break;
        }
        if !shared.borrow().drain_again {
            break;
        }
    }
    shared.borrow_mut().draining = false;
    schedule_status(&shared);
}

async fn drain_once(shared: &Shared) -> Result<(), String> {
    let _writing = write_lock().lock().await;
    let storage = shared.borrow().storage.clone();
    let items = storage.outbox().await.map_err(|e| e.to_string())?;
    let store = shared.borrow().membership.store_id;
    let (ours, earlier): (Vec<_>, Vec<_>) = items
        .into_iter()
        .filter(|i| i.store.is_none_or(|s| s == store))
        .partition(|i| i.store == Some(store));
    {
        let mut e = shared.borrow_mut();
        e.outbox_len = ours.len();
        e.before_joining = earlier.iter().map(|i| i.key.clone()).collect();
    }
    if ours.is_empty() {
        return Ok(());
    }
    let days: BTreeSet<BusinessDay> = ours
        .iter()
        .map(|i| business_day(i.record.at_ms() as f64))
        .collect();
    for day in &days {
        let needed = shared.borrow().docs.to_open_for(*day);
        open_needed(shared, needed).await?;
    }
    let (writes, folded, own_days, problems) = {
        let mut guard = shared.borrow_mut();
        let e = &mut *guard;
        let mut folded = Vec::new();
        let mut own_days = BTreeSet::new();
        let mut problems = Vec::new();
        for item in &ours {
            let day = business_day(item.record.at_ms() as f64);
            let recorded = match &item.record {
                Outgoing::Sale(sale) => e.docs.record_sale(sale, day),
                Outgoing::Refund(refund) => e.docs.record_refund(refund, day),
            };
            match recorded {
                Ok(_) => {
                    folded.push(item.key.clone());
                    own_days.insert(day);
                }
                // Kept in the outbox and shown: a record the documents refuse is a bug to see,
                // never one to drop.
                Err(err) => problems.push(format!("{}: {err}", item.key)),
            }
        }
        let states = sync_states(e);
        let server = e.server.clone();
        (
            e.docs.unsaved(Some(&server), &states),
            folded,
            own_days,
            problems,
        )
    };
    let day_names: Vec<String> = own_days.iter().map(ToString::to_string).collect();
    let written = written_ids(&writes);
    match storage
        .fold_outbox(writes.clone(), folded.clone(), day_names)
        .await
    {
        Ok(()) => {
            {
                let mut e = shared.borrow_mut();
                e.docs.saved(&writes);
                e.outbox_len -= folded.len();
                e.unacked_days.extend(own_days);
            }
            announce_stored(&written);
            let ids = shared.borrow().docs.ids();
            flush(shared, &ids);
            publish_store(shared, &[Role::Stock]);
            if let Some(first) = problems.first() {
                let state = shared.borrow().state;
                state
                    .sync
                    .update(|s| s.document_problem = Some(first.clone()));
            }
            Ok(())
        }
        Err(err) => {
            // The records stay in the outbox; what was folded in memory is dropped and folded
            // again from the records next time.
            undo_unstored(shared, &written).await;
            Err(err.to_string())
        }
    }
}

/// Adds the sales this device made before it belonged to the store to the store's documents.
pub async fn add_earlier_sales(shared: &Shared) -> Result<(), String> {
    let storage = shared.borrow().storage.clone();
    let store = shared.borrow().membership.store_id;
    let items = storage.outbox().await.map_err(|e| e.to_string())?;
    // Re-keyed to this store through the same outbox: the entries are rewritten, then folded.
    let earlier: Vec<_> = items.into_iter().filter(|i| i.store.is_none()).collect();
    if earlier.is_empty() {
        return Ok(());
    }
    storage
        .claim_for_store(earlier.iter().map(|i| i.key.clone()).collect(), store)
        .await
        .map_err(|e| e.to_string())?;
    outbox_changed(shared);
    Ok(())
}

/// A refund of `sale` that the store's documents hold (made on any device), kept on this device
/// as the sale's refund so it is shown refunded and never refunded again here.
pub async fn refund_recorded_elsewhere(shared: &Shared, sale: Uuid) -> Option<pos_core::Refund> {
    let found = shared.borrow_mut().docs.refund_of(sale)?;
    let storage = shared.borrow().storage.clone();
    let _ = storage
        .save_docs(Vec::new(), Vec::new(), vec![found.clone()])
        .await;
    Some(found)
}

/// Keeps the sales made before joining on this device only.
pub async fn keep_earlier_sales_here(shared: &Shared) -> Result<(), String> {
    let (storage, keys) = {
        let e = shared.borrow();
        (e.storage.clone(), e.before_joining.clone())
    };
    storage
        .drop_from_outbox(keys)
        .await
        .map_err(|e| e.to_string())?;
    shared.borrow_mut().before_joining.clear();
    schedule_status(shared);
    Ok(())
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
        ids.iter()
            .filter_map(|id| {
                // Nothing goes out before it is stored: such a document is sent after its write.
                if e.docs.has_unsaved(*id) {
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
        let (new_days, storage, server) = {
            let mut guard = shared.borrow_mut();
            let e = &mut *guard;
            // A row that is new or changed names a day with something new, whatever its date: a
            // device back after days away brings the sales of those days.
            let rows = e.docs.other_devices_rows();
            let mut new = Vec::new();
            for (id, entry) in rows {
                if e.index_rows_seen.get(&id) == Some(&entry) {
                    continue;
                }
                if !e.docs.is_open(id) {
                    if let Ok(day) = entry.day.parse::<BusinessDay>() {
                        new.push((id, entry.device, day));
                    }
                }
                e.index_rows_seen.insert(id, entry);
            }
            (new, e.storage.clone(), e.server.clone())
        };
        if new_days.is_empty() {
            return;
        }
        let mut loaded = Vec::new();
        for (id, owner, day) in new_days {
            match storage.load_doc_chunks(chunk_prefix(id)).await {
                Ok(chunks) => loaded.push((id, owner, day, chunks)),
                // Left closed rather than opened empty; the next index change tries again.
                Err(err) => shared.borrow().state.sync.update(|s| {
                    s.document_problem = Some(format!("{id}: {err}"));
                }),
            }
        }
        let ids: Vec<DocumentId> = {
            let mut guard = shared.borrow_mut();
            let e = &mut *guard;
            let mut ids = Vec::new();
            for (id, owner, day, chunks) in loaded {
                if e.docs.is_open(id) {
                    continue;
                }
                let sync_state = stored_sync_state(&chunks, id, &server);
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
        let carried = matches!(e.docs.carry_stock_over(today), Ok(true));
        let levels = e.docs.stock_levels(today);
        if state.stock.with_untracked(|s| *s != levels) {
            state.stock.set(levels);
        }
        drop(e);
        if carried {
            schedule_save(shared);
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
    spawn_local(async move {
        let writing = write_lock().lock().await;
        let (writes, days, sales, refunds, storage) = {
            let mut guard = shared.borrow_mut();
            let e = &mut *guard;
            e.save_again = false;
            let states = sync_states(e);
            let server = e.server.clone();
            let writes = e.docs.unsaved(Some(&server), &states);
            let days: Vec<DocumentId> = std::mem::take(&mut e.changed_days).into_iter().collect();
            // Only what this device has not copied yet: a message costs what it brings, not a
            // rewrite of the whole day.
            let mut sales = Vec::new();
            let mut refunds = Vec::new();
            for id in &days {
                let known = e.projected.get(id).cloned().unwrap_or_default();
                sales.extend(
                    e.docs
                        .sales_in(*id)
                        .into_iter()
                        .filter(|s| !known.contains(&s.id())),
                );
                refunds.extend(
                    e.docs
                        .refunds_in(*id)
                        .into_iter()
                        .filter(|r| !known.contains(&r.id)),
                );
            }
            (writes, days, sales, refunds, e.storage.clone())
        };
        let had_sales = !sales.is_empty();
        let had_refunds = !refunds.is_empty();
        let copied: Vec<Uuid> = sales
            .iter()
            .map(Sale::id)
            .chain(refunds.iter().map(|r| r.id))
            .collect();
        let written = written_ids(&writes);
        let result = storage.save_docs(writes.clone(), sales, refunds).await;
        let again = {
            let mut guard = shared.borrow_mut();
            let e = &mut *guard;
            e.saving = false;
            match &result {
                Ok(()) => {
                    e.docs.saved(&writes);
                    for id in &days {
                        e.projected
                            .entry(*id)
                            .or_default()
                            .extend(copied.iter().copied());
                    }
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
        drop(writing);
        if result.is_ok() {
            announce_stored(&written);
            // Held back while they were not stored; they may go out now.
            flush(&shared, &written);
        } else {
            // Storage may come back (space freed) with nothing new arriving: try again later.
            let retry = shared.clone();
            set_timeout(move || schedule_save(&retry), Duration::from_secs(5));
        }
        if result.is_ok() && (had_sales || had_refunds) {
            let state = shared.borrow().state;
            if had_refunds {
                state.load_refunds();
            }
            if state.screen.get_untracked() == crate::state::Screen::Sales {
                state.load_sales(false);
            }
        }
        if again {
            schedule_save(&shared);
        }
        schedule_status(&shared);
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
    let (state, unacknowledged, synced, total, ready, storage, outbox, before_joining, acked) = {
        let mut guard = shared.borrow_mut();
        let e = &mut *guard;
        let unacknowledged = e.docs.unacknowledged(&e.client);
        let (synced, total) = e.docs.synced_count(&e.client);
        // Days of this device that the server now holds whole need not be opened at start.
        let today = business_day(js_sys::Date::now());
        let device = e.membership.device_id;
        let mut acked = Vec::new();
        if e.client.is_ready() {
            for day in e.unacked_days.clone() {
                let id = e.docs.day_id(device, day);
                if day == today || e.docs.has_unsaved(id) {
                    continue;
                }
                if let Some(doc) = e.docs.doc_mut(id) {
                    if e.client.is_synced(id, doc) {
                        acked.push(day);
                    }
                }
            }
        }
        for day in &acked {
            e.unacked_days.remove(day);
        }
        (
            e.state,
            unacknowledged,
            synced,
            total,
            e.client.is_ready(),
            e.storage.clone(),
            e.outbox_len,
            e.before_joining.len(),
            acked,
        )
    };
    // Synced means every committed record is in the documents and the server has them all.
    let all_synced = ready && synced == total && outbox == 0;
    let now = js_sys::Date::now();
    let first_download = state.sync.with_untracked(|s| s.last_sync_ms.is_none());
    state.sync.update(|s| {
        s.unacknowledged = unacknowledged + outbox;
        s.before_joining = before_joining;
        s.downloading = (ready && first_download && !all_synced).then_some((synced, total));
        if all_synced {
            s.last_sync_ms = Some(now);
        }
    });
    if all_synced || !acked.is_empty() {
        spawn_local(async move {
            if !acked.is_empty() {
                let _ = storage
                    .acknowledged_days(acked.iter().map(ToString::to_string).collect())
                    .await;
            }
            if all_synced {
                let _ = storage
                    .save_setting(LAST_SYNC_KEY, serde_json::json!(now))
                    .await;
            }
        });
    }
}

/// Makes a local edit to the store's documents, stores it (strict durability) and only then
/// sends it. If it cannot be stored it is undone, so a change the cashier is told was not saved
/// never reaches another device.
pub async fn edit(
    shared: &Shared,
    roles: &[Role],
    change: impl FnOnce(&mut StoreDocs) -> Result<(), pos_core::DocError>,
) -> Result<(), String> {
    let writing = write_lock().lock().await;
    let (result, storage) = {
        let mut guard = shared.borrow_mut();
        let e = &mut *guard;
        let before: BTreeSet<DocumentId> = e
            .docs
            .ids()
            .into_iter()
            .filter(|id| e.docs.has_unsaved(*id))
            .collect();
        let result = match change(&mut e.docs) {
            Ok(()) => {
                let states = sync_states(e);
                let server = e.server.clone();
                Ok(e.docs.unsaved(Some(&server), &states))
            }
            Err(err) => {
                let changed: Vec<DocumentId> = e
                    .docs
                    .ids()
                    .into_iter()
                    .filter(|id| e.docs.has_unsaved(*id) && !before.contains(id))
                    .collect();
                Err((err.to_string(), changed))
            }
        };
        (result, e.storage.clone())
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
        let mut e = shared.borrow_mut();
        e.docs.saved(&writes);
        // A document the edit opened (a count that starts a month's stock) is synced too.
        for id in e.docs.ids() {
            if !e.client.is_tracked(id) {
                e.client.track(id, None);
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
    // Until the prefix is claimed a sale could carry another device's receipt numbers.
    let state = shared.borrow().state;
    state.receipt_prefix_pending.set(true);
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
    let shared = shared.clone();
    spawn_local(async move {
        let state = shared.borrow().state;
        match edit(&shared, &[Role::Settings], |docs| docs.put_device(&entry)).await {
            Ok(()) => {
                state.receipt_prefix_pending.set(false);
                // A sale paid while the prefix was being claimed is kept now.
                state.complete_sale();
            }
            Err(reason) => state.notice.set(Some(crate::state::not_saved(reason))),
        }
    });
}
