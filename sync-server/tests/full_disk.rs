//! A full disk loses nothing the server acknowledged. The data directory is a real, small
//! file system (a tmpfs mounted for the test), the server is the real binary, and the end of
//! each test is a SIGKILL and a restart on a copy of the data with room to spare.

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use automerge::sync::{State, SyncDoc};
use automerge::{Automerge, ChangeHash, ROOT, ReadDoc, transaction::Transactable};
use futures::{SinkExt, StreamExt};
use samod::DocumentId;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

use common::{
    Process, Val, cbor, create_store, get, heads_of_sync, sales_day,
    spawn_with, stored_doc, sync_of,
};

const WAIT: Duration = Duration::from_secs(30);

/// A tmpfs of `size` mounted at a fresh directory, unmounted on drop.
struct SmallDisk {
    dir: PathBuf,
    _parent: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> SmallDisk {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("disk");
        std::fs::create_dir(&dir).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .output()
            .expect("mount runs");
        assert!(
            out.status.success(),
            "these tests need a real small file system: mounting a tmpfs failed ({}); run \
             them as root or with CAP_SYS_ADMIN",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        SmallDisk {
            dir,
            _parent: parent,
        }
    }

    fn free(&self) -> u64 {
        let s = rustix::fs::statvfs(&self.dir).unwrap();
        s.f_bavail * s.f_frsize
    }

    /// Takes all but `leave` bytes of the free space with a file.
    fn fill_leaving(&self, leave: u64) -> PathBuf {
        let filler = self.dir.join("filler");
        let size = self.free().saturating_sub(leave);
        std::fs::write(&filler, vec![0xA5u8; size as usize]).unwrap();
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}

/// A device speaking the sync protocol on a raw socket, one sync message in flight at a time,
/// so that what the server acknowledged (the heads in its answers) is known exactly.
struct Device {
    ws: futures::stream::SplitSink<
        tokio_tungstenite::WebSocketStream<
            tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
        >,
        Message,
    >,
    incoming: tokio::sync::mpsc::UnboundedReceiver<Message>,
    peer: String,
    server: String,
    doc_id: String,
    state: State,
}

/// How a push ended.
#[derive(Debug)]
enum Pushed {
    /// The server has every change of the document.
    InSync,
    /// The server closed the connection with this code and reason.
    Closed(u16, String),
}

impl Device {
    async fn connect(addr: std::net::SocketAddr, token: &str, peer: &str, id: &DocumentId) -> Self {
        let (ws, server) = common::raw::joined(addr, token, peer).await;
        let (ws, mut reader) = ws.split();
        let (tx, incoming) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(Ok(msg)) = reader.next().await {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Device {
            ws,
            incoming,
            peer: peer.to_string(),
            server,
            doc_id: id.to_string(),
            state: State::new(),
        }
    }

    /// Syncs `doc` until the server has it all or closes; adds the heads it acknowledged.
    async fn push(&mut self, doc: &mut Automerge, acked: &mut HashSet<ChangeHash>) -> Pushed {
        loop {
            let mut ours = doc.get_heads();
            ours.sort();
            if let Some(mut theirs) = self.state.their_heads.clone() {
                theirs.sort();
                if theirs == ours {
                    return Pushed::InSync;
                }
            }
            if let Some(msg) = doc.generate_sync_message(&mut self.state) {
                let bytes = cbor(&[
                    ("type", Val::Str("sync")),
                    ("senderId", Val::Str(&self.peer)),
                    ("targetId", Val::Str(&self.server)),
                    ("documentId", Val::Str(&self.doc_id)),
                    ("data", Val::Bytes(&msg.encode())),
                ]);
                let _ = self.ws.send(Message::Binary(bytes.into())).await;
            }
            match tokio::time::timeout(WAIT, self.incoming.recv()).await {
                Ok(Some(Message::Binary(bytes))) => {
                    acked.extend(heads_of_sync(&bytes));
                    if let Some(msg) = sync_of(&bytes) {
                        doc.receive_sync_message(&mut self.state, msg).unwrap();
                    }
                }
                Ok(Some(Message::Close(frame))) => {
                    let (code, reason) = frame
                        .map(|CloseFrame { code, reason }| (u16::from(code), reason.to_string()))
                        .unwrap_or((1005, String::new()));
                    return Pushed::Closed(code, reason);
                }
                Ok(Some(_)) => {}
                Ok(None) => return Pushed::Closed(1006, String::new()),
                Err(_) => panic!("the server answered nothing in {WAIT:?}"),
            }
        }
    }
}

/// One change to `doc` carrying `bytes` incompressible bytes under `key`.
fn change(doc: &mut Automerge, key: &str, bytes: usize) {
    let mut noise = vec![0u8; bytes];
    getrandom::fill(&mut noise).unwrap();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, key, noise)?;
        Ok(())
    })
    .unwrap();
}

