//! pos-sync-server: one process that is the whole system on one machine.
//! It keeps the server's SQLite store, serves the built PWA, enrolls stores and devices
//! ([`enroll`], JSON on `/api/` in [`api`]), signs each store's staff list ([`staff`]), whose
//! members rename the store ([`store`]) and pair and remove devices ([`device_authority`]) with
//! their PIN, and is an automerge-repo sync peer on `/sync` ([`sync`]) that shows each device
//! only its own store's documents ([`registry`]). It keeps each store's gift card ledger and
//! confirms redemptions online ([`gift_cards`]).
//!
//! `main.rs` is a thin shell over [`Server`] so that tests can run the real server in-process.

pub mod actors;
pub mod api;
pub mod client;
pub mod column_bound;
pub mod customer_keys;
pub mod device_authority;
pub mod disk;
pub mod enroll;
pub mod gift_cards;
pub mod limits;
pub mod loyalty;
pub mod operator;
pub mod policy;
pub mod reference;
pub mod registry;
pub mod staff;
pub mod storage;
pub mod store;
pub mod sync;
pub mod tls;
pub mod web;
pub mod write_ahead;

use std::future::{Future, IntoFuture as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use clap::{Args, Parser, Subcommand};
use tokio::net::TcpListener;

pub use enroll::{Clock, SystemClock};
pub use storage::{Storage, StorageError};

/// The server's version, as reported by `/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// How long in-flight connections get to finish after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The command line: serve (the default, with [`Config`]'s flags) or a subcommand.
#[derive(Parser, Debug, Clone)]
#[command(
    name = "pos-sync-server",
    version,
    about = "Serves the register PWA and stores its data",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

/// Subcommands.
#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Print a one-time link that creates one more store (works while the server runs).
    NewStoreCode {
        /// The server's address, for the link.
        #[arg(long, env = "POS_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        /// The server's data directory.
        #[arg(long, env = "POS_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
    },
    /// List every store and its devices (ids for the commands below).
    Devices {
        #[arg(long, env = "POS_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
    },
    /// Remove a device from its store, for a lost or stolen device (also the owner's): its
    /// token stops working at once and its open connections close within seconds.
    RevokeDevice {
        device_id: String,
        #[arg(long, env = "POS_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
    },
    /// Make a device the owner of its store (the one that pairs and removes devices); the
    /// store's previous owner becomes a plain device.
    TransferOwner {
        device_id: String,
        #[arg(long, env = "POS_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
    },
}

/// Runs an operator's subcommand on the data directory (safe while the server runs: SQLite in
/// WAL mode) and returns what to print.
pub fn operate(command: &Command) -> Result<String, StartError> {
    let open = |dir: &Path| Storage::open(dir).map_err(StartError::from);
    let op = |e: operator::OperatorError| StartError::Operator(e.to_string());
    let sql = |e: rusqlite::Error| StartError::Operator(e.to_string());
    match command {
        Command::NewStoreCode { addr, data_dir } => {
            new_store_code(addr, data_dir).map(|link| format!("Create a store: {link}"))
        }
        Command::Devices { data_dir } => {
            let mut out = String::new();
            for (store, name, d) in open(data_dir)?.all_devices().map_err(sql)? {
                out.push_str(&format!(
                    "{store}  {name:?}  {}  {:?}  {}  last seen {}{}\n",
                    d.device_id,
                    d.name,
                    d.role,
                    d.last_seen.as_deref().unwrap_or("never"),
                    if d.revoked { "  (removed)" } else { "" }
                ));
            }
            Ok(out.trim_end().to_string())
        }
        Command::RevokeDevice {
            device_id,
            data_dir,
        } => {
            let now = std::time::SystemTime::now();
            match open(data_dir)?
                .revoke_device_by_operator(device_id, now)
                .map_err(sql)?
            {
                Some(store) => Ok(format!("Removed device {device_id} from store {store}")),
                None => Err(op(operator::OperatorError::NoSuchDevice(device_id.clone()))),
            }
        }
        Command::TransferOwner {
            device_id,
            data_dir,
        } => {
            let store = open(data_dir)?.transfer_owner(device_id).map_err(op)?;
            Ok(format!(
                "Device {device_id} is now the owner of store {store}"
            ))
        }
    }
}

