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

use automerge::sync::Message;
use automerge::{Automerge, Change, ROOT, ReadDoc, Value};
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

/// The changes a sync message carries: each chunk is one change, or (in automerge's V2
/// messages, which a peer sends when the other side has nothing) a whole saved document.
/// `None` if a chunk is neither.
pub fn changes(message: &Message) -> Option<Vec<Change>> {
    let mut out = Vec::new();
    for chunk in message.changes.iter() {
        match Change::try_from(chunk) {
            Ok(change) => out.push(change),
            Err(_) => out.extend(Automerge::load(chunk).ok()?.get_changes(&[])),
        }
    }
    Some(out)
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
    let mut doc = Automerge::new();
    doc.apply_changes([change.clone()])
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
        DocKind::Catalog | DocKind::Settings => (String::new(), None),
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
    let message = Message::decode(&bytes[16..]).ok()?;
    let changes = changes(&message)?;
    let _ = only_genesis(id, &changes);
    Some(origin(id, &changes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::sync::{State, SyncDoc};
    use automerge::transaction::Transactable;
    use automerge::{ActorId, AutoCommit};
    use pos_core::{Actor, BusinessDay, CatalogDoc, MonthIndex, SalesDay, SharedDocument};
    use pos_core::{SettingsDoc, StockPeriod};

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
