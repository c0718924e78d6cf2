//! samod's storage on SQLite: the `chunks` table as samod's key/value store, and the put that
//! retries until it lands (see [`ChunkStore`]).

use std::collections::HashMap;
use std::sync::Arc;

use samod::storage::StorageKey;

use super::blocking;
use crate::disk::DiskHealth;
use crate::storage::Storage;

/// samod's key/value [`samod::storage::Storage`] on the `chunks` table.
///
/// Keys map onto rows as (document, kind, hash): `[doc, kind, hash]` (samod's snapshots and
/// incrementals) is one row each; a shorter key leaves the missing columns empty
/// (`["storage-adapter-id"]` is `("storage-adapter-id", "", "")`); components past the third
/// are joined to the hash with `/`. Components are never empty and never contain `/`, so the
/// mapping is one-to-one.
///
/// samod's trait cannot report errors. A failed read is logged and answered as "not found".
/// A failed put is retried until it succeeds, and meanwhile [`DiskHealth`] stops the server
/// from taking new data: samod deletes what a snapshot supersedes as soon as its put returns,
/// so returning after a failure would delete a document's history. A failed delete is
/// logged and left: the chunk is loaded again at the next start and compacted away later.
#[derive(Clone, Debug)]
pub struct ChunkStore {
    storage: Arc<Storage>,
    disk: Arc<DiskHealth>,
}

impl ChunkStore {
    pub fn new(storage: Arc<Storage>, disk: Arc<DiskHealth>) -> Self {
        ChunkStore { storage, disk }
    }
}

/// The first wait before a failed put is tried again; it doubles up to [`PUT_RETRY_MAX`].
pub(super) const PUT_RETRY_FIRST: std::time::Duration = std::time::Duration::from_millis(50);
const PUT_RETRY_MAX: std::time::Duration = std::time::Duration::from_secs(5);

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
        let disk = self.disk.clone();
        async move {
            let row = Arc::new(key_to_row(&key));
            let data = Arc::new(data);
            let mut wait = PUT_RETRY_FIRST;
            let mut retrying = false;
            loop {
                let (storage, row, data) = (storage.clone(), row.clone(), data.clone());
                let put = blocking(move || {
                    let (d, k, h) = &*row;
                    storage.chunk_put(d, k, h, &data)
                });
                match put.await {
                    Ok(()) => break,
                    Err(e) => {
                        log_error("put (will retry)", &key, &e);
                        disk.write_failed(format!("put {key}: {e}"));
                        if !retrying {
                            retrying = true;
                            disk.retry_started();
                        }
                        tokio::time::sleep(wait).await;
                        wait = (wait * 2).min(PUT_RETRY_MAX);
                    }
                }
            }
            if retrying {
                disk.retry_ended();
                eprintln!("pos-sync-server: storage recovered: put {key}");
            }
        }
    }

    fn delete(&self, key: StorageKey) -> impl Future<Output = ()> + Send {
        let storage = self.storage.clone();
        let disk = self.disk.clone();
        async move {
            let (d, k, h) = key_to_row(&key);
            if let Err(e) = blocking(move || storage.chunk_delete(&d, &k, &h)).await {
                log_error("delete", &key, &e);
                disk.write_failed(format!("delete {key}: {e}"));
            }
        }
    }
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
        let disk = Arc::new(DiskHealth::new(tmp.path().to_path_buf(), 0));
        let store = ChunkStore::new(Arc::new(Storage::open(tmp.path()).unwrap()), disk);
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
