//! Sync: the server as an automerge-repo peer (samod), with its documents in the SQLite
//! `chunks` table and a device-token check before the WebSocket upgrade on `/sync`.
//!
//! Not here yet: enrollment (setup link, pairing codes: tokens are only made by
//! [`crate::Storage::add_device_token`]), binding documents to stores (any valid token may
//! read and write any document), per-peer sync state, and flood limits beyond the message size.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use samod::storage::StorageKey;

use crate::AppState;
use crate::storage::{Storage, TokenStatus};

/// The largest WebSocket message (and frame) the server reads; a bigger one closes the
/// connection. A sync message carrying a whole store's day stays far below this.
pub const MAX_MESSAGE_BYTES: usize = 8 * 1024 * 1024;

/// The query string of `/sync`.
#[derive(Debug, serde::Deserialize)]
pub struct SyncParams {
    pub token: Option<String>,
}

/// samod's key/value [`samod::storage::Storage`] on the `chunks` table.
///
/// Keys map onto rows as (document, kind, hash): `[doc, kind, hash]` (samod's snapshots and
/// incrementals) is one row each; a shorter key leaves the missing columns empty
/// (`["storage-adapter-id"]` is `("storage-adapter-id", "", "")`); components past the third
/// are joined to the hash with `/`. Components are never empty and never contain `/`, so the
/// mapping is one-to-one.
///
/// samod's trait cannot report errors: a failed read is logged and answered as "not
/// found", a failed write or delete is logged and dropped.
#[derive(Clone, Debug)]
pub struct ChunkStore {
    storage: Arc<Storage>,
}

impl ChunkStore {
    pub fn new(storage: Arc<Storage>) -> Self {
        ChunkStore { storage }
    }
}

/// The row of a key: (document, kind, hash).
pub fn key_to_row(key: &StorageKey) -> (String, String, String) {
    let mut parts = key.into_iter();
    let document = parts.next().cloned().unwrap_or_default();
    let kind = parts.next().cloned().unwrap_or_default();
    let hash = parts.map(String::as_str).collect::<Vec<_>>().join("/");
    (document, kind, hash)
}

/// The key of a row (the inverse of [`key_to_row`]).
pub fn row_to_key(document: &str, kind: &str, hash: &str) -> Option<StorageKey> {
    let parts: Vec<&str> = [document, kind]
        .into_iter()
        .chain(hash.split('/'))
        .filter(|p| !p.is_empty())
        .collect();
    StorageKey::from_parts(parts).ok()
}

fn log_error(op: &str, key: &StorageKey, e: impl std::fmt::Display) {
    // samod's Storage trait has no error channel, so this log line is the only trace.
    eprintln!("pos-sync-server: storage error: {op} {key}: {e}");
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> rusqlite::Result<T> + Send + 'static,
) -> Result<T, String> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(e) => Err(format!("storage task failed: {e}")),
    }
}

impl samod::storage::Storage for ChunkStore {
    fn load(&self, key: StorageKey) -> impl Future<Output = Option<Vec<u8>>> + Send {
        let storage = self.storage.clone();
        async move {
            let (d, k, h) = key_to_row(&key);
            match blocking(move || storage.chunk_load(&d, &k, &h)).await {
                Ok(data) => data,
                Err(e) => {
                    log_error("load", &key, e);
                    None
                }
            }
        }
    }

    fn load_range(
        &self,
        prefix: StorageKey,
    ) -> impl Future<Output = HashMap<StorageKey, Vec<u8>>> + Send {
        let storage = self.storage.clone();
        async move {
            let parts: Vec<String> = prefix.clone().into_iter().collect();
            let hash_prefix = (parts.len() > 2).then(|| parts[2..].join("/"));
            let result = blocking(move || {
                storage.chunk_load_prefix(
                    parts.first().map(String::as_str),
                    parts.get(1).map(String::as_str),
                    hash_prefix.as_deref(),
                )
            })
            .await;
            match result {
                Ok(rows) => rows
                    .into_iter()
                    .filter_map(|((d, k, h), data)| row_to_key(&d, &k, &h).map(|key| (key, data)))
                    .collect(),
                Err(e) => {
                    log_error("load_range", &prefix, e);
                    HashMap::new()
                }
            }
        }
    }

    fn put(&self, key: StorageKey, data: Vec<u8>) -> impl Future<Output = ()> + Send {
        let storage = self.storage.clone();
        async move {
            let (d, k, h) = key_to_row(&key);
            if let Err(e) = blocking(move || storage.chunk_put(&d, &k, &h, &data)).await {
                log_error("put", &key, e);
            }
        }
    }

    fn delete(&self, key: StorageKey) -> impl Future<Output = ()> + Send {
        let storage = self.storage.clone();
        async move {
            let (d, k, h) = key_to_row(&key);
            if let Err(e) = blocking(move || storage.chunk_delete(&d, &k, &h)).await {
                log_error("delete", &key, e);
            }
        }
    }
}

