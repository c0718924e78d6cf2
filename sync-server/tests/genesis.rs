//! Issue #11, finding 3 (squatting) and the sales-day part of finding 4: a document joins a
//! store only through a `sync` carrying its genesis, which must derive the document's id and
//! name the sender's store; a sales day takes changes only from the device it belongs to; and a
//! device writes only under its own actor ids.
//!
//! Every device here is enrolled through the API (its store and device ids are the UUIDs the
//! documents are derived from) and speaks the protocol on a raw socket, running automerge's
//! sync itself, so that a test can send what a hostile device would.

mod common;

use automerge::sync::{State, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, Automerge, ChangeHash, ROOT, ReadDoc};
use pos_core::{Actor, BusinessDay, DocumentId, SalesDay, SharedDocument, StockPeriod, Uuid, demo};

use common::{Device, Running, another_setup_code, create_store, pair, start, sync_of};
use common::raw::{Raw, Synced};

fn today() -> BusinessDay {
    BusinessDay::new(2026, 11, 29).unwrap()
}

fn tomorrow() -> BusinessDay {
    BusinessDay::new(2026, 11, 30).unwrap()
}

fn uuid(text: &str) -> Uuid {
    Uuid::parse_str(text).expect("enrollment gives UUIDs")
}

/// The sales day of `owner` (an enrolled device) on `day`, with `sales` cash sales it made.
fn day_of(owner: &Device, day: BusinessDay, sales: u32) -> (DocumentId, AutoCommit) {
    let (store, device) = (uuid(&owner.store_id), uuid(&owner.device_id));
    let mut doc = SalesDay::new(store, device, day, &Actor::device(device));
    let (profile, catalog) = demo::food_truck(false);
    for n in 1..=sales {
        let id = Uuid::from_u128(device.as_u128() ^ u128::from(n));
        let sale = demo::cash_sale(
            &profile,
            &catalog,
            1,
            id,
            "A",
            u64::from(n),
            1_764_400_000_000,
        );
        doc.record_sale(&sale).unwrap();
    }
    (SalesDay::id(store, device, day), doc.into_automerge())
}

/// The store a document is registered to, if any.
fn registered_store(server: &Running, id: DocumentId) -> Option<String> {
    server.storage.document_store(&id.to_string()).unwrap()
}

/// The heads of the changes the server's SQLite holds of a document (none if it holds none).
fn stored_heads(server: &Running, id: DocumentId) -> Vec<ChangeHash> {
    let rows = server
        .storage
        .chunk_load_prefix(Some(&id.to_string()), None, None)
        .unwrap();
    let mut doc = Automerge::new();
    for (_, data) in &rows {
        doc.load_incremental(data).unwrap();
    }
    let mut heads = doc.get_heads();
    heads.sort();
    heads
}

/// That the server ended a sync by closing the connection as a policy violation (1008), with a
/// reason that `says`; `otherwise` says what got through if it did not.
fn assert_closed(synced: Synced, says: &str, otherwise: &str) {
    match synced {
        Synced::Closed(code, reason) => {
            assert_eq!(code, 1008, "{reason}");
            assert!(reason.contains(says), "{reason}");
        }
        other => panic!("{otherwise}: {other:?}"),
    }
}

/// `till`, holding `copy` of another device's day, writes into it (core would refuse; a hostile
/// device writes the change itself) and syncs it on a new connection.
async fn till_writes_into(
    server: &Running,
    till: &Device,
    id: DocumentId,
    copy: &mut AutoCommit,
) -> Synced {
    copy.put(ROOT, "voided-by-till", true).unwrap();
    copy.commit();
    let mut till = Raw::connect(server.addr, till).await;
    till.sync(id, copy).await
}

/// Store A with its owner and a till, and store B's owner.
async fn two_stores(server: &Running) -> (Device, Device, Device) {
    let owner_a = create_store(server.addr, server.setup_code.as_deref().unwrap(), "A").await;
    let till_a = pair(server.addr, &owner_a, "Till A2").await;
    let owner_b = create_store(server.addr, &another_setup_code(&server.storage), "B").await;
    (owner_a, till_a, owner_b)
}

