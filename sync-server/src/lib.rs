//! pos-sync-server: one process that is the whole system on one machine.
//! It keeps the server's SQLite store, serves the built PWA and is an automerge-repo sync peer
//! on `/sync` ([`sync`]); device enrollment and reports will be routes on the same [`router`].
//!
//! `main.rs` is a thin shell over [`Server`] so that tests can run the real server in-process.

pub mod client;
pub mod reference;
pub mod storage;
pub mod sync;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use clap::Parser;
use tokio::net::TcpListener;

pub use storage::{Storage, StorageError};

/// The server's version, as reported by `/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// How long in-flight connections get to finish after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Command-line flags, each with an environment fallback.
#[derive(Parser, Debug, Clone)]
#[command(
    name = "pos-sync-server",
    version,
    about = "Serves the register PWA and stores its data"
)]
pub struct Config {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "POS_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Directory of the server's data (created if missing).
    #[arg(long, env = "POS_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Directory of the built PWA (Trunk's dist/).
    #[arg(long, env = "POS_STATIC_DIR", default_value = "./dist")]
    pub static_dir: PathBuf,
}

/// What the request handlers share.
#[derive(Clone, Debug)]
pub struct AppState {
    pub storage: Arc<Storage>,
    pub static_dir: PathBuf,
    /// Hands upgraded `/sync` WebSockets to the server's samod repo.
    pub acceptor: samod::AcceptorHandle,
}

/// All routes: the API first, then the PWA for everything else.
pub fn router(state: AppState) -> Router {
    let static_service = web::static_service(state.static_dir.clone());
    Router::new()
        .route("/health", get(health))
        .route("/sync", get(sync::sync_ws))
        .fallback_service(static_service)
        .layer(axum::middleware::from_fn(web::static_headers))
        .with_state(state)
}

/// `GET /health`: 200 with the version once the database answers, 503 if it does not.
async fn health(State(state): State<AppState>) -> Response {
    let storage = state.storage.clone();
    let checked = tokio::task::spawn_blocking(move || storage.check())
        .await
        .unwrap_or_else(|e| Err(format!("health check task failed: {e}")));
    let (status, body) = match checked {
        Ok(()) => (
            StatusCode::OK,
            serde_json::json!({ "status": "ok", "version": VERSION, "storage": "sqlite" }),
        ),
        Err(message) => (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({
                "status": "error", "version": VERSION, "storage": "sqlite", "message": message
            }),
        ),
    };
    let mut res = (status, Json(body)).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Why the server could not start.
#[derive(Debug)]
pub enum StartError {
    Storage(StorageError),
    Bind {
        addr: String,
        source: std::io::Error,
    },
    StaticDir {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Storage(e) => e.fmt(f),
            StartError::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            StartError::StaticDir { path, source } => {
                write!(
                    f,
                    "cannot resolve static directory {}: {source}",
                    path.display()
                )
            }
        }
    }
}

impl std::error::Error for StartError {}

impl From<StorageError> for StartError {
    fn from(e: StorageError) -> Self {
        StartError::Storage(e)
    }
}

/// A server that has opened its storage and bound its socket, ready to [`Server::serve`].
pub struct Server {
    listener: TcpListener,
    state: AppState,
    repo: samod::Repo,
}

impl Server {
    /// Opens the storage (creating the data dir) and binds the address.
    pub async fn bind(config: &Config) -> Result<Server, StartError> {
        let storage = Storage::open(&config.data_dir)?;
        let static_dir = absolute(&config.static_dir).map_err(|source| StartError::StaticDir {
            path: config.static_dir.clone(),
            source,
        })?;
        let listener = TcpListener::bind(config.addr.as_str())
            .await
            .map_err(|source| StartError::Bind {
                addr: config.addr.clone(),
                source,
            })?;
        let storage = Arc::new(storage);
        let (repo, acceptor) = sync::start_repo(storage.clone()).await;
        Ok(Server {
            listener,
            state: AppState {
                storage,
                static_dir,
                acceptor,
            },
            repo,
        })
    }

    /// The bound address (with the real port when the config asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The URL to open in a browser.
    pub fn url(&self) -> String {
        let addr = self.local_addr();
        let host = if addr.ip().is_unspecified() {
            "127.0.0.1".to_string()
        } else {
            addr.ip().to_string()
        };
        let host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host
        };
        format!("http://{host}:{}/", addr.port())
    }

    /// The one line printed on start.
    pub fn banner(&self) -> String {
        format!(
            "Register running at {}  (data: {})",
            self.url(),
            self.state.storage.data_dir().display()
        )
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The server's samod repo (documents, connections).
    pub fn repo(&self) -> &samod::Repo {
        &self.repo
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish for at most
    /// [`SHUTDOWN_GRACE`], then stops the sync repo (closing sync connections and waiting for
    /// its pending storage writes, again for at most [`SHUTDOWN_GRACE`]).
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let stopping = Arc::new(tokio::sync::Notify::new());
        let notify = stopping.clone();
        let app = router(self.state);
        let graceful = axum::serve(self.listener, app).with_graceful_shutdown(async move {
            shutdown.await;
            notify.notify_one();
        });
        let res = tokio::select! {
            res = graceful => res,
            _ = async { stopping.notified().await; tokio::time::sleep(SHUTDOWN_GRACE).await } => Ok(()),
        };
        // Upgraded WebSockets are not part of axum's graceful shutdown: stopping the repo
        // closes them and flushes what they brought.
        if tokio::time::timeout(SHUTDOWN_GRACE, self.repo.stop())
            .await
            .is_err()
        {
            eprintln!("pos-sync-server: sync repo did not stop in time");
        }
        res
    }
}

/// Resolves once SIGINT (Ctrl-C) or SIGTERM arrives.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

fn absolute(path: &Path) -> std::io::Result<PathBuf> {
    match path.canonicalize() {
        Ok(p) => Ok(p),
        Err(_) => std::path::absolute(path),
    }
}
