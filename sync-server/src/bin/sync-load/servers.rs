//! The servers under load and how devices join them: starting our server on a fresh data dir
//! and enrolling devices through its API, as registers do (a setup code, then pairing codes), or
//! starting the JavaScript reference server, which checks neither store nor device.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pos_core::Uuid;
use pos_sync_server::reference::{ReferenceServer, free_port, repo_root};

use crate::{Options, STORE, STORE_NAME};

/// A server process under load, and what it takes to reach it.
pub(crate) struct Target {
    pub(crate) name: &'static str,
    pub(crate) pid: u32,
    pub(crate) port: u16,
    /// Per device: its sync URL and the peer id it must claim.
    pub(crate) logins: Vec<(String, String)>,
    /// The store the devices belong to, and each device's id, in the order of `logins`: what
    /// their documents must name for the server to take them.
    pub(crate) store: Uuid,
    pub(crate) devices: Vec<Uuid>,
    pub(crate) data_dir: PathBuf,
    pub(crate) process: Process,
}

pub(crate) enum Process {
    Ours(Child),
    /// Held so that dropping the target stops it.
    Reference {
        _server: ReferenceServer,
    },
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Process::Ours(child) = &mut self.process {
            // SIGTERM lets samod flush; the run is over, so a kill after the grace is fine.
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(15);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One HTTP/1.1 request on a fresh connection; returns the status and the JSON body.
fn http_json(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &serde_json::Value,
) -> Result<(u16, serde_json::Value), String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))
        .map_err(|e| format!("{method} {path}: {e}"))?;
    let body = body.to_string();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n{auth}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| format!("{method} {path}: {e}"))?;
    let mut reply = String::new();
    stream
        .read_to_string(&mut reply)
        .map_err(|e| format!("{method} {path}: {e}"))?;
    let status = reply
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("{method} {path}: malformed reply"))?;
    let (_, json) = reply
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("{method} {path}: no body"))?;
    // The API answers small JSON bodies; a chunked one has its size line first.
    let json = json
        .find('{')
        .map(|i| &json[i..json.rfind('}').map_or(json.len(), |j| j + 1)])
        .unwrap_or(json);
    let value = serde_json::from_str(json)
        .map_err(|e| format!("{method} {path} answered {status} with {json:?}: {e}"))?;
    Ok((status, value))
}

fn field(v: &serde_json::Value, name: &str) -> Result<String, String> {
    v.get(name)
        .and_then(|f| f.as_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("the API answer {v} has no {name:?}"))
}

fn uuid_field(v: &serde_json::Value, name: &str) -> Result<Uuid, String> {
    let text = field(v, name)?;
    Uuid::parse_str(&text).map_err(|e| format!("the API answer's {name} {text:?}: {e}"))
}

/// One enrolled device: what it logs in with and who it is.
#[derive(Clone, Debug)]
pub(crate) struct Login {
    pub(crate) token: String,
    pub(crate) peer_id: String,
    pub(crate) device: Uuid,
}

/// A store enrolled through the API, and its devices, the owner first.
#[derive(Clone, Debug)]
pub(crate) struct Enrollment {
    pub(crate) store: Uuid,
    pub(crate) devices: Vec<Login>,
}

impl Login {
    pub(crate) fn of(answer: &serde_json::Value) -> Result<Login, String> {
        Ok(Login {
            token: field(answer, "device_token")?,
            peer_id: field(answer, "peer_id")?,
            device: uuid_field(answer, "device_id")?,
        })
    }
}

