//! Server: the release server started for a run of the browser tests or the benchmarks, on a
//! free port with a data dir of its own, awaited on /health and always stopped.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::build;
use crate::ensure::Tools;
use crate::util;

/// The freshly built release PWA and server, serving on a free port from a fresh data dir.
/// The server stops and the data dir goes when this is dropped.
pub struct BuiltServer {
    pub port: u16,
    pub dist: PathBuf,
    pub server_bin: PathBuf,
    data_dir: PathBuf,
    guard: ServerGuard,
}

impl BuiltServer {
    /// Builds the PWA and the server as the browser tests and the benchmarks both need them,
    /// starts the server, and waits for /health. `label` names the data dir.
    pub fn start(tools: &Tools, label: &str) -> Result<BuiltServer> {
        let dist = build::build_pwa(tools)?;
        let server_bin = build::build_server()?;
        let port = free_port()?;
        let data_dir =
            std::env::temp_dir().join(format!("pos-xtask-{label}-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data_dir);
        let mut guard = util::step("start server", || {
            ServerGuard::start(&server_bin, &format!("127.0.0.1:{port}"), &data_dir, &dist)
        })?;
        util::step("wait for /health", || {
            guard.wait_healthy(port, Duration::from_secs(30))
        })?;
        Ok(BuiltServer {
            port,
            dist,
            server_bin,
            data_dir,
            guard,
        })
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for BuiltServer {
    fn drop(&mut self) {
        self.guard.stop();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// Asks the OS for a free port on 127.0.0.1.
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("binding 127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// The server under test; stopped when dropped, even on an error path.
pub struct ServerGuard {
    child: Option<Child>,
}

impl ServerGuard {
    pub fn start(bin: &Path, addr: &str, data_dir: &Path, dist: &Path) -> Result<ServerGuard> {
        let mut cmd = Command::new(bin);
        cmd.arg("--addr")
            .arg(addr)
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--static-dir")
            .arg(dist);
        println!("$ {}", util::show(&cmd));
        let child = cmd
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        Ok(ServerGuard { child: Some(child) })
    }

    pub fn wait_healthy(&mut self, port: u16, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                self.child = None;
                bail!("the server exited before it was healthy: {status}");
            }
            match http_status(port, "/health") {
                Ok(200) => return Ok(()),
                Ok(code) if Instant::now() >= deadline => bail!("/health answered {code}"),
                Err(e) if Instant::now() >= deadline => bail!("/health did not answer: {e}"),
                _ => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// SIGTERM, a grace period, then SIGKILL; always reaps the process.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        println!("server did not stop on SIGTERM within 10 s: killing it");
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for ServerGuard {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The status code of a GET on 127.0.0.1:port.
fn http_status(port: u16, path: &str) -> Result<u16> {
    let mut stream =
        TcpStream::connect_timeout(&(Ipv4Addr::LOCALHOST, port).into(), Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply)?;
    reply
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .context("malformed HTTP reply")
}