/// Copies the data directory off the small disk, kills the server, and restarts it on the
/// copy; every acknowledged change must be there, before and after the restart.
fn kill_and_check(
    mut server: Process,
    data: &Path,
    dist: &Path,
    roomy: &Path,
    id: &DocumentId,
    acked: &HashSet<ChangeHash>,
) -> Process {
    server.child.kill().expect("SIGKILL");
    let _ = server.child.wait();
    std::fs::create_dir_all(roomy).unwrap();
    for entry in std::fs::read_dir(data).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), roomy.join(entry.file_name())).unwrap();
    }
    let check = |when: &str| {
        let stored = stored_doc(roomy, id);
        let lost = acked
            .iter()
            .filter(|h| stored.get_change_by_hash(h).is_none())
            .count();
        assert_eq!(
            lost,
            0,
            "{when}: {lost} of {} acknowledged change(s) lost (the server holds {})",
            acked.len(),
            stored.get_changes(&[]).len()
        );
    };
    check("after SIGKILL");
    let server = spawn_with(roomy, dist, false, &["--min-free-disk-mb", "0"]);
    check("after restart");
    server
}

async fn health(addr: std::net::SocketAddr) -> (u16, serde_json::Value) {
    let reply = get(addr, "/health").await;
    (reply.status, reply.json())
}

/// Finding 1: samod snapshots a document after ten changes and deletes the chunks the
/// snapshot supersedes once its write returns. When that write failed on a full disk, the
/// server used to log it and let samod delete the document's history.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_that_does_not_fit_on_the_disk_deletes_nothing() {
    let disk = SmallDisk::mount("16m");
    let tmp = tempfile::tempdir().unwrap();
    let data = disk.dir.join("data");
    let dist = tmp.path().join("dist");
    let server = spawn_with(&data, &dist, true, &["--min-free-disk-mb", "0"]);
    let owner = create_store(
        server.addr,
        server.setup_code.as_deref().unwrap(),
        "Tiny disk",
    )
    .await;
    let (id, mut doc) = sales_day(&owner.store_id, &owner.device_id);
    let mut acked = HashSet::new();
    let mut device = Device::connect(server.addr, &owner.token, &owner.peer_id, &id).await;

    // Eight changes of 100 KB each: stored one by one, no snapshot yet. samod makes one when it
    // knows of more than ten chunks of a document: here the first push's write-ahead chunk
    // (which samod loads: the document is new to samod only once it is registered, after the
    // write-ahead), the genesis, one per change, and at times one more it has loaded.
    for i in 0..8 {
        change(&mut doc, &format!("k{i}"), 100_000);
        assert!(matches!(
            device.push(&mut doc, &mut acked).await,
            Pushed::InSync
        ));
    }
    // Room for two more small writes, not for a 1 MB snapshot.
    let filler = disk.fill_leaving(700_000);
    let mut refused = None;
    for i in 8..12 {
        change(&mut doc, &format!("k{i}"), 100_000);
        match device.push(&mut doc, &mut acked).await {
            Pushed::InSync => {}
            Pushed::Closed(code, reason) => {
                refused = Some((code, reason));
                break;
            }
        }
        // Give samod's snapshot write its time to fail.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let (status, body) = health(server.addr).await;
    assert_eq!(status, 503, "/health shows the failing write: {body}");
    assert!(
        body["disk"]["failing_writes"].as_u64() > Some(0),
        "a write is being retried: {body}"
    );
    assert!(
        !body["disk"]["accepting_new_data"].as_bool().unwrap(),
        "{body}"
    );

    // New data is refused with a reason while the write is retried.
    let refused = match refused {
        Some(r) => r,
        None => {
            change(&mut doc, "after", 1_000);
            match device.push(&mut doc, &mut acked).await {
                Pushed::Closed(code, reason) => (code, reason),
                Pushed::InSync => panic!("new data was taken while a write was failing"),
            }
        }
    };
    assert_eq!(refused.0, 1013, "try again later: {refused:?}");
    assert!(refused.1.contains("cannot write"), "{refused:?}");

    // With not a byte left, a device still connects and downloads (the upgrade used to fail
    // on writing its `last_seen`).
    let rest = disk.dir.join("filler-rest");
    std::fs::write(&rest, vec![0u8; disk.free() as usize]).unwrap();
    let mut reader = Automerge::new();
    let mut fresh = Device::connect(server.addr, &owner.token, &owner.peer_id, &id).await;
    let mut seen = HashSet::new();
    let pushed = fresh.push(&mut reader, &mut seen).await;
    assert!(
        matches!(pushed, Pushed::InSync),
        "a full disk still serves reads: {pushed:?}"
    );
    std::fs::remove_file(&rest).unwrap();

    // Room again: the retried snapshot lands and the server takes data again.
    std::fs::remove_file(&filler).unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    while health(server.addr).await.0 != 200 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the write never recovered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut device = Device::connect(server.addr, &owner.token, &owner.peer_id, &id).await;
    change(&mut doc, "recovered", 1_000);
    assert!(matches!(
        device.push(&mut doc, &mut acked).await,
        Pushed::InSync
    ));

    let server = kill_and_check(server, &data, &dist, &tmp.path().join("copy"), &id, &acked);
    let mut server = server;
    let _ = server.child.kill();
    let _ = server.child.wait();
}