/// Enrolls `devices` devices of one store through the server's API, as registers do: the
/// first creates the store with a setup code, the owner then makes a pairing code for each
/// other device. Returns the store's id and each device's token, peer id and device id.
pub(crate) fn enroll(
    port: u16,
    setup_code: &str,
    store_name: &str,
    devices: usize,
) -> Result<Enrollment, String> {
    let created = |status: u16, v: &serde_json::Value, what: &str| {
        if status == 201 {
            Ok(())
        } else {
            Err(format!("{what} answered {status}: {v}"))
        }
    };
    let new_store = serde_json::json!({
        "setup_code": setup_code, "store_name": store_name, "currency": "EUR", "locale": "en", "device_name": "register 0",
    });
    let (status, owner) = http_json(port, "POST", "/api/stores", None, &new_store)?;
    created(status, &owner, "POST /api/stores")?;
    let store = uuid_field(&owner, "store_id")?;
    let owner = Login::of(&owner)?;
    let owner_token = owner.token.clone();
    let mut logins = vec![owner];
    for d in 1..devices {
        let (status, code) = http_json(
            port,
            "POST",
            "/api/pairing-codes",
            Some(&owner_token),
            &serde_json::json!({}),
        )?;
        created(status, &code, "POST /api/pairing-codes")?;
        let pair = serde_json::json!({ "pairing_code": field(&code, "code")?, "device_name": format!("register {d}") });
        let (status, device) = http_json(port, "POST", "/api/devices", None, &pair)?;
        created(status, &device, "POST /api/devices")?;
        if uuid_field(&device, "store_id")? != store {
            return Err(format!(
                "POST /api/devices paired into another store: {device}"
            ));
        }
        logins.push(Login::of(&device)?);
    }
    Ok(Enrollment {
        store,
        devices: logins,
    })
}

/// Starts our server on a fresh data dir and enrolls `devices` devices of [`STORE_NAME`].
pub(crate) fn start_ours(
    server_bin: &Path,
    devices: usize,
    data_dir: &Path,
) -> Result<Target, String> {
    use std::io::BufRead;
    let port = free_port().map_err(|e| e.to_string())?;
    let static_dir = data_dir.join("no-pwa");
    std::fs::create_dir_all(&static_dir).map_err(|e| e.to_string())?;
    let mut child = Command::new(server_bin)
        .arg("--addr")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--static-dir")
        .arg(&static_dir)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!(
                "cannot start {}: {e} (build it with cargo build --profile server -p pos-sync-server)",
                server_bin.display()
            )
        })?;
    let stdout = child.stdout.take().ok_or("no stdout from the server")?;
    let pid = child.id();
    let mut target = Target {
        name: "ours (samod)",
        pid,
        port,
        logins: Vec::new(),
        store: Uuid::nil(),
        devices: Vec::new(),
        data_dir: data_dir.to_path_buf(),
        process: Process::Ours(child),
    };
    // A fresh data dir has no store, so the server prints the link that creates one.
    let mut setup_code = None;
    let mut lines = std::io::BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.map_err(|e| format!("reading the server's stdout: {e}"))?;
        if let Some((_, code)) = line.split_once("#/setup?code=") {
            setup_code = Some(code.trim().to_owned());
            break;
        }
    }
    // Keep reading, so that a later line from the server never meets a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let setup_code =
        setup_code.ok_or("the server printed no setup link (is the data dir fresh?)")?;
    let enrolled = enroll(port, &setup_code, STORE_NAME, devices)?;
    target.store = enrolled.store;
    target.devices = enrolled.devices.iter().map(|l| l.device).collect();
    target.logins = enrolled
        .devices
        .into_iter()
        .map(|l| {
            let url = format!("ws://127.0.0.1:{port}/sync?token={}", l.token);
            (url, l.peer_id)
        })
        .collect();
    Ok(target)
}

pub(crate) fn start_reference(o: &Options, data_dir: &Path) -> Result<Target, String> {
    let server = ReferenceServer::start(&repo_root(), data_dir)?;
    Ok(Target {
        name: "JS reference 0.2.8",
        pid: server.pid(),
        port: 0,
        logins: (0..o.devices)
            .map(|d| (server.url(), format!("device-{d}")))
            .collect(),
        // The reference server checks neither: a fixed store and made-up device ids.
        store: STORE,
        devices: (0..o.devices)
            .map(|d| Uuid::from_u128(0xde1ce_0000 + d as u128))
            .collect(),
        data_dir: data_dir.to_path_buf(),
        process: Process::Reference { _server: server },
    })
}
