//! What a document is, read from the document itself: the server takes a document into a store
//! only on its *genesis*, the first change every document starts with (`pos_core::docs`), and
//! only if that genesis derives the document's id. No I/O here: [`crate::sync::pump`] asks,
//! with the changes of a sync message, and decides.
//!
//! A genesis has the document id's 16 bytes as its actor, sequence number 1 and no
//! dependencies, and puts at the root `kind`, `schema`, `store` and the fields that key the
//! document (`device` and `day` of a sales day, `period` of a stock period, `month` of a month
//! index). Ids are `DocumentId::derive(store, kind, key)`, so a genesis that derives its id
//! names the one store whose documents it can be; a device of another store can copy a genesis
//! but not change what it says.
//!
//! Every other change is written by an actor of a device: [`writers`] lists them for the pump,
//! which asks `crate::actors` whose each is.

use automerge::sync::Message;
use automerge::{ActorId, Automerge, Bundle, Change, ROOT, ReadDoc, Value};
use pos_core::{DocKind, DocumentId, Uuid};

/// A document's genesis as the server reads it: what the document is and whose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Genesis {
    pub kind: DocKind,
    pub store: Uuid,
    /// The device whose sales a sales day holds, the only one that writes it; `None` for the
    /// other kinds, which every device of the store writes.
    pub owner: Option<Uuid>,
}

/// What the changes of a sync message say about where a document comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// No genesis of this document among them (the device has not sent it yet).
    Unknown,
    /// A genesis of this document that does not derive its id: forged, or made by something
    /// that is not a register of ours. Says why, for the server's log.
    Forged(String),
    /// A genesis that derives the document's id.
    Genesis(Genesis),
}

/// One chunk of a sync message, read.
#[derive(Debug)]
pub enum Chunk {
    /// A single change (boxed: a `Change` is some 500 bytes).
    Change(Box<Change>),
    /// The changes of anything else automerge reads there: a saved document (in automerge's V2
    /// messages, which a peer sends when the other side has nothing), a bundle of changes
    /// (several changes sent at once), or several such chunks one after another.
    Many(Vec<Change>),
}

/// Runs automerge on a device's bytes; a panic in it reads as `None`, as bytes that do not
/// decode.
///
/// Automerge 0.12 panics on some crafted chunks, also with a valid checksum (an `unwrap` in
/// hexane's column decoder; the `change_policy` fuzz target found them,
/// `tests/data/change_policy_*.bin`). The shipped server unwinds (`[profile.server]` in
/// Cargo.toml), so such a panic stops here and the pump refuses the message
/// (`unreadable_change`) before samod sees it: samod would decode the same bytes with the same
/// decoders in a document actor, where a panic breaks the document for every store's peers
/// (its state sits behind a `Mutex` the panic poisons). Under `panic = "abort"` (the release
/// profile) this cannot help: the process aborts.
pub fn without_panic<T>(decode: impl FnOnce() -> Option<T>) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(decode))
        .ok()
        .flatten()
}

/// What a chunk of a sync message is; `None` if automerge's storage chunks in it do not all
/// read (automerge would apply those before the first that does not, so the server could not
/// know who wrote what it applies), or automerge panics on them ([`without_panic`]).
///
/// Every chunk goes through the decoders samod's `load_incremental` runs on it: a change's
/// operations (`Change::try_from`, as automerge's `Change::new_from_unverified`), a bundle's
/// columns and changes (`Bundle::try_from` and `to_changes`, as `Bundle::new_from_unverified`),
/// and a saved document's op and change columns (`Automerge::load`, which reconstructs it as
/// samod does for a document it has nothing of; for one it has, samod reconstructs only the
/// changes, from the same columns). Each chunk is first counted
/// ([`crate::column_bound::check_chunk`]): one whose columns would decode to more rows than
/// the server allows, or inflate past its limit, is unreadable before automerge allocates for it.
pub fn read_chunk(bytes: &[u8]) -> Option<Chunk> {
    without_panic(|| read_chunk_unguarded(bytes))
}

