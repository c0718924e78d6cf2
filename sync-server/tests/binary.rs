//! Tests of the `pos-sync-server` binary as users run it: the start lines, env fallbacks,
//! `new-store-code` beside a running server,
//! the error for an unusable data dir, and a clean exit on SIGTERM.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_pos-sync-server");

#[test]
fn unusable_data_dir_fails_with_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    // A regular file where a directory should be: fails even for root.
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let out = Command::new(BIN)
        .args(["--addr", "127.0.0.1:0", "--data-dir"])
        .arg(file.join("data"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot use data directory"), "{stderr}");
    assert!(stderr.contains("a-file/data"), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout when it did not start"
    );
}

#[test]
fn prints_one_line_serves_and_exits_cleanly_on_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut child = Command::new(BIN)
        .env("POS_ADDR", "127.0.0.1:0")
        .env("POS_DATA_DIR", &data)
        .env("POS_STATIC_DIR", tmp.path().join("dist"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let line = line.trim_end();
    let data_abs = data.canonicalize().unwrap();
    let rest = line
        .strip_prefix("Register running at http://127.0.0.1:")
        .unwrap_or_else(|| panic!("{line}"));
    let (port, tail) = rest.split_once('/').unwrap();
    let port: u16 = port.parse().unwrap();
    assert_ne!(port, 0);
    assert_eq!(tail, format!("  (data: {})", data_abs.display()));
    // A fresh server has no store yet: it prints the link that creates one.
    let mut setup = String::new();
    stdout.read_line(&mut setup).unwrap();
    let link = setup
        .trim_end()
        .strip_prefix(&format!(
            "Create your store: http://127.0.0.1:{port}/#/setup?code="
        ))
        .unwrap_or_else(|| panic!("{setup}"));
    assert!(link.len() >= 20, "{link}");

    // It answers.
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");
    let mut more = String::new();
    stdout.read_line(&mut more).unwrap();
    assert_eq!(more, "", "exactly two lines on stdout");
}

#[test]
fn new_store_code_adds_a_working_link_while_the_server_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut server = common::spawn(&data, &tmp.path().join("dist"), true);
    let addr = server.addr.to_string();

    let out = Command::new(BIN)
        .args(["new-store-code", "--addr", &addr, "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let code = text
        .trim()
        .strip_prefix(&format!("Create a store: http://{addr}/#/setup?code="))
        .unwrap_or_else(|| panic!("{text}"))
        .to_string();

    // The running server accepts the code the other process stored.
    use std::io::{Read, Write};
    let body = format!(
        r#"{{"setup_code":"{code}","store_name":"Second","currency":"EUR","locale":"en","device_name":"D"}}"#
    );
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "POST /api/stores HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 201"), "{reply}");
    assert!(reply.contains("\"role\":\"owner\""), "{reply}");
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

/// Finding 4: a lost owner device could not be removed (only the owner removes devices). The
/// operator removes it from the command line while the server runs, its open sync connection
/// closes within seconds, and another device becomes the owner and can pair devices.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_revokes_a_lost_owner_and_transfers_ownership() {
    use futures::StreamExt as _;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let server = common::spawn(&data, &tmp.path().join("dist"), true);
    let owner =
        common::create_store(server.addr, server.setup_code.as_deref().unwrap(), "Kiosk").await;
    let till = common::pair(server.addr, &owner, "Till").await;
    let url = format!("ws://{}/sync?token={}", server.addr, owner.token);
    let (mut owner_ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(BIN)
            .args(args)
            .arg("--data-dir")
            .arg(&data)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };

    let (ok, listed, _) = run(&["devices"]);
    assert!(
        ok && listed.contains(&owner.device_id) && listed.contains(&till.device_id),
        "{listed}"
    );
    let (ok, text, _) = run(&["revoke-device", &owner.device_id]);
    assert!(ok, "{text}");
    assert!(text.contains(&owner.device_id), "{text}");
    let me = common::send(
        server.addr,
        "GET",
        "/api/me",
        &[("Authorization", &owner.bearer())],
        None,
    )
    .await;
    assert_eq!(
        me.status, 401,
        "the removed owner's token stops working at once"
    );
    let closed = tokio::time::timeout(std::time::Duration::from_secs(15), async {
        while let Some(msg) = owner_ws.next().await {
            match msg {
                Ok(tokio_tungstenite::tungstenite::Message::Close(frame)) => {
                    return frame.map(|f| u16::from(f.code));
                }
                Err(_) => return None,
                Ok(_) => {}
            }
        }
        None
    })
    .await
    .expect("the removed owner's open connection closes within seconds");
    assert_eq!(closed, Some(pos_sync_server::sync::close::REVOKED.0));

    // The till cannot pair devices until it is made the owner.
    assert_eq!(
        common::request_pairing_code(server.addr, &till)
            .await
            .status,
        403
    );
    let (ok, text, _) = run(&["transfer-owner", &till.device_id]);
    assert!(ok, "{text}");
    assert_eq!(
        common::request_pairing_code(server.addr, &till)
            .await
            .status,
        201
    );
    let (ok, _, err) = run(&["transfer-owner", &owner.device_id]);
    assert!(
        !ok && err.contains("removed"),
        "a removed device cannot be made owner: {err}"
    );
    let (ok, _, err) = run(&["revoke-device", "no-such-device"]);
    assert!(!ok && err.contains("no device"), "{err}");
}
