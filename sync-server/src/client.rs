//! A native sync peer: the register's own protocol client ([`pos_core::sync::SyncClient`]) driven
//! over tokio-tungstenite, so that the tests and the load generator exercise exactly the state
//! machine the app runs in the browser, against our server and the JavaScript reference server.
//!
//! [`NativePeer`] holds a device's documents; [`NativePeer::sync_until_converged`] opens one
//! connection and answers the server until every document is in sync (and holds the heads the
//! caller expects of it), then closes. It counts bytes and messages, so callers can compare a
//! first sync with a reconnect.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use pos_core::DocumentId;
use pos_core::automerge::{AutoCommit, ChangeHash};
use pos_core::sync::{Availability, Incoming, SyncClient, SyncError};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{self, Message};

/// The largest message the peer accepts, the same bound as the server's.
const MAX_MESSAGE_BYTES: usize = crate::sync::MAX_MESSAGE_BYTES;

/// A device with the documents it keeps in sync with one server.
pub struct NativePeer {
    client: SyncClient,
    docs: BTreeMap<DocumentId, AutoCommit>,
    /// Heads a document must contain before it counts as converged: a document can be "in sync"
    /// with a server that has not received its owner's changes yet.
    expected: BTreeMap<DocumentId, Vec<ChangeHash>>,
}

/// What one connection carried.
#[derive(Clone, Debug, Default)]
pub struct SyncReport {
    pub bytes_sent: usize,
    pub bytes_received: usize,
    pub messages_sent: usize,
    pub messages_received: usize,
    /// From the socket's open to convergence (the connect itself excluded).
    pub elapsed: Duration,
    /// Documents the server answered `doc-unavailable` for on this connection.
    pub unavailable: Vec<DocumentId>,
}

