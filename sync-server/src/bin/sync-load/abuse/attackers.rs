//! The attacker's sockets: flooding ones that reconnect on one token and send `request`s for
//! junk ids, slow readers that ask for the big documents and never read, and the server's side of
//! their TCP connections read from /proc/net/tcp.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use pos_core::DocumentId;
use pos_core::automerge::AutoCommit;
use pos_core::automerge::sync::SyncDoc;
use pos_core::sync::WireMessage;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message};

use super::{CONNECT_TIMEOUT, FloodCounts, SLOW_READER_BUFFER, bump};

/// Random well-formed document ids (splitmix64), cheap enough to make one per message.
struct JunkIds(u64);

impl JunkIds {
    fn new() -> JunkIds {
        let mut seed = [0u8; 8];
        // A fixed seed would do as well: the ids only need to differ.
        let _ = getrandom::fill(&mut seed);
        JunkIds(u64::from_le_bytes(seed))
    }

    fn step(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn next_id(&mut self) -> DocumentId {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.step().to_le_bytes());
        bytes[8..].copy_from_slice(&self.step().to_le_bytes());
        DocumentId(bytes)
    }
}

/// The Automerge sync message of a peer that has nothing: the `data` of a `request`.
fn empty_request_data() -> Vec<u8> {
    let mut state = pos_core::automerge::sync::State::new();
    AutoCommit::new()
        .sync()
        .generate_sync_message(&mut state)
        .map(|m| m.encode())
        .unwrap_or_default()
}

fn join_message(peer_id: &str) -> Message {
    let join = WireMessage::Join {
        sender: peer_id.to_owned(),
        storage_id: None,
        ephemeral: false,
    };
    Message::Binary(join.encode().into())
}

fn request_message(peer_id: &str, server: &str, document: DocumentId, data: &[u8]) -> Message {
    let request = WireMessage::Request {
        sender: peer_id.to_owned(),
        target: server.to_owned(),
        document,
        data: data.to_vec(),
    };
    Message::Binary(request.encode().into())
}

fn close_text(frame: Option<CloseFrame>) -> String {
    match frame {
        Some(f) => format!("{} {}", u16::from(f.code), f.reason),
        None => "close frame without a code".into(),
    }
}

/// The server's peer id, from its answer to our `join`.
async fn server_peer<S>(rx: &mut S) -> Result<String, String>
where
    S: futures_util::Stream<Item = Result<Message, tungstenite::Error>> + Unpin,
{
    match tokio::time::timeout(CONNECT_TIMEOUT, rx.next()).await {
        Ok(Some(Ok(Message::Binary(b)))) => match WireMessage::decode(&b) {
            Ok(WireMessage::Peer { sender, .. }) => Ok(sender),
            Ok(WireMessage::Error { message }) => Err(format!("error instead of peer: {message}")),
            Ok(other) => Err(format!("{} instead of peer", other.kind())),
            Err(e) => Err(format!("undecodable answer to join: {e}")),
        },
        Ok(Some(Ok(Message::Close(frame)))) => Err(close_text(frame)),
        Ok(Some(Ok(other))) => Err(format!("{other:?} instead of peer")),
        Ok(Some(Err(e))) => Err(format!("socket error: {e}")),
        Ok(None) => Err("ended without a close frame".into()),
        Err(_) => Err("no answer to join in 10 s".into()),
    }
}

/// One flooding task: opens a socket with the attacker's token, floods it until the server
/// closes it, and opens the next at once, until `stop`.
pub(super) async fn flood(
    url: String,
    peer_id: String,
    rate: Option<u32>,
    counts: Arc<FloodCounts>,
    stop: Arc<AtomicBool>,
) {
    let mut ids = JunkIds::new();
    let data = empty_request_data();
    while !stop.load(Relaxed) {
        counts.attempts.fetch_add(1, Relaxed);
        let connect = tokio_tungstenite::connect_async(url.as_str());
        let ws = match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
            Ok(Ok((ws, _))) => ws,
            Ok(Err(tungstenite::Error::Http(reply))) => {
                bump(&counts.refused, reply.status().as_u16());
                continue;
            }
            Ok(Err(e)) => {
                bump(&counts.failed, e.to_string());
                // Not a refusal the server chose to send: no point spinning on it.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
            Err(_) => {
                bump(&counts.failed, "no answer in 10 s".into());
                continue;
            }
        };
        counts.accepted.fetch_add(1, Relaxed);
        let open = counts.open.fetch_add(1, Relaxed) + 1;
        counts.max_open.fetch_max(open, Relaxed);
        let ended = flood_socket(ws, &peer_id, rate, &data, &counts, &stop, &mut ids).await;
        counts.open.fetch_sub(1, Relaxed);
        bump(&counts.closes, ended);
    }
}

