//! The server as an automerge-repo sync peer: a samod client syncs a document through `/sync`,
//! the server keeps it in SQLite across a restart, tokens are checked before the upgrade, and
//! garbage on the socket closes that connection without harming the server or its data.

mod common;

use std::sync::Arc;
use std::time::Duration;

use automerge::{Automerge, ROOT, ReadDoc, transaction::Transactable};
use futures::future::BoxFuture;
use futures::{SinkExt, StreamExt};
use pos_sync_server::enroll::peer_id_of;
use pos_sync_server::storage::hash_token;
use pos_sync_server::sync::{MISSING_TOKEN, REVOKED_TOKEN, UNKNOWN_TOKEN};
use samod::{BackoffConfig, DialError, Dialer, DocumentId, Repo, Transport, Url};
use tokio_tungstenite::tungstenite::{self, Message};

use common::{Running, get, start};

const WAIT: Duration = Duration::from_secs(20);
const TOKEN: &str = "test-device-token-0123456789abcdef";
const STORE: &str = "store-1";

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
    peer_id_of(&format!("test-{}", &hash_token(token)[..16]))
}

/// A fresh client repo (in-memory storage) connected to the server.
async fn client(server: &Running) -> Repo {
    let repo = Repo::build_tokio()
        .with_peer_id(samod::PeerId::from(test_peer(TOKEN).as_str()))
        .load()
        .await;
    let url = Url::parse(&sync_url(server, TOKEN)).unwrap();
    let dialer = repo
        .dial(BackoffConfig::default(), Arc::new(WsDialer { url }))
        .unwrap();
    tokio::time::timeout(WAIT, dialer.established())
        .await
        .expect("client connects in time")
        .expect("client connects");
    repo
}

fn sale_doc() -> Automerge {
    let mut doc = Automerge::new();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, "sale", "S-0001")?;
        Ok(())
    })
    .unwrap();
    doc
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
    let bytes: Vec<u8> = rows.iter().flat_map(|(_, data)| data.clone()).collect();
    let doc = if bytes.is_empty() {
        Automerge::new()
    } else {
        Automerge::load(&bytes).unwrap()
    };
    (rows.len(), doc)
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
    let repo = client(server).await;
    let handle = repo.create(sale_doc()).await.unwrap();
    handle.with_document(|doc| {
        doc.transact::<_, _, automerge::AutomergeError>(|tx| {
            tx.put(ROOT, "total", 1250_i64)?;
            Ok(())
        })
        .unwrap();
    });
    let id = handle.document_id().clone();
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

/// Tries a WebSocket handshake and returns the HTTP status and body of the refusal.
async fn refused(url: &str) -> (u16, String) {
    match tokio_tungstenite::connect_async(url).await {
        Ok(_) => panic!("{url}: the upgrade must be refused"),
        Err(tungstenite::Error::Http(res)) => (
            res.status().as_u16(),
            String::from_utf8_lossy(res.body().as_deref().unwrap_or_default()).into_owned(),
        ),
        Err(e) => panic!("{url}: unexpected error {e}"),
    }
}

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
    assert_eq!(refused(&base).await, (401, MISSING_TOKEN.to_string()));
    assert_eq!(
        refused(&format!("{base}?token=")).await,
        (401, MISSING_TOKEN.to_string())
    );
    assert_eq!(
        refused(&format!("{base}?token=nope")).await,
        (401, UNKNOWN_TOKEN.to_string())
    );
    assert_eq!(
        refused(&format!("{base}?token=revoked-token")).await,
        (401, REVOKED_TOKEN.to_string())
    );
    // A plain GET without a token is refused the same way, and a valid token without the
    // upgrade headers is not a WebSocket.
    let plain = get(server.addr, "/sync").await;
    assert_eq!(plain.status, 401);
    assert_eq!(plain.text(), MISSING_TOKEN);
    let not_ws = get(server.addr, &format!("/sync?token={TOKEN}")).await;
    assert!(
        (400..500).contains(&not_ws.status) && not_ws.status != 401,
        "{}",
        not_ws.status
    );
    server.stop().await;
}

