//! The PWA's precompressed copies (`cargo xtask build` writes `.br` and `.gz` beside each text
//! and wasm file) are sent by `Accept-Encoding`, with the same type and caching as the file
//! itself, and a dist without them is still served as it is.

mod common;

use std::io::{Read, Write};
use std::path::Path;

use common::{JS_NAME, WASM_NAME, fake_dist, send, start};
use pos_sync_server::web::{IMMUTABLE, NO_CACHE};

/// Something that compresses well, so a body sent as is cannot pass for a compressed one.
fn wasm_body() -> Vec<u8> {
    let mut body = b"\0asm\x01\0\0\0".to_vec();
    for i in 0..4000u32 {
        body.extend_from_slice(format!("function_{} ", i % 97).as_bytes());
    }
    body
}

fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        w.write_all(data).unwrap();
    }
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    w.write_all(data).unwrap();
    w.finish().unwrap()
}

fn unbrotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(data, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// A dist as the build leaves it: the wasm and index.html with their `.br` and `.gz` copies.
fn compressed_dist(dir: &Path) -> Vec<u8> {
    fake_dist(dir);
    let wasm = wasm_body();
    std::fs::write(dir.join(WASM_NAME), &wasm).unwrap();
    std::fs::write(dir.join(format!("{WASM_NAME}.br")), brotli(&wasm)).unwrap();
    std::fs::write(dir.join(format!("{WASM_NAME}.gz")), gzip(&wasm)).unwrap();
    let index = std::fs::read(dir.join("index.html")).unwrap();
    std::fs::write(dir.join("index.html.br"), brotli(&index)).unwrap();
    std::fs::write(dir.join("index.html.gz"), gzip(&index)).unwrap();
    wasm
}

#[tokio::test]
async fn precompressed_copies_are_sent_by_accept_encoding() {
    let tmp = tempfile::tempdir().unwrap();
    let dist = tmp.path().join("dist");
    let wasm = compressed_dist(&dist);
    let server = start(&tmp.path().join("data"), &dist).await;
    let path = format!("/{WASM_NAME}");
    let get = |encoding: Option<&'static str>| {
        let path = path.clone();
        let addr = server.addr;
        async move {
            let headers: Vec<(&str, &str)> = encoding
                .map(|e| vec![("Accept-Encoding", e)])
                .unwrap_or_default();
            send(addr, "GET", &path, &headers, None).await
        }
    };

    let br = get(Some("br")).await;
    assert_eq!(br.status, 200);
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert_eq!(br.header("content-type"), Some("application/wasm"));
    assert_eq!(br.header("cache-control"), Some(IMMUTABLE));
    assert!(
        br.header("vary")
            .is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")),
        "{:?}",
        br.headers
    );
    assert!(br.body.len() < wasm.len() / 4, "{} bytes", br.body.len());
    assert_eq!(unbrotli(&br.body), wasm);

    // What Chromium sends: brotli wins over gzip.
    let chromium = get(Some("gzip, deflate, br, zstd")).await;
    assert_eq!(chromium.header("content-encoding"), Some("br"));

    let gz = get(Some("gzip")).await;
    assert_eq!(gz.status, 200);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert_eq!(gz.header("content-type"), Some("application/wasm"));
    assert_eq!(gz.header("cache-control"), Some(IMMUTABLE));
    assert_eq!(gunzip(&gz.body), wasm);

    for identity in [None, Some("identity")] {
        let plain = get(identity).await;
        assert_eq!(plain.status, 200);
        assert_eq!(plain.header("content-encoding"), None, "{identity:?}");
        assert_eq!(plain.header("content-type"), Some("application/wasm"));
        assert_eq!(plain.header("cache-control"), Some(IMMUTABLE));
        assert_eq!(plain.body, wasm);
    }

    // The page too, still revalidated every time.
    let index = send(server.addr, "GET", "/", &[("Accept-Encoding", "br")], None).await;
    assert_eq!(index.header("content-encoding"), Some("br"));
    assert!(
        index
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(index.header("cache-control"), Some(NO_CACHE));
    assert_eq!(
        String::from_utf8(unbrotli(&index.body)).unwrap(),
        common::INDEX_HTML
    );
    server.stop().await;
}

#[tokio::test]
async fn a_dist_without_compressed_copies_is_served_as_it_is() {
    let tmp = tempfile::tempdir().unwrap();
    let dist = tmp.path().join("dist");
    fake_dist(&dist);
    let server = start(&tmp.path().join("data"), &dist).await;

    for path in [format!("/{WASM_NAME}"), format!("/{JS_NAME}"), "/".into()] {
        let reply = send(
            server.addr,
            "GET",
            &path,
            &[("Accept-Encoding", "gzip, deflate, br")],
            None,
        )
        .await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-encoding"), None, "{path}");
    }
    let wasm = send(
        server.addr,
        "GET",
        &format!("/{WASM_NAME}"),
        &[("Accept-Encoding", "br")],
        None,
    )
    .await;
    assert_eq!(wasm.body, b"\0asm\x01\0\0\0");
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(wasm.header("cache-control"), Some(IMMUTABLE));
    server.stop().await;
}