/// Floods one accepted socket (`rate`: messages a second, 0 for as fast as it takes them;
/// `None` to only join and hold it); returns how it ended.
async fn flood_socket<S>(
    ws: tokio_tungstenite::WebSocketStream<S>,
    peer_id: &str,
    rate: Option<u32>,
    data: &[u8],
    counts: &FloodCounts,
    stop: &AtomicBool,
    ids: &mut JunkIds,
) -> String
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (mut tx, mut rx) = ws.split();
    if let Err(e) = tx.send(join_message(peer_id)).await {
        return format!("join not sent: {e}");
    }
    let server = match server_peer(&mut rx).await {
        Ok(server) => server,
        Err(ended) => return ended,
    };
    let writer = async {
        let Some(rate) = rate else {
            until_stopped(stop, futures_util::future::pending::<()>()).await;
            return None;
        };
        let mut tick = (rate > 0).then(|| {
            let mut t = tokio::time::interval(Duration::from_secs(1) / rate);
            t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            t
        });
        loop {
            if stop.load(Relaxed) {
                return None;
            }
            let batch = match &mut tick {
                Some(t) => {
                    t.tick().await;
                    1
                }
                None => 32,
            };
            // A server that stops reading fills the socket, so every write gives up now and
            // then to look at `stop`.
            for _ in 0..batch {
                let msg = request_message(peer_id, &server, ids.next_id(), data);
                match until_stopped(stop, tx.feed(msg)).await {
                    Some(Ok(())) => {}
                    Some(Err(e)) => return Some(e),
                    None => return None,
                }
            }
            match until_stopped(stop, tx.flush()).await {
                Some(Ok(())) => {}
                Some(Err(e)) => return Some(e),
                None => return None,
            }
            counts.sent.fetch_add(batch, Relaxed);
        }
    };
    let reader = async {
        loop {
            match rx.next().await {
                Some(Ok(Message::Binary(_))) => {
                    counts.received.fetch_add(1, Relaxed);
                }
                Some(Ok(Message::Close(frame))) => return close_text(frame),
                Some(Ok(_)) => {}
                Some(Err(e)) => return format!("socket error: {e}"),
                None => return "ended without a close frame".into(),
            }
        }
    };
    tokio::pin!(writer, reader);
    tokio::select! {
        ended = &mut reader => ended,
        failed = &mut writer => match failed {
            None => "closed by the load generator (attack over)".into(),
            // The server closed first: its close frame is likely still to be read.
            Some(e) => tokio::time::timeout(Duration::from_secs(3), &mut reader)
                .await
                .unwrap_or_else(|_| format!("write failed: {e}")),
        },
    }
}

/// Runs `f` until it is done, or `None` once `stop` is set.
async fn until_stopped<F: Future>(stop: &AtomicBool, f: F) -> Option<F::Output> {
    tokio::pin!(f);
    loop {
        match tokio::time::timeout(Duration::from_millis(250), &mut f).await {
            Ok(out) => return Some(out),
            Err(_) if stop.load(Relaxed) => return None,
            Err(_) => {}
        }
    }
}

/// A slow reader's socket once its requests are out.
#[derive(Clone, Copy, Debug)]
pub(super) struct SlowOpened {
    pub(super) local_port: u16,
    pub(super) requested_at: Instant,
}

/// Opens a socket with a small receive buffer, asks for `documents`, and never reads again;
/// pings the server every 5 s (so that only the bounds on sending can drop it) until `stop`.
pub(super) async fn slow_reader(
    port: u16,
    token: String,
    peer_id: String,
    documents: Vec<DocumentId>,
    opened: oneshot::Sender<Result<SlowOpened, String>>,
    stop: Arc<AtomicBool>,
) {
    let open = async {
        let socket = tokio::net::TcpSocket::new_v4().map_err(|e| e.to_string())?;
        socket
            .set_recv_buffer_size(SLOW_READER_BUFFER)
            .map_err(|e| e.to_string())?;
        let stream = socket
            .connect(([127, 0, 0, 1], port).into())
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let local_port = stream.local_addr().map_err(|e| e.to_string())?.port();
        let url = format!("ws://127.0.0.1:{port}/sync?token={token}");
        let (mut ws, _) = tokio_tungstenite::client_async(url, stream)
            .await
            .map_err(|e| format!("upgrade: {e}"))?;
        ws.send(join_message(&peer_id))
            .await
            .map_err(|e| e.to_string())?;
        let server = server_peer(&mut ws).await?;
        let data = empty_request_data();
        for doc in &documents {
            ws.send(request_message(&peer_id, &server, *doc, &data))
                .await
                .map_err(|e| e.to_string())?;
        }
        let requested_at = Instant::now();
        Ok::<_, String>((
            ws,
            SlowOpened {
                local_port,
                requested_at,
            },
        ))
    };
    let mut ws = match open.await {
        Ok((ws, slow)) => {
            let _ = opened.send(Ok(slow));
            ws
        }
        Err(e) => {
            let _ = opened.send(Err(e));
            return;
        }
    };
    let mut since_ping = Duration::ZERO;
    while !stop.load(Relaxed) {
        tokio::time::sleep(Duration::from_millis(250)).await;
        since_ping += Duration::from_millis(250);
        if since_ping >= Duration::from_secs(5) {
            since_ping = Duration::ZERO;
            let ping = ws.send(Message::Ping(Vec::new().into()));
            let _ = tokio::time::timeout(Duration::from_secs(1), ping).await;
        }
    }
    // Dropping the socket unblocks whatever the server still tries to send it.
}

/// The server's side of its TCP connections: the client's port → (state, bytes queued to send).
/// State 1 is ESTABLISHED; a socket the server closed is in another state, or gone.
pub(super) fn server_sockets(server_port: u16) -> BTreeMap<u16, (u8, u64)> {
    let port_of = |addr: &str| {
        addr.rsplit_once(':')
            .and_then(|(_, p)| u16::from_str_radix(p, 16).ok())
    };
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 5 || port_of(f[1])? != server_port {
                return None;
            }
            let state = u8::from_str_radix(f[3], 16).ok()?;
            let queued = u64::from_str_radix(f[4].split(':').next()?, 16).ok()?;
            Some((port_of(f[2])?, (state, queued)))
        })
        .collect()
}

/// What became of one slow reader.
#[derive(Clone, Debug, Default)]
pub(super) struct SlowResult {
    /// Why it never got its requests out.
    pub(super) failed: Option<String>,
    pub(super) opened: Option<SlowOpened>,
    /// From its requests to the server's side of the connection leaving ESTABLISHED.
    pub(super) dropped_after: Option<Duration>,
    /// The most the server's kernel held to send it.
    pub(super) max_send_queue: u64,
}
