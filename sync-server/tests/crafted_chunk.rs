//! Issue #11: sync messages carrying chunks crafted with a valid checksum whose columns
//! automerge 0.12 panics on while decoding them (found by the `change_policy` fuzz target: a
//! bundle and a saved document, `tests/data/change_policy_sealed_*.bin`), and a new document's
//! first message with a change automerge panics on loading it with the genesis, sent by an
//! enrolled device over a real connection to the real server binary. The server refuses it with a reason, stores nothing of
//! it, keeps running, and its stores keep syncing: samod, which would decode the same bytes,
//! never sees it.

mod common;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};
use pos_core::{Actor, BusinessDay, DocumentId, SalesDay, SharedDocument, Uuid};

use common::raw::{Raw, Synced};
use common::{
    Device, Process, another_setup_code, create_store, get, pair, spawn, spawn_limited, stored_doc,
};

/// The fuzz target's inputs: 16 bytes of a document id, then the sync message.
const CRASHES: [&[u8]; 2] = [
    include_bytes!("data/change_policy_sealed_bundle.bin"),
    include_bytes!("data/change_policy_sealed_document.bin"),
];

/// The fuzz target's input (with `POS_FUZZ_SAMOD=1`) whose change reads, but automerge panics
/// loading it into a document that has nothing (an unknown actor in `op_set2/change/batch.rs`).
const APPLY_PANIC: &[u8] = include_bytes!("data/change_policy_samod_apply_panic.bin");

/// The fuzz target's input whose saved document declares a delta column of 2^30 rows in a few
/// bytes: automerge 0.12 collects it into a `Vec<u32>` of 4 GiB (`ChangeGraphCols::load`).
/// Unsealed: the target recomputes its checksum ([`pos_sync_server::policy::fuzz_seal`]).
const ALLOCATION_BOMB: &[u8] = include_bytes!("data/change_policy_allocation_bomb.bin");

/// An address space the server runs in with room to spare (it needs tens of megabytes), but
/// in which the 4 GiB the bomb asks for cannot be had: where the process would abort.
const ADDRESS_SPACE: u64 = 1 << 30;

/// A sync message carrying `changes`.
fn carrying(changes: Vec<Vec<u8>>) -> Vec<u8> {
    automerge::sync::Message {
        heads: Vec::new(),
        need: Vec::new(),
        have: Vec::new(),
        changes: changes.into(),
        flags: None,
        version: automerge::sync::MessageVersion::V1,
    }
    .encode()
}

/// That the server closed the connection for the crafted message as unreadable.
fn assert_unreadable(ended: Result<Vec<u8>, Synced>) {
    match ended {
        Err(Synced::Closed(code, reason)) => {
            assert_eq!(code, 1007, "{reason}");
            assert!(reason.starts_with("unreadable_change: "), "{reason}");
        }
        other => panic!("the crafted message was not refused: {other:?}"),
    }
}

/// `device` sends `message` as a sync message about `id` on a new connection, which the server
/// closes as unreadable.
async fn refused_as_unreadable(server: &Process, device: &Device, id: DocumentId, message: &[u8]) {
    let mut raw = Raw::connect(server.addr, device).await;
    raw.send("sync", id, message).await;
    assert_unreadable(raw.next(id).await);
}

/// The server process still runs and answers `/health`.
async fn assert_serving(server: &mut Process) {
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server exited"
    );
    assert_eq!(get(server.addr, "/health").await.status, 200);
}

/// `owner`'s sales day, as its register makes it.
fn day_of(owner: &Device) -> (DocumentId, AutoCommit) {
    let store = Uuid::parse_str(&owner.store_id).unwrap();
    let device = Uuid::parse_str(&owner.device_id).unwrap();
    let day = BusinessDay::new(2026, 11, 29).unwrap();
    let doc = SalesDay::new(store, device, day, &Actor::device(device)).into_automerge();
    (SalesDay::id(store, device, day), doc)
}

