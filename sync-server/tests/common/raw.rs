//! A device on a raw socket that runs automerge's sync itself, so that a test can send what a
//! hostile device would.

use std::net::SocketAddr;
use std::time::Duration;

use automerge::sync::{State, SyncDoc};
use automerge::AutoCommit;
use futures::{SinkExt, StreamExt};
use pos_core::DocumentId;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

use super::{cbor, join_message, sender_id, str_field, sync_of, Device, Val};

const WAIT: Duration = Duration::from_secs(20);
/// Sync rounds of one document before a test gives up (a few are enough).
const ROUNDS: usize = 50;

/// How one sync of a document ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Synced {
    /// The server holds exactly the document's changes.
    InSync,
    /// The server answered `doc-unavailable`.
    Unavailable,
    /// The server closed the connection with this code and reason.
    Closed(u16, String),
}

/// A device on a raw socket, after the join/peer handshake.
pub struct Raw {
    pub ws: Socket,
    pub peer: String,
    pub server: String,
}

/// A WebSocket to the server's `/sync`.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Connects to `/sync` with `token` as `peer` and does the join/peer handshake; the socket and
/// the server's peer id.
pub async fn joined(addr: SocketAddr, token: &str, peer: &str) -> (Socket, String) {
    let url = format!("ws://{addr}/sync?token={token}");
    let (mut ws, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("the device connects");
    ws.send(Message::Binary(join_message(peer).into()))
        .await
        .unwrap();
    let server = loop {
        match tokio::time::timeout(WAIT, ws.next()).await.expect("peer") {
            Some(Ok(Message::Binary(b))) => break sender_id(&b),
            Some(Ok(_)) => {}
            other => panic!("no peer message: {other:?}"),
        }
    };
    (ws, server)
}

impl Raw {
    pub async fn connect(addr: SocketAddr, device: &Device) -> Raw {
        let (ws, server) = joined(addr, &device.token, &device.peer_id).await;
        Raw {
            ws,
            peer: device.peer_id.clone(),
            server,
        }
    }

    pub async fn send(&mut self, kind: &str, id: DocumentId, data: &[u8]) {
        let msg = cbor(&[
            ("type", Val::Str(kind)),
            ("senderId", Val::Str(&self.peer)),
            ("targetId", Val::Str(&self.server)),
            ("documentId", Val::Str(&id.to_string())),
            ("data", Val::Bytes(data)),
        ]);
        let _ = self.ws.send(Message::Binary(msg.into())).await;
    }

    /// The next protocol message about `id`, or how the connection ended.
    pub async fn next(&mut self, id: DocumentId) -> Result<Vec<u8>, Synced> {
        loop {
            match tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("the server answers in time")
            {
                Some(Ok(Message::Binary(b))) => {
                    if str_field(&b, "documentId") == Some(id.to_string()) {
                        return Ok(b.to_vec());
                    }
                }
                Some(Ok(Message::Close(frame))) => {
                    let (code, reason) = frame
                        .map(|CloseFrame { code, reason }| (u16::from(code), reason.to_string()))
                        .unwrap_or((1005, String::new()));
                    return Err(Synced::Closed(code, reason));
                }
                Some(Ok(_)) => {}
                None | Some(Err(_)) => return Err(Synced::Closed(1006, String::new())),
            }
        }
    }

    /// Runs automerge's sync of `doc` with the server until both hold the same changes, as the
    /// register does: `request` while it holds nothing, `sync` otherwise.
    pub async fn sync(&mut self, id: DocumentId, doc: &mut AutoCommit) -> Synced {
        let mut state = State::new();
        for _ in 0..ROUNDS {
            let mut ours = doc.get_heads();
            ours.sort();
            if let Some(mut theirs) = state.their_heads.clone() {
                theirs.sort();
                if theirs == ours && !ours.is_empty() {
                    return Synced::InSync;
                }
            }
            if let Some(msg) = doc.sync().generate_sync_message(&mut state) {
                let kind = if ours.is_empty() { "request" } else { "sync" };
                self.send(kind, id, &msg.encode()).await;
            }
            let reply = match self.next(id).await {
                Ok(reply) => reply,
                Err(ended) => return ended,
            };
            match str_field(&reply, "type").as_deref() {
                Some("doc-unavailable") => return Synced::Unavailable,
                Some("sync") => {
                    let msg = sync_of(&reply).unwrap();
                    doc.sync().receive_sync_message(&mut state, msg).unwrap();
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        panic!("no end after {ROUNDS} rounds: the server keeps answering")
    }
}
