//! The pump's decisions on a document (the per-message policy hooks): whether a message about
//! it registers it ([`admit`], by its genesis), what the device may do with it ([`Access`]), and
//! which changes are written ahead of samod.

use std::str::FromStr;

use super::message::{Header, doc_unavailable, empty_sync};
use super::{CloseReason, Peer, blocking, close};
use crate::policy::{self, Genesis, Origin};
use crate::registry::{Claim, DocumentClaim, Registration};

/// What a device may do with a registered document, decided once per connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
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
pub(super) enum Admission {
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
pub(super) async fn admit(
    peer: &Peer,
    header: &Header,
    doc: &str,
) -> Result<Admission, CloseReason> {
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
pub(super) fn sends_only_genesis(header: &Header, doc: &str) -> bool {
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
pub(super) async fn write_ahead(
    peer: &Peer,
    doc: &str,
    chunks: Vec<(String, Vec<u8>)>,
) -> Result<(), String> {
    peer.write_ahead.write(doc.to_string(), chunks).await
}

/// The changes a `request` or `sync` carries, each under the hash it is stored by (see
/// [`write_ahead`]); none for anything else (samod drops what is not a sync message).
pub(super) fn changes_of(header: &Header) -> Vec<(String, Vec<u8>)> {
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
