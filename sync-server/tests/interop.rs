//! Interop with the official JavaScript automerge-repo client: `tests/interop/js-client.mjs`
//! (plain Node) enrolls through the API of the real server binary, syncs a document between
//! two JS repos through it, and checks that missing and revoked tokens are refused.

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

#[test]
fn the_official_js_client_syncs_through_the_server_and_is_refused_without_a_valid_token() {
    let root = root();
    let packages = root.join("tests/node_modules/@automerge/automerge-repo");
    assert!(
        packages.is_dir(),
        "{} is missing: run `cargo xtask test` (it runs npm ci in tests/), or `npm ci` in tests/",
        packages.display()
    );
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