/// Waits until the server ends the connection (a close frame, an error or EOF).
async fn closed_by_server<S>(ws: &mut S)
where
    S: futures::Stream<Item = Result<Message, tungstenite::Error>> + Unpin,
{
    tokio::time::timeout(WAIT, async {
        while let Some(msg) = ws.next().await {
            match msg {
                Ok(Message::Close(_)) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .expect("the server closes the connection");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_and_oversized_messages_close_the_connection_only() {
    count_panics();
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    server.storage.add_device_token(TOKEN, STORE).unwrap();
    let id = sync_a_sale(&server).await;
    let before = stored_doc(&server, &id).0;

    let url = sync_url(&server, TOKEN);
    // Not CBOR at all.
    let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    ws.send(Message::Binary(
        b"\xff\x00garbage\x9f\x9f\x9f not cbor".to_vec().into(),
    ))
    .await
    .unwrap();
    closed_by_server(&mut ws).await;

    // Text where the protocol has only binary messages.
    let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    ws.send(Message::Text("hello".into())).await.unwrap();
    closed_by_server(&mut ws).await;

    // Over the size limit.
    let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    let big = vec![0u8; pos_sync_server::sync::MAX_MESSAGE_BYTES + 1];
    let _ = ws.send(Message::Binary(big.into())).await;
    closed_by_server(&mut ws).await;

    assert_eq!(get(server.addr, "/health").await.status, 200);
    assert_eq!(stored_doc(&server, &id).0, before, "stored data unchanged");
    assert_eq!(
        PANICS.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "nothing panicked (a panic aborts the release build)"
    );
    find_on_server(&server, &id).await;
    server.stop().await;
}

/// CBOR map of string keys to values, as the automerge-repo wire protocol uses.
enum Val<'a> {
    Str(&'a str),
    Bytes(&'a [u8]),
    Strs(&'a [&'a str]),
    EmptyMap,
}

fn cbor(fields: &[(&str, Val<'_>)]) -> Vec<u8> {
    let mut e = minicbor::Encoder::new(Vec::new());
    e.map(fields.len() as u64).unwrap();
    for (k, v) in fields {
        e.str(k).unwrap();
        match v {
            Val::Str(s) => e.str(s).unwrap(),
            Val::Bytes(b) => e.bytes(b).unwrap(),
            Val::Strs(list) => {
                e.array(list.len() as u64).unwrap();
                for s in *list {
                    e.str(s).unwrap();
                }
                &mut e
            }
            Val::EmptyMap => e.map(0).unwrap(),
        };
    }
    e.into_writer()
}

/// The `senderId` of a CBOR message map.
fn sender_id(msg: &[u8]) -> String {
    let mut d = minicbor::Decoder::new(msg);
    let n = d.map().unwrap().unwrap();
    for _ in 0..n {
        if d.str().unwrap() == "senderId" {
            return d.str().unwrap().to_string();
        }
        d.skip().unwrap();
    }
    panic!("no senderId");
}

/// A raw protocol peer that has done the join/peer handshake as the device of [`TOKEN`].
async fn joined(
    url: &str,
) -> (
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    String,
) {
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let join = cbor(&[
        ("type", Val::Str("join")),
        ("senderId", Val::Str(&test_peer(TOKEN))),
        ("supportedProtocolVersions", Val::Strs(&["1"])),
        ("peerMetadata", Val::EmptyMap),
    ]);
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
    count_panics();
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    server.storage.add_device_token(TOKEN, STORE).unwrap();
    let id = sync_a_sale(&server).await;
    let before = stored_doc(&server, &id).0;
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

    assert_eq!(get(server.addr, "/health").await.status, 200);
    assert_eq!(stored_doc(&server, &id).0, before, "stored data unchanged");
    find_on_server(&server, &id).await;
    assert_eq!(
        PANICS.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "nothing panicked (a panic aborts the release build)"
    );
    server.stop().await;
}
