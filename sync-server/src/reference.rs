//! The JavaScript reference sync server (`@automerge/automerge-repo-sync-server`, started by
//! `tests/interop/reference-server.mjs` on 127.0.0.1) as a child process: the independent partner
//! of the interop tests and the yardstick of the sync benchmark.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The launcher and the packages it needs, relative to the repository root.
pub const LAUNCHER: &str = "tests/interop/reference-server.mjs";
pub const PACKAGE: &str = "tests/node_modules/@automerge/automerge-repo-sync-server";

/// How long the server gets to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running reference server; killed when dropped.
pub struct ReferenceServer {
    child: Child,
    port: u16,
}

/// The repository root, from this crate's manifest directory.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("sync-server/ lives in the repository")
        .to_path_buf()
}

/// Asks the OS for a free port on 127.0.0.1.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

impl ReferenceServer {
    /// Starts the reference server on a free loopback port with its files in `data_dir`. Fails
    /// with what to install when node or the npm packages are missing.
    pub fn start(root: &Path, data_dir: &Path) -> Result<ReferenceServer, String> {
        let node = which_node()?;
        let launcher = root.join(LAUNCHER);
        if !launcher.exists() {
            return Err(format!("{} is missing", launcher.display()));
        }
        if !root.join(PACKAGE).exists() {
            return Err(format!(
                "{} is missing: install the test packages with `cargo xtask test` (or `npm ci` in tests/)",
                root.join(PACKAGE).display()
            ));
        }
        std::fs::create_dir_all(data_dir)
            .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
        let port = free_port().map_err(|e| format!("no free port on 127.0.0.1: {e}"))?;
        let child = Command::new(&node)
            .arg(&launcher)
            .current_dir(data_dir)
            .env("PORT", port.to_string())
            .env("DATA_DIR", data_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {node} {}: {e}", launcher.display()))?;
        let mut server = ReferenceServer { child, port };
        server.wait_listening()?;
        Ok(server)
    }

    fn wait_listening(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "the reference server exited before it listened: {status}"
                ));
            }
            if TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).is_ok() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "the reference server did not listen on port {} within {START_TIMEOUT:?}",
                    self.port
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The process id, for its CPU time and memory in /proc.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The sync URL: the reference server takes WebSockets on any path and has no tokens.
    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}/", self.port)
    }
}

impl Drop for ReferenceServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `node` from PATH (or `$NODE`), checked by running it.
fn which_node() -> Result<String, String> {
    let node = std::env::var("NODE").unwrap_or_else(|_| "node".to_owned());
    match Command::new(&node).arg("--version").output() {
        Ok(out) if out.status.success() => Ok(node),
        Ok(out) => Err(format!(
            "`{node} --version` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )),
        Err(e) => Err(format!(
            "node is needed for the reference sync server and was not found ({node}: {e})"
        )),
    }
}
