//! Sync: the server as an automerge-repo peer (samod), with its documents in the SQLite
//! `chunks` table, a device-token check before the WebSocket upgrade on `/sync`, and the
//! per-store access rules.
//!
//! Each upgraded socket is driven by [`pump`], which sits between the client and samod: it
//! enforces the message size and rate limits and the CBOR shape, registers a new document to
//! the device's store only on its genesis ([`crate::policy`], [`Storage::claim_document`]),
//! refuses a device's writes to another device's sales day, and closes the socket at once when
//! the device is revoked ([`Connections::revoke`]). samod then decides, per (document, peer),
//! what a device may see ([`share_policy`]): a document of another store is `doc-unavailable`.
//! The connection is bound to the device's peer id (`device-<id>`), so a device cannot speak
//! for another.
//!
//! Not here yet: per-peer sync state (every reconnect starts each document's sync afresh).

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use samod::storage::StorageKey;
use samod::{DocumentId, PeerId, ShareConfig};
use tokio::sync::watch;

use crate::AppState;
use crate::disk::{DiskHealth, Refusal};
use crate::enroll::{Claim, Clock, DocumentClaim, Registration, device_of_peer, peer_id_of};
use crate::policy::{self, Genesis, Origin};
use crate::storage::{Storage, TokenStatus};
use crate::write_ahead::WriteAhead;

/// The largest WebSocket message (and frame) the server reads; a bigger one closes the
/// connection. The largest message the register sends is a catalog's first upload, all of it
/// in one message: 1.17 MB for 50,000 products (`examples/catalog_size.rs`), so this holds
/// about 300,000. A sync message carrying a whole store's day stays far below this, and the
/// CBOR reader never nests deeper than the wire format needs, so a message of this size
/// cannot take more than a few times its size in memory.
pub const MAX_MESSAGE_BYTES: usize = 8 * 1024 * 1024;

/// Messages a connection may send in one burst before the rate applies. Opening a store syncs
/// about ten documents, a burst of changes a few hundred.
pub const MESSAGE_BURST: u32 = 2000;
/// Messages per second a connection may keep up once its burst is spent.
pub const MESSAGES_PER_SEC: u32 = 500;

/// Bytes samod may queue for one connection before the device is taken as not reading: more
/// than a whole store's day or catalog in one go.
pub const MAX_QUEUED_BYTES: usize = 4 * MAX_MESSAGE_BYTES;
/// How long one message may take to go out before the device is taken as not reading.
pub const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// How often the server pings a connection (browsers answer on their own).
pub const PING_EVERY: std::time::Duration = std::time::Duration::from_secs(20);
/// How often an open connection checks that its device was not removed from the command line.
pub const REVOCATION_CHECK: std::time::Duration = std::time::Duration::from_secs(5);
/// Silence (no message, no pong) after which a connection is taken as dead.
pub const SILENCE_LIMIT: std::time::Duration = std::time::Duration::from_secs(70);

/// The message types the pump passes to samod: what the register and automerge-repo 2.x
/// clients send. Anything else (`ephemeral`, `remote-subscription-change`, ...) is refused,
/// so that samod never relays a device's message to other peers unchecked.
const RELAYED_TYPES: &[&str] = &["join", "leave", "request", "sync", "doc-unavailable"];

/// How long a closing connection waits for the client's Close.
const CLOSE_DRAIN: std::time::Duration = std::time::Duration::from_secs(2);

/// Close codes and reasons the server sends before it ends a sync connection.
pub mod close {
    /// RFC 6455 1003: a text frame where the protocol has only binary ones.
    pub const NOT_BINARY: (u16, &str) = (1003, "The sync protocol uses binary messages only");
    /// RFC 6455 1007: not a CBOR message of the automerge-repo protocol.
    pub const MALFORMED: (u16, &str) = (
        1007,
        "Malformed sync message: not a CBOR map with a message type",
    );
    /// RFC 6455 1008: the device's token was revoked while it was connected.
    pub const REVOKED: (u16, &str) = (
        1008,
        "This device was removed from the store: pair it again",
    );
    /// RFC 6455 1008: more messages than [`super::MESSAGES_PER_SEC`] allows.
    pub const FLOOD: (u16, &str) = (1008, "Too many sync messages: slow down and reconnect");
    /// RFC 6455 1011: the database failed; nothing of the message was applied.
    pub const STORAGE: (u16, &str) = (1011, "The server's storage failed: try again later");
    /// RFC 6455 1013 (try again later): free disk space is below the server's floor.
    pub const DISK_FULL: (u16, &str) = (
        1013,
        "The server's disk is full: this device keeps its sales and sends them when there is room",
    );
    /// RFC 6455 1013: a write of the server's storage failed and is being retried.
    pub const WRITES_FAILING: (u16, &str) = (
        1013,
        "The server cannot write its storage now: this device keeps its sales and sends them later",
    );
    /// RFC 6455 1008: the store has [`super::SyncLimits::documents_per_store`] documents.
    pub const QUOTA: (u16, &str) = (
        1008,
        "This store has as many documents as the server keeps for one store: ask its operator",
    );
    /// RFC 6455 1008: a new document whose genesis names another store than the device's.
    pub const OTHER_STORE: (u16, &str) = (
        1008,
        "This document belongs to another store: a device syncs only its own store's documents",
    );
    /// RFC 6455 1008: a new document whose genesis does not derive its id.
    pub const FORGED: (u16, &str) = (
        1008,
        "This document's first change does not match its id: the server does not take it",
    );
    /// RFC 6455 1008: changes to a sales day from a device other than the one it belongs to.
    pub const NOT_OWNER: (u16, &str) = (
        1008,
        "This sales day belongs to another device: only the device that made the sales writes it",
    );
    /// RFC 6455 1008: a message type the server does not relay.
    pub const UNKNOWN_TYPE: (u16, &str) = (
        1008,
        "Unsupported sync message type: only join, leave, request, sync and doc-unavailable are accepted",
    );
    /// RFC 6455 1008: the device did not read what the server sent, or answered no ping.
    pub const TOO_SLOW: (u16, &str) =
        (1008, "This device stopped reading sync messages: reconnect");
    /// RFC 6455 1009: a message over [`super::MAX_MESSAGE_BYTES`].
    pub const TOO_BIG: (u16, &str) = (1009, "Sync message too large (limit 8 MiB)");
}

