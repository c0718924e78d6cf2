//! Test helpers: run the real server in-process on port 0 and talk HTTP/1.1 to it over a
//! plain socket, so the tests see exactly the bytes a browser would.
#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Parser as _;
use pos_sync_server::{Cli, Clock, Config, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;

pub mod raw;

pub struct Running {
    pub addr: SocketAddr,
    /// The setup code printed at start (while no store exists).
    pub setup_code: Option<String>,
    pub data_dir: PathBuf,
    pub storage: std::sync::Arc<pos_sync_server::Storage>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Running {
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("server io");
        }
    }
}

pub async fn start(data_dir: &Path, static_dir: &Path) -> Running {
    start_with_clock(data_dir, static_dir, Arc::new(FakeClock::default())).await
}

/// A clock that stands still until a test moves it.
#[derive(Debug)]
pub struct FakeClock(Mutex<SystemTime>);

impl Default for FakeClock {
    fn default() -> Self {
        // 2026-11-29T12:00:00Z
        FakeClock(Mutex::new(UNIX_EPOCH + Duration::from_secs(1_795_953_600)))
    }
}

impl FakeClock {
    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for FakeClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

/// The command line's defaults, on port 0 with `data_dir`: a test sets what it needs.
pub fn config(data_dir: &Path) -> Config {
    let mut config = Cli::parse_from(["pos-sync-server", "--addr", "127.0.0.1:0"]).config;
    config.data_dir = data_dir.to_path_buf();
    config
}

pub async fn start_with_clock(
    data_dir: &Path,
    static_dir: &Path,
    clock: Arc<dyn Clock>,
) -> Running {
    let config = Config {
        data_dir: data_dir.to_path_buf(),
        static_dir: static_dir.to_path_buf(),
        ..config(data_dir)
    };
    start_config(&config, clock).await
}

/// Starts the server in-process with a given config.
pub async fn start_config(config: &Config, clock: Arc<dyn Clock>) -> Running {
    let server = Server::bind_with_clock(config, clock)
        .await
        .expect("server binds");
    let addr = server.local_addr();
    let setup_code = server.setup_link().map(|link| {
        link.split_once("code=")
            .expect("a code in the link")
            .1
            .to_string()
    });
    let data_dir = server.state().storage.data_dir().to_path_buf();
    let storage = server.state().storage.clone();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(server.serve(async move {
        let _ = rx.await;
    }));
    Running {
        addr,
        setup_code,
        data_dir,
        storage,
        stop: Some(tx),
        task: Some(task),
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// One request on a fresh connection (`Connection: close`), read to the end.
pub async fn request(addr: SocketAddr, method: &str, path: &str) -> Reply {
    send(addr, method, path, &[], None).await
}

/// A request with extra headers and an optional JSON body.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    json: Option<&serde_json::Value>,
) -> Reply {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    let body = json.map(|j| j.to_string()).unwrap_or_default();
    if json.is_some() {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(&body);
    stream.write_all(req.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    parse(&raw, method == "HEAD")
}

pub async fn get(addr: SocketAddr, path: &str) -> Reply {
    request(addr, "GET", path).await
}

fn parse(raw: &[u8], head: bool) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head_text = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head_text.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .expect("status code")
        .parse()
        .expect("numeric status");
    let mut headers = HashMap::new();
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let mut body = raw[split + 4..].to_vec();
    if head {
        body.clear();
    } else if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size line");
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16)
            .expect("hex size");
        data = &data[eol + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// A dist/ like Trunk's, with hashed asset names.
pub const WASM_NAME: &str = "pos-app-0123456789abcdef_bg.wasm";
pub const JS_NAME: &str = "pos-app-0123456789abcdef.js";
pub const INDEX_HTML: &str =
    "<!doctype html><html><head><title>Register</title></head><body></body></html>";

pub fn fake_dist(dir: &Path) {
    std::fs::create_dir_all(dir.join("icons")).unwrap();
    std::fs::write(dir.join("index.html"), INDEX_HTML).unwrap();
    std::fs::write(dir.join(WASM_NAME), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.join(JS_NAME), "export default function init() {}").unwrap();
    std::fs::write(
        dir.join("sw.js"),
        "self.addEventListener('fetch', () => {});",
    )
    .unwrap();
    std::fs::write(dir.join("manifest.webmanifest"), r#"{"name":"Register"}"#).unwrap();
    std::fs::write(dir.join("icons/icon-192.png"), b"\x89PNG\r\n\x1a\n").unwrap();
}

/// A device enrolled through the API: the JSON the server answered.
#[derive(Debug, Clone)]
pub struct Device {
    pub store_id: String,
    pub device_id: String,
    pub token: String,
    pub peer_id: String,
    pub role: String,
}

impl Device {
    pub fn from_json(json: &serde_json::Value) -> Device {
        let field = |k: &str| {
            json[k]
                .as_str()
                .unwrap_or_else(|| panic!("no {k} in {json}"))
                .to_string()
        };
        Device {
            store_id: field("store_id"),
            device_id: field("device_id"),
            token: field("device_token"),
            peer_id: field("peer_id"),
            role: field("role"),
        }
    }

    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.token)
    }
}

/// `POST /api/stores` with the setup code; panics unless it answers 201.
pub async fn create_store(addr: SocketAddr, setup_code: &str, name: &str) -> Device {
    let body = serde_json::json!({
        "setup_code": setup_code, "store_name": name, "currency": "EUR", "locale": "en",
        "device_name": "Owner's tablet"
    });
    let reply = send(addr, "POST", "/api/stores", &[], Some(&body)).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    Device::from_json(&reply.json())
}

/// `POST /api/pairing-codes` as `who`; the raw reply.
pub async fn request_pairing_code(addr: SocketAddr, who: &Device) -> Reply {
    let auth = who.bearer();
    send(
        addr,
        "POST",
        "/api/pairing-codes",
        &[("Authorization", &auth)],
        None,
    )
    .await
}

/// `POST /api/pairing-codes` as `owner`; the code.
pub async fn pairing_code(addr: SocketAddr, owner: &Device) -> String {
    let reply = request_pairing_code(addr, owner).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    reply.json()["code"].as_str().unwrap().to_string()
}

/// `POST /api/devices` with a pairing code; the raw reply.
pub async fn try_pair(addr: SocketAddr, code: &str, name: &str) -> Reply {
    let body = serde_json::json!({ "pairing_code": code, "device_name": name });
    send(addr, "POST", "/api/devices", &[], Some(&body)).await
}

/// Pairs a new device with a fresh code from `owner`.
pub async fn pair(addr: SocketAddr, owner: &Device, name: &str) -> Device {
    let code = pairing_code(addr, owner).await;
    let reply = try_pair(addr, &code, name).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    Device::from_json(&reply.json())
}

/// A second setup code, as `pos-sync-server new-store-code` makes it.
pub fn another_setup_code(storage: &pos_sync_server::Storage) -> String {
    storage.new_setup_code(SystemTime::now()).unwrap()
}

// The automerge-repo wire protocol, written by hand so that tests see exactly the bytes.

/// CBOR map of string keys to values, as the automerge-repo wire protocol uses.
pub enum Val<'a> {
    Str(&'a str),
    Bytes(&'a [u8]),
    Strs(&'a [&'a str]),
    EmptyMap,
}

pub fn cbor(fields: &[(&str, Val<'_>)]) -> Vec<u8> {
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

/// A text field of a CBOR message map.
pub fn str_field(msg: &[u8], key: &str) -> Option<String> {
    let mut d = minicbor::Decoder::new(msg);
    let n = d.map().unwrap().unwrap();
    for _ in 0..n {
        if d.str().unwrap() == key && d.datatype().unwrap() == minicbor::data::Type::String {
            return Some(d.str().unwrap().to_string());
        }
        d.skip().unwrap();
    }
    None
}

/// The `senderId` of a CBOR message map.
pub fn sender_id(msg: &[u8]) -> String {
    str_field(msg, "senderId").expect("no senderId")
}

/// The `join` a client opens the protocol with, as the peer `peer`.
pub fn join_message(peer: &str) -> Vec<u8> {
    cbor(&[
        ("type", Val::Str("join")),
        ("senderId", Val::Str(peer)),
        ("supportedProtocolVersions", Val::Strs(&["1"])),
        ("peerMetadata", Val::EmptyMap),
    ])
}

/// The server binary, started on port 0, with the address and the setup code it printed.
pub struct Process {
    pub child: Child,
    pub addr: std::net::SocketAddr,
    pub setup_code: Option<String>,
}

impl Drop for Process {
    /// A failed test must not leave its server running (holding the test's stdout open).
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary; a fresh data dir (`fresh`) also prints the setup link.
pub fn spawn(data: &Path, dist: &Path, fresh: bool) -> Process {
    spawn_with(data, dist, fresh, &[])
}

/// [`spawn`] with more flags.
pub fn spawn_with(data: &Path, dist: &Path, fresh: bool, flags: &[&str]) -> Process {
    spawn_command(
        Command::new(env!("CARGO_BIN_EXE_pos-sync-server")),
        data,
        dist,
        fresh,
        flags,
    )
}

/// [`spawn`] with the server's address space limited to `bytes` (`prlimit --as`), as on a
/// machine with little memory: an allocation past it fails, which aborts the process.
pub fn spawn_limited(data: &Path, dist: &Path, fresh: bool, bytes: u64) -> Process {
    let mut command = Command::new("prlimit");
    command
        .arg(format!("--as={bytes}"))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_pos-sync-server"))
        // Fewer malloc arenas (each reserves 64 MiB of address space), so the limit is memory.
        .env("MALLOC_ARENA_MAX", "2");
    spawn_command(command, data, dist, fresh, &[])
}

fn spawn_command(
    mut command: Command,
    data: &Path,
    dist: &Path,
    fresh: bool,
    flags: &[&str],
) -> Process {
    let mut child = command
        .args(["--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .arg("--static-dir")
        .arg(dist)
        .args(flags)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("the start line");
    let port = line
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    let mut setup = String::new();
    let setup_code = if fresh && stdout.read_line(&mut setup).is_ok() {
        setup.trim().split_once("code=").map(|(_, c)| c.to_string())
    } else {
        None
    };
    // Keep reading stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in stdout.lines() {});
    Process {
        child,
        addr: ([127, 0, 0, 1], port).into(),
        setup_code,
    }
}

/// The sales day of `device` (an enrolled device id) of `store` as the register makes it: the
/// derived id and the genesis, which the server needs to take the document into the store.
pub fn sales_day(store: &str, device: &str) -> (samod::DocumentId, automerge::Automerge) {
    use pos_core::{Actor, BusinessDay, SalesDay, SharedDocument, Uuid};
    let store = Uuid::parse_str(store).expect("a store id is a UUID");
    let device = Uuid::parse_str(device).expect("a device id is a UUID");
    let day = BusinessDay::new(2026, 11, 29).unwrap();
    let mut doc = SalesDay::new(store, device, day, &Actor::device(device)).into_automerge();
    let id = samod::DocumentId::try_from(SalesDay::id(store, device, day).0.to_vec()).unwrap();
    (id, automerge::Automerge::load(&doc.save()).unwrap())
}

/// The changes of `id` that the server's SQLite holds.
pub fn stored_doc(data: &Path, id: &samod::DocumentId) -> automerge::Automerge {
    let conn = rusqlite::Connection::open(data.join(pos_sync_server::storage::DB_FILE)).unwrap();
    let mut stmt = conn
        .prepare("SELECT data FROM chunks WHERE document = ?1")
        .unwrap();
    let mut doc = automerge::Automerge::new();
    let rows = stmt
        .query_map([id.to_string()], |r| r.get::<_, Vec<u8>>(0))
        .unwrap();
    for chunk in rows {
        doc.load_incremental(&chunk.unwrap())
            .expect("a stored chunk loads");
    }
    doc
}

/// The Automerge sync message of a protocol `sync` message.
pub fn sync_of(msg: &[u8]) -> Option<automerge::sync::Message> {
    if str_field(msg, "type").as_deref() != Some("sync") {
        return None;
    }
    Some(
        automerge::sync::Message::decode(&sync_data(msg))
            .expect("the server's sync message decodes"),
    )
}

/// The heads the server announced in a `sync` message: what it acknowledges having.
pub fn heads_of_sync(msg: &[u8]) -> Vec<automerge::ChangeHash> {
    sync_of(msg).map(|m| m.heads).unwrap_or_default()
}

/// The `data` bytes of a protocol message.
pub fn sync_data(msg: &[u8]) -> Vec<u8> {
    let mut d = minicbor::Decoder::new(msg);
    let n = d.map().unwrap().unwrap();
    for _ in 0..n {
        if d.str().unwrap() == "data" {
            return d.bytes().unwrap().to_vec();
        }
        d.skip().unwrap();
    }
    panic!("no data field");
}