/// Starts the server's samod repo on the SQLite storage, with an acceptor for `/sync`.
pub async fn start_repo(storage: Arc<Storage>) -> (samod::Repo, samod::AcceptorHandle) {
    let repo = samod::Repo::build_tokio()
        .with_storage(ChunkStore::new(storage))
        // The server serves what devices ask for and never asks devices for documents.
        .with_share_policy(samod::ShareConfig::read_write().with_announce(false))
        .load()
        .await;
    let url = samod::Url::parse("ws://pos-sync-server/sync").expect("a valid URL");
    let acceptor = repo
        .make_acceptor(url)
        .expect("a freshly loaded repo is running");
    (repo, acceptor)
}

fn unauthorized(message: &'static str) -> Response {
    let mut res = (StatusCode::UNAUTHORIZED, message).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Texts of the 401 answers.
pub const MISSING_TOKEN: &str = "Missing device token: connect to /sync?token=<device token>";
pub const UNKNOWN_TOKEN: &str = "Unknown device token: pair this device again";
pub const REVOKED_TOKEN: &str = "This device token was revoked: pair this device again";

/// `GET /sync?token=...`: checks the device token, then upgrades to a WebSocket served by
/// samod. Without a valid token there is no upgrade: 401 and a reason.
pub async fn sync_ws(
    State(state): State<AppState>,
    params: Result<Query<SyncParams>, axum::extract::rejection::QueryRejection>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let token = match params {
        Ok(Query(SyncParams { token: Some(t) })) if !t.is_empty() => t,
        _ => return unauthorized(MISSING_TOKEN),
    };
    let storage = state.storage.clone();
    let status = match tokio::task::spawn_blocking(move || storage.device_token(&token)).await {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => {
            eprintln!("pos-sync-server: storage error: device token lookup: {e}");
            return (StatusCode::SERVICE_UNAVAILABLE, "Storage unavailable").into_response();
        }
        Err(e) => {
            eprintln!("pos-sync-server: device token lookup failed: {e}");
            return (StatusCode::SERVICE_UNAVAILABLE, "Storage unavailable").into_response();
        }
    };
    match status {
        TokenStatus::Valid { .. } => {}
        TokenStatus::Unknown => return unauthorized(UNKNOWN_TOKEN),
        TokenStatus::Revoked { .. } => return unauthorized(REVOKED_TOKEN),
    }
    let upgrade = match upgrade {
        Ok(u) => u,
        Err(rejection) => return rejection.into_response(),
    };
    let acceptor = state.acceptor.clone();
    upgrade
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| async move {
            if let Err(e) = acceptor.accept_axum(socket, None) {
                eprintln!("pos-sync-server: sync connection refused: {e}");
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(parts: &[&str]) -> StorageKey {
        StorageKey::from_parts(parts).unwrap()
    }

    #[test]
    fn keys_map_to_rows_and_back() {
        for parts in [
            &["doc", "snapshot", "abc"][..],
            &["doc", "incremental", "def"],
            &["storage-adapter-id"],
            &["doc", "sync-state"],
            &["doc", "sync-state", "peer", "extra"],
        ] {
            let k = key(parts);
            let (d, kind, h) = key_to_row(&k);
            assert_eq!(row_to_key(&d, &kind, &h), Some(k), "{parts:?}");
        }
        assert_eq!(
            key_to_row(&key(&["storage-adapter-id"])),
            ("storage-adapter-id".into(), String::new(), String::new())
        );
    }

    #[tokio::test]
    async fn load_range_matches_whole_components() {
        use samod::storage::Storage as _;
        let tmp = tempfile::tempdir().unwrap();
        let store = ChunkStore::new(Arc::new(Storage::open(tmp.path()).unwrap()));
        for (parts, v) in [
            (&["d1", "snapshot", "h1"][..], 1u8),
            (&["d1", "incremental", "h2"], 2),
            (&["d1", "incremental", "h2", "x"], 3),
            (&["d1", "incremental", "h22"], 4),
            (&["d10", "incremental", "h3"], 5),
            (&["storage-adapter-id"], 6),
        ] {
            store.put(key(parts), vec![v]).await;
        }
        let values = |m: HashMap<StorageKey, Vec<u8>>| {
            let mut v: Vec<u8> = m.into_values().flatten().collect();
            v.sort();
            v
        };
        assert_eq!(values(store.load_range(key(&["d1"])).await), [1, 2, 3, 4]);
        assert_eq!(
            values(store.load_range(key(&["d1", "incremental"])).await),
            [2, 3, 4]
        );
        assert_eq!(
            values(store.load_range(key(&["d1", "incremental", "h2"])).await),
            [2, 3]
        );
        assert_eq!(values(store.load_range(key(&[])).await), [1, 2, 3, 4, 5, 6]);
        assert_eq!(
            store.load(key(&["storage-adapter-id"])).await,
            Some(vec![6])
        );
        store.put(key(&["d1", "snapshot", "h1"]), vec![9]).await;
        assert_eq!(
            store.load(key(&["d1", "snapshot", "h1"])).await,
            Some(vec![9])
        );
        store.delete(key(&["d1", "snapshot", "h1"])).await;
        assert_eq!(store.load(key(&["d1", "snapshot", "h1"])).await, None);
    }
}
