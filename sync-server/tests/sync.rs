//! The server as an automerge-repo sync peer: a samod client syncs a document through `/sync`,
//! the server keeps it in SQLite across a restart, tokens are checked before the upgrade, and
//! garbage on the socket closes that connection without harming the server or its data.
//!
//! Documents are what a register makes (a sales day: derived id, genesis), since the server
//! takes a document into a store only on its genesis; `tests/genesis.rs` tests that rule.

mod common;

use std::sync::Arc;
use std::time::Duration;

use automerge::{Automerge, ChangeHash, ROOT, ReadDoc, transaction::Transactable};
use futures::future::BoxFuture;
use futures::{SinkExt, StreamExt};
use pos_core::{Actor, BusinessDay, SalesDay, SharedDocument, Uuid};
use pos_sync_server::enroll::peer_id_of;
use pos_sync_server::storage::{hash_token, test_device_id};
use pos_sync_server::sync::{self, close};
use samod::{BackoffConfig, DialError, Dialer, DocumentId, Repo, Transport, Url};
use tokio_tungstenite::tungstenite::{self, Message};

use common::{
    Device, Running, Val, another_setup_code, cbor, create_store, get, join_message, pair,
    send as http, sender_id, start, str_field,
};

const WAIT: Duration = Duration::from_secs(20);
const TOKEN: &str = "test-device-token-0123456789abcdef";
/// The store of the devices `add_device_token` makes here (a UUID, as enrollment's are).
const STORE: &str = "5707e000-0000-4000-8000-000000000001";

/// A samod dialer over plain tokio-tungstenite (no TLS), like samod's own tungstenite dialer.
struct WsDialer {
    url: Url,
}

impl Dialer for WsDialer {
    type Error = std::convert::Infallible;

    fn url(&self) -> Url {
        self.url.clone()
    }

    fn connect(&self) -> BoxFuture<'static, Result<Transport, DialError<Self::Error>>> {
        let url = self.url.clone();
        Box::pin(async move {
            let (ws, _) = tokio_tungstenite::connect_async(url.as_str())
                .await
                .map_err(DialError::transient)?;
            let (sink, stream) = ws.split();
            let stream = stream.filter_map(|msg| async move {
                match msg {
                    Ok(Message::Binary(b)) => Some(Ok(b.to_vec())),
                    Ok(_) => None,
                    Err(e) => Some(Err(e)),
                }
            });
            let sink = sink.with(|bytes: Vec<u8>| {
                futures::future::ready(Ok::<_, tungstenite::Error>(Message::Binary(bytes.into())))
            });
            Ok(Transport::new(Box::pin(stream), Box::pin(sink)))
        })
    }
}

fn sync_url(server: &Running, token: &str) -> String {
    format!("ws://{}/sync?token={token}", server.addr)
}

/// The peer id of the device that `add_device_token` made for `token`.
fn test_peer(token: &str) -> String {
    peer_id_of(&test_device_id(token))
}

/// A fresh client repo (in-memory storage) connected to the server as the device of [`TOKEN`].
async fn client(server: &Running) -> Repo {
    client_as(server, TOKEN, &test_peer(TOKEN)).await
}

/// A fresh client repo connected with `token`, claiming `peer` as its peer id.
async fn client_as(server: &Running, token: &str, peer: &str) -> Repo {
    client_holding(server, token, peer, &[]).await
}

/// [`client_as`] with `docs` in the client's storage, as a device holds the documents it made
/// (samod makes new documents under random ids only; ours are derived).
async fn client_holding(
    server: &Running,
    token: &str,
    peer: &str,
    docs: &[(DocumentId, Automerge)],
) -> Repo {
    let storage = samod::storage::InMemoryStorage::new();
    for (id, doc) in docs {
        let key = samod::storage::StorageKey::from_parts([
            id.to_string().as_str(),
            "snapshot",
            "made-here",
        ])
        .unwrap();
        samod::storage::Storage::put(&storage, key, doc.save()).await;
    }
    let repo = Repo::build_tokio()
        .with_storage(storage)
        .with_peer_id(samod::PeerId::from(peer))
        .load()
        .await;
    let url = Url::parse(&sync_url(server, token)).unwrap();
    let dialer = repo
        .dial(BackoffConfig::default(), Arc::new(WsDialer { url }))
        .unwrap();
    tokio::time::timeout(WAIT, dialer.established())
        .await
        .expect("client connects in time")
        .expect("client connects");
    repo
}

