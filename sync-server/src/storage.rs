//! Storage: the server's embedded SQLite database, `<data dir>/pos.sqlite3`.
//! It exists so that the server owns one durable, versioned store (WAL mode, numbered
//! migrations in `PRAGMA user_version`) that later features (sync, enrollment, reports) build on.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::Connection;

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "pos.sqlite3";

/// Schema migrations, in order. Migration `i` brings the schema from version `i` to `i + 1`;
/// the current version is kept in `PRAGMA user_version`. Append, never edit.
const MIGRATIONS: &[&str] = &[
    // 1: a key/value table for facts about this installation.
    "CREATE TABLE meta (
        key   TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    ) STRICT;
    INSERT INTO meta (key, value) VALUES ('created_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));",
    // 2: the sync peer's documents, as samod's key/value storage. A samod key
    // `[document, kind, hash]` is one row; see `crate::sync::key_to_row` for the other shapes.
    "CREATE TABLE chunks (
        document TEXT NOT NULL,
        kind     TEXT NOT NULL,
        hash     TEXT NOT NULL,
        data     BLOB NOT NULL,
        PRIMARY KEY (document, kind, hash)
    ) STRICT, WITHOUT ROWID;",
    // 3: device tokens, stored as the hex SHA-256 of the token, never the token itself.
    "CREATE TABLE device_tokens (
        token_hash TEXT PRIMARY KEY NOT NULL,
        store      TEXT NOT NULL,
        revoked    INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ) STRICT;",
    // 4: enrollment (see `crate::enroll`). Times are Unix milliseconds from the server's
    // clock. A device's token moves into `devices`; `device_tokens` only ever held test
    // tokens (nothing could enroll before this version), so it is dropped, not copied.
    "CREATE TABLE stores (
        store_id   TEXT PRIMARY KEY NOT NULL,
        name       TEXT NOT NULL,
        currency   TEXT NOT NULL,
        locale     TEXT NOT NULL,
        created_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE devices (
        device_id  TEXT PRIMARY KEY NOT NULL,
        store_id   TEXT NOT NULL REFERENCES stores (store_id),
        name       TEXT NOT NULL,
        role       TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        paired_at  INTEGER NOT NULL,
        last_seen  INTEGER,
        revoked_at INTEGER
    ) STRICT;
    CREATE INDEX devices_by_store ON devices (store_id);
    -- One-time codes that create a store; origin 'start' (printed at start) or 'cli'.
    CREATE TABLE setup_codes (
        code_hash  TEXT PRIMARY KEY NOT NULL,
        origin     TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        used_at    INTEGER
    ) STRICT;
    CREATE TABLE pairing_codes (
        code_hash  TEXT PRIMARY KEY NOT NULL,
        store_id   TEXT NOT NULL REFERENCES stores (store_id),
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at    INTEGER
    ) STRICT;
    -- The store each sync document belongs to: the store of the first device that asked.
    CREATE TABLE documents (
        document   TEXT PRIMARY KEY NOT NULL,
        store_id   TEXT NOT NULL REFERENCES stores (store_id),
        claimed_by TEXT NOT NULL,
        claimed_at INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
    DROP TABLE device_tokens;",
    // 5: setup codes from `new-store-code` expire (`crate::enroll::SETUP_CODE_TTL`); NULL for
    // the code printed at start. Those made before this version get a day from their making.
    "ALTER TABLE setup_codes ADD COLUMN expires_at INTEGER;
    UPDATE setup_codes SET expires_at = created_at + 86400000 WHERE origin = 'cli';",
    // 6: a store's documents are counted for its quota (`crate::registry::Claim::OverQuota`).
    "CREATE INDEX documents_by_store ON documents (store_id);",
    // 7: a document joins a store by its genesis (`crate::policy`), which says what it is and,
    // for a sales day, whose: only that device writes it. NULL for documents registered before
    // this version, by first claim.
    "ALTER TABLE documents ADD COLUMN kind TEXT;
    ALTER TABLE documents ADD COLUMN owner_device TEXT;",
    // 8: the store's staff list and the key that signs it (`crate::staff`). `seed` is the
    // 32-byte secret of the store's Ed25519 key; `signed` is `SignedStaffList::to_bytes`, at
    // `version` (kept beside it so an edit can compare versions without parsing). Stores made
    // before this version get their key the first time it is needed, and a list from their
    // owner's device.
    "CREATE TABLE store_keys (
        store_id TEXT PRIMARY KEY NOT NULL REFERENCES stores (store_id),
        seed     BLOB NOT NULL
    ) STRICT;
    CREATE TABLE staff_lists (
        store_id TEXT PRIMARY KEY NOT NULL REFERENCES stores (store_id),
        version  INTEGER NOT NULL,
        signed   BLOB NOT NULL
    ) STRICT;",
    // 9: each staff member's wrong PINs and lock (`crate::staff::StaffPins`), kept so that a
    // restart does not hand a guesser fresh tries. `attempts` is `pos_core::staff::PinAttempts`
    // as JSON; a member with none has no row.
    "CREATE TABLE pin_attempts (
        store_id TEXT NOT NULL REFERENCES stores (store_id),
        member   TEXT NOT NULL,
        attempts TEXT NOT NULL,
        PRIMARY KEY (store_id, member)
    ) STRICT, WITHOUT ROWID;",
    // 10: the device that writes under an Automerge actor id carrying no device id
    // (`crate::actors`): the first one that sent a change under it. `actor` is the id in hex.
    // The register's own actors start with their device's id and have no row.
    "CREATE TABLE actors (
        actor     TEXT PRIMARY KEY NOT NULL,
        device_id TEXT NOT NULL REFERENCES devices (device_id),
        bound_at  INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX actors_by_device ON actors (device_id);",
    // 11: each store's gift card ledger, the cards' balances and the overdrafts reported from
    // offline (`crate::gift_cards`); the SQL is beside the code that reads it.
    crate::gift_cards::ledger::SCHEMA,
    // 12: customers' loyalty points and their overdrafts from offline (`crate::loyalty`).
    crate::loyalty::SCHEMA,
    // 13: customers' keys and erasures, for crypto-shredding (`crate::customer_keys`).
    crate::customer_keys::SCHEMA,
    // 14: which customers' points were merged into which (`crate::loyalty`'s merges).
    crate::loyalty::MERGES_SCHEMA,
];