/// The query string of `/sync`.
#[derive(Debug, serde::Deserialize)]
pub struct SyncParams {
    pub token: Option<String>,
}

/// samod's key/value [`samod::storage::Storage`] on the `chunks` table.
///
/// Keys map onto rows as (document, kind, hash): `[doc, kind, hash]` (samod's snapshots and
/// incrementals) is one row each; a shorter key leaves the missing columns empty
/// (`["storage-adapter-id"]` is `("storage-adapter-id", "", "")`); components past the third
/// are joined to the hash with `/`. Components are never empty and never contain `/`, so the
/// mapping is one-to-one.
///
/// samod's trait cannot report errors. A failed read is logged and answered as "not found".
/// A failed put is retried until it succeeds, and meanwhile [`DiskHealth`] stops the server
/// from taking new data: samod deletes what a snapshot supersedes as soon as its put returns,
/// so returning after a failure would delete a document's history. A failed delete is
/// logged and left: the chunk is loaded again at the next start and compacted away later.
#[derive(Clone, Debug)]
pub struct ChunkStore {
    storage: Arc<Storage>,
    disk: Arc<DiskHealth>,
}

impl ChunkStore {
    pub fn new(storage: Arc<Storage>, disk: Arc<DiskHealth>) -> Self {
        ChunkStore { storage, disk }
    }
}

/// Tries of a share decision whose storage read failed.
const SHARE_POLICY_ATTEMPTS: u32 = 4;

/// The first wait before a failed put is tried again; it doubles up to [`PUT_RETRY_MAX`].
const PUT_RETRY_FIRST: std::time::Duration = std::time::Duration::from_millis(50);
const PUT_RETRY_MAX: std::time::Duration = std::time::Duration::from_secs(5);

/// The row of a key: (document, kind, hash).
pub fn key_to_row(key: &StorageKey) -> (String, String, String) {
    let mut parts = key.into_iter();
    let document = parts.next().cloned().unwrap_or_default();
    let kind = parts.next().cloned().unwrap_or_default();
    let hash = parts.map(String::as_str).collect::<Vec<_>>().join("/");
    (document, kind, hash)
}

/// The key of a row (the inverse of [`key_to_row`]).
pub fn row_to_key(document: &str, kind: &str, hash: &str) -> Option<StorageKey> {
    let parts: Vec<&str> = [document, kind]
        .into_iter()
        .chain(hash.split('/'))
        .filter(|p| !p.is_empty())
        .collect();
    StorageKey::from_parts(parts).ok()
}

fn log_error(op: &str, key: &StorageKey, e: impl std::fmt::Display) {
    // samod's Storage trait has no error channel, so this log line is the only trace.
    eprintln!("pos-sync-server: storage error: {op} {key}: {e}");
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> rusqlite::Result<T> + Send + 'static,
) -> Result<T, String> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(e) => Err(format!("storage task failed: {e}")),
    }
}

impl samod::storage::Storage for ChunkStore {
    fn load(&self, key: StorageKey) -> impl Future<Output = Option<Vec<u8>>> + Send {
        let storage = self.storage.clone();
        async move {
            let (d, k, h) = key_to_row(&key);
            match blocking(move || storage.chunk_load(&d, &k, &h)).await {
                Ok(data) => data,
                Err(e) => {
                    log_error("load", &key, e);
                    None
                }
            }
        }
    }

    fn load_range(
        &self,
        prefix: StorageKey,
    ) -> impl Future<Output = HashMap<StorageKey, Vec<u8>>> + Send {
        let storage = self.storage.clone();
        async move {
            let parts: Vec<String> = prefix.clone().into_iter().collect();
            let hash_prefix = (parts.len() > 2).then(|| parts[2..].join("/"));
            let result = blocking(move || {
                storage.chunk_load_prefix(
                    parts.first().map(String::as_str),
                    parts.get(1).map(String::as_str),
                    hash_prefix.as_deref(),
                )
            })
            .await;
            match result {
                Ok(rows) => rows
                    .into_iter()
                    .filter_map(|((d, k, h), data)| row_to_key(&d, &k, &h).map(|key| (key, data)))
                    .collect(),
                Err(e) => {
                    log_error("load_range", &prefix, e);
                    HashMap::new()
                }
            }
        }
    }

    fn put(&self, key: StorageKey, data: Vec<u8>) -> impl Future<Output = ()> + Send {
        let storage = self.storage.clone();
        let disk = self.disk.clone();
        async move {
            let row = Arc::new(key_to_row(&key));
            let data = Arc::new(data);
            let mut wait = PUT_RETRY_FIRST;
            let mut retrying = false;
            loop {
                let (storage, row, data) = (storage.clone(), row.clone(), data.clone());
                let put = blocking(move || {
                    let (d, k, h) = &*row;
                    storage.chunk_put(d, k, h, &data)
                });
                match put.await {
                    Ok(()) => break,
                    Err(e) => {
                        log_error("put (will retry)", &key, &e);
                        disk.write_failed(format!("put {key}: {e}"));
                        if !retrying {
                            retrying = true;
                            disk.retry_started();
                        }
                        tokio::time::sleep(wait).await;
                        wait = (wait * 2).min(PUT_RETRY_MAX);
                    }
                }
            }
            if retrying {
                disk.retry_ended();
                eprintln!("pos-sync-server: storage recovered: put {key}");
            }
        }
    }

    fn delete(&self, key: StorageKey) -> impl Future<Output = ()> + Send {
        let storage = self.storage.clone();
        let disk = self.disk.clone();
        async move {
            let (d, k, h) = key_to_row(&key);
            if let Err(e) = blocking(move || storage.chunk_delete(&d, &k, &h)).await {
                log_error("delete", &key, &e);
                disk.write_failed(format!("delete {key}: {e}"));
            }
        }
    }
}

/// Starts the server's samod repo on the SQLite storage, with an acceptor for `/sync`.
pub async fn start_repo(
    storage: Arc<Storage>,
    disk: Arc<DiskHealth>,
) -> (samod::Repo, samod::AcceptorHandle) {
    let repo = samod::Repo::build_tokio()
        .with_storage(ChunkStore::new(storage.clone(), disk))
        .with_share_policy(share_policy(storage))
        .load()
        .await;
    let url = samod::Url::parse("ws://pos-sync-server/sync").expect("a valid URL");
    let acceptor = repo
        .make_acceptor(url)
        .expect("a freshly loaded repo is running");
    (repo, acceptor)
}