/// The sales day of `device` of `store` as the register makes it (derived id, genesis), with a
/// sale of the device's.
fn sale_doc(store: &str, device: &str) -> (DocumentId, Automerge) {
    let (store, device) = (
        Uuid::parse_str(store).unwrap(),
        Uuid::parse_str(device).unwrap(),
    );
    let day = BusinessDay::new(2026, 11, 29).unwrap();
    let mut doc = SalesDay::new(store, device, day, &Actor::device(device)).into_automerge();
    doc.put(ROOT, "sale", "S-0001").unwrap();
    doc.commit();
    let id = DocumentId::try_from(SalesDay::id(store, device, day).0.to_vec()).unwrap();
    (id, Automerge::load(&doc.save()).unwrap())
}

fn read_str(doc: &Automerge, key: &str) -> Option<String> {
    doc.get(ROOT, key)
        .unwrap()
        .map(|(v, _)| v.as_str().unwrap_or_default().to_string())
}

fn read_i64(doc: &Automerge, key: &str) -> Option<i64> {
    doc.get(ROOT, key).unwrap().and_then(|(v, _)| v.as_i64())
}

/// The document as the server's SQLite holds it: its chunks, concatenated and loaded.
fn stored_doc(server: &Running, id: &DocumentId) -> (usize, Automerge) {
    let rows = server
        .storage
        .chunk_load_prefix(Some(&id.to_string()), None, None)
        .unwrap();
    let mut kinds: Vec<&str> = rows.iter().map(|((_, k, _), _)| k.as_str()).collect();
    kinds.sort();
    assert!(
        kinds
            .iter()
            .all(|k| *k == "snapshot" || *k == "incremental"),
        "{kinds:?}"
    );
    let mut doc = Automerge::new();
    for (_, data) in &rows {
        doc.load_incremental(data).expect("a stored chunk loads");
    }
    (rows.len(), doc)
}

/// The heads of the stored document: what changes it holds, however they are chunked (the
/// server may still be compacting).
fn stored_heads(server: &Running, id: &DocumentId) -> Vec<ChangeHash> {
    let mut heads = stored_doc(server, id).1.get_heads();
    heads.sort();
    heads
}