/// The schema version this build of the server writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Why the storage could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The data directory could not be created or is not a directory.
    #[error("cannot use data directory {}: {source}", .path.display())]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    /// SQLite refused to open or set up the database.
    #[error("cannot open database {}: {source}", .path.display())]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    /// SQLite would not switch to WAL mode (e.g. a file system without shared memory).
    #[error(
        "database {} cannot use WAL mode (journal mode is {mode:?}); put the data directory on a local disk",
        .path.display()
    )]
    NotWal { path: PathBuf, mode: String },
    /// The database was written by a newer server.
    #[error(
        "database {} has schema version {found}, newer than this server supports ({supported}); upgrade the server",
        .path.display()
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
}

/// The open database. One connection behind a mutex: the server's writes are small and
/// SQLite serialises writers anyway.
pub struct Storage {
    conn: Mutex<Connection>,
    data_dir: PathBuf,
    db_path: PathBuf,
}

impl fmt::Debug for Storage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Storage")
            .field("db_path", &self.db_path)
            .finish_non_exhaustive()
    }
}

impl Storage {
    /// Creates `data_dir` if missing, opens (or creates) the database in WAL mode and brings
    /// its schema up to [`SCHEMA_VERSION`].
    pub fn open(data_dir: &Path) -> Result<Storage, StorageError> {
        let dir_err = |source| StorageError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(data_dir).map_err(dir_err)?;
        let data_dir = data_dir.canonicalize().map_err(dir_err)?;
        let db_path = data_dir.join(DB_FILE);
        let sql_err = |source| StorageError::Sqlite {
            path: db_path.clone(),
            source,
        };

        let mut conn = Connection::open(&db_path).map_err(sql_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(sql_err)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(sql_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StorageError::NotWal {
                path: db_path,
                mode,
            });
        }
        // A sale acknowledged to a device must survive a power cut.
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(sql_err)?;
        migrate(&mut conn).map_err(|e| match e {
            MigrateError::Sqlite(source) => StorageError::Sqlite {
                path: db_path.clone(),
                source,
            },
            MigrateError::TooNew(found) => StorageError::TooNew {
                path: db_path.clone(),
                found,
                supported: SCHEMA_VERSION,
            },
        })?;
        Ok(Storage {
            conn: Mutex::new(conn),
            data_dir,
            db_path,
        })
    }