/// What a peer may do with a document: read and write it if the document is registered to
/// the peer's store and the peer's device is not revoked, nothing otherwise (samod then
/// answers `doc-unavailable`, so a document's existence is not disclosed).
///
/// samod asks this for every connected peer when a document becomes active, not only for the
/// peer that asked for it, so registration does not happen here: [`pump`] registers a document
/// on its genesis before it hands any message about it to samod, and samod never hears of a
/// document that is not registered (it would keep its "none" for the connection's life).
///
/// The server serves what devices ask for and never asks devices for documents
/// (`announce: false`).
pub fn share_policy(
    storage: Arc<Storage>,
) -> impl Fn(
    DocumentId,
    PeerId,
) -> futures::stream::Once<futures::future::BoxFuture<'static, ShareConfig>>
+ Clone
+ Send
+ 'static {
    move |doc: DocumentId, peer: PeerId| {
        let storage = storage.clone();
        let decide: futures::future::BoxFuture<'static, ShareConfig> = Box::pin(async move {
            let Some(device) = device_of_peer(peer.as_str()).map(str::to_string) else {
                return ShareConfig::none();
            };
            let doc = doc.to_string();
            // samod keeps the answer for the connection's life, so a passing storage error
            // is retried before it becomes a denial.
            let mut same_store = Err(String::new());
            for attempt in 0..SHARE_POLICY_ATTEMPTS {
                if attempt > 0 {
                    tokio::time::sleep(PUT_RETRY_FIRST * (1 << attempt)).await;
                }
                let (storage, device, doc) = (storage.clone(), device.clone(), doc.clone());
                same_store = blocking(move || {
                    let device_store = storage.device_store(&device)?;
                    let doc_store = storage.document_store(&doc)?;
                    Ok(device_store.is_some() && device_store == doc_store)
                })
                .await;
                if same_store.is_ok() {
                    break;
                }
            }
            match same_store {
                Ok(true) => ShareConfig::read_write().with_announce(false),
                Ok(false) => ShareConfig::none(),
                Err(e) => {
                    // Deny when unsure: the device retries on its next connection.
                    eprintln!("pos-sync-server: storage error: share policy: {e}");
                    ShareConfig::none()
                }
            }
        });
        futures::stream::once(decide)
    }
}

/// How much of the server one device, one store and everyone together may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncLimits {
    /// Open sync connections, all devices together.
    pub connections: usize,
    /// Open sync connections of one device (its tabs, and sockets not yet known to be dead).
    pub connections_per_device: usize,
    /// Documents registered to one store.
    pub documents_per_store: u64,
}

impl Default for SyncLimits {
    fn default() -> Self {
        SyncLimits {
            connections: 2048,
            connections_per_device: 4,
            // A day per device and a month index: 20 devices for ten years is about 75,000.
            documents_per_store: 100_000,
        }
    }
}

/// The open sync connections of each device: counted against [`SyncLimits`], and closed at
/// once when their device is revoked.
#[derive(Debug, Default)]
pub struct Connections {
    revoked: Mutex<HashMap<String, watch::Sender<bool>>>,
    open: Mutex<OpenCount>,
    limits: SyncLimits,
    /// When each device's `last_seen` was last written.
    seen: Mutex<HashMap<String, std::time::SystemTime>>,
}

/// How often a device's `last_seen` is written at most.
const LAST_SEEN_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Debug, Default)]
struct OpenCount {
    total: usize,
    per_device: HashMap<String, usize>,
}

/// Why a sync connection was not opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooMany {
    Device,
    Server,
}

/// One open sync connection, counted until it is dropped.
#[derive(Debug)]
pub struct ConnectionSlot {
    connections: Arc<Connections>,
    device: String,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut open = self.connections.lock_open();
        open.total -= 1;
        if let Some(n) = open.per_device.get_mut(&self.device) {
            *n -= 1;
            if *n == 0 {
                open.per_device.remove(&self.device);
            }
        }
    }
}

impl Connections {
    pub fn new(limits: SyncLimits) -> Self {
        Connections {
            limits,
            ..Connections::default()
        }
    }

    pub fn limits(&self) -> SyncLimits {
        self.limits
    }

    fn lock_open(&self) -> std::sync::MutexGuard<'_, OpenCount> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts one more connection of `device`, if the limits allow it.
    pub fn open(self: &Arc<Self>, device: &str) -> Result<ConnectionSlot, TooMany> {
        let mut open = self.lock_open();
        if open.total >= self.limits.connections {
            return Err(TooMany::Server);
        }
        let mine = open.per_device.entry(device.to_string()).or_default();
        if *mine >= self.limits.connections_per_device {
            return Err(TooMany::Device);
        }
        *mine += 1;
        open.total += 1;
        Ok(ConnectionSlot {
            connections: self.clone(),
            device: device.to_string(),
        })
    }

    /// Whether `device`'s `last_seen` should be written now (and notes that it is).
    pub fn due_for_last_seen(&self, device: &str, now: std::time::SystemTime) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let due = seen.get(device).is_none_or(|last| {
            now.duration_since(*last)
                .map_or(true, |since| since >= LAST_SEEN_EVERY)
        });
        if due {
            seen.insert(device.to_string(), now);
        }
        due
    }

    /// Open sync connections now.
    pub fn open_count(&self) -> usize {
        self.lock_open().total
    }

    fn sender<'a>(
        map: &'a mut HashMap<String, watch::Sender<bool>>,
        device: &str,
    ) -> &'a watch::Sender<bool> {
        map.entry(device.to_string())
            .or_insert_with(|| watch::channel(false).0)
    }

    /// A receiver that turns `true` when `device` is revoked (at once if it already was
    /// since this server started).
    pub fn watch(&self, device: &str) -> watch::Receiver<bool> {
        let mut map = self.revoked.lock().unwrap_or_else(|p| p.into_inner());
        Self::sender(&mut map, device).subscribe()
    }

    /// Closes every sync connection of `device`, now and for the life of this process. Call
    /// it after the revocation is stored, so that a connection opened in between is refused
    /// either by the token check or by this signal.
    pub fn revoke(&self, device: &str) {
        let mut map = self.revoked.lock().unwrap_or_else(|p| p.into_inner());
        Self::sender(&mut map, device).send_replace(true);
    }
}

