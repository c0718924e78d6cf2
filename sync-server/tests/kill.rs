//! Durability of acknowledged changes: the real server binary is killed with SIGKILL while a
//! client pushes changes, restarted on the same data dir, and must still hold every change it
//! had acknowledged, that is every change in (or before) the heads it sent in its sync
//! messages. A device drops its own copy of nothing, but it stops resending what the server
//! acknowledged, so an acknowledged change that is lost is lost for good on the server side.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use automerge::sync::{State, SyncDoc};
use automerge::{Automerge, ChangeHash, ROOT, ReadDoc, transaction::Transactable};
use futures::{SinkExt, StreamExt};
use samod::DocumentId;
use tokio_tungstenite::tungstenite::Message;

use common::{
    Process, Val, cbor, create_store, heads_of_sync, join_message, sales_day, sender_id, spawn,
    stored_doc, sync_of,
};

const WAIT: Duration = Duration::from_secs(30);
/// Kill rounds; each kills the server once while changes are in flight.
const ROUNDS: usize = 3;
/// Changes acknowledged in a round before the kill.
const ACKED_BEFORE_KILL: usize = 120;

/// One round: connect, push changes until the server has acknowledged
/// [`ACKED_BEFORE_KILL`] more of them, SIGKILL it while more are in flight, and return the
/// heads it acknowledged (read to the end of the socket, since those were sent too).
async fn push_and_kill(
    server: &mut Process,
    token: &str,
    peer: &str,
    id: &DocumentId,
    doc: &mut Automerge,
    next: &mut usize,
) -> HashSet<ChangeHash> {
    let url = format!("ws://{}/sync?token={token}", server.addr);
    let (mut ws, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("the client connects");
    let join = join_message(peer);
    ws.send(Message::Binary(join.into())).await.unwrap();
    let server_id = loop {
        match tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("peer in time")
        {
            Some(Ok(Message::Binary(b))) => break sender_id(&b),
            Some(Ok(_)) => {}
            other => panic!("no peer message: {other:?}"),
        }
    };
    // Read on a task of its own, so that the server's answers never wait behind our sends
    // (both sides' socket buffers full would stall both).
    let (mut ws, mut reader) = ws.split();
    let (tx, mut incoming_rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(msg) = reader.next().await {
            if tx.send(msg).is_err() {
                break;
            }
        }
    });
    let doc_id = id.to_string();
    let sync_msg = |data: Vec<u8>| {
        cbor(&[
            ("type", Val::Str("sync")),
            ("senderId", Val::Str(peer)),
            ("targetId", Val::Str(&server_id)),
            ("documentId", Val::Str(&doc_id)),
            ("data", Val::Bytes(&data)),
        ])
    };

    let mut state = State::new();
    let mut index: HashMap<ChangeHash, usize> = HashMap::new();
    for change in doc.get_changes(&[]) {
        index.insert(change.hash(), 0);
    }
    let start = *next;
    let mut acked: HashSet<ChangeHash> = HashSet::new();
    let mut acked_upto = 0usize;
    let mut killed = false;
    let mut ended = false;
    while !ended {
        // Wait for the server when there is nothing to send, or after the kill.
        // automerge's sync keeps one message in flight: wait for the server's answer first.
        let reply = if killed || state.in_flight {
            match tokio::time::timeout(WAIT, incoming_rx.recv()).await {
                Ok(Some(Ok(Message::Binary(bytes)))) => {
                    let heads = heads_of_sync(&bytes);
                    for head in &heads {
                        acked.insert(*head);
                        if let Some(i) = index.get(head) {
                            acked_upto = acked_upto.max(*i);
                        }
                    }
                    if let Some(msg) = sync_of(&bytes) {
                        doc.receive_sync_message(&mut state, msg).unwrap();
                    }
                    if !killed && acked_upto >= start + ACKED_BEFORE_KILL {
                        // Changes are still in flight: the server dies in the middle of them.
                        server.child.kill().expect("SIGKILL");
                        killed = true;
                    }
                    None
                }
                Ok(Some(Ok(_))) => None,
                // The socket ends only because the server died.
                Ok(None | Some(Err(_))) => {
                    assert!(killed, "the connection ended before the kill");
                    ended = true;
                    None
                }
                Err(_) => panic!("the server answered nothing in {WAIT:?}"),
            }
        } else {
            let i = *next;
            *next += 1;
            doc.transact::<_, _, automerge::AutomergeError>(|tx| {
                tx.put(ROOT, format!("sale-{i:05}"), i as i64)?;
                tx.put(ROOT, "count", i as i64)?;
                Ok(())
            })
            .unwrap();
            index.insert(doc.get_heads()[0], i);
            assert!(
                *next < start + 100 * ACKED_BEFORE_KILL,
                "the server acknowledges nothing"
            );
            doc.generate_sync_message(&mut state)
        };
        let reply = reply.or_else(|| {
            (!killed)
                .then(|| doc.generate_sync_message(&mut state))
                .flatten()
        });
        if let Some(msg) = reply {
            // A failed send means the server is gone; the read side sees it too.
            let _ = ws
                .send(Message::Binary(sync_msg(msg.encode()).into()))
                .await;
        }
    }
    let _ = server.child.wait();
    acked
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_the_server_acknowledged_survive_sigkill() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let dist = tmp.path().join("dist");
    let mut server = spawn(&data, &dist, true);
    let code = server
        .setup_code
        .clone()
        .expect("a fresh server prints a setup code");
    let owner = create_store(server.addr, &code, "Durable shop").await;
    let (id, mut doc) = sales_day(&owner.store_id, &owner.device_id);
    let mut next = 1;
    let mut all_acked = HashSet::new();
    for round in 0..ROUNDS {
        let acked = push_and_kill(
            &mut server,
            &owner.token,
            &owner.peer_id,
            &id,
            &mut doc,
            &mut next,
        )
        .await;
        assert!(!acked.is_empty(), "round {round}: nothing acknowledged");
        all_acked.extend(acked);

        // Every acknowledged change is on disk after the kill, before and after a restart.
        let check = |when: &str| {
            let stored = stored_doc(&data, &id);
            let lost: Vec<_> = all_acked
                .iter()
                .filter(|h| stored.get_change_by_hash(h).is_none())
                .collect();
            assert!(
                lost.is_empty(),
                "round {round}, {when}: {} acknowledged change(s) lost, e.g. {:?} \
                 (the server holds {} changes, the client made {})",
                lost.len(),
                lost.first(),
                stored.get_changes(&[]).len(),
                next - 1
            );
        };
        check("after SIGKILL");
        server = spawn(&data, &dist, false);
        check("after restart");
    }
    let stored = stored_doc(&data, &id);
    assert!(stored.get(ROOT, "count").unwrap().is_some());
    let _ = server.child.kill();
    let _ = server.child.wait();
}