    /// The absolute data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The absolute path of the database file.
    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// Checks that the database answers a query. Blocking: call it off the async threads.
    pub fn check(&self) -> Result<(), String> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| "storage lock poisoned".to_string())?;
        let one: i64 = conn
            .query_row("SELECT 1", [], |row| row.get(0))
            .map_err(|e| e.to_string())?;
        if one == 1 {
            Ok(())
        } else {
            Err(format!("SELECT 1 returned {one}"))
        }
    }

    /// The schema version stored in the database.
    pub fn schema_version(&self) -> Result<u32, String> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| "storage lock poisoned".to_string())?;
        user_version(&conn).map_err(|e| e.to_string())
    }
}

/// A chunk row: (document, kind, hash) and its bytes.
pub type ChunkRow = ((String, String, String), Vec<u8>);

/// How a device token stands, as [`Storage::device_token`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenStatus {
    /// No such token.
    Unknown,
    /// The token of `device` (of `store`) was revoked.
    Revoked { store: String, device: String },
    /// A valid token of `device`, a device of `store`.
    Valid { store: String, device: String },
}

impl Storage {
    pub(crate) fn lock(&self) -> rusqlite::Result<std::sync::MutexGuard<'_, Connection>> {
        // A panic while holding the lock cannot leave SQLite half-written (each statement is
        // atomic), so a poisoned lock is still usable.
        Ok(self.conn.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// One chunk, by its exact key. Blocking.
    pub fn chunk_load(
        &self,
        document: &str,
        kind: &str,
        hash: &str,
    ) -> rusqlite::Result<Option<Vec<u8>>> {
        use rusqlite::OptionalExtension;
        let conn = self.lock()?;
        conn.prepare_cached(
            "SELECT data FROM chunks WHERE document = ?1 AND kind = ?2 AND hash = ?3",
        )?
        .query_row((document, kind, hash), |row| row.get(0))
        .optional()
    }

    /// Whether the server holds anything of `document`. Blocking.
    pub fn has_chunks(&self, document: &str) -> rusqlite::Result<bool> {
        let conn = self.lock()?;
        conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM chunks WHERE document = ?1)")?
            .query_row([document], |r| r.get(0))
    }