fn read_chunk_unguarded(bytes: &[u8]) -> Option<Chunk> {
    // Counted before automerge decodes anything: a few bytes can declare gigabytes, and a
    // failed allocation is no panic to catch.
    for range in chunk_bounds(bytes)? {
        crate::column_bound::check_chunk(&bytes[range]).ok()?;
    }
    if let Ok(change) = Change::try_from(bytes) {
        return Some(Chunk::Change(Box::new(change)));
    }
    let mut changes = Vec::new();
    for (kind, piece) in storage_chunks(bytes)? {
        match kind {
            StorageChunk::Document => changes.extend(Automerge::load(piece).ok()?.get_changes(&[])),
            StorageChunk::Change => changes.push(Change::try_from(piece).ok()?),
            StorageChunk::Bundle => {
                changes.extend(Bundle::try_from(piece).ok()?.to_changes().ok()?);
            }
        }
    }
    Some(Chunk::Many(changes))
}

/// The kinds of automerge's storage chunks.
enum StorageChunk {
    Document,
    /// A change, compressed or not.
    Change,
    Bundle,
}

/// Automerge's storage chunks one after another, as automerge reads the changes of a sync
/// message: each is the magic bytes `85 6f 4a 83`, a 4-byte checksum, a type byte, the length
/// of its data as unsigned LEB128, then the data. `None` if the bytes are not such chunks.
fn storage_chunks(bytes: &[u8]) -> Option<Vec<(StorageChunk, &[u8])>> {
    let mut out = Vec::new();
    for range in chunk_bounds(bytes)? {
        let chunk = &bytes[range];
        let kind = match chunk[8] {
            0 => StorageChunk::Document,
            1 | 2 => StorageChunk::Change,
            _ => StorageChunk::Bundle,
        };
        // Automerge 0.12 panics on some malformed bundles (an `unwrap` in hexane's column
        // decoder, found by the `change_policy` fuzz target) and reads them before it checks
        // their checksum; checked here first, so corrupt chunks are refused as unreadable.
        // A compressed change's checksum is the uncompressed change's: `Change::try_from` checks it.
        let compressed = chunk[8] == 2;
        if !compressed && checksum(chunk) != chunk[4..8] {
            return None;
        }
        out.push((kind, chunk));
    }
    Some(out)
}

/// Where each storage chunk of `all` is; `None` unless `all` is whole chunks of a known type.
fn chunk_bounds(all: &[u8]) -> Option<Vec<std::ops::Range<usize>>> {
    const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
    let mut out = Vec::new();
    let mut start = 0;
    while start < all.len() {
        let bytes = &all[start..];
        if bytes.get(..4)? != MAGIC || *bytes.get(8)? > 3 {
            return None;
        }
        let (mut len, mut at, mut shift) = (0u64, 9, 0);
        loop {
            let byte = *bytes.get(at)?;
            at += 1;
            len |= u64::from(byte & 0x7f).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift >= 64 {
                return None;
            }
        }
        let end = at.checked_add(usize::try_from(len).ok()?)?;
        bytes.get(..end)?;
        out.push(start..start + end);
        start += end;
    }
    Some(out)
}

/// The checksum automerge computes for a storage chunk (magic, checksum, type, length, data):
/// the first 4 bytes of the SHA-256 of its type, length and data.
fn checksum(chunk: &[u8]) -> [u8; 4] {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(&chunk[8..]);
    [hash[0], hash[1], hash[2], hash[3]]
}

/// The changes a sync message carries ([`read_chunk`]); `None` if a chunk is unreadable.
pub fn changes(message: &Message) -> Option<Vec<Change>> {
    let mut out = Vec::new();
    for chunk in message.changes.iter() {
        match read_chunk(chunk)? {
            Chunk::Change(change) => out.push(*change),
            Chunk::Many(changes) => out.extend(changes),
        }
    }
    Some(out)
}

/// The actors that wrote `changes`, each once, leaving out the genesis of document `id` (every
/// device of the store may bring it: a device holds another's day from it). Whose each actor
/// is, the server decides (`crate::actors`); none may be [`is_document_actor`].
pub fn writers(id: Option<DocumentId>, changes: &[Change]) -> Vec<ActorId> {
    let mut out: Vec<ActorId> = Vec::new();
    for change in changes {
        if id.is_some_and(|id| is_genesis_of(id, change)) || out.contains(change.actor_id()) {
            continue;
        }
        out.push(change.actor_id().clone());
    }
    out
}

/// Whether `actor` is document `id`'s own, which writes its genesis and nothing else: a change
/// under it after the genesis is no device's.
pub fn is_document_actor(id: DocumentId, actor: &ActorId) -> bool {
    actor.to_bytes() == id.0
}