fn unauthorized(message: &'static str) -> Response {
    let mut res = (StatusCode::UNAUTHORIZED, message).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Texts of the 401 answers.
pub const MISSING_TOKEN: &str = "Missing device token: offer the WebSocket subprotocols pos-sync.v1 and pos-token.<device token>";
pub const UNKNOWN_TOKEN: &str = "Unknown device token: pair this device again";
pub const REVOKED_TOKEN: &str = "This device token was revoked: pair this device again";
/// Texts of the answers when [`SyncLimits`] are reached.
pub const TOO_MANY_FOR_DEVICE: &str = "Too many sync connections from this device: close other tabs of the register, or wait a minute";
pub const TOO_MANY_FOR_SERVER: &str =
    "The server has as many sync connections as it takes: try again in a minute";

/// The WebSocket subprotocol of the register's sync connection. The device token travels
/// beside it as a second offered subprotocol, `pos-token.<token>` ([`TOKEN_PROTOCOL_PREFIX`]):
/// a browser cannot set other headers on a WebSocket, and a URL (`/sync?token=`) ends up in
/// proxies' access logs. The server answers with this one, never echoing the token.
pub const SYNC_PROTOCOL: &str = "pos-sync.v1";
/// The prefix of the offered subprotocol that carries the device token.
pub const TOKEN_PROTOCOL_PREFIX: &str = "pos-token.";

/// The device token among the offered subprotocols, if any.
pub fn token_of_protocols(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|p| p.trim().strip_prefix(TOKEN_PROTOCOL_PREFIX))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// `GET /sync`: checks the device token (offered as a subprotocol, see [`SYNC_PROTOCOL`]; or in
/// `?token=`, which automerge-repo's JavaScript adapter can only use), then upgrades to a
/// WebSocket served by samod through [`pump`]. Without a valid token there is no upgrade: 401
/// and a reason.
pub async fn sync_ws(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    params: Result<Query<SyncParams>, axum::extract::rejection::QueryRejection>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let token = match (token_of_protocols(&headers), params) {
        (Some(t), _) => t,
        (None, Ok(Query(SyncParams { token: Some(t) }))) if !t.is_empty() => t,
        _ => return unauthorized(MISSING_TOKEN),
    };
    let storage = state.storage.clone();
    let now = state.clock.now();
    let status = match blocking(move || storage.device_token(&token)).await {
        Ok(status) => status,
        Err(e) => {
            eprintln!("pos-sync-server: storage error: device token lookup: {e}");
            return (StatusCode::SERVICE_UNAVAILABLE, "Storage unavailable").into_response();
        }
    };
    let (store, device) = match status {
        TokenStatus::Valid { store, device } => (store, device),
        TokenStatus::Unknown => return unauthorized(UNKNOWN_TOKEN),
        TokenStatus::Revoked { .. } => return unauthorized(REVOKED_TOKEN),
    };
    let upgrade = match upgrade {
        Ok(u) => u,
        Err(rejection) => return rejection.into_response(),
    };
    let slot = match state.connections.open(&device) {
        Ok(slot) => slot,
        Err(too_many) => {
            let (status, text) = match too_many {
                TooMany::Device => (StatusCode::TOO_MANY_REQUESTS, TOO_MANY_FOR_DEVICE),
                TooMany::Server => (StatusCode::SERVICE_UNAVAILABLE, TOO_MANY_FOR_SERVER),
            };
            let mut res = (status, text).into_response();
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
            return res;
        }
    };
    if state.connections.due_for_last_seen(&device, now) {
        let (storage, device) = (state.storage.clone(), device.clone());
        // In the background and at most once a minute per device: `last_seen` is a
        // convenience, and a write (a disk sync) per connection made every refused or
        // repeated connection cost the database (about 4 ms each, all behind one lock). A
        // full disk must not stop a device from downloading either.
        tokio::spawn(async move {
            let touch = blocking({
                let device = device.clone();
                move || storage.touch_device(&device, now)
            });
            if let Err(e) = touch.await {
                eprintln!("pos-sync-server: storage error: last seen of {device}: {e}");
            }
        });
    }
    let revoked = state.connections.watch(&device);
    let peer = Peer {
        store,
        device,
        storage: state.storage.clone(),
        disk: state.disk.clone(),
        write_ahead: state.write_ahead.clone(),
        clock: state.clock.clone(),
        document_quota: state.connections.limits().documents_per_store,
        _slot: slot,
    };
    let acceptor = state.acceptor.clone();
    upgrade
        .protocols([SYNC_PROTOCOL])
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| pump(socket, acceptor, peer, revoked))
}

/// The device at the other end of a sync connection.
struct Peer {
    store: String,
    device: String,
    storage: Arc<Storage>,
    disk: Arc<DiskHealth>,
    write_ahead: WriteAhead,
    clock: Arc<dyn Clock>,
    document_quota: u64,
    /// Counts this connection while it is open.
    _slot: ConnectionSlot,
}