async fn wait_stored(server: &Running, id: &DocumentId, total: i64) -> usize {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (rows, doc) = stored_doc(server, id);
        if read_i64(&doc, "total") == Some(total) {
            assert_eq!(read_str(&doc, "sale").as_deref(), Some("S-0001"));
            return rows;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the server did not store the change"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Creates a sale document on a new client, changes it, and waits until the server stored it.
async fn sync_a_sale(server: &Running) -> DocumentId {
    sync_a_sale_as(
        server,
        TOKEN,
        &test_peer(TOKEN),
        STORE,
        &test_device_id(TOKEN),
    )
    .await
}

/// [`sync_a_sale`] as the device `device` of `store`, with `token` and peer id `peer`.
async fn sync_a_sale_as(
    server: &Running,
    token: &str,
    peer: &str,
    store: &str,
    device: &str,
) -> DocumentId {
    let (id, doc) = sale_doc(store, device);
    let repo = client_holding(server, token, peer, &[(id.clone(), doc)]).await;
    let handle = tokio::time::timeout(WAIT, repo.find(id.clone()))
        .await
        .expect("the client finds what it holds in time")
        .unwrap()
        .expect("the client holds the document");
    handle.with_document(|doc| {
        doc.transact::<_, _, automerge::AutomergeError>(|tx| {
            tx.put(ROOT, "total", 1250_i64)?;
            Ok(())
        })
        .unwrap();
    });
    let rows = wait_stored(server, &id, 1250).await;
    assert!(rows >= 1);
    repo.stop().await;
    id
}

/// A second, fresh client finds the document on the server with the same content.
async fn find_on_server(server: &Running, id: &DocumentId) {
    let repo = client(server).await;
    let handle = tokio::time::timeout(WAIT, repo.find(id.clone()))
        .await
        .expect("find answers in time")
        .unwrap()
        .expect("the server has the document");
    handle.with_document(|doc| {
        assert_eq!(read_str(doc, "sale").as_deref(), Some("S-0001"));
        assert_eq!(read_i64(doc, "total"), Some(1250));
    });
    repo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_synced_to_the_server_survives_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let dist = tmp.path().join("dist");
    let server = start(&data, &dist).await;
    server.storage.add_device_token(TOKEN, STORE).unwrap();

    let id = sync_a_sale(&server).await;
    server.stop().await;

    let server = start(&data, &dist).await;
    let (rows, doc) = stored_doc(&server, &id);
    assert!(rows >= 1);
    assert_eq!(read_i64(&doc, "total"), Some(1250));
    find_on_server(&server, &id).await;
    server.stop().await;
}

#[tokio::test]
async fn tokens_are_stored_hashed() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    server.storage.add_device_token(TOKEN, STORE).unwrap();
    let conn = rusqlite::Connection::open(server.storage.db_path()).unwrap();
    let (hash, store): (String, String) = conn
        .query_row("SELECT token_hash, store_id FROM devices", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(store, STORE);
    assert_eq!(hash.len(), 64);
    assert!(!hash.contains(TOKEN));
    assert_eq!(hash, hash_token(TOKEN));
    server.stop().await;
}

/// How the server refused a WebSocket handshake: its status, the `reason` of its JSON body
/// and its `Pos-Sync-Refusal` header, which must agree.
async fn refused(url: &str) -> (u16, String) {
    match tokio_tungstenite::connect_async(url).await {
        Ok(_) => panic!("{url}: the upgrade must be refused"),
        Err(tungstenite::Error::Http(res)) => refusal_of(
            res.status().as_u16(),
            |name| {
                let value = res.headers().get(name)?.to_str().ok()?;
                Some(value.to_string())
            },
            res.body().as_deref().unwrap_or_default(),
        ),
        Err(e) => panic!("{url}: unexpected error {e}"),
    }
}

/// The status and reason code of a refused `/sync` (see [`refused`]).
fn refusal_of(status: u16, header: impl Fn(&str) -> Option<String>, body: &[u8]) -> (u16, String) {
    let json: serde_json::Value = serde_json::from_slice(body)
        .unwrap_or_else(|_| panic!("a JSON body: {}", String::from_utf8_lossy(body)));
    let reason = json["reason"].as_str().expect("a reason").to_string();
    assert!(
        json["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{json}"
    );
    assert_eq!(
        header(sync::refusal::REFUSAL_HEADER).as_deref(),
        Some(reason.as_str()),
        "the header says what the body says"
    );
    assert_eq!(header("cache-control").as_deref(), Some("no-store"));
    (status, reason)
}

/// `/sync` refusals before the upgrade carry a reason code (issue #11 leftovers): they used to
/// be a bare status with English text, so a client could not tell a removed device from a
/// mistyped token, nor a device over its share from a full server.
#[tokio::test]
async fn missing_unknown_and_revoked_tokens_get_401_without_upgrade() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    server.storage.add_device_token(TOKEN, STORE).unwrap();
    server
        .storage
        .add_device_token("revoked-token", STORE)
        .unwrap();
    assert!(server.storage.revoke_device_token("revoked-token").unwrap());

    let base = format!("ws://{}/sync", server.addr);
    let no_token = (401, "no_token".to_string());
    assert_eq!(refused(&base).await, no_token);
    assert_eq!(refused(&format!("{base}?token=")).await, no_token);
    assert_eq!(
        refused(&format!("{base}?token=nope")).await,
        (401, "not_paired".to_string())
    );
    assert_eq!(
        refused(&format!("{base}?token=revoked-token")).await,
        (401, "revoked".to_string())
    );
    // A plain GET without a token is refused the same way, and a valid token without the
    // upgrade headers is not a WebSocket.
    let plain = get(server.addr, "/sync").await;
    let header = |name: &str| plain.header(name).map(str::to_string);
    assert_eq!(refusal_of(plain.status, header, &plain.body), no_token);
    let not_ws = get(server.addr, &format!("/sync?token={TOKEN}")).await;
    assert!(
        (400..500).contains(&not_ws.status) && not_ws.status != 401,
        "{}",
        not_ws.status
    );
    server.stop().await;
}

/// A `/sync` whose token the server cannot look up (its database failing) is refused with
/// `storage_failed`, the close code of the same trouble after the upgrade.
#[tokio::test]
async fn a_token_the_database_cannot_look_up_gets_503_storage_failed() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let server = start(&data, &tmp.path().join("dist")).await;
    server.storage.add_device_token(TOKEN, STORE).unwrap();
    let conn = rusqlite::Connection::open(data.join(pos_sync_server::storage::DB_FILE)).unwrap();
    conn.execute_batch("ALTER TABLE devices RENAME TO devices_gone")
        .unwrap();
    assert_eq!(
        refused(&sync_url(&server, TOKEN)).await,
        (503, "storage_failed".to_string())
    );
    server.stop().await;
}

/// Waits until the server ends the connection (a close frame, an error or EOF), and returns
/// the close frame's code and reason, if it sent one.
async fn closed_by_server<S>(ws: &mut S) -> Option<(u16, String)>
where
    S: futures::Stream<Item = Result<Message, tungstenite::Error>> + Unpin,
{
    tokio::time::timeout(WAIT, async {
        while let Some(msg) = ws.next().await {
            match msg {
                Ok(Message::Close(frame)) => {
                    return frame.map(|f| (u16::from(f.code), f.reason.to_string()));
                }
                Err(_) => return None,
                Ok(_) => {}
            }
        }
        None
    })
    .await
    .expect("the server closes the connection")
}

/// Panics anywhere in this test binary since [`count_panics`] was first called. The release
/// build aborts on panic, so a panic in a server task here would be a crash there.
static PANICS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn count_panics() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            previous(info);
        }));
    });
}