/// Serving flags, each with an environment fallback.
#[derive(Args, Debug, Clone)]
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
    /// Free space (MiB) the data directory's disk must keep: below it the server refuses new
    /// data (devices keep it and send it later) and still serves what it has.
    #[arg(long, env = "POS_MIN_FREE_DISK_MB", default_value_t = disk::DEFAULT_MIN_FREE_MB)]
    pub min_free_disk_mb: u64,
    /// Open sync connections the server takes, all devices together.
    #[arg(long, env = "POS_MAX_CONNECTIONS", default_value_t = sync::SyncLimits::default().connections)]
    pub max_connections: usize,
    /// Open sync connections one device may have.
    #[arg(long, env = "POS_MAX_CONNECTIONS_PER_DEVICE", default_value_t = sync::SyncLimits::default().connections_per_device)]
    pub max_connections_per_device: usize,
    /// A PEM certificate chain: serve HTTPS (and WSS) with it and `--tls-key`, so that devices
    /// on the network get the secure context the register needs.
    #[arg(long, env = "POS_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of `--tls-cert`.
    #[arg(long, env = "POS_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Documents one store may register.
    #[arg(long, env = "POS_MAX_DOCUMENTS_PER_STORE", default_value_t = sync::SyncLimits::default().documents_per_store)]
    pub max_documents_per_store: u64,
    /// A reverse proxy (address or CIDR range) whose X-Forwarded-For names the client, for the
    /// limits on wrong codes; repeat it, or give a comma-separated list in the environment.
    #[arg(
        long = "trusted-proxy",
        env = "POS_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<limits::TrustedProxy>,
}

/// What the request handlers share.
#[derive(Clone, Debug)]
pub struct AppState {
    pub storage: Arc<Storage>,
    pub static_dir: PathBuf,
    /// Hands upgraded `/sync` WebSockets to the server's samod repo.
    pub acceptor: samod::AcceptorHandle,
    /// The server's samod repo, asked whether it holds a change a device relays.
    pub repo: samod::Repo,
    /// The time for codes and `last_seen` (a fake one in tests).
    pub clock: Arc<dyn Clock>,
    /// Open sync connections per device, to close on revocation.
    pub connections: Arc<sync::Connections>,
    /// Code attempts per client and wrong pairing codes overall.
    pub limiter: Arc<limits::AttemptLimiter>,
    /// Whether the disk takes new data.
    pub disk: Arc<disk::DiskHealth>,
    /// Writes incoming changes to disk before samod sees them, several in one commit.
    pub write_ahead: write_ahead::WriteAhead,
    /// Wrong staff PINs typed for staff edits and store renames, per store and member.
    pub staff_pins: Arc<staff::StaffPins>,
}

