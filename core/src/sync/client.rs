//! The client side of the automerge-repo protocol as a state machine with no I/O: the caller
//! feeds it the bytes that arrived on the socket and the documents it holds, and sends the bytes
//! it returns. The same code runs in the browser over a `WebSocket`, and natively in the tests
//! and the benchmark over tungstenite.
//!
//! It keeps one Automerge sync state per tracked document for one server. The caller persists
//! [`SyncClient::sync_state`] beside the document, and passes it back to [`SyncClient::track`]
//! after a restart, so that a reconnect sends only what the server does not have yet.

use std::collections::BTreeMap;

use automerge::AutoCommit;
use automerge::sync::{self, SyncDoc};

use super::wire::{PROTOCOL_VERSION, WireError, WireMessage};
use crate::docs::DocumentId;

/// Whether the server has a document for us.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Availability {
    /// Nothing heard yet on this connection.
    Unknown,
    /// The server answered with sync messages.
    Available,
    /// The server answered `doc-unavailable`: it has no such document, or this device may not
    /// read it. The client stops asking until the next connection.
    Unavailable,
}

/// What one message from the server means for the caller.
#[derive(Debug)]
pub enum Incoming {
    /// The handshake is done: call [`SyncClient::outgoing`] for every document.
    Ready,
    /// Apply with [`SyncClient::apply`], then call [`SyncClient::outgoing`] for the document.
    Sync {
        document: DocumentId,
        message: sync::Message,
    },
    Unavailable(DocumentId),
    /// The server reports an error and will close the connection.
    ServerError(String),
    /// Nothing to do (a message type the client does not use, or a document it does not track).
    Ignored,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Wire(#[from] WireError),
    /// The server chose a protocol version this client does not speak.
    #[error(
        "the server speaks sync protocol version {0:?}, this register speaks {PROTOCOL_VERSION:?}"
    )]
    UnsupportedVersion(String),
    /// A sync message the server sent does not decode or apply.
    #[error("bad sync message for document {document}: {why}")]
    BadSyncMessage { document: DocumentId, why: String },
    /// A message other than `peer` arrived before the handshake finished.
    #[error("the server sent {0:?} before the handshake")]
    NotJoined(String),
}

struct Tracked {
    state: sync::State,
    availability: Availability,
}

pub struct SyncClient {
    peer_id: String,
    storage_id: Option<String>,
    /// The server's peer id, once it answered `join`.
    server: Option<String>,
    docs: BTreeMap<DocumentId, Tracked>,
}

impl SyncClient {
    /// `peer_id` is the one the server gave this device at enrollment; `storage_id` names this
    /// device's storage, so that the server can tell a returning peer from a new one.
    pub fn new(peer_id: impl Into<String>, storage_id: Option<String>) -> SyncClient {
        SyncClient {
            peer_id: peer_id.into(),
            storage_id,
            server: None,
            docs: BTreeMap::new(),
        }
    }

    pub fn peer_id(&self) -> &str {
        &self.peer_id
    }

    /// Starts keeping a document in sync, from its persisted sync state if there is one (a state
    /// that does not decode is dropped: the next sync starts over, which costs bytes, not data).
    pub fn track(&mut self, document: DocumentId, persisted_state: Option<&[u8]>) {
        self.docs.entry(document).or_insert_with(|| Tracked {
            state: persisted_state
                .and_then(|b| sync::State::decode(b).ok())
                .unwrap_or_default(),
            availability: Availability::Unknown,
        });
    }

    /// Goes back to the stored sync state of a document whose unstored changes were dropped, so
    /// the server is asked again for what this side no longer has.
    pub fn restart_document(&mut self, document: DocumentId, persisted_state: Option<&[u8]>) {
        self.docs.remove(&document);
        self.track(document, persisted_state);
    }

    pub fn is_tracked(&self, document: DocumentId) -> bool {
        self.docs.contains_key(&document)
    }

