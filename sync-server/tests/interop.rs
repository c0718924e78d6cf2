//! Interop with the official JavaScript automerge-repo client: `tests/interop/js-client.mjs`
//! (plain Node) enrolls through the API of the real server binary, syncs a document between
//! two JS repos through it, and checks that missing and revoked tokens are refused. The
//! launcher of the JS reference server binds to loopback only.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::spawn;

/// The workspace root (the crate lives in `<root>/sync-server`).
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate is inside the workspace")
        .to_path_buf()
}

/// `tests/node_modules` with the automerge packages, or a failure saying how to install it.
fn require_packages(root: &std::path::Path) {
    let packages = root.join("tests/node_modules/@automerge/automerge-repo");
    assert!(
        packages.is_dir(),
        "{} is missing: run `cargo xtask test` (it runs npm ci in tests/), or `npm ci` in tests/",
        packages.display()
    );
}

#[test]
fn the_reference_server_launcher_listens_on_loopback_only() {
    use std::io::{BufRead, BufReader, Read, Write};
    let root = root();
    require_packages(&root);
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Command::new("node")
        .arg(root.join("tests/interop/reference-server.mjs"))
        .arg("0")
        .arg(tmp.path())
        .current_dir(tmp.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("node runs (is Node.js on PATH?)");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let port: u16 = line
        .trim()
        .strip_prefix("reference-server listening on 127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{line:?}"));
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(
        reply.contains("automerge-repo-sync-server is running"),
        "{reply}"
    );
}

#[test]
fn the_official_js_client_syncs_through_the_server_and_is_refused_without_a_valid_token() {
    let root = root();
    require_packages(&root);
    let tmp = tempfile::tempdir().unwrap();
    let mut server = spawn(&tmp.path().join("data"), &tmp.path().join("dist"), true);
    let code = server
        .setup_code
        .clone()
        .expect("a fresh server prints a setup code");
    let url = format!("http://{}/", server.addr);
    let out = Command::new("node")
        .arg(root.join("tests/interop/js-client.mjs"))
        .args([&url, &code])
        .current_dir(root.join("tests"))
        .output();
    let _ = server.child.kill();
    let _ = server.child.wait();
    let out = out.expect("node runs (is Node.js on PATH?)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("js-client: ok"),
        "js-client.mjs failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
}