/// Why [`pump`] ended a connection, sent as the close frame.
type CloseReason = (u16, &'static str);

/// Drives one sync connection: client messages go to samod after the checks in the module
/// docs, samod's messages go to the client, and the first broken rule closes the socket with
/// a reason (after an automerge-repo `error` message carrying the same text).
async fn pump(
    mut socket: WebSocket,
    acceptor: samod::AcceptorHandle,
    peer: Peer,
    mut revoked: watch::Receiver<bool>,
) {
    // Client to samod is bounded (a slow server slows the client down). samod to client
    // cannot be (samod must never wait on this task while this task waits on samod), so it is
    // an unbounded queue with a byte count: past [`MAX_QUEUED_BYTES`] samod's sends fail and
    // samod drops the connection, instead of queueing every change of the store for a device
    // that does not read.
    let (mut to_samod, from_client) =
        futures::channel::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(16);
    let (to_client, mut from_samod) = futures::channel::mpsc::unbounded::<Vec<u8>>();
    let queued = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let transport = samod::Transport::new(from_client, counted_sink(to_client, queued.clone()))
        .with_expected_peer_id(PeerId::from(peer_id_of(&peer.device).as_str()));
    if let Err(e) = acceptor.accept(transport) {
        eprintln!("pos-sync-server: sync connection refused: {e}");
        return;
    }
    let mut bucket = TokenBucket::new(MESSAGE_BURST, MESSAGES_PER_SEC);
    // Registered documents this connection has sent messages about, and what it may do with
    // each: decided once per document and connection.
    let mut known: HashMap<String, Access> = HashMap::new();
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut heard = tokio::time::Instant::now();
    let mut recheck = tokio::time::interval_at(
        tokio::time::Instant::now() + REVOCATION_CHECK,
        REVOCATION_CHECK,
    );
    let reason: Option<CloseReason> = loop {
        if *revoked.borrow_and_update() {
            break Some(close::REVOKED);
        }
        tokio::select! {
            changed = revoked.changed() => {
                if changed.is_err() { break None; }
            }
            _ = recheck.tick() => {
                // A device removed by another process (`pos-sync-server revoke-device`) has no
                // signal in this one: its connections learn it here.
                let (storage, device) = (peer.storage.clone(), peer.device.clone());
                if let Ok(None) = blocking(move || storage.device_store(&device)).await {
                    break Some(close::REVOKED);
                }
            }
            _ = ping.tick() => {
                if heard.elapsed() > SILENCE_LIMIT {
                    break Some(close::TOO_SLOW);
                }
                match tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Ping(Vec::new().into()))).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => break None,
                    Err(_) => break Some(close::TOO_SLOW),
                }
            }
            out = from_samod.next() => match out {
                Some(bytes) => {
                    let len = bytes.len();
                    let sent = tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Binary(bytes.into()))).await;
                    queued.fetch_sub(len, std::sync::atomic::Ordering::Relaxed);
                    match sent {
                        Ok(Ok(())) => {}
                        Ok(Err(_)) => break None,
                        Err(_) => break Some(close::TOO_SLOW),
                    }
                }
                // samod closed the connection (a handshake it refused, a device too slow to
                // read, or shutdown).
                None if queued.load(std::sync::atomic::Ordering::Relaxed) > MAX_QUEUED_BYTES => {
                    break Some(close::TOO_SLOW);
                }
                None => break Some((1000, "")),
            },
            incoming = socket.recv() => match incoming {
                None | Some(Ok(Message::Close(_))) => break None,
                Some(Err(e)) => {
                    // axum hides tungstenite's error type; its capacity error reads
                    // "Space limit exceeded: Message too long: ...".
                    let too_big = e.to_string().to_ascii_lowercase().contains("too");
                    break too_big.then_some(close::TOO_BIG);
                }
                Some(Ok(Message::Text(_))) => break Some(close::NOT_BINARY),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => heard = tokio::time::Instant::now(),
                Some(Ok(Message::Binary(bytes))) => {
                    heard = tokio::time::Instant::now();
                    if !bucket.take(heard) {
                        break Some(close::FLOOD);
                    }
                    let Some(header) = Header::read(&bytes) else {
                        break Some(close::MALFORMED);
                    };
                    if !RELAYED_TYPES.contains(&header.kind.as_str()) {
                        break Some(close::UNKNOWN_TYPE);
                    }
                    if let Some(doc) = header.claims() {
                        let access = match known.get(&doc) {
                            Some(access) => *access,
                            None => match admit(&peer, &header, &doc).await {
                                Ok(Admission::Registered(access)) => {
                                    known.insert(doc.clone(), access);
                                    access
                                }
                                Ok(Admission::Answered(reply)) => {
                                    // samod never sees a message about a document that is not
                                    // registered: the pump answers it.
                                    match tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Binary(reply.into()))).await {
                                        Ok(Ok(())) => continue,
                                        Ok(Err(_)) => break None,
                                        Err(_) => break Some(close::TOO_SLOW),
                                    }
                                }
                                Err(reason) => break Some(reason),
                            },
                        };
                        // Only changes the device may write go ahead of samod; the rest is
                        // samod's to refuse (another store's document) or refused here.
                        let changes = match access {
                            Access::OtherStore => Vec::new(),
                            Access::Writes => changes_of(&header),
                            Access::ReadsDay => {
                                if !sends_only_genesis(&header, &doc) {
                                    break Some(close::NOT_OWNER);
                                }
                                changes_of(&header)
                            }
                        };
                        if !changes.is_empty() {
                            match peer.disk.refusal() {
                                Some(Refusal::DiskFull) => break Some(close::DISK_FULL),
                                Some(Refusal::WritesFailing) => break Some(close::WRITES_FAILING),
                                None => {}
                            }
                            if let Err(e) = write_ahead(&peer, &doc, changes).await {
                                eprintln!("pos-sync-server: storage error: write-ahead {doc}: {e}");
                                break Some(close::STORAGE);
                            }
                        }
                    }
                    if to_samod.send(Ok(bytes.to_vec())).await.is_err() {
                        break None;
                    }
                }
            },
        }
    };
    if let Some((code, text)) = reason {
        // A device that does not read cannot take these either: they get the closing
        // handshake's time and no more (without the limit, a slow reader was never dropped).
        let goodbye = async {
            if code != 1000 {
                socket
                    .send(Message::Binary(error_message(text).into()))
                    .await?;
            }
            socket
                .send(Message::Close(Some(CloseFrame {
                    code,
                    reason: text.into(),
                })))
                .await
        };
        if !matches!(tokio::time::timeout(CLOSE_DRAIN, goodbye).await, Ok(Ok(()))) {
            return;
        }
        // The closing handshake: read (and drop) what the client still sends until its Close,
        // so that the client reads our reason instead of a reset connection.
        let _ = tokio::time::timeout(CLOSE_DRAIN, async {
            while let Some(Ok(msg)) = socket.recv().await {
                if matches!(msg, Message::Close(_)) {
                    break;
                }
            }
        })
        .await;
    }
    // Dropping `to_samod` ends samod's side of the connection.
}