/// Below the free-space floor the server refuses new changes with a clear reason, still serves
/// what it has, and keeps everything it acknowledged through a SIGKILL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn below_the_disk_floor_new_data_is_refused_and_reads_still_work() {
    let disk = SmallDisk::mount("16m");
    let tmp = tempfile::tempdir().unwrap();
    let data = disk.dir.join("data");
    let dist = tmp.path().join("dist");
    let server = spawn_with(&data, &dist, true, &["--min-free-disk-mb", "12"]);
    let owner = create_store(server.addr, server.setup_code.as_deref().unwrap(), "Floor").await;
    let (id, mut doc) = sales_day(&owner.store_id, &owner.device_id);
    let mut acked = HashSet::new();
    let mut device = Device::connect(server.addr, &owner.token, &owner.peer_id, &id).await;
    let mut closed = None;
    for i in 0..40 {
        change(&mut doc, &format!("k{i}"), 100_000);
        if let Pushed::Closed(code, reason) = device.push(&mut doc, &mut acked).await {
            closed = Some((code, reason));
            break;
        }
    }
    let (code, reason) = closed.expect("the server refused data before the disk filled");
    assert_eq!(code, 1013, "{reason}");
    assert!(reason.contains("disk is full"), "{reason}");
    assert!(!acked.is_empty(), "the first changes were taken");
    let (status, body) = health(server.addr).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("below 12 MiB"),
        "{body}"
    );

    // Reads still work: another copy of the device asks for the document and gets what the
    // server acknowledged.
    let mut reader = Automerge::new();
    let mut fresh = Device::connect(server.addr, &owner.token, &owner.peer_id, &id).await;
    let mut seen = HashSet::new();
    let pushed = fresh.push(&mut reader, &mut seen).await;
    assert!(matches!(pushed, Pushed::InSync), "{pushed:?}");
    let missing = acked
        .iter()
        .filter(|h| reader.get_change_by_hash(h).is_none())
        .count();
    assert_eq!(
        missing, 0,
        "a read below the floor gets every acknowledged change"
    );

    let mut server = kill_and_check(server, &data, &dist, &tmp.path().join("copy"), &id, &acked);
    let _ = server.child.kill();
    let _ = server.child.wait();
}