#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// The WebSocket did not open (refused, 401, bad URL, …).
    #[error("cannot open the sync socket {url}: {source}")]
    Connect {
        url: String,
        source: tungstenite::Error,
    },
    #[error("sync socket failed: {0}")]
    Socket(#[source] tungstenite::Error),
    #[error(transparent)]
    Sync(#[from] SyncError),
    /// The server sent an `error` message.
    #[error("the server reported an error: {0}")]
    Server(String),
    /// The server closed the connection before every document converged.
    #[error("the server closed the connection with {unsynced} document(s) still out of sync")]
    Closed { unsynced: usize },
    /// The deadline passed with documents still out of sync.
    #[error("{unsynced} of {tracked} document(s) still out of sync after {after:?} ({why})")]
    Timeout {
        after: Duration,
        unsynced: usize,
        tracked: usize,
        why: String,
    },
}

impl NativePeer {
    /// `peer_id` as the server knows the device; `storage_id` names its storage, so that a
    /// server that persists sync states per storage (the JS reference) recognises it.
    pub fn new(peer_id: impl Into<String>, storage_id: Option<String>) -> NativePeer {
        NativePeer {
            client: SyncClient::new(peer_id, storage_id),
            docs: BTreeMap::new(),
            expected: BTreeMap::new(),
        }
    }

    pub fn peer_id(&self) -> &str {
        self.client.peer_id()
    }

    /// Keeps `doc` in sync from now on, from its persisted sync state if there is one. An empty
    /// document asks the server for it (`request`); any other is offered (`sync`).
    pub fn hold(&mut self, id: DocumentId, doc: AutoCommit, persisted_state: Option<&[u8]>) {
        self.client.track(id, persisted_state);
        self.docs.insert(id, doc);
    }

    /// The document counts as converged only once it contains these changes.
    pub fn expect_heads(&mut self, id: DocumentId, heads: Vec<ChangeHash>) {
        self.expected.insert(id, heads);
    }

    pub fn document(&self, id: DocumentId) -> Option<&AutoCommit> {
        self.docs.get(&id)
    }

    /// For local changes between syncs.
    pub fn document_mut(&mut self, id: DocumentId) -> Option<&mut AutoCommit> {
        self.docs.get_mut(&id)
    }

    /// The sync state to persist beside the document.
    pub fn sync_state(&self, id: DocumentId) -> Option<Vec<u8>> {
        self.client.sync_state(id)
    }

    pub fn availability(&self, id: DocumentId) -> Option<Availability> {
        self.client.availability(id)
    }

    /// Documents not yet converged. A document has converged when the server told us its heads
    /// and they are ours ([`SyncClient::is_synced`]); or, when the caller said which changes to
    /// expect, once we hold them and the server has acknowledged all of ours. The second way is
    /// needed because the JavaScript reference server keeps its sync state for a peer across
    /// connections and stays silent about a document whose heads it already sent: after a
    /// reconnect the client cannot always learn the server's heads again.
    pub fn unsynced(&mut self) -> Vec<DocumentId> {
        let NativePeer {
            client,
            docs,
            expected,
        } = self;
        let mut unsynced = Vec::new();
        // Checked after every message, so the cheap tests come first: `unacknowledged` and
        // `get_change_by_hash` can materialise a day's changes, heads are at hand.
        for (id, doc) in docs.iter_mut() {
            let converged = match expected.get(id) {
                Some(heads) => {
                    let ours = doc.get_heads();
                    let has_expected = heads
                        .iter()
                        .all(|h| ours.contains(h) || doc.get_change_by_hash(h).is_some());
                    has_expected && (client.is_synced(*id, doc) || acknowledged(client, *id, &ours))
                }
                None => client.is_synced(*id, doc),
            };
            if !converged {
                unsynced.push(*id);
            }
        }
        unsynced
    }

    /// What keeps a document from converging, for error messages.
    fn why_unsynced(&mut self, id: DocumentId) -> String {
        let Some(doc) = self.docs.get_mut(&id) else {
            return format!("{id}: not held");
        };
        let missing = self.expected.get(&id).map_or(0, |heads| {
            heads
                .iter()
                .filter(|h| doc.get_change_by_hash(h).is_none())
                .count()
        });
        let unacknowledged = self.client.unacknowledged(id, doc);
        let synced = self.client.is_synced(id, doc);
        let availability = self.client.availability(id);
        format!(
            "{id}: {missing} expected head(s) missing, {unacknowledged} change(s) unacknowledged, \
             server heads {}, {availability:?}",
            if synced {
                "equal ours"
            } else {
                "unknown or different"
            }
        )
    }

    /// Connects to `url` (a `ws://` URL, with the device token in the query for our server),
    /// joins, and exchanges sync messages until every held document has converged or `timeout`
    /// has passed; then closes the socket. A document the server reports unavailable stays
    /// unconverged unless the server sends it later on the same connection.
    pub async fn sync_until_converged(
        &mut self,
        url: &str,
        timeout: Duration,
    ) -> Result<SyncReport, PeerError> {
        let deadline = Instant::now() + timeout;
        let config = tungstenite::protocol::WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE_BYTES))
            .max_frame_size(Some(MAX_MESSAGE_BYTES));
        let request = match sync_request(url) {
            Ok(request) => request,
            Err(source) => {
                return Err(PeerError::Connect {
                    url: redact(url),
                    source,
                });
            }
        };
        let connect = tokio_tungstenite::connect_async_with_config(request, Some(config), true);
        let (mut ws, _) = match tokio::time::timeout_at(deadline, connect).await {
            Ok(Ok(ws)) => ws,
            Ok(Err(source)) => {
                self.client.disconnected();
                return Err(PeerError::Connect {
                    url: redact(url),
                    source,
                });
            }
            Err(_) => {
                let tracked = self.docs.len();
                let why = "the socket did not open".to_owned();
                return Err(PeerError::Timeout {
                    after: timeout,
                    unsynced: tracked,
                    tracked,
                    why,
                });
            }
        };
        let result = self.exchange(&mut ws, deadline, timeout).await;
        self.client.disconnected();
        // A close that fails changes nothing for the caller: the documents are already merged.
        let _ = ws.close(None).await;
        result
    }

    async fn exchange<S>(
        &mut self,
        ws: &mut tokio_tungstenite::WebSocketStream<S>,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<SyncReport, PeerError>
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        let started = Instant::now();
        let mut report = SyncReport::default();
        let mut outbox = vec![self.client.connect()];
        loop {
            if !outbox.is_empty() {
                for bytes in outbox.drain(..) {
                    report.bytes_sent += bytes.len();
                    report.messages_sent += 1;
                    ws.feed(Message::Binary(bytes.into()))
                        .await
                        .map_err(PeerError::Socket)?;
                }
                ws.flush().await.map_err(PeerError::Socket)?;
            }
            if self.client.is_ready() && self.unsynced().is_empty() {
                report.elapsed = started.elapsed();
                return Ok(report);
            }
            let next = match tokio::time::timeout_at(deadline, ws.next()).await {
                Ok(next) => next,
                Err(_) => {
                    let unsynced = self.unsynced();
                    let why = unsynced
                        .iter()
                        .take(3)
                        .map(|id| self.why_unsynced(*id))
                        .collect::<Vec<_>>()
                        .join("; ");
                    let (unsynced, tracked) = (unsynced.len(), self.docs.len());
                    return Err(PeerError::Timeout {
                        after: timeout,
                        unsynced,
                        tracked,
                        why,
                    });
                }
            };
            let bytes = match next {
                Some(Ok(Message::Binary(b))) => b,
                // tungstenite answers pings itself; text frames are not part of the protocol.
                Some(Ok(
                    Message::Ping(_) | Message::Pong(_) | Message::Text(_) | Message::Frame(_),
                )) => continue,
                Some(Ok(Message::Close(_))) | None => {
                    return Err(PeerError::Closed {
                        unsynced: self.unsynced().len(),
                    });
                }
                Some(Err(e)) => return Err(PeerError::Socket(e)),
            };
            report.bytes_received += bytes.len();
            report.messages_received += 1;
            match self.client.receive(&bytes)? {
                Incoming::Ready => {
                    for (id, doc) in &mut self.docs {
                        outbox.extend(self.client.outgoing(*id, doc));
                    }
                }
                Incoming::Sync { document, message } => {
                    if let Some(doc) = self.docs.get_mut(&document) {
                        let client = &mut self.client;
                        let apply = || client.apply(document, doc, message);
                        // A whole day's sync message takes a while to apply. On a multi-threaded
                        // runtime it runs with the worker handed over, so that the other
                        // connections keep reading and answering pings: the JS reference server
                        // drops a socket whose pong is late.
                        let multi_thread = tokio::runtime::Handle::current().runtime_flavor()
                            == tokio::runtime::RuntimeFlavor::MultiThread;
                        if multi_thread {
                            tokio::task::block_in_place(apply)
                        } else {
                            apply()
                        }?;
                        outbox.extend(self.client.outgoing(document, doc));
                    }
                }
                Incoming::Unavailable(document) => report.unavailable.push(document),
                Incoming::ServerError(message) => return Err(PeerError::Server(message)),
                Incoming::Ignored => {}
            }
        }
    }
}

