//! End-to-end tests of the server over real sockets: health, static files and their caching,
//! the client-route fallback, the not-built message and the storage on disk.

mod common;

use common::{JS_NAME, WASM_NAME, fake_dist, get, request, start};
use pos_sync_server::storage::{DB_FILE, SCHEMA_VERSION};
use pos_sync_server::web::{IMMUTABLE, NO_CACHE, NOT_BUILT};

#[tokio::test]
async fn health_reports_ok_version_and_storage() {
    let tmp = tempfile::tempdir().unwrap();
    fake_dist(&tmp.path().join("dist"));
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;

    let reply = get(server.addr, "/health").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let json: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(json["status"], "ok");
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["storage"], "sqlite");
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    server.stop().await;
}

#[tokio::test]
async fn static_files_have_type_and_caching() {
    let tmp = tempfile::tempdir().unwrap();
    let dist = tmp.path().join("dist");
    fake_dist(&dist);
    let server = start(&tmp.path().join("data"), &dist).await;

    let index = get(server.addr, "/").await;
    assert_eq!(index.status, 200);
    assert!(
        index
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(index.header("cache-control"), Some(NO_CACHE));
    assert_eq!(index.text(), common::INDEX_HTML);

    let index_file = get(server.addr, "/index.html").await;
    assert_eq!(index_file.status, 200);
    assert_eq!(index_file.header("cache-control"), Some(NO_CACHE));

    let wasm = get(server.addr, &format!("/{WASM_NAME}")).await;
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(wasm.header("cache-control"), Some(IMMUTABLE));
    assert_eq!(wasm.body, b"\0asm\x01\0\0\0");

    let js = get(server.addr, &format!("/{JS_NAME}")).await;
    assert!(
        js.header("content-type").unwrap().contains("javascript"),
        "{:?}",
        js.headers
    );
    assert_eq!(js.header("cache-control"), Some(IMMUTABLE));

    let sw = get(server.addr, "/sw.js").await;
    assert_eq!(sw.status, 200);
    assert_eq!(sw.header("cache-control"), Some(NO_CACHE));

    let manifest = get(server.addr, "/manifest.webmanifest").await;
    assert_eq!(
        manifest.header("content-type"),
        Some("application/manifest+json")
    );
    assert_eq!(manifest.header("cache-control"), Some(NO_CACHE));

    let icon = get(server.addr, "/icons/icon-192.png").await;
    assert_eq!(icon.header("content-type"), Some("image/png"));
    assert_eq!(
        icon.header("cache-control"),
        Some(NO_CACHE),
        "an unhashed name must be revalidated"
    );

    let head = request(server.addr, "HEAD", &format!("/{WASM_NAME}")).await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), Some("application/wasm"));
    server.stop().await;
}

#[tokio::test]
async fn the_page_carries_its_security_policy_and_every_answer_nosniff() {
    let tmp = tempfile::tempdir().unwrap();
    let dist = tmp.path().join("dist");
    fake_dist(&dist);
    let start_script = "import init from '/app.js'; await init();";
    std::fs::write(
        dist.join("index.html"),
        format!("<!doctype html><html><head><script type=\"module\">{start_script}</script></head><body></body></html>"),
    )
    .unwrap();
    let server = start(&tmp.path().join("data"), &dist).await;

    let expected = pos_sync_server::web::content_security_policy(
        &std::fs::read_to_string(dist.join("index.html")).unwrap(),
    );
    for path in ["/", "/index.html", "/setup"] {
        let page = get(server.addr, path).await;
        assert_eq!(page.status, 200, "{path}");
        let policy = page.header("content-security-policy").unwrap_or_default();
        assert_eq!(policy, expected, "{path}");
        assert!(
            policy.contains("'sha256-"),
            "{path}: the start script is allowed by its hash"
        );
        assert!(policy.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(page.header("x-frame-options"), Some("DENY"), "{path}");
    }
    for path in ["/", &format!("/{WASM_NAME}"), "/health", "/api/me"] {
        let reply = get(server.addr, path).await;
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            reply.header("referrer-policy"),
            Some("no-referrer"),
            "{path}"
        );
    }
    // Only the page carries the policy; a worker's script is not a page.
    assert_eq!(
        get(server.addr, &format!("/{JS_NAME}"))
            .await
            .header("content-security-policy"),
        None
    );
    server.stop().await;
}

#[tokio::test]
async fn client_routes_fall_back_to_index_but_missing_assets_are_404() {
    let tmp = tempfile::tempdir().unwrap();
    let dist = tmp.path().join("dist");
    fake_dist(&dist);
    let server = start(&tmp.path().join("data"), &dist).await;

    for route in ["/sale/0190f3a0-1234", "/settings", "/reports/z/"] {
        let reply = get(server.addr, route).await;
        assert_eq!(reply.status, 200, "{route}");
        assert_eq!(reply.text(), common::INDEX_HTML, "{route}");
        assert!(
            reply
                .header("content-type")
                .unwrap()
                .starts_with("text/html"),
            "{route}"
        );
        assert_eq!(reply.header("cache-control"), Some(NO_CACHE), "{route}");
    }
    for missing in [
        "/pos-app-ffffffffffffffff_bg.wasm",
        "/icons/nope.png",
        "/api/unknown",
    ] {
        let reply = get(server.addr, missing).await;
        assert_eq!(
            reply.status, 404,
            "{missing} must not be answered with index.html"
        );
        assert!(
            matches!(reply.header("cache-control"), None | Some("no-store")),
            "{missing}: a 404 must not be cached as immutable"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn missing_dist_answers_503_with_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("no-dist")).await;

    for path in ["/", "/sale/1"] {
        let reply = get(server.addr, path).await;
        assert_eq!(reply.status, 503, "{path}");
        assert_eq!(reply.text(), NOT_BUILT);
        assert!(
            reply
                .header("content-type")
                .unwrap()
                .starts_with("text/plain")
        );
    }
    // The API still works without a built PWA.
    assert_eq!(get(server.addr, "/health").await.status, 200);
    server.stop().await;
}

#[tokio::test]
async fn data_dir_is_created_and_database_is_wal_with_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("nested/does/not/exist");
    let server = start(&data_dir, &tmp.path().join("dist")).await;
    assert!(data_dir.is_dir());
    assert_eq!(server.data_dir, data_dir.canonicalize().unwrap());
    let db = data_dir.join(DB_FILE);
    assert!(db.is_file());

    let conn = rusqlite::Connection::open(&db).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let version: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let created: String = conn
        .query_row("SELECT value FROM meta WHERE key = 'created_at'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(created.starts_with("20"), "{created}");
    drop(conn);
    server.stop().await;

    // Reopening keeps the data and does not re-run migrations.
    let again = start(&data_dir, &tmp.path().join("dist")).await;
    assert_eq!(again.data_dir, data_dir.canonicalize().unwrap());
    let conn = rusqlite::Connection::open(&db).unwrap();
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM meta", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1);
    again.stop().await;
}

#[tokio::test]
async fn newer_schema_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path()).unwrap();
    let conn = rusqlite::Connection::open(tmp.path().join(DB_FILE)).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    let err = pos_sync_server::Storage::open(tmp.path()).unwrap_err();
    assert!(
        err.to_string().contains("newer than this server supports"),
        "{err}"
    );
}
