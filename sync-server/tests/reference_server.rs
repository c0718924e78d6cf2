//! Interop: the register's own sync client (`pos_core::sync::SyncClient`, driven natively by
//! `pos_sync_server::client::NativePeer`) exchanges real documents with the JavaScript reference
//! server (`@automerge/automerge-repo-sync-server`) and with our server, in the same scenario:
//! device A uploads its sales day, a fresh device B downloads it, a change made on B reaches A,
//! and A's reconnect with its persisted sync states sends far fewer bytes than its first sync.
//!
//! Needs node and tests/node_modules (`cargo xtask test` installs them); fails saying so if not.

mod common;

use std::time::Duration;

use pos_core::automerge::AutoCommit;
use pos_core::{
    Actor, BusinessDay, DocumentId, Sale, SalesDay, SharedDocument, StockPeriod, Uuid, demo,
};
use pos_sync_server::client::{NativePeer, SyncReport};
use pos_sync_server::enroll::peer_id_of;
use pos_sync_server::reference::{ReferenceServer, repo_root};

/// A guard against a hang, never a measurement.
const TIMEOUT: Duration = Duration::from_secs(120);
const SALES: u32 = 1000;
const STORE: Uuid = Uuid::from_u128(0x5707e);
const DEVICE_A: Uuid = Uuid::from_u128(0xa);
const DEVICE_B: Uuid = Uuid::from_u128(0xb);
const PERIOD: &str = "stocktake-1";

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
        1_764_400_000_000 + i64::from(n),
    )
}

fn today() -> BusinessDay {
    BusinessDay::new(2026, 11, 29).unwrap()
}

fn day_of(store: Uuid, device: Uuid, sales: u32) -> SalesDay {
    let mut day = SalesDay::new(store, device, today(), &Actor::device(device));
    for n in 1..=sales {
        day.record_sale(&sale(device, n)).unwrap();
    }
    day
}

async fn sync(peer: &mut NativePeer, url: &str, what: &str) -> SyncReport {
    peer.sync_until_converged(url, TIMEOUT)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"))
}

fn sales_in(peer: &NativePeer, id: DocumentId) -> usize {
    let doc = peer.document(id).expect("the peer holds the day").clone();
    SalesDay::from_automerge(doc)
        .unwrap()
        .sales()
        .unwrap()
        .len()
}

/// How a device reaches the server: its sync URL (with its token where the server wants one),
/// the peer id the server expects of it, and its device id (a sales day is its device's).
struct Login {
    url: String,
    peer_id: String,
    device: Uuid,
}