/// samod's side of the outbound queue: counts the bytes it holds, and refuses (which makes
/// samod drop the connection) once they pass [`MAX_QUEUED_BYTES`].
fn counted_sink(
    queue: futures::channel::mpsc::UnboundedSender<Vec<u8>>,
    queued: Arc<std::sync::atomic::AtomicUsize>,
) -> impl futures::Sink<Vec<u8>, Error = std::io::Error> + Send + Unpin + 'static {
    Box::pin(futures::sink::unfold(
        (queue, queued),
        |(queue, queued), bytes: Vec<u8>| async move {
            let len = bytes.len();
            let held = queued.fetch_add(len, std::sync::atomic::Ordering::Relaxed) + len;
            if held > MAX_QUEUED_BYTES {
                queued.fetch_sub(len, std::sync::atomic::Ordering::Relaxed);
                return Err(std::io::Error::other(
                    "the device does not read its sync messages",
                ));
            }
            queue
                .unbounded_send(bytes)
                .map_err(|_| std::io::Error::other("connection closed"))?;
            Ok((queue, queued))
        },
    ))
}

/// What a device may do with a registered document, decided once per connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Another store's: samod answers `doc-unavailable` and nothing is written.
    OtherStore,
    /// Its store's, and the device writes it.
    Writes,
    /// A sales day of another device of its store: the device reads it and may send nothing of
    /// it but its genesis (which it holds to receive the owner's changes into). Refunds are
    /// recorded in the refunding device's own day, so no device has anything to write here.
    ReadsDay,
}

impl Access {
    fn of(peer: &Peer, registration: &Registration) -> Access {
        if registration.store != peer.store {
            return Access::OtherStore;
        }
        let sales_day = registration.kind.as_deref() == Some(pos_core::DocKind::SalesDay.as_str());
        match &registration.owner_device {
            Some(owner) if sales_day && !same_device(owner, &peer.device) => Access::ReadsDay,
            _ => Access::Writes,
        }
    }
}