async fn fresh_server() -> (tempfile::TempDir, Running) {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    (tmp, server)
}

/// Finding 3: a device removed from store A and enrolled in store B knows A's store id and
/// device ids, so it can derive A's future documents. It used to claim them first for B (the
/// first claim won), and A's devices then got `doc-unavailable` for their own day.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_of_another_store_cannot_squat_a_stores_future_day() {
    let (_tmp, server) = fresh_server().await;
    let (owner_a, _, owner_b) = two_stores(&server).await;
    let (store_a, device_a) = (uuid(&owner_a.store_id), uuid(&owner_a.device_id));
    let id = SalesDay::id(store_a, device_a, tomorrow());

    // B's device makes A's tomorrow exactly as A would (A's store in the genesis, the derived
    // id), and offers it.
    let device_b = uuid(&owner_b.device_id);
    let mut squat =
        SalesDay::new(store_a, device_a, tomorrow(), &Actor::device(device_b)).into_automerge();
    squat.put(ROOT, "squatted", true).unwrap();
    squat.commit();
    let mut b = Raw::connect(server.addr, &owner_b).await;
    let synced = b.sync(id, &mut squat).await;
    assert_closed(synced, "another store", "store B's device squatted A's day");
    assert_eq!(registered_store(&server, id), None, "nothing registered");
    assert!(stored_heads(&server, id).is_empty(), "nothing stored");

    // Nor under A's id with a genesis naming B's store, which does not derive the id.
    let mut forged = AutoCommit::new().with_actor(automerge::ActorId::from(id.0.to_vec()));
    for (key, value) in [
        ("kind", "sales-day".to_string()),
        ("store", owner_b.store_id.clone()),
        ("device", device_a.to_string()),
        ("day", tomorrow().to_string()),
    ] {
        forged.put(ROOT, key, value).unwrap();
    }
    forged.put(ROOT, "schema", 1_u64).unwrap();
    forged.commit_with(automerge::transaction::CommitOptions::default().with_time(0));
    let mut b = Raw::connect(server.addr, &owner_b).await;
    let synced = b.sync(id, &mut forged).await;
    assert_closed(
        synced,
        "does not match its id",
        "a genesis that does not derive the id was taken",
    );
    assert_eq!(registered_store(&server, id), None, "nothing registered");

    // Tomorrow comes: A's device syncs its day as usual.
    let (same_id, mut day) = day_of(&owner_a, tomorrow(), 2);
    assert_eq!(same_id, id);
    let mut a = Raw::connect(server.addr, &owner_a).await;
    assert_eq!(a.sync(id, &mut day).await, Synced::InSync);
    assert_eq!(
        registered_store(&server, id),
        Some(owner_a.store_id.clone())
    );
    let mut heads = day.get_heads();
    heads.sort();
    assert_eq!(stored_heads(&server, id), heads, "A's day is on the server");
    server.stop().await;
}

/// A `request` for a document the server does not hold used to register it to the asking
/// device's store. It now registers nothing and is answered `doc-unavailable`; the document
/// still joins the store when its device syncs it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_for_an_unknown_document_registers_nothing() {
    let (_tmp, server) = fresh_server().await;
    let (owner_a, till_a, _) = two_stores(&server).await;
    let (id, mut day) = day_of(&owner_a, tomorrow(), 1);

    let mut till = Raw::connect(server.addr, &till_a).await;
    let mut nothing = AutoCommit::new();
    assert_eq!(till.sync(id, &mut nothing).await, Synced::Unavailable);
    assert_eq!(
        registered_store(&server, id),
        None,
        "a request registers nothing"
    );

    let mut a = Raw::connect(server.addr, &owner_a).await;
    assert_eq!(a.sync(id, &mut day).await, Synced::InSync);
    assert_eq!(
        registered_store(&server, id),
        Some(owner_a.store_id.clone())
    );
    // And the till, asking again on a new connection, gets it.
    let mut till = Raw::connect(server.addr, &till_a).await;
    let mut copy = AutoCommit::new();
    assert_eq!(till.sync(id, &mut copy).await, Synced::InSync);
    assert_eq!(copy.get_heads(), day.get_heads());
    server.stop().await;
}

