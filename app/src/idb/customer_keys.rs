//! Customers' keys (crypto-shredding, `pos_core::customer::sealed`), in `kv` as the gift cards'
//! outbox is (`idb/gift_cards.rs`): the key of each customer this device can read under
//! `customerkey:<id>`, a key made here and not yet kept by the server under
//! `customerkeyout:<id>`, and an erasure the server has not heard of under
//! `customererase:<id>`. A key made with a new customer and the erasure that forgets it are
//! written in the transaction that keeps the customer (`idb/customers.rs`).

use pos_core::customer::sealed::{CustomerKey, Keyring};

use super::*;

const KEY_PREFIX: &str = "customerkey:";
const KEY_OUT_PREFIX: &str = "customerkeyout:";
const ERASE_OUT_PREFIX: &str = "customererase:";

fn key_key(id: Uuid) -> String {
    format!("{KEY_PREFIX}{id}")
}

fn key_out_key(id: Uuid) -> String {
    format!("{KEY_OUT_PREFIX}{id}")
}

fn erase_out_key(id: Uuid) -> String {
    format!("{ERASE_OUT_PREFIX}{id}")
}

/// A key under its customer, as kept.
#[derive(Serialize, Deserialize)]
struct KeptKey {
    customer: Uuid,
    key: CustomerKey,
}

/// Keeps a key made on this device for a new customer and puts it in the key outbox, within
/// the caller's transaction.
pub(super) fn put_new_key(
    kv: &ObjectStore<'_>,
    customer: Uuid,
    key: &CustomerKey,
) -> Result<(), StorageError> {
    let kept = KeptKey {
        customer,
        key: key.clone(),
    };
    put_json(kv, &key_key(customer), &kept)?;
    put_json(kv, &key_out_key(customer), &kept)
}

/// Forgets an erased customer's key (and a key not sent yet: the server refuses it now), within
/// the caller's transaction; `tell_server` puts the erasure in its outbox.
pub(super) fn forget_key(
    kv: &ObjectStore<'_>,
    customer: Uuid,
    tell_server: bool,
) -> Result<(), StorageError> {
    kv.delete(key_key(customer)).primitive().map_err(classify)?;
    kv.delete(key_out_key(customer))
        .primitive()
        .map_err(classify)?;
    if tell_server {
        put_json(kv, &erase_out_key(customer), &customer)?;
    }
    Ok(())
}

impl IdbStorage {
    pub(super) async fn all_customer_keys(&self) -> Result<Keyring, StorageError> {
        let kept: Vec<KeptKey> = self.all_with_prefix(KEY_PREFIX, "a customer key").await?;
        Ok(kept.into_iter().map(|k| (k.customer, k.key)).collect())
    }

    pub(super) async fn customer_keys_to_send(
        &self,
    ) -> Result<Vec<(Uuid, CustomerKey)>, StorageError> {
        let kept: Vec<KeptKey> = self
            .all_with_prefix(KEY_OUT_PREFIX, "a customer key to send")
            .await?;
        Ok(kept.into_iter().map(|k| (k.customer, k.key)).collect())
    }

    pub(super) async fn customer_erasures_to_send(&self) -> Result<Vec<Uuid>, StorageError> {
        self.all_with_prefix(ERASE_OUT_PREFIX, "a customer erasure to send")
            .await
    }

    /// The server answered for a key or an erasure of `customer`: it leaves its outbox.
    pub(super) async fn customer_key_sent(
        &self,
        customer: Uuid,
        erasure: bool,
    ) -> Result<(), StorageError> {
        let tx = self.strict([KV])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        let key = if erasure {
            erase_out_key(customer)
        } else {
            key_out_key(customer)
        };
        kv.delete(key).primitive().map_err(classify)?;
        tx.commit().await.map_err(classify)
    }

    /// Keeps the keys the server holds that this device lacks, and forgets the keys and the
    /// copies of the customers the server says were erased, in one transaction. Returns whether
    /// anything changed.
    pub(super) async fn adopt_customer_keys(
        &self,
        keys: Vec<(Uuid, CustomerKey)>,
        erased: Vec<Uuid>,
    ) -> Result<bool, StorageError> {
        let held = self.all_customer_keys().await?;
        let known: Vec<Uuid> = self
            .all_with_prefix::<pos_core::customer::Customer>(CUSTOMER_PREFIX, "a customer")
            .await?
            .into_iter()
            .filter(|c| !c.erased)
            .map(|c| c.id)
            .collect();
        let new: Vec<_> = keys
            .into_iter()
            .filter(|(id, key)| held.get(*id) != Some(key) && !erased.contains(id))
            .collect();
        let gone: Vec<Uuid> = erased
            .into_iter()
            .filter(|id| held.get(*id).is_some() || known.contains(id))
            .collect();
        if new.is_empty() && gone.is_empty() {
            return Ok(false);
        }
        let tx = self.strict([KV])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        for (customer, key) in new {
            put_json(&kv, &key_key(customer), &KeptKey { customer, key })?;
        }
        for id in gone {
            forget_key(&kv, id, false)?;
            // The plain copy goes too; the customers document brings the erased record.
            kv.delete(format!("{CUSTOMER_PREFIX}{id}"))
                .primitive()
                .map_err(classify)?;
        }
        tx.commit().await.map_err(classify)?;
        Ok(true)
    }
}