/// Whether two device ids name one device (UUIDs, whatever their spelling).
fn same_device(a: &str, b: &str) -> bool {
    match (uuid::Uuid::parse_str(a), uuid::Uuid::parse_str(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// What the pump does with a message about a document it has not decided on yet.
#[derive(Debug)]
enum Admission {
    /// The document is registered (just now, or before): the message goes on to samod.
    Registered(Access),
    /// The document is not registered and this message does not register it: the pump sends
    /// this answer itself, and samod never sees the message.
    Answered(Vec<u8>),
}

/// Decides on a document this connection has not sent anything about yet: a registered one
/// is looked up; a new one is registered to the device's store only by a `sync` carrying its
/// genesis ([`policy::origin`]). Until then a `request` is answered `doc-unavailable` and a
/// `sync` with the first message of a peer that has nothing, so that the device answers with
/// all its changes, the genesis among them. A genesis of another store, or one that does not
/// derive the id, closes the connection.
async fn admit(peer: &Peer, header: &Header, doc: &str) -> Result<Admission, CloseReason> {
    let registered = {
        let (storage, doc) = (peer.storage.clone(), doc.to_string());
        blocking(move || storage.document_registration(&doc)).await
    };
    match registered {
        Ok(Some(registration)) => {
            return Ok(Admission::Registered(Access::of(peer, &registration)));
        }
        Ok(None) => {}
        Err(e) => {
            eprintln!("pos-sync-server: storage error: registration of {doc}: {e}");
            return Err(close::STORAGE);
        }
    }
    let (Some(sender), Some(target)) = (&header.sender, &header.target) else {
        return Err(close::MALFORMED);
    };
    let unavailable = || Admission::Answered(doc_unavailable(target, sender, doc));
    // Every id we make is 16 bytes; another can never carry a genesis that derives it.
    let Ok(id) = pos_core::DocumentId::from_str(doc) else {
        return Ok(unavailable());
    };
    if header.kind != "sync" {
        return Ok(unavailable());
    }
    let changes = header
        .data
        .as_deref()
        .and_then(|data| automerge::sync::Message::decode(data).ok())
        .and_then(|message| policy::changes(&message))
        .unwrap_or_default();
    let genesis = match policy::origin(id, &changes) {
        Origin::Unknown => return Ok(Admission::Answered(empty_sync(target, sender, doc))),
        Origin::Forged(why) => {
            eprintln!(
                "pos-sync-server: refused document {doc} from device {}: {why}",
                peer.device
            );
            return Err(close::FORGED);
        }
        Origin::Genesis(genesis) => genesis,
    };
    if uuid::Uuid::parse_str(&peer.store).ok() != Some(genesis.store) {
        eprintln!(
            "pos-sync-server: refused document {doc} of store {} from device {} of store {}",
            genesis.store, peer.device, peer.store
        );
        return Err(close::OTHER_STORE);
    }
    match claim(peer, doc, &genesis).await {
        Ok(Claim::Registered(store)) => Ok(Admission::Registered(Access::of(
            peer,
            &Registration {
                store,
                kind: Some(genesis.kind.as_str().to_string()),
                owner_device: genesis.owner.map(|o| o.to_string()),
            },
        ))),
        Ok(Claim::OverQuota) => Err(close::QUOTA),
        Err(e) => {
            eprintln!("pos-sync-server: storage error: claim {doc}: {e}");
            Err(close::STORAGE)
        }
    }
}

/// Registers a document to the peer's store by its genesis, if it has no store yet and the
/// store's quota allows.
async fn claim(peer: &Peer, doc: &str, genesis: &Genesis) -> Result<Claim, String> {
    let storage = peer.storage.clone();
    let (doc, store, device) = (doc.to_string(), peer.store.clone(), peer.device.clone());
    let kind = genesis.kind.as_str();
    let owner = genesis.owner.map(|o| o.to_string());
    let (now, quota) = (peer.clock.now(), peer.document_quota);
    blocking(move || {
        let claim = DocumentClaim {
            store_id: &store,
            claimed_by: &device,
            kind,
            owner_device: owner.as_deref(),
        };
        storage.claim_document(&doc, &claim, now, quota)
    })
    .await
}

/// Whether a message about another device's sales day carries nothing but the day's genesis.
fn sends_only_genesis(header: &Header, doc: &str) -> bool {
    let Some(data) = header.data.as_deref() else {
        return true;
    };
    let Ok(message) = automerge::sync::Message::decode(data) else {
        // Not a sync message: samod drops it, nothing is written.
        return true;
    };
    if message.changes.is_empty() {
        return true;
    }
    match (
        pos_core::DocumentId::from_str(doc),
        policy::changes(&message),
    ) {
        (Ok(id), Some(changes)) => policy::only_genesis(id, &changes),
        _ => false,
    }
}

/// The `doc-unavailable` the pump answers for a document that is not registered.
fn doc_unavailable(sender: &str, target: &str, doc: &str) -> Vec<u8> {
    let mut e = minicbor::Encoder::new(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = e
        .map(4)
        .and_then(|e| e.str("type"))
        .and_then(|e| e.str("doc-unavailable"))
        .and_then(|e| e.str("senderId"))
        .and_then(|e| e.str(sender))
        .and_then(|e| e.str("targetId"))
        .and_then(|e| e.str(target))
        .and_then(|e| e.str("documentId"))
        .and_then(|e| e.str(doc));
    e.into_writer()
}

/// The `sync` of a peer that holds nothing of the document: the device takes it as "send me
/// everything" and answers with all its changes, the genesis among them.
fn empty_sync(sender: &str, target: &str, doc: &str) -> Vec<u8> {
    use automerge::sync::SyncDoc;
    let data = automerge::Automerge::new()
        .generate_sync_message(&mut automerge::sync::State::new())
        .map(|m| m.encode())
        .unwrap_or_default();
    let mut e = minicbor::Encoder::new(Vec::new());
    let _ = e
        .map(5)
        .and_then(|e| e.str("type"))
        .and_then(|e| e.str("sync"))
        .and_then(|e| e.str("senderId"))
        .and_then(|e| e.str(sender))
        .and_then(|e| e.str("targetId"))
        .and_then(|e| e.str(target))
        .and_then(|e| e.str("documentId"))
        .and_then(|e| e.str(doc))
        .and_then(|e| e.str("data"))
        .and_then(|e| e.bytes(&data));
    e.into_writer()
}

/// Stores the changes a sync message carries, durably, before samod sees the message.
///
/// samod applies a change, answers with its new heads (which the device takes as "the server
/// has it") and only then, from another task, writes the change to storage: a crash in between
/// loses a change the device will not send again (`tests/kill.rs` showed 20 of 120 lost).
/// Writing ahead closes that gap: every change the server can acknowledge came in through
/// here and is on disk first.
///
/// Each change goes where samod itself would put it, `[doc, "incremental", <change hash>]`,
/// so samod loads it after a restart and later overwrites or compacts it away. A chunk that
/// is not a single change (the V2 sync format sends a compressed bundle) is kept under
/// `wal-<sha256>` in the same place; samod loads it the same way and deletes it at the first
/// compaction after a restart.
/// The writes of messages that arrive together share one disk sync ([`WriteAhead`]).
async fn write_ahead(peer: &Peer, doc: &str, chunks: Vec<(String, Vec<u8>)>) -> Result<(), String> {
    peer.write_ahead.write(doc.to_string(), chunks).await
}

/// The changes a `request` or `sync` carries, each under the hash it is stored by (see
/// [`write_ahead`]); none for anything else (samod drops what is not a sync message).
fn changes_of(header: &Header) -> Vec<(String, Vec<u8>)> {
    let Some(Ok(msg)) = header.data.as_deref().map(automerge::sync::Message::decode) else {
        return Vec::new();
    };
    msg.changes
        .iter()
        .map(|chunk| match automerge::Change::try_from(chunk) {
            Ok(change) => (change.hash().to_string(), chunk.to_vec()),
            Err(_) => (
                format!("wal-{}", crate::storage::hash_bytes(chunk)),
                chunk.to_vec(),
            ),
        })
        .collect()
}

/// An automerge-repo `error` message.
fn error_message(text: &str) -> Vec<u8> {
    let mut e = minicbor::Encoder::new(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = e
        .map(2)
        .and_then(|e| e.str("type"))
        .and_then(|e| e.str("error"))
        .and_then(|e| e.str("message"))
        .and_then(|e| e.str(text));
    e.into_writer()
}

/// The fields of a protocol message that the pump needs: its type and document id. Reading
/// them checks that the message is one well-formed CBOR map with string keys.
#[derive(Debug, PartialEq, Eq)]
struct Header {
    kind: String,
    document: Option<String>,
    sender: Option<String>,
    target: Option<String>,
    /// The Automerge sync message of a `request` or `sync`.
    data: Option<Vec<u8>>,
}

impl Header {
    /// The header of a message, or `None` if it is not a well-formed protocol message.
    fn read(bytes: &[u8]) -> Option<Header> {
        let mut d = minicbor::Decoder::new(bytes);
        let len = d.map().ok()??;
        let mut kind = None;
        let mut document = None;
        let mut sender = None;
        let mut target = None;
        let mut data = None;
        for _ in 0..len {
            match d.str().ok()? {
                "type" => kind = Some(d.str().ok()?.to_string()),
                "data" if d.datatype().ok()? == minicbor::data::Type::Bytes => {
                    data = Some(d.bytes().ok()?.to_vec());
                }
                "documentId" if d.datatype().ok()? == minicbor::data::Type::String => {
                    document = Some(d.str().ok()?.to_string());
                }
                "senderId" if d.datatype().ok()? == minicbor::data::Type::String => {
                    sender = Some(d.str().ok()?.to_string());
                }
                "targetId" if d.datatype().ok()? == minicbor::data::Type::String => {
                    target = Some(d.str().ok()?.to_string());
                }
                _ => d.skip().ok()?,
            }
        }
        // One message per WebSocket message: trailing bytes mean a broken or smuggled frame.
        if d.position() != bytes.len() {
            return None;
        }
        Some(Header {
            kind: kind?,
            document,
            sender,
            target,
            data,
        })
    }

    /// The document this message asks for or writes, normalised as samod spells it: the pump
    /// decides on the document of a `request` or `sync` before samod sees it.
    fn claims(&self) -> Option<String> {
        if self.kind != "request" && self.kind != "sync" {
            return None;
        }
        let id = DocumentId::from_str(self.document.as_deref()?).ok()?;
        Some(id.to_string())
    }
}

/// The pump's header reader on untrusted bytes, for the fuzz targets in `fuzz/`: whether the
/// bytes are a well-formed protocol message, and the document the pump would decide on.
#[doc(hidden)]
pub fn fuzz_read_header(bytes: &[u8]) -> Option<Option<String>> {
    Header::read(bytes).map(|h| h.claims())
}

/// A token bucket: `burst` messages at once, then `per_sec` a second.
#[derive(Debug)]
struct TokenBucket {
    tokens: f64,
    burst: f64,
    per_sec: f64,
    last: tokio::time::Instant,
}

impl TokenBucket {
    fn new(burst: u32, per_sec: u32) -> Self {
        TokenBucket {
            tokens: burst as f64,
            burst: burst as f64,
            per_sec: per_sec as f64,
            last: tokio::time::Instant::now(),
        }
    }

    /// Takes one token at `now`; false if there is none.
    fn take(&mut self, now: tokio::time::Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last);
        self.last = now;
        self.tokens = (self.tokens + elapsed.as_secs_f64() * self.per_sec).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn token_bucket_allows_the_burst_then_the_rate() {
        let start = tokio::time::Instant::now();
        let mut b = TokenBucket::new(3, 2);
        b.last = start;
        assert!((0..3).all(|_| b.take(start)));
        assert!(!b.take(start));
        assert!(b.take(start + Duration::from_millis(500)));
        assert!(!b.take(start + Duration::from_millis(500)));
    }

    #[tokio::test]
    async fn samod_cannot_queue_more_than_the_bound_for_a_device_that_does_not_read() {
        let (tx, mut rx) = futures::channel::mpsc::unbounded::<Vec<u8>>();
        let queued = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut sink = counted_sink(tx, queued.clone());
        let chunk = vec![0u8; MAX_MESSAGE_BYTES];
        for _ in 0..MAX_QUEUED_BYTES / MAX_MESSAGE_BYTES {
            sink.send(chunk.clone()).await.expect("within the bound");
        }
        assert!(sink.send(vec![0u8; 1]).await.is_err(), "past the bound");
        // What the pump sends out gives room back.
        let _ = rx.next().await;
        queued.fetch_sub(MAX_MESSAGE_BYTES, std::sync::atomic::Ordering::Relaxed);
        let (tx, _rx) = futures::channel::mpsc::unbounded::<Vec<u8>>();
        let mut sink = counted_sink(tx, queued);
        sink.send(vec![0u8; 1]).await.expect("room again");
    }

    #[test]
    fn headers_of_protocol_messages() {
        let msg = |fields: &[(&str, &str)]| {
            let mut e = minicbor::Encoder::new(Vec::new());
            e.map(fields.len() as u64).unwrap();
            for (k, v) in fields {
                e.str(k).unwrap().str(v).unwrap();
            }
            e.into_writer()
        };
        let id = DocumentId::try_from(vec![7u8; 16]).unwrap();
        let h = Header::read(&msg(&[
            ("type", "request"),
            ("documentId", &id.to_string()),
        ]))
        .unwrap();
        assert_eq!(h.claims(), Some(id.to_string()));
        let h = Header::read(&msg(&[
            ("type", "ephemeral"),
            ("documentId", &id.to_string()),
        ]))
        .unwrap();
        assert_eq!(h.claims(), None);
        assert_eq!(Header::read(&msg(&[("senderId", "x")])), None, "no type");
        assert_eq!(Header::read(b"\xff\x00garbage"), None);
        let mut trailing = msg(&[("type", "join")]);
        trailing.push(0);
        assert_eq!(Header::read(&trailing), None);
    }

    fn key(parts: &[&str]) -> StorageKey {
        StorageKey::from_parts(parts).unwrap()
    }

    #[test]
    fn keys_map_to_rows_and_back() {
        for parts in [
            &["doc", "snapshot", "abc"][..],
            &["doc", "incremental", "def"],
            &["storage-adapter-id"],
            &["doc", "sync-state"],
            &["doc", "sync-state", "peer", "extra"],
        ] {
            let k = key(parts);
            let (d, kind, h) = key_to_row(&k);
            assert_eq!(row_to_key(&d, &kind, &h), Some(k), "{parts:?}");
        }
        assert_eq!(
            key_to_row(&key(&["storage-adapter-id"])),
            ("storage-adapter-id".into(), String::new(), String::new())
        );
    }

    #[tokio::test]
    async fn load_range_matches_whole_components() {
        use samod::storage::Storage as _;
        let tmp = tempfile::tempdir().unwrap();
        let disk = Arc::new(DiskHealth::new(tmp.path().to_path_buf(), 0));
        let store = ChunkStore::new(Arc::new(Storage::open(tmp.path()).unwrap()), disk);
        for (parts, v) in [
            (&["d1", "snapshot", "h1"][..], 1u8),
            (&["d1", "incremental", "h2"], 2),
            (&["d1", "incremental", "h2", "x"], 3),
            (&["d1", "incremental", "h22"], 4),
            (&["d10", "incremental", "h3"], 5),
            (&["storage-adapter-id"], 6),
        ] {
            store.put(key(parts), vec![v]).await;
        }
        let values = |m: HashMap<StorageKey, Vec<u8>>| {
            let mut v: Vec<u8> = m.into_values().flatten().collect();
            v.sort();
            v
        };
        assert_eq!(values(store.load_range(key(&["d1"])).await), [1, 2, 3, 4]);
        assert_eq!(
            values(store.load_range(key(&["d1", "incremental"])).await),
            [2, 3, 4]
        );
        assert_eq!(
            values(store.load_range(key(&["d1", "incremental", "h2"])).await),
            [2, 3]
        );
        assert_eq!(values(store.load_range(key(&[])).await), [1, 2, 3, 4, 5, 6]);
        assert_eq!(
            store.load(key(&["storage-adapter-id"])).await,
            Some(vec![6])
        );
        store.put(key(&["d1", "snapshot", "h1"]), vec![9]).await;
        assert_eq!(
            store.load(key(&["d1", "snapshot", "h1"])).await,
            Some(vec![9])
        );
        store.delete(key(&["d1", "snapshot", "h1"])).await;
        assert_eq!(store.load(key(&["d1", "snapshot", "h1"])).await, None);
    }
}