/// Junk: a `sync` for an id with changes but no genesis (not a document any register made)
/// registers and stores nothing; the server answers as a peer that has nothing, and keeps
/// doing so while no genesis comes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_without_a_genesis_register_and_store_nothing() {
    let (_tmp, server) = fresh_server().await;
    let (owner_a, _, _) = two_stores(&server).await;
    let id = DocumentId(*Uuid::from_u128(0x7a4c_0000_4000_8000_0000_0000_0001).as_bytes());
    let mut junk = AutoCommit::new();
    junk.put(ROOT, "total", 9999_i64).unwrap();
    junk.commit();

    let mut a = Raw::connect(server.addr, &owner_a).await;
    let mut state = State::new();
    for round in 0..3 {
        let msg = junk.sync().generate_sync_message(&mut state).unwrap();
        a.send("sync", id, &msg.encode()).await;
        let reply = a.next(id).await.expect("an answer, not a close");
        let reply = sync_of(&reply).expect("a sync answer");
        assert!(
            reply.heads.is_empty(),
            "round {round}: the server has nothing"
        );
        junk.sync().receive_sync_message(&mut state, reply).unwrap();
        assert_eq!(registered_store(&server, id), None, "round {round}");
        assert!(stored_heads(&server, id).is_empty(), "round {round}");
    }
    server.stop().await;
}

/// Finding 4, sales days: any device of a store could write into another device's sales day.
/// A device may hold another's day (to read it, from its genesis) and may even be the one that
/// brings it to the server, but a change of its own to it closes the connection, and the
/// server keeps the owner's day as the owner made it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_cannot_write_another_devices_sales_day() {
    let (_tmp, server) = fresh_server().await;
    let (owner_a, till_a, _) = two_stores(&server).await;
    let (store, owner) = (uuid(&owner_a.store_id), uuid(&owner_a.device_id));
    let till_device = uuid(&till_a.device_id);
    let id = SalesDay::id(store, owner, today());

    // The till opens the owner's day before the owner synced it: its genesis is all it holds.
    let mut till_copy =
        SalesDay::new(store, owner, today(), &Actor::device(till_device)).into_automerge();
    let mut till = Raw::connect(server.addr, &till_a).await;
    assert_eq!(till.sync(id, &mut till_copy).await, Synced::InSync);
    assert_eq!(
        registered_store(&server, id),
        Some(owner_a.store_id.clone())
    );

    // The owner sells; the till reads the sales.
    let (_, mut day) = day_of(&owner_a, today(), 3);
    let mut a = Raw::connect(server.addr, &owner_a).await;
    assert_eq!(a.sync(id, &mut day).await, Synced::InSync);
    let before = stored_heads(&server, id);
    let mut till = Raw::connect(server.addr, &till_a).await;
    assert_eq!(till.sync(id, &mut till_copy).await, Synced::InSync);

    let synced = till_writes_into(&server, &till_a, id, &mut till_copy).await;
    assert_closed(synced, "another device", "the till wrote the owner's day");
    assert_eq!(
        stored_heads(&server, id),
        before,
        "the owner's day is unchanged"
    );

    // The owner still syncs its day, and sees nothing of the till's.
    let mut a = Raw::connect(server.addr, &owner_a).await;
    assert_eq!(a.sync(id, &mut day).await, Synced::InSync);
    assert!(day.get(ROOT, "voided-by-till").unwrap().is_none());
    server.stop().await;
}

