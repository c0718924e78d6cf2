//! Customers' keys on the server (`/api/customers/...`, README "What erasure does"), as plain
//! async calls with the device's token: keep a key made here, tell an erasure, read every key
//! of the store and the ids erased. The outboxes they empty are in `idb/customer_keys.rs`; when
//! to call them is decided in `state/customers.rs`.

use pos_core::Uuid;
use pos_core::customer::sealed::CustomerKey;
use serde::Deserialize;

use super::gift_cards::{GiftCardRefusal, ask};

/// What the server answered for a key or an erasure.
pub enum Sent {
    /// Kept (again too): it leaves the outbox.
    Done,
    /// Refused for good (an erased customer's key, another key held): it leaves the outbox too.
    Refused,
    /// Not reached, or not now: it stays and is sent again.
    Later,
}

fn sent<T>(answer: Result<T, GiftCardRefusal>) -> Sent {
    match answer {
        Ok(_) => Sent::Done,
        Err(GiftCardRefusal::Other { status, .. }) if (400..500).contains(&status) => Sent::Refused,
        Err(_) => Sent::Later,
    }
}

pub async fn put_key(token: &str, customer: Uuid, key: &CustomerKey) -> Sent {
    let body = serde_json::json!({ "key": key.hex() }).to_string();
    let path = format!("/api/customers/{customer}/key");
    sent(ask::<serde_json::Value>("PUT", &path, token, Some(body)).await)
}

pub async fn erase(token: &str, customer: Uuid) -> Sent {
    let path = format!("/api/customers/{customer}/erase");
    sent(ask::<serde_json::Value>("POST", &path, token, None).await)
}

#[derive(Deserialize)]
struct StoredKey {
    customer: Uuid,
    key: CustomerKey,
}

/// Every key of the store and the customers erased in it.
#[derive(Deserialize)]
pub struct StoreKeys {
    keys: Vec<StoredKey>,
    pub erased: Vec<Uuid>,
}

impl StoreKeys {
    pub fn keys(&self) -> Vec<(Uuid, CustomerKey)> {
        self.keys
            .iter()
            .map(|k| (k.customer, k.key.clone()))
            .collect()
    }
}

pub async fn store_keys(token: &str) -> Option<StoreKeys> {
    ask("GET", "/api/customers/keys", token, None).await.ok()
}