    pub fn tracked(&self) -> impl Iterator<Item = DocumentId> + '_ {
        self.docs.keys().copied()
    }

    /// The socket is open: returns the `join` message to send. Everything that belonged to the
    /// previous connection (messages in flight, what the server said it lacks) is forgotten,
    /// keeping only the heads both sides share.
    pub fn connect(&mut self) -> Vec<u8> {
        self.reset();
        WireMessage::Join {
            sender: self.peer_id.clone(),
            storage_id: self.storage_id.clone(),
            ephemeral: false,
        }
        .encode()
    }

    /// The socket closed.
    pub fn disconnected(&mut self) {
        self.reset();
    }

    fn reset(&mut self) {
        self.server = None;
        for tracked in self.docs.values_mut() {
            tracked.state = sync::State::decode(&tracked.state.encode()).unwrap_or_default();
            tracked.availability = Availability::Unknown;
        }
    }

    pub fn is_ready(&self) -> bool {
        self.server.is_some()
    }

    pub fn receive(&mut self, bytes: &[u8]) -> Result<Incoming, SyncError> {
        let message = WireMessage::decode(bytes)?;
        match message {
            WireMessage::Peer {
                sender, version, ..
            } => {
                if version != PROTOCOL_VERSION {
                    return Err(SyncError::UnsupportedVersion(version));
                }
                self.server = Some(sender);
                Ok(Incoming::Ready)
            }
            WireMessage::Error { message } => Ok(Incoming::ServerError(message)),
            _ if self.server.is_none() => Err(SyncError::NotJoined(message.kind().to_owned())),
            WireMessage::Sync { document, data, .. }
            | WireMessage::Request { document, data, .. } => {
                if !self.docs.contains_key(&document) {
                    return Ok(Incoming::Ignored);
                }
                let message =
                    sync::Message::decode(&data).map_err(|e| SyncError::BadSyncMessage {
                        document,
                        why: e.to_string(),
                    })?;
                Ok(Incoming::Sync { document, message })
            }
            WireMessage::DocUnavailable { document, .. } => match self.docs.get_mut(&document) {
                Some(tracked) => {
                    tracked.availability = Availability::Unavailable;
                    Ok(Incoming::Unavailable(document))
                }
                None => Ok(Incoming::Ignored),
            },
            _ => Ok(Incoming::Ignored),
        }
    }

    /// Applies a sync message from the server to the document.
    pub fn apply(
        &mut self,
        document: DocumentId,
        doc: &mut AutoCommit,
        message: sync::Message,
    ) -> Result<(), SyncError> {
        let Some(tracked) = self.docs.get_mut(&document) else {
            return Ok(());
        };
        doc.sync()
            .receive_sync_message(&mut tracked.state, message)
            .map_err(|e| SyncError::BadSyncMessage {
                document,
                why: e.to_string(),
            })?;
        tracked.availability = Availability::Available;
        Ok(())
    }

    /// The next message to send for a document, if it has anything to say: call after
    /// [`Incoming::Ready`], after [`SyncClient::apply`] and after every local change.
    pub fn outgoing(&mut self, document: DocumentId, doc: &mut AutoCommit) -> Option<Vec<u8>> {
        let server = self.server.clone()?;
        let tracked = self.docs.get_mut(&document)?;
        if tracked.availability == Availability::Unavailable {
            return None;
        }
        let message = doc.sync().generate_sync_message(&mut tracked.state)?;
        let data = message.encode();
        // automerge-repo asks with `request` while it holds nothing of a document, so that a
        // server without it answers `doc-unavailable` instead of creating an empty one.
        let wire = if doc.get_heads().is_empty() {
            WireMessage::Request {
                sender: self.peer_id.clone(),
                target: server,
                document,
                data,
            }
        } else {
            WireMessage::Sync {
                sender: self.peer_id.clone(),
                target: server,
                document,
                data,
            }
        };
        Some(wire.encode())
    }

    /// The sync state to persist beside the document (a few dozen bytes: the shared heads).
    pub fn sync_state(&self, document: DocumentId) -> Option<Vec<u8>> {
        self.docs.get(&document).map(|t| t.state.encode())
    }

    pub fn availability(&self, document: DocumentId) -> Option<Availability> {
        self.docs.get(&document).map(|t| t.availability)
    }

    /// Changes of the document that the server has not acknowledged yet: those after the heads
    /// both sides are known to share.
    pub fn unacknowledged(&self, document: DocumentId, doc: &mut AutoCommit) -> usize {
        match self.docs.get(&document) {
            Some(t) => doc.get_changes(&t.state.shared_heads).len(),
            None => 0,
        }
    }

    /// Both sides hold exactly the same changes of the document.
    pub fn is_synced(&self, document: DocumentId, doc: &mut AutoCommit) -> bool {
        let Some(t) = self.docs.get(&document) else {
            return false;
        };
        let mut ours = doc.get_heads();
        ours.sort();
        match &t.state.their_heads {
            Some(theirs) => {
                let mut theirs = theirs.clone();
                theirs.sort();
                theirs == ours
            }
            None => false,
        }
    }
}
