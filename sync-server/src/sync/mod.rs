//! Sync: the server as an automerge-repo peer (samod), with its documents in the SQLite
//! `chunks` table, a device-token check before the WebSocket upgrade on `/sync`, and the
//! per-store access rules.
//!
//! Each upgraded socket is driven by [`pump`], which sits between the client and samod: it
//! enforces the message size and rate limits and the CBOR shape, registers a new document to
//! the device's store only on its genesis ([`crate::policy`], [`Storage::claim_document`]),
//! refuses a device's writes to another device's sales day and its changes under another
//! device's actor id ([`crate::actors`]) unless it relays a change the server holds, and closes the socket at once when the device is
//! revoked ([`Connections::revoke`]). samod then decides, per (document, peer),
//! what a device may see ([`share_policy`]): a document of another store is `doc-unavailable`.
//! The connection is bound to the device's peer id (`device-<id>`), so a device cannot speak
//! for another.
//!
//! samod's storage adapter is [`ChunkStore`] (`chunk_store.rs`), the reasons the pump closes a
//! connection with are in `close.rs` (and the refusals before the upgrade in `refusal.rs`), the
//! pump's decisions on a document in `admission.rs`, the messages it reads and writes itself in
//! `message.rs`, and the count of open connections in `connections.rs`.
//!
//! Not here yet: per-peer sync state (every reconnect starts each document's sync afresh).

mod admission;
mod chunk_store;
pub mod close;
mod connections;
mod message;
pub mod refusal;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use samod::{DocumentId, PeerId, ShareConfig};
use tokio::sync::watch;

use crate::AppState;
use crate::disk::{DiskHealth, Refusal};
use crate::enroll::{Clock, device_of_peer, peer_id_of};
use crate::storage::{Storage, TokenStatus};
use crate::write_ahead::WriteAhead;
use admission::{
    Access, Admission, Carried, Writers, admit, loads_into_nothing, sends_only_genesis,
    write_ahead,
};
use chunk_store::PUT_RETRY_FIRST;
pub use chunk_store::{ChunkStore, key_to_row, row_to_key};
pub use connections::{ConnectionSlot, Connections, SyncLimits, TooMany};
pub use message::fuzz_read_header;
use message::{Header, error_message};

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

/// The query string of `/sync`.
#[derive(Debug, serde::Deserialize)]
pub struct SyncParams {
    pub token: Option<String>,
}

/// Tries of a share decision whose storage read failed.
const SHARE_POLICY_ATTEMPTS: u32 = 4;

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> rusqlite::Result<T> + Send + 'static,
) -> Result<T, String> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(e) => Err(format!("storage task failed: {e}")),
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
/// WebSocket served by samod through [`pump`]. Without a valid token, or past the connection
/// caps, there is no upgrade: a status and a [`refusal`] code.
pub async fn sync_ws(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    params: Result<Query<SyncParams>, axum::extract::rejection::QueryRejection>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let token = match (token_of_protocols(&headers), params) {
        (Some(t), _) => t,
        (None, Ok(Query(SyncParams { token: Some(t) }))) if !t.is_empty() => t,
        _ => return refusal::NO_TOKEN.into_response(),
    };
    let storage = state.storage.clone();
    let now = state.clock.now();
    let status = match blocking(move || storage.device_token(&token)).await {
        Ok(status) => status,
        Err(e) => {
            eprintln!("pos-sync-server: storage error: device token lookup: {e}");
            return refusal::STORAGE_FAILED.into_response();
        }
    };
    let (store, device) = match status {
        TokenStatus::Valid { store, device } => (store, device),
        TokenStatus::Unknown => return refusal::NOT_PAIRED.into_response(),
        TokenStatus::Revoked { .. } => return refusal::REVOKED.into_response(),
    };
    let upgrade = match upgrade {
        Ok(u) => u,
        Err(rejection) => return rejection.into_response(),
    };
    let slot = match state.connections.open(&device) {
        Ok(slot) => slot,
        Err(TooMany::Device) => return refusal::TOO_MANY_CONNECTIONS.into_response(),
        Err(TooMany::Server) => return refusal::SERVER_BUSY.into_response(),
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
        repo: state.repo.clone(),
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
    /// Whether the server holds a change a device relays (`admission::Writers`).
    repo: samod::Repo,
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
    let mut writers = Writers::default();
    // Documents the server is known to hold something of (it never holds nothing again).
    let mut stored: HashSet<String> = HashSet::new();
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
                        let carried = Carried::read(&header);
                        let access = match known.get(&doc) {
                            Some(access) => *access,
                            None => match admit(&peer, &header, &carried, &doc).await {
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
                            Access::Writes | Access::ReadsDay => {
                                if access == Access::ReadsDay && !sends_only_genesis(&carried, &doc) {
                                    break Some(close::NOT_OWNER);
                                }
                                carried.chunks
                            }
                        };
                        if !changes.is_empty() {
                            match peer.disk.refusal() {
                                Some(Refusal::DiskFull) => break Some(close::DISK_FULL),
                                Some(Refusal::WritesFailing) => break Some(close::WRITES_FAILING),
                                None => {}
                            }
                            // Each actor once per connection (a random one is bound on first
                            // use, a write: after the disk check).
                            if let Err(reason) = writers.check(&peer, &doc, carried.changes.as_deref()).await {
                                break Some(reason);
                            }
                            if !stored.contains(&doc)
                                && let Err(reason) = loads_into_nothing(&peer, &doc, &changes).await
                            {
                                break Some(reason);
                            }
                            if let Err(e) = write_ahead(&peer, &doc, changes).await {
                                eprintln!("pos-sync-server: storage error: write-ahead {doc}: {e}");
                                break Some(close::STORAGE);
                            }
                            stored.insert(doc.clone());
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

    /// That `codes` are distinct words of lower case and `_`, each listed in the README.
    fn assert_distinct_and_listed<'a>(codes: impl IntoIterator<Item = &'a str>) {
        let readme = include_str!("../../../README.md");
        let mut seen = Vec::new();
        for word in codes {
            assert!(
                word.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{word}"
            );
            assert!(!seen.contains(&word), "{word} twice");
            seen.push(word);
            assert!(readme.contains(&format!("`{word}`")), "README lacks {word}");
        }
    }

    #[test]
    fn every_close_reason_starts_with_a_distinct_code_listed_in_the_readme() {
        for (code, reason) in close::ALL {
            // RFC 6455: a close frame's reason is at most 123 bytes.
            assert!(reason.len() <= 123, "{reason}");
            let (_, text) = reason.split_once(": ").expect("<code>: <text>");
            assert!(!text.is_empty());
            assert!((1000..=4999).contains(code));
        }
        assert_distinct_and_listed(
            close::ALL
                .iter()
                .map(|(_, reason)| reason.split_once(": ").map_or(*reason, |(word, _)| word)),
        );
    }

    #[test]
    fn every_upgrade_refusal_has_a_distinct_code_listed_in_the_readme() {
        for r in refusal::ALL {
            assert!(r.status.is_client_error() || r.status.is_server_error());
            assert!(!r.text.is_empty());
        }
        assert_distinct_and_listed(refusal::ALL.iter().map(|r| r.reason));
    }

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
}
