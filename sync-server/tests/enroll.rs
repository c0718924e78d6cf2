//! Enrollment over the JSON API: the setup code makes one store, pairing codes are single
//! use and expire, only the owner manages devices, a revoked token is refused everywhere,
//! and wrong codes are rate limited.

mod common;

use std::sync::Arc;
use std::time::Duration;

use pos_sync_server::Clock;

use common::{
    FakeClock, another_setup_code, create_store, get, pair, pairing_code, request_pairing_code,
    send, start, start_with_clock, try_pair,
};

fn error_of(reply: &common::Reply) -> String {
    let json = reply.json();
    json["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error in {json}"))
        .to_string()
}

#[tokio::test]
async fn the_setup_code_creates_one_store_only() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    let code = server
        .setup_code
        .clone()
        .expect("a fresh server prints a setup code");

    let body = |code: &str| {
        serde_json::json!({
            "setup_code": code, "store_name": "Corner Café", "currency": "EUR",
            "locale": "en", "device_name": "Till 1"
        })
    };
    let wrong = send(server.addr, "POST", "/api/stores", &[], Some(&body("NOPE"))).await;
    assert_eq!(wrong.status, 403, "{}", wrong.text());
    assert_eq!(wrong.json()["reason"], "wrong_setup_code");
    assert!(error_of(&wrong).contains("new-store-code"));
    assert_eq!(wrong.header("cache-control"), Some("no-store"));

    let reply = send(server.addr, "POST", "/api/stores", &[], Some(&body(&code))).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let json = reply.json();
    assert_eq!(json["store_name"], "Corner Café");
    assert_eq!(json["role"], "owner");
    let device_id = json["device_id"].as_str().unwrap();
    assert_eq!(json["peer_id"], format!("device-{device_id}"));
    assert!(json["device_token"].as_str().unwrap().len() >= 32);
    assert!(uuid::Uuid::parse_str(json["store_id"].as_str().unwrap()).is_ok());

    let again = send(server.addr, "POST", "/api/stores", &[], Some(&body(&code))).await;
    assert_eq!(again.status, 410, "{}", again.text());
    assert_eq!(again.json()["reason"], "used_setup_code");
    assert!(error_of(&again).contains("already used"));

    // Codes and tokens are kept only as hashes.
    let conn = rusqlite::Connection::open(server.storage.db_path()).unwrap();
    let dump: String = conn
        .query_row(
            "SELECT group_concat(code_hash) || (SELECT group_concat(token_hash) FROM devices) \
             FROM setup_codes",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!dump.contains(&code));
    assert!(!dump.contains(json["device_token"].as_str().unwrap()));

    // A restart with a store prints no code; `new-store-code` adds one for a second store.
    let data = server.data_dir.clone();
    server.stop().await;
    let server = start(&data, &tmp.path().join("dist")).await;
    assert_eq!(server.setup_code, None);
    let second = another_setup_code(&server.storage);
    let other = create_store(server.addr, &second, "Second shop").await;
    assert_ne!(other.store_id, json["store_id"].as_str().unwrap());
    server.stop().await;
}

#[tokio::test]
async fn a_restart_before_the_store_exists_replaces_the_setup_code() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let server = start(&data, &tmp.path().join("dist")).await;
    let first = server.setup_code.clone().unwrap();
    let cli_code = another_setup_code(&server.storage);
    server.stop().await;
    let server = start(&data, &tmp.path().join("dist")).await;
    let second = server.setup_code.clone().unwrap();
    assert_ne!(first, second);
    let body = serde_json::json!({
        "setup_code": first, "store_name": "S", "currency": "EUR", "locale": "en",
        "device_name": "D"
    });
    let reply = send(server.addr, "POST", "/api/stores", &[], Some(&body)).await;
    assert_eq!(reply.status, 403, "the older printed code stops working");
    create_store(server.addr, &second, "S").await;
    // A code made with new-store-code survives a restart.
    create_store(server.addr, &cli_code, "S2").await;
    server.stop().await;
}

#[tokio::test]
async fn a_setup_code_from_new_store_code_expires_after_a_day() {
    let tmp = tempfile::tempdir().unwrap();
    let clock = Arc::new(FakeClock::default());
    let server = start_with_clock(
        &tmp.path().join("data"),
        &tmp.path().join("dist"),
        clock.clone(),
    )
    .await;
    let body = |code: &str| {
        serde_json::json!({
            "setup_code": code, "store_name": "S", "currency": "EUR", "locale": "en",
            "device_name": "D"
        })
    };
    let day = Duration::from_secs(24 * 60 * 60);
    let on_time = server.storage.new_setup_code(clock.now()).unwrap();
    let late = server.storage.new_setup_code(clock.now()).unwrap();

    clock.advance(day - Duration::from_secs(1));
    create_store(server.addr, &on_time, "On time").await;
    clock.advance(Duration::from_secs(1));
    let expired = send(server.addr, "POST", "/api/stores", &[], Some(&body(&late))).await;
    assert_eq!(expired.status, 410, "{}", expired.text());
    assert!(error_of(&expired).contains("expired"), "{}", expired.text());
    assert!(error_of(&expired).contains("new-store-code"));

    // A fresh code works; the code printed at start works until used or replaced.
    let fresh = server.storage.new_setup_code(clock.now()).unwrap();
    create_store(server.addr, &fresh, "Fresh").await;
    create_store(server.addr, server.setup_code.as_deref().unwrap(), "First").await;
    server.stop().await;
}

