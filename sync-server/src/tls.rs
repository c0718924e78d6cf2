//! HTTPS for a server on a shop's network (`--tls-cert`, `--tls-key`).
//!
//! The register needs a secure context for its service worker (offline start), Web Locks,
//! WebUSB and WebSerial; on any address but `localhost` that means HTTPS. A public server
//! belongs behind a reverse proxy that renews certificates (README); this is for a server on
//! a LAN with a certificate the shop's devices trust (for example one made with `mkcert`).
//!
//! [`TlsListener`] is an axum [`Listener`], so the router, graceful shutdown and the client
//! address for the code limits work the same over TLS. Handshakes run on their own tasks: a
//! client that opens a connection and sends nothing holds no one else up.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::serve::Listener;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types::pem::PemObject};

/// How long a client may take over its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Finished handshakes waiting for axum to take them.
const READY_QUEUE: usize = 64;

/// Why the certificate or key could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the TLS certificate {}: {source}", .path.display())]
    Cert {
        path: PathBuf,
        source: rustls::pki_types::pem::Error,
    },
    #[error("cannot read the TLS private key {}: {source}", .path.display())]
    Key {
        path: PathBuf,
        source: rustls::pki_types::pem::Error,
    },
    #[error("the TLS certificate {} holds no certificate", .0.display())]
    NoCert(PathBuf),
    #[error("the TLS certificate and key do not make a usable configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// The server's TLS configuration from PEM files: a certificate chain (leaf first) and its
/// private key.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let chain = rustls::pki_types::CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|source| TlsError::Cert {
            path: cert.to_path_buf(),
            source,
        })?;
    if chain.is_empty() {
        return Err(TlsError::NoCert(cert.to_path_buf()));
    }
    let key =
        rustls::pki_types::PrivateKeyDer::from_pem_file(key).map_err(|source| TlsError::Key {
            path: key.to_path_buf(),
            source,
        })?;
    // ring rather than aws-lc-rs, which needs cmake to build; rustls marks ring's provider
    // deprecated only because it has no post-quantum key exchange.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A TCP listener whose connections are TLS.
pub struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    ready: mpsc::Receiver<(tokio_rustls::server::TlsStream<TcpStream>, SocketAddr)>,
    done: mpsc::Sender<(tokio_rustls::server::TlsStream<TcpStream>, SocketAddr)>,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, config: Arc<rustls::ServerConfig>) -> Self {
        let (done, ready) = mpsc::channel(READY_QUEUE);
        TlsListener {
            tcp,
            acceptor: TlsAcceptor::from(config),
            ready,
            done,
        }
    }
}

impl Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            tokio::select! {
                Some(ready) = self.ready.recv() => return ready,
                accepted = self.tcp.accept() => match accepted {
                    Ok((tcp, addr)) => {
                        let (acceptor, done) = (self.acceptor.clone(), self.done.clone());
                        tokio::spawn(async move {
                            // A failed or slow handshake (a plain-http request, a scanner)
                            // only ends that connection.
                            if let Ok(Ok(tls)) =
                                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await
                            {
                                let _ = done.send((tls, addr)).await;
                            }
                        });
                    }
                    // Out of file descriptors and the like: wait as axum's own listener does.
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                },
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}
