//! The pump's decisions on a document (the per-message policy hooks): whether a message about
//! it registers it ([`admit`], by its genesis), what the device may do with it ([`Access`]),
//! under which actors it may write ([`Writers`]), and which changes are written ahead of samod.

use std::collections::HashSet;
use std::str::FromStr;
use std::time::Duration;

use automerge::{ActorId, Change, ChangeHash};

use super::message::{Header, doc_unavailable, empty_sync};
use super::{CloseReason, Peer, blocking, close};
use crate::actors::{ACTORS_PER_DEVICE, ActorOwner, named_device};
use crate::policy::{self, Chunk, Genesis, Origin};
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
/// derive the id, closes the connection, as does a `sync` with a chunk that does not read.
pub(super) async fn admit(
    peer: &Peer,
    header: &Header,
    carried: &Carried,
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
    let Some(changes) = carried.changes.as_deref() else {
        // Nothing to find a genesis in, and a chunk automerge may panic on.
        eprintln!(
            "pos-sync-server: refused an unreadable change to {doc} from device {}",
            peer.device
        );
        return Err(close::UNREADABLE_CHANGE);
    };
    let genesis = match policy::origin(id, changes) {
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
pub(super) fn sends_only_genesis(carried: &Carried, doc: &str) -> bool {
    match (
        pos_core::DocumentId::from_str(doc),
        carried.changes.as_deref(),
    ) {
        (_, Some([])) => true,
        (Ok(id), Some(changes)) => policy::only_genesis(id, changes),
        _ => false,
    }
}

/// The actors a connection may write under, each decided once per connection: one that
/// carries the device's id is its own; any other is the device's if the server's records say so
/// or bind it to the device now ([`crate::actors`]), or a fellow device's of the same store; the
/// document's own actor writes nothing after its genesis. A change under a fellow's actor is a
/// relay (Automerge's sync sends again what it cannot tell the server has) only if the server
/// already holds it, same hash: otherwise it is a forgery, refused as a foreign actor's.
#[derive(Debug, Default)]
pub(super) struct Writers {
    /// The device's own actors.
    own: HashSet<ActorId>,
    /// Fellow devices' actors: every change under one is checked against the server's copy.
    fellows: HashSet<ActorId>,
}

/// How long the pump waits for samod to say whether it holds relayed changes (loading a large
/// document takes a second or two).
const HOLDS_TIMEOUT: Duration = Duration::from_secs(20);

impl Writers {
    /// Checks the writers of the changes a message carries to `doc`.
    pub(super) async fn check(
        &mut self,
        peer: &Peer,
        doc: &str,
        changes: Option<&[Change]>,
    ) -> Result<(), CloseReason> {
        let Some(changes) = changes else {
            eprintln!(
                "pos-sync-server: refused an unreadable change to {doc} from device {}",
                peer.device
            );
            return Err(close::UNREADABLE_CHANGE);
        };
        let id = pos_core::DocumentId::from_str(doc).ok();
        for actor in policy::writers(id, changes) {
            if self.own.contains(&actor) || self.fellows.contains(&actor) {
                continue;
            }
            let refused = |owner: &str| {
                eprintln!(
                    "pos-sync-server: refused a change to {doc} from device {} under actor \
                     {actor} of {owner}",
                    peer.device
                );
                Err(close::FOREIGN_ACTOR)
            };
            if id.is_some_and(|id| policy::is_document_actor(id, &actor)) {
                return refused("the document itself");
            }
            if named_device(actor.to_bytes()).as_deref() != Some(peer.device.as_str()) {
                let (storage, device, now) =
                    (peer.storage.clone(), peer.device.clone(), peer.clock.now());
                let bound = {
                    let actor = actor.clone();
                    blocking(move || storage.bind_actor(&actor, &device, now, ACTORS_PER_DEVICE))
                        .await
                };
                match bound {
                    Ok(ActorOwner::Asker) => {}
                    Ok(ActorOwner::Other(owner)) => {
                        // Automerge's sync protocol sends again what it cannot tell the other
                        // side has, with everything written on top of it: a device relays its
                        // fellow devices' changes (the 5,000-row import into a store did, and
                        // was refused forever). Another store's device is never a fellow.
                        let (storage, of) = (peer.storage.clone(), owner.clone());
                        match blocking(move || storage.store_of_device(&of)).await {
                            Ok(Some(store)) if store == peer.store => {
                                self.fellows.insert(actor);
                                continue;
                            }
                            Ok(_) => return refused(&format!("device {owner}")),
                            Err(e) => {
                                eprintln!("pos-sync-server: storage error: actor {actor}: {e}");
                                return Err(close::STORAGE);
                            }
                        }
                    }
                    Ok(ActorOwner::OverQuota) => {
                        eprintln!(
                            "pos-sync-server: refused a new actor {actor} from device {}: it has \
                             {ACTORS_PER_DEVICE} already",
                            peer.device
                        );
                        return Err(close::TOO_MANY_ACTORS);
                    }
                    Err(e) => {
                        eprintln!("pos-sync-server: storage error: actor {actor}: {e}");
                        return Err(close::STORAGE);
                    }
                }
            }
            self.own.insert(actor);
        }
        let relayed: Vec<ChangeHash> = changes
            .iter()
            .filter(|change| self.fellows.contains(change.actor_id()))
            .map(Change::hash)
            .collect();
        if !relayed.is_empty() && !holds(peer, doc, relayed).await? {
            eprintln!(
                "pos-sync-server: refused a change to {doc} from device {} under a fellow \
                 device's actor that the server does not hold (not a relay)",
                peer.device
            );
            return Err(close::FOREIGN_ACTOR);
        }
        Ok(())
    }
}

/// Whether the server holds every change of `hashes` in `doc`, asked of samod's copy of the
/// document (every change the server acknowledged is in it). A document with nothing stored
/// holds none: samod would then ask the devices for it and wait for them, this one among them.
async fn holds(peer: &Peer, doc: &str, hashes: Vec<ChangeHash>) -> Result<bool, CloseReason> {
    let (storage, name) = (peer.storage.clone(), doc.to_string());
    match blocking(move || storage.has_chunks(&name)).await {
        Ok(true) => {}
        Ok(false) => return Ok(false),
        Err(e) => {
            eprintln!("pos-sync-server: storage error: chunks of {doc}: {e}");
            return Err(close::STORAGE);
        }
    }
    let Ok(id) = samod::DocumentId::from_str(doc) else {
        return Ok(false);
    };
    let repo = peer.repo.clone();
    let asked = tokio::time::timeout(HOLDS_TIMEOUT, async move {
        let handle = repo.find(id).await.ok()??;
        handle
            .with_document_async(move |d| {
                use automerge::ReadDoc;
                hashes.iter().all(|h| d.get_change_by_hash(h).is_some())
            })
            .await
            .ok()
    });
    match asked.await {
        Ok(Some(held)) => Ok(held),
        _ => {
            eprintln!("pos-sync-server: samod did not say whether it holds changes of {doc}");
            Err(close::STORAGE)
        }
    }
}

/// Refuses (`unreadable_change`) a message that automerge panics on when it loads it into a
/// document that has nothing, for a document the server has nothing of yet.
///
/// samod loads the changes of a document it has nothing of otherwise than into one it holds:
/// the chunks joined and loaded as a whole (`Automerge::load`), which reading each chunk alone
/// ([`policy::read_chunk`]) does not do, and automerge 0.12 panics there on some changes that
/// read on their own (an `unwrap` on an unknown actor in `op_set2/change/batch.rs`, found by the
/// `change_policy` fuzz target with `POS_FUZZ_SAMOD=1`; `tests/crafted_chunk.rs`). So for such
/// a document the pump loads them the same way first, under `catch_unwind`. That is the first
/// message of each new document only: once its changes are written ahead, the server holds
/// something of it (the pump asks once per document and connection after that).
pub(super) async fn loads_into_nothing(
    peer: &Peer,
    doc: &str,
    chunks: &[(String, Vec<u8>)],
) -> Result<(), CloseReason> {
    let (storage, name) = (peer.storage.clone(), doc.to_string());
    match blocking(move || storage.has_chunks(&name)).await {
        Ok(true) => return Ok(()),
        Ok(false) => {}
        Err(e) => {
            eprintln!("pos-sync-server: storage error: chunks of {doc}: {e}");
            return Err(close::STORAGE);
        }
    }
    let joined: Vec<u8> = chunks.iter().flat_map(|(_, c)| c.iter().copied()).collect();
    let loaded = tokio::task::spawn_blocking(move || {
        policy::without_panic(|| {
            let _ = automerge::Automerge::new().load_incremental(&joined);
            Some(())
        })
    })
    .await;
    if matches!(loaded, Ok(Some(()))) {
        return Ok(());
    }
    eprintln!(
        "pos-sync-server: refused changes to {doc} from device {} that automerge panics on \
         loading into an empty document",
        peer.device
    );
    Err(close::UNREADABLE_CHANGE)
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

/// What a `request` or `sync` message carries, read once for every decision on it.
#[derive(Debug)]
pub(super) struct Carried {
    /// Each chunk under the key it is stored by (see [`write_ahead`]).
    pub(super) chunks: Vec<(String, Vec<u8>)>,
    /// The changes in them; `None` if a chunk is neither a change nor a saved document.
    pub(super) changes: Option<Vec<Change>>,
}

impl Carried {
    /// Nothing for a message that is not an Automerge sync message (samod drops it); an
    /// unreadable chunk for one automerge panics on ([`policy::without_panic`]), which samod
    /// must not see.
    pub(super) fn read(header: &Header) -> Carried {
        let nothing = || Carried {
            chunks: Vec::new(),
            changes: Some(Vec::new()),
        };
        let Some(data) = header.data.as_deref() else {
            return nothing();
        };
        let msg = match policy::without_panic(|| Some(automerge::sync::Message::decode(data).ok()))
        {
            Some(Some(msg)) => msg,
            Some(None) => return nothing(),
            None => {
                return Carried {
                    chunks: vec![(
                        format!("wal-{}", crate::storage::hash_bytes(data)),
                        data.to_vec(),
                    )],
                    changes: None,
                };
            }
        };
        let mut chunks = Vec::with_capacity(msg.changes.len());
        let mut changes = Some(Vec::with_capacity(msg.changes.len()));
        for chunk in msg.changes.iter() {
            let bundle = || format!("wal-{}", crate::storage::hash_bytes(chunk));
            match policy::read_chunk(chunk) {
                Some(Chunk::Change(change)) => {
                    chunks.push((change.hash().to_string(), chunk.to_vec()));
                    if let Some(changes) = changes.as_mut() {
                        changes.push(*change);
                    }
                }
                Some(Chunk::Many(in_it)) => {
                    chunks.push((bundle(), chunk.to_vec()));
                    if let Some(changes) = changes.as_mut() {
                        changes.extend(in_it);
                    }
                }
                None => {
                    chunks.push((bundle(), chunk.to_vec()));
                    changes = None;
                }
            }
        }
        Carried { chunks, changes }
    }
}