/// The whole scenario against one server, with two devices of `store`.
async fn exchange(store: Uuid, a_login: &Login, b_login: &Login) {
    let (url_a, url_b) = (a_login.url.as_str(), b_login.url.as_str());
    let (device_a, device_b) = (a_login.device, b_login.device);
    let day_id = SalesDay::id(store, device_a, today());
    let stock_id = StockPeriod::id(store, PERIOD);

    // A: its day with SALES sales and the period's stock document, both new to the server.
    let mut day_a = day_of(store, device_a, SALES);
    let mut a = NativePeer::new(&a_login.peer_id, Some("storage-a".into()));
    a.hold(day_id, day_a.automerge().clone(), None);
    a.hold(
        stock_id,
        StockPeriod::new(store, PERIOD, &Actor::device(device_a))
            .automerge()
            .clone(),
        None,
    );
    let first = sync(&mut a, url_a, "A's first sync").await;
    assert!(first.unavailable.is_empty(), "{first:?}");

    // B, fresh: asks for A's day (it holds nothing of it) and opens the stock document.
    let mut b = NativePeer::new(&b_login.peer_id, Some("storage-b".into()));
    b.hold(day_id, AutoCommit::new(), None);
    b.expect_heads(day_id, day_a.heads());
    b.hold(
        stock_id,
        StockPeriod::new(store, PERIOD, &Actor::device(device_b))
            .automerge()
            .clone(),
        None,
    );
    sync(&mut b, url_b, "B's download").await;
    assert_eq!(
        sales_in(&b, day_id),
        SALES as usize,
        "B sees every sale A made"
    );

    // B sells from stock: its movement reaches A through the server.
    let stock_b = b.document_mut(stock_id).unwrap();
    let mut stock = StockPeriod::from_automerge(std::mem::take(stock_b)).unwrap();
    stock.record_sale_movements(&sale(device_b, 1)).unwrap();
    let levels_b = stock.levels().unwrap();
    assert!(!levels_b.is_empty());
    let heads_b = stock.heads();
    *stock_b = stock.automerge().clone();
    // Done when the server has acknowledged the change: the reference server does not always
    // repeat its heads to a peer it already synced with on an earlier connection.
    b.expect_heads(stock_id, heads_b.clone());
    sync(&mut b, url_b, "B's upload").await;

    // A restarts: its documents and sync states come back from storage, and it sold once more.
    let states: Vec<(DocumentId, Vec<u8>)> = [day_id, stock_id]
        .iter()
        .map(|id| (*id, a.sync_state(*id).unwrap()))
        .collect();
    let stock_a = a.document(stock_id).unwrap().clone();
    day_a.record_sale(&sale(device_a, SALES + 1)).unwrap();
    let mut again = NativePeer::new(&a_login.peer_id, Some("storage-a".into()));
    again.hold(day_id, day_a.automerge().clone(), Some(&states[0].1));
    again.hold(stock_id, stock_a, Some(&states[1].1));
    again.expect_heads(stock_id, heads_b);
    let resync = sync(&mut again, url_a, "A's reconnect").await;
    let stock = StockPeriod::from_automerge(again.document(stock_id).unwrap().clone()).unwrap();
    assert_eq!(
        stock.levels().unwrap(),
        levels_b,
        "B's stock movement reached A"
    );
    eprintln!(
        "first sync sent {} bytes in {} messages; the reconnect sent {} bytes in {} messages",
        first.bytes_sent, first.messages_sent, resync.bytes_sent, resync.messages_sent
    );
    assert!(
        resync.bytes_sent * 10 < first.bytes_sent,
        "the reconnect sent {} bytes, the first sync {}",
        resync.bytes_sent,
        first.bytes_sent
    );

    // And B, reconnecting, gets A's new sale.
    b.expect_heads(day_id, day_a.heads());
    sync(&mut b, url_b, "B's second download").await;
    assert_eq!(sales_in(&b, day_id), SALES as usize + 1);
}

#[tokio::test]
async fn our_client_exchanges_documents_with_the_reference_server() {
    let tmp = tempfile::tempdir().unwrap();
    let server = ReferenceServer::start(&repo_root(), &tmp.path().join("reference-data"))
        .unwrap_or_else(|e| panic!("cannot start the JavaScript reference sync server: {e}"));
    // No tokens and no bound peer ids: anyone may sync any document with it.
    let login = |peer: &str, device: Uuid| Login {
        url: server.url(),
        peer_id: peer.into(),
        device,
    };
    exchange(
        STORE,
        &login("device-a", DEVICE_A),
        &login("device-b", DEVICE_B),
    )
    .await;
}

#[tokio::test]
async fn our_client_exchanges_documents_with_our_server() {
    let tmp = tempfile::tempdir().unwrap();
    common::fake_dist(&tmp.path().join("dist"));
    let server = common::start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    // Two devices of one store; the server binds each connection to its device's peer id, and
    // takes documents of the device's store only (derived from its id, the store in the genesis).
    let login = |token: &str| {
        let device = server
            .storage
            .add_device_token(token, &STORE.to_string())
            .unwrap();
        Login {
            url: format!("ws://{}/sync?token={token}", server.addr),
            peer_id: peer_id_of(&device),
            device: Uuid::parse_str(&device).unwrap(),
        }
    };
    let (a, b) = (
        login("device-a-token-0123456789abcdef"),
        login("device-b-token-0123456789abcdef"),
    );
    exchange(STORE, &a, &b).await;
    server.stop().await;
}