/// Issue #11, left over: a document registered before schema version 7 (by first claim) had
/// no kind or owner recorded, so any device of its store could write a sales day. At start the
/// server reads them from the genesis it stored, and the owner rule holds for such a day too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sales_day_registered_before_genesis_registration_gets_its_owner_at_start() {
    let (tmp, server) = fresh_server().await;
    let (data, dist) = (tmp.path().join("data"), tmp.path().join("dist"));
    let (owner_a, till_a, _) = two_stores(&server).await;
    let (id, mut day) = day_of(&owner_a, today(), 2);
    let mut a = Raw::connect(server.addr, &owner_a).await;
    assert_eq!(a.sync(id, &mut day).await, Synced::InSync);
    let before = stored_heads(&server, id);
    server.stop().await;

    // The rows as a server before version 7 left them: a store, no kind, no owner; and one
    // whose genesis the server never got.
    let junk = DocumentId(*Uuid::from_u128(0x7a4c_0000_4000_8000_0000_0000_0002).as_bytes());
    let conn = rusqlite::Connection::open(data.join(pos_sync_server::storage::DB_FILE)).unwrap();
    conn.execute(
        "UPDATE documents SET kind = NULL, owner_device = NULL WHERE document = ?1",
        [id.to_string()],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO documents (document, store_id, claimed_by, claimed_at) \
         VALUES (?1, ?2, ?3, 0)",
        (junk.to_string(), &owner_a.store_id, &owner_a.device_id),
    )
    .unwrap();
    drop(conn);

    let server = start(&data, &dist).await;
    let registration = |id: DocumentId| {
        server
            .storage
            .document_registration(&id.to_string())
            .unwrap()
            .unwrap()
    };
    let day_row = registration(id);
    assert_eq!(day_row.kind.as_deref(), Some("sales-day"));
    assert_eq!(
        day_row.owner_device.as_deref(),
        Some(owner_a.device_id.as_str())
    );
    assert_eq!(
        registration(junk).kind,
        None,
        "no genesis, nothing to record"
    );

    // The till holds the owner's day and writes into it: refused, as for a day registered now.
    let mut till_copy = AutoCommit::load(&day.save()).unwrap();
    let synced = till_writes_into(&server, &till_a, id, &mut till_copy).await;
    assert_closed(
        synced,
        "another device",
        "the till wrote the owner's older day",
    );
    assert_eq!(stored_heads(&server, id), before);
    // The owner still writes it.
    let (_, mut more) = day_of(&owner_a, today(), 3);
    let mut a = Raw::connect(server.addr, &owner_a).await;
    assert_eq!(a.sync(id, &mut more).await, Synced::InSync);
    server.stop().await;
}

/// The stock period of `owner`'s store, as its device opens it, with one change of the device's
/// own after the genesis.
fn stock_period_of(owner: &Device) -> (DocumentId, AutoCommit) {
    let (store, device) = (uuid(&owner.store_id), uuid(&owner.device_id));
    let mut doc = StockPeriod::new(store, "2026-11", &Actor::device(device)).into_automerge();
    doc.put(ROOT, "note", "opened by the owner").unwrap();
    doc.commit();
    (StockPeriod::id(store, "2026-11"), doc)
}

/// `writer` writes into its copy of a document under `actor` and syncs it on a new connection.
async fn write_as(
    server: &Running,
    writer: &Device,
    id: DocumentId,
    copy: &mut AutoCommit,
    actor: automerge::ActorId,
    key: &str,
) -> Synced {
    copy.set_actor(actor);
    copy.put(ROOT, key, true).unwrap();
    copy.commit();
    let mut connection = Raw::connect(server.addr, writer).await;
    connection.sync(id, copy).await
}