/// Whether a change has the shape of `id`'s genesis: `id`'s actor, sequence number 1, no
/// dependencies. (Whether it says the right things is [`origin`]'s question.)
fn is_genesis_of(id: DocumentId, change: &Change) -> bool {
    change.actor_id().to_bytes() == id.0 && change.seq() == 1 && change.deps().is_empty()
}

/// Whether every change is `id`'s genesis (true of none): all that a device may send of
/// another device's sales day, which it holds to receive the owner's changes into.
pub fn only_genesis(id: DocumentId, changes: &[Change]) -> bool {
    changes.iter().all(|c| is_genesis_of(id, c))
}

/// Where document `id` comes from, by the genesis among `changes`.
pub fn origin(id: DocumentId, changes: &[Change]) -> Origin {
    let mut found = changes.iter().filter(|c| is_genesis_of(id, c));
    let Some(genesis) = found.next() else {
        return Origin::Unknown;
    };
    if found.any(|other| other.hash() != genesis.hash()) {
        // An actor never makes two changes with one sequence number.
        return Origin::Forged("two different first changes".into());
    }
    match read(id, genesis) {
        Ok(genesis) => Origin::Genesis(genesis),
        Err(why) => Origin::Forged(why),
    }
}

/// The fields of a genesis, checked against the id they derive.
fn read(id: DocumentId, change: &Change) -> Result<Genesis, String> {
    let doc = without_panic(|| {
        let mut doc = Automerge::new();
        Some(doc.apply_changes([change.clone()]).map(|()| doc))
    })
    .ok_or("the first change does not apply: automerge panicked")?
    .map_err(|e| format!("the first change does not apply: {e}"))?;
    let field = |key: &str| -> Result<String, String> {
        match doc.get(ROOT, key) {
            Ok(Some((Value::Scalar(s), _))) => s
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("{key} is not a string")),
            Ok(Some(_)) => Err(format!("{key} is an object, not a string")),
            _ => Err(format!("no {key}")),
        }
    };
    let kind_name = field("kind")?;
    let kind =
        DocKind::from_name(&kind_name).ok_or_else(|| format!("unknown kind {kind_name:?}"))?;
    let store_text = field("store")?;
    let store = Uuid::parse_str(&store_text).map_err(|_| format!("store {store_text:?}"))?;
    let (key, owner) = match kind {
        DocKind::Catalog | DocKind::Settings | DocKind::Customers => (String::new(), None),
        DocKind::SalesDay => {
            let device = field("device")?;
            let owner = Uuid::parse_str(&device).map_err(|_| format!("device {device:?}"))?;
            (format!("{device}/{}", field("day")?), Some(owner))
        }
        DocKind::StockPeriod => (field("period")?, None),
        DocKind::MonthIndex => (field("month")?, None),
    };
    // The key as the fields spell it: core derives ids from exactly these strings.
    if DocumentId::derive(store, kind, &key) != id {
        return Err(format!(
            "{kind} {key:?} of store {store} is not document {id}"
        ));
    }
    Ok(Genesis { kind, store, owner })
}

/// The genesis check on untrusted bytes, for a fuzz target: the first 16 bytes are a document
/// id, the rest an Automerge sync message. Must not panic.
#[doc(hidden)]
pub fn fuzz_origin(bytes: &[u8]) -> Option<Origin> {
    let id = DocumentId(bytes.get(..16)?.try_into().ok()?);
    let message = without_panic(|| Message::decode(&bytes[16..]).ok())?;
    let changes = changes(&message)?;
    let _ = only_genesis(id, &changes);
    for actor in writers(Some(id), &changes) {
        let _ = is_document_actor(id, &actor);
    }
    Some(origin(id, &changes))
}

/// For a fuzz target: `bytes` (16 id bytes, then a sync message, as [`fuzz_origin`] takes
/// them) with the checksum of every uncompressed storage chunk in the message's changes
/// recomputed in place, so that mutated chunks get past the checksum check to automerge's
/// column decoders, as a chunk crafted with a valid checksum does. Everything else is left as
/// it is (re-encoding the message would sort its hashes); unchanged if the message's layout
/// does not read.
#[doc(hidden)]
pub fn fuzz_seal(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for chunk in sync_message_chunks(bytes).unwrap_or_default() {
        for range in chunk_bounds(&out[chunk.clone()]).unwrap_or_default() {
            let piece = &mut out[chunk.start + range.start..chunk.start + range.end];
            if piece[8] != 2 {
                let sum = checksum(piece);
                piece[4..8].copy_from_slice(&sum);
            }
        }
    }
    out
}