#[tokio::test]
async fn a_store_needs_a_name_and_a_currency() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    let code = server.setup_code.clone().unwrap();
    let body = serde_json::json!({
        "setup_code": code, "store_name": " ", "currency": "EUR", "locale": "en",
        "device_name": "D"
    });
    let reply = send(server.addr, "POST", "/api/stores", &[], Some(&body)).await;
    assert_eq!(reply.status, 400);
    assert!(error_of(&reply).contains("Enter the store's name"));
    let body = serde_json::json!({
        "setup_code": code, "store_name": "S", "currency": "euro", "locale": "en",
        "device_name": "D"
    });
    let reply = send(server.addr, "POST", "/api/stores", &[], Some(&body)).await;
    assert_eq!(reply.status, 400);
    assert!(error_of(&reply).contains("ISO 4217"));
    let reply = send(
        server.addr,
        "POST",
        "/api/stores",
        &[],
        Some(&serde_json::json!({})),
    )
    .await;
    assert_eq!(reply.status, 400);
    assert!(error_of(&reply).contains("JSON"));
    // The code was not used up by the refused attempts.
    create_store(server.addr, &code, "S").await;
    server.stop().await;
}

/// The name heads receipts and every device's screen: it is refused here as a rename refuses it
/// (`tests/staff.rs`), not only on a rename.
#[tokio::test]
async fn a_store_name_with_control_characters_or_too_long_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    let code = server.setup_code.clone().unwrap();
    let body = |name: &str| {
        serde_json::json!({
            "setup_code": code, "store_name": name, "currency": "EUR", "locale": "en",
            "device_name": "Till 1"
        })
    };
    let too_long = "Ш".repeat(101);
    for (name, says) in [
        ("Shop\u{0007}", "control characters"),
        ("Corner\nCafé", "control characters"),
        ("Corner\tCafé", "control characters"),
        (too_long.as_str(), "at most 100 characters"),
    ] {
        let reply = send(server.addr, "POST", "/api/stores", &[], Some(&body(name))).await;
        assert_eq!(reply.status, 400, "{name:?}: {}", reply.text());
        assert_eq!(reply.json()["reason"], "invalid");
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        assert!(
            error_of(&reply).contains(says),
            "{name:?}: {}",
            reply.text()
        );
    }
    // The code was not used up; a name on one line is kept, trimmed.
    let reply = send(
        server.addr,
        "POST",
        "/api/stores",
        &[],
        Some(&body(" Corner Café\n")),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(reply.json()["store_name"], "Corner Café");
    server.stop().await;
}

