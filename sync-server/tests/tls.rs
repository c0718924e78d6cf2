//! A server on a shop's network speaks HTTPS with `--tls-cert`/`--tls-key`: the page, the API
//! and the sync WebSocket go over TLS, and a plain-http request gets nothing.

mod common;

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::{self, pki_types::ServerName};

const TOKEN: &str = "tls-device-token-0123456789abcdef";

async fn https_get(
    connector: &TlsConnector,
    addr: std::net::SocketAddr,
    path: &str,
) -> std::io::Result<String> {
    let tcp = TcpStream::connect(addr).await?;
    let mut tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await?;
    tls.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await?;
    let mut answer = Vec::new();
    // A peer that closes without close_notify is fine for this check.
    let _ = tls.read_to_end(&mut answer).await;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_serves_the_api_and_sync_and_refuses_plain_http() {
    let tmp = tempfile::tempdir().unwrap();
    let made = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let (cert, key) = (tmp.path().join("cert.pem"), tmp.path().join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.key_pair.serialize_pem()).unwrap();
    let mut config = common::config(&tmp.path().join("data"));
    config.static_dir = tmp.path().join("dist");
    config.tls_cert = Some(cert);
    config.tls_key = Some(key);
    let server = common::start_config(&config, Arc::new(common::FakeClock::default())).await;
    server
        .storage
        .add_device_token(TOKEN, "5707e000-0000-4000-8000-000000000001")
        .unwrap();

    let mut roots = rustls::RootCertStore::empty();
    roots.add(made.cert.der().clone()).unwrap();
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    let client = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = TlsConnector::from(Arc::new(client));

    let health = https_get(&connector, server.addr, "/health").await.unwrap();
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("\"status\":\"ok\""), "{health}");

    // The sync WebSocket over TLS, with the token as a subprotocol.
    let tcp = TcpStream::connect(server.addr).await.unwrap();
    let tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let request =
        pos_sync_server::client::sync_request(&format!("wss://localhost/sync?token={TOKEN}"))
            .unwrap();
    let (_ws, answer) = tokio_tungstenite::client_async(request, tls)
        .await
        .expect("the sync WebSocket opens over TLS");
    assert_eq!(answer.status().as_u16(), 101);

    // Plain http on the TLS port gets no HTTP answer.
    let mut plain = TcpStream::connect(server.addr).await.unwrap();
    plain
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let _ = plain.read_to_end(&mut answer).await;
    assert!(
        !String::from_utf8_lossy(&answer).contains("200 OK"),
        "plain http was served"
    );
    server.stop().await;
}

#[test]
fn a_missing_or_wrong_certificate_is_a_clear_start_error() {
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("key.pem");
    std::fs::write(&key, "not a key").unwrap();
    let err = pos_sync_server::tls::server_config(&tmp.path().join("absent.pem"), &key)
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot read the TLS certificate"), "{err}");
    assert!(err.contains("absent.pem"), "{err}");
}