/// All routes: the API first, then the PWA for everything else.
pub fn router(state: AppState) -> Router {
    let static_service = web::static_service(state.static_dir.clone());
    Router::new()
        .route("/health", get(health))
        .route("/sync", get(sync::sync_ws))
        .route("/api/stores", post(api::create_store))
        .route("/api/pairing-codes", post(api::create_pairing_code))
        .route(
            "/api/devices",
            post(api::pair_device).get(api::list_devices),
        )
        .route("/api/devices/{device_id}", delete(api::revoke_device))
        .route("/api/me", get(api::me))
        .route("/api/store", put(api::rename_store))
        .route(
            "/api/staff",
            get(api::staff)
                .put(api::edit_staff)
                .layer(DefaultBodyLimit::max(staff::MAX_BODY_BYTES)),
        )
        .route(
            "/api/gift-cards/ops",
            post(gift_cards::http::record_op)
                .layer(DefaultBodyLimit::max(gift_cards::MAX_BODY_BYTES)),
        )
        .route(
            "/api/gift-cards/liability",
            get(gift_cards::http::liability),
        )
        .route("/api/gift-cards/report", get(gift_cards::http::report))
        .route(
            "/api/gift-cards/conflicts",
            get(gift_cards::http::conflicts),
        )
        .route("/api/gift-cards/{number}", get(gift_cards::http::card))
        .route(
            "/api/loyalty/ops",
            post(loyalty::record_op).layer(DefaultBodyLimit::max(loyalty::MAX_BODY_BYTES)),
        )
        .route("/api/loyalty/customers/{customer}", get(loyalty::customer))
        .route("/api/customers/keys", get(customer_keys::keys))
        .route(
            "/api/customers/{customer}/key",
            axum::routing::put(customer_keys::put_key)
                .layer(DefaultBodyLimit::max(customer_keys::MAX_BODY_BYTES)),
        )
        .route(
            "/api/customers/{customer}/erase",
            post(customer_keys::erase),
        )
        .route(
            "/api/loyalty/merge",
            post(loyalty::merge).layer(DefaultBodyLimit::max(loyalty::MAX_BODY_BYTES)),
        )
        .route("/api/loyalty/conflicts", get(loyalty::conflicts))
        .route("/api/{*rest}", axum::routing::any(api::not_found))
        .fallback_service(static_service)
        .layer(axum::middleware::from_fn_with_state(
            state.static_dir.clone(),
            web::static_headers,
        ))
        .with_state(state)
}

/// `GET /health`: 200 with the version once the database answers and the disk takes new
/// data; 503 with the reason if either is not so. `disk` has the figures either way.
async fn health(State(state): State<AppState>) -> Response {
    let storage = state.storage.clone();
    let checked = tokio::task::spawn_blocking(move || storage.check())
        .await
        .unwrap_or_else(|e| Err(format!("health check task failed: {e}")));
    let disk = state.disk.report();
    let problem = match (checked, disk.failing_writes, disk.accepting_new_data) {
        (Err(message), _, _) => Some(message),
        (Ok(()), 1.., _) => Some(format!(
            "{} storage write(s) failing and being retried; new data is refused until they succeed",
            disk.failing_writes
        )),
        (Ok(()), 0, false) => Some(format!(
            "free disk space is below {} MiB; new data is refused",
            disk.min_free_bytes / (1024 * 1024)
        )),
        (Ok(()), 0, true) => None,
    };
    let (status, body) = match problem {
        None => (
            StatusCode::OK,
            serde_json::json!({
                "status": "ok", "version": VERSION, "storage": "sqlite", "disk": disk
            }),
        ),
        Some(message) => (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({
                "status": "error", "version": VERSION, "storage": "sqlite", "disk": disk,
                "message": message
            }),
        ),
    };
    let mut res = (status, Json(body)).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("cannot resolve static directory {}: {source}", .path.display())]
    StaticDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// An operator's command was refused.
    #[error("{0}")]
    Operator(String),
    /// The setup code could not be stored.
    #[error("cannot store the setup code: {0}")]
    Setup(String),
    /// The kind and owner of older documents could not be recorded.
    #[error("cannot record the kind and owner of older documents: {0}")]
    Backfill(String),
}

/// A server that has opened its storage and bound its socket, ready to [`Server::serve`].
pub struct Server {
    listener: TcpListener,
    /// Set when the server speaks HTTPS.
    tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    state: AppState,
    repo: samod::Repo,
    /// The one-time code printed at start while no store exists.
    setup_code: Option<String>,
}

impl Server {
    /// Opens the storage (creating the data dir) and binds the address, with the system clock.
    pub async fn bind(config: &Config) -> Result<Server, StartError> {
        Self::bind_with_clock(config, Arc::new(SystemClock)).await
    }