/// A server with [`TOKEN`]'s device and its synced sale, for the tests of hostile clients:
/// the temp dir, the server, the document and its stored heads.
async fn server_with_a_sale() -> (tempfile::TempDir, Running, DocumentId, Vec<ChangeHash>) {
    count_panics();
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    server.storage.add_device_token(TOKEN, STORE).unwrap();
    let id = sync_a_sale(&server).await;
    let before = stored_heads(&server, &id);
    (tmp, server, id, before)
}

/// After a hostile client: the server answers, its data is unchanged, nothing panicked, and
/// a fresh client still syncs the document. Stops the server.
async fn assert_unharmed(server: Running, id: &DocumentId, before: Vec<ChangeHash>) {
    assert_eq!(get(server.addr, "/health").await.status, 200);
    assert_eq!(stored_heads(&server, id), before, "stored data unchanged");
    assert_eq!(
        PANICS.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "nothing panicked (a panic aborts the release build)"
    );
    find_on_server(&server, id).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_and_oversized_messages_close_the_connection_only() {
    let (_tmp, server, id, before) = server_with_a_sale().await;

    let url = sync_url(&server, TOKEN);
    // Not CBOR at all.
    let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    ws.send(Message::Binary(
        b"\xff\x00garbage\x9f\x9f\x9f not cbor".to_vec().into(),
    ))
    .await
    .unwrap();
    let (code, reason) = closed_by_server(&mut ws).await.expect("a close frame");
    assert_eq!(code, close::MALFORMED.0);
    assert!(reason.contains("Malformed"), "{reason}");

    // Text where the protocol has only binary messages.
    let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    ws.send(Message::Text("hello".into())).await.unwrap();
    assert_eq!(
        closed_by_server(&mut ws).await.map(|c| c.0),
        Some(close::NOT_BINARY.0)
    );

    // Over the size limit.
    let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    let big = vec![0u8; pos_sync_server::sync::MAX_MESSAGE_BYTES + 1];
    let _ = ws.send(Message::Binary(big.into())).await;
    let closed = closed_by_server(&mut ws).await;
    assert!(
        matches!(closed, None | Some((1009, _))),
        "{closed:?}: the connection ends, with 1009 if the socket still takes a frame"
    );

    assert_unharmed(server, &id, before).await;
}

type RawWs =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A raw protocol peer that has done the join/peer handshake as the device of [`TOKEN`].
async fn joined(url: &str) -> (RawWs, String) {
    joined_as(url, &test_peer(TOKEN)).await
}

/// A raw protocol peer that has done the join/peer handshake as `peer`.
async fn joined_as(url: &str, peer: &str) -> (RawWs, String) {
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let join = join_message(peer);
    ws.send(Message::Binary(join.into())).await.unwrap();
    let server_id = tokio::time::timeout(WAIT, async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Binary(b))) => return sender_id(&b),
                Some(Ok(_)) => {}
                other => panic!("no peer message: {other:?}"),
            }
        }
    })
    .await
    .expect("the server answers join");
    (ws, server_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_protocol_messages_never_touch_stored_data() {
    let (_tmp, server, id, before) = server_with_a_sale().await;
    let url = sync_url(&server, TOKEN);
    let doc_id = id.to_string();
    let peer = test_peer(TOKEN);

    // After a proper handshake: a sync message whose Automerge payload is garbage is dropped
    // (samod logs it), and the connection stays usable.
    let (mut ws, server_id) = joined(&url).await;
    for data in [&b""[..], b"\x42garbage", &[0xff; 64]] {
        let msg = cbor(&[
            ("type", Val::Str("sync")),
            ("senderId", Val::Str(&peer)),
            ("targetId", Val::Str(&server_id)),
            ("documentId", Val::Str(&doc_id)),
            ("data", Val::Bytes(data)),
        ]);
        ws.send(Message::Binary(msg.into())).await.unwrap();
    }
    // A document id that is not one, and a message without a type: the connection closes.
    let bad_id = cbor(&[
        ("type", Val::Str("request")),
        ("senderId", Val::Str(&peer)),
        ("targetId", Val::Str(&server_id)),
        ("documentId", Val::Str("not-a-document-id")),
        ("data", Val::Bytes(b"")),
    ]);
    ws.send(Message::Binary(bad_id.into())).await.unwrap();
    closed_by_server(&mut ws).await;

    let (mut ws, _) = joined(&url).await;
    ws.send(Message::Binary(cbor(&[("senderId", Val::Str("x"))]).into()))
        .await
        .unwrap();
    closed_by_server(&mut ws).await;

    // Deeply nested CBOR in an unknown field (skipped iteratively, no stack overflow), and a
    // map that claims more entries than it has.
    let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    let mut nested = vec![0xa1, 0x61, b'x'];
    nested.extend(std::iter::repeat_n(0x81u8, 100_000));
    nested.push(0x00);
    ws.send(Message::Binary(nested.into())).await.unwrap();
    closed_by_server(&mut ws).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    ws.send(Message::Binary(
        vec![0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff].into(),
    ))
    .await
    .unwrap();
    closed_by_server(&mut ws).await;

    assert_unharmed(server, &id, before).await;
}

/// An Automerge sync message from a peer that has nothing yet: "send me everything".
fn empty_sync_message() -> Vec<u8> {
    let mut state = automerge::sync::State::new();
    automerge::sync::SyncDoc::generate_sync_message(&Automerge::new(), &mut state)
        .expect("a first message")
        .encode()
}

/// A sync message carrying a change of a document unrelated to the server's copy.
fn foreign_change_message() -> Vec<u8> {
    let mut doc = Automerge::new();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, "total", 9999_i64)?;
        Ok(())
    })
    .unwrap();
    let mut state = automerge::sync::State::new();
    automerge::sync::SyncDoc::generate_sync_message(&doc, &mut state)
        .expect("a message")
        .encode()
}