/// Finding 4, actors: a change's actor id says which device wrote it (`pos_core::Actor`: the
/// device id, then a writer session), and any device of a store could write a document every
/// device writes (the stock period here) under another device's actor. Now an actor that starts
/// with a device's id is that device's alone, and one that does not (automerge's random actors,
/// as automerge-repo's JavaScript client makes) belongs to the first device that writes with it,
/// across restarts. A change under a document's own actor is its genesis and nothing else. A
/// fellow device's change passes only as a relay of one the server holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_writes_under_its_own_and_its_fellow_devices_actors_only() {
    let (tmp, server) = fresh_server().await;
    let (data, dist) = (tmp.path().join("data"), tmp.path().join("dist"));
    let (owner_a, till_a, owner_b) = two_stores(&server).await;
    let (owner, till) = (uuid(&owner_a.device_id), uuid(&till_a.device_id));
    let (id, mut owners) = stock_period_of(&owner_a);
    let mut a = Raw::connect(server.addr, &owner_a).await;
    assert_eq!(a.sync(id, &mut owners).await, Synced::InSync);
    let mut tills = AutoCommit::load(&owners.save()).unwrap();
    let mut till_connection = Raw::connect(server.addr, &till_a).await;
    assert_eq!(till_connection.sync(id, &mut tills).await, Synced::InSync);

    // Another store's device never writes under store A's actors, in a document of its own.
    let (b_id, mut bs) = stock_period_of(&owner_b);
    let mut b = Raw::connect(server.addr, &owner_b).await;
    assert_eq!(b.sync(b_id, &mut bs).await, Synced::InSync);
    let before = stored_heads(&server, b_id);
    for actor in [Actor::device(owner), Actor::session(till, 7)] {
        let mut forged = bs.clone();
        let synced = write_as(&server, &owner_b, b_id, &mut forged, actor.actor_id(), "forged").await;
        assert_closed(synced, "foreign_actor", "store B wrote as a device of store A");
        assert_eq!(stored_heads(&server, b_id), before, "nothing of it is kept");
    }

    // Nor does any device write under the document's own actor, which writes its genesis only.
    let before = stored_heads(&server, id);
    let mut forged = tills.clone();
    let genesis_actor = automerge::ActorId::from(id.0.to_vec());
    let synced = write_as(&server, &till_a, id, &mut forged, genesis_actor, "forged").await;
    assert_closed(synced, "foreign_actor", "the till wrote as the document");
    assert_eq!(stored_heads(&server, id), before);

    // Each device writes under its own actors (any session), and the other reads it.
    let own = Actor::session(till, 3).actor_id();
    assert_eq!(
        write_as(&server, &till_a, id, &mut tills, own, "till").await,
        Synced::InSync
    );
    let own = Actor::session(owner, 1).actor_id();
    assert_eq!(
        write_as(&server, &owner_a, id, &mut owners, own, "owner").await,
        Synced::InSync
    );
    assert!(owners.get(ROOT, "till").unwrap().is_some());

    // A fellow device of the store may carry the owner's changes the server holds: Automerge's
    // sync sends again what it cannot tell the server has. Here the till sends every change of
    // the period, the owner's among them, and then syncs on the same connection.
    let mut heads = tills.get_heads();
    heads.sort();
    let relay = automerge::sync::Message {
        heads,
        need: Vec::new(),
        have: Vec::new(),
        changes: tills
            .get_changes(&[])
            .iter()
            .map(|c| c.raw_bytes().to_vec())
            .collect::<Vec<_>>()
            .into(),
        flags: None,
        version: automerge::sync::MessageVersion::V1,
    };
    let mut connection = Raw::connect(server.addr, &till_a).await;
    connection.send("sync", id, &relay.encode()).await;
    assert_eq!(
        connection.sync(id, &mut tills).await,
        Synced::InSync,
        "the till relayed the owner's changes"
    );
    // A change under the owner's actor that the server does not hold is no relay but a
    // forgery.
    let before = stored_heads(&server, id);
    let mut forged = tills.clone();
    let as_owner = Actor::session(owner, 9).actor_id();
    let synced = write_as(&server, &till_a, id, &mut forged, as_owner, "forged").await;
    assert_closed(synced, "foreign_actor", "the till wrote a new change as the owner");
    assert_eq!(stored_heads(&server, id), before, "nothing of it is kept");

    // A random actor is the till's once the till wrote with it, also after a restart; another
    // store's device still may not use it.
    let random = automerge::ActorId::random();
    assert_eq!(
        write_as(&server, &till_a, id, &mut tills, random.clone(), "random").await,
        Synced::InSync
    );
    server.stop().await;
    let server = start(&data, &dist).await;
    let mut b = Raw::connect(server.addr, &owner_b).await;
    assert_eq!(b.sync(b_id, &mut bs).await, Synced::InSync);
    let before = stored_heads(&server, b_id);
    let mut forged = bs.clone();
    let synced = write_as(&server, &owner_b, b_id, &mut forged, random.clone(), "taken").await;
    assert_closed(synced, "foreign_actor", "store B wrote under the till's actor");
    assert_eq!(stored_heads(&server, b_id), before);
    assert_eq!(
        write_as(&server, &till_a, id, &mut tills, random, "again").await,
        Synced::InSync
    );
    server.stop().await;
}