/// The server's SQLite holds exactly `doc`'s changes of `id`.
fn assert_stored(data: &std::path::Path, id: DocumentId, doc: &mut AutoCommit) {
    let id = samod::DocumentId::try_from(id.0.to_vec()).unwrap();
    let mut stored = stored_doc(data, &id).get_heads();
    let mut ours = doc.get_heads();
    stored.sort();
    ours.sort();
    assert_eq!(stored, ours);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunk_automerge_panics_on_is_refused_and_the_server_stays_up() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, dist) = (tmp.path().join("data"), tmp.path().join("dist"));
    let mut server = spawn(&data, &dist, true);
    let owner_a = create_store(server.addr, server.setup_code.as_deref().unwrap(), "A").await;
    let storage = pos_sync_server::Storage::open(&data).unwrap();
    let owner_b = create_store(server.addr, &another_setup_code(&storage), "B").await;

    // Store A's owner syncs its day: the document is registered and samod holds it.
    let (id_a, mut day_a) = day_of(&owner_a);
    let mut first = Raw::connect(server.addr, &owner_a).await;
    assert_eq!(first.sync(id_a, &mut day_a).await, Synced::InSync);
    for crash in CRASHES {
        // Then it sends a crafted message about that day.
        refused_as_unreadable(&server, &owner_a, id_a, &crash[16..]).await;
    }
    // The same about a document the server does not have yet is refused too.
    let (id_b, mut day_b) = day_of(&owner_b);
    for crash in CRASHES {
        refused_as_unreadable(&server, &owner_b, id_b, &crash[16..]).await;
    }
    // A document registered with nothing stored (its genesis came with a change under another
    // store's actor, refused after the genesis registered it), which samod holds nothing of,
    // then a change that reads alone but that automerge panics on loading into a document that
    // has nothing, as samod loads one it has nothing of.
    let (id_c, mut day_c) = {
        let store = Uuid::parse_str(&owner_b.store_id).unwrap();
        let device = Uuid::parse_str(&owner_b.device_id).unwrap();
        let day = BusinessDay::new(2026, 11, 30).unwrap();
        let doc = SalesDay::new(store, device, day, &Actor::device(device)).into_automerge();
        (SalesDay::id(store, device, day), doc)
    };
    let mut forged = day_c.clone();
    forged.set_actor(Actor::device(Uuid::parse_str(&owner_a.device_id).unwrap()).actor_id());
    forged.put(ROOT, "as", "store A").unwrap();
    forged.commit();
    let mut b = Raw::connect(server.addr, &owner_b).await;
    let first_message = forged
        .get_changes(&[])
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    b.send("sync", id_c, &carrying(first_message)).await;
    assert!(
        matches!(b.next(id_c).await, Err(Synced::Closed(1008, r)) if r.starts_with("foreign_actor: "))
    );
    assert!(
        storage.document_store(&id_c.to_string()).unwrap().is_some(),
        "registered"
    );
    refused_as_unreadable(&server, &owner_b, id_c, &APPLY_PANIC[16..]).await;

    assert_serving(&mut server).await;
    // Store A's first connection, open all along, syncs a change more; store B a new document.
    day_a.put(ROOT, "after", "the crafted messages").unwrap();
    day_a.commit();
    assert_eq!(first.sync(id_a, &mut day_a).await, Synced::InSync);
    let mut b = Raw::connect(server.addr, &owner_b).await;
    assert_eq!(b.sync(id_b, &mut day_b).await, Synced::InSync);
    // Nothing of the crafted message was written.
    assert_stored(&data, id_a, &mut day_a);
    assert_stored(&data, id_b, &mut day_b);
    // The document registered with nothing stored syncs too.
    let mut b = Raw::connect(server.addr, &owner_b).await;
    assert_eq!(b.sync(id_c, &mut day_c).await, Synced::InSync);
    assert_stored(&data, id_c, &mut day_c);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allocation_bomb_is_refused_and_the_server_stays_up() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, dist) = (tmp.path().join("data"), tmp.path().join("dist"));
    let mut server = spawn_limited(&data, &dist, true, ADDRESS_SPACE);
    let owner = create_store(server.addr, server.setup_code.as_deref().unwrap(), "A").await;
    let other = pair(server.addr, &owner, "Till 2").await;

    // The owner syncs its day, then sends the bomb about it; then about a document the server
    // has nothing of (another device's day: the server has not seen it).
    let (id, mut day) = day_of(&owner);
    let mut first = Raw::connect(server.addr, &owner).await;
    assert_eq!(first.sync(id, &mut day).await, Synced::InSync);
    let bomb = pos_sync_server::policy::fuzz_seal(ALLOCATION_BOMB);
    let (other_id, mut other_day) = day_of(&other);
    for target in [id, other_id] {
        refused_as_unreadable(&server, &owner, target, &bomb[16..]).await;
    }

    assert_serving(&mut server).await;
    // Another device of the store syncs its day; the owner's open connection a change more.
    let mut b = Raw::connect(server.addr, &other).await;
    assert_eq!(b.sync(other_id, &mut other_day).await, Synced::InSync);
    assert_stored(&data, other_id, &mut other_day);
    day.put(ROOT, "after", "the bomb").unwrap();
    day.commit();
    assert_eq!(first.sync(id, &mut day).await, Synced::InSync);
    assert_stored(&data, id, &mut day);
}