/// Where the chunks of changes are in `bytes` (16 id bytes, then an Automerge sync message: its
/// type, heads, needs, haves, then the changes, each a length and its bytes).
fn sync_message_chunks(bytes: &[u8]) -> Option<Vec<std::ops::Range<usize>>> {
    fn leb(bytes: &[u8], at: &mut usize) -> Option<usize> {
        let (mut value, mut shift) = (0u64, 0);
        loop {
            let byte = *bytes.get(*at)?;
            *at += 1;
            value |= u64::from(byte & 0x7f).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                return usize::try_from(value).ok();
            }
            shift += 7;
        }
    }
    fn skip_hashes(bytes: &[u8], at: &mut usize) -> Option<()> {
        let len = leb(bytes, at)?.checked_mul(32)?;
        *at = at.checked_add(len)?;
        Some(())
    }
    let mut at = 17;
    skip_hashes(bytes, &mut at)?;
    skip_hashes(bytes, &mut at)?;
    for _ in 0..leb(bytes, &mut at)? {
        skip_hashes(bytes, &mut at)?;
        let bloom = leb(bytes, &mut at)?;
        at = at.checked_add(bloom)?;
    }
    let mut chunks = Vec::new();
    for _ in 0..leb(bytes, &mut at)? {
        let len = leb(bytes, &mut at)?;
        let end = at.checked_add(len)?;
        bytes.get(at..end)?;
        chunks.push(at..end);
        at = end;
    }
    Some(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `change_policy` fuzz target's crash: a sync message whose bundle automerge 0.12
    /// panicked on while decoding its columns.
    #[test]
    fn a_corrupt_bundle_is_unreadable_not_a_panic() {
        let bytes = include_bytes!("../tests/data/change_policy_crash.bin");
        assert!(fuzz_origin(bytes).is_none());
    }

    /// The `change_policy` fuzz target's crashes once it recomputed each chunk's checksum, as a
    /// device crafting a chunk does: a bundle that automerge 0.12 panics on in hexane's column
    /// decoder (the crash above, sealed), and a saved document it panics on reading its change
    /// columns (an index out of bounds in `change_graph.rs`). The policy reads them as
    /// unreadable; automerge alone panics.
    #[test]
    fn a_chunk_automerge_panics_on_with_a_valid_checksum_is_unreadable() {
        let inputs: [&[u8]; 2] = [
            include_bytes!("../tests/data/change_policy_sealed_bundle.bin"),
            include_bytes!("../tests/data/change_policy_sealed_document.bin"),
        ];
        // The fuzz target's own input for the first: its checksum recomputed, nothing else.
        let unsealed = include_bytes!("../tests/data/change_policy_crash.bin");
        assert_eq!(fuzz_seal(unsealed), inputs[0]);
        assert_ne!(&unsealed[..], inputs[0]);
        for bytes in inputs {
            assert_eq!(fuzz_seal(bytes), bytes, "sealed already");
            let message = Message::decode(&bytes[16..]).unwrap();
            let panics = message.changes.iter().any(|chunk| {
                storage_chunks(chunk).is_some()
                    && std::panic::catch_unwind(|| read_chunk_unguarded(chunk)).is_err()
            });
            assert!(
                panics,
                "automerge panics on a chunk of it whose checksums are valid"
            );
            assert!(changes(&message).is_none());
            assert_eq!(fuzz_origin(bytes), None);
        }
    }

    use automerge::sync::{State, SyncDoc};
    use automerge::transaction::Transactable;
    use automerge::{ActorId, AutoCommit};
    use pos_core::{Actor, BusinessDay, CatalogDoc, MonthIndex, SalesDay, SharedDocument};
    use pos_core::{CustomersDoc, SettingsDoc, StockPeriod};

    const STORE: Uuid = Uuid::from_u128(0x0005_707e_0000_4000_8000_0000_0000_0001);
    const OTHER_STORE: Uuid = Uuid::from_u128(0x0005_707e_0000_4000_8000_0000_0000_0002);
    const DEVICE: Uuid = Uuid::from_u128(0x000d_e1ce_0000_4000_8000_0000_0000_0001);

    fn day() -> BusinessDay {
        BusinessDay::new(2026, 11, 29).unwrap()
    }

    /// The changes a device sends of `doc` when the server has nothing: a V2 message.
    fn sent(doc: &mut AutoCommit) -> Vec<Change> {
        let server = Automerge::new();
        let mut server_state = State::new();
        let first = server.generate_sync_message(&mut server_state).unwrap();
        let mut state = State::new();
        doc.sync().receive_sync_message(&mut state, first).unwrap();
        let reply = doc.sync().generate_sync_message(&mut state).unwrap();
        changes(&reply).expect("the chunks decode")
    }

    /// A genesis written by hand as core writes it, with `actor` and these root fields.
    fn hand_made(actor: &[u8], fields: &[(&str, &str)]) -> AutoCommit {
        let mut doc = AutoCommit::new().with_actor(ActorId::from(actor.to_vec()));
        doc.put(ROOT, "schema", 1_u64).unwrap();
        for (k, v) in fields {
            doc.put(ROOT, *k, *v).unwrap();
        }
        doc.commit_with(automerge::transaction::CommitOptions::default().with_time(0));
        doc
    }

    #[test]
    fn every_kind_of_core_document_reads_as_its_genesis() {
        let actor = Actor::device(DEVICE);
        let month = day().month();
        let cases: Vec<(DocumentId, AutoCommit, DocKind, Option<Uuid>)> = vec![
            (
                DocumentId::derive(STORE, DocKind::Catalog, ""),
                CatalogDoc::new(STORE, &actor).into_automerge(),
                DocKind::Catalog,
                None,
            ),
            (
                DocumentId::derive(STORE, DocKind::Settings, ""),
                SettingsDoc::new(STORE, &actor).into_automerge(),
                DocKind::Settings,
                None,
            ),
            (
                SalesDay::id(STORE, DEVICE, day()),
                SalesDay::new(STORE, DEVICE, day(), &actor).into_automerge(),
                DocKind::SalesDay,
                Some(DEVICE),
            ),
            (
                StockPeriod::id(STORE, "2026-11"),
                StockPeriod::new(STORE, "2026-11", &actor).into_automerge(),
                DocKind::StockPeriod,
                None,
            ),
            (
                MonthIndex::id(STORE, month),
                MonthIndex::new(STORE, month, &actor).into_automerge(),
                DocKind::MonthIndex,
                None,
            ),
            (
                CustomersDoc::id(STORE),
                CustomersDoc::new(STORE, &actor).into_automerge(),
                DocKind::Customers,
                None,
            ),
        ];
        for (id, mut doc, kind, owner) in cases {
            let changes = sent(&mut doc);
            assert_eq!(
                origin(id, &changes),
                Origin::Genesis(Genesis {
                    kind,
                    store: STORE,
                    owner
                }),
                "{kind}"
            );
        }
    }

    #[test]
    fn the_genesis_is_found_among_later_changes_and_single_change_chunks() {
        let id = SalesDay::id(STORE, DEVICE, day());
        let mut doc = SalesDay::new(STORE, DEVICE, day(), &Actor::device(DEVICE)).into_automerge();
        doc.put(ROOT, "note", "later").unwrap();
        doc.commit();
        let mut changes = doc.get_changes(&[]);
        changes.reverse();
        assert!(matches!(origin(id, &changes), Origin::Genesis(_)));
        // Without it: nothing to go by.
        assert_eq!(origin(id, &changes[..1]), Origin::Unknown);
        assert_eq!(origin(id, &[]), Origin::Unknown);
    }

    #[test]
    fn a_genesis_naming_another_store_does_not_derive_the_id() {
        // Store B's device makes store A's next day under A's id, naming its own store.
        let id = SalesDay::id(STORE, DEVICE, day());
        let mut doc = hand_made(
            &id.0,
            &[
                ("kind", "sales-day"),
                ("store", &OTHER_STORE.to_string()),
                ("device", &DEVICE.to_string()),
                ("day", "2026-11-29"),
            ],
        );
        assert!(matches!(origin(id, &sent(&mut doc)), Origin::Forged(_)));
        // Naming store A it derives, and says so: the server then compares it with the
        // sender's store.
        let mut doc = hand_made(
            &id.0,
            &[
                ("kind", "sales-day"),
                ("store", &STORE.to_string()),
                ("device", &DEVICE.to_string()),
                ("day", "2026-11-29"),
            ],
        );
        assert_eq!(
            origin(id, &sent(&mut doc)),
            Origin::Genesis(Genesis {
                kind: DocKind::SalesDay,
                store: STORE,
                owner: Some(DEVICE)
            })
        );
    }

    #[test]
    fn a_genesis_with_another_key_or_kind_does_not_derive_the_id() {
        let id = SalesDay::id(STORE, DEVICE, day());
        let (device, spelled_otherwise) = (DEVICE.to_string(), DEVICE.simple().to_string());
        let another_device = OTHER_STORE.to_string();
        let cases: [&[(&str, &str)]; 6] = [
            // Another day.
            &[
                ("kind", "sales-day"),
                ("device", &device),
                ("day", "2026-11-30"),
            ],
            // Another device.
            &[
                ("kind", "sales-day"),
                ("device", &another_device),
                ("day", "2026-11-29"),
            ],
            // The same device, spelled otherwise (the key is the text).
            &[
                ("kind", "sales-day"),
                ("device", &spelled_otherwise),
                ("day", "2026-11-29"),
            ],
            // Another kind.
            &[("kind", "catalog")],
            // No kind; an unknown one.
            &[("device", &device), ("day", "2026-11-29")],
            &[("kind", "sales-week")],
        ];
        let store = STORE.to_string();
        for fields in cases {
            let mut all = fields.to_vec();
            all.push(("store", &store));
            let mut doc = hand_made(&id.0, &all);
            assert!(
                matches!(origin(id, &sent(&mut doc)), Origin::Forged(_)),
                "{fields:?}"
            );
        }
        // No store.
        let mut no_store = hand_made(
            &id.0,
            &[
                ("kind", "sales-day"),
                ("device", &device),
                ("day", "2026-11-29"),
            ],
        );
        assert!(matches!(
            origin(id, &sent(&mut no_store)),
            Origin::Forged(_)
        ));
    }

    #[test]
    fn a_genesis_by_another_actor_is_no_genesis() {
        // The right fields, written by a device instead of the document's own actor.
        let id = SalesDay::id(STORE, DEVICE, day());
        let mut doc = hand_made(
            DEVICE.as_bytes(),
            &[
                ("kind", "sales-day"),
                ("store", &STORE.to_string()),
                ("device", &DEVICE.to_string()),
                ("day", "2026-11-29"),
            ],
        );
        let changes = sent(&mut doc);
        assert_eq!(origin(id, &changes), Origin::Unknown);
        assert!(!only_genesis(id, &changes));
        // And the right actor at a later sequence number is none either.
        let mut doc = hand_made(&id.0, &[("kind", "catalog")]);
        doc.put(ROOT, "store", STORE.to_string()).unwrap();
        doc.commit();
        let changes = doc.get_changes(&[]);
        assert_eq!(origin(id, &changes[1..]), Origin::Unknown);
    }

    #[test]
    fn two_different_first_changes_are_forged() {
        let id = DocumentId::derive(STORE, DocKind::Catalog, "");
        let store = STORE.to_string();
        let a = hand_made(&id.0, &[("kind", "catalog"), ("store", &store)]);
        let b = hand_made(&id.0, &[("kind", "catalog"), ("store", &store), ("x", "y")]);
        let mut changes = a.clone().get_changes(&[]);
        changes.extend(b.clone().get_changes(&[]));
        assert!(matches!(origin(id, &changes), Origin::Forged(_)));
        // The same one twice is one.
        changes.truncate(1);
        changes.extend(a.clone().get_changes(&[]));
        assert!(matches!(origin(id, &changes), Origin::Genesis(_)));
    }

    #[test]
    fn only_the_genesis_is_what_another_device_may_send_of_a_day() {
        let id = SalesDay::id(STORE, DEVICE, day());
        let other = Actor::device(OTHER_STORE);
        let mut doc = SalesDay::new(STORE, DEVICE, day(), &other).into_automerge();
        let changes = sent(&mut doc);
        assert!(only_genesis(id, &changes));
        assert!(only_genesis(id, &[]));
        doc.put(ROOT, "note", "written by another device").unwrap();
        doc.commit();
        assert!(!only_genesis(id, &doc.get_changes(&[])));
    }

    #[test]
    fn the_writers_of_bundles_documents_and_chunks_one_after_another_are_read() {
        let id = DocumentId::derive(STORE, DocKind::Catalog, "");
        let mut doc = CatalogDoc::new(STORE, &Actor::device(DEVICE)).into_automerge();
        let genesis = doc.get_changes(&[]).remove(0);
        let another = Actor::device(OTHER_STORE).actor_id();
        for (actor, key) in [
            (Actor::device(DEVICE).actor_id(), "a"),
            (another.clone(), "b"),
        ] {
            doc.set_actor(actor);
            doc.put(ROOT, key, 1_u64).unwrap();
            doc.commit();
        }
        let later: Vec<Change> = doc.get_changes(&[genesis.hash()]);
        let expected = vec![Actor::device(DEVICE).actor_id(), another.clone()];

        // Two changes in one bundle, which automerge sends for several changes at once.
        let bundle = doc.bundle(later.iter().map(|c| c.hash())).unwrap();
        let Some(Chunk::Many(read)) = read_chunk(bundle.bytes()) else {
            panic!("a bundle reads");
        };
        assert_eq!(writers(Some(id), &read), expected);
        // Two changes one after another in one chunk.
        let mut joined = later[0].raw_bytes().to_vec();
        joined.extend_from_slice(later[1].raw_bytes());
        let Some(Chunk::Many(read)) = read_chunk(&joined) else {
            panic!("joined changes read");
        };
        assert_eq!(writers(Some(id), &read), expected);
        // A saved document: the genesis is no writer's.
        let Some(Chunk::Many(read)) = read_chunk(&doc.save()) else {
            panic!("a document reads");
        };
        assert_eq!(writers(Some(id), &read), expected);
        assert_eq!(writers(None, &read).len(), 3, "without an id, no genesis");
        // A single change.
        assert!(
            matches!(read_chunk(later[1].raw_bytes()), Some(Chunk::Change(c)) if c.actor_id() == &another)
        );

        // Anything automerge would not read, or would read only in part: nothing.
        for bad in [
            &b"junk"[..],
            &joined[..joined.len() - 1],
            &[0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 1, 0xff],
        ] {
            assert!(read_chunk(bad).is_none(), "{bad:?}");
        }
        let mut trailing = bundle.bytes().to_vec();
        trailing.extend_from_slice(b"junk");
        assert!(read_chunk(&trailing).is_none());
        let mut flipped = later[1].raw_bytes().to_vec();
        flipped[8] = 9;
        assert!(read_chunk(&flipped).is_none(), "an unknown chunk type");
    }

    #[test]
    fn a_change_after_the_genesis_under_the_documents_actor_is_the_documents() {
        let id = DocumentId::derive(STORE, DocKind::Catalog, "");
        let store = STORE.to_string();
        let mut doc = hand_made(&id.0, &[("kind", "catalog"), ("store", &store)]);
        doc.put(ROOT, "x", "y").unwrap();
        doc.commit();
        let changes = doc.get_changes(&[]);
        let found = writers(Some(id), &changes);
        assert_eq!(found.len(), 1, "the second change, not the genesis");
        assert!(is_document_actor(id, &found[0]));
        assert!(!is_document_actor(id, &Actor::device(DEVICE).actor_id()));
    }

    #[test]
    fn fuzz_entry_takes_anything() {
        assert_eq!(fuzz_origin(b""), None);
        assert_eq!(fuzz_origin(&[0u8; 40]), None);
        let id = DocumentId::derive(STORE, DocKind::Catalog, "");
        let mut doc = CatalogDoc::new(STORE, &Actor::device(DEVICE)).into_automerge();
        let mut state = State::new();
        let first = Automerge::new()
            .generate_sync_message(&mut State::new())
            .unwrap();
        doc.sync().receive_sync_message(&mut state, first).unwrap();
        let message = doc
            .sync()
            .generate_sync_message(&mut state)
            .unwrap()
            .encode();
        let mut bytes = id.0.to_vec();
        bytes.extend_from_slice(&message);
        assert!(matches!(fuzz_origin(&bytes), Some(Origin::Genesis(_))));
        // Every truncation of a real message, and a flipped byte in each place.
        for end in 0..bytes.len() {
            let _ = fuzz_origin(&bytes[..end]);
        }
        for i in 16..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[i] ^= 0x5a;
            let _ = fuzz_origin(&flipped);
        }
    }
}