/// Issue 14: the store's customers are one document that every device of the store writes (a
/// phone creates a customer offline, the tablet edits it). A device of another store can neither
/// register it, nor forge its genesis for its own store, nor read it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customers_document_is_written_by_every_device_of_its_store_and_no_other() {
    use pos_core::CustomersDoc;
    use pos_core::customer::Customer;
    use pos_core::customer::sealed::{CustomerKey, Keyring};
    let (_tmp, server) = fresh_server().await;
    let (owner_a, till_a, owner_b) = two_stores(&server).await;
    let store_a = uuid(&owner_a.store_id);
    let id = CustomersDoc::id(store_a);

    // Store B's device makes A's customers document exactly as A would, and offers it.
    let mut squat = CustomersDoc::new(store_a, &Actor::device(uuid(&owner_b.device_id)));
    let anna = Customer::new(Uuid::from_u128(0xA1), "Anna", "+7 912 345 67 89", "").unwrap();
    // Every device of store A holds Anna's key (crypto-shredding, core's `customer::sealed`).
    let keys: Keyring = [(anna.id, CustomerKey::from_bytes([7; 32]))]
        .into_iter()
        .collect();
    let mut nonces = (0u8..).map(|n| [n; 24]);
    let mut nonce = move || nonces.next().expect("endless");
    squat.save_customer(&anna, &keys, &mut nonce).unwrap();
    let mut squat = squat.into_automerge();
    let mut b = Raw::connect(server.addr, &owner_b).await;
    assert_closed(
        b.sync(id, &mut squat).await,
        "another store",
        "store B's device registered A's customers",
    );
    assert_eq!(registered_store(&server, id), None, "nothing registered");

    // Nor under A's id with a genesis naming B's store, which does not derive the id.
    let mut forged = AutoCommit::new().with_actor(automerge::ActorId::from(id.0.to_vec()));
    forged.put(ROOT, "kind", "customers").unwrap();
    forged.put(ROOT, "store", owner_b.store_id.clone()).unwrap();
    forged.put(ROOT, "schema", 1_u64).unwrap();
    forged.commit_with(automerge::transaction::CommitOptions::default().with_time(0));
    let mut b = Raw::connect(server.addr, &owner_b).await;
    assert_closed(
        b.sync(id, &mut forged).await,
        "does not match its id",
        "a customers genesis that does not derive the id was taken",
    );
    assert_eq!(registered_store(&server, id), None, "nothing registered");

    // A's owner creates a customer; the till of the same store edits it.
    let mut phone = CustomersDoc::new(store_a, &Actor::device(uuid(&owner_a.device_id)));
    phone.save_customer(&anna, &keys, &mut nonce).unwrap();
    let mut phone = phone.into_automerge();
    let mut a = Raw::connect(server.addr, &owner_a).await;
    assert_eq!(a.sync(id, &mut phone).await, Synced::InSync);
    assert_eq!(
        registered_store(&server, id),
        Some(owner_a.store_id.clone())
    );

    let mut tablet = AutoCommit::new();
    let mut till = Raw::connect(server.addr, &till_a).await;
    assert_eq!(till.sync(id, &mut tablet).await, Synced::InSync);
    let mut tablet = CustomersDoc::from_automerge(
        tablet.with_actor(Actor::device(uuid(&till_a.device_id)).actor_id()),
    )
    .unwrap();
    let mut edited = anna.clone();
    edited.email = "anna@example.org".into();
    tablet.save_customer(&edited, &keys, &mut nonce).unwrap();
    tablet.erase(anna.id, 1_000).unwrap();
    let mut tablet = tablet.into_automerge();
    let mut till = Raw::connect(server.addr, &till_a).await;
    assert_eq!(till.sync(id, &mut tablet).await, Synced::InSync);
    let mut heads = tablet.get_heads();
    heads.sort();
    assert_eq!(
        stored_heads(&server, id),
        heads,
        "the till's edit is on the server"
    );

    // Store B's device asking for A's customers gets nothing.
    let mut b = Raw::connect(server.addr, &owner_b).await;
    let mut nothing = AutoCommit::new();
    assert_eq!(b.sync(id, &mut nothing).await, Synced::Unavailable);
    assert!(nothing.get_heads().is_empty());
    server.stop().await;
}