    /// The chunks whose key starts with the given components. `document` and `kind` are whole
    /// components; `hash_prefix` matches a whole `hash` or its leading `/`-separated parts.
    /// Blocking.
    pub fn chunk_load_prefix(
        &self,
        document: Option<&str>,
        kind: Option<&str>,
        hash_prefix: Option<&str>,
    ) -> rusqlite::Result<Vec<ChunkRow>> {
        let conn = self.lock()?;
        let row = |r: &rusqlite::Row<'_>| -> rusqlite::Result<ChunkRow> {
            Ok(((r.get(0)?, r.get(1)?, r.get(2)?), r.get(3)?))
        };
        const COLS: &str = "SELECT document, kind, hash, data FROM chunks";
        match (document, kind, hash_prefix) {
            (None, _, _) => conn.prepare_cached(COLS)?.query_map([], row)?.collect(),
            (Some(d), None, _) => conn
                .prepare_cached(&format!("{COLS} WHERE document = ?1"))?
                .query_map([d], row)?
                .collect(),
            (Some(d), Some(k), None) => conn
                .prepare_cached(&format!("{COLS} WHERE document = ?1 AND kind = ?2"))?
                .query_map([d, k], row)?
                .collect(),
            (Some(d), Some(k), Some(h)) => conn
                .prepare_cached(&format!(
                    "{COLS} WHERE document = ?1 AND kind = ?2 \
                     AND (hash = ?3 OR substr(hash, 1, length(?3) + 1) = ?3 || '/')"
                ))?
                .query_map([d, k, h], row)?
                .collect(),
        }
    }

    /// Writes (or replaces) one chunk. With `synchronous = FULL` it is on disk when this
    /// returns. Blocking.
    pub fn chunk_put(
        &self,
        document: &str,
        kind: &str,
        hash: &str,
        data: &[u8],
    ) -> rusqlite::Result<()> {
        let conn = self.lock()?;
        conn.prepare_cached(
            "INSERT INTO chunks (document, kind, hash, data) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (document, kind, hash) DO UPDATE SET data = excluded.data",
        )?
        .execute((document, kind, hash, data))?;
        Ok(())
    }

    /// Writes (or replaces) the chunks of several documents, all of one kind, in one
    /// transaction: one disk sync for all of them. Blocking.
    pub fn chunk_put_batch(
        &self,
        kind: &str,
        writes: &[(&str, &[(String, Vec<u8>)])],
    ) -> rusqlite::Result<()> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO chunks (document, kind, hash, data) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (document, kind, hash) DO UPDATE SET data = excluded.data",
            )?;
            for (document, chunks) in writes {
                for (hash, data) in *chunks {
                    stmt.execute((document, kind, hash, data))?;
                }
            }
        }
        tx.commit()
    }

    /// Deletes one chunk (nothing if it is absent). Blocking.
    pub fn chunk_delete(&self, document: &str, kind: &str, hash: &str) -> rusqlite::Result<()> {
        let conn = self.lock()?;
        conn.prepare_cached("DELETE FROM chunks WHERE document = ?1 AND kind = ?2 AND hash = ?3")?
            .execute((document, kind, hash))?;
        Ok(())
    }

    /// Adds a device with a given token to `store_id` (creating the store if missing) and
    /// returns its device id. Blocking. Only for tests and tools: devices normally enroll
    /// through [`Storage::create_store`] and [`Storage::pair_device`].
    pub fn add_device_token(&self, token: &str, store_id: &str) -> rusqlite::Result<String> {
        let conn = self.lock()?;
        conn.execute(
            "INSERT INTO stores (store_id, name, currency, locale, created_at) \
             VALUES (?1, ?1, 'EUR', 'en', 0) ON CONFLICT DO NOTHING",
            [store_id],
        )?;
        let device_id = test_device_id(token);
        conn.execute(
            "INSERT INTO devices (device_id, store_id, name, role, token_hash, paired_at) \
             VALUES (?1, ?2, ?1, 'device', ?3, 0)",
            (&device_id, store_id, hash_token(token)),
        )?;
        Ok(device_id)
    }

    /// Revokes the device of a token; returns whether it existed. Blocking.
    pub fn revoke_device_token(&self, token: &str) -> rusqlite::Result<bool> {
        let conn = self.lock()?;
        let n = conn.execute(
            "UPDATE devices SET revoked_at = coalesce(revoked_at, 0) WHERE token_hash = ?1",
            [hash_token(token)],
        )?;
        Ok(n > 0)
    }

    /// Looks a device token up by its hash. Blocking.
    pub fn device_token(&self, token: &str) -> rusqlite::Result<TokenStatus> {
        use rusqlite::OptionalExtension;
        let conn = self.lock()?;
        let found: Option<(String, String, Option<i64>)> = conn
            .prepare_cached(
                "SELECT store_id, device_id, revoked_at FROM devices WHERE token_hash = ?1",
            )?
            .query_row([hash_token(token)], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        Ok(match found {
            None => TokenStatus::Unknown,
            Some((store, device, None)) => TokenStatus::Valid { store, device },
            Some((store, device, Some(_))) => TokenStatus::Revoked { store, device },
        })
    }
}

/// The id [`Storage::add_device_token`] gives the device of `token`: a UUID, as enrollment's
/// ids are (a sales day names its device by it), made of the token's hash.
pub fn test_device_id(token: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(token.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// The stored form of a device token: lowercase hex of its SHA-256. A token is a long random
/// secret, so a plain (unsalted, fast) hash is enough to keep a copied database from
/// yielding usable tokens.
pub fn hash_token(token: &str) -> String {
    hash_bytes(token.as_bytes())
}

/// Lowercase hex of the SHA-256 of `bytes`.
pub fn hash_bytes(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

enum MigrateError {
    Sqlite(rusqlite::Error),
    TooNew(u32),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sqlite(e)
    }
}

fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// Applies the missing migrations, each in its own transaction with its version bump.
fn migrate(conn: &mut Connection) -> Result<(), MigrateError> {
    let found = user_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(MigrateError::TooNew(found));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as u32 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