/// A store with its owner and one paired device, and a second store's owner.
async fn two_stores(server: &Running) -> (Device, Device, Device) {
    let owner_a = create_store(server.addr, server.setup_code.as_deref().unwrap(), "A").await;
    let till_a = pair(server.addr, &owner_a, "Till A2").await;
    let owner_b = create_store(server.addr, &another_setup_code(&server.storage), "B").await;
    (owner_a, till_a, owner_b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_of_another_store_gets_doc_unavailable_and_no_data() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    let (owner_a, till_a, owner_b) = two_stores(&server).await;
    let id = sync_a_sale_as(
        &server,
        &owner_a.token,
        &owner_a.peer_id,
        &owner_a.store_id,
        &owner_a.device_id,
    )
    .await;
    let before = stored_heads(&server, &id);

    // Store B's device asks for A's document with a raw request, then tries to write to it.
    let url = format!("ws://{}/sync?token={}", server.addr, owner_b.token);
    let (mut ws, server_id) = joined_as(&url, &owner_b.peer_id).await;
    let doc_id = id.to_string();
    for (kind, data) in [
        ("request", empty_sync_message()),
        ("sync", foreign_change_message()),
    ] {
        let msg = cbor(&[
            ("type", Val::Str(kind)),
            ("senderId", Val::Str(&owner_b.peer_id)),
            ("targetId", Val::Str(&server_id)),
            ("documentId", Val::Str(&doc_id)),
            ("data", Val::Bytes(&data)),
        ]);
        ws.send(Message::Binary(msg.into())).await.unwrap();
    }
    tokio::time::timeout(WAIT, async {
        loop {
            let Some(Ok(Message::Binary(msg))) = ws.next().await else {
                panic!("the connection ended before doc-unavailable");
            };
            let kind = str_field(&msg, "type");
            assert_ne!(kind.as_deref(), Some("sync"), "store B was sent A's data");
            if kind.as_deref() == Some("doc-unavailable") {
                assert_eq!(
                    str_field(&msg, "documentId").as_deref(),
                    Some(doc_id.as_str())
                );
                return;
            }
        }
    })
    .await
    .expect("doc-unavailable in time");

    // samod's own client of store B finds nothing either.
    let repo_b = client_as(&server, &owner_b.token, &owner_b.peer_id).await;
    let found = tokio::time::timeout(WAIT, repo_b.find(id.clone()))
        .await
        .expect("find answers in time")
        .unwrap();
    assert!(found.is_none(), "store B must not find A's document");
    repo_b.stop().await;

    // Another device of store A gets it, unchanged by B's write.
    let repo_a = client_as(&server, &till_a.token, &till_a.peer_id).await;
    let handle = tokio::time::timeout(WAIT, repo_a.find(id.clone()))
        .await
        .expect("find answers in time")
        .unwrap()
        .expect("a device of store A finds the document");
    handle.with_document(|doc| assert_eq!(read_i64(doc, "total"), Some(1250)));
    repo_a.stop().await;
    assert_eq!(
        stored_heads(&server, &id),
        before,
        "store B's write was not stored"
    );
    let (_, doc) = stored_doc(&server, &id);
    assert_eq!(read_i64(&doc, "total"), Some(1250));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_cannot_claim_another_devices_peer_id() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    let (owner_a, _, owner_b) = two_stores(&server).await;
    let url = format!("ws://{}/sync?token={}", server.addr, owner_b.token);
    let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    let join = join_message(&owner_a.peer_id);
    ws.send(Message::Binary(join.into())).await.unwrap();
    tokio::time::timeout(WAIT, async {
        while let Some(msg) = ws.next().await {
            match msg {
                Ok(Message::Binary(b)) => {
                    assert_ne!(
                        str_field(&b, "type").as_deref(),
                        Some("peer"),
                        "handshake accepted"
                    )
                }
                Ok(Message::Close(_)) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .expect("the server closes the connection");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_a_device_closes_its_connection_and_later_upgrades_get_401() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    let (owner_a, till_a, _) = two_stores(&server).await;
    let url = format!("ws://{}/sync?token={}", server.addr, till_a.token);
    let (mut ws, _) = joined_as(&url, &till_a.peer_id).await;
    // The owner's own connection stays open throughout.
    let owner_url = format!("ws://{}/sync?token={}", server.addr, owner_a.token);
    let (mut owner_ws, _) = joined_as(&owner_url, &owner_a.peer_id).await;

    let auth = owner_a.bearer();
    let path = format!("/api/devices/{}", till_a.device_id);
    let reply = http(
        server.addr,
        "DELETE",
        &path,
        &[("Authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(reply.status, 204, "{}", reply.text());

    let (code, reason) = closed_by_server(&mut ws).await.expect("a close frame");
    assert_eq!(code, close::REVOKED.0);
    assert!(reason.contains("removed"), "{reason}");
    assert_eq!(refused(&url).await, (401, "revoked".to_string()));

    owner_ws.send(Message::Ping(vec![1].into())).await.unwrap();
    let pong = tokio::time::timeout(WAIT, owner_ws.next()).await.unwrap();
    assert!(matches!(pong, Some(Ok(Message::Pong(_)))), "{pong:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_flood_closes_that_connection_and_others_keep_syncing() {
    let (_tmp, server, id, before) = server_with_a_sale().await;

    let url = sync_url(&server, TOKEN);
    let (mut ws, server_id) = joined(&url).await;
    let peer = test_peer(TOKEN);
    let msg = cbor(&[
        ("type", Val::Str("doc-unavailable")),
        ("senderId", Val::Str(&peer)),
        ("targetId", Val::Str(&server_id)),
        ("documentId", Val::Str(&id.to_string())),
    ]);
    let flood = pos_sync_server::sync::MESSAGE_BURST as usize * 3;
    for _ in 0..flood {
        if ws.feed(Message::Binary(msg.clone().into())).await.is_err() {
            break;
        }
    }
    let _ = ws.flush().await;
    let (code, reason) = closed_by_server(&mut ws).await.expect("a close frame");
    assert_eq!(code, close::FLOOD.0);
    assert!(reason.contains("Too many"), "{reason}");

    assert_unharmed(server, &id, before).await;
}

/// A server whose sync limits a test sets, with [`TOKEN`]'s device in [`STORE`].
async fn limited(set: impl FnOnce(&mut pos_sync_server::Config)) -> (tempfile::TempDir, Running) {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = common::config(&tmp.path().join("data"));
    config.static_dir = tmp.path().join("dist");
    set(&mut config);
    let server = common::start_config(&config, Arc::new(common::FakeClock::default())).await;
    server.storage.add_device_token(TOKEN, STORE).unwrap();
    (tmp, server)
}

/// Finding 2: one token could open connections without bound. A device gets its share, the
/// server its total; a closed connection gives its place back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_are_capped_per_device_and_in_total() {
    let (_tmp, server) = limited(|c| {
        c.max_connections_per_device = 2;
        c.max_connections = 3;
    })
    .await;
    let url = sync_url(&server, TOKEN);
    let (first, _) = joined(&url).await;
    let (_second, _) = joined(&url).await;
    assert_eq!(
        refused(&url).await,
        (429, "too_many_connections".to_string())
    );
    drop(first);
    let deadline = tokio::time::Instant::now() + WAIT;
    let _third = loop {
        match tokio_tungstenite::connect_async(&url).await {
            Ok((ws, _)) => break ws,
            Err(_) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("a closed connection never gave its place back: {e}"),
        }
    };
    // Two devices' worth of sockets reach the server's total.
    server
        .storage
        .add_device_token("other-token", STORE)
        .unwrap();
    let other = sync_url(&server, "other-token");
    let (_fourth, _) = joined_as(&other, &test_peer("other-token")).await;
    assert_eq!(refused(&other).await, (503, "server_busy".to_string()));
    server.stop().await;
}

/// Finding 2: every `request` for any well-formed id registered a row. Now only a genesis
/// registers a document (`tests/genesis.rs`), but a device can still make as many genuine
/// documents as it likes (a sales day for every date): a store holds at most its quota; past
/// it the connection closes with the reason, and what the store had still syncs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn junk_documents_stop_at_the_store_quota() {
    let (_tmp, server) = limited(|c| c.max_documents_per_store = 5).await;
    let id = sync_a_sale(&server).await;
    let url = sync_url(&server, TOKEN);
    let (mut ws, server_id) = joined(&url).await;
    let peer = test_peer(TOKEN);
    let (store, device) = (
        Uuid::parse_str(STORE).unwrap(),
        Uuid::parse_str(&test_device_id(TOKEN)).unwrap(),
    );
    let mut closed = None;
    for n in 1..=28u32 {
        // The device's day on January n: a genesis, sent whole as to a peer that has nothing.
        let day = BusinessDay::new(2027, 1, n).unwrap();
        let mut doc = SalesDay::new(store, device, day, &Actor::device(device)).into_automerge();
        let mut state = automerge::sync::State::new();
        let nothing = automerge::sync::SyncDoc::generate_sync_message(
            &Automerge::new(),
            &mut automerge::sync::State::new(),
        )
        .unwrap();
        use automerge::sync::SyncDoc as _;
        doc.sync()
            .receive_sync_message(&mut state, nothing)
            .unwrap();
        let data = doc
            .sync()
            .generate_sync_message(&mut state)
            .unwrap()
            .encode();
        let msg = cbor(&[
            ("type", Val::Str("sync")),
            ("senderId", Val::Str(&peer)),
            ("targetId", Val::Str(&server_id)),
            (
                "documentId",
                Val::Str(&SalesDay::id(store, device, day).to_string()),
            ),
            ("data", Val::Bytes(&data)),
        ]);
        if ws.send(Message::Binary(msg.into())).await.is_err() {
            break;
        }
        if n == 10 {
            closed = closed_by_server(&mut ws).await;
            break;
        }
    }
    let (code, reason) = closed.expect("a close frame");
    assert_eq!((code, reason.as_str()), close::QUOTA);
    let rows: i64 = rusqlite::Connection::open(server.data_dir.join("pos.sqlite3"))
        .unwrap()
        .query_row(
            "SELECT count(*) FROM documents WHERE store_id = ?1",
            [STORE],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rows, 5, "the sale and four more days, no more");
    find_on_server(&server, &id).await;
    server.stop().await;
}

/// Finding 5: only `request` and `sync` were checked; `ephemeral` and unknown types went to
/// samod, which relays ephemeral messages to the document's other peers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_types_outside_the_protocol_are_refused() {
    let (_tmp, server, id, before) = server_with_a_sale().await;
    let url = sync_url(&server, TOKEN);
    let peer = test_peer(TOKEN);
    for kind in ["ephemeral", "remote-subscription-change", "peer", "made-up"] {
        let (mut ws, server_id) = joined(&url).await;
        let msg = cbor(&[
            ("type", Val::Str(kind)),
            ("senderId", Val::Str(&peer)),
            ("targetId", Val::Str(&server_id)),
            ("documentId", Val::Str(&id.to_string())),
            ("data", Val::Bytes(b"\x01\x02")),
        ]);
        ws.send(Message::Binary(msg.into())).await.unwrap();
        let closed = closed_by_server(&mut ws).await;
        assert_eq!(
            closed,
            Some((close::UNKNOWN_TYPE.0, close::UNKNOWN_TYPE.1.to_string())),
            "{kind}"
        );
    }
    assert_unharmed(server, &id, before).await;
}

/// Finding 7: the token travelled as `/sync?token=`, which proxies log. It now travels as an
/// offered subprotocol; the request line holds no token and the answer does not echo it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_device_token_travels_as_a_subprotocol_not_in_the_url() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    server.storage.add_device_token(TOKEN, STORE).unwrap();
    let request =
        pos_sync_server::client::sync_request(&format!("ws://{}/sync?token={TOKEN}", server.addr))
            .unwrap();
    assert_eq!(
        request.uri().to_string(),
        format!("ws://{}/sync", server.addr)
    );
    let (_ws, answer) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(
        answer.headers()["sec-websocket-protocol"],
        sync::SYNC_PROTOCOL,
        "the server picks the sync protocol and never echoes the token"
    );
    let wrong =
        pos_sync_server::client::sync_request(&format!("ws://{}/sync?token=nope", server.addr))
            .unwrap();
    match tokio_tungstenite::connect_async(wrong).await {
        Err(tungstenite::Error::Http(res)) => assert_eq!(res.status().as_u16(), 401),
        other => panic!("a wrong token offered as a subprotocol must be refused: {other:?}"),
    }
    server.stop().await;
}
