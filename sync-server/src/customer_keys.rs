//! Customers' keys (issue 14, crypto-shredding; core's `customer::sealed`): every personal field
//! of a customer is sealed in the store's customers document under a key of that customer, and
//! the keys live here and on the devices, never in a document. Erasing a customer deletes the
//! key for good, so the ciphertext every copy of the document's history keeps can no longer be
//! opened, on any device or here. The server holds only keys and ids; it never sees a name.
//!
//! `PUT /api/customers/{id}/key` keeps a key a device made (idempotent; refused once the
//! customer is erased), `GET /api/customers/keys` answers every key of the device's store and the
//! ids erased, `POST /api/customers/{id}/erase` deletes the key and remembers the erasure.

use std::time::SystemTime;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AppState;
use crate::api::{self, ApiError, db, identity, json, json_body};
use crate::enroll::millis;
use crate::storage::Storage;

/// The largest body `PUT /api/customers/{id}/key` reads: a key is 64 hex digits.
pub const MAX_BODY_BYTES: usize = 1024;
/// The `reason` of the 410 to a key for a customer erased already.
pub const CUSTOMER_ERASED: &str = "customer_erased";
/// The `reason` of the 409 to a second, different key for one customer.
pub const KEY_DIFFERS: &str = "key_differs";

/// Migration 13 (`crate::storage`'s list). Applied once: append a new one, never edit this.
pub(crate) const SCHEMA: &str = "
    CREATE TABLE customer_keys (
        store_id  TEXT NOT NULL REFERENCES stores (store_id),
        customer  TEXT NOT NULL,
        key       TEXT NOT NULL,
        device_id TEXT NOT NULL,
        stored_at INTEGER NOT NULL,
        PRIMARY KEY (store_id, customer)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE customer_erasures (
        store_id  TEXT NOT NULL REFERENCES stores (store_id),
        customer  TEXT NOT NULL,
        device_id TEXT NOT NULL,
        erased_at INTEGER NOT NULL,
        PRIMARY KEY (store_id, customer)
    ) STRICT, WITHOUT ROWID;";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("A customer key is 64 hexadecimal digits.")]
    Invalid,
    #[error("This customer's data was erased; the key is not kept.")]
    Erased,
    #[error("This customer has another key already.")]
    Differs,
    #[error(transparent)]
    Storage(#[from] rusqlite::Error),
}

impl From<KeyError> for ApiError {
    fn from(e: KeyError) -> Self {
        match &e {
            KeyError::Invalid => {
                ApiError::new(StatusCode::BAD_REQUEST, api::INVALID, e.to_string())
            }
            KeyError::Erased => ApiError::new(StatusCode::GONE, CUSTOMER_ERASED, e.to_string()),
            KeyError::Differs => ApiError::new(StatusCode::CONFLICT, KEY_DIFFERS, e.to_string()),
            KeyError::Storage(_) => ApiError::storage(e),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredKey {
    pub customer: Uuid,
    pub key: String,
}

/// Every key of a store and every customer erased in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StoreKeys {
    pub keys: Vec<StoredKey>,
    pub erased: Vec<Uuid>,
}

fn is_key(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Storage {
    /// Keeps `key` for `customer` of `store`; the same key again changes nothing. Blocking.
    pub fn put_customer_key(
        &self,
        store: &str,
        device: &str,
        customer: Uuid,
        key: &str,
        now: SystemTime,
    ) -> Result<(), KeyError> {
        if !is_key(key) {
            return Err(KeyError::Invalid);
        }
        let key = key.to_ascii_lowercase();
        let id = customer.to_string();
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let erased: Option<i64> = tx
            .prepare_cached(
                "SELECT erased_at FROM customer_erasures WHERE store_id = ?1 AND customer = ?2",
            )?
            .query_row([store, &id], |r| r.get(0))
            .optional()?;
        if erased.is_some() {
            return Err(KeyError::Erased);
        }
        let held: Option<String> = tx
            .prepare_cached("SELECT key FROM customer_keys WHERE store_id = ?1 AND customer = ?2")?
            .query_row([store, &id], |r| r.get(0))
            .optional()?;
        match held {
            Some(held) if held == key => return Ok(()),
            Some(_) => return Err(KeyError::Differs),
            None => {}
        }
        tx.prepare_cached(
            "INSERT INTO customer_keys (store_id, customer, key, device_id, stored_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute((store, &id, &key, device, millis(now)))?;
        tx.commit()?;
        Ok(())
    }

    /// Every key of `store` and the customers erased in it. Blocking.
    pub fn customer_keys(&self, store: &str) -> Result<StoreKeys, KeyError> {
        let conn = self.lock()?;
        let mut keys = Vec::new();
        let mut rows = conn.prepare_cached(
            "SELECT customer, key FROM customer_keys WHERE store_id = ?1 ORDER BY customer",
        )?;
        for row in rows.query_map([store], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))? {
            let (customer, key) = row?;
            if let Ok(customer) = Uuid::parse_str(&customer) {
                keys.push(StoredKey { customer, key });
            }
        }
        let mut erased = Vec::new();
        let mut rows = conn.prepare_cached(
            "SELECT customer FROM customer_erasures WHERE store_id = ?1 ORDER BY customer",
        )?;
        for row in rows.query_map([store], |r| r.get::<_, String>(0))? {
            if let Ok(customer) = Uuid::parse_str(&row?) {
                erased.push(customer);
            }
        }
        Ok(StoreKeys { keys, erased })
    }

    /// Deletes the key of `customer` of `store` for good and remembers the erasure, so a key
    /// sent later (a device that made it offline) is refused. Again: nothing changes. Blocking.
    pub fn erase_customer_key(
        &self,
        store: &str,
        device: &str,
        customer: Uuid,
        now: SystemTime,
    ) -> Result<(), KeyError> {
        let id = customer.to_string();
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        tx.prepare_cached("DELETE FROM customer_keys WHERE store_id = ?1 AND customer = ?2")?
            .execute([store, &id])?;
        tx.prepare_cached(
            "INSERT INTO customer_erasures (store_id, customer, device_id, erased_at) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (store_id, customer) DO NOTHING",
        )?
        .execute((store, &id, device, millis(now)))?;
        tx.commit()?;
        Ok(())
    }
}

/// `PUT /api/customers/{id}/key` `{"key": "<64 hex digits>"}`: 200 `{"customer"}` once kept
/// (again too);
/// 410 `customer_erased` once the customer was erased; 409 `key_differs` for another key.
pub async fn put_key(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(customer): Path<Uuid>,
    body: Result<Json<NewKey>, JsonRejection>,
) -> Result<Response, ApiError> {
    let me = identity(&state, &headers).await?;
    let NewKey { key } = json_body(body, "A customer key", MAX_BODY_BYTES)?;
    let storage = state.storage.clone();
    let now = state.clock.now();
    db(move || storage.put_customer_key(&me.store_id, &me.device_id, customer, &key, now))
        .await??;
    json(StatusCode::OK, serde_json::json!({ "customer": customer }))
}

/// `GET /api/customers/keys`: `{"keys": [{"customer", "key"}], "erased": [id, ...]}` of the
/// device's store.
pub async fn keys(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let me = identity(&state, &headers).await?;
    let storage = state.storage.clone();
    let answer = db(move || storage.customer_keys(&me.store_id)).await??;
    json(StatusCode::OK, answer)
}

/// `POST /api/customers/{id}/erase`: deletes the customer's key for good; 200
/// `{"customer", "erased": true}`, again too.
pub async fn erase(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(customer): Path<Uuid>,
) -> Result<Response, ApiError> {
    let me = identity(&state, &headers).await?;
    let storage = state.storage.clone();
    let now = state.clock.now();
    db(move || storage.erase_customer_key(&me.store_id, &me.device_id, customer, now)).await??;
    json(
        StatusCode::OK,
        serde_json::json!({ "customer": customer, "erased": true }),
    )
}