    /// [`Server::bind`] with a given clock. While no store exists it makes a fresh setup code
    /// (see [`Server::setup_link`]); codes printed by earlier starts stop working.
    pub async fn bind_with_clock(
        config: &Config,
        clock: Arc<dyn Clock>,
    ) -> Result<Server, StartError> {
        let storage = Storage::open(&config.data_dir)?;
        let setup_code = storage
            .startup_setup_code(clock.now())
            .map_err(|e| StartError::Setup(e.to_string()))?;
        // Before any connection: until then a sales day registered before schema version 7
        // has no owner, and any device of its store could write it.
        let backfill = storage
            .backfill_registrations()
            .map_err(|e| StartError::Backfill(e.to_string()))?;
        if backfill != registry::Backfill::default() {
            eprintln!(
                "pos-sync-server: documents registered before genesis registration: {} given \
                 their kind and owner, {} left without",
                backfill.recorded, backfill.left
            );
        }
        let tls = match (&config.tls_cert, &config.tls_key) {
            (Some(cert), Some(key)) => Some(tls::server_config(cert, key)?),
            _ => None,
        };
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
        let disk = Arc::new(disk::DiskHealth::new(
            storage.data_dir().to_path_buf(),
            config.min_free_disk_mb.saturating_mul(1024 * 1024),
        ));
        let storage = Arc::new(storage);
        let (repo, acceptor) = sync::start_repo(storage.clone(), disk.clone()).await;
        let write_ahead = write_ahead::WriteAhead::start(storage.clone());
        Ok(Server {
            listener,
            tls,
            state: AppState {
                storage,
                static_dir,
                acceptor,
                repo: repo.clone(),
                clock,
                connections: Arc::new(sync::Connections::new(sync::SyncLimits {
                    connections: config.max_connections,
                    connections_per_device: config.max_connections_per_device,
                    documents_per_store: config.max_documents_per_store,
                })),
                limiter: Arc::new(limits::AttemptLimiter::new(config.trusted_proxies.clone())),
                disk,
                write_ahead,
                staff_pins: Arc::default(),
            },
            repo,
            setup_code,
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
        let url = url_of(self.local_addr());
        match self.tls {
            Some(_) => url.replacen("http://", "https://", 1),
            None => url,
        }
    }

    /// The link that creates the first store, while there is none.
    pub fn setup_link(&self) -> Option<String> {
        self.setup_code
            .as_deref()
            .map(|code| setup_link(&self.url(), code))
    }

    /// What is printed on start: where the register runs, and while no store exists, the
    /// link that creates one (like Jupyter's token link).
    pub fn banner(&self) -> String {
        let mut banner = format!(
            "Register running at {}  (data: {})",
            self.url(),
            self.state.storage.data_dir().display()
        );
        if let Some(link) = self.setup_link() {
            banner.push_str(&format!("\nCreate your store: {link}"));
        }
        banner
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
        let app = router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        let signal = async move {
            shutdown.await;
            notify.notify_one();
        };
        let graceful: futures::future::BoxFuture<'static, std::io::Result<()>> = match self.tls {
            None => Box::pin(
                axum::serve(self.listener, app)
                    .with_graceful_shutdown(signal)
                    .into_future(),
            ),
            Some(config) => {
                use axum::serve::ListenerExt as _;
                // `tap_io` only so that axum hands the client's address to the handlers, as it
                // does for a plain TcpListener.
                let listener = tls::TlsListener::new(self.listener, config).tap_io(|_| {});
                Box::pin(
                    axum::serve(listener, app)
                        .with_graceful_shutdown(signal)
                        .into_future(),
                )
            }
        };
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

/// The browser URL of a bound address (`127.0.0.1` for "every interface").
pub fn url_of(addr: SocketAddr) -> String {
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

/// The link of a setup code: the app's setup screen with the code.
pub fn setup_link(url: &str, code: &str) -> String {
    format!("{url}#/setup?code={code}")
}

/// `pos-sync-server new-store-code`: adds a setup code for one more store to the data dir
/// (safe while the server runs: SQLite in WAL mode) and returns its link for `addr`.
pub fn new_store_code(addr: &str, data_dir: &Path) -> Result<String, StartError> {
    let storage = Storage::open(data_dir)?;
    let code = storage
        .new_setup_code(std::time::SystemTime::now())
        .map_err(|e| StartError::Setup(e.to_string()))?;
    let url = match addr.parse::<SocketAddr>() {
        Ok(addr) => url_of(addr),
        // A host name (`shop.local:8080`) is used as given.
        Err(_) => format!("http://{addr}/"),
    };
    Ok(setup_link(&url, &code))
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