#[tokio::test]
async fn pairing_codes_are_single_use_and_expire_after_ten_minutes() {
    let tmp = tempfile::tempdir().unwrap();
    let clock = Arc::new(FakeClock::default());
    let server = start_with_clock(
        &tmp.path().join("data"),
        &tmp.path().join("dist"),
        clock.clone(),
    )
    .await;
    let owner = create_store(server.addr, server.setup_code.as_deref().unwrap(), "S").await;

    let reply = request_pairing_code(server.addr, &owner).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let json = reply.json();
    let code = json["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 9);
    assert_eq!(&code[4..5], "-");
    assert_eq!(json["expires_in_secs"], 600);
    assert_eq!(json["expires_at"], "2026-11-29T12:10:00Z");

    // Typed in lower case without the dash, it still works; once.
    let typed = code.replace('-', "").to_lowercase();
    let paired = try_pair(server.addr, &typed, "Till 2").await;
    assert_eq!(paired.status, 201, "{}", paired.text());
    let json = paired.json();
    assert_eq!(json["role"], "device");
    assert_eq!(json["store_id"], owner.store_id.as_str());
    assert_eq!(json["store_name"], "S");
    let again = try_pair(server.addr, &code, "Till 3").await;
    assert_eq!(again.status, 410);
    assert!(error_of(&again).contains("already used"));

    // A code works until its tenth minute ends, and not after.
    let code = pairing_code(server.addr, &owner).await;
    clock.advance(Duration::from_secs(599));
    let late = pairing_code(server.addr, &owner).await;
    clock.advance(Duration::from_secs(1));
    let expired = try_pair(server.addr, &code, "Till 4").await;
    assert_eq!(expired.status, 410);
    assert!(error_of(&expired).contains("expired"));
    assert_eq!(try_pair(server.addr, &late, "Till 4").await.status, 201);
    server.stop().await;
}

#[tokio::test]
async fn only_the_owner_manages_devices_and_a_revoked_token_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    let owner = create_store(server.addr, server.setup_code.as_deref().unwrap(), "S").await;
    let till = pair(server.addr, &owner, "Till 2").await;
    let auth = |d: &common::Device| vec![("Authorization".to_string(), d.bearer())];
    let call = |method: &'static str, path: String, who: Option<common::Device>| {
        let addr = server.addr;
        async move {
            let headers = who.as_ref().map(auth).unwrap_or_default();
            let headers: Vec<(&str, &str)> = headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            send(addr, method, &path, &headers, None).await
        }
    };

    let me = call("GET", "/api/me".into(), Some(till.clone())).await;
    assert_eq!(me.status, 200);
    assert_eq!(
        me.json(),
        serde_json::json!({
            "store_id": owner.store_id, "store_name": "S", "device_id": till.device_id,
            "role": "device"
        })
    );
    assert_eq!(call("GET", "/api/me".into(), None).await.status, 401);

    // A device that is not the owner may not pair or manage devices.
    let refused = call("POST", "/api/pairing-codes".into(), Some(till.clone())).await;
    assert_eq!(refused.status, 403);
    assert!(error_of(&refused).contains("owner"));
    assert_eq!(
        call("GET", "/api/devices".into(), Some(till.clone()))
            .await
            .status,
        403
    );
    let path = format!("/api/devices/{}", owner.device_id);
    assert_eq!(call("DELETE", path, Some(till.clone())).await.status, 403);

    let list = call("GET", "/api/devices".into(), Some(owner.clone())).await;
    assert_eq!(list.status, 200);
    let devices = list.json()["devices"].as_array().unwrap().clone();
    assert_eq!(devices.len(), 2);
    assert_eq!(devices[0]["device_id"], owner.device_id.as_str());
    assert_eq!(devices[0]["role"], "owner");
    assert_eq!(devices[1]["name"], "Till 2");
    assert_eq!(devices[1]["revoked"], false);
    assert_eq!(devices[1]["paired_at"], "2026-11-29T12:00:00Z");
    assert_eq!(devices[1]["last_seen"], "2026-11-29T12:00:00Z");

    // The owner cannot remove itself, nor a device of another store.
    let own = format!("/api/devices/{}", owner.device_id);
    let refused = call("DELETE", own, Some(owner.clone())).await;
    assert_eq!(refused.status, 403);
    assert!(error_of(&refused).contains("itself"));
    let other_owner =
        create_store(server.addr, &another_setup_code(&server.storage), "Other").await;
    let foreign = format!("/api/devices/{}", other_owner.device_id);
    assert_eq!(
        call("DELETE", foreign, Some(owner.clone())).await.status,
        404
    );
    assert_eq!(
        call("GET", "/api/me".into(), Some(other_owner.clone()))
            .await
            .status,
        200
    );

    let path = format!("/api/devices/{}", till.device_id);
    let revoked = call("DELETE", path, Some(owner.clone())).await;
    assert_eq!(revoked.status, 204);
    assert_eq!(revoked.header("cache-control"), Some("no-store"));
    let me = call("GET", "/api/me".into(), Some(till.clone())).await;
    assert_eq!(me.status, 401);
    assert!(error_of(&me).contains("Pair it again"));
    let list = call("GET", "/api/devices".into(), Some(owner.clone())).await;
    assert_eq!(list.json()["devices"][1]["revoked"], true);
    let sync = get(server.addr, &format!("/sync?token={}", till.token)).await;
    assert_eq!(sync.status, 401);
    server.stop().await;
}

#[tokio::test]
async fn wrong_codes_are_rate_limited_per_address() {
    let tmp = tempfile::tempdir().unwrap();
    let clock = Arc::new(FakeClock::default());
    let server = start_with_clock(
        &tmp.path().join("data"),
        &tmp.path().join("dist"),
        clock.clone(),
    )
    .await;
    let owner = create_store(server.addr, server.setup_code.as_deref().unwrap(), "S").await;
    let code = pairing_code(server.addr, &owner).await;
    for _ in 0..pos_sync_server::limits::MAX_FAILED_ATTEMPTS {
        assert_eq!(try_pair(server.addr, "AAAA-AAAA", "X").await.status, 403);
    }
    // Now even the right code is refused from this address, until the window passes.
    let limited = try_pair(server.addr, &code, "X").await;
    assert_eq!(limited.status, 429);
    assert!(error_of(&limited).contains("Wait a minute"));
    clock.advance(pos_sync_server::limits::ATTEMPT_WINDOW);
    assert_eq!(try_pair(server.addr, &code, "X").await.status, 201);
    server.stop().await;
}

#[tokio::test]
async fn unknown_api_paths_answer_json_404() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    let reply = get(server.addr, "/api/nothing").await;
    assert_eq!(reply.status, 404);
    assert!(error_of(&reply).contains("No such"));
    server.stop().await;
}
