//! The sync client state machine against a relay in memory that answers as an automerge-repo
//! server does (one replica and one sync state per device; `doc-unavailable` for a document it
//! lacks or must not share). The real servers (samod, the JavaScript reference) are exercised in
//! the sync-server tests; these pin the client's own rules.

use std::collections::{BTreeMap, BTreeSet};

use automerge::AutoCommit;
use automerge::sync::{self, SyncDoc};
use pos_core::sync::{Availability, Incoming, SyncClient, WireMessage};
use pos_core::{Actor, BusinessDay, DocumentId, SalesDay, SharedDocument};
use pos_core::{Sale, Uuid, demo};

const SERVER: &str = "server";

#[derive(Default)]
struct Relay {
    docs: BTreeMap<DocumentId, AutoCommit>,
    states: BTreeMap<(String, DocumentId), sync::State>,
    /// Documents each device may read (None: any).
    denied: BTreeSet<(String, DocumentId)>,
    bytes_received: usize,
}

impl Relay {
    /// Handles one message from a device, returning the replies.
    fn handle(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
        self.bytes_received += bytes.len();
        match WireMessage::decode(bytes).unwrap() {
            WireMessage::Join { sender, .. } => {
                self.states.retain(|(peer, _), _| *peer != sender);
                vec![
                    WireMessage::Peer {
                        sender: SERVER.into(),
                        target: sender,
                        version: "1".into(),
                    }
                    .encode(),
                ]
            }
            WireMessage::Request {
                sender,
                document,
                data,
                ..
            }
            | WireMessage::Sync {
                sender,
                document,
                data,
                ..
            } => {
                let unavailable = WireMessage::DocUnavailable {
                    sender: SERVER.into(),
                    target: sender.clone(),
                    document,
                }
                .encode();
                if self.denied.contains(&(sender.clone(), document)) {
                    return vec![unavailable];
                }
                let message = sync::Message::decode(&data).unwrap();
                if !self.docs.contains_key(&document) && message.heads.is_empty() {
                    return vec![unavailable];
                }
                let doc = self.docs.entry(document).or_default();
                let state = self.states.entry((sender.clone(), document)).or_default();
                doc.sync().receive_sync_message(state, message).unwrap();
                let mut replies = Vec::new();
                while let Some(m) = doc.sync().generate_sync_message(state) {
                    replies.push(
                        WireMessage::Sync {
                            sender: SERVER.into(),
                            target: sender.clone(),
                            document,
                            data: m.encode(),
                        }
                        .encode(),
                    );
                }
                replies
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// A device: its documents and its client.
struct Device {
    client: SyncClient,
    docs: BTreeMap<DocumentId, AutoCommit>,
}

impl Device {
    fn new(peer: &str) -> Device {
        Device {
            client: SyncClient::new(peer, None),
            docs: BTreeMap::new(),
        }
    }

    fn hold(&mut self, id: DocumentId, doc: AutoCommit, state: Option<&[u8]>) {
        self.client.track(id, state);
        self.docs.insert(id, doc);
    }

    /// Connects and exchanges messages until neither side has anything to say.
    fn sync_with(&mut self, relay: &mut Relay) {
        let mut to_server = vec![self.client.connect()];
        while !to_server.is_empty() {
            let replies: Vec<Vec<u8>> =
                to_server.drain(..).flat_map(|m| relay.handle(&m)).collect();
            for reply in replies {
                match self.client.receive(&reply).unwrap() {
                    Incoming::Ready => {
                        for (id, doc) in &mut self.docs {
                            to_server.extend(self.client.outgoing(*id, doc));
                        }
                    }
                    Incoming::Sync { document, message } => {
                        let doc = self.docs.get_mut(&document).unwrap();
                        self.client.apply(document, doc, message).unwrap();
                        to_server.extend(self.client.outgoing(document, doc));
                    }
                    Incoming::Unavailable(_) | Incoming::Ignored => {}
                    Incoming::ServerError(e) => panic!("{e}"),
                }
            }
        }
    }
}

fn sale(device: Uuid, n: u32) -> Sale {
    let (store, catalog) = demo::food_truck(false);
    let id = Uuid::from_u128(device.as_u128() << 32 | u128::from(n));
    demo::cash_sale(
        &store,
        &catalog,
        n as usize,
        id,
        "A",
        u64::from(n),
        1_764_000_000_000 + i64::from(n),
    )
}

fn day_of(device: Uuid, sales: u32) -> (DocumentId, AutoCommit) {
    let store = Uuid::from_u128(1);
    let day = BusinessDay::new(2026, 11, 29).unwrap();
    let mut doc = SalesDay::new(store, device, day, &Actor::device(device));
    for n in 1..=sales {
        doc.record_sale(&sale(device, n)).unwrap();
    }
    (doc.document_id(), doc.automerge().clone())
}

#[test]
fn a_second_device_downloads_what_the_first_uploaded() {
    let mut relay = Relay::default();
    let (id, doc) = day_of(Uuid::from_u128(10), 5);
    let mut a = Device::new("device-a");
    a.hold(id, doc, None);
    assert_eq!(
        a.client.unacknowledged(id, a.docs.get_mut(&id).unwrap()),
        6,
        "genesis + 5 sales"
    );
    a.sync_with(&mut relay);
    assert_eq!(a.client.unacknowledged(id, a.docs.get_mut(&id).unwrap()), 0);
    assert!(a.client.is_synced(id, a.docs.get_mut(&id).unwrap()));

    let mut b = Device::new("device-b");
    b.hold(id, AutoCommit::new(), None);
    b.sync_with(&mut relay);
    let day = SalesDay::from_automerge(b.docs.remove(&id).unwrap()).unwrap();
    assert_eq!(day.sales().unwrap().len(), 5);
}

#[test]
fn a_reconnect_with_the_persisted_state_sends_only_what_is_new() {
    let mut relay = Relay::default();
    let device = Uuid::from_u128(11);
    let (id, doc) = day_of(device, 1000);
    let mut a = Device::new("device-a");
    a.hold(id, doc, None);
    a.sync_with(&mut relay);
    let first = relay.bytes_received;

    // The register restarts: the document and the sync state come back from storage.
    let saved_state = a.client.sync_state(id).unwrap();
    let mut saved_doc = a.docs.remove(&id).unwrap();
    let mut day = SalesDay::load(&saved_doc.save(), &Actor::device(device)).unwrap();
    day.record_sale(&sale(device, 1001)).unwrap();

    let mut again = Device::new("device-a");
    again.hold(id, day.automerge().clone(), Some(&saved_state));
    assert_eq!(
        again
            .client
            .unacknowledged(id, again.docs.get_mut(&id).unwrap()),
        1
    );
    relay.bytes_received = 0;
    again.sync_with(&mut relay);
    assert!(
        relay.bytes_received * 10 < first,
        "resync sent {} bytes, the first sync {first}",
        relay.bytes_received
    );
    assert_eq!(
        SalesDay::from_automerge(relay.docs[&id].clone())
            .unwrap()
            .sales()
            .unwrap()
            .len(),
        1001
    );
}

#[test]
fn a_document_the_server_will_not_share_is_reported_and_not_asked_again() {
    let mut relay = Relay::default();
    let (id, doc) = day_of(Uuid::from_u128(12), 1);
    let mut a = Device::new("device-a");
    a.hold(id, doc, None);
    a.sync_with(&mut relay);

    let mut stranger = Device::new("device-x");
    relay.denied.insert(("device-x".into(), id));
    stranger.hold(id, AutoCommit::new(), None);
    stranger.sync_with(&mut relay);
    assert_eq!(
        stranger.client.availability(id),
        Some(Availability::Unavailable)
    );
    assert!(
        stranger.docs[&id].clone().get_heads().is_empty(),
        "no data reached the stranger"
    );
    let doc = stranger.docs.get_mut(&id).unwrap();
    assert!(stranger.client.outgoing(id, doc).is_none());
}

#[test]
fn messages_before_the_handshake_are_refused() {
    let (id, _) = day_of(Uuid::from_u128(13), 0);
    let mut client = SyncClient::new("device-a", None);
    client.track(id, None);
    client.connect();
    let early = WireMessage::DocUnavailable {
        sender: SERVER.into(),
        target: "device-a".into(),
        document: id,
    }
    .encode();
    assert!(client.receive(&early).is_err());
    let wrong_version = WireMessage::Peer {
        sender: SERVER.into(),
        target: "device-a".into(),
        version: "2".into(),
    }
    .encode();
    assert!(client.receive(&wrong_version).is_err());
    assert!(client.receive(b"\x00garbage").is_err());
}
