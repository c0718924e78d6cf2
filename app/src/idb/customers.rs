//! The store's customers in `kv`, one record per customer under `customer:<id>`: each change made
//! here is kept with its outbox entry in one transaction, and the sync worker keeps what the
//! store's document says beside them. A customer's sales are read from `sales`, which holds every
//! device's sales this device has heard of. A new customer's key is kept in the same transaction,
//! and an erased customer's key is forgotten in it (`idb/customer_keys.rs`).

use pos_core::customer::sealed::CustomerKey;
use pos_core::customer::{Customer, CustomerChange};
use pos_core::loyalty::LoyaltyMerge;

use super::*;

fn customer_key(id: Uuid) -> String {
    format!("{CUSTOMER_PREFIX}{id}")
}

impl IdbStorage {
    pub(super) async fn all_customers(&self) -> Result<Vec<Customer>, StorageError> {
        self.all_with_prefix(CUSTOMER_PREFIX, "a customer").await
    }

    pub(super) async fn put_customers(
        &self,
        records: Vec<Customer>,
        change: Option<CustomerChange>,
        points: Option<LoyaltyMerge>,
        store: Option<Uuid>,
        new_key: Option<(Uuid, CustomerKey)>,
    ) -> Result<(), StorageError> {
        let tx = self.strict([KV, OUTBOX])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        if let Some((id, key)) = &new_key {
            super::customer_keys::put_new_key(&kv, *id, key)?;
        }
        // An erasure made here is told to the server; one heard from the document was told
        // by the device that made it.
        let erased_here = matches!(change, Some(CustomerChange::Erased { .. }));
        for customer in &records {
            put_json(&kv, &customer_key(customer.id), customer)?;
            if customer.erased {
                super::customer_keys::forget_key(&kv, customer.id, erased_here)?;
            }
        }
        // A merge's points move on the server from the points outbox, kept with the merge.
        if let (Some(merge), Some(_)) = (&points, store) {
            super::loyalty::put_points_merge(&kv, merge)?;
        }
        if let (Some(change), Some(_)) = (change, store) {
            put_outbox(
                &tx.object_store(OUTBOX).map_err(classify)?,
                &OutboxEntry {
                    key: Uuid::now_v7().to_string(),
                    store,
                    sale: None,
                    refund: None,
                    audit: None,
                    shift: None,
                    customer: Some(change),
                },
            )?;
        }
        tx.commit().await.map_err(classify)
    }

    /// Reads every kept sale: the sales list holds thousands at most on one device, and a
    /// customer's page is opened now and then.
    pub(super) async fn sales_for(&self, customers: Vec<Uuid>) -> Result<Vec<Sale>, StorageError> {
        let tx = self.readonly([SALES])?;
        let sales = tx.object_store(SALES).map_err(classify)?;
        let mut out = Vec::new();
        let cursor = sales
            .open_cursor()
            .with_direction(CursorDirection::Prev)
            .serde()
            .map_err(classify)?
            .await
            .map_err(classify)?;
        if let Some(mut cursor) = cursor {
            while let Some(record) = cursor
                .next_record_ser::<SaleRecord>()
                .await
                .map_err(classify)?
            {
                let sale = record.sale()?;
                if sale.customer().is_some_and(|c| customers.contains(&c)) {
                    out.push(sale);
                }
            }
        }
        Ok(out)
    }
}