/// The server holds every change of ours: our heads are among the heads both sides share
/// (the same as `SyncClient::unacknowledged` being 0, without listing the changes).
fn acknowledged(client: &SyncClient, id: DocumentId, our_heads: &[ChangeHash]) -> bool {
    let Some(state) = client
        .sync_state(id)
        .and_then(|b| pos_core::automerge::sync::State::decode(&b).ok())
    else {
        return false;
    };
    our_heads.iter().all(|h| state.shared_heads.contains(h))
}

/// The handshake for `url`: a `?token=` in it moves into the offered subprotocols (see
/// [`crate::sync::SYNC_PROTOCOL`]), so the token is not in the request line.
pub fn sync_request(
    url: &str,
) -> Result<tungstenite::handshake::client::Request, tungstenite::Error> {
    use tungstenite::client::IntoClientRequest as _;
    let (base, token) = match url.split_once("?token=") {
        Some((base, token)) => (base, Some(token)),
        None => (url, None),
    };
    let mut request = base.into_client_request()?;
    if let Some(token) = token {
        let offered = format!(
            "{}, {}{token}",
            crate::sync::SYNC_PROTOCOL,
            crate::sync::TOKEN_PROTOCOL_PREFIX
        );
        let value = tungstenite::http::HeaderValue::from_str(&offered)
            .map_err(|e| tungstenite::Error::HttpFormat(e.into()))?;
        request
            .headers_mut()
            .insert(tungstenite::http::header::SEC_WEBSOCKET_PROTOCOL, value);
    }
    Ok(request)
}

/// The URL without its query, so that a device token never reaches a log.
fn redact(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?…"),
        None => url.to_owned(),
    }
}
